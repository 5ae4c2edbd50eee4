//! Where the config is read from, and reading it: a regular file of at most 1 MiB that no other
//! user can change, in a dir no other user can change (see [`crate::file_trust`]).
//!
//! A config the user named — `--config FILE`, or `$KVTUI_CONFIG_DIR` — must be there: only the
//! platform config dir with no `config.toml` in it means the implied local profile.

use super::errors::ConfigError;
use super::{CONFIG_DIR_ENV, CONFIG_FILE, Config};
use crate::file_trust::{self, Limit, Place};
use std::path::{Path, PathBuf};

/// Configs are a few KiB; anything near this is not one.
pub(super) const CONFIG_LIMIT: Limit = Limit {
    bytes: 1 << 20,
    what: "a config file",
};

/// Where the config is looked for when no `--config` is given.
enum Lookup {
    /// `$KVTUI_CONFIG_DIR`: the user named it, so it must hold a config.
    Named(PathBuf),
    /// The platform config dir: with no config there, the implied local profile.
    Platform(PathBuf),
}

fn lookup() -> Option<Lookup> {
    match std::env::var_os(CONFIG_DIR_ENV).filter(|dir| !dir.is_empty()) {
        Some(dir) => Some(Lookup::Named(dir.into())),
        None => directories::ProjectDirs::from("", "", "kvtui")
            .map(|dirs| Lookup::Platform(dirs.config_dir().to_owned())),
    }
}

/// Whether anything at all is at `path`: a dangling link there is a config that cannot be read,
/// not the absence of one.
fn is_there(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// How to get the implied local profile, for when a named config dir holds no config.
const UNSET_FOR_IMPLIED: &str = "or unset KVTUI_CONFIG_DIR (the platform config dir is used \
                                 then, and with no config.toml there the implied local profile)";

fn a_file_named_as_the_dir(dir: &Path) -> ConfigError {
    ConfigError::NamedDir {
        dir: dir.to_owned(),
        problem: format!(
            "it is a file, and {CONFIG_DIR_ENV} names the directory {CONFIG_FILE} is in; to \
             name the file, pass --config {}",
            dir.display()
        ),
    }
}

/// The config file in the dir `$KVTUI_CONFIG_DIR` names, which must hold one.
fn in_named_dir(dir: &Path) -> Result<PathBuf, ConfigError> {
    let problem = |problem: String| ConfigError::NamedDir {
        dir: dir.to_owned(),
        problem,
    };
    match std::fs::metadata(dir) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Err(problem(format!(
            "there is no such directory; create it with a {CONFIG_FILE} in it, {UNSET_FOR_IMPLIED}"
        ))),
        Err(error) => Err(problem(error.to_string())),
        Ok(metadata) if !metadata.is_dir() => Err(a_file_named_as_the_dir(dir)),
        Ok(_) => {
            file_trust::check_dir(dir, Place::ConfigDir).map_err(ConfigError::Dir)?;
            let path = dir.join(CONFIG_FILE);
            if is_there(&path) {
                Ok(path)
            } else {
                Err(problem(format!(
                    "the directory holds no {CONFIG_FILE}; create one, {UNSET_FOR_IMPLIED}"
                )))
            }
        }
    }
}

impl Config {
    /// Loads `explicit` (which must exist), else the config in `$KVTUI_CONFIG_DIR` (which must
    /// hold one), else the platform config dir's if there is one, else the implied local profile.
    pub fn load(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        let path = match explicit {
            Some(path) => path.to_owned(),
            None => match lookup() {
                Some(Lookup::Named(dir)) => in_named_dir(&dir)?,
                Some(Lookup::Platform(dir)) => {
                    let path = dir.join(CONFIG_FILE);
                    if !is_there(&path) {
                        return Ok(Self::implied(Some(path)));
                    }
                    file_trust::check_dir(&dir, Place::ConfigDir).map_err(ConfigError::Dir)?;
                    path
                }
                None => return Ok(Self::implied(None)),
            },
        };
        let raw = file_trust::read_settings(&path, Place::ConfigDir, CONFIG_LIMIT)
            .map_err(ConfigError::file)?;
        Self::parse(as_text(&raw, &path)?, &path)
    }

    /// The file `load(explicit)` reads, for `profile add` to write, whether or not it is there
    /// yet. A config dir it is looked up in is checked as `load` checks it, when it is there
    /// (the writer makes it, owner-only, when it is not).
    pub fn file_to_write(explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
        let dir = match (explicit, lookup()) {
            (Some(path), _) => return Ok(path.to_owned()),
            (None, Some(Lookup::Named(dir) | Lookup::Platform(dir))) => dir,
            (None, None) => return Err(ConfigError::NoConfigDir),
        };
        match std::fs::metadata(&dir) {
            Ok(metadata) if !metadata.is_dir() => return Err(a_file_named_as_the_dir(&dir)),
            Ok(_) => {
                file_trust::check_dir(&dir, Place::ConfigDir).map_err(ConfigError::Dir)?;
            }
            Err(_) => {}
        }
        Ok(dir.join(CONFIG_FILE))
    }
}

/// A config file's bytes as the UTF-8 text it must be.
pub(super) fn as_text<'a>(raw: &'a [u8], path: &Path) -> Result<&'a str, ConfigError> {
    std::str::from_utf8(raw).map_err(|error| ConfigError::Parse {
        path: path.to_owned(),
        message: format!("not UTF-8 text (byte {})", error.valid_up_to()),
    })
}
