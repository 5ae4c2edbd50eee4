//! The store's tables, the count of its write transactions, and bringing a store made by an older
//! kvtui up to date, once.

use super::integrity;
use super::rows::{self, SecretRow, VersionRow};
use super::store::error::{StoreError, StoreResult};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;

/// `PRAGMA user_version` of a store with integrity checks and a write count; 0 is the first
/// kvtui store, which had neither.
const VERSION: i64 = 1;

const TABLES: &str = "
CREATE TABLE secrets (
    key                  TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    latest_seq           INTEGER NOT NULL,
    deleted_date         INTEGER,
    scheduled_purge_date INTEGER,
    row_check            BLOB
) STRICT;
CREATE TABLE versions (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    key          TEXT NOT NULL REFERENCES secrets(key) ON DELETE CASCADE,
    version      TEXT NOT NULL,
    value        TEXT NOT NULL,
    content_type TEXT,
    tags         TEXT,
    enabled      INTEGER NOT NULL,
    nbf          INTEGER,
    exp          INTEGER,
    created      INTEGER NOT NULL,
    updated      INTEGER NOT NULL,
    value_check  BLOB,
    row_check    BLOB,
    UNIQUE (key, version)
) STRICT;
CREATE INDEX versions_by_key ON versions (key, seq);
CREATE INDEX secrets_by_purge ON secrets (scheduled_purge_date)
    WHERE scheduled_purge_date IS NOT NULL;
";

/// What version 0 lacks.
const FROM_VERSION_0: &str = "
ALTER TABLE secrets ADD COLUMN row_check BLOB;
ALTER TABLE versions ADD COLUMN value_check BLOB;
ALTER TABLE versions ADD COLUMN row_check BLOB;
";

/// The count of write transactions, one row; the ledger outside the file keeps the same count.
const STATE: &str = "
CREATE TABLE store_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
) STRICT;
INSERT INTO store_state (id, generation) VALUES (1, 0);
";

/// How many write transactions the store holds: 0 for an empty file (or a store too old to count).
pub fn generation(connection: &Connection) -> StoreResult<u64> {
    let has_state: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store_state')",
        [],
        |row| row.get(0),
    )?;
    if !has_state {
        return Ok(0);
    }
    let generation: Option<i64> = connection
        .query_row(
            "SELECT generation FROM store_state WHERE id = 1",
            [],
            |row| row.get(0),
        )
        .optional()?;
    Ok(generation.map_or(0, |generation| generation.max(0) as u64))
}

/// Whether the store's rows carry integrity checks.
pub fn has_checks(connection: &Connection) -> StoreResult<bool> {
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    Ok(version >= VERSION)
}

/// Counts one more write transaction in `tx`; returns its number.
pub fn next_generation(tx: &Connection) -> StoreResult<u64> {
    let generation: i64 = tx.query_row(
        "UPDATE store_state SET generation = generation + 1 WHERE id = 1 RETURNING generation",
        [],
        |row| row.get(0),
    )?;
    Ok(generation.max(0) as u64)
}

/// What [`prepare`] found and did.
#[derive(Debug, PartialEq, Eq)]
pub enum Prepared {
    /// A new store: the tables were made.
    Created,
    Current,
    /// A store from before integrity checks: they were computed for every row.
    Migrated {
        secrets: usize,
        versions: usize,
    },
}

/// Makes the tables of a new store, or brings an older one up to date; `path` is the store's file.
pub fn prepare(connection: &mut Connection, path: &Path) -> StoreResult<Prepared> {
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > VERSION {
        return Err(StoreError::Newer {
            path: path.to_owned(),
            version,
        });
    }
    if version == VERSION {
        return Ok(Prepared::Current);
    }
    let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'secrets')",
        [],
        |row| row.get(0),
    )?;
    let prepared = if existing {
        tx.execute_batch(FROM_VERSION_0)?;
        tx.execute_batch(STATE)?;
        let counts = compute_checks(&tx)?;
        next_generation(&tx)?;
        counts
    } else {
        tx.execute_batch(TABLES)?;
        tx.execute_batch(STATE)?;
        Prepared::Created
    };
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()?;
    if existing {
        // Values deleted before `secure_delete` was on may still be in free pages: rewrite the
        // file without them.
        connection.execute_batch("VACUUM")?;
    }
    Ok(prepared)
}

/// Computes the check of every row, as the rows stand: they were written without one.
fn compute_checks(tx: &Connection) -> StoreResult<Prepared> {
    let secrets: Vec<SecretRow> = tx
        .prepare(
            "SELECT key, name, latest_seq, deleted_date, scheduled_purge_date, NULL FROM secrets",
        )?
        .query_map([], |row| SecretRow::read(row, 0).map(|(secret, _)| secret))?
        .collect::<rusqlite::Result<_>>()?;
    for secret in &secrets {
        secret.save(tx)?;
    }
    // One version at a time, by seq, so that no more than one value is held at once.
    let seqs: Vec<i64> = tx
        .prepare("SELECT seq FROM versions ORDER BY seq")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for seq in &seqs {
        let (mut version, key, value) = tx.query_row(
            "SELECT seq, version, content_type, tags, enabled, nbf, exp, created, updated, NULL,
                 NULL, key, value
             FROM versions WHERE seq = ?1",
            [seq],
            |row| {
                let (version, _) = VersionRow::read(row, 0)?;
                let value = zeroize::Zeroizing::new(rows::required_text(row, 12)?);
                Ok((version, rows::required_text(row, 11)?, value))
            },
        )?;
        version.value_check = Some(integrity::value_digest(&value).to_vec());
        tx.execute(
            "UPDATE versions SET value_check = ?2, row_check = ?3 WHERE seq = ?1",
            params![seq, version.value_check, version.digest(&key)],
        )?;
    }
    Ok(Prepared::Migrated {
        secrets: secrets.len(),
        versions: seqs.len(),
    })
}
