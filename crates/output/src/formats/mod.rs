//! The documents `--output FORMAT` writes for security tools and people: SARIF, OCSF, ASFF, JUnit
//! XML, CSV, Markdown and HTML, each built from the same run (every account, every selected control).
//!
//! `human` and `json` are the plan and apply documents of `render` and `documents`; this module
//! names every format and builds the other seven from a `run::Run`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

pub mod asff;
pub mod backtest_html;
pub mod csv;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod ocsf;
mod page;
pub mod run;
pub mod sarif;
mod text;

pub use run::{action_line, standard, ConfigFile, Item, Resource, ResourceKind, Run, CONTROLS_URL};

/// A document format of `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The text trailwatch prints on a terminal.
    Human,
    /// trailwatch's own JSON (`docs/json.md`).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// OCSF Compliance Finding events, for Security Lake and SIEMs.
    Ocsf,
    /// AWS Security Finding Format, for Security Hub.
    Asff,
    /// JUnit XML, for CI test reports.
    Junit,
    /// CSV, one row per account and control.
    Csv,
    /// A Markdown summary, for pull requests and `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// A self-contained HTML report, for auditors and account owners.
    Html,
    /// The plan's actions as Terraform (`plan --emit`, `iac::terraform`).
    Terraform,
    /// The plan's actions as a CloudFormation template (`iac::template`).
    CloudFormation,
    /// The template of the `IMPORT` change set before it (existing resources as they are).
    CloudFormationImportTemplate,
    /// The resources-to-import file of that change set.
    CloudFormationResourcesToImport,
    /// One template with parameters for every account of a CloudFormation stack set
    /// (`iac::stackset`).
    CloudFormationStackSet,
}

impl Format {
    /// Every format, in the order the help lists them.
    pub const ALL: [Format; 9] = [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Ocsf,
        Format::Asff,
        Format::Junit,
        Format::Csv,
        Format::Markdown,
        Format::Html,
    ];

    /// The formats of `plan --emit`: the plan's actions as code.
    pub const EMIT: [Format; 5] = [
        Format::Terraform,
        Format::CloudFormation,
        Format::CloudFormationImportTemplate,
        Format::CloudFormationResourcesToImport,
        Format::CloudFormationStackSet,
    ];

    /// The flag that names it: `--emit` for code, `--output` for documents.
    pub fn flag(self) -> &'static str {
        match Format::EMIT.contains(&self) {
            true => "--emit",
            false => "--output",
        }
    }

    /// The name `--output` (or `--emit`) takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Ocsf => "ocsf",
            Format::Asff => "asff",
            Format::Junit => "junit",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Terraform => "terraform",
            Format::CloudFormation => "cloudformation",
            Format::CloudFormationImportTemplate => "cloudformation-import-template",
            Format::CloudFormationResourcesToImport => "cloudformation-resources-to-import",
            Format::CloudFormationStackSet => "cloudformation-stackset",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        one_of(s, &Format::ALL, "output")
    }
}

/// The format named `s` among `formats` (`what` says which kind in the error).
fn one_of(s: &str, formats: &[Format], what: &str) -> Result<Format, String> {
    formats
        .iter()
        .copied()
        .find(|f| f.name() == s)
        .ok_or_else(|| {
            let names: Vec<&str> = formats.iter().map(|f| f.name()).collect();
            format!(
                "unknown {what} format `{s}`; use one of {}",
                names.join(", ")
            )
        })
}

/// The `PATH` of `--output FORMAT=PATH` that means standard output, as `/dev/stdout` does
/// (`./-` names a file called `-`).
pub const STDOUT: &str = "-";

/// One `--output FORMAT[=PATH]`: a format, and the file it goes to (stdout without one, or with
/// `-` or `/dev/stdout`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    /// The format.
    pub format: Format,
    /// The file, or `None` for stdout.
    pub path: Option<PathBuf>,
}

impl FromStr for OutputSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        spec(s, &Format::ALL, "output")
    }
}

/// One `plan --emit FORMAT[=PATH]`: a code format (`Format::EMIT`) and its file, or stdout.
pub fn emit_spec(s: &str) -> Result<OutputSpec, String> {
    spec(s, &Format::EMIT, "--emit")
}

fn spec(s: &str, formats: &[Format], what: &str) -> Result<OutputSpec, String> {
    let (format, path) = match s.split_once('=') {
        Some((_, "")) => {
            return Err(format!(
                "`{s}` names no file after `=`; write FORMAT=PATH, or FORMAT alone for stdout"
            ))
        }
        Some((format, STDOUT | "/dev/stdout")) => (format, None),
        Some((format, path)) => (format, Some(PathBuf::from(path))),
        None => (s, None),
    };
    Ok(OutputSpec {
        format: one_of(format, formats, what)?,
        path,
    })
}

/// The document of one of the seven formats built from a run; `None` for `human` and `json`, which
/// depend on the command (`render`, `documents`).
pub fn document(format: Format, run: &Run) -> Option<String> {
    match format {
        Format::Human | Format::Json => None,
        Format::Terraform | Format::CloudFormation => None,
        Format::CloudFormationImportTemplate | Format::CloudFormationResourcesToImport => None,
        Format::CloudFormationStackSet => None,
        Format::Sarif => Some(sarif::document(run)),
        Format::Ocsf => Some(ocsf::document(run)),
        Format::Asff => Some(asff::document(run)),
        Format::Junit => Some(junit::document(run)),
        Format::Csv => Some(csv::document(run)),
        Format::Markdown => Some(markdown::document(run)),
        Format::Html => Some(html::document(run)),
    }
}
