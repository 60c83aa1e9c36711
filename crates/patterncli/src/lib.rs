//! The core of `trailwatch pattern test` and `pattern explain`, in either language a pattern
//! is written in: CloudWatch Logs filter patterns (`pattern`) and EventBridge event patterns
//! (`eventpattern`, each event a CloudTrail record wrapped as EventBridge delivers it, or an
//! EventBridge event as it is). It reads the inputs it is given, never a file by name.

mod language;
mod test;

pub use language::{Language, Matcher, NotJson, PatternError};
pub use test::{test, Error, Tested};

#[cfg(test)]
mod tests;
