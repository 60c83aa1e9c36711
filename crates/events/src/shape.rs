//! The shapes of event files: how the first line tells JSON lines from a JSON document, and the
//! events of each kind of document.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::{emit, Counts, Error};

/// The shapes of event files trailwatch reads, for the refusal of any other.
pub const SHAPES: &str = "JSON lines (one event per line), a CloudTrail log file ({\"Records\": [...]}), a JSON array of events, `aws cloudtrail lookup-events` output ({\"Events\": [{\"CloudTrailEvent\": ...}]}) or `aws logs filter-log-events`/`get-log-events` output ({\"events\": [{\"message\": ...}]})";

/// What the first non-blank line says the input is.
pub enum Start {
    /// One event per line: the first line is an event, or not JSON at all.
    Lines,
    /// Maybe one JSON document (read whole; if it is not one after all, it is read as lines).
    Document,
}

/// One line that is one JSON object is the first of JSON lines, unless it holds events rather
/// than being one; a line that opens an array or an object it does not close starts a document.
pub fn of_first_line(line: &str) -> Start {
    let trimmed = line.trim();
    if !trimmed.starts_with(['{', '[']) {
        return Start::Lines;
    }
    match serde_json::from_str::<BTreeMap<String, &RawValue>>(trimmed) {
        Ok(object) if is_event(&object) => Start::Lines,
        _ => Start::Document,
    }
}

/// Whether a JSON object is a log event rather than a document that holds events: a CloudTrail
/// record is one; otherwise, an object with a list of objects in it is taken to hold them.
fn is_event(object: &BTreeMap<String, &RawValue>) -> bool {
    let cloudtrail = ["eventVersion", "eventName", "eventTime"]
        .iter()
        .any(|k| object.contains_key(*k));
    let holds_objects = object.values().any(|v| {
        serde_json::from_str::<Vec<&RawValue>>(v.get())
            .is_ok_and(|items| !items.is_empty() && items.iter().all(|i| is_object(i)))
    });
    cloudtrail || !holds_objects
}

fn is_object(value: &RawValue) -> bool {
    value.get().starts_with('{')
}

/// The events of a whole input that began like a document: a JSON document of a known shape;
/// text that is not one JSON document is JSON lines after all; any other document is refused.
pub fn document(
    name: &str,
    text: &str,
    counts: &mut Counts,
    each: &mut dyn FnMut(&str),
) -> Result<Counts, Error> {
    let trimmed = text.trim();
    let parsed = match trimmed.starts_with('[') {
        true => {
            serde_json::from_str::<Vec<&RawValue>>(trimmed).map(|items| Some((Shape::Array, items)))
        }
        false => serde_json::from_str::<BTreeMap<String, &RawValue>>(trimmed).map(|o| held(&o)),
    };
    match parsed {
        Ok(Some((shape, items))) => {
            for (i, item) in items.into_iter().enumerate() {
                let event = shape.event(item).ok_or_else(|| Error::Entry {
                    name: name.to_string(),
                    entry: i + 1,
                })?;
                emit_event(&event, counts, each);
            }
            Ok(*counts)
        }
        Ok(None) => Err(Error::Shape {
            name: name.to_string(),
        }),
        Err(_) => {
            for line in text.lines() {
                emit(line.trim_end_matches('\r'), counts, each);
            }
            Ok(*counts)
        }
    }
}

/// A document's events never skip blank messages: every entry is an event.
fn emit_event(message: &str, counts: &mut Counts, each: &mut dyn FnMut(&str)) {
    counts.events += 1;
    each(message);
}

/// The list of events an object holds, and its shape, if it is one of the known documents.
fn held<'a>(object: &BTreeMap<String, &'a RawValue>) -> Option<(Shape, Vec<&'a RawValue>)> {
    [
        ("Records", Shape::Array),
        ("Events", Shape::LookupEvents),
        ("events", Shape::LogEvents),
    ]
    .into_iter()
    .find_map(|(key, shape)| {
        let items = serde_json::from_str::<Vec<&RawValue>>(object.get(key)?.get()).ok()?;
        Some((shape, items))
    })
}

/// The JSON document shapes whose entries are events.
#[derive(Clone, Copy)]
enum Shape {
    /// A CloudTrail log file's `Records`, or a JSON array: each entry is an event object.
    Array,
    /// `aws cloudtrail lookup-events`: each entry's `CloudTrailEvent` is the event, as a string.
    LookupEvents,
    /// `aws logs filter-log-events` / `get-log-events`: each entry's `message`.
    LogEvents,
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
    fn event(self, item: &RawValue) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Shape::Array => is_object(item).then(|| compact(item.get())),
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
