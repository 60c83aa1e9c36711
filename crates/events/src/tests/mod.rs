//! The events crate's unit tests, by topic: every shape of event file and the refusals
//! (`shapes`), and reading with bounded memory — streams, size limits, gzip bombs (`limits`).

mod limits;
mod shapes;

use std::io::Write;

use crate::{read, Counts, Error, InputFormat};

pub(super) fn events_of(bytes: &[u8]) -> Result<(Vec<String>, Counts), Error> {
    events_as(bytes, InputFormat::Auto)
}

pub(super) fn events_as(bytes: &[u8], format: InputFormat) -> Result<(Vec<String>, Counts), Error> {
    let mut seen = Vec::new();
    let counts = read("input", bytes, format, &mut |m| seen.push(m.to_string()))?;
    Ok((seen, counts))
}

pub(super) fn gzip(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}
