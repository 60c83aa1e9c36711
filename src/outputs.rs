//! `--output FORMAT[=PATH]`: which document goes to stdout and which to files. Everything is
//! checked before the first AWS call (one document on stdout at most; every file can be
//! written, `sink::Destination` preparing it), and each document is written whole at the end
//! (a file renamed into place, a device or FIFO in place), so a failed run leaves the old one.

use std::path::Path;

use anyhow::{bail, Result};
use output::formats::{Format, OutputSpec};
use sink::Destination;

/// Where a run's documents go.
pub struct Outputs {
    stdout: Format,
    files: Vec<Pending>,
}

/// A document for a file, not yet written.
struct Pending {
    format: Format,
    destination: Destination,
}

impl Outputs {
    /// The outputs the flags ask for (`--json` is `--output json`); refuses two documents on
    /// stdout, two on one file, and a file that cannot be written.
    pub fn open(specs: &[OutputSpec], json: bool) -> Result<Outputs> {
        let mut on_stdout: Vec<Format> = specs
            .iter()
            .filter(|s| s.path.is_none())
            .map(|s| s.format)
            .collect();
        if json {
            on_stdout.push(Format::Json);
        }
        if on_stdout.len() > 1 {
            let names: Vec<&str> = on_stdout.iter().map(|f| f.name()).collect();
            let (all, but) = match names.len() {
                2 => ("both", "one of them"),
                _ => ("all", "all but one"),
            };
            bail!(
                "{} would {all} go to stdout; write {but} to a file with --output FORMAT=PATH",
                names.join(" and ")
            );
        }
        let files = specs
            .iter()
            .filter_map(|s| s.path.as_ref().map(|p| (s.format, p)))
            .map(|(format, path)| pending(format, path))
            .collect::<Result<Vec<_>>>()?;
        refuse_same_file(&files)?;
        Ok(Outputs {
            stdout: on_stdout.first().copied().unwrap_or(Format::Human),
            files,
        })
    }

    /// Refuses a saved plan (`plan --out PATH`, or the one `apply PATH` reads) in a file a
    /// document is written to.
    pub fn refuse_plan_file(&self, out: Option<&Path>) -> Result<()> {
        let Some(id) = out.and_then(sink::identity) else {
            return Ok(());
        };
        if let Some(file) = self
            .files
            .iter()
            .find(|f| f.destination.identity() == Some(&id))
        {
            bail!(
                "the plan file and {} {} are both `{}`; give each its own file",
                file.format.flag(),
                file.format,
                file.destination.path().display()
            );
        }
        Ok(())
    }

    /// The document that goes to stdout (`human` unless the flags say otherwise).
    pub fn stdout(&self) -> Format {
        self.stdout
    }

    /// Writes every file document; `document` gives the text of each format.
    pub fn write_files(self, document: impl Fn(Format) -> Result<String>) -> Result<()> {
        for file in self.files {
            let text = document(file.format)?;
            file.destination.write(&text)?;
        }
        Ok(())
    }
}

fn pending(format: Format, path: &Path) -> Result<Pending> {
    let destination = Destination::open(path)
        .map_err(|e| anyhow::anyhow!("{} {format}={}: {e}", format.flag(), path.display()))?;
    Ok(Pending {
        format,
        destination,
    })
}

/// Two documents for one regular file, however its paths are written (`a.xml`, `./a.xml`, a
/// link to it); devices and FIFOs may take several.
fn refuse_same_file(files: &[Pending]) -> Result<()> {
    for (i, file) in files.iter().enumerate() {
        let Some(id) = file.destination.identity() else {
            continue;
        };
        if let Some(other) = files[..i]
            .iter()
            .find(|f| f.destination.identity() == Some(id))
        {
            bail!(
                "{} {} and {} {} both write `{}`; give each its own file",
                other.format.flag(),
                other.format,
                file.format.flag(),
                file.format,
                file.destination.path().display()
            );
        }
    }
    Ok(())
}
