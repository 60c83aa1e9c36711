//! The one way trailwatch hashes a value it saves: the SHA-256 of the value's compact JSON, in
//! lower-case hex. A saved plan's digest and its fingerprints are made this way, so a plan saved
//! by one version still verifies in the next.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The first `bytes` bytes (at most 32) of the SHA-256 of `value`'s compact JSON, in hex. The
/// JSON is written straight into the hash, never held whole.
pub fn json_sha256_hex<T: Serialize + ?Sized>(value: &T, bytes: usize) -> String {
    let mut hash = Sha256::new();
    serde_json::to_writer(&mut hash, value).expect("plain data serialises");
    hash.finalize()
        .iter()
        .take(bytes)
        .map(|b| format!("{b:02x}"))
        .collect()
}
