//! A run's documents in every `--output` format: the plan (one account or many) and the
//! state after apply, each printed once on stdout and written to its files.

use std::time::Duration;

use anyhow::Result;
use apply::{ActionOutcome, Verification};
use model::report::AccountResult;
use model::{Control, Report};
use output::documents::{ApplyDocument, PlanDocument};
use output::formats::{self, Format};
use output::render::Detail;
use time::OffsetDateTime;

use crate::outputs::Outputs;
use crate::print;

/// What every document of a run shares.
pub struct RunInfo<'a> {
    /// The selected controls.
    pub controls: &'a [Control],
    /// The region trails were listed in.
    pub region: &'a str,
    /// The benchmark version.
    pub benchmark: &'a str,
    /// When the run started.
    pub at: OffsetDateTime,
    /// The configuration file, as SARIF names it.
    pub config_file: Option<formats::ConfigFile>,
    /// How much of each control the human text shows.
    pub detail: Detail,
}

impl RunInfo<'_> {
    /// The run the security-tool formats are built from.
    pub fn run<'a>(&'a self, results: &'a [AccountResult]) -> formats::Run<'a> {
        formats::Run {
            benchmark: self.benchmark,
            region: self.region,
            controls: self.controls,
            results,
            at: self.at,
            version: env!("CARGO_PKG_VERSION"),
            config_file: self.config_file.as_ref(),
        }
    }
}

/// A plan over one account or many.
pub struct PlanView<'a> {
    /// The run.
    pub context: &'a RunInfo<'a>,
    /// Every account.
    pub results: &'a [AccountResult],
    /// The run's wall time.
    pub wall: Duration,
    /// True for `--accounts`/`--organization`: the human view ends with a line per account.
    pub many: bool,
}

impl PlanView<'_> {
    /// The plan in a format (human text styled for a terminal).
    pub fn document(&self, format: Format) -> Result<String> {
        Ok(match format {
            Format::Human if self.many => output::render::many(
                self.results,
                self.context.region,
                self.wall,
                self.context.detail,
            ),
            Format::Human => match self.results.first().map(|r| &r.report) {
                Some(Ok(report)) => {
                    output::render::plan(report, self.context.region, self.context.detail)
                }
                Some(Err(e)) => anyhow::bail!("{e}"),
                None => String::new(),
            },
            Format::Json => json(&PlanDocument::new(
                self.context.benchmark,
                self.results,
                self.wall,
                self.many,
            ))?,
            other => security_document(other, &self.context.run(self.results)),
        })
    }
}

/// The state after apply.
pub struct ApplyView<'a> {
    /// The run.
    pub context: &'a RunInfo<'a>,
    /// The plan that was applied.
    pub planned: &'a Report,
    /// One per action.
    pub outcomes: &'a [ActionOutcome],
    /// The account as read again (as an account result, for the security-tool formats).
    pub after: &'a AccountResult,
    /// The verdict.
    pub verification: &'a Verification,
}

impl ApplyView<'_> {
    fn after(&self) -> &Report {
        self.after
            .report
            .as_ref()
            .expect("apply's account was read again")
    }

    /// The apply's document in a format (human text styled for a terminal).
    pub fn document(&self, format: Format) -> Result<String> {
        let after = self.after();
        Ok(match format {
            Format::Human => {
                let detail = self.context.detail;
                let mut text = output::render::plan(self.planned, self.context.region, detail);
                if !self.outcomes.is_empty() {
                    text += &output::render::outcomes(&self.planned.actions, self.outcomes);
                }
                text + &output::render::verification(
                    after,
                    self.verification,
                    !self.outcomes.is_empty(),
                    detail,
                )
            }
            Format::Json => json(&ApplyDocument::new(
                self.planned,
                self.outcomes,
                after,
                self.verification,
            ))?,
            other => security_document(other, &self.context.run(std::slice::from_ref(self.after))),
        })
    }
}

fn security_document(format: Format, run: &formats::Run) -> String {
    formats::document(format, run).expect("human and json are built by the views")
}

fn json<T: serde::Serialize>(document: &T) -> Result<String> {
    Ok(serde_json::to_string_pretty(document)? + "\n")
}

/// Prints the stdout document (unless `human_printed`: apply prints its text as it goes) and
/// writes the files; human text in a file carries no styles.
pub fn emit(
    outputs: Outputs,
    document: impl Fn(Format) -> Result<String>,
    human_printed: bool,
) -> Result<()> {
    match outputs.stdout() {
        Format::Human if human_printed => {}
        Format::Human => print::text(&document(Format::Human)?)?,
        other => print::raw(&document(other)?)?,
    }
    outputs.write_files(|format| {
        let text = document(format)?;
        Ok(match format {
            Format::Human => anstream::adapter::strip_str(&text).to_string(),
            _ => text,
        })
    })
}

/// The plan before anything is written: on stdout when that is where the human text goes,
/// else on stderr when someone is about to be asked (`asking`) and must see what they approve.
pub fn show_before_writing(outputs: &Outputs, text: &str, asking: bool) -> Result<()> {
    if outputs.stdout() == Format::Human {
        print::text(text)?;
    } else if asking {
        let _ = std::io::Write::write_all(&mut anstream::stderr(), text.as_bytes());
    }
    Ok(())
}
