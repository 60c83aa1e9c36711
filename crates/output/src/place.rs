//! Where each document of a run goes, decided from the flags before anything is read: at most
//! one on stdout, the others to files; the code of many accounts (`--emit FORMAT=DIR` with
//! `--accounts` or `--organization`) to a folder, a file per account (and region).

use std::path::PathBuf;

use crate::formats::{Format, OutputSpec};

/// Why the documents cannot go where the flags say; each text is one line saying what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceError {
    /// Several documents would go to stdout.
    #[error("{} would {} go to stdout; write {} to a file with --output FORMAT=PATH", .0.join(" and "), if .0.len() == 2 { "both" } else { "all" }, if .0.len() == 2 { "one of them" } else { "all but one" })]
    Stdout(Vec<&'static str>),
    /// Code of many accounts asked for on stdout.
    #[error("--emit {0} of many accounts writes a file per account: give a directory with --emit {0}=DIR")]
    NeedsFolder(Format),
    /// A stack set's template asked for with many accounts.
    #[error("--emit cloudformation-stackset writes one template for every account: emit it from one account's plan (without --accounts or --organization), one whose trail sends to the log group they all have")]
    StackSetOfMany,
}

/// Where a run's documents go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// The document on stdout (`human` when no flag names one).
    pub stdout: Format,
    /// Every document written to a file or folder.
    pub files: Vec<Placement>,
}

/// A document for a file, or for a folder of files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The format.
    pub format: Format,
    /// The file or folder.
    pub path: PathBuf,
    /// True when `path` is a folder of a file per account (code of many accounts).
    pub folder: bool,
}

/// Where each document goes (`json`: `--json` was given; `many`: the run reads many
/// accounts).
pub fn place(specs: &[OutputSpec], json: bool, many: bool) -> Result<Placed, PlaceError> {
    let is_code = |f: Format| Format::EMIT.contains(&f);
    if many
        && specs
            .iter()
            .any(|s| s.format == Format::CloudFormationStackSet)
    {
        return Err(PlaceError::StackSetOfMany);
    }
    if let Some(s) = specs
        .iter()
        .find(|s| many && is_code(s.format) && s.path.is_none())
    {
        return Err(PlaceError::NeedsFolder(s.format));
    }
    let mut on_stdout: Vec<Format> = specs
        .iter()
        .filter(|s| s.path.is_none())
        .map(|s| s.format)
        .collect();
    if json {
        on_stdout.push(Format::Json);
    }
    if on_stdout.len() > 1 {
        return Err(PlaceError::Stdout(
            on_stdout.iter().map(|f| f.name()).collect(),
        ));
    }
    let files = specs
        .iter()
        .filter_map(|s| {
            s.path.clone().map(|path| Placement {
                format: s.format,
                path,
                folder: many && is_code(s.format),
            })
        })
        .collect();
    Ok(Placed {
        stdout: on_stdout.first().copied().unwrap_or(Format::Human),
        files,
    })
}
