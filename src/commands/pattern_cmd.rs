//! `trailwatch pattern test` and `trailwatch pattern explain`: filter patterns and EventBridge
//! event patterns on the command line (`patterncli`), reading events from files or stdin in
//! every shape people have them (JSON lines, CloudTrail log files, JSON arrays, `lookup-events`
//! and `filter-log-events` output), gzipped or not.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use output::documents::{ExplainDocument, TestDocument, TestMatch};
use output::exit::Exit;
use patterncli::{Language, Matcher};

use crate::print;

/// The `pattern` subcommands.
#[derive(Subcommand)]
pub enum PatternCommand {
    /// Evaluate a pattern against log events and show the ones it matches.
    ///
    /// With `--language eventbridge` the pattern is an EventBridge event pattern and each
    /// CloudTrail record is matched as the event EventBridge delivers for it (`source`,
    /// `detail-type`, `region`, `account`, `time`, the record as `detail`); an EventBridge
    /// event (with `detail-type` and `detail`) is matched as it is.
    ///
    /// Events come from the files (or stdin when none is given), each gzipped or not. With
    /// `--input-format auto` a file is a document of events only when its top level is one of
    /// the documented shapes, recognised by their keys and value types: a CloudTrail log file
    /// (`{"Records": [...]}`), a JSON array, `aws cloudtrail lookup-events` output
    /// (`{"Events": [{"CloudTrailEvent": "..."}], "NextToken"?}`), or `aws logs
    /// filter-log-events`/`get-log-events` output (`{"events": [{"message": "..."}], ...}`).
    /// Anything else is one event per line (as CloudWatch Logs and TestMetricFilter take
    /// them), whatever the line holds; a JSON value of another shape spread over several lines
    /// is refused. Exit status: 0 on success (even with no matches), 1 on a syntax error or
    /// unreadable input, or a file that is not what `--input-format` says.
    Test {
        /// The pattern (none with `--control`: then every argument is a file).
        #[arg(required_unless_present = "control")]
        pattern: Option<String>,
        /// Files to read; `-` or none for stdin.
        files: Vec<PathBuf>,
        /// Use this control's published pattern (the one `apply` writes), by slug or CIS id.
        #[arg(long, value_name = "SLUG")]
        control: Option<String>,
        /// The benchmark version whose pattern `--control` uses.
        #[arg(long, default_value = model::catalog::default_benchmark(), value_parser = config::values::benchmark, requires = "control")]
        benchmark: String,
        /// Print `{"matches": [...], "count": N, "events": N}` instead of text.
        #[arg(long)]
        json: bool,
        /// What the files are: `auto` recognises each, or say `lines`, `cloudtrail`, `array`,
        /// `lookup-events` or `log-events`.
        #[arg(long, value_name = "FORMAT", default_value = "auto")]
        input_format: events::InputFormat,
        /// The pattern's language: `filter` (CloudWatch Logs) or `eventbridge`.
        #[arg(long, default_value = "filter", conflicts_with = "control")]
        language: Language,
    },
    /// Show how a pattern parses, with `&&`/`||` grouping (or, for an event pattern, each
    /// condition) made explicit.
    Explain {
        /// The pattern.
        pattern: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// The pattern's language: `filter` (CloudWatch Logs) or `eventbridge`.
        #[arg(long, default_value = "filter")]
        language: Language,
    },
}

/// Runs a `pattern` subcommand; returns the exit status.
pub fn run(command: PatternCommand) -> Result<Exit> {
    match command {
        PatternCommand::Test {
            pattern,
            mut files,
            control,
            benchmark,
            json,
            input_format,
            language,
        } => {
            let text = match control {
                // With a control, the first argument is a file, not a pattern.
                Some(control) => {
                    files.splice(0..0, pattern.map(PathBuf::from));
                    published(&control, &benchmark)?
                }
                None => pattern.expect("clap requires a pattern without --control"),
            };
            test(
                &Matcher::compile(language, &text)?,
                &files,
                input_format,
                json,
            )
        }
        PatternCommand::Explain {
            pattern,
            json,
            language,
        } => explain(&Matcher::compile(language, &pattern)?, json),
    }
}

/// The pattern `control` publishes in `benchmark` (the first variant: what `apply` writes),
/// named on stderr so the reader knows what was evaluated.
fn published(control: &str, benchmark: &str) -> Result<String> {
    let control = model::catalog::select(benchmark, &[control.to_string()], None)?.remove(0);
    let (id, number, pattern) = (control.id, control.number(), control.pattern);
    crate::print::note(&format!(
        "the pattern of {id} ({benchmark} {number}): {pattern}"
    ));
    Ok(pattern.to_string())
}

fn explain(matcher: &Matcher, json: bool) -> Result<Exit> {
    match (json, matcher) {
        (true, Matcher::Filter(c)) => print::json(&ExplainDocument::new(c.pattern()))?,
        (true, Matcher::EventBridge { pattern: p, .. }) => {
            print::json(&ExplainDocument::event_pattern(p))?
        }
        (false, _) => print!("{}", matcher.explain()),
    }
    Ok(Exit::Clean)
}

fn test(
    matcher: &Matcher,
    files: &[PathBuf],
    format: events::InputFormat,
    json: bool,
) -> Result<Exit> {
    let stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut sink = match json {
        true => Sink::Json(Vec::new()),
        false => Sink::Text(stdout),
    };
    let inputs: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let tested = patterncli::test(
        matcher,
        &inputs,
        format,
        &mut |name| match name {
            "-" => Ok(Box::new(std::io::stdin().lock())),
            file => Ok(Box::new(std::fs::File::open(file)?)),
        },
        &mut |number, name, message| sink.add(number, name, message),
    )?;
    sink.finish(tested.count, tested.total)?;
    Ok(Exit::Clean)
}

/// Where matches go: printed as they are found (text), or gathered into one document (JSON).
enum Sink<'a> {
    Text(std::io::BufWriter<std::io::StdoutLock<'a>>),
    Json(Vec<TestMatch>),
}

impl Sink<'_> {
    fn add(&mut self, event_number: usize, file: &str, message: &str) -> std::io::Result<()> {
        match self {
            Sink::Text(out) => {
                out.write_all(output::render::test_match(event_number, message).as_bytes())
            }
            Sink::Json(matches) => {
                matches.push(TestMatch {
                    event_number,
                    file: file.to_string(),
                    event_message: message.to_string(),
                });
                Ok(())
            }
        }
    }

    fn finish(self, count: usize, total: usize) -> Result<()> {
        match self {
            Sink::Text(mut out) => {
                out.write_all(output::render::test_summary(count, total).as_bytes())?;
                out.flush()?;
            }
            Sink::Json(matches) => print::json(&TestDocument {
                matches,
                count,
                events: total,
            })?,
        }
        Ok(())
    }
}
