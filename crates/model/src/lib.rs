//! The domain of trailwatch: the control catalog, the desired state, the live state as read from
//! AWS, and the plan's data types. Pure data and pure functions: no I/O, no async.

pub mod arn;
pub mod asff;
pub mod backtest;
pub mod catalog;
pub mod cloudwatch;
pub mod desired;
pub mod digest;
pub mod drill;
pub mod finding;
pub mod live;
pub mod planfile;
pub mod regions;
pub mod report;
#[cfg(feature = "sample")]
pub mod sample;
#[cfg(test)]
mod tests;

pub use catalog::Control;
pub use desired::{Desired, Endpoint, MatchMode, RulesRead, TopicChoice};
pub use live::Snapshot;
pub use report::{Action, Change, ControlResult, Finding, FindingCode, Operation, Report, Status};
