//! Answers remembered by the text they were worked out from (a filter pattern, a policy): the
//! accounts of a run hold the same few texts, and every control of an account asks about them
//! again. One rule for every such memo: shared by the run's threads, keyed by a kind and the
//! text (hashed with FxHash, much quicker than the standard SipHash on texts of hundreds of
//! bytes; nothing here is keyed by untrusted input an attacker could choose to collide),
//! bounded (past the limit it starts again empty). A text always gives the same answer, so what
//! is remembered never changes one.

use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::FxHashMap;

/// How many filter pattern texts a memo of them holds.
pub(crate) const REMEMBERED_PATTERNS: usize = 1024;

/// How many policy texts a memo of them holds.
pub(crate) const REMEMBERED_POLICIES: usize = 256;

/// Each kind's answers, by text.
type Held<K, V> = Mutex<FxHashMap<K, FxHashMap<String, Arc<V>>>>;

/// A bounded memo of answers of type `V`, by a kind `K` and a text.
pub(crate) struct ByText<K, V> {
    limit: usize,
    held: OnceLock<Held<K, V>>,
}

impl<K: Hash + Eq + Copy, V> ByText<K, V> {
    /// A memo that holds at most `limit` texts of each kind.
    pub(crate) const fn new(limit: usize) -> Self {
        ByText {
            limit,
            held: OnceLock::new(),
        }
    }

    /// The answer for `text` of `kind`: remembered, or worked out by `work` and remembered.
    pub(crate) fn get(&self, kind: K, text: &str, work: impl FnOnce() -> V) -> Arc<V> {
        let held = self.held.get_or_init(Default::default);
        let known = held
            .lock()
            .expect("memo")
            .get(&kind)
            .and_then(|by_text| by_text.get(text).cloned());
        if let Some(known) = known {
            return known;
        }
        let answer = Arc::new(work());
        let mut held = held.lock().expect("memo");
        let by_text = held.entry(kind).or_default();
        if by_text.len() >= self.limit {
            by_text.clear();
        }
        by_text.insert(text.to_string(), Arc::clone(&answer));
        answer
    }
}
