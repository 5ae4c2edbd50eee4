//! Command-line arguments and the subcommands that run without the screen.

pub mod across;
pub mod completions;
pub mod env;
pub mod inject;
pub mod lint;
pub mod local_vault;
pub mod profile;
pub mod read;
pub mod references;
pub mod run;
pub mod secret;
pub mod transfer;
pub mod vault;

use crate::auth::{DeviceCodePrompt, DeviceCodePrompts};
use crate::vault::VaultError;
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::fmt::Display;
use std::path::PathBuf;
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;

#[derive(Debug, Parser)]
#[command(
    name = "kvtui",
    version,
    about = "A keyboard-driven terminal UI and CLI for Azure Key Vault secrets",
    after_help = "With no command, opens the terminal UI."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The profile to use [default: the config's default_profile].
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// The config file [default: $KVTUI_CONFIG_DIR/config.toml, else the platform config dir].
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print JSON instead of text: the service's shapes for secrets, and errors as JSON on
    /// stderr (for the secret, vault and profile commands).
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Work with secrets without the screen (for scripts).
    Secret {
        #[command(subcommand)]
        command: secret::SecretCommand,
    },
    /// Find vaults: every Key Vault the signed-in account can see.
    Vault {
        #[command(subcommand)]
        command: vault::VaultCommand,
    },
    /// Show the configured vault profiles.
    Profile {
        #[command(subcommand)]
        command: profile::ProfileCommand,
    },
    /// Print one secret's value, exactly its bytes (for a pipe, or --out FILE).
    Read(read::ReadArgs),
    /// Print NAME=value lines (dotenv, shell or JSON) for references.
    Env(env::EnvCommandArgs),
    /// Fill a template's {{ REF }} placeholders into a new file.
    Inject(inject::InjectArgs),
    /// Run a command with references' values in its environment, masked in its output.
    Run(run::RunArgs),
    /// Run the Key Vault-compatible local vault (HTTPS, on-disk store).
    LocalVault(local_vault::LocalVaultArgs),
    /// Print the completion script for a shell (bash, zsh, fish, …).
    Completions(completions::CompletionsArgs),
}

impl Command {
    /// Whether `--json` means anything to it; elsewhere it is refused rather than ignored.
    pub fn prints_json(&self) -> bool {
        matches!(
            self,
            Self::Secret { .. }
                | Self::Profile { .. }
                | Self::Vault { .. }
                | Self::Read(_)
                | Self::Env(_)
                | Self::Inject(_)
                | Self::Run(_)
        )
    }
}

/// Exit code of a write the stale-write guard refused: another write landed since the
/// version it was made from (`--if-version`, or an import's or promote's plan).
pub const STALE: i32 = 5;

/// Why a command failed, with the exit code it ends with.
#[derive(Debug)]
pub struct Failure {
    pub exit_code: i32,
    /// What follows `error: `: it names the field or file, or carries the vault's answer.
    pub message: String,
    /// The vault's error, when it answered with one, for `--json` to give field by field.
    pub answer: Option<VaultAnswer>,
}

/// An error status and body from the vault, as `VaultError::Service` carries it.
#[derive(Debug)]
pub struct VaultAnswer {
    pub status: u16,
    pub code: String,
    pub inner_code: Option<String>,
    pub message: String,
}

impl Failure {
    /// What it is printed as — `error: …`, or under `--json` one `{"error":{…}}` object on
    /// one line — safe for a terminal either way.
    fn line(&self, json: bool) -> String {
        let line = if json {
            self.to_json().to_string()
        } else {
            format!("error: {}", self.message)
        };
        terminal_safe(&line).into_owned()
    }

    /// `{"error":{"code","inner_code","status","message","exit_code"}}`: code, inner code and
    /// status are the vault's, null when the failure is kvtui's own or the vault never
    /// answered; message is the vault's message then, else the text `error: ` would print.
    fn to_json(&self) -> serde_json::Value {
        let answer = self.answer.as_ref();
        serde_json::json!({
            "error": {
                "code": answer.map(|a| &a.code),
                "inner_code": answer.and_then(|a| a.inner_code.as_ref()),
                "status": answer.map(|a| a.status),
                "message": answer.map_or(&self.message, |a| &a.message),
                "exit_code": self.exit_code,
            }
        })
    }
}

pub type Outcome = Result<(), Failure>;

/// Usage or validation: exit code 2. The message names the field or file.
pub fn fail_usage(message: impl Display) -> Failure {
    Failure {
        exit_code: 2,
        message: message.to_string(),
        answer: None,
    }
}

/// The service or the network said no: exit code 1.
pub fn fail_service(message: impl Display) -> Failure {
    Failure {
        exit_code: 1,
        message: message.to_string(),
        answer: None,
    }
}

impl From<VaultError> for Failure {
    fn from(error: VaultError) -> Self {
        let text = error.to_string();
        let answer = match error {
            VaultError::Service {
                status,
                code,
                message,
                inner_code,
            } => Some(VaultAnswer {
                status,
                code,
                inner_code,
                message,
            }),
            _ => None,
        };
        Self {
            answer,
            ..fail_service(text)
        }
    }
}

/// The exit code of a command that ran (`Ok` holds it), printing a failure on stderr.
pub fn exit_code(finished: Result<i32, Failure>, json: bool) -> i32 {
    match finished {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("{}", failure.line(json));
            failure.exit_code
        }
    }
}

/// What clap could not parse: help and the version go to stdout as clap prints them; an error
/// is clap's text, or under `--json` (anywhere before a `--`) one `{"error":{…}}` line. Returns
/// the exit code.
pub fn parse_failure(error: &clap::Error, args: impl IntoIterator<Item = OsString>) -> i32 {
    let asks_for_json = args
        .into_iter()
        .take_while(|arg| arg != "--")
        .any(|arg| arg == "--json");
    if !error.use_stderr() || !asks_for_json {
        // Help, the version, or clap's usage error in text: clap prints them itself.
        let _ = error.print();
        return error.exit_code();
    }
    let text = error.render().to_string();
    let message = text.trim().strip_prefix("error: ").unwrap_or(text.trim());
    exit_code(
        Err(Failure {
            exit_code: error.exit_code(),
            ..fail_usage(message)
        }),
        true,
    )
}

/// Says something the user should know on stderr — `warning: …`, or under `--json` one
/// `{"warning":{"message":…}}` line — and lets the command carry on.
pub fn warn(message: &str, json: bool) {
    let line = if json {
        serde_json::json!({ "warning": { "message": message } }).to_string()
    } else {
        format!("warning: {message}")
    };
    eprintln!("{}", terminal_safe(&line));
}

/// Where a device-code sign-in's prompt goes: stderr, beside warnings and errors (stdout is the
/// command's answer).
pub fn sign_in_prompts(json: bool) -> DeviceCodePrompts {
    Arc::new(move |prompt: DeviceCodePrompt| eprintln!("{}", sign_in_text(&prompt, json)))
}

/// A sign-in prompt as text, or under `--json` one `{"sign_in":{…}}` line. Every string in it is
/// the authority's, so it is made safe for the terminal, and its message kept to one line.
fn sign_in_text(prompt: &DeviceCodePrompt, json: bool) -> String {
    let message = prompt
        .message
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let text = if json {
        serde_json::json!({ "sign_in": {
            "profile": prompt.profile,
            "verification_uri": prompt.verification_uri,
            "user_code": prompt.user_code,
            "message": message,
            "expires_at": prompt.expires_at.format(&Rfc3339).unwrap_or_default(),
        }})
        .to_string()
    } else {
        let mut text = format!(
            "profile {} (auth = device-code): to sign in, open {} and enter the code {} \
             (it expires at {})",
            prompt.profile,
            prompt.verification_uri,
            prompt.user_code,
            crate::when::format_utc(prompt.expires_at.unix_timestamp())
        );
        if !message.is_empty() {
            text = format!("{text}\n{message}");
        }
        text
    };
    terminal_safe(&text).into_owned()
}

/// Text for a terminal: every control character but newline and tab, and every format
/// character (bidi controls, zero-width characters, tag characters: `crate::format_chars`), is
/// written as a `\uXXXX` escape, so nothing that came from a vault — a tag, a content type, an
/// error message, a revealed value — can move the cursor, retitle the window, set the clipboard
/// of whoever reads it, or read other than it is (`env=<U+202E>DORP` shown as `env=PROD`). The
/// escape is JSON's own (a pair of them past U+FFFF), so `--json` output stays valid and means
/// the same.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let escaped =
        |c: char| (c.is_control() && c != '\n' && c != '\t') || crate::format_chars::is_format(c);
    // Every such character starts with a byte below 0x20, DEL, 0xC2 (a C1 control) or a byte a
    // format character starts with: a byte scan clears most text, a listing's JSON included,
    // before any character is decoded, and only where it stops is one decoded. It goes in chunks
    // with no early exit inside, so each chunk's scan vectorizes (7 GB/s, 5x a plain `any`).
    let may_start = |b: u8| {
        (b < 0x20 && b != b'\n' && b != b'\t')
            || b == 0x7f
            || b == 0xc2
            || crate::format_chars::may_start_format(b)
    };
    let bytes = text.as_bytes();
    if !bytes
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |found, &b| found | may_start(b)))
    {
        return std::borrow::Cow::Borrowed(text);
    }
    // Each byte the scan stops at is ASCII or starts a character, so `at` is a char boundary.
    let escaped_at =
        |(at, &b): (usize, &u8)| may_start(b) && text[at..].chars().next().is_some_and(escaped);
    if !bytes.iter().enumerate().any(escaped_at) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escaped(c) {
            for unit in c.encode_utf16(&mut [0; 2]) {
                safe.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            safe.push(c);
        }
    }
    std::borrow::Cow::Owned(safe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_prompt_is_terminal_safe_in_text_and_one_line_of_json() {
        let prompt = DeviceCodePrompt {
            profile: "jumpbox".into(),
            verification_uri: "https://microsoft.com/devicelogin\u{1b}]52;c;ZXZpbA==\u{7}".into(),
            user_code: "DCK9QVPLX".into(),
            message: "To sign in,\r\nenter\u{202e} the code DCK9QVPLX.".into(),
            expires_at: time::OffsetDateTime::from_unix_timestamp(1_795_000_000).expect("time"),
        };
        let text = sign_in_text(&prompt, false);
        assert_eq!(
            text,
            "profile jumpbox (auth = device-code): to sign in, open \
             https://microsoft.com/devicelogin\\u001b]52;c;ZXZpbA==\\u0007 and enter the code \
             DCK9QVPLX (it expires at 2026-11-18 11:06 UTC)\n\
             To sign in, enter\\u202e the code DCK9QVPLX."
        );
        let json = sign_in_text(&prompt, true);
        assert_eq!(json.lines().count(), 1, "{json}");
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(parsed["sign_in"]["user_code"], "DCK9QVPLX");
        assert_eq!(parsed["sign_in"]["expires_at"], "2026-11-18T11:06:40Z");
        assert!(
            !json.contains('\u{1b}') && !json.contains('\u{202e}'),
            "{json}"
        );
    }

    #[test]
    fn a_failure_is_terminal_safe_in_text_and_one_line_of_json() {
        let hostile = "Secret \u{1b}]52;c;ZXZpbA==\u{7} not found\n\u{9b}2J";
        let failure = Failure::from(VaultError::Service {
            status: 404,
            code: "SecretNotFound".into(),
            message: hostile.into(),
            inner_code: None,
        });
        let text = failure.line(false);
        assert!(
            !text.contains(|c: char| c.is_control() && c != '\n' && c != '\t'),
            "{text:?}"
        );
        let json = failure.line(true);
        assert!(!json.contains(char::is_control), "one line: {json:?}");
        assert!(
            text.starts_with("error: SecretNotFound (HTTP 404): Secret "),
            "{text:?}"
        );
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("one JSON object");
        assert_eq!(
            parsed,
            serde_json::json!({"error": {
                "code": "SecretNotFound",
                "inner_code": null,
                "status": 404,
                "message": hostile,
                "exit_code": 1,
            }}),
            "the escapes are JSON's own, so the message means the same"
        );
    }

    #[test]
    fn control_characters_reach_the_terminal_as_escapes() {
        assert_eq!(terminal_safe("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(
            terminal_safe("\u{1b}]52;c;ZXZpbA==\u{7}x\u{9b}2J\r\u{7f}"),
            "\\u001b]52;c;ZXZpbA==\\u0007x\\u009b2J\\u000d\\u007f"
        );
        let json = serde_json::json!({"v": "a\u{9b}b\u{7f}"}).to_string();
        let parsed: serde_json::Value =
            serde_json::from_str(&terminal_safe(&json)).expect("still JSON");
        assert_eq!(parsed["v"], "a\u{9b}b\u{7f}", "JSON keeps its meaning");
    }

    #[test]
    fn format_characters_reach_the_terminal_as_escapes() {
        assert_eq!(
            terminal_safe("env=\u{202e}DORP\u{202c}"),
            "env=\\u202eDORP\\u202c"
        );
        assert_eq!(
            terminal_safe("a\u{200b}\u{2066}b\u{feff}…→"),
            "a\\u200b\\u2066b\\ufeff…→"
        );
        // Past U+FFFF a character is two escapes, a surrogate pair, as JSON writes it.
        let smuggled = "ok\u{e0041}\u{e0042}";
        assert_eq!(terminal_safe(smuggled), "ok\\udb40\\udc41\\udb40\\udc42");
        let json = serde_json::json!({"tag": smuggled, "t": "\u{202e}x"}).to_string();
        let parsed: serde_json::Value =
            serde_json::from_str(&terminal_safe(&json)).expect("still JSON");
        assert_eq!(parsed["tag"], smuggled, "JSON keeps its meaning");
        assert_eq!(parsed["t"], "\u{202e}x");
        assert!(matches!(
            terminal_safe("naïve 中文 😀"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn the_byte_scan_passes_exactly_the_characters_that_are_safe() {
        // Every character: one and two bytes, where the control characters live, and three and
        // four, where most format characters do.
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            let escaped =
                (c.is_control() && c != '\n' && c != '\t') || crate::format_chars::is_format(c);
            let safe = terminal_safe(&text);
            assert_eq!(
                matches!(safe, std::borrow::Cow::Owned(_)),
                escaped,
                "U+{:04X}",
                u32::from(c)
            );
            if escaped {
                assert!(!safe.contains(c), "U+{:04X}", u32::from(c));
            } else {
                assert_eq!(safe, text);
            }
        }
    }
}
