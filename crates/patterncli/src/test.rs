//! `pattern test`: a compiled pattern over the events of each input, in order, each match
//! handed to the caller with its number across every input and its input's name.

use std::io::Read;

use crate::language::{Matcher, NotJson, PatternError};

/// How many events were read and how many matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tested {
    /// Events that match.
    pub count: usize,
    /// Events read.
    pub total: usize,
}

/// Why `pattern test` stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The pattern cannot be used.
    #[error(transparent)]
    Pattern(#[from] PatternError),
    /// An input could not be opened.
    #[error("cannot open `{name}`")]
    Open {
        name: String,
        #[source]
        source: std::io::Error,
    },
    /// An input is not a file of events.
    #[error(transparent)]
    Events(#[from] events::Error),
    /// An event an event pattern cannot be tested on.
    #[error("event {event} of `{name}` is not JSON, and an event pattern matches JSON events only; give JSON lines or files of CloudTrail records or EventBridge events")]
    NotJson {
        name: String,
        event: usize,
        #[source]
        source: NotJson,
    },
    /// A match could not be written.
    #[error("cannot write a match")]
    Write(#[source] std::io::Error),
}

/// Runs `matcher` over the events of each input (`-`, or no input at all, is what `open` gives
/// for standard input), calling `on_match(event_number, input, message)` for each match.
pub fn test(
    matcher: &Matcher,
    inputs: &[String],
    format: events::InputFormat,
    open: &mut dyn FnMut(&str) -> std::io::Result<Box<dyn Read>>,
    on_match: &mut dyn FnMut(usize, &str, &str) -> std::io::Result<()>,
) -> Result<Tested, Error> {
    let mut tested = Tested::default();
    let standard_input = ["-".to_string()];
    let inputs = if inputs.is_empty() {
        &standard_input[..]
    } else {
        inputs
    };
    for name in inputs {
        let input = open(name).map_err(|source| Error::Open {
            name: name.clone(),
            source,
        })?;
        let (mut failed, before) = (Ok(()), tested.total);
        let mut each = |message: &str| {
            tested.total += 1;
            if failed.is_ok() {
                let number = Numbers {
                    run: tested.total,
                    input: tested.total - before,
                };
                failed = one(matcher, number, name, message, &mut *on_match)
                    .map(|matched| tested.count += usize::from(matched));
            }
        };
        events::read(shown(name), input, format, &mut each)?;
        failed?;
    }
    Ok(tested)
}

/// An event's number across every input and within its own.
#[derive(Clone, Copy)]
struct Numbers {
    run: usize,
    input: usize,
}

/// One event: whether it matched, handed to `on_match` if it did.
fn one(
    matcher: &Matcher,
    number: Numbers,
    name: &str,
    message: &str,
    on_match: &mut dyn FnMut(usize, &str, &str) -> std::io::Result<()>,
) -> Result<bool, Error> {
    let matched = matcher.matches(message).map_err(|source| Error::NotJson {
        name: shown(name).to_string(),
        event: number.input,
        source,
    })?;
    if matched {
        on_match(number.run, name, message).map_err(Error::Write)?;
    }
    Ok(matched)
}

/// How an input is named in messages.
fn shown(name: &str) -> &str {
    match name {
        "-" => "standard input",
        file => file,
    }
}
