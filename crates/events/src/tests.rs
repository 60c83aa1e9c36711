//! Every shape of event file, gzipped or not, and the refusals.

use std::io::Write;

use crate::{read, Counts, Error};

fn events_of(bytes: &[u8]) -> Result<(Vec<String>, Counts), Error> {
    let mut seen = Vec::new();
    let counts = read("input", bytes, &mut |m| seen.push(m.to_string()))?;
    Ok((seen, counts))
}

fn gzip(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

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
fn json_of_another_shape_is_refused_naming_the_shapes() {
    for doc in [
        r#"{"Items": [{"a": 1}]}"#,
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
