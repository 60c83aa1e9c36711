//! `--output FORMAT[=PATH]` and `--emit`: which document goes to stdout and which to files
//! (`output::place`). Everything is checked before the first AWS call (every file or
//! folder can be written, `sink::Target` preparing it), and each document is written whole at
//! the end (a file renamed into place, a device or FIFO in place), so a failed run leaves the
//! old one.

use std::path::Path;

use anyhow::{bail, Result};
use output::formats::{Format, OutputSpec};
use output::place::Placement;
use output::views::CodeFile;
use sink::{Batch, Contents, Target};

/// Where a run's documents go.
pub struct Outputs {
    stdout: Format,
    files: Vec<Pending>,
}

/// A document for a file (or a folder of files), not yet written.
struct Pending {
    format: Format,
    target: Target,
}

impl Outputs {
    /// The outputs the flags ask for (`--json` is `--output json`; `many`: code goes to a
    /// folder per format); refuses two documents on stdout, two on one file, and a file that
    /// cannot be written.
    pub fn open(specs: &[OutputSpec], json: bool, many: bool) -> Result<Outputs> {
        let placed = output::place::place(specs, json, many)?;
        let files = placed
            .files
            .iter()
            .map(pending)
            .collect::<Result<Vec<_>>>()?;
        refuse_same_file(&files)?;
        Ok(Outputs {
            stdout: placed.stdout,
            files,
        })
    }

    /// Refuses a saved plan (`plan --out PATH`, or the one `apply PATH` reads) in a file a
    /// document is written to.
    pub fn refuse_plan_file(&self, out: Option<&Path>) -> Result<()> {
        let Some(id) = out.and_then(sink::identity) else {
            return Ok(());
        };
        if let Some(file) = self.files.iter().find(|f| f.target.identity() == Some(&id)) {
            bail!(
                "the plan file and {} {} are both `{}`; give each its own file",
                file.format.flag(),
                file.format,
                file.target.path().display()
            );
        }
        Ok(())
    }

    /// The document that goes to stdout (`human` unless the flags say otherwise).
    pub fn stdout(&self) -> Format {
        self.stdout
    }

    /// Every file document, made before any is written (a document that cannot be made
    /// leaves every file as it was): `document` gives the text of each format, `files` its
    /// files in a folder.
    pub fn render(
        self,
        document: impl Fn(Format) -> Result<String>,
        files: impl Fn(Format) -> Result<Vec<CodeFile>>,
    ) -> Result<Batch> {
        let mut batch = Batch::default();
        for Pending { format, target } in self.files {
            let contents = match target.is_folder() {
                true => Contents::Files(files(format)?.into_iter().map(Into::into).collect()),
                false => Contents::Text(document(format)?),
            };
            batch.push(target, contents);
        }
        Ok(batch)
    }
}

fn pending(
    Placement {
        format,
        path,
        folder,
    }: &Placement,
) -> Result<Pending> {
    let target = Target::open(path, *folder)
        .map_err(|e| anyhow::anyhow!("{} {format}={}: {e}", format.flag(), path.display()))?;
    let format = *format;
    Ok(Pending { format, target })
}

/// Two documents for one regular file, however its paths are written (`a.xml`, `./a.xml`, a
/// link to it), or a file and a folder (`sink::Target::clash`).
fn refuse_same_file(files: &[Pending]) -> Result<()> {
    let labelled: Vec<(Format, &Target)> = files.iter().map(|f| (f.format, &f.target)).collect();
    if let Some((a, b)) = Target::clash(&labelled) {
        let (other, file) = (&files[a], &files[b]);
        bail!(
            "{} {} and {} {} both write `{}`; give each its own file",
            other.format.flag(),
            other.format,
            file.format.flag(),
            file.format,
            file.target.path().display()
        );
    }
    Ok(())
}
