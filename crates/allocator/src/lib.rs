//! The process's memory allocator: mimalloc, set to give freed memory back to the system at once.
//!
//! mimalloc is there for CPU: glibc's allocator spent a quarter of a large run's CPU on the many
//! small allocations of every thread (SDK requests, parsed answers, plans). mimalloc 3 keeps the
//! memory it frees for a second before returning it (its `purge_delay`, 1,000 ms), and a run of
//! many accounts frees as fast as it allocates: a 1,000-account `plan` held about 50 MB of freed
//! memory at its peak (docs/benchmarks.md). [`return_freed_memory_soon`] sets the delay to
//! mimalloc 2's 10 ms: most of that memory goes back, for a little more CPU than keeping it (0 ms
//! returned a little more, for more CPU again).

/// The allocator of every crate linked into the binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in `mimalloc.h` of mimalloc 3 (its bindings name no constant for it);
/// the test below checks that this option's default is the purge delay's 1,000 ms.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The environment variable with which mimalloc lets a user choose the delay themselves.
const PURGE_DELAY_VARIABLE: &str = "MIMALLOC_PURGE_DELAY";

/// How long freed memory is kept before it goes back to the system, in milliseconds.
const DELAY_MS: std::ffi::c_long = 10;

/// Makes mimalloc return freed memory to the system after [`DELAY_MS`], unless the user chose a delay in
/// the environment. Call it first thing in `main`, before other threads start.
pub fn return_freed_memory_soon() {
    if std::env::var_os(PURGE_DELAY_VARIABLE).is_none() {
        set_option(PURGE_DELAY, DELAY_MS);
    }
}

#[allow(unsafe_code)]
fn set_option(option: libmimalloc_sys::mi_option_t, value: std::ffi::c_long) {
    // SAFETY: `mi_option_set` stores one integer in mimalloc's option table; it takes no pointer,
    // and any value is valid for the delay (negative: never purge).
    unsafe { libmimalloc_sys::mi_option_set(option, value) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(unsafe_code)]
    fn option(option: libmimalloc_sys::mi_option_t) -> std::ffi::c_long {
        // SAFETY: reads one integer of mimalloc's option table.
        unsafe { libmimalloc_sys::mi_option_get(option) }
    }

    #[test]
    fn freed_memory_goes_back_soon_unless_the_user_chose_a_delay() {
        if std::env::var_os(PURGE_DELAY_VARIABLE).is_some() {
            return;
        }
        assert_eq!(option(PURGE_DELAY), 1000, "not mimalloc 3's purge delay");
        return_freed_memory_soon();
        assert_eq!(option(PURGE_DELAY), DELAY_MS);
    }
}
