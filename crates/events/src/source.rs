//! The decompressed input, read through one buffer whose size is bounded: a line or a JSON value
//! is looked at where it lies in the buffer, and one that would not fit in the bound is refused
//! rather than held, so no input, however large or however compressed, grows memory past it.

use std::io::Read;

use serde_json::value::RawValue;

use crate::fault::Fault;

/// How much is read from the input at a time.
const CHUNK: usize = 256 * 1024;

/// The input and the part of it read but not yet used.
pub(crate) struct Source<'a> {
    input: Box<dyn Read + 'a>,
    /// `buffer[start..end]` is read and not yet used; the buffer grows only up to a caller's
    /// bound (`more`).
    buffer: Vec<u8>,
    start: usize,
    end: usize,
    ended: bool,
    read: u64,
}

/// What reading more gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum More {
    /// More bytes are held.
    Read,
    /// The input has no more bytes.
    Ended,
    /// The buffer holds the bound already: nothing more fits.
    Full,
}

impl<'a> Source<'a> {
    pub(crate) fn new(input: impl Read + 'a) -> Source<'a> {
        Source {
            input: Box::new(input),
            buffer: Vec::new(),
            start: 0,
            end: 0,
            ended: false,
            read: 0,
        }
    }

    /// The bytes read from the input so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.read
    }

    /// Whether the input has no more bytes than those held.
    pub(crate) fn ended(&self) -> bool {
        self.ended
    }

    /// The bytes read and not yet used.
    pub(crate) fn held(&self) -> &[u8] {
        &self.buffer[self.start..self.end]
    }

    /// Marks the first `n` held bytes used.
    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
    }

    /// Reads more of the input after what is held, holding at most `bound` bytes.
    pub(crate) fn more(&mut self, bound: usize) -> std::io::Result<More> {
        if self.ended {
            return Ok(More::Ended);
        }
        self.keep_held_only();
        if self.end == self.buffer.len() {
            if self.buffer.len() >= bound {
                return Ok(More::Full);
            }
            let size = (self.buffer.len() * 2).clamp(CHUNK, bound.max(CHUNK));
            self.buffer.resize(size, 0);
        }
        // A chunk at a time, so what was read is still in the cache when it is used.
        let space = (self.buffer.len() - self.end).min(CHUNK);
        let n = read_some(
            &mut self.input,
            &mut self.buffer[self.end..self.end + space],
        )?;
        self.read += n as u64;
        self.end += n;
        self.ended = n == 0;
        Ok(if n == 0 { More::Ended } else { More::Read })
    }

    /// Holds at least `n` bytes, or all that is left of the input when it is shorter.
    pub(crate) fn fill(&mut self, n: usize) -> std::io::Result<()> {
        self.hold(n, n)?;
        Ok(())
    }

    /// Reads until `n` bytes are held (`Read`), the input ends, or `bound` bytes are (`Full`).
    fn hold(&mut self, n: usize, bound: usize) -> std::io::Result<More> {
        while self.held().len() < n {
            match self.more(bound)? {
                More::Read => {}
                more => return Ok(more),
            }
        }
        Ok(More::Read)
    }

    /// The next byte that is not JSON whitespace, not used; `None` at the end of the input.
    pub(crate) fn peek(&mut self) -> std::io::Result<Option<u8>> {
        loop {
            let held = self.held();
            match held.iter().position(|b| !is_json_whitespace(*b)) {
                Some(at) => {
                    let byte = held[at];
                    self.consume(at);
                    return Ok(Some(byte));
                }
                None => {
                    self.consume(held.len());
                    if self.more(CHUNK)? == More::Ended {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// Uses the next byte that is not whitespace when it is `byte`.
    pub(crate) fn next_is(&mut self, byte: u8) -> std::io::Result<bool> {
        let found = self.peek()? == Some(byte);
        if found {
            self.consume(1);
        }
        Ok(found)
    }

    /// Hands the next JSON value (validated whole by serde_json) to `use_value` and uses it; a
    /// value longer than `bound` bytes is `Fault::Long`, never held.
    pub(crate) fn value<T>(
        &mut self,
        bound: usize,
        mut use_value: impl FnMut(&RawValue) -> T,
    ) -> Result<T, Fault> {
        if self.peek()?.is_none() {
            return Err(Fault::Eof);
        }
        loop {
            let held = self.held();
            let parsed = without_open_number(held, self.ended);
            let mut values = serde_json::Deserializer::from_slice(parsed).into_iter::<&RawValue>();
            let step = match values.next() {
                Some(Ok(raw)) => Step::Done(use_value(raw), values.byte_offset()),
                Some(Err(e)) if !e.is_eof() => return Err(not_json(held)),
                _ if self.ended => return Err(Fault::Eof),
                _ => Step::More(held.len()),
            };
            match step {
                Step::Done(out, length) => {
                    self.consume(length);
                    return Ok(out);
                }
                // Twice as much before parsing again, so a long value is parsed a few times.
                Step::More(held) => {
                    if self.hold(2 * held, bound)? == More::Full {
                        return Err(Fault::Long);
                    }
                }
            }
        }
    }

    /// Moves what is held to the front of the buffer.
    fn keep_held_only(&mut self) {
        if self.start > 0 {
            self.buffer.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
    }
}

/// Where parsing the next value got: done (its result and length), or it needs more than
/// this many bytes.
enum Step<T> {
    Done(T, usize),
    More(usize),
}

/// What is held up to the end of the input or, before it, without a number it may end in the
/// middle of: a number is the one JSON token serde_json takes as ended (or as invalid, `1.`)
/// where its bytes end.
pub(crate) fn without_open_number(held: &[u8], ended: bool) -> &[u8] {
    if ended {
        return held;
    }
    let is_number_byte = |b: &u8| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E');
    let end = held
        .iter()
        .rposition(|b| !is_number_byte(b))
        .map_or(0, |i| i + 1);
    &held[..end]
}

/// Space, tab, line feed and carriage return: what JSON allows between values.
pub(crate) fn is_json_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// A JSON value that is not valid: bytes that are not UTF-8 are said as such.
fn not_json(held: &[u8]) -> Fault {
    match std::str::from_utf8(held) {
        Err(e) if e.error_len().is_some() => Fault::Io(not_text(e)),
        _ => Fault::Syntax,
    }
}

/// Bytes that are not UTF-8 text, as the I/O error reading text gives.
pub(crate) fn not_text(error: std::str::Utf8Error) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, error)
}

/// One read that is not interrupted.
fn read_some(input: &mut dyn Read, into: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match input.read(into) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}
