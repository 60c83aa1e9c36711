//! Why reading stopped, before it is told to the user with the input's name (`crate::Error`).

/// What went wrong at one place of an input.
#[derive(Debug)]
pub(crate) enum Fault {
    /// The input could not be read, decompressed, or is not UTF-8 text.
    Io(std::io::Error),
    /// The input ends inside a JSON value.
    Eof,
    /// The input is not valid JSON here.
    Syntax,
    /// The JSON is valid but not a document of the shapes read.
    Refused,
    /// A JSON value is longer than what is held of one (`crate::MAX_ENTRY_BYTES`).
    Long,
    /// This entry (1-based, across the input's documents) is not an event of its shape.
    Entry(usize),
    /// This event (1-based in the input) is larger than CloudWatch Logs accepts.
    TooLarge(u64),
}

impl From<std::io::Error> for Fault {
    fn from(error: std::io::Error) -> Fault {
        Fault::Io(error)
    }
}
