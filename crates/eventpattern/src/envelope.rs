//! A CloudTrail record as the event EventBridge delivers for it on the default bus: `version`
//! `0`, `id` (here the record's `eventID`, EventBridge's own being unknown), `detail-type` from
//! the record's `eventType`, `source` `aws.` and the service of `eventSource`, `account`
//! (`recipientAccountId`), `time` (`eventTime`), `region` (`awsRegion`), `resources` (none),
//! and the record as `detail`.

use serde_json::{json, Map, Value};

/// Whether a value is an EventBridge event already: an object with `detail-type` and `detail`.
pub fn is_eventbridge_event(value: &Value) -> bool {
    value.get("detail-type").is_some() && value.get("detail").is_some()
}

/// Whether a value is a CloudTrail record: an object with the string fields `eventVersion`,
/// `eventSource` and `eventName`.
pub fn is_cloudtrail_record(value: &Value) -> bool {
    ["eventVersion", "eventSource", "eventName"]
        .iter()
        .all(|key| value.get(key).is_some_and(Value::is_string))
}

/// The EventBridge event of a CloudTrail record.
pub fn envelope(record: Value) -> Value {
    let text = |key: &str| record.get(key).cloned().unwrap_or(Value::Null);
    let mut event = Map::new();
    event.insert("version".into(), json!("0"));
    event.insert("id".into(), text("eventID"));
    event.insert("detail-type".into(), json!(detail_type(&record)));
    event.insert("source".into(), json!(source(&record)));
    event.insert("account".into(), text("recipientAccountId"));
    event.insert("time".into(), text("eventTime"));
    event.insert("region".into(), text("awsRegion"));
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
