//! JSON lines: every non-blank line is an event, whatever it holds. Lines are taken where they
//! lie in the source's buffer, a buffer at a time; a line longer than CloudWatch Logs accepts
//! for an event is refused by its number as soon as the buffer holds more than that of it.

use crate::fault::Fault;
use crate::source::{not_text, More, Source};
use crate::MAX_EVENT_BYTES;

/// The most of one line held: an event of the largest size, and its line end.
const MAX_LINE_BYTES: usize = MAX_EVENT_BYTES + 2;

/// Hands `each` every non-blank line to the end of the input; returns how many.
pub(crate) fn read(source: &mut Source, each: &mut dyn FnMut(&str)) -> Result<u64, Fault> {
    let mut events = 0;
    loop {
        let ended = source.ended();
        let text = text(source.held(), ended)?;
        let mut used = 0;
        for line in text.split_inclusive('\n') {
            if !line.ends_with('\n') && !ended {
                break;
            }
            used += line.len();
            let event = line.trim_end_matches(['\n', '\r']);
            if is_blank(event) {
                continue;
            }
            events += 1;
            if event.len() > MAX_EVENT_BYTES {
                return Err(Fault::TooLarge(events));
            }
            each(event);
        }
        source.consume(used);
        if ended {
            return Ok(events);
        }
        // What is left is the start of a line: refused once it cannot be an event.
        if source.held().len() >= MAX_LINE_BYTES || source.more(MAX_LINE_BYTES)? == More::Full {
            return Err(Fault::TooLarge(events + 1));
        }
    }
}

/// Uses the blank lines at the start of the input, leaving it at its first non-blank line.
pub(crate) fn skip_blank(source: &mut Source) -> Result<(), Fault> {
    loop {
        let ended = source.ended();
        let text = text(source.held(), ended)?;
        let blank = text
            .split_inclusive('\n')
            .take_while(|line| (line.ends_with('\n') || ended) && is_blank(line))
            .map(str::len)
            .sum::<usize>();
        let rest = text.len() - blank;
        let found = !is_blank(&text[blank..]);
        source.consume(blank);
        if ended || found {
            return Ok(());
        }
        // Only the start of a line, blank so far: read on (a blank line too long to hold goes).
        if source.more(MAX_LINE_BYTES)? == More::Full {
            source.consume(rest);
        }
    }
}

/// A line that holds no event.
fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The held bytes as text, up to a character the buffer holds only the start of; bytes that
/// are not UTF-8 are refused.
pub(crate) fn text(held: &[u8], ended: bool) -> Result<&str, Fault> {
    match std::str::from_utf8(held) {
        Ok(text) => Ok(text),
        Err(e) if e.error_len().is_none() && !ended => {
            Ok(std::str::from_utf8(&held[..e.valid_up_to()]).unwrap_or_default())
        }
        Err(e) => Err(Fault::Io(not_text(e))),
    }
}
