//! The crate's tests: the case table, the CloudTrail envelope and the explanation.

mod cases;
mod envelope;
mod projection;
