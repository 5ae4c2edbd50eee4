//! How the store fails: each failure a client or an operator must tell apart, in words that say
//! what to do.

use crate::local_vault::integrity::Damage;
use std::path::{Path, PathBuf};

/// The flag of `kvtui local-vault` that opens a store which lost writes.
pub const ACCEPT_LOST_WRITES_FLAG: &str = "--accept-lost-writes";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("the name is deleted but recoverable")]
    DeletedButRecoverable,
    #[error("a secret with this name already exists")]
    AlreadyExists,
    #[error("store: {0}")]
    Sqlite(rusqlite::Error),
    #[error("store: corrupt row: {0}")]
    Corrupt(String),
    /// A row does not match its integrity check: it is not served.
    #[error("store: damaged: {0}")]
    Damaged(#[from] Damage),
    /// A row whose columns cannot be read as what they should be: damage the checks cannot name.
    #[error("store: a row cannot be read: {0}")]
    Unreadable(String),
    /// The disk holding the store has no room; nothing of the write was kept.
    #[error("store: the disk is full")]
    Full,
    /// The transaction that held this write (with others set at the same moment) did not commit.
    #[error("store: the write was not committed: {0}")]
    Commit(String),
    #[error("store: {0}")]
    Untrusted(#[from] crate::file_trust::FileTrustError),
    #[error("store: cannot open {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{store} holds the vault's write transactions up to #{held}, but the vault acknowledged \
         writes up to #{acknowledged} (as {ledger} recorded): the last {} acknowledged writes \
         (new versions, updates, deletes, recoveries, purges) are not in it. The file was \
         emptied, truncated or replaced by an older copy, or its -wal file was deleted after a \
         crash. If you have the missing file, put it back and start again. To serve the store \
         as it is now and give up those writes for good, start the vault once as \
         'kvtui local-vault --data-dir {dir} {ACCEPT_LOST_WRITES_FLAG}'.",
        acknowledged - held,
        store = store.display(),
        ledger = ledger.display(),
        dir = data_dir(store).display()
    )]
    LostWrites {
        store: PathBuf,
        ledger: PathBuf,
        held: u64,
        acknowledged: u64,
    },
    #[error(
        "{ledger}, the record of the writes the vault acknowledged, is damaged, so kvtui cannot \
         tell whether {store} has lost any. Check the store with 'kvtui local-vault --data-dir \
         {dir} --check'; to serve it as it is and record it anew, start the vault once with \
         {ACCEPT_LOST_WRITES_FLAG}.",
        store = store.display(),
        ledger = ledger.display(),
        dir = data_dir(store).display()
    )]
    LedgerDamaged { store: PathBuf, ledger: PathBuf },
    #[error("store: {path} was made by a newer kvtui (store version {version}); update kvtui")]
    Newer { path: PathBuf, version: i64 },
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match error {
            _ if error.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) => Self::Full,
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::IntegralValueOutOfRange(..) => Self::Unreadable(error.to_string()),
            _ => Self::Sqlite(error),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

fn data_dir(store: &Path) -> &Path {
    store.parent().unwrap_or(Path::new("."))
}
