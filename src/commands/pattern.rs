//! `trailwatch pattern test` and `trailwatch pattern explain`: the filter pattern language on the
//! command line, reading events from files or stdin in every shape people have them (JSON
//! lines, CloudTrail log files, JSON arrays, `lookup-events` and `filter-log-events` output),
//! gzipped or not.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use output::documents::{ExplainDocument, TestDocument, TestMatch};
use output::exit::Exit;
use serde_json::Value;

use crate::print;

/// The `pattern` subcommands.
#[derive(Subcommand)]
pub enum PatternCommand {
    /// Evaluate a pattern against log events and show the ones it matches.
    ///
    /// Events come from the files (or stdin when none is given), each gzipped or not, its shape
    /// detected per file: one event message per line (as the TestMetricFilter API takes them),
    /// CloudTrail log files (`{"Records": [...]}`), a JSON array of events, the output of
    /// `aws cloudtrail lookup-events`, or of `aws logs filter-log-events`/`get-log-events`. Any
    /// other JSON document is refused. Exit status: 0 on success (even with no matches), 1 on a
    /// syntax error or unreadable input.
    Test {
        /// The filter pattern.
        pattern: String,
        /// Files to read; `-` or none for stdin.
        files: Vec<PathBuf>,
        /// Print `{"matches": [...], "count": N, "events": N}` instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show how a pattern parses, with `&&`/`||` grouping made explicit.
    Explain {
        /// The filter pattern.
        pattern: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a `pattern` subcommand; returns the exit status.
pub fn run(command: PatternCommand) -> Result<Exit> {
    match command {
        PatternCommand::Test {
            pattern,
            files,
            json,
        } => test(&pattern, &files, json),
        PatternCommand::Explain { pattern, json } => explain(&pattern, json),
    }
}

fn compile(text: &str) -> Result<pattern::Compiled> {
    pattern::compile(text).map_err(|e| anyhow::anyhow!("the pattern has a {e}"))
}

fn explain(text: &str, json: bool) -> Result<Exit> {
    let compiled = compile(text)?;
    let p = compiled.pattern();
    if json {
        let kind = match p {
            pattern::Pattern::MatchAll => "match-all",
            pattern::Pattern::Terms(_) => "terms",
            pattern::Pattern::Regex(_) => "regex",
            pattern::Pattern::Json(_) => "json",
            pattern::Pattern::Space(_) => "space-delimited",
        };
        print::json(&ExplainDocument {
            schema_version: model::report::SCHEMA_VERSION,
            kind,
            pattern: p.to_string(),
            canonical: pattern::canonical(p),
            explanation: pattern::explain(p),
            event_names: pattern::event_names(p).into_iter().collect(),
        })?;
    } else {
        print!("{}", pattern::explain(p));
    }
    Ok(Exit::Clean)
}

/// One event read from the input, numbered from 1 across every file.
struct Event {
    message: String,
    parsed: Option<Value>,
}

fn test(text: &str, files: &[PathBuf], json: bool) -> Result<Exit> {
    let compiled = compile(text)?;
    let mut matches = Vec::new();
    let mut total = 0usize;
    // The input being read, named in each match.
    let current = std::cell::RefCell::new(String::from("-"));
    let mut each = |event: Event| {
        total += 1;
        let hit = match &event.parsed {
            Some(record) => compiled.matches_json(record),
            None => compiled.matches(&event.message),
        };
        if hit {
            matches.push((total, current.borrow().clone(), event.message));
        }
    };
    if files.is_empty() {
        read_events(
            "standard input",
            read_all(std::io::stdin().lock(), "standard input")?,
            &mut each,
        )?;
    }
    for file in files {
        let name = file.display().to_string();
        current.replace(name.clone());
        let bytes = if name == "-" {
            read_all(std::io::stdin().lock(), "standard input")?
        } else {
            let f = std::fs::File::open(file).with_context(|| format!("cannot open `{name}`"))?;
            read_all(f, &name)?
        };
        read_events(&name, bytes, &mut each)?;
    }

    let mut out = std::io::stdout().lock();
    if json {
        let count = matches.len();
        let matches = matches
            .into_iter()
            .map(|(event_number, file, event_message)| TestMatch {
                event_number,
                file,
                event_message,
            })
            .collect();
        let doc = TestDocument {
            matches,
            count,
            events: total,
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        let mut text = String::new();
        for (n, _, message) in &matches {
            let shown: String = message.chars().take(200).collect();
            let more = if shown.len() < message.len() {
                " …"
            } else {
                ""
            };
            let _ = writeln!(text, "{n:>6}  {shown}{more}");
        }
        let _ = writeln!(
            text,
            "{} of {total} event{} match{}",
            matches.len(),
            if total == 1 { "" } else { "s" },
            if matches.len() == 1 { "es" } else { "" }
        );
        out.write_all(text.as_bytes())?;
    }
    Ok(Exit::Clean)
}

/// Reads everything, un-gzipping when the data starts with the gzip magic number.
fn read_all(mut reader: impl Read, name: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read `{name}`"))?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_end(&mut plain)
            .with_context(|| format!("`{name}` looks gzipped but cannot be decompressed"))?;
        return Ok(plain);
    }
    Ok(bytes)
}

/// The shapes of event files `pattern test` reads, for the refusal of any other.
const SHAPES: &str = "JSON lines (one event per line), a CloudTrail log file ({\"Records\": [...]}), a JSON array of events, `aws cloudtrail lookup-events` output ({\"Events\": [{\"CloudTrailEvent\": ...}]}) or `aws logs filter-log-events`/`get-log-events` output ({\"events\": [{\"message\": ...}]})";

/// Splits input into events, by the file's shape (detected per file): a JSON document of one
/// of the known shapes, else one message per line. A JSON document of another shape is refused:
/// reading it line by line would report a silent, wrong 0 matches.
fn read_events(name: &str, bytes: Vec<u8>, each: &mut dyn FnMut(Event)) -> Result<()> {
    let text = String::from_utf8(bytes).with_context(|| format!("`{name}` is not UTF-8 text"))?;
    let trimmed = text.trim();
    let document = (trimmed.starts_with('{') || trimmed.starts_with('['))
        .then(|| serde_json::from_str::<Value>(trimmed).ok())
        .flatten();
    match document {
        // One line that is one JSON object is a JSON-lines file of one event, unless it holds
        // events rather than being one.
        Some(Value::Object(o)) if !trimmed.contains('\n') && is_event(&o) => lines(&text, each),
        Some(document) => json_events(name, document, each),
        None => lines(&text, each),
    }
}

/// Whether a JSON object is a log event rather than a document that holds events: a CloudTrail
/// record is one; otherwise, an object with a list of objects in it is taken to hold them.
fn is_event(o: &serde_json::Map<String, Value>) -> bool {
    let cloudtrail = ["eventVersion", "eventName", "eventTime"]
        .iter()
        .any(|k| o.contains_key(*k));
    let holds_objects = o.values().any(|v| {
        v.as_array()
            .is_some_and(|items| !items.is_empty() && items.iter().all(Value::is_object))
    });
    cloudtrail || !holds_objects
}

fn lines(text: &str, each: &mut dyn FnMut(Event)) -> Result<()> {
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        each(Event {
            message: line.to_string(),
            parsed: None,
        });
    }
    Ok(())
}

/// The events of a JSON document of a known shape; any other shape is refused.
fn json_events(name: &str, document: Value, each: &mut dyn FnMut(Event)) -> Result<()> {
    let refuse = || {
        anyhow::anyhow!(
            "`{name}` is JSON but not a shape of events trailwatch reads; give it {SHAPES}"
        )
    };
    let (items, shape) = match document {
        Value::Array(items) => (items, Shape::Array),
        Value::Object(mut o) => match (o.remove("Records"), o.remove("Events"), o.remove("events"))
        {
            (Some(Value::Array(items)), _, _) => (items, Shape::Array),
            (_, Some(Value::Array(items)), _) => (items, Shape::LookupEvents),
            (_, _, Some(Value::Array(items))) => (items, Shape::LogEvents),
            _ => return Err(refuse()),
        },
        _ => return Err(refuse()),
    };
    for (i, item) in items.into_iter().enumerate() {
        let event = shape.event(item).ok_or_else(|| {
            anyhow::anyhow!(
                "`{name}`: entry {} is not an event of its shape; give it {SHAPES}",
                i + 1
            )
        })?;
        each(event);
    }
    Ok(())
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

impl Shape {
    fn event(self, item: Value) -> Option<Event> {
        match self {
            Shape::Array => item.is_object().then(|| Event {
                message: item.to_string(),
                parsed: Some(item),
            }),
            Shape::LookupEvents => {
                let text = item.get("CloudTrailEvent")?.as_str()?.to_string();
                let parsed = serde_json::from_str::<Value>(&text).ok()?;
                Some(Event {
                    message: text,
                    parsed: Some(parsed),
                })
            }
            Shape::LogEvents => Some(Event {
                message: item.get("message")?.as_str()?.to_string(),
                parsed: None,
            }),
        }
    }
}
