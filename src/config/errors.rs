//! What is wrong with a config, said so that the user can fix it: the file, the dotted field,
//! and the bad value quoted — cut short, and never where it may be a secret (a value under a
//! key kvtui does not know, anything in `client_secret_env`, a line TOML cannot parse).

use super::ConfigSource;
use crate::file_trust::FileTrustError;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not a regular file, too large, another user's or writable by others, or inside a dir
    /// another user could swap.
    #[error("config file {0}")]
    File(FileTrustError),
    /// The config dir itself is another user's or writable by others.
    #[error("config dir {0}")]
    Dir(FileTrustError),
    /// `KVTUI_CONFIG_DIR` names no dir with a config in it: falling back to the implied local
    /// profile would send writes meant for a real vault to the local one.
    #[error("{}={}: {problem}", super::CONFIG_DIR_ENV, dir.display())]
    NamedDir { dir: PathBuf, problem: String },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    /// Neither `$KVTUI_CONFIG_DIR` nor a home directory says where a config would go.
    #[error(
        "there is no config dir ($HOME is not set): pass --config FILE, or set {}",
        super::CONFIG_DIR_ENV
    )]
    NoConfigDir,
    /// A field whose value is not quoted back: an unknown key (its value may be a secret pasted
    /// into the wrong place) or a client_secret_env that does not look like a variable name.
    #[error("config file {path}: {field}: {problem}")]
    Field {
        path: PathBuf,
        field: String,
        problem: String,
    },
    #[error("config file {path}: {field} = {value}: {problem}")]
    Invalid {
        path: PathBuf,
        field: String,
        value: String,
        problem: String,
    },
    #[error(
        "no profile named {} in {origin}; profiles: {}",
        quote(name),
        available.join(", ")
    )]
    UnknownProfile {
        name: String,
        origin: ConfigSource,
        available: Vec<String>,
    },
    #[error(
        "config file {path}: default_profile is not set and there are several profiles ({}); set default_profile or pass --profile",
        available.join(", ")
    )]
    NoDefault {
        path: PathBuf,
        available: Vec<String>,
    },
}

impl ConfigError {
    /// A bad value in a field kvtui knows, quoted as [`quote`] does.
    pub(super) fn invalid(path: &Path, field: String, value: &str, problem: String) -> Self {
        Self::Invalid {
            path: path.to_owned(),
            field,
            value: quote(value),
            problem,
        }
    }

    /// A file that could not be read or was refused.
    pub(super) fn file(error: FileTrustError) -> Self {
        match error {
            FileTrustError::Io { path, source } => Self::Read { path, source },
            refused => Self::File(refused),
        }
    }
}

/// The most of a value or a key from the file an error shows.
const SHOWN: usize = 60;
/// The most of toml's description of an error (which may quote the value too) that is shown.
const SHOWN_MESSAGE: usize = 240;
/// The most of the message about an unknown key that is shown: it quotes no value, and lists
/// every key a profile takes, which is more than `SHOWN_MESSAGE`.
const SHOWN_KEY_MESSAGE: usize = 480;

/// A value as a string literal, cut short.
pub(super) fn quote(value: &str) -> String {
    excerpt(&format!("{value:?}"), SHOWN)
}

/// The first line of `raw`, cut at `most` characters.
fn excerpt(raw: &str, most: usize) -> String {
    let first_line = raw.lines().next().unwrap_or_default();
    if first_line.len() < raw.len() || first_line.chars().count() > most {
        format!("{}…", first_line.chars().take(most).collect::<String>())
    } else {
        raw.to_owned()
    }
}

/// A key as it is written in a dotted path: bare when it can be, else quoted; cut short.
pub(super) fn dotted_key(key: &str) -> String {
    if !key.is_empty()
        && key.chars().count() <= SHOWN
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        key.to_owned()
    } else {
        quote(key)
    }
}

/// Where in `text` byte `offset` is, as people count: line and column from 1.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    (line, column)
}

/// The one field whose value is never quoted, whatever is wrong with it: the secret is what
/// people paste there by mistake.
fn holds_a_pasted_secret(field: &str) -> bool {
    field.ends_with(".client_secret_env")
}

/// toml's own messages name only the last key, so a type error under `[profiles.prod]` and one
/// under `[profiles.dev]` would read alike; this names the dotted field as our own checks do.
/// A syntax error is named by its line and column only: toml's excerpt of the line would show
/// whatever is on it, such as a secret pasted without quotes.
pub(super) fn parse_error(path: &Path, text: &str, error: &toml::de::Error) -> ConfigError {
    // toml's description of the problem, without its excerpt of the file.
    let message = error.message().trim_end();
    let Some(offset) = error.span().map(|span| span.start) else {
        return ConfigError::Parse {
            path: path.to_owned(),
            message: format!("not valid TOML: {}", excerpt(message, SHOWN_MESSAGE)),
        };
    };
    let (line, column) = line_and_column(text, offset);
    let Some((field, spot)) = locate(text, offset) else {
        return ConfigError::Parse {
            path: path.to_owned(),
            message: format!(
                "line {line}, column {column}: not valid TOML: {} (the line is not shown: it \
                 may hold a secret)",
                excerpt(message, SHOWN_MESSAGE)
            ),
        };
    };
    match spot {
        // The key itself is wrong; its value is not quoted because it may be a secret pasted
        // under a made-up name such as `client_secret`.
        Spot::Key => ConfigError::Field {
            path: path.to_owned(),
            problem: format!(
                "{} (line {line}, column {column})",
                excerpt(message, SHOWN_KEY_MESSAGE)
            ),
            field,
        },
        // toml's message quotes the value too ("invalid type: integer `…`").
        Spot::Value(_) if holds_a_pasted_secret(&field) => ConfigError::Field {
            path: path.to_owned(),
            field,
            problem: format!(
                "must be a string naming an environment variable (line {line}, column \
                 {column}); the value given is not shown"
            ),
        },
        Spot::Value(span) => ConfigError::Invalid {
            path: path.to_owned(),
            field,
            value: excerpt(&text[span], SHOWN),
            problem: format!(
                "{} (line {line}, column {column})",
                excerpt(message, SHOWN_MESSAGE)
            ),
        },
    }
}

/// Which part of a `key = value` pair an error points at.
enum Spot {
    Key,
    Value(std::ops::Range<usize>),
}

/// The dotted path of the innermost key whose key or value covers `offset` in `text`.
fn locate(text: &str, offset: usize) -> Option<(String, Spot)> {
    fn walk(table: &toml::de::DeTable<'_>, offset: usize, path: &mut Vec<String>) -> Option<Spot> {
        for (key, value) in table.iter() {
            path.push(dotted_key(key.get_ref()));
            if key.span().contains(&offset) {
                return Some(Spot::Key);
            }
            if let toml::de::DeValue::Table(inner) = value.get_ref()
                && let Some(spot) = walk(inner, offset, path)
            {
                return Some(spot);
            }
            if value.span().contains(&offset) {
                return Some(Spot::Value(value.span()));
            }
            path.pop();
        }
        None
    }
    let document = toml::de::DeTable::parse(text).ok()?;
    let mut path = Vec::new();
    let spot = walk(document.get_ref(), offset, &mut path)?;
    Some((path.join("."), spot))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_refused, parse};

    #[test]
    fn errors_name_file_field_and_value() {
        assert_refused(
            "[profiles.dev]\nvault_url = \"http://plain.example\"\n",
            &[
                "/etc/kvtui/config.toml",
                "profiles.dev.vault_url",
                "\"http://plain.example\"",
            ],
            &[],
        );
        assert_refused(
            "[profiles.dev]\nvault_url = \"https://v\"\nauth = \"magic\"\n",
            &["magic", "line 3"],
            &[],
        );
        assert_refused(
            "[profiles.dev]\nvault_url = \"https://v\"\nvault_uri = \"x\"\n",
            &["vault_uri"],
            &[],
        );
        assert_refused(
            "[profiles.dev]\nvault_url = \"https://v\"\napi_version = \"7.0\"\n",
            &["profiles.dev.api_version = \"7.0\""],
            &[],
        );
        assert_refused(
            "[profiles.dev]\nvault_url = \"https://v\"\nauth = \"client-secret\"\n",
            &["tenant_id", "client-secret"],
            &[],
        );
    }

    #[test]
    fn toml_errors_name_the_dotted_field() {
        assert_refused(
            "[profiles.\"v7.4\"]\nvault_url = \"https://v\"\nread_only = 1\n",
            &[
                "profiles.\"v7.4\".read_only = 1: invalid type",
                "(line 3, column 13)",
            ],
            &[],
        );
        assert_refused(
            "[profiles.a]\nauth = \"local\"\n[profiles.b]\nauth = \"nope\"\n",
            &["profiles.b.auth = \"nope\""],
            &[],
        );
        assert_refused(
            "[profiles]\na = 3\n",
            &["profiles.a = 3"],
            &["ProfileShape"],
        );
    }

    #[test]
    fn what_may_be_a_secret_is_named_but_not_quoted() {
        let pasted = "Xy8Q~fake.secret";
        for line in [
            format!("client_secret = \"{pasted}\""),
            format!("client_secret = {pasted}"),
            format!("client_secret_env = {pasted}"),
            format!("tenant_id = {pasted}"),
            pasted.to_owned(),
        ] {
            assert_refused(
                &format!("[profiles.a]\nvault_url = \"https://v\"\n{line}\nauth = \"local\"\n"),
                &["/etc/kvtui/config.toml", "line 3"],
                &["Xy8Q"],
            );
        }
        // Quoted as a string, a tenant that is not one is refused without being shown either.
        assert_refused(
            &format!("[profiles.a]\nvault_url = \"https://v\"\ntenant_id = \"{pasted}\"\n"),
            &["profiles.a.tenant_id", "GUID"],
            &["Xy8Q"],
        );
        // A number pasted into client_secret_env: toml's own message would quote it.
        assert_refused(
            "[profiles.a]\nclient_secret_env = 82736451928374\n",
            &["profiles.a.client_secret_env"],
            &["82736451928374"],
        );
    }

    #[test]
    fn what_is_quoted_is_cut_short() {
        let long = "x".repeat(10_000);
        // LONG stands for the long value, in every place an error quotes from.
        for template in [
            "[profiles.a]\nvault_url = \"http://LONG\"\n",
            "[profiles.a]\nread_only = \"LONG\"\n",
            "[profiles.\"LONG x\"]\nvault_url = \"https://v\"\n",
            "default_profile = \"LONG\"\n",
            "[profiles.a]\nvault_url = \"https://v\nLONG",
        ] {
            let text = template.replace("LONG", &long);
            let Err(error) = parse(&text) else {
                panic!(
                    "a config with a {}-character value was accepted",
                    long.len()
                );
            };
            let message = error.to_string();
            assert!(message.len() < 400, "{} bytes: {message}", message.len());
        }
    }
}
