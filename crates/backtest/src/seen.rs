//! The CloudTrail records already counted, so a record delivered in more than one log file (as
//! CloudTrail documents it can be) or read from overlapping folders is counted once. A record is
//! known by its account (`recipientAccountId`) and its `eventID`; the set keeps a 128-bit hash of
//! the two (16 bytes an entry), not the text. Shared by every fork of a tally, in shards behind
//! their own locks, so the workers dedupe exactly whichever of them reads which copy.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

/// Shards of the set: enough that two workers seldom wait for each other, and that growing one
/// shard's table reallocates a sixty-fourth of the ids, not all of them.
const SHARDS: usize = 64;

/// The ids of the records counted, shared by a tally and its forks.
#[derive(Debug)]
pub(crate) struct Seen {
    shards: Vec<Mutex<HashSet<u128, BuildHasherDefault<KeyHasher>>>>,
}

impl Default for Seen {
    fn default() -> Seen {
        Seen {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }
}

impl Seen {
    /// Records the event `id` of `account`; `false` when it was recorded before (a duplicate).
    pub(crate) fn first(&self, account: Option<&str>, id: &str) -> bool {
        let key = key(account, id);
        let shard = (key >> 120) as usize % SHARDS;
        self.shards[shard]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key)
    }
}

/// A 128-bit hash of the account and the id: two SipHash-1-3 passes (the standard library's
/// fixed-key hasher), each with its own prefix. A collision among a billion records has a
/// chance of about 10⁻²¹.
fn key(account: Option<&str>, id: &str) -> u128 {
    let half = |salt: u8| {
        let mut hasher = DefaultHasher::new();
        (salt, account, id).hash(&mut hasher);
        hasher.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

/// The set's own hasher: the keys are hashes already, so their low bits serve as is.
#[derive(Debug, Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u128(&mut self, key: u128) {
        self.0 = key as u64;
    }
}
