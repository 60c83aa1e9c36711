//! `trailwatch pattern test --language eventbridge` and `pattern explain --language
//! eventbridge`: CloudTrail records matched in the envelope EventBridge delivers them in,
//! EventBridge events as they are, refusals; and matching compared with the local server's
//! `TestEventPattern` over the crate's case table.

use std::io::Write;

use serde_json::{json, Value};

use crate::support::{self, Account};

fn trailwatch() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("trailwatch").unwrap()
}

fn record(source: &str, name: &str, event_type: &str) -> Value {
    json!({"eventVersion": "1.09", "eventTime": "2024-05-01T10:00:00Z", "eventSource": source,
           "eventName": name, "eventType": event_type, "awsRegion": "us-east-1",
           "recipientAccountId": "111122223333", "userIdentity": {"type": "Root"}})
}

/// A gzipped CloudTrail log file of the records.
fn cloudtrail_file(dir: &std::path::Path, records: &[Value]) -> std::path::PathBuf {
    let path = dir.join("trail.json.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(json!({ "Records": records }).to_string().as_bytes())
        .unwrap();
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    path
}

fn matched(pattern: &str, file: &std::path::Path) -> Value {
    let out = trailwatch()
        .args([
            "pattern",
            "test",
            "--language",
            "eventbridge",
            "--json",
            pattern,
        ])
        .arg(file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_rule_matches_cloudtrail_records_as_eventbridge_delivers_them() {
    let dir = tempfile::tempdir().unwrap();
    let records = [
        record("iam.amazonaws.com", "CreatePolicy", "AwsApiCall"),
        record("signin.amazonaws.com", "ConsoleLogin", "AwsConsoleSignIn"),
        record("s3.amazonaws.com", "PutBucketPolicy", "AwsApiCall"),
    ];
    let file = cloudtrail_file(dir.path(), &records);
    let iam = matched(
        r#"{"source": ["aws.iam"], "detail-type": ["AWS API Call via CloudTrail"], "account": ["111122223333"], "region": ["us-east-1"], "detail": {"eventName": ["CreatePolicy"]}}"#,
        &file,
    );
    assert_eq!(
        (iam["count"].clone(), iam["events"].clone()),
        (json!(1), json!(3))
    );
    assert_eq!(iam["matches"][0]["eventNumber"], 1);
    let message: Value =
        serde_json::from_str(iam["matches"][0]["eventMessage"].as_str().unwrap()).unwrap();
    assert_eq!(
        message, records[0],
        "the match shows the record itself, not its envelope"
    );
    let sign_in = matched(
        r#"{"detail-type": ["AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}"#,
        &file,
    );
    assert_eq!(sign_in["matches"][0]["eventNumber"], 2);
}

#[test]
fn eventbridge_events_are_matched_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let event = json!({"version": "0", "id": "1", "detail-type": "AWS API Call via CloudTrail",
                       "source": "aws.cloudtrail", "account": "111122223333", "time": "2024-05-01T10:00:00Z",
                       "region": "eu-west-1", "resources": [], "detail": {"eventName": "StopLogging"}});
    std::fs::write(&file, format!("{event}\n")).unwrap();
    let doc = matched(
        r#"{"source": ["aws.cloudtrail"], "region": [{"prefix": "eu-"}]}"#,
        &file,
    );
    assert_eq!(doc["count"], 1);
}

#[test]
fn explain_says_each_condition_and_documents_the_pattern() {
    let out = trailwatch()
        .args(["pattern", "explain", "--language", "eventbridge", "--json"])
        .arg(
            r#"{"source": ["aws.iam"], "detail": {"eventName": ["DeletePolicy", "CreatePolicy"]}}"#,
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["kind"], "eventbridge");
    assert_eq!(doc["event_names"], json!(["DeletePolicy", "CreatePolicy"]));
    assert_eq!(
        doc["canonical"],
        r#"{"detail":{"eventName":["CreatePolicy","DeletePolicy"]},"source":["aws.iam"]}"#
    );
    assert!(doc["explanation"]
        .as_str()
        .unwrap()
        .contains("detail.eventName is \"DeletePolicy\" or is \"CreatePolicy\""));
}

#[test]
fn a_malformed_event_pattern_or_an_event_that_is_not_json_is_one_line_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.txt");
    std::fs::write(&file, "not json\n").unwrap();
    for (pattern, expect) in [
        (
            r#"{"source": []}"#,
            "error: the event pattern is not valid: at `source`: Empty arrays are not allowed",
        ),
        (
            r#"{"source": [{"prefx": "aws."}]}"#,
            "Unrecognized match type prefx",
        ),
        (
            r#"{"source": ["aws.iam"]"#,
            "error: the event pattern is not valid: an event pattern must be JSON",
        ),
        (r#"{"source": ["aws.iam"]}"#, "error: event 1 of `"),
    ] {
        let out = trailwatch()
            .args(["pattern", "test", "--language", "eventbridge", pattern])
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{pattern}: {stderr}");
        assert!(
            stderr.contains(expect) && stderr.lines().count() == 1,
            "{pattern}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{pattern}");
    }
}

/// Whether a value holds an array of objects or of arrays, which the local server's matcher
/// does not descend into (it flattens objects only).
fn nests_in_arrays(value: &Value) -> bool {
    match value {
        Value::Array(items) => items
            .iter()
            .any(|i| i.is_object() || i.is_array() || nests_in_arrays(i)),
        Value::Object(fields) => fields.values().any(nests_in_arrays),
        _ => false,
    }
}

#[test]
fn matching_agrees_with_the_local_servers_test_event_pattern() {
    let table =
        std::fs::read_to_string(support::root().join("crates/eventpattern/testdata/cases.jsonl"))
            .unwrap();
    let cases: Vec<Value> = table
        .lines()
        .skip(1)
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|case| case.get("event").is_some_and(|e| !nests_in_arrays(e)))
        .collect();
    assert!(cases.len() >= 60, "{} cases compared", cases.len());
    let account = Account::new();
    let answers = account.test_event_patterns(&cases);
    let dir = tempfile::tempdir().unwrap();
    let mut disagreements = Vec::new();
    for (case, server) in cases.iter().zip(&answers) {
        let file = dir.path().join("event.json");
        std::fs::write(&file, format!("{}\n", case["event"])).unwrap();
        let ours = matched(&case["pattern"].to_string(), &file)["count"] == 1;
        if server.as_bool() != Some(ours) {
            disagreements.push(format!(
                "{}: server {server}, trailwatch {ours}",
                case["note"]
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn refusals_agree_with_the_local_servers_for_the_rules_it_checks() {
    let event = json!({"id": "1", "source": "aws.iam", "detail-type": "x", "account": "1", "time": "t",
                       "region": "us-east-1", "resources": [], "detail": {}});
    let cases: Vec<Value> = [
        json!({"source": []}),
        json!({"source": "aws.iam"}),
        json!({"detail": {"eventName": 5}}),
    ]
    .into_iter()
    .map(|pattern| json!({"pattern": pattern, "event": event}))
    .collect();
    let answers = Account::new().test_event_patterns(&cases);
    for (case, server) in cases.iter().zip(&answers) {
        assert!(
            server.get("error").is_some(),
            "the server accepted {}",
            case["pattern"]
        );
        let out = trailwatch()
            .args([
                "pattern",
                "explain",
                "--language",
                "eventbridge",
                &case["pattern"].to_string(),
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "trailwatch accepted {}",
            case["pattern"]
        );
    }
}
