//! Why an event pattern is refused: where in the pattern (a path of field names) and
//! EventBridge's reason.

/// A pattern EventBridge would refuse (`InvalidEventPatternException`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The text is not JSON.
    #[error("an event pattern must be JSON: {0}")]
    NotJson(String),
    /// A rule of the language broken at `path` (empty: the top level).
    #[error("{}{reason}", at(path))]
    Invalid {
        /// The field names leading to the problem, `$or` alternatives as `$or[N]`.
        path: String,
        /// EventBridge's reason.
        reason: String,
    },
}

fn at(path: &str) -> String {
    match path.is_empty() {
        true => String::new(),
        false => format!("at {}: ", quoted::quoted(path)),
    }
}
