//! Reading in bounded memory: documents streamed an entry at a time (events arrive while the
//! input is still being read), events larger than CloudWatch Logs accepts refused by number,
//! gzip bombs refused without being held, and the start of a long input deciding its shape.

use std::cell::Cell;
use std::io::{Read, Write};
use std::rc::Rc;

use super::{events_as, events_of, gzip};
use crate::{read, Error, InputFormat, MAX_EVENT_BYTES};

const A: &str =
    r#"{"eventVersion":"1.09","eventName":"CreatePolicy","eventTime":"2026-11-01T00:00:00Z"}"#;

/// A document written as it is read — `head`, `count` entries joined by `between`, `tail` —
/// that fails if more than `limit` bytes are read before the first event reaches the caller.
struct Generated {
    parts: Box<dyn Iterator<Item = String>>,
    pending: Vec<u8>,
    read: usize,
    limit: usize,
    seen: Rc<Cell<u64>>,
}

impl Generated {
    fn new(head: &str, entry: String, between: &str, count: usize, tail: &str) -> Generated {
        let between = between.to_string();
        let entries = (0..count).map(move |i| match i {
            0 => entry.clone(),
            _ => format!("{between}{entry}"),
        });
        Generated {
            parts: Box::new(
                std::iter::once(head.to_string())
                    .chain(entries)
                    .chain(std::iter::once(tail.to_string())),
            ),
            pending: Vec::new(),
            read: 0,
            limit: 3 * MAX_EVENT_BYTES,
            seen: Rc::new(Cell::new(0)),
        }
    }
}

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.read > self.limit && self.seen.get() == 0 {
            return Err(std::io::Error::other(
                "no event before the document was read",
            ));
        }
        while self.pending.len() < out.len() {
            match self.parts.next() {
                Some(part) => self.pending.extend_from_slice(part.as_bytes()),
                None => break,
            }
        }
        let n = out.len().min(self.pending.len());
        out[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        self.read += n;
        Ok(n)
    }
}

/// Reads a generated document; the events counted, or the error.
fn read_generated(input: Generated, format: InputFormat) -> Result<u64, Error> {
    let seen = input.seen.clone();
    let counts = read("generated", input, format, &mut |_| {
        seen.set(seen.get() + 1)
    })?;
    assert_eq!(counts.events, seen.get());
    Ok(counts.events)
}

#[test]
fn events_of_every_document_shape_arrive_while_it_is_read() {
    let count = 45_000; // 4 to 6 MB: more than may be read before the first event
    let lookup = serde_json::json!({"EventId": "1", "CloudTrailEvent": A}).to_string();
    let log = serde_json::json!({"timestamp": 1, "message": A}).to_string();
    for (head, entry, tail) in [
        ("{\"Records\":[", A.to_string(), "]}"),
        ("[", A.to_string(), "]"),
        ("{\"Events\":[", lookup, "],\"NextToken\":null}"),
        ("{\"searchedLogStreams\":[],\"events\":[", log, "]}"),
    ] {
        for between in [",", ",\n  "] {
            let input = Generated::new(head, entry.clone(), between, count, tail);
            assert_eq!(
                read_generated(input, InputFormat::Auto).unwrap(),
                count as u64,
                "{head}"
            );
        }
    }
}

#[test]
fn a_cloudtrail_file_read_as_cloudtrail_arrives_while_it_is_read() {
    let input = Generated::new("{\"Records\":[", A.to_string(), ",", 45_000, "]}");
    let format = InputFormat::Document(crate::Shape::CloudTrail);
    assert_eq!(read_generated(input, format).unwrap(), 45_000);
}

/// The one line an error is told in.
fn one_line(error: &Error) -> String {
    let text = error.to_string();
    assert!(!text.contains('\n'), "{text}");
    text
}

#[test]
fn a_line_larger_than_cloudwatch_accepts_is_refused_by_its_number() {
    let long = "x".repeat(MAX_EVENT_BYTES + 1);
    for text in [
        format!("a\n\n{long}\nb\n"),
        format!("a\n\n{long}"),
        format!("a\n{}", "y".repeat(20 * MAX_EVENT_BYTES)),
    ] {
        for format in [InputFormat::Auto, InputFormat::Lines] {
            let error = events_as(text.as_bytes(), format).unwrap_err();
            assert!(matches!(error, Error::TooLarge { event: 2, .. }), "{error}");
            let told = one_line(&error);
            assert!(told.contains("`input`: event 2 "), "{told}");
            assert!(told.contains("1 MB"), "{told}");
        }
    }
}

#[test]
fn an_event_of_the_largest_size_cloudwatch_accepts_is_read() {
    let largest = "x".repeat(MAX_EVENT_BYTES);
    for text in [
        format!("{largest}\r\n"),
        largest.clone(),
        format!("a\n{largest}\nb"),
    ] {
        let (events, _) = events_of(text.as_bytes()).unwrap();
        assert!(events.iter().any(|e| e.len() == MAX_EVENT_BYTES));
    }
    let record = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_EVENT_BYTES - 8));
    let (events, _) = events_of(format!("{{\"Records\":[{A},{record}]}}").as_bytes()).unwrap();
    assert_eq!(events, vec![A.to_string(), record]);
}

#[test]
fn an_entry_larger_than_cloudwatch_accepts_is_refused_by_its_number() {
    let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_EVENT_BYTES));
    let trail = format!("{{\"Records\":[{A},{A},{big}]}}");
    let lookup = serde_json::json!({"Events": [
        {"CloudTrailEvent": A}, {"CloudTrailEvent": A}, {"CloudTrailEvent": big}]})
    .to_string();
    let huge = format!(
        "{{\"Records\":[{A},{A},{{\"a\":\"{}\"}}]}}",
        "x".repeat(10 << 20)
    );
    for doc in [trail.clone(), lookup, huge] {
        for bytes in [doc.clone().into_bytes(), gzip(&doc)] {
            let error = events_of(&bytes).unwrap_err();
            assert!(matches!(error, Error::TooLarge { event: 3, .. }), "{error}");
            one_line(&error);
        }
    }
    let as_said = events_as(trail.as_bytes(), "cloudtrail".parse().unwrap()).unwrap_err();
    assert!(matches!(as_said, Error::TooLarge { event: 3, .. }));
}

#[test]
fn escapes_in_the_file_do_not_count_toward_the_limit() {
    // Each quote is two bytes in the file and one in the event.
    let message = "\"".repeat(MAX_EVENT_BYTES);
    let doc = serde_json::json!({"events": [{"message": message}]}).to_string();
    assert!(doc.len() > 2 * MAX_EVENT_BYTES);
    let (events, _) = events_of(doc.as_bytes()).unwrap();
    assert_eq!(events, vec![message]);
}

/// `head`, `members` gzip members of `each` and `tail` concatenated, as `cat a.gz b.gz …` makes
/// them: a file of a few hundred kilobytes that decompresses to `members` times `each`.
fn bomb((head, tail): (&str, &str), each: &[u8], members: usize) -> Vec<u8> {
    let member = |bytes: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    };
    let mut file = member(head.as_bytes());
    file.extend(member(each).repeat(members));
    file.extend(member(tail.as_bytes()));
    file
}

#[test]
fn a_gzip_bomb_is_refused_by_its_first_event_not_held() {
    let zeros = bomb(("", ""), &vec![0u8; 1 << 20], 200);
    assert!(zeros.len() < 300_000, "{}", zeros.len());
    for format in [InputFormat::Auto, InputFormat::Lines] {
        let error = events_as(&zeros, format).unwrap_err();
        assert!(matches!(error, Error::TooLarge { event: 1, .. }), "{error}");
    }
    let error = events_as(&zeros, "cloudtrail".parse().unwrap()).unwrap_err();
    assert!(matches!(error, Error::NotShape { .. }), "{error}");
    let record = bomb(
        ("{\"Records\":[{\"a\":\"", "\"}]}"),
        &vec![b'x'; 1 << 20],
        200,
    );
    let error = events_of(&record).unwrap_err();
    assert!(matches!(error, Error::TooLarge { event: 1, .. }), "{error}");
}

#[test]
fn a_long_one_line_value_that_is_not_a_document_is_refused_not_read() {
    // Read whole, the line was one event of 3 MB, more than a log group holds.
    let records = vec![A; 3 * MAX_EVENT_BYTES / A.len()].join(",");
    let text = format!("{{\"Records\":[{records}],\"level\":\"info\"}}");
    let error = events_of(text.as_bytes()).unwrap_err();
    assert!(matches!(error, Error::Shape { .. }), "{error}");
    let truncated = &text[..2 * text.len() / 3];
    let error = events_of(&gzip(truncated)).unwrap_err();
    assert!(matches!(error, Error::Shape { .. }), "{error}");
}

#[test]
fn a_first_line_event_holding_a_list_of_objects_is_still_an_event_up_to_the_limit() {
    let padding = "x".repeat(MAX_EVENT_BYTES - 100);
    let line = format!("{{\"Records\":[{{\"a\":\"{padding}\"}}],\"level\":\"info\"}}");
    let text = format!("{line}\n{A}\n");
    let (events, _) = events_of(text.as_bytes()).unwrap();
    assert_eq!(events, vec![line.as_str(), A]);
}

#[test]
fn a_long_json_value_of_another_shape_over_lines_is_refused() {
    let entries = vec!["{\"b\": 1}"; 3 * MAX_EVENT_BYTES / 8].join(",\n");
    let text = format!("{{\n\"Items\": [\n{entries}\n]\n}}\n");
    let error = events_of(text.as_bytes()).unwrap_err();
    assert!(matches!(error, Error::Shape { .. }), "{error}");
}

/// An input handed out a few bytes at a time (1 to 11 in turn), as a pipe may.
struct Trickle<'a>(&'a [u8], usize);

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        self.1 = self.1 % 11 + 1;
        let n = out.len().min(self.0.len()).min(self.1);
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn values_cut_between_reads_are_read_whole() {
    let record = r#"{"n":-1.25e-3,"m":[1.5,-2,3E+4,0],"s":"a\"\u00e9b","t":true,"u":null}"#;
    let lines = vec![record; 40_000].join("\n");
    let trail = format!("{{\"Records\":[{}]}}", vec![record; 40_000].join(","));
    let log = serde_json::json!({"events": vec![serde_json::json!({"timestamp": -1, "message": record}); 40_000]}).to_string();
    for (text, format) in [
        (&lines, InputFormat::Auto),
        (&trail, InputFormat::Auto),
        (&trail, InputFormat::Document(crate::Shape::CloudTrail)),
        (&log, InputFormat::Auto),
    ] {
        let mut events = Vec::new();
        let counts = read("trickle", Trickle(text.as_bytes(), 0), format, &mut |e| {
            events.push(e.to_string())
        })
        .unwrap();
        assert_eq!(counts.events, 40_000);
        assert!(events.iter().all(|e| e == record), "{format:?}");
    }
}

#[test]
fn a_long_first_value_whose_start_ends_inside_a_number_is_a_document() {
    let window = crate::detect::WINDOW_BYTES;
    let record = r#"{"n":-1.5}"#;
    let count = 3 * window / record.len();
    let (head, records) = ("{\"Records\":[", vec![record; count].join(","));
    // Spaces after the bracket put a minus sign, a dot, a digit last in what is looked at.
    for last in ["-", "-1.", "-1"] {
        let in_record = record.find(last).unwrap() + last.len() - 1;
        let step = record.len() + 1;
        let spaces = (window - 1 - in_record - head.len()) % step;
        let text = format!("{head}{}{records}]}}", " ".repeat(spaces));
        assert!(text[..window].ends_with(last), "{last}");
        let (events, _) = events_of(text.as_bytes()).unwrap();
        assert_eq!(events.len(), count);
    }
}

#[test]
fn a_large_file_that_is_not_what_was_said_is_refused_from_its_start() {
    for (head, tail, format) in [
        ("{\"Records\":[", "]}", "array"),
        ("[", "]", "cloudtrail"),
        ("[", "]", "log-events"),
    ] {
        let input = Generated::new(head, A.to_string(), ",", 45_000, tail);
        let error = read_generated(input, format.parse().unwrap()).unwrap_err();
        assert!(matches!(error, Error::NotShape { .. }), "{format}: {error}");
    }
}
