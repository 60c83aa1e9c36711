//! Reading log events from the files people have them in, gzipped or not: JSON lines (one
//! event message per line, as CloudWatch Logs and `TestMetricFilter` take them), CloudTrail log
//! files (`{"Records": [...]}`), JSON arrays of events, and the output of `aws cloudtrail
//! lookup-events` and `aws logs filter-log-events`/`get-log-events`. A document is recognised
//! only by its documented keys and value types; any other JSON value on one line is an event
//! (a log event may hold lists of objects), and a JSON value of another shape spread over lines
//! is refused, never read as zero events. The user can say what a file is (`InputFormat`).
//! Everything is streamed, documents an entry at a time: memory is bounded whatever the input's
//! size or compression, and an event larger than CloudWatch Logs accepts (`MAX_EVENT_BYTES`) is
//! refused by its number rather than held.
//!
//! ```text
//! let read = events::read("trail.json.gz", file, InputFormat::Auto, &mut |message: &str| { … })?;
//! ```

mod detect;
mod document;
mod fault;
mod lines;
mod shape;
mod source;
#[cfg(test)]
mod tests;

use std::io::{BufRead, BufReader, Read};

use detect::{Start, ALL_SHAPES};
use fault::Fault;
use shape::Keys;
pub use shape::{Shape, SHAPES};
use source::Source;

/// The largest log event CloudWatch Logs accepts, in bytes of UTF-8: `PutLogEvents` takes
/// events of up to 1 MB since April 2025 (256 KB before). A larger event could not be in a log
/// group, so it is refused rather than read.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;

/// The most of one entry of a JSON document held at once: its event's largest size, with room
/// for the escapes and indentation the document writes it with.
pub const MAX_ENTRY_BYTES: usize = 8 * MAX_EVENT_BYTES;

/// What the user says an input is (`--input-format`), or `Auto` to recognise it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InputFormat {
    /// A document of a documented shape, recognised by its keys and value types; anything
    /// else is JSON lines (a JSON value that is not such a document on one line is an event).
    #[default]
    Auto,
    /// One event per line, whatever the line holds.
    Lines,
    /// Documents of one shape only.
    Document(Shape),
}

impl InputFormat {
    /// The names `--input-format` takes, in the order shown.
    pub const NAMES: &'static [&'static str] = &[
        "auto",
        "lines",
        "cloudtrail",
        "array",
        "lookup-events",
        "log-events",
    ];
}

impl std::str::FromStr for InputFormat {
    type Err = UnknownInputFormat;

    fn from_str(name: &str) -> Result<Self, UnknownInputFormat> {
        Ok(match name {
            "auto" => InputFormat::Auto,
            "lines" => InputFormat::Lines,
            "cloudtrail" => InputFormat::Document(Shape::CloudTrail),
            "array" => InputFormat::Document(Shape::Array),
            "lookup-events" => InputFormat::Document(Shape::LookupEvents),
            "log-events" => InputFormat::Document(Shape::LogEvents),
            other => return Err(UnknownInputFormat(other.to_string())),
        })
    }
}

/// What reading one input gave.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Events handed to the callback.
    pub events: u64,
    /// Bytes of (decompressed) input.
    pub bytes: u64,
}

/// Why an input could not be read; each says what to do, naming the input.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input could not be read (or decompressed).
    #[error("{}", io_message(name, error))]
    Io { name: String, error: std::io::Error },
    /// The input is JSON of no shape of events.
    #[error("`{name}` is JSON but not a shape of events trailwatch reads; give it {SHAPES}, or say what it is with --input-format")]
    Shape { name: String },
    /// An entry of a JSON document is not an event of the document's shape.
    #[error("`{name}`: entry {entry} is not an event of its shape; give it {SHAPES}")]
    Entry { name: String, entry: usize },
    /// An event is larger than CloudWatch Logs accepts (`MAX_EVENT_BYTES`).
    #[error("`{name}`: event {event} is larger than CloudWatch Logs accepts in one log event ({} MB); remove or shorten it, or give trailwatch a file of log events", MAX_EVENT_BYTES >> 20)]
    TooLarge { name: String, event: u64 },
    /// The input is not the shape the user said it is.
    #[error("`{name}` is not {}; check --input-format (`auto` recognises {SHAPES})", shape.describe())]
    NotShape { name: String, shape: Shape },
}

/// An input that cannot be read; bytes that are not text are not event files.
fn io_message(name: &str, error: &std::io::Error) -> String {
    if error.kind() == std::io::ErrorKind::InvalidData {
        format!(
            "`{name}` is neither UTF-8 text nor gzipped UTF-8 text ({error}); give it event files"
        )
    } else {
        format!("cannot read `{name}`: {error}")
    }
}

/// An `--input-format` name that is not one of `InputFormat::NAMES`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown input format `{0}`; valid formats: {names}", names = InputFormat::NAMES.join(", "))]
pub struct UnknownInputFormat(pub String);

/// Reads the events of one input, calling `each` with every event message in order.
pub fn read(
    name: &str,
    input: impl Read,
    format: InputFormat,
    each: &mut dyn FnMut(&str),
) -> Result<Counts, Error> {
    let tell = |fault| told(name, format, fault);
    let mut source = Source::new(decompressed(input).map_err(|e| tell(Fault::Io(e)))?);
    let events = events(&mut source, format, each).map_err(tell)?;
    Ok(Counts {
        events,
        bytes: source.bytes(),
    })
}

/// The events of the input, as `format` says or its start shows.
fn events(
    source: &mut Source,
    format: InputFormat,
    each: &mut dyn FnMut(&str),
) -> Result<u64, Fault> {
    if format == InputFormat::Lines {
        return lines::read(source, each);
    }
    lines::skip_blank(source)?;
    match format {
        InputFormat::Document(shape) => document::read(source, one_shape(shape), Keys::Any, each),
        _ => match detect::start(source)? {
            Start::Lines => lines::read(source, each),
            Start::Documents => document::read(source, ALL_SHAPES, Keys::Documented, each),
        },
    }
}

fn one_shape(shape: Shape) -> &'static [Shape] {
    match shape {
        Shape::CloudTrail => &[Shape::CloudTrail],
        Shape::Array => &[Shape::Array],
        Shape::LookupEvents => &[Shape::LookupEvents],
        Shape::LogEvents => &[Shape::LogEvents],
    }
}

/// A fault told with the input's name: JSON that is not a document of the shapes read is
/// refused naming the shape the user gave, or every shape.
fn told(name: &str, format: InputFormat, fault: Fault) -> Error {
    let name = name.to_string();
    match (fault, format) {
        (Fault::Io(error), _) => Error::Io { name, error },
        (Fault::Entry(entry), _) => Error::Entry { name, entry },
        (Fault::TooLarge(event), _) => Error::TooLarge { name, event },
        (_, InputFormat::Document(shape)) => Error::NotShape { name, shape },
        _ => Error::Shape { name },
    }
}

/// The input, un-gzipped when it starts with the gzip magic number (members concatenated, as
/// `cat a.gz b.gz` makes them, are read in turn).
fn decompressed<'a>(input: impl Read + 'a) -> std::io::Result<Box<dyn Read + 'a>> {
    let mut input = BufReader::with_capacity(256 * 1024, input);
    if input.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
        return Ok(Box::new(flate2::bufread::MultiGzDecoder::new(input)));
    }
    Ok(Box::new(input))
}
