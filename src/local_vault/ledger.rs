//! The record, kept outside the database, of how far the store had got: the number of the last
//! write transaction it committed. A `vault.db` that holds fewer (emptied, truncated, replaced by
//! an older copy, or missing the `-wal` that held its last commits) has lost acknowledged writes,
//! which SQLite alone cannot tell: to it, an empty or older file is a sound database.
//!
//! Written after each commit and never fsynced: it costs a 32-byte write into the page cache, not
//! a second fsync per write. That is enough, since it can only lag behind the database, never run
//! ahead of it (it is written after the commit is durable): a process crash loses none of it, a
//! power cut at worst the last few numbers, and a lagging record refuses nothing. Two slots are
//! written in turn, each with its own digest, so a torn write leaves the other one readable.

use crate::file_trust::{self, FileRule, FileTrustError, Limit};
use aws_lc_rs::digest::{SHA256, digest};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"KVLEDGR1";
const SLOT_LEN: usize = 32;

/// What the ledger file says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    /// No ledger yet: a new store, or one written before ledgers existed.
    Missing,
    /// Neither slot is readable.
    Damaged,
    /// The number of the last write transaction recorded.
    Generation(u64),
}

/// The ledger file beside a store, open for writing.
pub struct Ledger {
    file: File,
    path: PathBuf,
}

/// Where the ledger of the store at `store` lives: `vault.db` → `vault.ledger`.
pub fn path_for(store: &Path) -> PathBuf {
    store.with_extension("ledger")
}

fn slot(generation: u64) -> [u8; SLOT_LEN] {
    let mut slot = [0u8; SLOT_LEN];
    slot[..8].copy_from_slice(MAGIC);
    slot[8..16].copy_from_slice(&generation.to_le_bytes());
    let check = digest(&SHA256, &slot[..16]);
    slot[16..].copy_from_slice(&check.as_ref()[..16]);
    slot
}

fn read_slot(bytes: &[u8]) -> Option<u64> {
    let generation = u64::from_le_bytes(bytes.get(8..16)?.try_into().ok()?);
    (bytes.len() == SLOT_LEN && bytes == slot(generation)).then_some(generation)
}

/// Reads the ledger at `path`: the user's own file, like the store (a link or another user's is
/// refused), of two slots.
pub fn read(path: &Path) -> Result<Record, FileTrustError> {
    let limit = Limit {
        bytes: (2 * SLOT_LEN) as u64,
        what: "the store's ledger",
    };
    let Some(bytes) = file_trust::read(path, FileRule::Kept, limit)? else {
        return Ok(Record::Missing);
    };
    // Created but never written (a power cut right after creating it): as good as missing.
    if bytes.is_empty() {
        return Ok(Record::Missing);
    }
    Ok(bytes
        .chunks(SLOT_LEN)
        .filter_map(read_slot)
        .max()
        .map_or(Record::Damaged, Record::Generation))
}

impl Ledger {
    /// Starts the ledger at `path` anew at `generation`, durably (both slots, then fsync): from
    /// here on it is what a later start compares the store with.
    pub fn create(path: &Path, generation: u64) -> Result<Self, FileTrustError> {
        let file = crate::fsutil::open_private(path, FileRule::Kept)?;
        let mut both = slot(generation).to_vec();
        both.extend_from_slice(&slot(generation));
        let io_error = |source| FileTrustError::Io {
            path: path.to_owned(),
            source,
        };
        file.write_all_at(&both, 0).map_err(io_error)?;
        file.set_len(both.len() as u64).map_err(io_error)?;
        file.sync_all().map_err(io_error)?;
        Ok(Self {
            file,
            path: path.to_owned(),
        })
    }

    /// Records that the store has committed write transaction `generation`.
    pub fn record(&self, generation: u64) {
        let offset = (generation % 2) * SLOT_LEN as u64;
        if let Err(error) = self.file.write_all_at(&slot(generation), offset) {
            // The write itself is committed; only the means of noticing its loss is weakened.
            tracing::warn!(path = %self.path.display(), %error, "cannot update the store's ledger");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_readable_slot_wins_and_a_torn_one_is_passed_over() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vault.ledger");
        assert_eq!(read(&path).expect("read"), Record::Missing);
        let ledger = Ledger::create(&path, 7).expect("create");
        assert_eq!(read(&path).expect("read"), Record::Generation(7));
        ledger.record(8);
        ledger.record(9);
        assert_eq!(read(&path).expect("read"), Record::Generation(9));
        // Tear the slot of 9: the other one still says 8.
        let mut bytes = std::fs::read(&path).expect("bytes");
        bytes[SLOT_LEN + 9] ^= 0xff;
        std::fs::write(&path, &bytes).expect("write");
        assert_eq!(read(&path).expect("read"), Record::Generation(8));
        bytes[9] ^= 0xff;
        std::fs::write(&path, &bytes).expect("write");
        assert_eq!(read(&path).expect("read"), Record::Damaged);
        std::fs::write(&path, b"").expect("write");
        assert_eq!(read(&path).expect("read"), Record::Missing);
    }
}
