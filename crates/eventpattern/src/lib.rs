//! The Amazon EventBridge event pattern language: `parse` (a pattern's JSON text to a
//! [`Pattern`], refused with EventBridge's reasons when malformed), [`Pattern::matches`] (an
//! event, as JSON, against it), `explain` (what a pattern asks, one condition a line),
//! `printed` and `canonical` (back to JSON), [`envelope`] (a CloudTrail record as the event
//! EventBridge delivers for it) and [`projection`] (the parts of an event a pattern reads,
//! parsed alone).

mod ast;
mod cidr;
mod envelope;
mod error;
mod eval;
mod explain;
mod parse;
mod print;
mod projection;
mod wildcard;

pub use ast::{AnythingBut, Field, Matcher, Node, Numeric, Pattern};
pub use envelope::{
    envelope, is_cloudtrail_record, is_eventbridge_event, may_match_cloudtrail, projection,
    Envelope, CLOUDTRAIL_DETAIL_TYPES,
};
pub use error::Error;
pub use explain::{event_names, explain};
pub use parse::parse;
pub use print::{canonical, printed};
pub use projection::Projection;

#[cfg(test)]
mod tests;
