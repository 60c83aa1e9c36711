//! Where a document is written: checked and prepared before a run reads anything, written whole
//! at its end. A regular file is replaced atomically (a temporary file beside it, renamed over
//! it), keeping its mode and owner, and through its symbolic links, which stay links; a
//! character device, FIFO or other special file is written in place, as a shell's `>` would.
//!
//! Plain file-system calls; the binary decides which documents go where.

mod folder;
mod platform;
#[cfg(all(test, unix))]
mod tests;

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

pub use folder::{Batch, Contents, Folder, Target};

/// Symbolic links followed at most (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Why a destination cannot be written. Each text is one line that says what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path is a directory.
    #[error("`{path}` is a directory; name a file in it")]
    Directory {
        /// The path as given.
        path: PathBuf,
    },
    /// A folder was asked for and the path is something else.
    #[error("`{path}` is not a directory; name a directory (a file per account goes in it)")]
    NotFolder {
        /// The path as given.
        path: PathBuf,
    },
    /// Files for a file, or one text for a folder.
    #[error("`{path}` takes one document as a file, or files as a folder, not the other")]
    Mismatch {
        /// The path as given.
        path: PathBuf,
    },
    /// A file of a folder would lead out of it.
    #[error("`{path}` is not a plain path inside the folder")]
    Outside {
        /// The path as given.
        path: PathBuf,
    },
    /// The file's directory does not exist.
    #[error("there is no directory `{dir}`; create it or choose another path")]
    NoDirectory {
        /// The directory.
        dir: PathBuf,
    },
    /// The file exists and nobody may write it (its mode has no `w`).
    #[error("`{path}` is read-only; make it writable (`chmod u+w`) or choose another path")]
    ReadOnly {
        /// The path as given.
        path: PathBuf,
    },
    /// The file exists and cannot be opened for writing.
    #[error("cannot open `{path}` for writing ({kind}); choose another path")]
    Open {
        /// The path as given.
        path: PathBuf,
        /// Why, as the system says.
        kind: io::ErrorKind,
    },
    /// No temporary file can be created beside the file.
    #[error("cannot create a file in `{dir}` ({kind}); choose another path")]
    Create {
        /// The directory.
        dir: PathBuf,
        /// Why, as the system says.
        kind: io::ErrorKind,
    },
    /// The path's symbolic links do not end within `MAX_LINKS`.
    #[error("`{path}` leads through more than {MAX_LINKS} symbolic links; name the file itself")]
    Links {
        /// The path as given.
        path: PathBuf,
    },
    /// Writing failed (a full disk or device, a FIFO whose reader left). The system's error is
    /// in the text, not a source: the binary treats a closed pipe in an error's chain as its
    /// reader going away, which a document's FIFO is not.
    #[error("cannot write `{path}`: {cause}")]
    Write {
        /// The path as given.
        path: PathBuf,
        /// The system's error.
        cause: io::Error,
    },
}

/// A document's destination, checked and ready to be written.
#[derive(Debug)]
pub struct Destination {
    path: PathBuf,
    identity: Option<Identity>,
    how: How,
}

#[derive(Debug)]
enum How {
    /// A regular file, or none yet, at `target` (the path with its links followed): `temp`,
    /// beside it with its mode and owner, is renamed over it.
    Replace {
        target: PathBuf,
        temp: NamedTempFile,
    },
    /// A special file, or a regular file whose owner a new file could not have (`truncate`),
    /// already open for writing.
    InPlace { file: File, truncate: bool },
}

/// Which file a path names, to tell when two outputs would write the same one: its absolute
/// path with every symbolic link followed (for a file not yet created, its directory's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity(PathBuf);

/// Which regular file `path` names (existing or not); `None` for a device, FIFO or other special
/// file, which documents may share, and for a path that cannot be resolved.
pub fn identity(path: &Path) -> Option<Identity> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => fs::canonicalize(path).ok().map(Identity),
        Ok(_) => None,
        Err(_) => {
            let target = resolve(path).ok()?;
            let dir = folder(&target).canonicalize().ok()?;
            Some(Identity(dir.join(target.file_name()?)))
        }
    }
}

impl Destination {
    /// Checks that `path` can be written, and prepares it: a temporary file beside a regular
    /// file (new or not), or a special file opened (a FIFO waits for its reader here).
    pub fn open(path: &Path) -> Result<Destination, Error> {
        let how = match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                return Err(Error::Directory { path: path.into() });
            }
            Ok(meta) if !meta.is_file() => How::InPlace {
                file: open_for_writing(path)?,
                truncate: false,
            },
            Ok(meta) => replace_existing(path, &meta)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => replace_new(path)?,
            Err(e) => {
                let kind = e.kind();
                return Err(Error::Open {
                    path: path.into(),
                    kind,
                });
            }
        };
        Ok(Destination {
            path: path.into(),
            identity: identity(path),
            how,
        })
    }

    /// The regular file it writes; `None` for a special file.
    pub fn identity(&self) -> Option<&Identity> {
        self.identity.as_ref()
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `text` as the whole document.
    pub fn write(self, text: &str) -> Result<(), Error> {
        let failed = |cause| Error::Write {
            path: self.path.clone(),
            cause,
        };
        match self.how {
            How::Replace { target, mut temp } => {
                temp.write_all(text.as_bytes())
                    .and_then(|()| temp.as_file().sync_all())
                    .map_err(failed)?;
                temp.persist(&target).map_err(|e| failed(e.error))?;
            }
            How::InPlace { mut file, truncate } => {
                if truncate {
                    file.set_len(0).map_err(failed)?;
                }
                file.write_all(text.as_bytes())
                    .and_then(|()| file.flush())
                    .map_err(failed)?;
            }
        }
        Ok(())
    }
}

/// A file not yet there (or a link to one): a temporary file in the directory it will be in.
fn replace_new(path: &Path) -> Result<How, Error> {
    let target = resolve(path)?;
    let temp = temporary_beside(&target)?;
    Ok(How::Replace { target, temp })
}

/// An existing regular file: refused when read-only or not writable; replaced by a temporary
/// file with its mode and owner, or written in place when a new file cannot have its owner.
fn replace_existing(path: &Path, meta: &Metadata) -> Result<How, Error> {
    if platform::read_only(meta) {
        return Err(Error::ReadOnly { path: path.into() });
    }
    let file = open_for_writing(path)?;
    let target = resolve(path)?;
    let temp = temporary_beside(&target)?;
    match platform::keep_owner_and_mode(temp.as_file(), meta) {
        Ok(()) => Ok(How::Replace { target, temp }),
        Err(_) => Ok(How::InPlace {
            file,
            truncate: true,
        }),
    }
}

fn open_for_writing(path: &Path) -> Result<File, Error> {
    OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| Error::Open {
            path: path.into(),
            kind: e.kind(),
        })
}

/// A temporary file in `target`'s directory, so that the rename stays on one file system.
fn temporary_beside(target: &Path) -> Result<NamedTempFile, Error> {
    let dir = folder(target);
    if !dir.is_dir() {
        return Err(Error::NoDirectory { dir: dir.into() });
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".trailwatch-").suffix(".tmp");
    platform::new_file_mode(&mut builder);
    builder.tempfile_in(dir).map_err(|e| Error::Create {
        dir: dir.into(),
        kind: e.kind(),
    })
}

/// `path` with the symbolic links of its last component followed (a relative link from the
/// link's directory): the file they lead to is the one replaced, and the links stay links.
fn resolve(path: &Path) -> Result<PathBuf, Error> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let is_link = fs::symlink_metadata(&current).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            return Ok(current);
        }
        let target = fs::read_link(&current).map_err(|e| Error::Open {
            path: path.into(),
            kind: e.kind(),
        })?;
        current = folder(&current).join(target);
    }
    Err(Error::Links { path: path.into() })
}

/// The directory a file is in (`.` for a bare name).
fn folder(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}
