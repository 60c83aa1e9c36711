//! `--output FORMAT[=PATH]`: which document goes to stdout and which to files. Everything is
//! checked before the first AWS call (one document on stdout at most; every file can be
//! created, by creating its temporary file next to it), and each file is written whole and
//! renamed into place, so a reader never sees half a document and a failed run leaves the old
//! one.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use output::formats::{Format, OutputSpec};
use tempfile::NamedTempFile;

/// Where a run's documents go.
pub struct Outputs {
    stdout: Format,
    files: Vec<Pending>,
}

/// A file document not yet written: its temporary file already exists beside the target.
struct Pending {
    format: Format,
    path: PathBuf,
    temp: NamedTempFile,
}

impl Outputs {
    /// The outputs the flags ask for (`--json` is `--output json`); refuses two documents on
    /// stdout, a directory, or a file that cannot be created.
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

    /// The document that goes to stdout (`human` unless the flags say otherwise).
    pub fn stdout(&self) -> Format {
        self.stdout
    }

    /// Writes every file document; `document` gives the text of each format.
    pub fn write_files(self, document: impl Fn(Format) -> Result<String>) -> Result<()> {
        for file in self.files {
            let text = document(file.format)?;
            write_atomically(file, &text)?;
        }
        Ok(())
    }
}

/// Creates the temporary file the document will be renamed from, in the target's directory
/// (so the rename stays on one file system).
fn pending(format: Format, path: &Path) -> Result<Pending> {
    let shown = path.display();
    if path.is_dir() {
        bail!("--output {format}={shown}: `{shown}` is a directory; name a file in it");
    }
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".trailwatch-").suffix(".tmp");
    // Documents are not secrets: readable by all, as a file the shell writes would be.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    if !dir.is_dir() {
        bail!(
            "--output {format}={shown}: there is no directory `{}`; create it or choose another path",
            dir.display()
        );
    }
    let temp = builder.tempfile_in(dir).map_err(|e| {
        anyhow::anyhow!(
            "--output {format}={shown}: cannot create a file in `{}` ({}); choose another path",
            dir.display(),
            e.kind()
        )
    })?;
    Ok(Pending {
        format,
        path: path.to_path_buf(),
        temp,
    })
}

fn refuse_same_file(files: &[Pending]) -> Result<()> {
    // The directory is known to exist; compare where the files would really be.
    let real = |p: &Path| {
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        dir.canonicalize()
            .ok()
            .map(|d| d.join(p.file_name().unwrap_or_default()))
    };
    for (i, file) in files.iter().enumerate() {
        if let Some(other) = files[..i]
            .iter()
            .find(|f| real(&f.path) == real(&file.path))
        {
            bail!(
                "--output {} and --output {} both write `{}`; give each its own file",
                other.format,
                file.format,
                file.path.display()
            );
        }
    }
    Ok(())
}

fn write_atomically(file: Pending, text: &str) -> Result<()> {
    let shown = file.path.display().to_string();
    let mut temp = file.temp;
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("cannot write `{shown}`"))?;
    temp.persist(&file.path)
        .with_context(|| format!("cannot write `{shown}`"))?;
    Ok(())
}
