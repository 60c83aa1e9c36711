//! How a message quotes a value it was given: between backticks, on one line, and at most
//! [`MAX_SHOWN`] characters of it, so a mistyped flag or a 10 MB value in a file gives an error
//! line a person can read. Every crate's errors quote input through [`quoted`]; messages other
//! libraries wrote (the TOML parser's, clap's) are shortened with [`shorten_quotes`] or
//! [`shortened`].

use std::fmt;

/// The most characters of a value a message shows.
pub const MAX_SHOWN: usize = 60;

/// Of a value too long to show, the characters kept from its start (the rest of
/// [`MAX_SHOWN`], less the `…`, are from its end).
const HEAD: usize = 44;

/// A value as a message shows it: `` `value` ``, or `` `start…end` (N characters) `` when it is
/// longer than [`MAX_SHOWN`]; line breaks and other control characters are escaped (`\n`).
#[derive(Debug, Clone, Copy)]
pub struct Quoted<'a>(&'a str);

/// `value` quoted for a message (see [`Quoted`]).
pub fn quoted(value: &str) -> Quoted<'_> {
    Quoted(value)
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.chars().count();
        write!(f, "`{}`", shortened(self.0))?;
        if count > MAX_SHOWN {
            write!(f, " ({count} characters)")?;
        }
        Ok(())
    }
}

/// The part of `value` a message shows, without quotes: all of it when it is at most
/// [`MAX_SHOWN`] characters, else its start and end around `…`; control characters escaped.
pub fn shortened(value: &str) -> String {
    let count = value.chars().count();
    let shown: String = match count > MAX_SHOWN {
        false => value.to_string(),
        true => {
            let head: String = value.chars().take(HEAD).collect();
            let tail: String = value.chars().skip(count - (MAX_SHOWN - HEAD - 1)).collect();
            format!("{head}…{tail}")
        }
    };
    shown.chars().flat_map(escaped).collect()
}

/// A control character as its escape (`\n`, `\u{7}`); any other character as it is.
fn escaped(c: char) -> Vec<char> {
    match c.is_control() {
        true => c.escape_debug().collect(),
        false => vec![c],
    }
}

/// A message another library wrote with the values it quotes (between `"` or `` ` ``) each
/// shortened as [`shortened`] does; the rest of the message as it is.
pub fn shorten_quotes(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(4 * MAX_SHOWN));
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let mark = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        let inside = &rest[open + 1..];
        let Some(close) = closing(inside, mark) else {
            out.push_str(&shortened(inside));
            return out;
        };
        out.push_str(&shortened(&inside[..close]));
        out.push(mark);
        rest = &inside[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Where the quote `mark` that closes `inside` is: the next one not escaped by a backslash.
fn closing(inside: &str, mark: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in inside.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == mark => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests;
