//! Creating files and directories that hold secrets or credentials: owner-only from the first
//! byte, so there is never a window in which another user could read them, never through a
//! symbolic link, and replaced whole.

use crate::file_trust::{self, FileRule, FileTrustError};
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

/// Opens `path` read-write, creating it with mode 0600; an existing file must pass `rule`.
pub fn open_private(path: &Path, rule: FileRule) -> Result<File, FileTrustError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).mode(0o600);
    file_trust::open(path, &mut options, rule)?.ok_or_else(|| FileTrustError::Io {
        path: path.to_owned(),
        source: io::Error::from(io::ErrorKind::NotFound),
    })
}

/// Opens a log for appending, creating it with mode 0600. An existing log must be the user's and
/// not writable by others; it is made owner-only (a log names secrets, never holds their values).
pub fn open_log(path: &Path) -> Result<File, FileTrustError> {
    let mut options = OpenOptions::new();
    options.append(true).create(true).mode(0o600);
    let io_error = |source| FileTrustError::Io {
        path: path.to_owned(),
        source,
    };
    let file = file_trust::open(path, &mut options, FileRule::Public)?
        .ok_or_else(|| io_error(io::Error::from(io::ErrorKind::NotFound)))?;
    // Through the open file, which is no link.
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(io_error)?;
    Ok(file)
}

/// Writes `contents` to a file that must not exist yet (a backup never overwrites), owner-only,
/// synced before returning. `create_new` also refuses a link planted at `path`.
pub fn write_new_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Where a temporary file for `path` goes: next to it, under a name no other writer picks, so
/// writers never share one and a name planted in advance is never opened.
fn temporary_for(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", crate::random::hex(8)))
}

/// Whether `name` is a temporary file [`Staged`] makes.
fn is_temporary(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .and_then(|rest| rest.rsplit_once('.'))
        .is_some_and(|(stem, random)| {
            !stem.is_empty() && random.len() == 16 && random.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// A file written and synced under a temporary name; [`Staged::commit`] puts it in place, and a
/// staged file dropped without a commit is removed.
pub struct Staged {
    temporary: PathBuf,
    path: PathBuf,
}

impl Staged {
    /// Writes `contents`, owner-only, to a new temporary file beside `path`.
    pub fn write(path: &Path, contents: &[u8]) -> io::Result<Self> {
        Self::write_with_mode(path, contents, 0o600)
    }

    /// As [`Staged::write`], the file then given `mode` (a file it replaces keeps its mode so):
    /// owner-only while it is written, and exactly `mode` whatever the umask.
    pub fn write_with_mode(path: &Path, contents: &[u8], mode: u32) -> io::Result<Self> {
        let staged = Self {
            temporary: temporary_for(path),
            path: path.to_owned(),
        };
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&staged.temporary)?;
        file.write_all(contents)?;
        file.set_permissions(fs::Permissions::from_mode(mode))?;
        file.sync_all()?;
        Ok(staged)
    }

    /// Renames the file into place; the directory still needs [`sync_dir`] to make it durable.
    pub fn commit(mut self) -> io::Result<()> {
        fs::rename(&self.temporary, &self.path)?;
        // Renamed: there is nothing left for drop to remove.
        self.temporary = PathBuf::new();
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.temporary.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}

/// Makes the renames and removals in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Writes `contents` to a new owner-only file atomically: a reader sees the old file or the whole
/// new one, never a torn write.
pub fn write_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    Staged::write(path, contents)?.commit()?;
    match path.parent() {
        Some(parent) => sync_dir(parent),
        None => Ok(()),
    }
}

/// Removes the temporary files a writer killed before its rename left in `dir`. Only for a dir
/// whose writers all hold its lock, so none of them is still writing.
pub fn remove_stray_temporaries(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_str().is_some_and(is_temporary) {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_unique_and_recognised() {
        let path = Path::new("/data/tls-key.pem");
        let (a, b) = (temporary_for(path), temporary_for(path));
        assert_ne!(a, b);
        for temporary in [a, b] {
            let name = temporary
                .file_name()
                .and_then(|name| name.to_str())
                .expect("a name");
            assert!(
                name.starts_with(".tls-key.pem.") && is_temporary(name),
                "{name}"
            );
        }
        for name in [
            "token",
            "token.tmp",
            ".token.tmp",
            ".token.xyz.tmp",
            "lock",
            "vault.db-wal",
        ] {
            assert!(!is_temporary(name), "{name}");
        }
    }
}
