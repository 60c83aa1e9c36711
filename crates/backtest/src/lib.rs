//! The core of `trailwatch backtest`: given CloudTrail events one at a time, count per control
//! how often the published pattern and the account's filters match, per day, who and what they
//! match, what the filters miss, and how often the control's alarm would have notified. Pure and
//! synchronous: no I/O, no clock; reading the events is the caller's.
//!
//! ```text
//! let mut tally = Tally::new(specs, window)?;
//! let mut worker = tally.fork();            // one per thread
//! worker.add(message, &parsed);             // for each event
//! tally.merge(worker);                      // in any order
//! let report: model::backtest::Backtest = tally.finish();
//! ```

mod alarm;
mod bridge;
mod control;
mod counts;
mod event;
mod rules;
mod seen;
mod spec;
mod tally;
#[cfg(test)]
mod tests;
pub mod watch;
pub mod window;

pub use event::FIELDS;
pub use spec::{
    BacktestAlarm, BacktestFilter, BacktestRule, BacktestRules, ControlSpec, SpecError, TallyWindow,
};
pub use tally::Tally;
pub use watch::{AccountRead, Held};
pub use window::ParsedWindow;
