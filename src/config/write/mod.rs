//! Adding a profile to `config.toml` (`kvtui profile add`, and whatever picks a vault to save):
//! the file's own bytes are kept — comments, order, spacing, line ends — and the new
//! `[profiles.NAME]` table goes at its end; the file is replaced whole, and only by a text that
//! loads, so a failure at any point leaves it as it was.

use super::errors::{ConfigError, quote};
use super::load::{CONFIG_LIMIT, as_text};
use super::profile::{PROFILE_NAME_RULE, check_vault_url, is_profile_name};
use super::{AuthMethod, Config, IMPLIED_PROFILE};
use crate::cloud::Cloud;
use crate::file_trust::{self, Place};
use crate::fsutil::{self, Staged};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use toml_edit::{Decor, DocumentMut, Item, Key, Table, Value};

/// A profile to add, as the operator gave it. A field left `None` (or `false`) is not written,
/// so the loader's default applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewProfile {
    pub name: String,
    /// A base URL, checked as `vault_url` in the file is.
    pub vault_url: String,
    pub auth: Option<AuthMethod>,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    /// The variable holding a client secret; never the secret.
    pub client_secret_env: Option<String>,
    /// Written as its name, or a custom cloud as an inline table of its endpoints.
    pub cloud: Option<Cloud>,
    pub read_only: bool,
    /// Also make it the `default_profile`.
    pub make_default: bool,
}

impl NewProfile {
    /// The table's keys and values, in the order they are written.
    fn entries(&self) -> impl Iterator<Item = (&'static str, Value)> {
        [
            ("vault_url", Some(Value::from(self.vault_url.as_str()))),
            ("auth", self.auth.map(|auth| Value::from(auth.label()))),
            ("tenant_id", self.tenant_id.as_deref().map(Value::from)),
            ("client_id", self.client_id.as_deref().map(Value::from)),
            (
                "client_secret_env",
                self.client_secret_env.as_deref().map(Value::from),
            ),
            ("cloud", self.cloud.as_ref().map(cloud_value)),
            ("read_only", self.read_only.then(|| Value::from(true))),
        ]
        .into_iter()
        .filter_map(|(key, value)| Some((key, value?)))
    }

    fn table(&self) -> Table {
        let mut table = Table::new();
        for (key, value) in self.entries() {
            table.insert(key, Item::Value(value));
        }
        table
    }
}

/// `cloud = "china"`, or for a custom cloud the table the loader reads back.
fn cloud_value(cloud: &Cloud) -> Value {
    match cloud {
        Cloud::Custom(custom) => {
            let mut table = toml_edit::InlineTable::new();
            for (key, value) in [
                ("authority_host", &custom.authority_host),
                ("resource_manager", &custom.resource_manager),
                ("vault_suffix", &custom.vault_suffix),
            ] {
                table.insert(key, Value::from(value.as_str()));
            }
            Value::InlineTable(table)
        }
        named => Value::from(named.name().unwrap_or_default()),
    }
}

/// What adding a profile did.
#[derive(Debug)]
pub struct Added {
    /// The file written, as an absolute path.
    pub file: PathBuf,
    /// The config as it now is on disk.
    pub config: Config,
    /// There was no file: it was made.
    pub created: bool,
    /// The file had no profile, so kvtui was on the implied local one: it is now written out.
    pub kept_local: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AddProfileError {
    /// The file as it is: not to be trusted, unreadable, or not a config kvtui loads.
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("profile name {}: {PROFILE_NAME_RULE}", quote(name))]
    Name { name: String },
    #[error("vault URL {}: {problem}", quote(url))]
    VaultUrl { url: String, problem: String },
    #[error(
        "config file {}: there is already a profile named {}; choose another name, or edit the \
         file to change that one",
        path.display(), quote(name)
    )]
    Exists { path: PathBuf, name: String },
    /// Something in the file that could not be kept byte for byte.
    #[error("config file {}: {problem}; nothing was written", path.display())]
    Unkept { path: PathBuf, problem: String },
    /// The text with the profile added does not load (a field the profile needs is missing).
    #[error(
        "profile {} was not added, as the config would not load: {error}",
        quote(name)
    )]
    WouldNotLoad {
        name: String,
        error: Box<ConfigError>,
    },
    #[error("cannot write config file {}: {source}; the file is as it was", path.display())]
    Write { path: PathBuf, source: io::Error },
}

impl AddProfileError {
    /// Whether the operator can fix it by what they typed or by the file, rather than the
    /// machine failing to write it (a full disk, a read-only file system).
    pub fn is_usage(&self) -> bool {
        !matches!(self, Self::Write { .. })
    }
}

/// The start of a config file `profile add` makes.
const NEW_FILE: &str = "\
# kvtui's vault profiles: `kvtui profile list` shows them, and `kvtui profile add` appends one,
# keeping everything else here as it is, comments included.
";

/// Above the `local` profile written into a file that had none.
const LOCAL_COMMENT: &str = "\
# The local vault kvtui opened while no profile was configured (its secrets stay in its data
# dir): written out so that adding a profile does not lose it, and left the default.
";

/// Adds `new` to the config file at `path`, making the file (and its dir, owner-only) when
/// they are not there. The file is refused as `Config::load` would refuse it, and also when it
/// is a link or another user's; nothing is written unless the result loads.
pub fn add_profile(path: &Path, new: &NewProfile) -> Result<Added, AddProfileError> {
    if !is_profile_name(&new.name) {
        return Err(AddProfileError::Name {
            name: new.name.clone(),
        });
    }
    let vault_url =
        check_vault_url(&new.vault_url).map_err(|problem| AddProfileError::VaultUrl {
            url: new.vault_url.clone(),
            problem,
        })?;
    let new = NewProfile {
        vault_url,
        ..new.clone()
    };
    let write_error = |path: &Path| {
        let path = path.to_owned();
        move |source| AddProfileError::Write { path, source }
    };
    let path = std::path::absolute(path).map_err(write_error(path))?;
    let dir = path.parent().unwrap_or(Path::new("/"));
    if !dir.exists() {
        fsutil::create_private_dir(dir).map_err(write_error(dir))?;
    }
    // Held from the read to the rename: two kvtuis adding at once would otherwise each write
    // the file as it was before the other, and the first one's profile would be lost. The lock
    // is on the dir, so nothing is left beside the file.
    let lock = std::fs::File::open(dir).map_err(write_error(dir))?;
    lock.lock().map_err(write_error(dir))?;
    let raw = file_trust::read_settings_to_replace(&path, Place::ConfigDir, CONFIG_LIMIT)
        .map_err(ConfigError::file)?;
    let (text, mode) = match &raw {
        Some(raw) => {
            let text = as_text(raw, &path)?;
            Config::parse(text, &path)?;
            let mode = std::fs::metadata(&path)
                .map_err(write_error(&path))?
                .permissions()
                .mode();
            (text, mode & 0o777)
        }
        None => (NEW_FILE, 0o600),
    };
    let edit = edited(text, &new).map_err(|problem| match problem {
        Problem::Exists => AddProfileError::Exists {
            path: path.clone(),
            name: new.name.clone(),
        },
        Problem::Unkept(problem) => AddProfileError::Unkept {
            path: path.clone(),
            problem,
        },
    })?;
    let would_not_load = |error| AddProfileError::WouldNotLoad {
        name: new.name.clone(),
        error: Box::new(error),
    };
    if edit.text.len() as u64 > CONFIG_LIMIT.bytes {
        return Err(would_not_load(ConfigError::Parse {
            path: path.clone(),
            message: format!(
                "it would be {} bytes; {} is at most {} bytes",
                edit.text.len(),
                CONFIG_LIMIT.what,
                CONFIG_LIMIT.bytes
            ),
        }));
    }
    let config = Config::parse(&edit.text, &path).map_err(would_not_load)?;
    config.select(Some(&new.name)).map_err(would_not_load)?;
    Staged::write_with_mode(&path, edit.text.as_bytes(), mode)
        .and_then(Staged::commit)
        .and_then(|()| fsutil::sync_dir(dir))
        .map_err(write_error(&path))?;
    drop(lock);
    Ok(Added {
        file: path,
        config,
        created: raw.is_none(),
        kept_local: edit.kept_local,
    })
}

/// A config's text with a profile added.
#[derive(Debug)]
struct Edit {
    text: String,
    kept_local: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum Problem {
    Exists,
    Unkept(String),
}

/// `text`, a config that loads, with `new` appended as the last table (and, when asked, made
/// `default_profile`); every byte of `text` is kept, in order. A file with no profile also
/// gets the implied `local` one, kept the default, so that adding a profile loses nothing.
fn edited(text: &str, new: &NewProfile) -> Result<Edit, Problem> {
    // toml_edit drops a byte-order mark and writes every line end as LF: both are put back.
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(body) => ("\u{feff}", body),
        None => ("", text),
    };
    let crlf = body.matches("\r\n").count();
    if crlf > 0 && crlf != body.matches('\n').count() {
        return Err(Problem::Unkept(
            "it mixes CRLF and LF line ends, which would not all be kept: make them one kind \
             (`dos2unix` or `unix2dos`), then add the profile"
                .into(),
        ));
    }
    let mut lf = body.replace("\r\n", "\n");
    if !lf.is_empty() && !lf.ends_with('\n') {
        lf.push('\n');
    }
    let mut document: DocumentMut = lf
        .parse()
        .map_err(|error: toml_edit::TomlError| Problem::Unkept(error.message().to_owned()))?;
    if document.to_string() != lf {
        return Err(Problem::Unkept(
            "kvtui's TOML editor would not write it back byte for byte".into(),
        ));
    }
    let profiles = document.get("profiles").and_then(Item::as_table_like);
    if profiles.is_some_and(|profiles| profiles.contains_key(&new.name)) {
        return Err(Problem::Exists);
    }
    let kept_local =
        profiles.is_none_or(|profiles| profiles.is_empty()) && new.name != IMPLIED_PROFILE;
    if kept_local {
        let mut local = Table::new();
        local.insert("auth", toml_edit::value(AuthMethod::Local.label()));
        append(&mut document, IMPLIED_PROFILE, local, LOCAL_COMMENT)?;
    }
    append(&mut document, &new.name, new.table(), "")?;
    if new.make_default {
        set_default(&mut document, &new.name);
    } else if kept_local && document.get("default_profile").is_none() {
        set_default(&mut document, IMPLIED_PROFILE);
    }
    let text = document.to_string();
    let text = if crlf > 0 {
        text.replace('\n', "\r\n")
    } else {
        text
    };
    Ok(Edit {
        text: format!("{bom}{text}"),
        kept_local,
    })
}

/// Appends `table` as `[profiles.NAME]` after everything in `document`, `comment` above it; into
/// `profiles = { … }` when the file writes the profiles inline.
fn append(
    document: &mut DocumentMut,
    name: &str,
    mut table: Table,
    comment: &str,
) -> Result<(), Problem> {
    let inline = document
        .get("profiles")
        .is_some_and(|profiles| !profiles.is_table());
    if !inline {
        let last = headed_tables(document.as_table())
            .iter()
            .map(|(position, _)| *position)
            .max()
            .unwrap_or(0);
        // What ends the file (its last comments, blank lines) stays where it was: before the
        // new table, with a blank line between them unless the file was empty.
        let before = document.trailing().as_str().unwrap_or_default().to_owned();
        let gap = if before.is_empty() && document.as_table().is_empty() {
            ""
        } else {
            "\n"
        };
        document.set_trailing("");
        table.set_position(Some(last + 1));
        table
            .decor_mut()
            .set_prefix(format!("{before}{gap}{comment}"));
    }
    document
        .entry("profiles")
        .or_insert_with(|| {
            let mut profiles = Table::new();
            profiles.set_implicit(true);
            Item::Table(profiles)
        })
        .as_table_like_mut()
        .ok_or_else(|| Problem::Unkept("profiles is neither a table nor an inline table".into()))?
        .insert(name, Item::Table(table));
    Ok(())
}

/// Every table written under a `[header]`, as its position in the file and its dotted path.
fn headed_tables(root: &Table) -> Vec<(isize, Vec<String>)> {
    fn walk(table: &Table, path: &mut Vec<String>, found: &mut Vec<(isize, Vec<String>)>) {
        for (key, item) in table.iter() {
            let Item::Table(inner) = item else { continue };
            path.push(key.to_owned());
            if let Some(position) = inner.position()
                && !inner.is_dotted()
                && !(inner.is_implicit() && inner.get_values().is_empty())
            {
                found.push((position, path.clone()));
            }
            walk(inner, path, found);
            path.pop();
        }
    }
    let mut found = Vec::new();
    walk(root, &mut Vec::new(), &mut found);
    found
}

/// Sets `default_profile = NAME`: in place of the one there (keeping its comment), else after
/// the file's other top-level keys — which is at its top when it has none, after its opening
/// comments (up to their last blank line), so those stay first.
fn set_default(document: &mut DocumentMut, name: &str) {
    if let Some(old) = document
        .get_mut("default_profile")
        .and_then(Item::as_value_mut)
    {
        let decor = old.decor().clone();
        *old = Value::from(name);
        *old.decor_mut() = decor;
        return;
    }
    let mut opening = String::new();
    if document.as_table().get_values().is_empty()
        && let Some((_, path)) = headed_tables(document.as_table()).into_iter().min()
        && let Some(first) = path.iter().try_fold(document.as_table_mut(), |table, key| {
            table.get_mut(key).and_then(Item::as_table_mut)
        })
    {
        let prefix = first
            .decor()
            .prefix()
            .and_then(|prefix| prefix.as_str())
            .unwrap_or_default()
            .to_owned();
        let split = prefix.rfind("\n\n").map_or(0, |at| at + 2);
        opening = prefix[..split].to_owned();
        first
            .decor_mut()
            .set_prefix(format!("\n{}", &prefix[split..]));
    }
    let key = Key::new("default_profile").with_leaf_decor(Decor::new(opening, " "));
    document
        .as_table_mut()
        .insert_formatted(&key, toml_edit::value(name));
}

#[cfg(test)]
mod tests;
