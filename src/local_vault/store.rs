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

use super::integrity::Damage;
use super::ledger::{self, Ledger, Record};
use super::rows::{META_COLUMNS, SecretRow, StoredRow, VersionRow, insert_version, meta_by_seq};
use super::schema::{self, Prepared};
use crate::vault::{SecretValue, Tags};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Everything about one version except its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionMeta {
    pub name: String,
    /// Creation order within the vault; the newest version of a secret has the highest.
    pub seq: i64,
    pub version: String,
    pub content_type: Option<String>,
    pub tags: Option<Tags>,
    pub enabled: bool,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
    pub created: i64,
    pub updated: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretVersion {
    pub meta: VersionMeta,
    pub value: SecretValue,
}

/// A soft-deleted secret, described by its latest version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletedSecret {
    pub latest: VersionMeta,
    pub deleted_date: i64,
    pub scheduled_purge_date: i64,
}

/// What a Set Secret writes.
#[derive(Clone, Debug)]
pub struct NewVersion {
    pub version: String,
    pub value: SecretValue,
    pub content_type: Option<String>,
    pub tags: Option<Tags>,
    pub enabled: bool,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
}

/// What an Update Secret changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct VersionPatch {
    pub content_type: Option<String>,
    pub tags: Option<Tags>,
    pub enabled: Option<bool>,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
}

/// A whole secret, every version with its value, as carried in a backup blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretExport {
    pub name: String,
    pub versions: Vec<SecretVersion>,
}

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

pub struct Store {
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    path: PathBuf,
    ledger: Ledger,
    /// Set Secrets waiting for the writer: whoever gets it next commits all of them at once.
    sets: Mutex<SetQueue>,
}

/// Group commit for Set Secret. Each set queues itself, then takes the writer; if an earlier
/// holder already committed it, its answer is waiting in `done`. Otherwise it commits every
/// queued set in one transaction (each in its own savepoint, so one refused set fails alone)
/// with one fsync: eight concurrent clients share fsyncs instead of queueing for one each.
#[derive(Default)]
struct SetQueue {
    next_ticket: u64,
    waiting: Vec<SetJob>,
    done: std::collections::HashMap<u64, StoreResult<VersionMeta>>,
}

struct SetJob {
    ticket: u64,
    name: String,
    new: NewVersion,
    now: i64,
}

/// A write transaction in progress, and whether it purged a secret: then the WAL, which still
/// holds the pages with its values, is truncated once it commits.
struct Writing<'a> {
    tx: &'a Connection,
    purged: &'a Cell<bool>,
}

impl std::ops::Deref for Writing<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.tx
    }
}

impl Writing<'_> {
    /// Deletes the secret rows `where_clause` picks, with all their versions.
    fn purge(&self, where_clause: &str, params: impl rusqlite::Params) -> StoreResult<usize> {
        let purged = self.execute(&format!("DELETE FROM secrets WHERE {where_clause}"), params)?;
        if purged > 0 {
            self.purged.set(true);
        }
        Ok(purged)
    }

    /// The state of a name, after purging it if its purge date has passed.
    fn name_state(&self, key: &str, now: i64) -> StoreResult<NameState> {
        self.purge("key = ?1 AND scheduled_purge_date <= ?2", params![key, now])?;
        Ok(match SecretRow::load(self, key)? {
            None => NameState::Absent,
            Some(row) if row.deleted_date.is_none() => NameState::Live(row),
            Some(row) => NameState::Deleted(row),
        })
    }

    /// A new secret row for `name`, before its first version.
    fn insert_secret(&self, key: &str, name: &str) -> StoreResult<SecretRow> {
        let row = SecretRow {
            key: key.to_owned(),
            name: name.to_owned(),
            latest_seq: 0,
            deleted_date: None,
            scheduled_purge_date: None,
        };
        row.save(self)?;
        Ok(row)
    }

    /// One set inside the group transaction.
    fn set(&self, job: &SetJob) -> StoreResult<VersionMeta> {
        let key = key_of(&job.name);
        let mut secret = match self.name_state(&key, job.now)? {
            NameState::Deleted(_) => return Err(StoreError::DeletedButRecoverable),
            NameState::Absent => self.insert_secret(&key, &job.name)?,
            NameState::Live(row) => row,
        };
        secret.latest_seq = insert_version(self, &key, &job.new, job.now, job.now)?;
        secret.save(self)?;
        meta_by_seq(self, secret.latest_seq)
    }
}

/// Commits `jobs` in one transaction: one answer per job, in order, and the transaction's number
/// if it committed.
fn commit_sets(
    connection: &mut Connection,
    jobs: &[SetJob],
    purged: &Cell<bool>,
) -> (Vec<StoreResult<VersionMeta>>, Option<u64>) {
    let failed_all = |error: StoreError| {
        let full = matches!(error, StoreError::Full);
        let message = error.to_string();
        let answers = jobs
            .iter()
            .map(|_| {
                if full {
                    Err(StoreError::Full)
                } else {
                    Err(StoreError::Commit(message.clone()))
                }
            })
            .collect();
        (answers, None)
    };
    let mut tx = match connection.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(error) => return failed_all(error.into()),
    };
    let mut answers = Vec::with_capacity(jobs.len());
    for job in jobs {
        let answer = tx
            .savepoint()
            .map_err(StoreError::from)
            .and_then(|savepoint| {
                // A savepoint dropped without commit rolls back this set alone.
                let meta = Writing {
                    tx: &savepoint,
                    purged,
                }
                .set(job)?;
                savepoint.commit()?;
                Ok(meta)
            });
        answers.push(answer);
    }
    let generation = match schema::next_generation(&tx) {
        Ok(generation) => generation,
        Err(error) => return failed_all(error),
    };
    match tx.commit() {
        Ok(()) => (answers, Some(generation)),
        Err(error) => failed_all(error.into()),
    }
}

fn key_of(name: &str) -> String {
    name.to_ascii_lowercase()
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

/// The state of a name inside a write transaction, after dropping it if its purge date passed.
enum NameState {
    Absent,
    Live(SecretRow),
    Deleted(SecretRow),
}

impl Store {
    /// Opens (creating if needed) the store at `path`, readable and writable by the owner only;
    /// refuses one that lost writes.
    pub fn open(path: &Path) -> StoreResult<Self> {
        Self::open_with(path, LostWrites::Refuse)
    }

    /// Opens the store at `path`, comparing what it holds with its ledger first: a store that
    /// holds fewer writes than the ledger recorded has lost acknowledged ones.
    pub fn open_with(path: &Path, lost_writes: LostWrites) -> StoreResult<Self> {
        let ledger_path = ledger::path_for(path);
        let open_error = |path: &Path| {
            let path = path.to_owned();
            move |source| StoreError::Open { path, source }
        };
        let record = ledger::read(&ledger_path).map_err(open_error(&ledger_path))?;
        crate::fsutil::create_private_file(path).map_err(open_error(path))?;
        let mut writer = Connection::open(path)?;
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
        let ledger = Ledger::create(&ledger_path, schema::generation(&writer)?)
            .map_err(open_error(&ledger_path))?;
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
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
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
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {META_COLUMNS} FROM secrets s JOIN versions v ON v.seq = s.latest_seq
                 WHERE s.deleted_date IS NULL AND s.key > ?1 ORDER BY s.key LIMIT ?2"
            ))?;
            let rows = statement
                .query_map(params![after, limit as i64 + 1], StoredRow::read_meta)?
                .map(|row| row?.meta())
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(split_page(rows, limit))
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
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {META_COLUMNS} FROM secrets s JOIN versions v ON v.key = s.key
                 WHERE s.key = ?1 AND s.deleted_date IS NULL AND v.seq > ?2
                 ORDER BY v.seq LIMIT ?3"
            ))?;
            let rows = statement
                .query_map(
                    params![key, after_seq, limit as i64 + 1],
                    StoredRow::read_meta,
                )?
                .map(|row| row?.meta())
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(split_page(rows, limit))
        })
    }

    pub fn update(
        &self,
        name: &str,
        version: Option<&str>,
        patch: &VersionPatch,
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
            if let Some(content_type) = &patch.content_type {
                row.content_type = Some(content_type.clone());
            }
            if patch.tags.is_some() {
                row.tags_json = super::rows::tags_to_json(&patch.tags);
            }
            row.enabled = patch.enabled.unwrap_or(row.enabled);
            row.nbf = patch.nbf.or(row.nbf);
            row.exp = patch.exp.or(row.exp);
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
            deleted(row)
        })
    }

    pub fn list_deleted(
        &self,
        after: &str,
        limit: usize,
        now: i64,
    ) -> StoreResult<(Vec<DeletedSecret>, bool)> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {META_COLUMNS} FROM secrets s JOIN versions v ON v.seq = s.latest_seq
                 WHERE s.deleted_date IS NOT NULL AND s.scheduled_purge_date > ?1 AND s.key > ?2
                 ORDER BY s.key LIMIT ?3"
            ))?;
            let rows = statement
                .query_map(params![now, after, limit as i64 + 1], StoredRow::read_meta)?
                .map(|row| deleted(row?))
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(split_page(rows, limit))
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
                    content_type: meta.content_type.clone(),
                    tags: meta.tags.clone(),
                    enabled: meta.enabled,
                    nbf: meta.nbf,
                    exp: meta.exp,
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

fn deleted(row: StoredRow) -> StoreResult<DeletedSecret> {
    let (secret, latest, _) = row.verified()?;
    Ok(DeletedSecret {
        latest,
        deleted_date: secret.deleted_date.unwrap_or_default(),
        scheduled_purge_date: secret.scheduled_purge_date.unwrap_or_default(),
    })
}

fn split_page<T>(mut rows: Vec<T>, limit: usize) -> (Vec<T>, bool) {
    let more = rows.len() > limit;
    rows.truncate(limit);
    (rows, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("vault.db")).expect("open");
        (dir, store)
    }

    fn new_version(version: &str, value: &str) -> NewVersion {
        NewVersion {
            version: version.into(),
            value: SecretValue::new(value),
            content_type: None,
            tags: None,
            enabled: true,
            nbf: None,
            exp: None,
        }
    }

    #[test]
    fn names_are_case_insensitive_and_keep_first_spelling() {
        let (_dir, store) = store();
        store
            .set("Db-Pass", &new_version("v1", "a"), 10)
            .expect("set");
        let second = store
            .set("db-pass", &new_version("v2", "b"), 11)
            .expect("set");
        assert_eq!(second.name, "Db-Pass");
        let latest = store.get("DB-PASS", None).expect("get");
        assert_eq!(latest.meta.version, "v2");
        assert_eq!(latest.value.expose(), "b");
        assert_eq!(
            store.get("db-pass", Some("v1")).expect("v1").value.expose(),
            "a"
        );
    }

    #[test]
    fn concurrent_sets_commit_together_and_a_refused_one_fails_alone() {
        let (_dir, store) = store();
        store.set("gone", &new_version("g1", "x"), 1).expect("set");
        let soft = DeleteMode::Soft {
            scheduled_purge_date: 1_000,
        };
        store.delete("gone", soft, 2).expect("delete");
        let answers: Vec<(String, StoreResult<VersionMeta>)> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..16)
                .map(|i| {
                    let store = &store;
                    scope.spawn(move || {
                        let name = if i == 7 {
                            "gone".to_owned()
                        } else {
                            format!("s{}", i % 4)
                        };
                        let answer = store.set(&name, &new_version(&format!("v{i}"), "value"), 3);
                        (name, answer)
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().expect("thread"))
                .collect()
        });
        for (name, answer) in &answers {
            match answer {
                Err(StoreError::DeletedButRecoverable) if name == "gone" => {}
                Ok(meta) => assert_eq!(&meta.name, name),
                other => panic!("{name}: {other:?}"),
            }
        }
        let (listed, _) = store.list("", 25).expect("list");
        assert_eq!(listed.len(), 4, "s0..s3 are live; gone stays deleted");
        for meta in &listed {
            let (versions, _) = store.list_versions(&meta.name, 0, 25).expect("versions");
            let acknowledged = answers
                .iter()
                .filter(|(name, answer)| name == &meta.name && answer.is_ok())
                .count();
            assert_eq!(
                versions.len(),
                acknowledged,
                "{}: every acknowledged set is a version",
                meta.name
            );
        }
    }

    #[test]
    fn soft_delete_hides_recover_restores_and_expiry_purges() {
        let (_dir, store) = store();
        store.set("s", &new_version("v1", "a"), 10).expect("set");
        store.set("s", &new_version("v2", "b"), 11).expect("set");
        let mode = DeleteMode::Soft {
            scheduled_purge_date: 100,
        };
        store.delete("s", mode, 20).expect("delete");
        assert!(matches!(store.get("s", None), Err(StoreError::NotFound)));
        assert!(matches!(
            store.set("s", &new_version("v3", "c"), 21),
            Err(StoreError::DeletedButRecoverable)
        ));
        assert_eq!(
            store.get_deleted("s", 30).expect("deleted").deleted_date,
            20
        );
        store.recover("s", 40).expect("recover");
        let (versions, more) = store.list_versions("s", 0, 25).expect("versions");
        assert_eq!(versions.len(), 2);
        assert!(!more);

        store.delete("s", mode, 50).expect("delete again");
        assert!(matches!(
            store.get_deleted("s", 100),
            Err(StoreError::NotFound)
        ));
        store
            .set("s", &new_version("v4", "d"), 101)
            .expect("name is free after purge date");
        let (versions, _) = store.list_versions("s", 0, 25).expect("versions");
        assert_eq!(versions.len(), 1);
    }

    #[test]
    fn list_pages_by_name() {
        let (_dir, store) = store();
        for name in ["c", "a", "b", "d", "e"] {
            store.set(name, &new_version(name, "x"), 1).expect("set");
        }
        let (first, more) = store.list("", 2).expect("page 1");
        assert!(more);
        assert_eq!(
            first.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let (rest, more) = store.list("b", 25).expect("page 2");
        assert!(!more);
        assert_eq!(rest.len(), 3);
    }

    #[test]
    fn export_import_round_trip_keeps_every_version() {
        let (_dir, store) = store();
        store.set("s", &new_version("v1", "one"), 10).expect("set");
        store.set("s", &new_version("v2", "two"), 11).expect("set");
        let export = store.export("s").expect("export");
        assert!(matches!(
            store.import(&export, 12),
            Err(StoreError::AlreadyExists)
        ));
        store
            .delete("s", DeleteMode::Permanent, 13)
            .expect("delete");
        let latest = store.import(&export, 14).expect("import");
        assert_eq!(latest.version, "v2");
        let restored = store.export("s").expect("again");
        let summary = |export: &SecretExport| {
            export
                .versions
                .iter()
                .map(|v| (v.meta.version.clone(), v.value.clone(), v.meta.created))
                .collect::<Vec<_>>()
        };
        assert_eq!(summary(&restored), summary(&export));
    }

    #[test]
    fn the_store_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, _store) = store();
        let mode = std::fs::metadata(dir.path().join("vault.db"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
