//! Which files and directories kvtui trusts on a machine shared with other users.
//!
//! As ssh does for `~/.ssh` (StrictModes): a directory kvtui keeps files in must be its user's
//! and writable by nobody else, and so must every directory above it (root's may be shared if it
//! is sticky, like `/tmp`), or another user could put files of their own there, or swap the whole
//! directory for one they made. A file holding a secret must be its user's, readable by nobody
//! else, and is opened without following a symbolic link. A file a user can point kvtui at is
//! read only when it is a regular file (a FIFO would hang it, `/dev/zero` never end) and only up
//! to a limit that fits what it holds.
//!
//! Every refusal names the path, its owner or mode, and the command that fixes it.

use rustix::fs::OFlags;
use std::fmt;
use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

const GROUP_OR_OTHER_WRITE: u32 = 0o022;
const GROUP_OR_OTHER_ANY: u32 = 0o077;
const STICKY: u32 = 0o1000;

/// A directory kvtui keeps files in; it decides who may own it and what to do instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A local vault's data dir, or the one kvtui logs in: its user's only.
    DataDir,
    /// The directory config.toml is read from: its user's, or root's (a config for everyone).
    ConfigDir,
    /// Where a CA file a profile names is kept (its own dir, or `/etc/ssl`).
    CaFile,
}

impl Place {
    fn root_may_own(self) -> bool {
        self != Self::DataDir
    }

    fn elsewhere(self) -> &'static str {
        match self {
            Self::DataDir => {
                "use a data dir of your own: set KVTUI_DATA_DIR (or pass --data-dir) to a path \
                 under your home directory"
            }
            Self::ConfigDir => {
                "use a config of your own: set KVTUI_CONFIG_DIR, or pass --config, to a path \
                 under your home directory"
            }
            Self::CaFile => "keep the CA file in a directory of your own, or root's",
        }
    }
}

/// What a file holds, which decides who may own it and who else may see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileRule {
    /// A secret kvtui makes again when it is missing (the token, the TLS key): its user's,
    /// readable by nobody else, never reached through a link.
    Remade,
    /// As `Remade`, for what cannot be made again (the backup key, the store).
    Kept,
    /// A file kvtui made that others may read but not change (a certificate, a log); its
    /// user's, never reached through a link.
    Public,
    /// Settings that decide what kvtui trusts (config.toml, a CA file): its user's or root's,
    /// writable by nobody else.
    Settings,
    /// Settings kvtui replaces whole (config.toml, when `profile add` writes it): as `Settings`,
    /// but its user's only, and never reached through a link, since the rename that replaces it
    /// would replace the link and leave the file it points at as it was.
    Replaced,
    /// Data the user hands kvtui (a value, a backup blob): anyone's the user can read.
    Input,
}

impl FileRule {
    fn follows_links(self) -> bool {
        matches!(self, Self::Settings | Self::Input)
    }
}

/// The most a file may hold, and what it is called in the message when it holds more.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub bytes: u64,
    pub what: &'static str,
}

impl Limit {
    /// A secret's value, from a file or standard input: the service's 25 KiB.
    pub const VALUE: Self = Self {
        bytes: crate::vault::rules::MAX_VALUE_BYTES as u64,
        what: "a value",
    };
    /// A backup blob to restore: the most a backup makes and a restore accepts.
    pub const BACKUP_BLOB: Self = Self {
        bytes: crate::vault::MAX_BACKUP_BLOB_BYTES as u64,
        what: "a backup blob",
    };
    /// A file `secret import` reads: a vault's worth of values (25,000 secrets of 2 KiB).
    pub const TRANSFER: Self = Self {
        bytes: 64 << 20,
        what: "an import file",
    };
    /// A template or an env file: text a person wrote, far more than any such file holds.
    pub const TEMPLATE: Self = Self {
        bytes: 1 << 20,
        what: "a template or env file",
    };
}

/// A user, as `name (uid N)` when the system knows the name (`{:#}`: `name, uid N`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct User(pub u32);

impl User {
    pub fn me() -> Self {
        Self(rustix::process::geteuid().as_raw())
    }

    const ROOT: Self = Self(0);
}

impl fmt::Display for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match user_name(self.0) {
            Some(name) if f.alternate() => write!(f, "{name}, uid {}", self.0),
            Some(name) => write!(f, "{name} (uid {})", self.0),
            None => write!(f, "uid {}", self.0),
        }
    }
}

/// The name `/etc/passwd` gives `uid`; users from a directory service are shown by number.
fn user_name(uid: u32) -> Option<String> {
    let mut text = String::new();
    File::open("/etc/passwd")
        .ok()?
        .take(1 << 20)
        .read_to_string(&mut text)
        .ok()?;
    text.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid.to_string()).then(|| name.to_owned())
    })
}

#[derive(Debug, thiserror::Error)]
pub enum FileTrustError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: {problem}", path.display())]
    Refused { path: PathBuf, problem: Refusal },
}

impl FileTrustError {
    fn io(path: &Path, source: io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }

    fn refused(path: &Path, problem: Refusal) -> Self {
        Self::Refused {
            path: path.to_owned(),
            problem,
        }
    }
}

/// Why a file or directory is not used. Each ends with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("it belongs to {owner}, not to you ({me:#}), and is mode {mode:04o}; {fix}")]
    NotYours {
        owner: User,
        me: User,
        mode: u32,
        fix: String,
    },
    #[error("mode {mode:04o} lets other users {what}; {fix}")]
    OpenToOthers {
        mode: u32,
        what: &'static str,
        fix: String,
    },
    #[error(
        "it is inside {}, which {why}, so another user could swap it for one of theirs; {fix}",
        parent.display()
    )]
    Parent {
        parent: PathBuf,
        why: String,
        fix: String,
    },
    #[error("it is a symbolic link (to {}); {fix}", target.display())]
    Link { target: PathBuf, fix: String },
    #[error("it is {kind}, not a regular file; kvtui reads only regular files")]
    NotRegular { kind: &'static str },
    #[error("it is {kind}, not a directory")]
    NotDir { kind: &'static str },
    #[error("it is {size} bytes; {} is at most {} bytes", limit.what, limit.bytes)]
    TooLarge { size: u64, limit: Limit },
    /// Read from a stream, whose size is only known once it ends.
    #[error("it holds more than {} bytes, the most {} may be", limit.bytes, limit.what)]
    TooLong { limit: Limit },
    #[error("it is not UTF-8 text, which {} is", limit.what)]
    NotText { limit: Limit },
}

fn mode_of(metadata: &Metadata) -> u32 {
    metadata.mode() & 0o7777
}

fn kind_of(metadata: &Metadata) -> &'static str {
    let kind = metadata.file_type();
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "a regular file"
    }
}

/// Checks `dir` (which must exist), and every directory above it, as a place for kvtui's files.
/// Returns the path with links resolved, so what was checked is what is used afterwards.
pub fn check_dir(dir: &Path, place: Place) -> Result<PathBuf, FileTrustError> {
    let real = dir
        .canonicalize()
        .map_err(|source| FileTrustError::io(dir, source))?;
    let metadata = std::fs::metadata(&real).map_err(|source| FileTrustError::io(&real, source))?;
    if !metadata.is_dir() {
        return Err(FileTrustError::refused(
            dir,
            Refusal::NotDir {
                kind: kind_of(&metadata),
            },
        ));
    }
    let me = User::me();
    let owner = User(metadata.uid());
    let mode = mode_of(&metadata);
    if owner != me && !(place.root_may_own() && owner == User::ROOT) {
        return Err(FileTrustError::refused(
            dir,
            Refusal::NotYours {
                owner,
                me,
                mode,
                fix: place.elsewhere().to_owned(),
            },
        ));
    }
    if mode & GROUP_OR_OTHER_WRITE != 0 {
        // A config dir may be root's and meant for everyone to read.
        let chmod = match place {
            Place::DataDir => "chmod 700",
            Place::ConfigDir | Place::CaFile => "chmod go-w",
        };
        return Err(FileTrustError::refused(
            dir,
            Refusal::OpenToOthers {
                mode,
                what: "create, replace and remove files in it",
                fix: format!("run `{chmod} {}`", real.display()),
            },
        ));
    }
    check_parents(&real, place)?;
    Ok(real)
}

/// The directories above `real` (a path without links): root's or the user's, and writable by
/// nobody else unless sticky (in a sticky directory only an entry's owner can rename it).
fn check_parents(real: &Path, place: Place) -> Result<(), FileTrustError> {
    let me = User::me();
    for parent in real.ancestors().skip(1) {
        let metadata =
            std::fs::metadata(parent).map_err(|source| FileTrustError::io(parent, source))?;
        let owner = User(metadata.uid());
        let mode = mode_of(&metadata);
        let why = if owner != me && owner != User::ROOT {
            format!("belongs to {owner}")
        } else if mode & GROUP_OR_OTHER_WRITE != 0 && mode & STICKY == 0 {
            format!("is mode {mode:04o} (writable by others, not sticky)")
        } else {
            continue;
        };
        let fix = if owner == me {
            format!(
                "run `chmod go-w {}`, or {}",
                parent.display(),
                place.elsewhere()
            )
        } else {
            place.elsewhere().to_owned()
        };
        return Err(FileTrustError::refused(
            real,
            Refusal::Parent {
                parent: parent.to_owned(),
                why,
                fix,
            },
        ));
    }
    Ok(())
}

/// The flags every open here adds: no waiting for a FIFO's writer, and for kvtui's own files
/// no following a link.
fn open_flags(rule: FileRule) -> i32 {
    let mut flags = OFlags::NONBLOCK | OFlags::CLOEXEC;
    if !rule.follows_links() {
        flags |= OFlags::NOFOLLOW;
    }
    flags.bits() as i32
}

/// Opens `path` with `options` as `rule` allows and checks what was opened (not what the path
/// names by then). `Ok(None)` when there is no such file.
pub(crate) fn open(
    path: &Path,
    options: &mut OpenOptions,
    rule: FileRule,
) -> Result<Option<File>, FileTrustError> {
    let file = match options.custom_flags(open_flags(rule)).open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) if error.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Err(link_refusal(path, error, rule));
        }
        Err(error) => return Err(FileTrustError::io(path, error)),
    };
    check_file(&file, path, rule)?;
    Ok(Some(file))
}

fn link_refusal(path: &Path, error: io::Error, rule: FileRule) -> FileTrustError {
    let fix = if rule == FileRule::Replaced {
        // The link is most likely the user's own (a config kept with their dotfiles): the file
        // it points at is the one to change.
        "kvtui replaces the file it changes, which would replace the link: pass --config with \
         the file the link points at"
            .to_owned()
    } else {
        format!(
            "kvtui does not follow links to its own files: put the file itself there, or remove \
             the link (`rm {}`)",
            path.display()
        )
    };
    match std::fs::read_link(path) {
        Ok(target) => FileTrustError::refused(path, Refusal::Link { target, fix }),
        Err(_) => FileTrustError::io(path, error),
    }
}

/// Checks an open file against `rule`.
fn check_file(file: &File, path: &Path, rule: FileRule) -> Result<(), FileTrustError> {
    let metadata = file
        .metadata()
        .map_err(|source| FileTrustError::io(path, source))?;
    if !metadata.is_file() {
        return Err(FileTrustError::refused(
            path,
            Refusal::NotRegular {
                kind: kind_of(&metadata),
            },
        ));
    }
    if rule == FileRule::Input {
        return Ok(());
    }
    let me = User::me();
    let owner = User(metadata.uid());
    let mode = mode_of(&metadata);
    let root_may_own = rule == FileRule::Settings;
    if owner != me && !(root_may_own && owner == User::ROOT) {
        let fix = match rule {
            FileRule::Remade | FileRule::Public => format!(
                "kvtui uses only its user's files there: remove it (`rm {}`) and a new one is \
                 made on the next start",
                path.display()
            ),
            FileRule::Kept => format!(
                "if it is yours, run `chown {} {}` as root; if not, remove it",
                me.0,
                path.display()
            ),
            FileRule::Settings | FileRule::Input => {
                "use a file of your own, not writable by other users".to_owned()
            }
            FileRule::Replaced => {
                "kvtui changes only a config of your own: run the command as its owner, or \
                 pass --config with a file of your own"
                    .to_owned()
            }
        };
        return Err(FileTrustError::refused(
            path,
            Refusal::NotYours {
                owner,
                me,
                mode,
                fix,
            },
        ));
    }
    let (exposed, what, fix) = match rule {
        FileRule::Remade => (
            mode & GROUP_OR_OTHER_ANY,
            "read it",
            // Whoever could read it may have: only a new one fixes that.
            format!(
                "remove it (`rm {}`) and a new one is made on the next start",
                path.display()
            ),
        ),
        FileRule::Kept => (
            mode & GROUP_OR_OTHER_ANY,
            "read it",
            format!("run `chmod 600 {}`", path.display()),
        ),
        FileRule::Public | FileRule::Settings | FileRule::Replaced => (
            mode & GROUP_OR_OTHER_WRITE,
            "change it",
            format!("run `chmod go-w {}`", path.display()),
        ),
        FileRule::Input => (0, "", String::new()),
    };
    if exposed != 0 {
        return Err(FileTrustError::refused(
            path,
            Refusal::OpenToOthers { mode, what, fix },
        ));
    }
    Ok(())
}

/// Checks the file at `path`, if there is one, against `rule`.
pub fn check_existing(path: &Path, rule: FileRule) -> Result<(), FileTrustError> {
    open(path, OpenOptions::new().read(true), rule).map(drop)
}

/// Reads `path` whole as `rule` allows, up to `limit`. `Ok(None)` when there is no such file.
pub fn read(
    path: &Path,
    rule: FileRule,
    limit: Limit,
) -> Result<Option<Zeroizing<Vec<u8>>>, FileTrustError> {
    let Some(file) = open(path, OpenOptions::new().read(true), rule)? else {
        return Ok(None);
    };
    read_open(file, path, limit).map(Some)
}

/// Reads a file the user named, which must exist.
pub fn read_input(path: &Path, limit: Limit) -> Result<Zeroizing<Vec<u8>>, FileTrustError> {
    read(path, FileRule::Input, limit)?
        .ok_or_else(|| FileTrustError::io(path, io::Error::from(io::ErrorKind::NotFound)))
}

/// Reads a file the user named as UTF-8 text.
pub fn read_input_text(path: &Path, limit: Limit) -> Result<Zeroizing<String>, FileTrustError> {
    into_text(read_input(path, limit)?, path, limit)
}

/// Reads UTF-8 text from `reader` (standard input), up to `limit`; `path` names it in errors.
pub fn read_limited_text(
    reader: impl Read,
    path: &Path,
    limit: Limit,
) -> Result<Zeroizing<String>, FileTrustError> {
    into_text(read_limited(reader, path, limit)?, path, limit)
}

fn into_text(
    mut bytes: Zeroizing<Vec<u8>>,
    path: &Path,
    limit: Limit,
) -> Result<Zeroizing<String>, FileTrustError> {
    String::from_utf8(std::mem::take(&mut *bytes))
        .map(Zeroizing::new)
        .map_err(|error| {
            zeroize::Zeroize::zeroize(&mut error.into_bytes());
            FileTrustError::refused(path, Refusal::NotText { limit })
        })
}

/// Reads up to `limit` bytes from `reader` (standard input, say); more is an error, not a cut.
pub fn read_limited(
    reader: impl Read,
    path: &Path,
    limit: Limit,
) -> Result<Zeroizing<Vec<u8>>, FileTrustError> {
    let mut contents = Zeroizing::new(Vec::new());
    reader
        .take(limit.bytes + 1)
        .read_to_end(&mut contents)
        .map_err(|source| FileTrustError::io(path, source))?;
    if contents.len() as u64 > limit.bytes {
        return Err(FileTrustError::refused(path, Refusal::TooLong { limit }));
    }
    Ok(contents)
}

fn read_open(file: File, path: &Path, limit: Limit) -> Result<Zeroizing<Vec<u8>>, FileTrustError> {
    let size = file
        .metadata()
        .map_err(|source| FileTrustError::io(path, source))?
        .len();
    if size > limit.bytes {
        return Err(FileTrustError::refused(
            path,
            Refusal::TooLarge { size, limit },
        ));
    }
    // The size said at open may grow while it is read: the limit holds for what is read too.
    read_limited(file, path, limit)
}

/// Reads a settings file (config.toml, a CA file) that must exist, after checking the
/// directories above it as well: a config another user can change can point a profile at
/// their vault, and a CA they can change vouches for their server.
pub fn read_settings(
    path: &Path,
    place: Place,
    limit: Limit,
) -> Result<Zeroizing<Vec<u8>>, FileTrustError> {
    let contents = read(path, FileRule::Settings, limit)?
        .ok_or_else(|| FileTrustError::io(path, io::Error::from(io::ErrorKind::NotFound)))?;
    let real = path
        .canonicalize()
        .map_err(|source| FileTrustError::io(path, source))?;
    check_parents(&real, place)?;
    Ok(contents)
}

/// Reads a settings file kvtui is about to replace (config.toml, for `profile add`), checked as
/// [`read_settings`] checks one and as [`FileRule::Replaced`] says; `Ok(None)` when it is not
/// there yet. The directories above it are checked first, so that a new file goes only where it
/// would be read.
pub fn read_settings_to_replace(
    path: &Path,
    place: Place,
    limit: Limit,
) -> Result<Option<Zeroizing<Vec<u8>>>, FileTrustError> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        let not_a_file = io::Error::new(io::ErrorKind::InvalidInput, "not the path of a file");
        return Err(FileTrustError::io(path, not_a_file));
    };
    let real_dir = dir
        .canonicalize()
        .map_err(|source| FileTrustError::io(dir, source))?;
    check_parents(&real_dir.join(name), place)?;
    read(path, FileRule::Replaced, limit)
}
