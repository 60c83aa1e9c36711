//! What a file's metadata says about writing it, the Unix way (mode bits, owner); elsewhere, the
//! read-only flag alone.

use std::fs::{File, Metadata};
use std::io;

/// True when nobody may write the file: the owner, not even root, is meant to change it.
pub fn read_only(meta: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o222 == 0
    }
    #[cfg(not(unix))]
    {
        meta.permissions().readonly()
    }
}

/// Gives `file` the owner, group and mode of `old` (owner first: a change of owner clears the
/// set-id bits). Fails when the user may not give a file that owner.
pub fn keep_owner_and_mode(file: &File, old: &Metadata) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()))?;
        file.set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o7777))
    }
    #[cfg(not(unix))]
    {
        file.set_permissions(old.permissions())
    }
}

/// A new document is readable by all (mode 644, less the umask), as a file a shell writes.
pub fn new_file_mode(builder: &mut tempfile::Builder) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    #[cfg(not(unix))]
    let _ = builder;
}
