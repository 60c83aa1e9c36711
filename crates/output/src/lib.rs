//! What trailwatch prints: the human text (`render`), the machine-readable documents of
//! `docs/json.md` as typed structs (`documents`), the exit status of each command (`exit`), and
//! where each document goes (`place`).
//!
//! Plain functions of plain values: no I/O; the binary writes what they return.

pub mod documents;
pub mod exit;
pub mod formats;
pub mod place;
pub mod render;

#[cfg(test)]
mod tests;
pub mod views;
