//! `kvtui local-vault --check`: the whole store verified, read-only. Every value and its
//! attributes against their integrity checks, every version against the secret it belongs to,
//! SQLite's own check of the file, and what the file holds against its ledger.

use super::integrity::Damage;
use super::ledger::{self, Record};
use super::rows::{self, SecretRow, VersionRow};
use super::schema;
use super::store::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};
use std::fmt;
use std::path::{Path, PathBuf};

/// One thing found wrong.
#[derive(Debug, PartialEq, Eq)]
pub enum Finding {
    Damaged(Damage),
    /// A version whose secret row is gone (or whose key was changed).
    Orphan {
        key: String,
        version: String,
    },
    /// A secret whose latest version is not among its versions.
    NoLatest {
        name: String,
    },
    /// Rows that could not be read at all.
    Unreadable(String),
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Damaged(damage) => write!(f, "{damage}"),
            Self::Orphan { key, version } => write!(
                f,
                "version {version} belongs to a secret {key} that the store does not hold"
            ),
            Self::NoLatest { name } => write!(f, "secret {name}: its latest version is missing"),
            Self::Unreadable(error) => write!(f, "rows cannot be read: {error}"),
        }
    }
}

/// How the store compares with its ledger.
#[derive(Debug, PartialEq, Eq)]
pub enum LedgerState {
    Holds { generation: u64 },
    Lost { held: u64, acknowledged: u64 },
    Damaged,
    Missing,
}

#[derive(Debug)]
pub struct Report {
    pub store: PathBuf,
    /// `PRAGMA integrity_check`: "ok", or what it found.
    pub sqlite: String,
    pub ledger: LedgerState,
    /// Whether the rows carry integrity checks (a store made before them does not, until a
    /// vault has opened it once).
    pub has_checks: bool,
    pub secrets: usize,
    pub versions: usize,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn is_sound(&self) -> bool {
        self.sqlite == "ok"
            && self.findings.is_empty()
            && matches!(
                self.ledger,
                LedgerState::Holds { .. } | LedgerState::Missing
            )
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "store: {}", self.store.display())?;
        writeln!(f, "SQLite's integrity check: {}", self.sqlite)?;
        match &self.ledger {
            LedgerState::Holds { generation } => writeln!(
                f,
                "ledger: the store holds every write the vault acknowledged (#{generation})"
            )?,
            LedgerState::Lost { held, acknowledged } => writeln!(
                f,
                "ledger: LOST WRITES: the store holds writes up to #{held}, the vault acknowledged \
                 up to #{acknowledged} ({} missing)",
                acknowledged - held
            )?,
            LedgerState::Damaged => {
                writeln!(f, "ledger: DAMAGED: cannot tell whether writes were lost")?
            }
            LedgerState::Missing => writeln!(f, "ledger: none yet (a vault starts one)")?,
        }
        if !self.has_checks {
            writeln!(
                f,
                "rows: made by an older kvtui, without integrity checks; start the vault once to \
                 compute them"
            )?;
        }
        writeln!(
            f,
            "checked {} secrets and {} versions: {} damaged",
            self.secrets,
            self.versions,
            self.findings.len()
        )?;
        for finding in &self.findings {
            writeln!(f, "damaged: {finding}")?;
        }
        if self.is_sound() {
            write!(f, "the store is sound")
        } else {
            write!(f, "the store is DAMAGED")
        }
    }
}

/// Checks the store at `store` without changing it (the vault may be running meanwhile).
pub fn check(store: &Path) -> StoreResult<Report> {
    if !store.exists() {
        return Err(StoreError::Open {
            path: store.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no store there"),
        });
    }
    // What the vault itself would refuse to open (a link, another user's file) is not read.
    crate::file_trust::check_existing(store, crate::file_trust::FileRule::Kept)?;
    let connection = Connection::open_with_flags(
        store,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NOFOLLOW,
    )?;
    let sqlite = sqlite_check(&connection)?;
    let held = schema::generation(&connection)?;
    let ledger = match ledger::read(&ledger::path_for(store))? {
        Record::Missing => LedgerState::Missing,
        Record::Damaged => LedgerState::Damaged,
        Record::Generation(acknowledged) if acknowledged > held => {
            LedgerState::Lost { held, acknowledged }
        }
        Record::Generation(_) => LedgerState::Holds { generation: held },
    };
    let has_checks = schema::has_checks(&connection)?;
    let mut report = Report {
        store: store.to_owned(),
        sqlite,
        ledger,
        has_checks,
        secrets: 0,
        versions: 0,
        findings: Vec::new(),
    };
    if let Err(error) = scan_rows(&connection, &mut report) {
        report.findings.push(Finding::Unreadable(error.to_string()));
    }
    Ok(report)
}

fn sqlite_check(connection: &Connection) -> StoreResult<String> {
    let mut statement = connection.prepare("PRAGMA integrity_check(20)")?;
    let lines = statement
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(lines.join("; "))
}

fn scan_rows(connection: &Connection, report: &mut Report) -> StoreResult<()> {
    let mut secrets = connection.prepare(
        "SELECT s.key, s.name, s.latest_seq, s.deleted_date, s.scheduled_purge_date, s.row_check,
             EXISTS (SELECT 1 FROM versions v WHERE v.seq = s.latest_seq AND v.key = s.key)
         FROM secrets s ORDER BY s.key",
    )?;
    let mut rows = secrets.query([])?;
    while let Some(row) = rows.next()? {
        let (secret, check) = SecretRow::read(row, 0)?;
        let has_latest: bool = row.get(6)?;
        report.secrets += 1;
        if !has_latest {
            report.findings.push(Finding::NoLatest {
                name: secret.name.clone(),
            });
        }
        if report.has_checks
            && let Err(damage) = secret.verified(check.as_deref())
        {
            report.findings.push(Finding::Damaged(damage));
        }
    }
    let mut versions = connection.prepare(
        "SELECT v.seq, v.version, v.content_type, v.tags, v.enabled, v.nbf, v.exp, v.created,
             v.updated, v.value_check, v.row_check, v.key, s.name, v.value
         FROM versions v LEFT JOIN secrets s ON s.key = v.key ORDER BY v.key, v.seq",
    )?;
    let mut rows = versions.query([])?;
    while let Some(row) = rows.next()? {
        let (version, check) = VersionRow::read(row, 0)?;
        let key = rows::required_text(row, 11)?;
        let name = rows::text(row, 12)?;
        let value = zeroize::Zeroizing::new(rows::required_text(row, 13)?);
        report.versions += 1;
        let Some(name) = name else {
            report.findings.push(Finding::Orphan {
                key,
                version: version.version,
            });
            continue;
        };
        if report.has_checks
            && let Err(damage) = version.verify(&key, check.as_deref(), &name, Some(&value))
        {
            report.findings.push(Finding::Damaged(damage));
        }
    }
    Ok(())
}
