//! A folder of documents (the code of many accounts, a file per account and region): checked
//! when the run starts, its files written whole at the end, each as a `Destination` is.

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::{identity, Destination, Error, Identity};

/// A folder, checked and ready to take files.
#[derive(Debug)]
pub struct Folder {
    path: PathBuf,
    identity: Option<Identity>,
}

/// A file or a folder of files.
#[derive(Debug)]
pub enum Target {
    /// One document, in one file.
    File(Destination),
    /// A document as several files, in one folder.
    Folder(Folder),
}

/// What a target writes: one document's text, or the files of a folder (paths relative to
/// it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// A file's text.
    Text(String),
    /// A folder's files.
    Files(Vec<(PathBuf, String)>),
}

/// Documents made and not yet written, each with where it goes: written together once every
/// one of them could be made.
#[derive(Debug, Default)]
pub struct Batch(Vec<(Target, Contents)>);

impl Batch {
    /// Adds a document.
    pub fn push(&mut self, target: Target, contents: Contents) {
        self.0.push((target, contents));
    }

    /// Writes each document, in the order added.
    pub fn write(self) -> Result<(), Error> {
        self.0.into_iter().try_for_each(|(t, c)| t.write(c))
    }
}

impl Target {
    /// Writes the contents: a text to a file, files to a folder (anything else is refused).
    pub fn write(self, contents: Contents) -> Result<(), Error> {
        match (self, contents) {
            (Target::File(d), Contents::Text(text)) => d.write(&text),
            (Target::Folder(f), Contents::Files(files)) => f.write(files),
            (target, _) => Err(Error::Mismatch {
                path: target.path().into(),
            }),
        }
    }

    /// True for a folder.
    pub fn is_folder(&self) -> bool {
        matches!(self, Target::Folder(_))
    }

    /// The first two of `targets` (labelled: `L`) that would write the same file or folder,
    /// by their positions: a file and a folder never share a path, two folders may when their
    /// labels differ (each writes its own files in it); devices and FIFOs may take several.
    pub fn clash<L: PartialEq>(targets: &[(L, &Target)]) -> Option<(usize, usize)> {
        for (i, (label, target)) in targets.iter().enumerate() {
            let Some(id) = target.identity() else {
                continue;
            };
            let shares = |(other, t): &(L, &Target)| {
                t.identity() == Some(id) && !(t.is_folder() && target.is_folder() && other != label)
            };
            if let Some(first) = targets[..i].iter().position(shares) {
                return Some((first, i));
            }
        }
        None
    }

    /// Checks and prepares `path` as a file, or as a folder when `folder`.
    pub fn open(path: &Path, folder: bool) -> Result<Target, Error> {
        Ok(match folder {
            true => Target::Folder(Folder::open(path)?),
            false => Target::File(Destination::open(path)?),
        })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        match self {
            Target::File(d) => d.path(),
            Target::Folder(f) => &f.path,
        }
    }

    /// Which file or folder it writes; `None` for a special file.
    pub fn identity(&self) -> Option<&Identity> {
        match self {
            Target::File(d) => d.identity(),
            Target::Folder(f) => f.identity.as_ref(),
        }
    }
}

impl Folder {
    /// Checks that `path` is a folder files can be created in, or can be created (its parent
    /// is a folder files can be created in); creates nothing but a temporary file, removed.
    pub fn open(path: &Path) -> Result<Folder, Error> {
        let writable = match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => path,
            Ok(_) => return Err(Error::NotFolder { path: path.into() }),
            Err(_) => crate::folder(path),
        };
        if !writable.is_dir() {
            return Err(Error::NoDirectory {
                dir: writable.into(),
            });
        }
        tempfile::Builder::new()
            .prefix(".trailwatch-")
            .tempfile_in(writable)
            .map_err(|e| Error::Create {
                dir: writable.into(),
                kind: e.kind(),
            })?;
        Ok(Folder {
            path: path.into(),
            identity: identity(path).or_else(|| fs::canonicalize(path).ok().map(Identity)),
        })
    }

    /// Writes every file (paths relative to the folder, in folders it creates as needed):
    /// each is prepared before the first is written, and each written whole.
    pub fn write(self, files: impl IntoIterator<Item = (PathBuf, String)>) -> Result<(), Error> {
        let mut ready = Vec::new();
        for (relative, text) in files {
            let path = self.inside(&relative)?;
            let dir = crate::folder(&path);
            fs::create_dir_all(dir).map_err(|e| Error::Create {
                dir: dir.into(),
                kind: e.kind(),
            })?;
            ready.push((Destination::open(&path)?, text));
        }
        for (destination, text) in ready {
            destination.write(&text)?;
        }
        Ok(())
    }

    /// A file's path in the folder; refuses one that would lead out of it.
    fn inside(&self, relative: &Path) -> Result<PathBuf, Error> {
        let plain = relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        match plain {
            true => Ok(self.path.join(relative)),
            false => Err(Error::Outside {
                path: relative.into(),
            }),
        }
    }
}
