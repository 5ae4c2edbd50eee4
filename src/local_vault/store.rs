//! The local vault's durable store: SQLite in WAL mode with `synchronous=FULL`, so a write the
//! server has acknowledged is on disk before the response leaves, and survives `kill -9`.
//!
//! Secret names are case-insensitive as in Key Vault: rows are keyed by the lowercased name and
//! keep the spelling the secret was first created with.
//!
//! What the store refuses to do silently: serve a row that does not match its integrity check
//! (see `integrity`), start on a file that holds fewer writes than its ledger recorded (see
//! `ledger`), or keep a purged value's bytes in its files (`secure_delete`, and the WAL truncated
//! after every purge).

pub mod error;
pub mod shapes;

use super::ledger::{self, Ledger, Record};
use super::rows::{
    META_COLUMNS, SecretRow, StoredRow, VersionRow, insert_version, meta_by_seq, page,
};
use super::schema::{self, Prepared};
use super::writing::{NameState, SetJob, SetQueue, Writing, commit_sets};
use crate::vault::UpdateSecretParameters;
pub use error::{ACCEPT_LOST_WRITES_FLAG, StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use shapes::key_of;
pub use shapes::{
    DeletedSecret, NewVersion, SecretExport, SecretVersion, VersionMeta, VersionSettings,
};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// How a delete behaves, from the vault's recovery level.
#[derive(Clone, Copy, Debug)]
pub enum DeleteMode {
    /// Keep the secret hidden until this unix time, then purge it.
    Soft {
        scheduled_purge_date: i64,
    },
    Permanent,
}

/// What to do with a store that holds fewer writes than its ledger recorded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LostWrites {
    /// Refuse to open it, saying what is missing.
    #[default]
    Refuse,
    /// Open it as it is: the user has accepted that the missing writes are gone.
    Accept,
}

pub struct Store {
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    path: PathBuf,
    ledger: Ledger,
    /// Set Secrets waiting for the writer: whoever gets it next commits all of them at once.
    sets: Mutex<SetQueue>,
}

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(Duration::from_secs(30))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // A deleted row's bytes are overwritten with zeros, so a purged value leaves none behind.
    connection.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the store at `path`, readable and writable by the owner only;
    /// refuses one that lost writes. A store that is a link, another user's or readable by
    /// others is refused.
    pub fn open(path: &Path) -> StoreResult<Self> {
        Self::open_with(path, LostWrites::Refuse)
    }

    /// Opens the store at `path`, comparing what it holds with its ledger first: a store that
    /// holds fewer writes than the ledger recorded has lost acknowledged ones.
    pub fn open_with(path: &Path, lost_writes: LostWrites) -> StoreResult<Self> {
        let ledger_path = ledger::path_for(path);
        let record = ledger::read(&ledger_path)?;
        crate::fsutil::open_private(path, crate::file_trust::FileRule::Kept)?;
        let mut writer = Connection::open_with_flags(
            path,
            OpenFlags::default() | OpenFlags::SQLITE_OPEN_NOFOLLOW,
        )?;
        configure(&writer)?;
        let held = schema::generation(&writer)?;
        let refusal = match record {
            Record::Generation(acknowledged) if acknowledged > held => {
                Some(StoreError::LostWrites {
                    store: path.to_owned(),
                    ledger: ledger_path.clone(),
                    held,
                    acknowledged,
                })
            }
            Record::Damaged => Some(StoreError::LedgerDamaged {
                store: path.to_owned(),
                ledger: ledger_path.clone(),
            }),
            Record::Missing | Record::Generation(_) => None,
        };
        match (refusal, lost_writes) {
            (Some(refusal), LostWrites::Refuse) => return Err(refusal),
            (Some(accepted), LostWrites::Accept) => {
                tracing::warn!(%accepted, "opening the store as it is, as asked");
            }
            (None, _) => {}
        }
        let prepared = schema::prepare(&mut writer, path)?;
        if let Prepared::Migrated { secrets, versions } = prepared {
            tracing::info!(
                secrets,
                versions,
                path = %path.display(),
                "store made by an older kvtui: computed the integrity checks of its rows (once)"
            );
        }
        if record == Record::Missing && prepared != Prepared::Created {
            tracing::info!(path = %ledger_path.display(), "store had no ledger: started one");
        }
        let ledger = Ledger::create(&ledger_path, schema::generation(&writer)?)?;
        let store = Self {
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            path: path.to_owned(),
            ledger,
            sets: Mutex::default(),
        };
        if prepared != Prepared::Current {
            store.checkpoint();
        }
        Ok(store)
    }

    fn lock_writer(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Copies the WAL into the database and truncates it to nothing: after a purge, so that
    /// the pages that held its values are gone from the WAL too (the database's own copies are
    /// zeroed by `secure_delete`); and at a clean stop, so that `vault.db` alone is the store.
    pub fn checkpoint(&self) {
        self.truncate_wal(&self.lock_writer());
    }

    fn truncate_wal(&self, writer: &Connection) {
        let busy = writer.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
            row.get::<_, i64>(0)
        });
        match busy {
            Ok(0) => {}
            Ok(_) => tracing::warn!("the WAL could not be truncated: a reader held it"),
            Err(error) => tracing::warn!(%error, "the WAL could not be truncated"),
        }
    }

    /// After a commit: records it in the ledger, and truncates the WAL if it purged a secret.
    fn committed(&self, writer: &Connection, generation: u64, purged: bool) {
        self.ledger.record(generation);
        if purged {
            self.truncate_wal(writer);
        }
    }

    fn write<T>(&self, work: impl FnOnce(&Writing<'_>) -> StoreResult<T>) -> StoreResult<T> {
        let mut connection = self.lock_writer();
        let purged = Cell::new(false);
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let unchanged = tx.total_changes();
        let result = work(&Writing {
            tx: &tx,
            purged: &purged,
        })?;
        if tx.total_changes() == unchanged {
            // Nothing to commit (a purge sweep that found nothing): no write to count or fsync.
            return Ok(result);
        }
        let generation = schema::next_generation(&tx)?;
        tx.commit()?;
        self.committed(&connection, generation, purged.get());
        Ok(result)
    }

    /// Runs a read on a pooled connection so readers never wait behind the writer (WAL).
    fn read<T>(&self, work: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let pooled = self
            .readers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let connection = match pooled {
            Some(connection) => connection,
            None => {
                let connection = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX
                        | OpenFlags::SQLITE_OPEN_NOFOLLOW,
                )?;
                connection.busy_timeout(Duration::from_secs(30))?;
                connection
            }
        };
        let result = work(&connection);
        self.readers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(connection);
        result
    }

    /// Sets a new version, committed (with any sets made at the same moment) before it returns.
    pub fn set(&self, name: &str, new: &NewVersion, now: i64) -> StoreResult<VersionMeta> {
        let lock_sets = || {
            self.sets
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        let ticket = {
            let mut queue = lock_sets();
            let ticket = queue.next_ticket;
            queue.next_ticket += 1;
            queue.waiting.push(SetJob {
                ticket,
                name: name.to_owned(),
                new: new.clone(),
                now,
            });
            ticket
        };
        let mut connection = self.lock_writer();
        if let Some(answer) = lock_sets().done.remove(&ticket) {
            return answer;
        }
        let jobs = std::mem::take(&mut lock_sets().waiting);
        let purged = Cell::new(false);
        let (answers, generation) = commit_sets(&mut connection, &jobs, &purged);
        if let Some(generation) = generation {
            self.committed(&connection, generation, purged.get());
        }
        let mut mine = None;
        let mut queue = lock_sets();
        for (job, answer) in jobs.iter().zip(answers) {
            if job.ticket == ticket {
                mine = Some(answer);
            } else {
                queue.done.insert(job.ticket, answer);
            }
        }
        drop(queue);
        drop(connection);
        mine.unwrap_or_else(|| {
            Err(StoreError::Commit(
                "the set was not in its own batch".into(),
            ))
        })
    }

    /// One live version with its value; `None` means the latest.
    pub fn get(&self, name: &str, version: Option<&str>) -> StoreResult<SecretVersion> {
        let key = key_of(name);
        self.read(|connection| {
            let sql = format!(
                "SELECT {META_COLUMNS}, v.value FROM secrets s JOIN versions v ON v.key = s.key
                 WHERE s.key = ?1 AND s.deleted_date IS NULL AND {}",
                if version.is_some() {
                    "v.version = ?2"
                } else {
                    "v.seq = s.latest_seq AND ?2 IS NULL"
                }
            );
            connection
                .query_row(&sql, params![key, version], StoredRow::read_with_value)
                .optional()?
                .ok_or(StoreError::NotFound)?
                .secret_version()
        })
    }

    /// Live secrets after `after` (a lowercased name) in name order, described by their latest
    /// version; the flag says whether more follow.
    pub fn list(&self, after: &str, limit: usize) -> StoreResult<(Vec<VersionMeta>, bool)> {
        self.read(|connection| {
            page(
                connection,
                &format!(
                    "SELECT {META_COLUMNS} FROM secrets s JOIN versions v ON v.seq = s.latest_seq
                     WHERE s.deleted_date IS NULL AND s.key > ?1 ORDER BY s.key LIMIT ?2"
                ),
                params![after],
                limit,
                StoredRow::meta,
            )
        })
    }

    /// Versions of a live secret in creation order after sequence number `after_seq`.
    pub fn list_versions(
        &self,
        name: &str,
        after_seq: i64,
        limit: usize,
    ) -> StoreResult<(Vec<VersionMeta>, bool)> {
        let key = key_of(name);
        self.read(|connection| {
            page(
                connection,
                &format!(
                    "SELECT {META_COLUMNS} FROM secrets s JOIN versions v ON v.key = s.key
                     WHERE s.key = ?1 AND s.deleted_date IS NULL AND v.seq > ?2
                     ORDER BY v.seq LIMIT ?3"
                ),
                params![key, after_seq],
                limit,
                StoredRow::meta,
            )
        })
    }

    /// An Update Secret: a field `params` leaves out stays as it is.
    pub fn update(
        &self,
        name: &str,
        version: Option<&str>,
        params: &UpdateSecretParameters,
        now: i64,
    ) -> StoreResult<VersionMeta> {
        let key = key_of(name);
        self.write(|tx| {
            let secret = match SecretRow::load(tx, &key)? {
                Some(secret) if secret.deleted_date.is_none() => secret,
                _ => return Err(StoreError::NotFound),
            };
            let (mut row, check) = tx
                .query_row(
                    "SELECT seq, version, content_type, tags, enabled, nbf, exp, created, updated,
                         value_check, row_check
                     FROM versions
                     WHERE key = ?1 AND (version = ?2 OR (?2 IS NULL AND seq = ?3))",
                    params![key, version, secret.latest_seq],
                    |row| VersionRow::read(row, 0),
                )
                .optional()?
                .ok_or(StoreError::NotFound)?;
            row.verify(&key, check.as_deref(), &secret.name, None)?;
            if let Some(content_type) = &params.content_type {
                row.content_type = Some(content_type.clone());
            }
            if params.tags.is_some() {
                row.tags_json = super::rows::tags_to_json(&params.tags);
            }
            let attributes = params.attributes.as_ref();
            row.enabled = attributes.and_then(|a| a.enabled).unwrap_or(row.enabled);
            row.nbf = attributes.and_then(|a| a.nbf).or(row.nbf);
            row.exp = attributes.and_then(|a| a.exp).or(row.exp);
            row.updated = now;
            row.save(tx, &key)?;
            meta_by_seq(tx, row.seq)
        })
    }

    /// Deletes a live secret; returns its latest version as it was.
    pub fn delete(&self, name: &str, mode: DeleteMode, now: i64) -> StoreResult<VersionMeta> {
        let key = key_of(name);
        self.write(|tx| {
            let NameState::Live(mut secret) = tx.name_state(&key, now)? else {
                return Err(StoreError::NotFound);
            };
            let latest = meta_by_seq(tx, secret.latest_seq)?;
            match mode {
                DeleteMode::Soft {
                    scheduled_purge_date,
                } => {
                    secret.deleted_date = Some(now);
                    secret.scheduled_purge_date = Some(scheduled_purge_date);
                    secret.save(tx)?;
                }
                DeleteMode::Permanent => {
                    tx.purge("key = ?1", [&key])?;
                }
            }
            Ok(latest)
        })
    }

    pub fn get_deleted(&self, name: &str, now: i64) -> StoreResult<DeletedSecret> {
        let key = key_of(name);
        self.read(|connection| {
            let row = connection
                .query_row(
                    &format!(
                        "SELECT {META_COLUMNS} FROM secrets s JOIN versions v ON v.seq = s.latest_seq
                         WHERE s.key = ?1 AND s.deleted_date IS NOT NULL
                           AND s.scheduled_purge_date > ?2"
                    ),
                    params![key, now],
                    StoredRow::read_meta,
                )
                .optional()?
                .ok_or(StoreError::NotFound)?;
            row.deleted()
        })
    }

    pub fn list_deleted(
        &self,
        after: &str,
        limit: usize,
        now: i64,
    ) -> StoreResult<(Vec<DeletedSecret>, bool)> {
        self.read(|connection| {
            page(
                connection,
                &format!(
                    "SELECT {META_COLUMNS} FROM secrets s JOIN versions v ON v.seq = s.latest_seq
                     WHERE s.deleted_date IS NOT NULL AND s.scheduled_purge_date > ?1 AND s.key > ?2
                     ORDER BY s.key LIMIT ?3"
                ),
                params![now, after],
                limit,
                StoredRow::deleted,
            )
        })
    }

    /// Brings a soft-deleted secret back with all its versions.
    pub fn recover(&self, name: &str, now: i64) -> StoreResult<VersionMeta> {
        let key = key_of(name);
        self.write(|tx| {
            let NameState::Deleted(mut secret) = tx.name_state(&key, now)? else {
                return Err(StoreError::NotFound);
            };
            secret.deleted_date = None;
            secret.scheduled_purge_date = None;
            secret.save(tx)?;
            meta_by_seq(tx, secret.latest_seq)
        })
    }

    /// Permanently removes a soft-deleted secret.
    pub fn purge(&self, name: &str, now: i64) -> StoreResult<()> {
        let key = key_of(name);
        self.write(|tx| {
            if !matches!(tx.name_state(&key, now)?, NameState::Deleted(_)) {
                return Err(StoreError::NotFound);
            }
            tx.purge("key = ?1", [&key])?;
            Ok(())
        })
    }

    /// Removes every deleted secret whose scheduled purge date has passed.
    pub fn purge_expired(&self, now: i64) -> StoreResult<usize> {
        self.write(|tx| tx.purge("scheduled_purge_date <= ?1", [now]))
    }

    /// Every version of a live secret, values included, in creation order.
    pub fn export(&self, name: &str) -> StoreResult<SecretExport> {
        let key = key_of(name);
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {META_COLUMNS}, v.value FROM secrets s JOIN versions v ON v.key = s.key
                 WHERE s.key = ?1 AND s.deleted_date IS NULL ORDER BY v.seq"
            ))?;
            let versions = statement
                .query_map([&key], StoredRow::read_with_value)?
                .map(|row| row?.secret_version())
                .collect::<StoreResult<Vec<_>>>()?;
            let name = versions
                .first()
                .map(|first| first.meta.name.clone())
                .ok_or(StoreError::NotFound)?;
            Ok(SecretExport { name, versions })
        })
    }

    /// Restores an exported secret under its name, which must be free; returns the latest version.
    pub fn import(&self, export: &SecretExport, now: i64) -> StoreResult<VersionMeta> {
        let key = key_of(&export.name);
        if export.versions.is_empty() {
            return Err(StoreError::Corrupt("backup holds no versions".into()));
        }
        self.write(|tx| {
            match tx.name_state(&key, now)? {
                NameState::Deleted(_) => return Err(StoreError::DeletedButRecoverable),
                NameState::Live(_) => return Err(StoreError::AlreadyExists),
                NameState::Absent => {}
            }
            let mut secret = tx.insert_secret(&key, &export.name)?;
            for version in &export.versions {
                let meta = &version.meta;
                let new = NewVersion {
                    version: meta.version.clone(),
                    value: version.value.clone(),
                    settings: meta.settings.clone(),
                };
                secret.latest_seq = insert_version(tx, &key, &new, meta.created, meta.updated)?;
            }
            secret.save(tx)?;
            meta_by_seq(tx, secret.latest_seq)
        })
    }

    /// SQLite's own consistency check; "ok" when the file is sound.
    pub fn integrity_check(&self) -> StoreResult<String> {
        self.read(|connection| {
            Ok(connection.query_row("PRAGMA integrity_check", [], |row| row.get(0))?)
        })
    }
}

#[cfg(test)]
mod tests;
