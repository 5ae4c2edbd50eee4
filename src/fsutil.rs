//! Creating files and directories that hold secrets or credentials: owner-only from the first
//! byte, so there is never a window in which another user could read them.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// A path as a user types it at a prompt: `~` and `~/…` are their home directory, as in a shell.
pub fn expand_home(typed: &Path) -> PathBuf {
    let home = || std::env::var_os("HOME").filter(|home| !home.is_empty());
    match typed.strip_prefix("~") {
        Ok(rest) => match home() {
            Some(home) => Path::new(&home).join(rest),
            None => typed.to_owned(),
        },
        Err(_) => typed.to_owned(),
    }
}

/// Creates `dir` and its parents with mode 0700 where they do not exist yet.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// Creates an empty file with mode 0600 if it does not exist; tightens the mode if it does.
pub fn create_private_file(path: &Path) -> io::Result<()> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

/// Writes `contents` to a file that must not exist yet (a backup never overwrites), owner-only,
/// synced before returning.
pub fn write_new_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Writes `contents` to a new owner-only file atomically: a reader sees the old file or the whole
/// new one, never a torn write.
pub fn write_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let temporary = path.with_extension("tmp");
    {
        let mut file: File = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
    }
    fs::rename(&temporary, path)?;
    if let Some(parent) = path.parent() {
        File::open(parent)?.sync_all()?;
    }
    Ok(())
}
