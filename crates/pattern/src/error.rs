//! Pattern errors: where (1-based column), what kind, and what was expected and found.

use std::fmt;

/// What kind of rule a pattern broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text is not in the language.
    Syntax,
    /// A form the language reserves but AWS does not support (`IS NOT`, `EXISTS`, `(` in a regex).
    Unsupported,
    /// An AWS limit (length, wildcards, regular expressions).
    Limit,
}

/// A pattern that cannot be used, and why. Its text is what a pattern has: "the pattern has
/// {error}" reads as "the pattern has a syntax error at column 17: expected …".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The 1-based character column where the problem is.
    pub column: usize,
    /// The kind of rule broken.
    pub kind: ErrorKind,
    /// What was expected and what was found, or which rule was broken.
    pub message: String,
}

impl Error {
    pub(crate) fn new(column: usize, kind: ErrorKind, message: String) -> Self {
        Error {
            column,
            kind,
            message,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            ErrorKind::Syntax => "a syntax error",
            ErrorKind::Unsupported => "a form AWS does not support",
            ErrorKind::Limit => "more than AWS allows",
        };
        write!(f, "{kind} at column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for Error {}
