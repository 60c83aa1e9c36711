//! `trailwatch pattern test` and `trailwatch pattern explain`: the filter pattern language on the
//! command line, reading events from files or stdin (plain lines, or CloudTrail log files,
//! gzipped or not).

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
    /// Events come from the files (or stdin when none is given): one event message per line, as
    /// the TestMetricFilter API takes them, or CloudTrail log files (`{"Records": [...]}`,
    /// gzipped or not). Exit status: 0 on success (even with no matches), 1 on a syntax error or
    /// unreadable input.
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
    let mut each = |event: Event| {
        total += 1;
        let hit = match &event.parsed {
            Some(record) => compiled.matches_json(record),
            None => compiled.matches(&event.message),
        };
        if hit {
            matches.push((total, event.message));
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
            .map(|(event_number, event_message)| TestMatch {
                event_number,
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
        for (n, message) in &matches {
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

/// Splits input into events: the records of a CloudTrail log file, or one message per line.
fn read_events(name: &str, bytes: Vec<u8>, each: &mut dyn FnMut(Event)) -> Result<()> {
    let text = String::from_utf8(bytes).with_context(|| format!("`{name}` is not UTF-8 text"))?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') && trimmed.contains("\"Records\"") {
        if let Ok(Value::Object(mut file)) = serde_json::from_str::<Value>(trimmed) {
            if let Some(Value::Array(records)) = file.remove("Records") {
                for record in records {
                    each(Event {
                        message: record.to_string(),
                        parsed: Some(record),
                    });
                }
                return Ok(());
            }
        }
    }
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
