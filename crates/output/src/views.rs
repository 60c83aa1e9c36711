//! A run's documents in every `--output` format, from the same values: the plan (one account
//! or many) and the state after apply. The binary prints them and writes their files.

use std::path::PathBuf;
use std::time::Duration;

use apply::accounts::AccountOutcome;
use apply::{ActionOutcome, Outcome, Verification};
use model::report::AccountResult;
use model::{Control, Report};
use time::OffsetDateTime;

use iac::Stage;

use crate::documents::{AccountsApplyDocument, ApplyDocument, PlanDocument};
use crate::formats::{self, Format};
use crate::render::Detail;

/// Why a view has no document in a format.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The human plan of one account that could not be read: its one line.
    #[error("{0}")]
    Unread(String),
    /// Code of many accounts goes to a folder, a file per account.
    #[error("--emit {0} of many accounts writes a file per account: give a directory with --emit {0}=DIR")]
    ManyAccounts(Format),
    /// A document that is one file asked for as a folder of files.
    #[error("{} {} is one document, not a folder of files", .0.flag(), .0)]
    NotFiles(Format),
    /// The plan has no CloudFormation template.
    #[error("--emit cloudformation: {0}")]
    CloudFormation(#[from] iac::CloudFormationError),
    /// The plan has no stack set template.
    #[error("--emit cloudformation-stackset: {0}")]
    StackSet(#[from] iac::StackSetError),
    /// The JSON document could not be written.
    #[error("cannot write the JSON document: {0}")]
    Json(#[from] serde_json::Error),
    /// A backtest is written as text, JSON or HTML only.
    #[error(
        "backtest writes its report as human, json or html; --output {0} is for plan and apply"
    )]
    NotForBacktest(Format),
}

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
    /// The trailwatch version writing the documents.
    pub version: &'static str,
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
            version: self.version,
            config_file: self.config_file.as_ref(),
        }
    }
}

/// A run's documents, each in a format: one text, or (code of many accounts) files.
pub trait View {
    /// The document in a format (human text styled for a terminal).
    fn document(&self, format: Format) -> Result<String, ViewError>;

    /// The document as files in a folder, by their paths in it.
    fn files(&self, format: Format) -> Result<Vec<CodeFile>, ViewError> {
        Err(ViewError::NotFiles(format))
    }
}

/// A file of a folder a document is written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFile {
    /// Its path in the folder (`ACCOUNT/main.tf`, `ACCOUNT/REGION.yaml`).
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

impl From<CodeFile> for (PathBuf, String) {
    fn from(file: CodeFile) -> Self {
        (file.path, file.text)
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
    /// The plan's digest (`PlanFile::digest`).
    pub digest: &'a str,
}

impl View for PlanView<'_> {
    fn document(&self, format: Format) -> Result<String, ViewError> {
        Ok(match format {
            Format::Human => self.human()? + &crate::render::digest_line(self.digest),
            Format::Json => json(&PlanDocument {
                digest: Some(self.digest),
                ..PlanDocument::new(self.context.benchmark, self.results, self.wall, self.many)
            })?,
            code if Format::EMIT.contains(&code) => self.code(code)?,
            other => security_document(other, &self.context.run(self.results)),
        })
    }

    /// Code of many accounts: a file per account (Terraform: `ACCOUNT/main.tf`), and per
    /// region for CloudFormation, whose stacks are regional (`ACCOUNT/REGION.yaml`,
    /// `REGION-import.yaml`, `REGION-import.json`). An account that was not read has none.
    fn files(&self, format: Format) -> Result<Vec<CodeFile>, ViewError> {
        let mut files = Vec::new();
        for result in self.results {
            if let Ok(report) = &result.report {
                let account = &result.account_id;
                files.extend(account_files(report, account, format, self.context.region)?);
            }
        }
        Ok(files)
    }
}

impl PlanView<'_> {
    /// What to say on stderr about the code `specs` ask for: each account no file is written
    /// for, and what a stack set's template cannot carry.
    pub fn warnings(&self, specs: &[formats::OutputSpec]) -> Vec<String> {
        let formats: Vec<Format> = specs.iter().map(|s| s.format).collect();
        let mut lines = Vec::new();
        if self.many && formats.iter().any(|f| Format::EMIT.contains(f)) {
            lines.extend(self.results.iter().filter(|r| r.report.is_err()).map(|r| {
                format!(
                    "account {} was not read: no code is written for it",
                    r.account_id
                )
            }));
        }
        if formats.contains(&Format::CloudFormationStackSet) {
            for r in self.results {
                if let Ok(report) = &r.report {
                    lines.extend(iac::stackset_warnings(report, &r.account_id));
                }
            }
        }
        lines
    }

    /// The plan's actions as code: one account's.
    fn code(&self, format: Format) -> Result<String, ViewError> {
        if self.many {
            return Err(ViewError::ManyAccounts(format));
        }
        let Some(result) = self.results.first() else {
            return Ok(String::new());
        };
        let report = result
            .report
            .as_ref()
            .map_err(|e| ViewError::Unread(e.clone()))?;
        let account = &result.account_id;
        Ok(match format {
            Format::CloudFormation => iac::template(report, account, Stage::Plan)?,
            Format::CloudFormationImportTemplate => iac::template(report, account, Stage::Import)?,
            Format::CloudFormationResourcesToImport => iac::resources_to_import(report)?,
            Format::CloudFormationStackSet => iac::stackset(report, account)?,
            _ => iac::terraform(report, account),
        })
    }

    fn human(&self) -> Result<String, ViewError> {
        let (region, detail) = (self.context.region, self.context.detail);
        if self.many {
            return Ok(crate::render::many(self.results, region, self.wall, detail));
        }
        match self.results.first().map(|r| &r.report) {
            Some(Ok(report)) => Ok(crate::render::plan(report, region, detail)),
            Some(Err(e)) => Err(ViewError::Unread(e.clone())),
            None => Ok(String::new()),
        }
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
}

impl View for ApplyView<'_> {
    fn document(&self, format: Format) -> Result<String, ViewError> {
        let after = self.after();
        Ok(match format {
            Format::Human => {
                let detail = self.context.detail;
                let mut text = crate::render::plan(self.planned, self.context.region, detail);
                if !self.outcomes.is_empty() {
                    text += &crate::render::outcomes(&self.planned.actions, self.outcomes);
                }
                text + &crate::render::verification(
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

/// The outcome of an apply over many accounts.
pub struct AccountsApplyView<'a> {
    /// The run.
    pub context: &'a RunInfo<'a>,
    /// Each account's outcome, in the plan's order.
    pub outcomes: &'a [AccountOutcome],
    /// The accounts read again after apply.
    pub after: &'a [AccountResult],
    /// How long applying took.
    pub wall: Duration,
}

impl View for AccountsApplyView<'_> {
    fn document(&self, format: Format) -> Result<String, ViewError> {
        Ok(match format {
            Format::Human => crate::render::account_outcomes(self.outcomes, self.wall),
            Format::Json => json(&AccountsApplyDocument::new(
                self.context.benchmark,
                self.outcomes,
                self.after,
            ))?,
            other => security_document(other, &self.context.run(self.after)),
        })
    }
}

/// One account's code in a format: a Terraform file, or a CloudFormation file per region the
/// plan writes to (`region`, where trails are listed, when it writes nowhere).
fn account_files(
    report: &Report,
    account: &str,
    format: Format,
    region: &str,
) -> Result<Vec<CodeFile>, ViewError> {
    let folder = PathBuf::from(account);
    if format == Format::Terraform {
        let text = iac::terraform(report, account);
        return Ok(vec![CodeFile {
            path: folder.join("main.tf"),
            text,
        }]);
    }
    let mut regions: Vec<&str> = report.actions.iter().map(|a| a.region.as_str()).collect();
    regions.sort_unstable();
    regions.dedup();
    if regions.is_empty() {
        regions.push(region);
    }
    let mut files = Vec::new();
    for region in regions {
        let part = Report {
            actions: (report.actions.iter())
                .filter(|a| a.region == region)
                .cloned()
                .collect(),
            ..report.clone()
        };
        let (text, suffix) = match format {
            Format::CloudFormationImportTemplate => (
                iac::template(&part, account, Stage::Import)?,
                "-import.yaml",
            ),
            Format::CloudFormationResourcesToImport => {
                (iac::resources_to_import(&part)?, "-import.json")
            }
            Format::CloudFormation => (iac::template(&part, account, Stage::Plan)?, ".yaml"),
            other => return Err(ViewError::NotFiles(other)),
        };
        let path = folder.join(format!("{region}{suffix}"));
        files.push(CodeFile { path, text });
    }
    Ok(files)
}

/// A backtest's report.
pub struct BacktestView<'a> {
    /// The backtest, where its events came from, and how much was read.
    pub run: formats::backtest_html::BacktestRun<'a>,
    /// How much of each control the human text shows.
    pub detail: Detail,
}

impl BacktestView<'_> {
    /// The formats a backtest is written in.
    pub const FORMATS: [Format; 3] = [Format::Human, Format::Json, Format::Html];

    /// Refuses, before anything is read, a format a backtest is not written in.
    pub fn check(specs: &[formats::OutputSpec]) -> Result<(), ViewError> {
        match specs.iter().find(|s| !Self::FORMATS.contains(&s.format)) {
            Some(spec) => Err(ViewError::NotForBacktest(spec.format)),
            None => Ok(()),
        }
    }
}

impl View for BacktestView<'_> {
    /// The backtest in a format (human text styled for a terminal).
    fn document(&self, format: Format) -> Result<String, ViewError> {
        let run = &self.run;
        Ok(match format {
            Format::Human => {
                crate::render::backtest(run.report, run.source, run.input, self.detail)
            }
            Format::Json => json(&crate::documents::BacktestDocument::new(
                run.benchmark,
                run.account.map(str::to_string),
                run.source.clone(),
                *run.input,
                run.report,
            ))?,
            Format::Html => formats::backtest_html::document(run),
            other => return Err(ViewError::NotForBacktest(other)),
        })
    }
}

/// Why a one-account apply wrote nothing because the account changed, and what to do.
pub fn stale_line(saved_as: Option<&str>, changed: &[String]) -> String {
    let changed = changed.join(", ");
    match saved_as {
        Some(name) => format!("the account changed since `{name}` was made ({changed}); nothing was written; run `trailwatch plan --out {name}` again"),
        None => format!("the account changed while the plan was shown ({changed}); nothing was written; run apply again"),
    }
}

/// The line that ends an interrupted one-account apply: what was done and what was not.
pub fn interrupted_line(outcomes: &[ActionOutcome]) -> String {
    let count =
        |wanted: fn(&Outcome) -> bool| outcomes.iter().filter(|o| wanted(&o.outcome)).count();
    let done = count(|o| matches!(o, Outcome::Applied { .. }));
    let left = count(|o| *o == Outcome::Interrupted);
    format!("Interrupted: {done} action(s) done, {left} not started; run apply again to finish (it converges)")
}

/// The note of a plan whose every change the account already holds.
pub fn already_applied_line(saved_as: Option<&str>) -> String {
    let name = saved_as.map_or("the plan".into(), |n| format!("`{n}`"));
    format!("{name} has already been applied: the account holds every change it lists and a fresh plan has nothing to do; nothing was written")
}

fn security_document(format: Format, run: &formats::Run) -> String {
    formats::document(format, run).expect("human and json are built by the views")
}

fn json<T: serde::Serialize>(document: &T) -> Result<String, ViewError> {
    Ok(serde_json::to_string_pretty(document)? + "\n")
}
