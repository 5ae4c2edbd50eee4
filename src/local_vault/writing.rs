//! Write transactions on the store: group commit of concurrent sets, and the steps every write
//! shares (the state of a name, purging, a secret's first row).

use super::rows::{SecretRow, insert_version, meta_by_seq};
use super::schema;
use super::store::error::{StoreError, StoreResult};
use super::store::shapes::{NewVersion, VersionMeta, key_of};
use rusqlite::{Connection, TransactionBehavior, params};
use std::cell::Cell;

/// Group commit for Set Secret. Each set queues itself, then takes the writer; if an earlier
/// holder already committed it, its answer is waiting in `done`. Otherwise it commits every
/// queued set in one transaction (each in its own savepoint, so one refused set fails alone)
/// with one fsync: eight concurrent clients share fsyncs instead of queueing for one each.
#[derive(Default)]
pub struct SetQueue {
    pub next_ticket: u64,
    pub waiting: Vec<SetJob>,
    pub done: std::collections::HashMap<u64, StoreResult<VersionMeta>>,
}

pub struct SetJob {
    pub ticket: u64,
    pub name: String,
    pub new: NewVersion,
    pub now: i64,
}

/// A write transaction in progress, and whether it purged a secret: then the WAL, which still
/// holds the pages with its values, is truncated once it commits.
pub struct Writing<'a> {
    pub tx: &'a Connection,
    pub purged: &'a Cell<bool>,
}

impl std::ops::Deref for Writing<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.tx
    }
}

impl Writing<'_> {
    /// Deletes the secret rows `where_clause` picks, with all their versions.
    pub fn purge(&self, where_clause: &str, params: impl rusqlite::Params) -> StoreResult<usize> {
        let purged = self.execute(&format!("DELETE FROM secrets WHERE {where_clause}"), params)?;
        if purged > 0 {
            self.purged.set(true);
        }
        Ok(purged)
    }

    /// The state of a name, after purging it if its purge date has passed.
    pub fn name_state(&self, key: &str, now: i64) -> StoreResult<NameState> {
        self.purge("key = ?1 AND scheduled_purge_date <= ?2", params![key, now])?;
        Ok(match SecretRow::load(self, key)? {
            None => NameState::Absent,
            Some(row) if row.deleted_date.is_none() => NameState::Live(row),
            Some(row) => NameState::Deleted(row),
        })
    }

    /// A new secret row for `name`, before its first version.
    pub fn insert_secret(&self, key: &str, name: &str) -> StoreResult<SecretRow> {
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
pub fn commit_sets(
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

/// The state of a name inside a write transaction, after dropping it if its purge date passed.
pub enum NameState {
    Absent,
    Live(SecretRow),
    Deleted(SecretRow),
}
