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
const CONFIG_LIMIT: Limit = Limit {
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
        Ok(metadata) if !metadata.is_dir() => Err(problem(format!(
            "it is a file, and {CONFIG_DIR_ENV} names the directory {CONFIG_FILE} is in; to \
             name the file, pass --config {}",
            dir.display()
        ))),
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
        let text = std::str::from_utf8(&raw).map_err(|error| ConfigError::Parse {
            path: path.clone(),
            message: format!("not UTF-8 text (byte {})", error.valid_up_to()),
        })?;
        Self::parse(text, &path)
    }
}
