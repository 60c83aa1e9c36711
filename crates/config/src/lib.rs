//! The configuration file, `trailwatch.toml`: the desired state and its exceptions (waivers) as
//! a reviewed file. Read with serde (`deny_unknown_fields`) and the `toml` crate's spans, so a
//! bad file is refused with `PATH:LINE:COL: what is wrong (expected …)`; checked against the
//! catalog and today's date; and merged under the flags (a flag overrides its key).

pub mod effective;
pub mod file;
pub mod settings;
pub mod values;

pub use file::{find, AccountSettings, ConfigError, FileSettings};
pub use settings::{Destination, Flags, NoRole, Settings};

/// Today's date (UTC), against which waivers expire.
pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

#[cfg(test)]
mod tests;
