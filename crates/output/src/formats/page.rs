//! What the HTML pages (`--output html`: the run's report and the backtest's) share: how a
//! status looks (a symbol and a word beside its colour) and how text from AWS or a
//! configuration file is shown (control characters in their visible form; askama escapes the
//! markup).

use model::Status;

use super::text;

/// How a status is shown: its CSS class, its symbol and its word, never the colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// The status as the JSON document names it (`non_compliant`), also the CSS class suffix.
    pub status: &'static str,
    /// `✓`, `✗`, `!`, `-` or `~`.
    pub symbol: &'static str,
    /// The word a reader sees (`non-compliant`).
    pub word: &'static str,
}

impl Look {
    /// The look of a control's status.
    pub fn of(status: Status) -> Look {
        Look {
            status: status.as_str(),
            symbol: status.symbol(),
            word: word(status),
        }
    }
}

fn word(status: Status) -> &'static str {
    match status {
        Status::Compliant => "compliant",
        Status::NonCompliant => "non-compliant",
        Status::NotApplicable => "not applicable",
        Status::Error => "error",
        Status::Waived => "waived",
    }
}

/// The statuses from worst to best: the order of the totals, and of accounts in the grid.
pub const WORST_FIRST: [Status; 5] = [
    Status::NonCompliant,
    Status::Error,
    Status::Waived,
    Status::NotApplicable,
    Status::Compliant,
];

/// Text from AWS or a configuration file as the page shows it, on one line: line breaks as
/// spaces, other control characters in their visible form (`␛`); the template escapes `<`, `&`
/// and quotes.
pub fn shown(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    text::each_char(value, &mut out, |out| out.push(' '), |out, c| out.push(c));
    out
}

/// An `id` for an element from any text: letters, digits and `-`, so that it is a valid
/// fragment in a link whatever an account or control is called.
pub fn anchor(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        if !out.is_empty() {
            out.push_str("--");
        }
        out.extend(part.chars().map(|c| match c.is_ascii_alphanumeric() {
            true => c,
            false => '-',
        }));
    }
    out
}
