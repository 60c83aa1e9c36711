//! What trailwatch prints: the human text (`render`), the machine-readable documents of
//! `docs/json.md` as typed structs (`documents`), and the exit status of each command (`exit`).
//!
//! Plain functions of plain values: no I/O; the binary writes what they return.

pub mod documents;
pub mod exit;
pub mod formats;
pub mod render;

#[cfg(test)]
mod tests;
pub mod views;
