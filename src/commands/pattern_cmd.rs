//! `trailwatch pattern test` and `trailwatch pattern explain`: the filter pattern language on the
//! command line, reading events from files or stdin in every shape people have them (JSON
//! lines, CloudTrail log files, JSON arrays, `lookup-events` and `filter-log-events` output),
//! gzipped or not.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use output::documents::{ExplainDocument, TestDocument, TestMatch};
use output::exit::Exit;

use crate::print;

/// The `pattern` subcommands.
#[derive(Subcommand)]
pub enum PatternCommand {
    /// Evaluate a pattern against log events and show the ones it matches.
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
        /// The filter pattern (none with `--control`: then every argument is a file).
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
            mut files,
            control,
            benchmark,
            json,
            input_format,
        } => {
            let text = match control {
                // With a control, the first argument is a file, not a pattern.
                Some(control) => {
                    files.splice(0..0, pattern.map(PathBuf::from));
                    published(&control, &benchmark)?
                }
                None => pattern.expect("clap requires a pattern without --control"),
            };
            test(&text, &files, input_format, json)
        }
        PatternCommand::Explain { pattern, json } => explain(&pattern, json),
    }
}

/// The pattern `control` publishes in `benchmark` (the first variant: what `apply` writes),
/// named on stderr so the reader knows what was evaluated.
fn published(control: &str, benchmark: &str) -> Result<String> {
    let controls = model::catalog::select(benchmark, &[control.to_string()], None)?;
    let control = &controls[0];
    crate::print::note(&format!(
        "the pattern of {} ({benchmark} {}): {}",
        control.id,
        control.number(),
        control.pattern
    ));
    Ok(control.pattern.to_string())
}

fn compile(text: &str) -> Result<pattern::Compiled> {
    pattern::compile(text).map_err(|e| anyhow::anyhow!("the pattern has {e}"))
}

fn explain(text: &str, json: bool) -> Result<Exit> {
    let compiled = compile(text)?;
    match json {
        true => print::json(&ExplainDocument::new(compiled.pattern()))?,
        false => print!("{}", pattern::explain(compiled.pattern())),
    }
    Ok(Exit::Clean)
}

fn test(text: &str, files: &[PathBuf], format: events::InputFormat, json: bool) -> Result<Exit> {
    let compiled = compile(text)?;
    let mut sink = match json {
        true => Sink::Json(Vec::new()),
        false => Sink::Text(std::io::BufWriter::with_capacity(
            1 << 16,
            std::io::stdout().lock(),
        )),
    };
    let (mut total, mut count) = (0usize, 0usize);
    let mut inputs = files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>();
    if inputs.is_empty() {
        inputs.push("-".into());
    }
    for name in &inputs {
        let mut failed = Ok(());
        let mut each = |message: &str| {
            total += 1;
            if compiled.matches(message) {
                count += 1;
                if failed.is_ok() {
                    failed = sink.add(total, name, message);
                }
            }
        };
        if name == "-" {
            events::read("standard input", std::io::stdin().lock(), format, &mut each)?;
        } else {
            let file =
                std::fs::File::open(name).with_context(|| format!("cannot open `{name}`"))?;
            events::read(name, file, format, &mut each)?;
        }
        failed?;
    }
    sink.finish(count, total)?;
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
