//! `trailwatch pattern test` and `pattern explain`: events from lines, CloudTrail files (gzipped
//! or not) and stdin; numbering; JSON shape; errors.

use std::io::Write;

use serde_json::{json, Value};

use crate::IAM_PATTERN;

fn trailwatch() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("trailwatch").unwrap()
}

fn cloudtrail_file(
    dir: &std::path::Path,
    name: &str,
    events: &[&str],
    gzip: bool,
) -> std::path::PathBuf {
    let records: Vec<Value> = events
        .iter()
        .map(|e| json!({"eventVersion": "1.09", "eventSource": "iam.amazonaws.com", "eventName": e, "userIdentity": {"type": "IAMUser"}}))
        .collect();
    let text = json!({ "Records": records }).to_string();
    let path = dir.join(name);
    if gzip {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(text.as_bytes()).unwrap();
        std::fs::write(&path, enc.finish().unwrap()).unwrap();
    } else {
        std::fs::write(&path, text).unwrap();
    }
    path
}

#[test]
fn cloudtrail_files_are_numbered_across_files_gzipped_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let a = cloudtrail_file(
        dir.path(),
        "a.json.gz",
        &["CreatePolicy", "ListRoles"],
        true,
    );
    let b = cloudtrail_file(
        dir.path(),
        "b.json",
        &["GetUser", "DetachGroupPolicy"],
        false,
    );
    let out = trailwatch()
        .args(["pattern", "test", IAM_PATTERN])
        .arg(&a)
        .arg(&b)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["count"], 2);
    assert_eq!(doc["events"], 4);
    let numbers: Vec<u64> = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["eventNumber"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, vec![1, 4]);
    let message: Value =
        serde_json::from_str(doc["matches"][1]["eventMessage"].as_str().unwrap()).unwrap();
    assert_eq!(message["eventName"], "DetachGroupPolicy");
}

#[test]
fn lines_from_stdin_are_events_and_no_match_is_still_success() {
    let out = trailwatch()
        .args(["pattern", "test", "[ip, user, ..., status = 4*, bytes]"])
        .write_stdin("10.0.0.1 - bob \"GET /\" 200 10\n\n10.0.0.2 - amy \"GET /x\" 404 7\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("     2  10.0.0.2 - amy"), "{text}");
    assert!(text.contains("1 of 2 events match"), "{text}");

    let out = trailwatch()
        .args(["pattern", "test", "NOTHING", "--json"])
        .write_stdin("a\nb\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc, json!({"matches": [], "count": 0, "events": 2}));
}

#[test]
fn a_syntax_error_or_unreadable_input_is_one_line_and_exit_1() {
    let out = trailwatch()
        .args(["pattern", "test", "{ $.eventName = }"])
        .write_stdin("{}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim(),
        "error: the pattern has a syntax error at column 17: expected a value, found `}`"
    );
    assert!(out.stdout.is_empty());

    let out = trailwatch()
        .args(["pattern", "test", "ERROR", "/no/such/file"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot open `/no/such/file`"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1);
}

#[test]
fn explain_shows_the_grouping() {
    let out = trailwatch()
        .args(["pattern", "explain", "{ $.a = 1 || $.b = 2 && $.c = 3 }"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("{ ($.a = 1) || (($.b = 2) && ($.c = 3)) }"),
        "{text}"
    );

    let out = trailwatch()
        .args([
            "pattern",
            "explain",
            "--json",
            "{ $.eventName = A || $.eventName = B }",
        ])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["kind"], "json");
    assert_eq!(doc["event_names"], json!(["A", "B"]));
}

fn record(name: &str) -> Value {
    json!({"eventVersion": "1.09", "eventSource": "iam.amazonaws.com", "eventName": name,
        "userIdentity": {"type": "IAMUser"}})
}

/// `pattern test --json` of these files: (number, file name, message) of each match, and the
/// number of events read.
fn test_files(files: &[&std::path::Path]) -> (Vec<(u64, String)>, u64) {
    let (code, doc) = crate::support::json_of(
        trailwatch()
            .args(["pattern", "test", IAM_PATTERN, "--json"])
            .args(files),
    );
    assert_eq!(code, 0, "{doc}");
    let matches = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let file = m["file"].as_str().unwrap();
            let name = std::path::Path::new(file)
                .file_name()
                .unwrap()
                .to_string_lossy();
            (m["eventNumber"].as_u64().unwrap(), name.into_owned())
        })
        .collect();
    (matches, doc["events"].as_u64().unwrap())
}

#[test]
fn every_shape_of_event_file_is_read_and_numbered_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let array = write(
        "array.json",
        serde_json::to_string_pretty(&json!([record("CreateUser"), record("PutUserPolicy")]))
            .unwrap(),
    );
    let lookup = write(
        "lookup.json",
        serde_json::to_string_pretty(&json!({"Events": [
            {"EventId": "1", "EventName": "DeleteRolePolicy", "CloudTrailEvent": record("DeleteRolePolicy").to_string()},
            {"EventId": "2", "EventName": "ListUsers", "CloudTrailEvent": record("ListUsers").to_string()},
        ]}))
        .unwrap(),
    );
    let logs = write(
        "logs.json",
        json!({"events": [{"timestamp": 1, "message": record("AttachRolePolicy").to_string()}]})
            .to_string(),
    );
    let lines = write(
        "lines.jsonl",
        format!("{}\n{}\n", record("GetUser"), record("CreatePolicy")),
    );
    let one = write("one.jsonl", record("DetachUserPolicy").to_string());
    let (matches, events) = test_files(&[&array, &lookup, &logs, &lines, &one]);
    assert_eq!(events, 8);
    assert_eq!(
        matches,
        [
            (2, "array.json".to_string()),
            (3, "lookup.json".to_string()),
            (5, "logs.json".to_string()),
            (7, "lines.jsonl".to_string()),
            (8, "one.jsonl".to_string()),
        ]
    );
}

#[test]
fn a_json_document_of_another_shape_is_refused_not_read_as_lines() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        (
            "config.json",
            serde_json::to_string_pretty(&json!({"trails": [record("PutUserPolicy")]})).unwrap(),
        ),
        (
            "pretty.json",
            serde_json::to_string_pretty(&json!({"Items": []})).unwrap(),
        ),
        ("numbers.json", "[1, 2, 3]".to_string()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = trailwatch()
            .args(["pattern", "test", IAM_PATTERN])
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains("lookup-events"),
            "{name}: names the shapes: {stderr}"
        );
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
}

/// The published pattern of `control` in `benchmark`, as `trailwatch controls --json` lists it.
fn published(benchmark: &str, control: &str) -> String {
    let out = trailwatch()
        .args(["controls", "--json", "--benchmark", benchmark])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let controls = doc["controls"].as_array().unwrap();
    let found = controls.iter().find(|c| c["id"] == control).unwrap();
    found["pattern"].as_str().unwrap().to_string()
}

#[test]
fn control_uses_the_published_pattern_of_its_benchmark_version() {
    let dir = tempfile::tempdir().unwrap();
    let denied = |code: &str| {
        json!({"eventVersion": "1.09", "eventName": "GetObject", "errorCode": code,
            "userIdentity": {"type": "IAMUser"}})
        .to_string()
    };
    let path = dir.path().join("events.jsonl");
    let lines = [
        denied("AccessDenied"),
        denied("UnauthorizedOperation"),
        denied("NoSuchKey"),
        record("CreatePolicy").to_string(),
    ];
    std::fs::write(&path, lines.join("\n")).unwrap();
    for (benchmark, control) in [
        ("cis-1.2", "unauthorized-api-calls"),
        ("cis-5.0", "unauthorized-api-calls"),
        ("cis-5.0", "4.4"),
    ] {
        let run = |args: &[&str]| {
            let out = trailwatch()
                .args(args)
                .arg(&path)
                .arg("--json")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
            (
                doc["count"].clone(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };
        let id = if control == "4.4" {
            "iam-policy-changes"
        } else {
            control
        };
        let pattern = published(benchmark, id);
        let (by_control, note) = run(&[
            "pattern",
            "test",
            "--control",
            control,
            "--benchmark",
            benchmark,
        ]);
        let (by_text, _) = run(&["pattern", "test", &pattern]);
        assert_eq!(by_control, by_text, "{benchmark} {control}");
        assert!(
            by_control.as_u64().unwrap() > 0,
            "{benchmark} {control} matches its events"
        );
        assert!(note.contains(&pattern), "names the pattern it used: {note}");
    }
    let out = trailwatch()
        .args(["pattern", "test", "--control", "no-such-control"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("valid controls"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

/// The example event of AWS's filter pattern documentation, one line of an application log.
const GUIDE_EVENT: &str = r#"{"eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111", "arrayKey": ["value", "another value"], "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}], "SomeObject": null, "cluster.name": "c", "user": {"id": 1, "email": "John.Doe@example.com"}, "users": [{"id": 2, "email": "John.Stiles@example.com"}], "actions": ["GET", "PUT", "DELETE"], "coordinates": [[0, 1], [2, 3]]}"#;

fn pattern_test(args: &[&str], files: &[&std::path::Path]) -> (i32, String, String) {
    let out = trailwatch()
        .args(["pattern", "test"])
        .args(args)
        .args(files)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap(),
        text(&out.stdout),
        text(&out.stderr),
    )
}

#[test]
fn a_log_event_holding_lists_of_objects_is_an_event() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("event.json");
    std::fs::write(&one, format!("{GUIDE_EVENT}\n")).unwrap();
    let (code, out, err) = pattern_test(&["{ $.users[0].id = 2 }", "--json"], &[&one]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (doc["count"].as_u64(), doc["events"].as_u64()),
        (Some(1), Some(1))
    );
    // An application log whose first event holds such a list: every line is an event.
    let log = dir.path().join("app.log");
    std::fs::write(
        &log,
        format!("{GUIDE_EVENT}\n{{\"users\": [{{\"id\": 2}}]}}\n{{\"users\": []}}\n"),
    )
    .unwrap();
    let (code, out, err) = pattern_test(&["{ $.users[0].id = 2 }", "--json"], &[&log]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (doc["count"].as_u64(), doc["events"].as_u64()),
        (Some(2), Some(3))
    );
    let (_, out, _) = pattern_test(
        &[
            "{ ($.user.id = 1) && ($.users[0].email = \"John.Stiles@example.com\") }",
            "--json",
        ],
        &[&one],
    );
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["count"], 1);
}

#[test]
fn input_format_says_what_a_file_is_and_a_file_that_is_not_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let trail = cloudtrail_file(
        dir.path(),
        "trail.json.gz",
        &["CreatePolicy", "ListRoles"],
        true,
    );
    let (code, out, err) = pattern_test(
        &[IAM_PATTERN, "--json", "--input-format", "cloudtrail"],
        &[&trail],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["events"], 2);
    // The same file read as lines is one event (the whole document), which the pattern misses.
    let (code, out, _) = pattern_test(
        &[IAM_PATTERN, "--json", "--input-format", "lines"],
        &[&trail],
    );
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (doc["count"].as_u64(), doc["events"].as_u64()),
        (Some(0), Some(1))
    );
    let (code, out, err) =
        pattern_test(&[IAM_PATTERN, "--input-format", "lookup-events"], &[&trail]);
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("is not `aws cloudtrail lookup-events` output"),
        "{err}"
    );
    assert!(err.contains("--input-format"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(out.is_empty(), "{out}");
    let (code, _, err) = pattern_test(&[IAM_PATTERN, "--input-format", "yaml"], &[&trail]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("log-events"), "{err}");
}

/// `head`, `members` gzip members of `each` bytes and `tail`, concatenated (as `cat a.gz b.gz …`
/// makes them): a small file that decompresses to `members` times as much, like a gzip bomb.
fn concatenated_gzip(
    path: &std::path::Path,
    (head, tail): (&str, &str),
    each: &[u8],
    members: usize,
) {
    let member = |bytes: &[u8]| {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    };
    let mut file = member(head.as_bytes());
    file.extend(member(each).repeat(members));
    file.extend(member(tail.as_bytes()));
    std::fs::write(path, file).unwrap();
}

#[test]
fn a_gzip_bomb_or_an_event_larger_than_cloudwatch_accepts_is_one_line_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    // 200 MB of zeros in about 200 KB: one "line" far longer than any log event.
    let zeros = dir.path().join("zeros.gz");
    concatenated_gzip(&zeros, ("", ""), &vec![0; 1 << 20], 200);
    assert!(std::fs::metadata(&zeros).unwrap().len() < 300_000);
    // A CloudTrail log file whose second record is 200 MB.
    let records = dir.path().join("records.json.gz");
    let head = format!("{{\"Records\":[{},{{\"a\":\"", record("CreatePolicy"));
    concatenated_gzip(&records, (&head, "\"}]}"), &vec![b'x'; 1 << 20], 200);
    for (file, event) in [(&zeros, 1), (&records, 2)] {
        let (code, out, err) = pattern_test(&[IAM_PATTERN], &[file]);
        assert_eq!(code, 1, "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        let name = file.display().to_string();
        assert!(
            err.contains(&format!("`{name}`: event {event} is larger than")),
            "{err}"
        );
        assert!(err.contains("1 MB"), "{err}");
        assert!(!out.contains("events match"), "{out}");
    }
    // `backtest FILES` reads through the same reader.
    let out = trailwatch()
        .args(["backtest", "--published-only"])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("is larger than CloudWatch Logs accepts"),
        "{err}"
    );
}
