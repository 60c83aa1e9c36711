//! Files at trailwatch's edges: inputs it reads whole (a saved plan, the configuration file),
//! bounded in size and refused unless they are regular files, so a FIFO, a device or a huge
//! file is one clear line rather than a wait for ever or an exhausted memory; and where such a
//! file lies (its git repository), for the documents that point at it.

use std::io::Read;
use std::path::Path;

#[cfg(test)]
mod tests;

/// An input read whole: what it is called in messages and how large it may be.
#[derive(Debug, Clone, Copy)]
pub struct Whole {
    /// What the file is, for messages (`plan file`, `configuration file`).
    pub what: &'static str,
    /// The largest size read, in bytes.
    pub limit: u64,
}

/// A saved plan: a thousand accounts' plans fit in well under this.
pub const PLAN_FILE: Whole = Whole {
    what: "plan file",
    limit: 128 << 20,
};

/// The configuration file: kilobytes, even with a table per account of a large organization.
pub const CONFIG_FILE: Whole = Whole {
    what: "configuration file",
    limit: 4 << 20,
};

/// Why an input could not be read whole.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read the {what} `{path}`: {error}")]
    Io {
        what: &'static str,
        path: String,
        error: std::io::Error,
    },
    #[error("the {what} `{path}` is {kind}, not a regular file; give the path of a file")]
    NotRegular {
        what: &'static str,
        path: String,
        kind: &'static str,
    },
    #[error("the {what} `{path}` is larger than {limit_mib} MiB, more than any {what} trailwatch writes or reads; check the path")]
    TooLarge {
        what: &'static str,
        path: String,
        limit_mib: u64,
    },
    #[error("the {what} `{path}` is not UTF-8 text; check the path")]
    NotText { what: &'static str, path: String },
}

/// Reads a regular file whole as text, refusing anything else and anything above the limit
/// (checked on the bytes read, not only the size the file system reports). `/dev/null` is the
/// empty file, as the shell idiom `--config /dev/null` means.
pub fn read_whole(path: &Path, whole: Whole) -> Result<String, ReadError> {
    if path
        .canonicalize()
        .is_ok_and(|p| p == Path::new("/dev/null"))
    {
        return Ok(String::new());
    }
    let shown = path.display().to_string();
    let io = |error| ReadError::Io {
        what: whole.what,
        path: shown.clone(),
        error,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if let Some(kind) = not_regular(&meta.file_type()) {
        return Err(ReadError::NotRegular {
            what: whole.what,
            path: shown,
            kind,
        });
    }
    let too_large = || ReadError::TooLarge {
        what: whole.what,
        path: shown.clone(),
        limit_mib: whole.limit >> 20,
    };
    if meta.len() > whole.limit {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(whole.limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > whole.limit {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|_| ReadError::NotText {
        what: whole.what,
        path: shown.clone(),
    })
}

/// Where a file lies: in a git repository, or outside any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `root`, the repository's top level (absolute), and the file relative to it, with `/`
    /// between the folders.
    InRepository { root: String, relative: String },
    /// Outside any git repository: the file's absolute path.
    Outside(String),
}

/// Where `path` lies: relative to the top level of the git repository holding it (the nearest
/// folder above it with a `.git` entry, as `git rev-parse --show-toplevel` finds it, worktrees
/// and submodules included), else by its absolute path.
pub fn locate(path: &Path) -> Location {
    let path = std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or(path.to_path_buf());
    let root = path
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists());
    match root.and_then(|root| Some((root, path.strip_prefix(root).ok()?))) {
        Some((root, relative)) => Location::InRepository {
            root: root.to_string_lossy().into_owned(),
            relative: relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
        },
        None => Location::Outside(path.to_string_lossy().into_owned()),
    }
}

/// What a file that is not a regular file is, in words.
fn not_regular(kind: &std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO (a pipe)");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some("a device");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    match () {
        _ if kind.is_dir() => Some("a directory"),
        _ if kind.is_file() => None,
        _ => Some("not a regular file"),
    }
}
