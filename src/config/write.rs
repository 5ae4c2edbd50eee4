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
mod tests {
    use super::*;

    fn new(name: &str) -> NewProfile {
        NewProfile {
            name: name.into(),
            vault_url: format!("https://{name}.vault.azure.net"),
            ..NewProfile::default()
        }
    }

    fn added(text: &str, new: &NewProfile) -> String {
        let edit = edited(text, new).expect("edited");
        super::super::tests::parse(&edit.text)
            .unwrap_or_else(|error| panic!("does not load: {error}\n{}", edit.text));
        edit.text
    }

    /// Asserts that `after` is `before` with `tail` appended (and a final newline, if
    /// `before` lacked one).
    fn appended(before: &str, after: &str, tail: &str) {
        let mut kept = before.to_owned();
        if !kept.is_empty() && !kept.ends_with('\n') {
            kept.push('\n');
        }
        assert_eq!(after, format!("{kept}{tail}"), "from {before:?}");
    }

    const COMMENTED: &str = "\
# my profiles   (odd   spacing kept)
default_profile = \"dev\" # the one I use

[profiles.dev]   # dev
vault_url = 'https://dev.vault.azure.net/'
auth    =   \"azure-cli\"

# prod is read-only
[profiles.prod]
vault_url = \"https://prod.vault.azure.net\"
read_only = true
# the end
";

    #[test]
    fn a_profile_is_appended_and_every_byte_before_it_kept() {
        let after = added(COMMENTED, &new("stage"));
        appended(
            COMMENTED,
            &after,
            "\n[profiles.stage]\nvault_url = \"https://stage.vault.azure.net\"\n",
        );
        let all = NewProfile {
            auth: Some(AuthMethod::ManagedIdentity),
            tenant_id: Some("8d2a3f1e-5c4b-4a69-9e1f-0c7b2d6a4e90".into()),
            read_only: true,
            ..new("ops")
        };
        appended(
            COMMENTED,
            &added(COMMENTED, &all),
            "\n[profiles.ops]\nvault_url = \"https://ops.vault.azure.net\"\n\
             auth = \"managed-identity\"\ntenant_id = \"8d2a3f1e-5c4b-4a69-9e1f-0c7b2d6a4e90\"\n\
             read_only = true\n",
        );
    }

    #[test]
    fn cloud_is_written_only_when_set() {
        let gov = NewProfile {
            vault_url: "https://gov.vault.usgovcloudapi.net".into(),
            cloud: Some(Cloud::UsGov),
            ..new("gov")
        };
        appended(
            COMMENTED,
            &added(COMMENTED, &gov),
            "\n[profiles.gov]\nvault_url = \"https://gov.vault.usgovcloudapi.net\"\n\
             cloud = \"usgov\"\n",
        );
        assert!(!added(COMMENTED, &new("x")).contains("cloud"));
    }

    #[test]
    fn profiles_added_at_once_are_all_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("config.toml");
        std::fs::write(&file, COMMENTED).expect("config written");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("mode");
        let start = std::sync::Barrier::new(8);
        std::thread::scope(|scope| {
            for index in 0..8 {
                let (file, start) = (&file, &start);
                scope.spawn(move || {
                    start.wait();
                    add_profile(file, &new(&format!("p{index}"))).expect("added");
                });
            }
        });
        let text = std::fs::read_to_string(&file).expect("read back");
        assert!(text.starts_with(COMMENTED), "{text}");
        let config = super::super::tests::parse(&text).expect("loads");
        for index in 0..8 {
            let name = format!("p{index}");
            assert!(
                config.profiles.iter().any(|p| p.name == name),
                "{name}:\n{text}"
            );
        }
    }

    #[test]
    fn a_custom_cloud_is_written_as_the_table_it_loads_from() {
        let custom = Cloud::Custom(crate::cloud::CustomCloud {
            authority_host: "https://login.stack.example".into(),
            resource_manager: "https://management.stack.example".into(),
            vault_suffix: "vault.stack.example".into(),
        });
        let stack = NewProfile {
            vault_url: "https://kv1.vault.stack.example".into(),
            cloud: Some(custom.clone()),
            ..new("stack")
        };
        let text = added(COMMENTED, &stack);
        appended(
            COMMENTED,
            &text,
            "\n[profiles.stack]\nvault_url = \"https://kv1.vault.stack.example\"\n\
             cloud = { authority_host = \"https://login.stack.example\", resource_manager = \
             \"https://management.stack.example\", vault_suffix = \"vault.stack.example\" }\n",
        );
        let config = super::super::tests::parse(&text).expect("loads");
        let profile = config
            .profiles
            .iter()
            .find(|p| p.name == "stack")
            .expect("stack");
        assert_eq!(profile.cloud, Some(custom));
    }

    #[test]
    fn odd_names_and_values_are_quoted_as_toml_needs() {
        let text = added(
            COMMENTED,
            &NewProfile {
                tenant_id: Some("contoso.onmicrosoft.com".into()),
                ..new("v7.4")
            },
        );
        let config = super::super::tests::parse(&text).expect("loads");
        let profile = config.select(Some("v7.4")).expect("added");
        assert_eq!(
            profile.tenant_id.as_deref(),
            Some("contoso.onmicrosoft.com")
        );
        assert!(text.contains("[profiles.\"v7.4\"]"), "{text}");
    }

    #[test]
    fn line_ends_a_missing_final_newline_and_a_bom_are_kept() {
        let crlf = COMMENTED.replace('\n', "\r\n");
        let after = added(&crlf, &new("stage"));
        appended(
            &crlf,
            &after,
            "\r\n[profiles.stage]\r\nvault_url = \"https://stage.vault.azure.net\"\r\n",
        );
        let unterminated = "[profiles.dev]\nvault_url = \"https://dev.vault.azure.net\"";
        appended(
            unterminated,
            &added(unterminated, &new("b")),
            "\n[profiles.b]\nvault_url = \"https://b.vault.azure.net\"\n",
        );
        let comment_last = "[profiles.dev]\nauth = \"local\"\n# the end";
        appended(
            comment_last,
            &added(comment_last, &new("b")),
            "\n[profiles.b]\nvault_url = \"https://b.vault.azure.net\"\n",
        );
        let bom = format!("\u{feff}{COMMENTED}");
        assert!(added(&bom, &new("b")).starts_with(&bom));
        let mixed = "[profiles.dev]\r\nauth = \"local\"\n";
        assert!(matches!(
            edited(mixed, &new("b")),
            Err(Problem::Unkept(problem)) if problem.contains("CRLF and LF")
        ));
    }

    #[test]
    fn profiles_written_other_ways_get_the_new_one_too() {
        // Inline, dotted keys, and an explicit [profiles] with inline tables in it.
        let inline = "profiles = { dev = { vault_url = \"https://dev.vault.azure.net\" } }\n";
        let after = added(inline, &new("b"));
        assert!(
            after.starts_with("profiles = { dev = { vault_url = \"https://dev.vault.azure.net\" }"),
            "{after}"
        );
        for text in [
            "profiles.dev.vault_url = \"https://dev.vault.azure.net\"\n",
            "[profiles]\ndev = { auth = \"local\" }\n\n[profiles.x]\nauth = \"local\"\n",
        ] {
            appended(
                text,
                &added(text, &new("b")),
                "\n[profiles.b]\nvault_url = \"https://b.vault.azure.net\"\n",
            );
        }
    }

    #[test]
    fn a_name_that_is_there_is_refused_however_it_is_written() {
        for text in [
            COMMENTED,
            "[profiles.\"dev\"]\nauth = \"local\"\n",
            "profiles = { dev = { auth = \"local\" } }\n",
            "profiles.dev.auth = \"local\"\n",
        ] {
            assert_eq!(
                edited(text, &new("dev")).map(|edit| edit.text),
                Err(Problem::Exists),
                "{text}"
            );
        }
    }

    #[test]
    fn the_default_is_set_in_place_or_after_the_opening_comments() {
        let made_default = |text: &str| {
            added(
                text,
                &NewProfile {
                    make_default: true,
                    ..new("stage")
                },
            )
        };
        let after = made_default(COMMENTED);
        assert_eq!(
            after,
            COMMENTED.replace("\"dev\" # the one", "\"stage\" # the one")
                + "\n[profiles.stage]\nvault_url = \"https://stage.vault.azure.net\"\n"
        );
        // No top-level key: it goes after the file's opening comments, before the first
        // table's own comment, and every byte that was there is still there, in order.
        let text = "# my kvtui\n\n# dev, mine\n[profiles.dev]\nauth = \"local\"\n";
        assert_eq!(
            made_default(text),
            "# my kvtui\n\ndefault_profile = \"stage\"\n\n# dev, mine\n[profiles.dev]\n\
             auth = \"local\"\n\n[profiles.stage]\nvault_url = \"https://stage.vault.azure.net\"\n"
        );
        let text = "[profiles.dev]\nauth = \"local\"\n";
        assert!(
            made_default(text).starts_with("default_profile = \"stage\"\n\n[profiles.dev]\n"),
            "{}",
            made_default(text)
        );
        let text = "clipboard_clear_seconds = 5\n[profiles.dev]\nauth = \"local\"\n";
        assert!(
            made_default(text).starts_with(
                "clipboard_clear_seconds = 5\ndefault_profile = \"stage\"\n[profiles.dev]\n"
            ),
            "{}",
            made_default(text)
        );
    }

    #[test]
    fn a_file_without_profiles_keeps_the_implied_local_one_as_the_default() {
        let edit = edited(NEW_FILE, &new("prod")).expect("edited");
        assert!(edit.kept_local);
        assert_eq!(
            edit.text,
            format!(
                "{NEW_FILE}\ndefault_profile = \"local\"\n\n{LOCAL_COMMENT}[profiles.local]\n\
                 auth = \"local\"\n\n[profiles.prod]\nvault_url = \"https://prod.vault.azure.net\"\n"
            )
        );
        let config = super::super::tests::parse(&edit.text).expect("loads");
        assert_eq!(config.select(None).expect("default").name, "local");
        assert_eq!(config.profile_names(), ["local", "prod"]);

        // Asked to be the default, it is; a `local` of the operator's own replaces the implied.
        let text = added(
            "clipboard_clear_seconds = 0\n",
            &NewProfile {
                make_default: true,
                ..new("prod")
            },
        );
        assert!(text.starts_with("clipboard_clear_seconds = 0\ndefault_profile = \"prod\"\n"));
        assert!(text.contains("[profiles.local]"), "{text}");
        let edit = edited("", &new("local")).expect("edited");
        assert!(!edit.kept_local);
        assert_eq!(
            edit.text,
            "[profiles.local]\nvault_url = \"https://local.vault.azure.net\"\n"
        );
    }
}
