//! A CloudTrail record wrapped as EventBridge delivers it, and what `explain` says.

use serde_json::json;

use crate::{envelope, event_names, explain, is_cloudtrail_record, is_eventbridge_event, parse};

fn record(event_type: &str, source: &str, name: &str) -> serde_json::Value {
    json!({"eventVersion": "1.08", "eventTime": "2024-05-01T10:00:00Z", "eventSource": source,
           "eventName": name, "awsRegion": "us-east-1", "eventType": event_type,
           "eventID": "e1", "recipientAccountId": "111122223333"})
}

#[test]
fn an_api_call_is_wrapped_with_its_service_as_source() {
    let event = envelope(record("AwsApiCall", "iam.amazonaws.com", "CreatePolicy"));
    assert_eq!(event["source"], "aws.iam");
    assert_eq!(event["detail-type"], "AWS API Call via CloudTrail");
    assert_eq!(event["account"], "111122223333");
    assert_eq!(event["region"], "us-east-1");
    assert_eq!(event["time"], "2024-05-01T10:00:00Z");
    assert_eq!(event["version"], "0");
    assert_eq!(event["resources"], json!([]));
    assert_eq!(event["detail"]["eventName"], "CreatePolicy");
    assert!(is_eventbridge_event(&event) && !is_cloudtrail_record(&event));
}

#[test]
fn a_console_sign_in_has_its_own_detail_type() {
    let event = envelope(record(
        "AwsConsoleSignIn",
        "signin.amazonaws.com",
        "ConsoleLogin",
    ));
    assert_eq!(event["detail-type"], "AWS Console Sign In via CloudTrail");
    assert_eq!(event["source"], "aws.signin");
}

#[test]
fn a_documented_cloudtrail_rule_matches_the_wrapped_record() {
    let rule = parse(
        r#"{"source": ["aws.iam"], "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {"eventSource": ["iam.amazonaws.com"], "eventName": ["CreatePolicy", "DeletePolicy"]}}"#,
    )
    .unwrap();
    assert!(rule.matches(&envelope(record(
        "AwsApiCall",
        "iam.amazonaws.com",
        "CreatePolicy"
    ))));
    assert!(!rule.matches(&envelope(record(
        "AwsApiCall",
        "iam.amazonaws.com",
        "GetPolicy"
    ))));
    assert_eq!(event_names(&rule), ["CreatePolicy", "DeletePolicy"]);
}

#[test]
fn explain_says_each_condition_on_a_line() {
    let rule = parse(
        r#"{"source": ["aws.iam"], "detail": {"eventName": [{"prefix": "Delete"}, "PutRolePolicy"],
            "$or": [{"errorCode": [{"exists": true}]}, {"userIdentity": {"type": ["Root"]}}]}}"#,
    )
    .unwrap();
    assert_eq!(
        explain(&rule),
        "an event matches when all of these hold:\n\
         \x20 source is \"aws.iam\"\n\
         \x20 detail.eventName starts with \"Delete\" or is \"PutRolePolicy\"\n\
         \x20 one of:\n\
         \x20   (1) all of:\n\
         \x20     detail.errorCode exists (holds a value, not an object)\n\
         \x20   (2) all of:\n\
         \x20     detail.userIdentity.type is \"Root\"\n"
    );
}

#[test]
fn a_pattern_prints_back_to_json_and_canonically_regardless_of_order() {
    let a = parse(r#"{"detail": {"eventName": ["B", "A", "A"]}, "source": [{"numeric": [">", 0, "<=", 5.5]}]}"#).unwrap();
    let b = parse(
        r#"{"source": [{"numeric": [">", 0, "<=", 5.5]}], "detail": {"eventName": ["A", "B"]}}"#,
    )
    .unwrap();
    assert_eq!(
        crate::printed(&a),
        r#"{"detail":{"eventName":["B","A","A"]},"source":[{"numeric":[">",0,"<=",5.5]}]}"#
    );
    assert_eq!(crate::canonical(&a), crate::canonical(&b));
    assert_eq!(parse(&crate::printed(&a)).unwrap(), a);
}
