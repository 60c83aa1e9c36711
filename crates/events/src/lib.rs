//! Reading log events from the files people have them in, gzipped or not: JSON lines (one
//! event message per line, as CloudWatch Logs and `TestMetricFilter` take them), CloudTrail log
//! files (`{"Records": [...]}`), JSON arrays of events, and the output of `aws cloudtrail
//! lookup-events` and `aws logs filter-log-events`/`get-log-events`. A document is recognised
//! only by its documented keys and value types; any other JSON value on one line is an event
//! (a log event may hold lists of objects), and a JSON value of another shape spread over lines
//! is refused, never read as zero events. The user can say what a file is (`InputFormat`).
//! JSON lines are streamed (memory bounded by the longest line); documents are read whole.
//!
//! ```text
//! let read = events::read("trail.json.gz", file, InputFormat::Auto, &mut |message: &str| { … })?;
//! ```

mod shape;
#[cfg(test)]
mod tests;

use std::io::{BufRead, BufReader, Read};

use serde_json::value::RawValue;

use shape::{Container, Keys};
pub use shape::{Shape, SHAPES};

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

/// Every document shape, in the order `Auto` tries them.
const ALL_SHAPES: &[Shape] = &[
    Shape::CloudTrail,
    Shape::LookupEvents,
    Shape::LogEvents,
    Shape::Array,
];

/// Reads the events of one input, calling `each` with every event message in order.
pub fn read(
    name: &str,
    input: impl Read,
    format: InputFormat,
    each: &mut dyn FnMut(&str),
) -> Result<Counts, Error> {
    let io = |error| Error::Io {
        name: name.to_string(),
        error,
    };
    let mut input = decompressed(input).map_err(io)?;
    let mut read = Counts::default();
    let Some(first) = first_line(&mut input, &mut read).map_err(io)? else {
        return match format {
            InputFormat::Document(shape) => Err(not_shape(name, shape)),
            _ => Ok(read),
        };
    };
    let whole = |input: &mut dyn BufRead, read: &mut Counts| -> Result<String, Error> {
        let mut text = first.clone();
        text.push('\n');
        read.bytes += input.read_to_string(&mut text).map_err(io)? as u64;
        Ok(text)
    };
    match start(&first, format) {
        Start::Lines => {
            emit(&first, &mut read, each);
            lines(&mut input, &mut read, each).map_err(io)?;
            Ok(read)
        }
        Start::Documents(shapes, keys) => {
            let text = whole(&mut input, &mut read)?;
            documents(name, &text, shapes, keys, &mut read, each)
        }
        Start::Unknown => {
            let text = whole(&mut input, &mut read)?;
            undecided(name, &text, &mut read, each)
        }
    }
}

/// The first non-blank line, without its line end.
fn first_line(input: &mut dyn BufRead, read: &mut Counts) -> std::io::Result<Option<String>> {
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        read.bytes += line.len() as u64;
        if !line.trim().is_empty() {
            return Ok(Some(line.trim_end_matches(['\n', '\r']).to_string()));
        }
    }
}

/// How to read an input, from what the user said and its first non-blank line.
enum Start {
    /// One event per line.
    Lines,
    /// Documents of these shapes, one after another (on one line each or spread over many).
    Documents(&'static [Shape], Keys),
    /// The first line opens a JSON value it does not close: the whole input decides.
    Unknown,
}

fn start(first: &str, format: InputFormat) -> Start {
    match format {
        InputFormat::Lines => Start::Lines,
        InputFormat::Document(shape) => Start::Documents(one_shape(shape), Keys::Any),
        InputFormat::Auto => {
            let mut values = serde_json::Deserializer::from_str(first).into_iter::<&RawValue>();
            match values.next() {
                Some(Ok(value))
                    if shape::recognise(value, ALL_SHAPES, Keys::Documented).is_some() =>
                {
                    Start::Documents(ALL_SHAPES, Keys::Documented)
                }
                Some(Err(e)) if e.is_eof() => Start::Unknown,
                _ => Start::Lines,
            }
        }
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

/// An input whose first line opens a JSON value spread over several lines: documents of a
/// known shape; a single JSON value of another shape is refused; text that is not JSON at all
/// (a log line that starts with a bracket, say) is JSON lines.
fn undecided(
    name: &str,
    text: &str,
    counts: &mut Counts,
    each: &mut dyn FnMut(&str),
) -> Result<Counts, Error> {
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
    match values.next() {
        Some(Ok(value)) if shape::recognise(value, ALL_SHAPES, Keys::Documented).is_some() => {
            documents(name, text, ALL_SHAPES, Keys::Documented, counts, each)
        }
        Some(Ok(_)) => Err(Error::Shape {
            name: name.to_string(),
        }),
        _ => {
            for line in text.lines() {
                emit(line.trim_end_matches('\r'), counts, each);
            }
            Ok(*counts)
        }
    }
}

/// The events of documents one after another, each of one of `shapes`.
fn documents(
    name: &str,
    text: &str,
    shapes: &[Shape],
    keys: Keys,
    counts: &mut Counts,
    each: &mut dyn FnMut(&str),
) -> Result<Counts, Error> {
    let refused = || match shapes {
        [shape] => not_shape(name, *shape),
        _ => Error::Shape {
            name: name.to_string(),
        },
    };
    let mut entry = 0;
    for value in serde_json::Deserializer::from_str(text).into_iter::<&RawValue>() {
        let value = value.map_err(|_| refused())?;
        let Container { shape, entries } =
            shape::recognise(value, shapes, keys).ok_or_else(refused)?;
        for item in entries {
            entry += 1;
            let event = shape.event(item).ok_or_else(|| Error::Entry {
                name: name.to_string(),
                entry,
            })?;
            counts.events += 1;
            each(&event);
        }
    }
    Ok(*counts)
}

fn not_shape(name: &str, shape: Shape) -> Error {
    Error::NotShape {
        name: name.to_string(),
        shape,
    }
}

/// The input, un-gzipped when it starts with the gzip magic number (members concatenated, as
/// `cat a.gz b.gz` makes them, are read in turn).
fn decompressed<'a>(input: impl Read + 'a) -> std::io::Result<Box<dyn BufRead + 'a>> {
    let mut input = BufReader::with_capacity(256 * 1024, input);
    if input.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
        let plain = flate2::bufread::MultiGzDecoder::new(input);
        return Ok(Box::new(BufReader::with_capacity(256 * 1024, plain)));
    }
    Ok(Box::new(input))
}

/// The rest of a JSON-lines input, a line at a time (blank lines are not events).
fn lines(
    input: &mut dyn BufRead,
    read: &mut Counts,
    each: &mut dyn FnMut(&str),
) -> std::io::Result<()> {
    let mut line = String::new();
    loop {
        line.clear();
        let n = input.read_line(&mut line)?;
        if n == 0 {
            return Ok(());
        }
        read.bytes += n as u64;
        emit(line.trim_end_matches(['\n', '\r']), read, each);
    }
}

/// One line as an event, unless it is blank.
fn emit(line: &str, read: &mut Counts, each: &mut dyn FnMut(&str)) {
    if !line.trim().is_empty() {
        read.events += 1;
        each(line);
    }
}
