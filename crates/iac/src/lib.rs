//! The plan's actions written as code a team commits: Terraform (HCL) and CloudFormation (YAML)
//! for one account.
//!
//! `resources` derives the resources from the plan's actions — the one place that decides what
//! is emitted, so every format carries exactly what `apply` would send — `terraform` writes
//! them as `terraform fmt` would, `cloudformation` as a template, with the template and the
//! resources-to-import file of the `IMPORT` change set before it, `stackset` as one template
//! with parameters for every account of a stack set. Pure: no I/O, no clock.

pub mod cloudformation;
pub mod resources;
pub mod stackset;
pub mod terraform;

mod hcl;
mod values;

pub use cloudformation::{resources_to_import, template, CloudFormationError, Stage};
pub use resources::{resources, Arn, Import, Kind, Resource};
pub use stackset::{stackset, stackset_warnings, StackSetError};
pub use terraform::terraform;

#[cfg(test)]
mod tests;
