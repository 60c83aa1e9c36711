//! Reading log events from the files people have them in, gzipped or not, the shape detected
//! per file: JSON lines (one event message per line, as CloudWatch Logs and `TestMetricFilter`
//! take them), CloudTrail log files (`{"Records": [...]}`), JSON arrays of events, the output of
//! `aws cloudtrail lookup-events` and of `aws logs filter-log-events`/`get-log-events`. A JSON
//! document of any other shape is refused, never read as zero events. JSON lines are streamed
//! (memory bounded by the longest line); a document is read whole.
//!
//! ```text
//! let read = events::read("trail.json.gz", file, &mut |message: &str| { … })?;
//! ```

mod shape;
#[cfg(test)]
mod tests;

use std::io::{BufRead, BufReader, Read};

pub use shape::SHAPES;

/// What reading one input gave.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Events handed to the callback.
    pub events: u64,
    /// Bytes of (decompressed) input.
    pub bytes: u64,
}

/// Why an input could not be read; each says what to do, naming the input.
#[derive(Debug)]
pub enum Error {
    /// The input could not be read (or decompressed).
    Io { name: String, error: std::io::Error },
    /// The input is JSON of no shape of events.
    Shape { name: String },
    /// An entry of a JSON document is not an event of the document's shape.
    Entry { name: String, entry: usize },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io { name, error } if error.kind() == std::io::ErrorKind::InvalidData => {
                write!(f, "`{name}` is neither UTF-8 text nor gzipped UTF-8 text ({error}); give it event files")
            }
            Error::Io { name, error } => write!(f, "cannot read `{name}`: {error}"),
            Error::Shape { name } => write!(
                f,
                "`{name}` is JSON but not a shape of events trailwatch reads; give it {SHAPES}"
            ),
            Error::Entry { name, entry } => write!(
                f,
                "`{name}`: entry {entry} is not an event of its shape; give it {SHAPES}"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Reads the events of one input, calling `each` with every event message in order.
pub fn read(name: &str, input: impl Read, each: &mut dyn FnMut(&str)) -> Result<Counts, Error> {
    let io = |error| Error::Io {
        name: name.to_string(),
        error,
    };
    let mut input = decompressed(input).map_err(io)?;
    let mut read = Counts::default();
    let mut line = String::new();
    let first = loop {
        line.clear();
        if input.read_line(&mut line).map_err(io)? == 0 {
            return Ok(read);
        }
        read.bytes += line.len() as u64;
        if !line.trim().is_empty() {
            break line.trim_end_matches(['\n', '\r']).to_string();
        }
    };
    match shape::of_first_line(&first) {
        shape::Start::Lines => {
            emit(&first, &mut read, each);
            lines(&mut input, &mut read, each).map_err(io)?;
            Ok(read)
        }
        shape::Start::Document => {
            let mut text = first;
            text.push('\n');
            read.bytes += input.read_to_string(&mut text).map_err(io)? as u64;
            shape::document(name, &text, &mut read, each)
        }
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
