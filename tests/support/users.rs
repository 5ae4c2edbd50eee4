//! Another local user, for tests of what kvtui refuses on a shared machine: `nobody` owns the
//! files such a test plants. Only root can give a file away, so without root those tests skip.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The uid and gid of `nobody`.
pub const NOBODY: (u32, u32) = (65534, 65534);

/// Whether this test can act as another user; says so when it cannot.
pub fn can_chown(test: &str) -> bool {
    let root = rustix::process::geteuid().is_root();
    if !root {
        eprintln!("{test}: skipped the parts that need another user: not running as root");
    }
    root
}

/// Gives `path` (not a link it may be) to `nobody`.
pub fn give_to_nobody(path: &Path) {
    std::os::unix::fs::lchown(path, Some(NOBODY.0), Some(NOBODY.1)).expect("lchown");
}

pub fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

pub fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o7777
}
