//! A local vault's data dir: checked before anything in it is read or written (see
//! [`crate::file_trust`]), and set up under a lock, so that first runs started together agree on
//! one token, one backup key and one TLS identity, and a dir left half made (by a kill, or by a
//! kvtui from before the lock) is finished on the next start rather than failing every start.

use super::store::{LostWrites, Store};
use super::{LocalVaultError, backup, tls, token};
use crate::file_trust::{self, FileRule, FileTrustError, Limit, Place};
use crate::fsutil;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub const STORE_FILE: &str = "vault.db";
/// Held (flock) by whoever sets the data dir up; it holds nothing.
pub const LOCK_FILE: &str = "lock";
const BACKUP_KEY_FILE: &str = "backup.key";
/// SQLite's companions of the store, opened by SQLite itself.
const STORE_COMPANIONS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// Everything a vault serves from, read or made.
pub(crate) struct Contents {
    pub token: Zeroizing<String>,
    pub backup_key: Zeroizing<[u8; backup::KEY_LEN]>,
    pub identity: tls::Identity,
    pub store: Store,
}

/// Creates `dir` (mode 0700) where it does not exist and checks it and the dirs above it.
/// Returns it with links resolved: the path that was checked is the one used afterwards.
pub fn prepare(dir: &Path) -> Result<PathBuf, FileTrustError> {
    fsutil::create_private_dir(dir).map_err(|source| FileTrustError::Io {
        path: dir.to_owned(),
        source,
    })?;
    file_trust::check_dir(dir, Place::DataDir)
}

/// Opens the data dir at `dir`, making what is missing, with the dir's lock held throughout.
pub(crate) fn open(
    dir: &Path,
    lost_writes: LostWrites,
) -> Result<(PathBuf, Contents), LocalVaultError> {
    let dir = prepare(dir)?;
    let io_error = |source| LocalVaultError::DataDir {
        path: dir.clone(),
        source,
    };
    let lock = fsutil::open_private(&dir.join(LOCK_FILE), FileRule::Kept)?;
    // Blocks while another kvtui sets the dir up; released when `lock` is dropped.
    lock.lock().map_err(io_error)?;
    let removed = fsutil::remove_stray_temporaries(&dir).map_err(io_error)?;
    if removed > 0 {
        tracing::info!(
            removed,
            "removed temporary files left by an interrupted start"
        );
    }
    let token = token::load_or_create(&dir)?;
    let backup_key = load_backup_key(&dir)?;
    let identity = tls::load_or_create(&dir)?;
    for companion in STORE_COMPANIONS {
        // SQLite opens these itself: here they are checked first, so that one planted as a link
        // or by another user is named, not followed or written to.
        let path = dir.join(format!("{STORE_FILE}{companion}"));
        file_trust::check_existing(&path, FileRule::Kept)?;
    }
    let store = Store::open_with(&dir.join(STORE_FILE), lost_writes)?;
    drop(lock);
    Ok((
        dir,
        Contents {
            token,
            backup_key,
            identity,
            store,
        },
    ))
}

/// The key backup blobs are sealed with, made when there is none. One of the wrong length is
/// not made again: backups sealed with the right one would be lost with it.
fn load_backup_key(dir: &Path) -> Result<Zeroizing<[u8; backup::KEY_LEN]>, LocalVaultError> {
    let path = dir.join(BACKUP_KEY_FILE);
    let limit = Limit {
        bytes: 4096,
        what: "a backup key",
    };
    let mut key = Zeroizing::new([0u8; backup::KEY_LEN]);
    match file_trust::read(&path, FileRule::Kept, limit)? {
        // Empty: a kvtui from before key writes were atomic, killed mid-write.
        Some(raw) if !raw.is_empty() => {
            if raw.len() != backup::KEY_LEN {
                return Err(LocalVaultError::BackupKey {
                    path,
                    length: raw.len(),
                });
            }
            key.copy_from_slice(&raw);
        }
        _ => {
            crate::random::fill(key.as_mut_slice());
            fsutil::write_private_file(&path, key.as_slice())
                .map_err(|source| LocalVaultError::DataDir { path, source })?;
        }
    }
    Ok(key)
}
