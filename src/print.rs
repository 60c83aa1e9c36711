//! Writing to stdout (and notes to stderr): documents as pretty JSON, and human text through
//! `anstream` (which strips styles when the stream is not a terminal or `NO_COLOR` is set).
//! Only the binary prints; styled text goes through `text` or `note`, never `eprint!`.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

/// Prints a document as pretty JSON, one per run (so `--json | jq` works).
pub fn json<T: Serialize>(document: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(document)?;
    writeln!(std::io::stdout().lock(), "{text}")?;
    Ok(())
}

/// Prints human text, styled when stdout is a terminal.
pub fn text(text: &str) -> Result<()> {
    write!(anstream::stdout(), "{text}")?;
    Ok(())
}

/// Prints a document as it is (no styles to strip).
pub fn raw(text: &str) -> Result<()> {
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

/// Information on stderr (stdout stays the command's output), styled when stderr is a terminal.
pub fn note(text: &str) {
    let _ = writeln!(anstream::stderr(), "{text}");
}
