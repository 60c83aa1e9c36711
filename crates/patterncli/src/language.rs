//! The two pattern languages and a pattern compiled in one of them, matching event messages.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

/// The language a pattern is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// A CloudWatch Logs filter pattern (what a metric filter holds).
    #[default]
    Filter,
    /// An EventBridge event pattern (what a rule holds).
    EventBridge,
}

impl Language {
    /// The names `--language` takes.
    pub const NAMES: &'static [&'static str] = &["filter", "eventbridge"];
}

impl FromStr for Language {
    type Err = String;

    fn from_str(name: &str) -> Result<Language, String> {
        match name {
            "filter" => Ok(Language::Filter),
            "eventbridge" => Ok(Language::EventBridge),
            other => Err(format!(
                "{} is not a pattern language; give `filter` (CloudWatch Logs filter patterns) or `eventbridge` (EventBridge event patterns)",
                quoted::quoted(other)
            )),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Language::Filter => "filter",
            Language::EventBridge => "eventbridge",
        })
    }
}

/// A pattern compiled in its language.
#[derive(Debug)]
pub enum Matcher {
    /// A filter pattern.
    Filter(Box<pattern::Compiled>),
    /// An event pattern, what it reads of an event (`None`: all of it), and the envelope
    /// fields it reads.
    EventBridge {
        pattern: eventpattern::Pattern,
        reads: Option<eventpattern::Projection>,
        envelope: eventpattern::Envelope,
    },
}

/// Why a pattern cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PatternError {
    /// A filter pattern CloudWatch Logs would refuse.
    #[error("the pattern has {0}")]
    Filter(pattern::Error),
    /// An event pattern EventBridge would refuse.
    #[error("the event pattern is not valid: {0}")]
    EventBridge(eventpattern::Error),
}

/// An event an event pattern cannot be tested on.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotJson(String);

impl Matcher {
    /// Compiles `text` as a pattern of `language`.
    pub fn compile(language: Language, text: &str) -> Result<Matcher, PatternError> {
        match language {
            Language::Filter => pattern::compile(text)
                .map(|c| Matcher::Filter(Box::new(c)))
                .map_err(PatternError::Filter),
            Language::EventBridge => eventpattern::parse(text)
                .map(|pattern| Matcher::EventBridge {
                    reads: eventpattern::projection(&pattern),
                    envelope: eventpattern::Envelope::of(&pattern),
                    pattern,
                })
                .map_err(PatternError::EventBridge),
        }
    }

    /// Whether the pattern matches an event message: a filter pattern as CloudWatch Logs
    /// matches it; an event pattern against the EventBridge event of the message.
    pub fn matches(&self, message: &str) -> Result<bool, NotJson> {
        match self {
            Matcher::Filter(compiled) => Ok(compiled.matches(message)),
            Matcher::EventBridge {
                pattern,
                reads,
                envelope,
            } => Ok(pattern.matches(&eventbridge_event(message, reads.as_ref(), envelope)?)),
        }
    }

    /// What `pattern explain` prints.
    pub fn explain(&self) -> String {
        match self {
            Matcher::Filter(compiled) => pattern::explain(compiled.pattern()),
            Matcher::EventBridge { pattern, .. } => eventpattern::explain(pattern),
        }
    }
}

/// The event EventBridge matches for a message (the parts `reads` keeps, or all of it): a
/// CloudTrail record in its envelope, any other JSON (an EventBridge event) as it is.
fn eventbridge_event(
    message: &str,
    reads: Option<&eventpattern::Projection>,
    envelope: &eventpattern::Envelope,
) -> Result<Value, NotJson> {
    let value = match reads {
        Some(projection) => projection.parse(message),
        None => serde_json::from_str(message),
    }
    .map_err(|e| NotJson(e.to_string()))?;
    match eventpattern::is_cloudtrail_record(&value) && !eventpattern::is_eventbridge_event(&value)
    {
        true => Ok(envelope.wrap(value)),
        false => Ok(value),
    }
}
