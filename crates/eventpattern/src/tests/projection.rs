//! The projection: a pattern matches the parts of an event it reads as it matches the whole,
//! for every case of the table, and for CloudTrail records wrapped after a projected parse, in
//! the whole envelope or in only the fields the pattern reads.

use serde_json::{json, Value};

use crate::{envelope, parse, projection, Envelope, Projection};

fn table() -> Vec<(crate::Pattern, Value)> {
    include_str!("../../testdata/cases.jsonl")
        .lines()
        .skip(1)
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|case| case.get("event").is_some())
        .map(|case| {
            (
                parse(&case["pattern"].to_string()).unwrap(),
                case["event"].clone(),
            )
        })
        .collect()
}

#[test]
fn every_case_matches_its_projected_event_as_its_whole_event() {
    for (pattern, event) in table() {
        let projected = Projection::of(&pattern).parse(&event.to_string()).unwrap();
        assert_eq!(
            pattern.matches(&projected),
            pattern.matches(&event),
            "{event}"
        );
    }
}

#[test]
fn a_projected_record_wraps_and_matches_as_the_whole_record() {
    for (pattern, event) in table() {
        let Some(Value::Object(detail)) = event.get("detail") else {
            continue;
        };
        let mut record = json!({"eventVersion": "1.09", "eventSource": "ec2.amazonaws.com",
                                "eventName": "TerminateInstances", "eventType": "AwsApiCall",
                                "awsRegion": "us-west-1", "recipientAccountId": "111122223333"});
        record.as_object_mut().unwrap().extend(detail.clone());
        let whole = pattern.matches(&envelope(record.clone()));
        let read = match projection(&pattern) {
            Some(projection) => projection.parse(&record.to_string()).unwrap(),
            None => record,
        };
        let lean = Envelope::of(&pattern).wrap(read.clone());
        assert_eq!(pattern.matches(&envelope(read)), whole, "{pattern:?}");
        assert_eq!(
            pattern.matches(&lean),
            whole,
            "only the fields read: {pattern:?}"
        );
    }
}

#[test]
fn a_projected_parse_refuses_what_a_full_parse_refuses() {
    let projection = Projection::of(&parse(r#"{"a": ["x"]}"#).unwrap());
    for text in [
        r#"{"a": "x", "b": [1, }"#,
        r#"{"a": "x"} trailing"#,
        r#"{"b": "\q"}"#,
    ] {
        assert!(projection.parse(text).is_err(), "{text}");
        assert!(serde_json::from_str::<Value>(text).is_err(), "{text}");
    }
}
