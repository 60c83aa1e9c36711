//! The shapes of event files: the documents that hold events, recognised by their documented
//! keys and value types (never guessed from what an event happens to hold) a key and an entry
//! at a time as a document is read, and the event of each entry.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::value::RawValue;

/// The shapes of event files trailwatch reads, for the refusal of any other.
pub const SHAPES: &str = "JSON lines (one event per line), a CloudTrail log file ({\"Records\": [...]}), a JSON array of events, `aws cloudtrail lookup-events` output ({\"Events\": [{\"CloudTrailEvent\": ...}]}) or `aws logs filter-log-events`/`get-log-events` output ({\"events\": [{\"message\": ...}]})";

/// The JSON documents whose entries are events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A CloudTrail log file: `{"Records": [record, ...]}`.
    CloudTrail,
    /// A JSON array: each entry is an event object.
    Array,
    /// `aws cloudtrail lookup-events`: each entry's `CloudTrailEvent` is the event, as a string.
    LookupEvents,
    /// `aws logs filter-log-events` / `get-log-events`: each entry's `message`.
    LogEvents,
}

impl Shape {
    /// What the shape is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Shape::CloudTrail => "a CloudTrail log file ({\"Records\": [...]})",
            Shape::Array => "a JSON array of events",
            Shape::LookupEvents => {
                "`aws cloudtrail lookup-events` output ({\"Events\": [{\"CloudTrailEvent\": \"...\"}]})"
            }
            Shape::LogEvents => {
                "`aws logs filter-log-events`/`get-log-events` output ({\"events\": [{\"message\": \"...\"}]})"
            }
        }
    }
}

/// How closely a document's keys are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// Only the documented keys, with their documented value types: how a file whose shape
    /// was not given is told from a log event that holds lists.
    Documented,
    /// The shape's own key, its entries, and anything else beside them: the user said what
    /// the file is.
    Any,
}

/// What one key of a document object holds, for the shapes still possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Member {
    /// The document's list of entries, each an event of this shape.
    Entries(Shape),
    /// Another value, which must be of this kind.
    Value(Kind),
}

/// The documented type of a value beside a document's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A page token: a string, or `null`.
    Token,
    /// A list (`searchedLogStreams`).
    List,
    /// Anything: the user said what the file is.
    Any,
}

impl Kind {
    pub(crate) fn admits(self, value: &RawValue) -> bool {
        match self {
            Kind::Token => is_string(value) || value.get() == "null",
            Kind::List => value.get().starts_with('['),
            Kind::Any => true,
        }
    }
}

const LOOKUP_KEYS: &[(&str, Kind)] = &[("NextToken", Kind::Token)];
const LOOKUP_ENTRY_KEYS: &[&str] = &[
    "EventId",
    "EventName",
    "ReadOnly",
    "AccessKeyId",
    "EventTime",
    "EventSource",
    "Username",
    "Resources",
    "CloudTrailEvent",
];
const LOG_KEYS: &[(&str, Kind)] = &[
    ("searchedLogStreams", Kind::List),
    ("nextToken", Kind::Token),
    ("nextForwardToken", Kind::Token),
    ("nextBackwardToken", Kind::Token),
];
const LOG_ENTRY_KEYS: &[&str] = &[
    "logStreamName",
    "timestamp",
    "message",
    "ingestionTime",
    "eventId",
];

impl Shape {
    /// The key of the document's entries; an array is its entries.
    fn entries_key(self) -> Option<&'static str> {
        match self {
            Shape::CloudTrail => Some("Records"),
            Shape::LookupEvents => Some("Events"),
            Shape::LogEvents => Some("events"),
            Shape::Array => None,
        }
    }

    /// Whether a document of this shape is a JSON object (all but an array).
    pub(crate) fn is_object(self) -> bool {
        self.entries_key().is_some()
    }

    /// The documented keys beside the entries, and their kinds: a CloudTrail log file has none.
    fn other_keys(self) -> &'static [(&'static str, Kind)] {
        match self {
            Shape::LookupEvents => LOOKUP_KEYS,
            Shape::LogEvents => LOG_KEYS,
            Shape::CloudTrail | Shape::Array => &[],
        }
    }

    fn kind_of(self, key: &str) -> Option<Kind> {
        let (_, kind) = self.other_keys().iter().find(|(k, _)| *k == key)?;
        Some(*kind)
    }
}

/// The keys of one document object as they are read, and the shapes they leave possible: the
/// entries' key decides the shape; with `Keys::Documented` every other key must be one the
/// shape documents, with its documented type.
pub(crate) struct Object {
    possible: Vec<Shape>,
    keys: Keys,
    entries: Option<Shape>,
}

impl Object {
    pub(crate) fn new(shapes: &[Shape], keys: Keys) -> Object {
        Object {
            possible: shapes.iter().copied().filter(|s| s.is_object()).collect(),
            keys,
            entries: None,
        }
    }

    /// What the value of `key` must be, or `None` when no shape has it there (a second list of
    /// entries included: its events could not be read in the order of the file).
    pub(crate) fn member(&mut self, key: &str) -> Option<Member> {
        let entries = self
            .possible
            .iter()
            .copied()
            .find(|s| s.entries_key() == Some(key));
        if let Some(shape) = entries {
            if self.entries.replace(shape).is_some() {
                return None;
            }
            self.possible.retain(|s| *s == shape);
            return Some(Member::Entries(shape));
        }
        match self.keys {
            Keys::Any => Some(Member::Value(Kind::Any)),
            Keys::Documented => {
                self.possible.retain(|s| s.kind_of(key).is_some());
                Some(Member::Value(self.possible.first()?.kind_of(key)?))
            }
        }
    }

    /// Whether the object, read to its end, is a document: it had its entries.
    pub(crate) fn complete(&self) -> bool {
        self.entries.is_some()
    }
}

/// Why an entry of a document gives no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unfit {
    /// The entry is not what the shape holds: the document is not of the shape.
    NotOfShape,
    /// The entry is of the shape, but what it holds is not an event.
    NotEvent,
}

impl Shape {
    /// The event message of one entry of a document of this shape.
    pub(crate) fn event(self, entry: &RawValue, keys: Keys) -> Result<Cow<'_, str>, Unfit> {
        match self {
            Shape::CloudTrail if !is_object(entry) => Err(Unfit::NotOfShape),
            Shape::Array if !is_object(entry) => Err(Unfit::NotEvent),
            Shape::CloudTrail | Shape::Array => Ok(compact(entry.get())),
            Shape::LookupEvents => lookup_event(entry, keys),
            Shape::LogEvents => log_event(entry, keys),
        }
    }
}

type Fields<'a> = BTreeMap<String, &'a RawValue>;

/// An entry of `lookup-events`: its `CloudTrailEvent` string, which must hold JSON.
fn lookup_event(entry: &RawValue, keys: Keys) -> Result<Cow<'static, str>, Unfit> {
    let fields = fields(entry).ok_or(Unfit::NotOfShape)?;
    let event = string_field(&fields, "CloudTrailEvent")?;
    if keys == Keys::Documented
        && !fields
            .keys()
            .all(|k| LOOKUP_ENTRY_KEYS.contains(&k.as_str()))
    {
        return Err(Unfit::NotOfShape);
    }
    let event = serde_json::from_str::<String>(event.get()).map_err(|_| Unfit::NotEvent)?;
    serde_json::from_str::<serde::de::IgnoredAny>(&event).map_err(|_| Unfit::NotEvent)?;
    Ok(event.into())
}

/// A log event of `filter-log-events`/`get-log-events`: its `message`.
fn log_event(entry: &RawValue, keys: Keys) -> Result<Cow<'static, str>, Unfit> {
    let fields = fields(entry).ok_or(Unfit::NotOfShape)?;
    let message = string_field(&fields, "message")?;
    if keys == Keys::Documented && !fields.iter().all(|(k, v)| is_log_entry_field(k, v)) {
        return Err(Unfit::NotOfShape);
    }
    let message = serde_json::from_str::<String>(message.get()).map_err(|_| Unfit::NotEvent)?;
    Ok(message.into())
}

fn fields(value: &RawValue) -> Option<Fields<'_>> {
    serde_json::from_str(value.get()).ok()
}

/// A field that must be there and be a string for the entry to be of its shape.
fn string_field<'a>(fields: &Fields<'a>, key: &str) -> Result<&'a RawValue, Unfit> {
    match fields.get(key) {
        Some(value) if is_string(value) => Ok(value),
        _ => Err(Unfit::NotOfShape),
    }
}

fn is_log_entry_field(key: &str, value: &RawValue) -> bool {
    match key {
        "timestamp" | "ingestionTime" => serde_json::from_str::<i64>(value.get()).is_ok(),
        k => LOG_ENTRY_KEYS.contains(&k) && is_string(value),
    }
}

fn is_object(value: &RawValue) -> bool {
    value.get().starts_with('{')
}

fn is_string(value: &RawValue) -> bool {
    value.get().starts_with('"')
}

/// An event object as CloudTrail sends it to CloudWatch Logs: compact JSON (a pretty-printed
/// file's entry is made compact, so text patterns see what they would see in the log group).
fn compact(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\n') {
        return raw.into();
    }
    serde_json::from_str::<serde_json::Value>(raw)
        .map(|v| v.to_string().into())
        .unwrap_or_else(|_| raw.into())
}
