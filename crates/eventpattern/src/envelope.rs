//! A CloudTrail record as the event EventBridge delivers for it on the default bus: `version`
//! `0`, `id` (here the record's `eventID`, EventBridge's own being unknown), `detail-type` from
//! the record's `eventType`, `source` `aws.` and the service of `eventSource`, `account`
//! (`recipientAccountId`), `time` (`eventTime`), `region` (`awsRegion`) — each absent when the
//! record lacks its field — `resources` (none), and the record as `detail`.

use serde_json::{json, Map, Value};

use crate::ast::Pattern;
use crate::projection::Projection;

/// The fields that tell a record: strings, all three.
const RECORD_FIELDS: [&str; 3] = ["eventVersion", "eventSource", "eventName"];

/// Each field of the envelope made from a field of the record, and that field.
const MADE_FROM: [(&str, &str); 6] = [
    ("id", "eventID"),
    ("detail-type", "eventType"),
    ("source", "eventSource"),
    ("account", "recipientAccountId"),
    ("time", "eventTime"),
    ("region", "awsRegion"),
];

/// What must be read of an event — a CloudTrail record or an EventBridge event — for `pattern`
/// to match its EventBridge event as it would the whole event: the fields the pattern reads,
/// those under `detail` read at the top of a record, the record fields the envelope fields it
/// reads are made from, and the fields that tell a record and an EventBridge event apart.
/// `None`: all of it (the pattern reads `detail` whole).
pub fn projection(pattern: &Pattern) -> Option<Projection> {
    let direct = Projection::of(pattern);
    let mut read = match direct.part("detail") {
        None => Projection::default(),
        Some(None) => return None,
        Some(Some(detail)) => detail.clone(),
    };
    for (field, made_from) in MADE_FROM {
        if direct.part(field).is_some() {
            read = read.with_whole(made_from);
        }
    }
    read.merge(direct);
    let read = RECORD_FIELDS
        .iter()
        .fold(read, |read, key| read.with_whole(key));
    Some(read.with_whole("detail-type").with_present("detail"))
}

/// Whether a value is an EventBridge event already: an object with `detail-type` and `detail`.
pub fn is_eventbridge_event(value: &Value) -> bool {
    value.get("detail-type").is_some() && value.get("detail").is_some()
}

/// Whether a value is a CloudTrail record: an object with the string fields `eventVersion`,
/// `eventSource` and `eventName`.
pub fn is_cloudtrail_record(value: &Value) -> bool {
    RECORD_FIELDS
        .iter()
        .all(|key| value.get(key).is_some_and(Value::is_string))
}

/// The fields of the EventBridge event a pattern reads, so that a record is wrapped in those
/// alone: a field the pattern does not read cannot change whether it matches.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The envelope fields made from the record's that the pattern reads.
    made: Vec<(&'static str, &'static str)>,
    version: bool,
    resources: bool,
}

impl Envelope {
    /// The envelope `pattern` reads.
    pub fn of(pattern: &Pattern) -> Envelope {
        let reads = Projection::of(pattern);
        Envelope {
            made: MADE_FROM
                .into_iter()
                .filter(|(field, _)| reads.part(field).is_some())
                .collect(),
            version: reads.part("version").is_some(),
            resources: reads.part("resources").is_some(),
        }
    }

    /// The EventBridge event of a CloudTrail record, with the fields the pattern reads.
    pub fn wrap(&self, record: Value) -> Value {
        let mut event = Map::new();
        if self.version {
            event.insert("version".into(), json!("0"));
        }
        for &(field, made_from) in &self.made {
            event.extend(made(field, made_from, &record).map(|value| (field.to_string(), value)));
        }
        if self.resources {
            event.insert("resources".into(), json!([]));
        }
        event.insert("detail".into(), record);
        Value::Object(event)
    }
}

/// The envelope's `field`, made from the record's `made_from` (absent when the record lacks it).
fn made(field: &str, made_from: &str, record: &Value) -> Option<Value> {
    match field {
        "detail-type" => Some(json!(detail_type(record))),
        "source" => Some(json!(source(record))),
        _ => record.get(made_from).cloned(),
    }
}

/// The EventBridge event of a CloudTrail record.
pub fn envelope(record: Value) -> Value {
    let mut event = Map::new();
    event.insert("version".into(), json!("0"));
    for (field, made_from) in MADE_FROM {
        event.extend(made(field, made_from, &record).map(|value| (field.to_string(), value)));
    }
    event.insert("resources".into(), json!([]));
    event.insert("detail".into(), record);
    Value::Object(event)
}

/// The detail type EventBridge gives a record of each CloudTrail `eventType`.
fn detail_type(record: &Value) -> &'static str {
    match record.get("eventType").and_then(Value::as_str) {
        Some("AwsConsoleSignIn") => "AWS Console Sign In via CloudTrail",
        Some("AwsServiceEvent") => "AWS Service Event via CloudTrail",
        Some("AwsConsoleAction") => "AWS Console Action via CloudTrail",
        Some("AwsCloudTrailInsight") => "AWS Insight via CloudTrail",
        _ => "AWS API Call via CloudTrail",
    }
}

/// `aws.` and the service named by `eventSource` (`iam.amazonaws.com` → `aws.iam`).
fn source(record: &Value) -> String {
    let event_source = record
        .get("eventSource")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let service = event_source
        .strip_suffix(".amazonaws.com")
        .unwrap_or(event_source);
    format!("aws.{service}")
}

/// The detail types of the events CloudTrail delivers to EventBridge for management events.
pub const CLOUDTRAIL_DETAIL_TYPES: [&str; 2] = [
    "AWS API Call via CloudTrail",
    "AWS Console Sign In via CloudTrail",
];

/// Whether a pattern can match an event CloudTrail delivers: false only when its top level
/// asks `detail-type` for values that are neither of [`CLOUDTRAIL_DETAIL_TYPES`] (a rule on a
/// schedule, on another service's own events). A pattern whose top level has a `$or` may, as
/// far as this says.
pub fn may_match_cloudtrail(pattern: &Pattern) -> bool {
    if !pattern.any_of.is_empty() {
        return true;
    }
    let Some(field) = pattern.fields.iter().find(|f| f.name == "detail-type") else {
        return true;
    };
    let alone = Pattern {
        fields: vec![field.clone()],
        any_of: Vec::new(),
    };
    CLOUDTRAIL_DETAIL_TYPES
        .iter()
        .any(|kind| alone.matches(&json!({ "detail-type": kind })))
}
