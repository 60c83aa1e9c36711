//! Every shape of event file, gzipped or not, and the refusals.

use super::{events_as, events_of, gzip};
use crate::{Counts, Error, InputFormat, Shape};

const A: &str =
    r#"{"eventVersion":"1.09","eventName":"CreatePolicy","eventTime":"2026-11-01T00:00:00Z"}"#;
const B: &str =
    r#"{"eventVersion":"1.09","eventName":"ConsoleLogin","eventTime":"2026-11-01T00:01:00Z"}"#;

#[test]
fn json_lines_are_one_event_per_line_skipping_blank_ones() {
    let text = format!("\n{A}\r\n\n{B}\nnot json at all\n");
    let (events, counts) = events_of(text.as_bytes()).unwrap();
    assert_eq!(events, vec![A, B, "not json at all"]);
    assert_eq!(counts.events, 3);
    assert_eq!(counts.bytes, text.len() as u64);
}

#[test]
fn plain_text_lines_are_events() {
    let (events, _) = events_of(b"ERROR disk full\nINFO ok").unwrap();
    assert_eq!(events, vec!["ERROR disk full", "INFO ok"]);
}

#[test]
fn a_cloudtrail_log_file_gives_its_records_compact() {
    let text = format!("{{\"Records\": [\n  {A},\n  {{\n   \"eventName\": \"X\"\n  }}\n]}}");
    let (events, counts) = events_of(text.as_bytes()).unwrap();
    assert_eq!(events, vec![A, r#"{"eventName":"X"}"#]);
    assert_eq!(counts.events, 2);
}

#[test]
fn a_gzipped_cloudtrail_log_file_on_one_line() {
    let text = format!("{{\"Records\":[{A},{B}]}}");
    let (events, counts) = events_of(&gzip(&text)).unwrap();
    assert_eq!(events, vec![A, B]);
    assert_eq!(counts.bytes, text.len() as u64);
}

#[test]
fn a_json_array_of_events() {
    let (events, _) = events_of(format!("[{A},\n{B}]").as_bytes()).unwrap();
    assert_eq!(events, vec![A, B]);
}

#[test]
fn lookup_events_output_gives_each_cloudtrail_event() {
    let doc = serde_json::json!({"Events": [
        {"EventId": "1", "CloudTrailEvent": A},
        {"EventId": "2", "CloudTrailEvent": B},
    ]});
    let (events, _) = events_of(serde_json::to_string_pretty(&doc).unwrap().as_bytes()).unwrap();
    assert_eq!(events, vec![A, B]);
}

#[test]
fn filter_log_events_output_gives_each_message() {
    let doc = serde_json::json!({"events": [{"message": A}, {"message": "plain text"}], "searchedLogStreams": []});
    let (events, _) = events_of(doc.to_string().as_bytes()).unwrap();
    assert_eq!(events, vec![A, "plain text"]);
}

#[test]
fn one_line_holding_events_is_a_document_not_an_event() {
    let doc = serde_json::json!({"events": [{"message": "m"}]});
    let (events, _) = events_of(doc.to_string().as_bytes()).unwrap();
    assert_eq!(events, vec!["m"]);
}

#[test]
fn a_cloudtrail_record_with_resources_is_still_an_event() {
    let line = r#"{"eventName":"AssumeRole","resources":[{"ARN":"arn:aws:iam::1:role/r"}]}"#;
    let (events, _) = events_of(line.as_bytes()).unwrap();
    assert_eq!(events, vec![line]);
}

#[test]
fn json_of_another_shape_over_several_lines_is_refused_naming_the_shapes() {
    for doc in [
        "{\n \"Items\": [{\"a\": 1}]\n}",
        "{\n \"a\": [{\"b\": 1}]\n}",
        "{\n \"Records\": 3\n}",
    ] {
        let error = events_of(doc.as_bytes()).unwrap_err();
        assert!(matches!(error, Error::Shape { .. }), "{doc}: {error}");
        assert!(error.to_string().contains("lookup-events"), "{error}");
    }
}

#[test]
fn an_entry_of_the_wrong_kind_is_refused_by_number() {
    let doc = format!("[{A}, 3]");
    let error = events_of(doc.as_bytes()).unwrap_err();
    assert!(matches!(error, Error::Entry { entry: 2, .. }), "{error}");
    let lookup = r#"{"Events": [{"CloudTrailEvent": "{not json"}]}"#;
    assert!(matches!(
        events_of(lookup.as_bytes()).unwrap_err(),
        Error::Entry { entry: 1, .. }
    ));
}

#[test]
fn a_multi_line_object_that_is_not_one_document_is_read_as_lines() {
    let text = "{\"a\": [{\"b\": 1}]}\n{\"c\": 2}\n";
    let (events, _) = events_of(text.as_bytes()).unwrap();
    assert_eq!(events, vec!["{\"a\": [{\"b\": 1}]}", "{\"c\": 2}"]);
}

#[test]
fn empty_input_has_no_events() {
    assert_eq!(events_of(b"").unwrap().1, Counts::default());
    assert_eq!(events_of(b"\n\n").unwrap().0.len(), 0);
}

#[test]
fn bytes_that_are_not_text_are_refused() {
    let error = events_of(&[0xff, 0xfe, b'\n']).unwrap_err();
    assert!(error.to_string().contains("neither UTF-8"), "{error}");
    let broken_gzip = [0x1f, 0x8b, 0x08, 0x00, 0x01];
    assert!(matches!(
        events_of(&broken_gzip).unwrap_err(),
        Error::Io { .. }
    ));
}

/// The example event of AWS's filter pattern documentation, on one line.
const GUIDE_EVENT: &str = r#"{"eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111", "arrayKey": ["value", "another value"], "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}], "SomeObject": null, "cluster.name": "c", "users": [{"id": 2, "email": "John.Stiles@example.com"}]}"#;

#[test]
fn one_line_events_holding_lists_of_objects_are_events() {
    for line in [
        GUIDE_EVENT,
        r#"{"Records": "x"}"#,
        r#"{"events": 3}"#,
        r#"{"Events": [{"a": 1}]}"#,
        r#"{"Records": [{"a": 1}], "level": "info"}"#,
        r#"{"events": [{"message": "m", "level": "info"}]}"#,
        r#"{"Items": [{"a": 1}]}"#,
    ] {
        let (events, _) = events_of(line.as_bytes()).unwrap();
        assert_eq!(events, vec![line]);
        let (events, _) = events_of(&gzip(line)).unwrap();
        assert_eq!(events, vec![line], "gzipped");
    }
}

#[test]
fn json_lines_whose_first_event_holds_a_list_of_objects_are_lines() {
    let text = format!("{GUIDE_EVENT}\n{A}\n{{\"users\": [{{\"id\": 3}}]}}\n");
    for bytes in [text.clone().into_bytes(), gzip(&text)] {
        let (events, counts) = events_of(&bytes).unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0], GUIDE_EVENT);
        assert_eq!(counts.events, 3);
    }
}

#[test]
fn documented_shapes_on_one_line_and_spread_over_lines() {
    let lookup = serde_json::json!({"Events": [{"EventId": "1", "EventName": "CreatePolicy", "ReadOnly": "false", "EventTime": "2026-11-01T00:00:00Z", "Resources": [], "CloudTrailEvent": A}], "NextToken": "t"});
    let logs = serde_json::json!({"events": [{"logStreamName": "s", "timestamp": 1, "message": A, "ingestionTime": 2, "eventId": "e"}], "searchedLogStreams": [], "nextToken": null});
    let get = serde_json::json!({"events": [{"timestamp": 1, "message": A, "ingestionTime": 2}], "nextForwardToken": "f", "nextBackwardToken": "b"});
    let trail =
        serde_json::json!({"Records": [serde_json::from_str::<serde_json::Value>(A).unwrap()]});
    for doc in [lookup, logs, get, trail] {
        for text in [doc.to_string(), serde_json::to_string_pretty(&doc).unwrap()] {
            for bytes in [text.clone().into_bytes(), gzip(&text)] {
                let (events, _) = events_of(&bytes).unwrap();
                assert_eq!(events, vec![A], "{text}");
            }
        }
    }
}

#[test]
fn documents_one_after_another_are_read_in_turn() {
    // `zcat` of several CloudTrail files, and pages of CLI output one per line.
    let text = format!("{{\"Records\":[{A}]}}{{\"Records\":[{B}]}}\n{{\"Records\":[]}}\n");
    let (events, _) = events_of(text.as_bytes()).unwrap();
    assert_eq!(events, vec![A, B]);
    let mixed = format!("{{\"Records\":[{A}]}}\n{B}\n");
    assert!(matches!(
        events_of(mixed.as_bytes()).unwrap_err(),
        Error::Shape { .. }
    ));
}

#[test]
fn text_starting_with_a_bracket_is_lines() {
    let text = "[2026-11-01 00:00:00] ERROR disk full\n[2026-11-01 00:00:01] INFO ok\n";
    let (events, _) = events_of(text.as_bytes()).unwrap();
    assert_eq!(events.len(), 2);
}

#[test]
fn the_input_format_says_what_a_file_is() {
    let lines = format!("{{\"Records\":[{A}]}}\n");
    let (events, _) = events_as(lines.as_bytes(), InputFormat::Lines).unwrap();
    assert_eq!(events, vec![lines.trim_end()]);
    let (events, _) = events_as(lines.as_bytes(), "cloudtrail".parse().unwrap()).unwrap();
    assert_eq!(events, vec![A]);
    // Told what it is, a document may carry keys beyond the documented ones.
    let extra = format!(
        "{{\"Events\":[{{\"CloudTrailEvent\":{}, \"New\": 1}}], \"ResponseMetadata\": {{}}}}",
        serde_json::to_string(A).unwrap()
    );
    assert!(events_of(extra.as_bytes()).unwrap().0 == vec![extra.clone()]);
    let (events, _) = events_as(extra.as_bytes(), "lookup-events".parse().unwrap()).unwrap();
    assert_eq!(events, vec![A]);
}

#[test]
fn a_file_that_is_not_what_was_said_is_refused_naming_the_shape() {
    for (text, format) in [
        (A.to_string(), "cloudtrail"),
        (format!("[{A}]"), "cloudtrail"),
        (format!("{{\"Records\":[{A}]}}"), "lookup-events"),
        (format!("{{\"Records\":[{A}]}}"), "log-events"),
        (format!("{{\"Records\":[{A}]}}"), "array"),
        ("not json".to_string(), "array"),
        (String::new(), "cloudtrail"),
    ] {
        let error = events_as(text.as_bytes(), format.parse().unwrap()).unwrap_err();
        assert!(
            matches!(error, Error::NotShape { .. }),
            "{text} as {format}: {error}"
        );
        assert!(error.to_string().contains("--input-format"), "{error}");
        assert!(!error.to_string().contains('\n'));
    }
    assert!(events_as(
        b"x",
        "Cloudtrail"
            .parse::<InputFormat>()
            .unwrap_or(InputFormat::Document(Shape::Array))
    )
    .is_err());
    assert!("yaml"
        .parse::<InputFormat>()
        .unwrap_err()
        .to_string()
        .contains("lookup-events"));
}
