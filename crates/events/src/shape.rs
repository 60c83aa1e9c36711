//! The shapes of event files: the documents that hold events, recognised by their documented
//! keys and value types (never guessed from what an event happens to hold), and the events of
//! each.

use std::collections::BTreeMap;

use serde::Deserialize;
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

/// A document of events: its shape and its entries, each not yet turned into a message.
pub struct Container<'a> {
    pub shape: Shape,
    pub entries: Vec<&'a RawValue>,
}

const LOOKUP_KEYS: &[&str] = &["Events", "NextToken"];
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
const LOG_KEYS: &[&str] = &[
    "events",
    "searchedLogStreams",
    "nextToken",
    "nextForwardToken",
    "nextBackwardToken",
];
const LOG_ENTRY_KEYS: &[&str] = &[
    "logStreamName",
    "timestamp",
    "message",
    "ingestionTime",
    "eventId",
];

/// The document one JSON value is, if it is one of `shapes`.
pub fn recognise<'a>(value: &'a RawValue, shapes: &[Shape], keys: Keys) -> Option<Container<'a>> {
    shapes.iter().find_map(|&shape| {
        let entries = match shape {
            Shape::Array => array(value)?,
            Shape::CloudTrail => cloudtrail(value, keys)?,
            Shape::LookupEvents => lookup_events(value, keys)?,
            Shape::LogEvents => log_events(value, keys)?,
        };
        Some(Container { shape, entries })
    })
}

fn array(value: &RawValue) -> Option<Vec<&RawValue>> {
    serde_json::from_str(value.get()).ok()
}

type Object<'a> = BTreeMap<String, &'a RawValue>;

fn object(value: &RawValue) -> Option<Object<'_>> {
    serde_json::from_str(value.get()).ok()
}

/// `{"Records": [objects]}`: nothing but `Records`, unless the user said what the file is.
fn cloudtrail(value: &RawValue, keys: Keys) -> Option<Vec<&RawValue>> {
    let document = object(value)?;
    if keys == Keys::Documented && document.len() != 1 {
        return None;
    }
    let records = array(document.get("Records")?)?;
    records.iter().all(|r| is_object(r)).then_some(records)
}

/// `{"Events": [...], "NextToken"?}`, each entry an event of `lookup-events` whose
/// `CloudTrailEvent` is a string.
fn lookup_events(value: &RawValue, keys: Keys) -> Option<Vec<&RawValue>> {
    let entries = documented_list(value, keys, "Events", LOOKUP_KEYS)?;
    let entry_ok = |entry: &&RawValue| {
        object(entry).is_some_and(|e| {
            e.get("CloudTrailEvent").is_some_and(|v| is_string(v))
                && (keys == Keys::Any || e.keys().all(|k| LOOKUP_ENTRY_KEYS.contains(&k.as_str())))
        })
    };
    entries.iter().all(entry_ok).then_some(entries)
}

/// `{"events": [...], "searchedLogStreams"?, "nextToken"?, …}`, each entry a log event whose
/// `message` is a string.
fn log_events(value: &RawValue, keys: Keys) -> Option<Vec<&RawValue>> {
    let entries = documented_list(value, keys, "events", LOG_KEYS)?;
    let entry_ok = |entry: &&RawValue| {
        object(entry).is_some_and(|e| {
            e.get("message").is_some_and(|v| is_string(v))
                && (keys == Keys::Any || e.iter().all(|(k, v)| is_log_entry_field(k, v)))
        })
    };
    entries.iter().all(entry_ok).then_some(entries)
}

/// The list under `key` of an object whose other keys are among `documented` (unless any key
/// is allowed), with the documented types: tokens are strings, `searchedLogStreams` a list.
fn documented_list<'a>(
    value: &'a RawValue,
    keys: Keys,
    key: &str,
    documented: &[&str],
) -> Option<Vec<&'a RawValue>> {
    let document = object(value)?;
    let known = |(k, v): (&String, &&RawValue)| match k.as_str() {
        k if !documented.contains(&k) => false,
        "searchedLogStreams" => array(v).is_some(),
        k if k == key => true,
        _ => is_string(v) || v.get() == "null",
    };
    if keys == Keys::Documented && !document.iter().all(known) {
        return None;
    }
    array(document.get(key)?)
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

#[derive(Deserialize)]
struct LookupEvent {
    #[serde(rename = "CloudTrailEvent")]
    event: String,
}

#[derive(Deserialize)]
struct LogEvent {
    message: String,
}

impl Shape {
    /// The event message of one entry, if the entry is one of this shape.
    pub fn event(self, item: &RawValue) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Shape::CloudTrail | Shape::Array => is_object(item).then(|| compact(item.get())),
            Shape::LookupEvents => {
                let entry = serde_json::from_str::<LookupEvent>(item.get()).ok()?;
                serde_json::from_str::<serde::de::IgnoredAny>(&entry.event).ok()?;
                Some(entry.event.into())
            }
            Shape::LogEvents => Some(
                serde_json::from_str::<LogEvent>(item.get())
                    .ok()?
                    .message
                    .into(),
            ),
        }
    }
}

/// An event object as CloudTrail sends it to CloudWatch Logs: compact JSON (a pretty-printed
/// file's entry is made compact, so text patterns see what they would see in the log group).
fn compact(raw: &str) -> std::borrow::Cow<'_, str> {
    if !raw.contains('\n') {
        return raw.into();
    }
    serde_json::from_str::<serde_json::Value>(raw)
        .map(|v| v.to_string().into())
        .unwrap_or_else(|_| raw.into())
}
