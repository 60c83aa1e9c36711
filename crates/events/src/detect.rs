//! What an input whose format was not given is, from its start (`InputFormat::Auto`). The first
//! JSON value decides, as it did when inputs were read whole, whenever it ends within the first
//! `WINDOW_BYTES`: a document of a documented shape starts documents; another value on the
//! first line makes the input JSON lines; another value spread over lines is refused; text that
//! is not JSON is lines. A first value longer than the window is a document when all of it the
//! window holds is the start of one (a CloudTrail log file is one JSON object on one line);
//! otherwise its first line, longer than any event, or its value of another shape is refused.

use serde::de::IgnoredAny;

use crate::document;
use crate::fault::Fault;
use crate::lines;
use crate::shape::{Keys, Shape};
use crate::source::{without_open_number, Source};
use crate::MAX_EVENT_BYTES;

/// How much of an input's start is looked at before reading it: more than a line of the
/// largest event, so a first line that is an event is always seen whole.
pub(crate) const WINDOW_BYTES: usize = 2 * MAX_EVENT_BYTES;

/// Every document shape, in the order `Auto` tries them.
pub(crate) const ALL_SHAPES: &[Shape] = &[
    Shape::CloudTrail,
    Shape::LookupEvents,
    Shape::LogEvents,
    Shape::Array,
];

/// How an input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// One event per line.
    Lines,
    /// Documents of the documented shapes, one after another.
    Documents,
}

/// How to read the input from where `source` is (its first non-blank line), using none of it; a
/// JSON value of another shape spread over lines is `Fault::Refused`.
pub(crate) fn start(source: &mut Source) -> Result<Start, Fault> {
    source.fill(WINDOW_BYTES)?;
    let whole = source.ended();
    let text = lines::text(without_open_number(source.held(), whole), whole)?;
    let first_line = text.find('\n').unwrap_or(text.len());
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<IgnoredAny>();
    match values.next() {
        Some(Ok(_)) => complete(&text[..values.byte_offset()], first_line),
        Some(Err(e)) if e.is_eof() && !whole => open(text, first_line),
        _ => Ok(Start::Lines),
    }
}

/// A first value that ends within the window.
fn complete(value: &str, first_line: usize) -> Result<Start, Fault> {
    match as_documents(value) {
        Ok(_) | Err(Fault::Entry(_) | Fault::TooLarge(_)) => Ok(Start::Documents),
        Err(_) if value.len() <= first_line => Ok(Start::Lines),
        Err(_) => Err(Fault::Refused),
    }
}

/// A first value longer than the window, `text`.
fn open(text: &str, first_line: usize) -> Result<Start, Fault> {
    match as_documents(text) {
        Err(Fault::Eof | Fault::TooLarge(_)) => Ok(Start::Documents),
        _ if first_line == text.len() => Ok(Start::Lines),
        _ => Err(Fault::Refused),
    }
}

/// `text` read as documents of the documented shapes, its events dropped.
fn as_documents(text: &str) -> Result<u64, Fault> {
    let mut source = Source::new(text.as_bytes());
    document::read(&mut source, ALL_SHAPES, Keys::Documented, &mut |_| {})
}
