//! The plan's actions written as code a team commits: Terraform (HCL) for one account.
//!
//! `resources` derives the resources from the plan's actions — the one place that decides what
//! is emitted, so every format carries exactly what `apply` would send — and `terraform` writes
//! them as `terraform fmt` would. Pure: no I/O, no clock.

pub mod resources;
pub mod terraform;

mod hcl;

pub use resources::{resources, Arn, Import, Kind, Resource};
pub use terraform::terraform;

#[cfg(test)]
mod tests;
