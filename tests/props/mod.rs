//! The properties behind the fuzz targets (`fuzz/fuzz_targets/`) and their short proptest runs
//! in `cargo test` (`tests/pure/fuzz_props.rs`): each takes any input and panics when kvtui gets
//! it wrong. One definition, two drivers: libFuzzer explores for minutes, proptest checks a few
//! hundred cases on every test run.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod render;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use kvtui::local_vault::faults::Faults;
use kvtui::local_vault::{Handler, LocalVaultConfig};
use kvtui::vault::challenge::{parse_challenge, verify_resource};
use kvtui::vault::rules::{self, Field};
use kvtui::when::{EARLIEST, LATEST, WHEN_FORMS, When, WhenError, format_utc, parse_when};
use std::path::{Path, PathBuf};

/// A fixed "now" for the WHEN parser, so relative dates are checkable.
pub const NOW: i64 = 1_800_000_000;

/// Text shown to the user (an error on the screen or stderr) must not carry control characters:
/// a name or value with an escape sequence in it would otherwise drive the user's terminal.
fn assert_printable(message: &str) {
    assert!(
        !message.chars().any(|c| c.is_control() && c != '\n'),
        "a control character reaches the terminal: {message:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// WHEN

/// Any text typed as an expiry or not-before date: parsed or refused, never a panic; a date is
/// always from 1970 to the end of 9999 (so it shows as a date, never a bare number); a relative
/// date is exactly now plus its count of units (calendar months and years keep the time of day
/// and the day, clamped to the month's length); a refusal says what is accepted, or the limit.
pub fn when(input: &str) {
    match parse_when(input, NOW) {
        Ok(When::Never) => assert!(input.trim().eq_ignore_ascii_case("never"), "{input:?}"),
        Ok(When::At(at)) => {
            assert!((EARLIEST..=LATEST).contains(&at), "{input:?} gave {at}");
            assert!(format_utc(at).ends_with(" UTC"), "{input:?} gave {at}");
            if let Some(relative) = input.trim().strip_prefix('+') {
                let (count, unit) = relative.split_at(relative.len() - 1);
                let count: i64 = count.parse().unwrap();
                assert!(count > 0, "{input:?}");
                match unit {
                    "h" => assert_eq!(at, NOW + count * 3_600, "{input:?}"),
                    "d" => assert_eq!(at, NOW + count * 86_400, "{input:?}"),
                    "w" => assert_eq!(at, NOW + count * 7 * 86_400, "{input:?}"),
                    "m" => assert_months_later(at, count, input),
                    "y" => assert_months_later(at, count * 12, input),
                    other => panic!("{input:?} accepted with unit {other:?}"),
                }
            }
        }
        Err(error) => {
            let message = error.to_string();
            match error {
                WhenError::NotADate { .. } => assert!(message.contains(WHEN_FORMS), "{message}"),
                WhenError::TooLate { .. } => {
                    assert!(message.contains("9999-12-31T23:59:59Z"), "{message}");
                    if let Some(relative) = input.trim().strip_prefix('+') {
                        // A refused input may end in any character: split off the last one.
                        let unit_at = relative.char_indices().last().map_or(0, |(i, _)| i);
                        let (count, unit) = relative.split_at(unit_at);
                        // The most seconds a count of this unit can span: a month is at most
                        // 31 days, a year at most 366.
                        let seconds = match unit {
                            "h" => 3_600,
                            "d" => 86_400,
                            "w" => 7 * 86_400,
                            "m" => 31 * 86_400,
                            "y" => 366 * 86_400,
                            other => panic!("{input:?} refused as too late with unit {other:?}"),
                        };
                        let far = count
                            .parse::<i64>()
                            .ok()
                            .and_then(|count| count.checked_mul(seconds))
                            .and_then(|offset| NOW.checked_add(offset))
                            .is_none_or(|latest_possible| latest_possible > LATEST);
                        assert!(far, "{input:?} refused as too late");
                    }
                }
                WhenError::TooEarly { .. } => {
                    assert!(message.contains("1970-01-01T00:00:00Z"), "{message}");
                    assert!(!input.trim().starts_with('+'), "{input:?}");
                }
            }
            assert_printable(&message);
        }
    }
}

/// `at` is `months` calendar months after `NOW`, at the same time of day, on the same day of
/// the month or, when that month is shorter, on its last day.
fn assert_months_later(at: i64, months: i64, input: &str) {
    let start = time::OffsetDateTime::from_unix_timestamp(NOW).unwrap();
    let end = time::OffsetDateTime::from_unix_timestamp(at).unwrap();
    let month_number =
        |t: time::OffsetDateTime| i64::from(t.year()) * 12 + i64::from(u8::from(t.month()));
    assert_eq!(month_number(end) - month_number(start), months, "{input:?}");
    assert_eq!(end.time(), start.time(), "{input:?}");
    let last_day = end.month().length(end.year());
    assert_eq!(end.day(), start.day().min(last_day), "{input:?}");
}

/// A timestamp written as RFC 3339 or as a date parses back to itself, from 1970 on; before
/// 1970 both are refused as too early.
pub fn when_round_trip(unix: i64) {
    let at = time::OffsetDateTime::from_unix_timestamp(unix).unwrap();
    let rfc3339 = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let date = format!(
        "{:04}-{:02}-{:02}",
        at.year(),
        u8::from(at.month()),
        at.day()
    );
    if unix < EARLIEST {
        for text in [&rfc3339, &date] {
            assert!(
                matches!(parse_when(text, NOW), Err(WhenError::TooEarly { .. })),
                "{text}"
            );
        }
        return;
    }
    assert_eq!(parse_when(&rfc3339, NOW), Ok(When::At(unix)), "{rfc3339}");
    let midnight = at.replace_time(time::Time::MIDNIGHT).unix_timestamp();
    assert_eq!(parse_when(&date, NOW), Ok(When::At(midnight)), "{date}");
}

// ---------------------------------------------------------------------------------------------
// Tags and names

/// `--tag KEY=VALUE` flags: parsed into exactly the pairs given, split at the first `=`, within
/// the service's limits; or refused, naming the tags field.
pub fn tags(entries: &[String]) {
    match kvtui::cli::secret::parse_tags(entries) {
        Ok(None) => assert!(entries.is_empty()),
        Ok(Some(tags)) => {
            assert_eq!(tags.len(), entries.len());
            assert!(tags.len() <= rules::MAX_TAGS);
            for entry in entries {
                let (key, value) = entry.split_once('=').unwrap();
                assert_eq!(tags.get(key).map(String::as_str), Some(value), "{entry:?}");
            }
            rules::check_tags(&tags).unwrap();
        }
        Err(violation) => {
            assert_eq!(violation.field, Field::Tags);
            assert_printable(&violation.to_string());
        }
    }
}

/// A secret name is accepted exactly when the service would: 1 to 127 of `0-9a-zA-Z-`.
pub fn name(input: &str) {
    let valid = (1..=rules::MAX_NAME_CHARS).contains(&input.chars().count())
        && input.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    match rules::check_name(input) {
        Ok(()) => assert!(valid, "{input:?} accepted"),
        Err(violation) => {
            assert!(!valid, "{input:?} refused: {violation}");
            assert_eq!(violation.field, Field::Name);
            assert_printable(&violation.to_string());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Config

/// Any text as `config.toml`: loaded or refused with an error naming the file, never a panic.
/// A value under a key kvtui does not know, and a `client_secret_env` that is not a variable
/// name, are never quoted back: they may be a secret pasted into the wrong place.
pub fn config(text: &str) {
    let path = Path::new("/etc/kvtui/config.toml");
    match kvtui::config::Config::parse(text, path) {
        Ok(config) => assert!(!config.profiles.is_empty()),
        Err(error) => {
            let message = error.to_string();
            assert!(message.contains("/etc/kvtui/config.toml"), "{message}");
        }
    }
}

/// A config with a secret pasted where it does not belong, in quotes or not: the error never
/// shows it.
pub fn config_never_quotes_a_pasted_secret(secret: &str, under_unknown_key: bool, quoted: bool) {
    let pasted = if quoted {
        toml_string(secret)
    } else {
        secret.to_owned()
    };
    let text = if under_unknown_key {
        format!(
            "[profiles.p]\nvault_url = \"https://v.vault.azure.net\"\nclient_secret = {pasted}\n"
        )
    } else {
        format!(
            "[profiles.p]\nvault_url = \"https://v.vault.azure.net\"\nauth = \"client-secret\"\n\
             tenant_id = \"t\"\nclient_id = \"c\"\nclient_secret_env = {pasted}\n"
        )
    };
    let path = Path::new("/etc/kvtui/config.toml");
    match kvtui::config::Config::parse(&text, path) {
        // A secret that happens to look like a variable name is taken for one.
        Ok(_) => assert!(!under_unknown_key, "an unknown key was accepted"),
        Err(error) => {
            let message = error.to_string();
            assert!(
                !message.contains(secret) && !message.contains(&pasted),
                "the pasted secret is shown: {message}"
            );
        }
    }
}

fn toml_string(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

// ---------------------------------------------------------------------------------------------
// WWW-Authenticate

/// Any `WWW-Authenticate` header: parsed or ignored, never a panic; and whatever it names, a
/// token is only offered to a vault whose host is the challenge's resource host or below it.
pub fn challenge(header: &str, vault_host: &str) {
    let Some(challenge) = parse_challenge(header) else {
        return;
    };
    assert!(!challenge.scope.is_empty());
    let vault_url = format!("https://{vault_host}");
    if verify_resource(&challenge, &vault_url, None).is_ok() {
        let resource_host = host(&challenge.scope);
        let vault_host = host(&vault_url);
        assert!(
            !resource_host.is_empty()
                && (vault_host == resource_host
                    || vault_host.ends_with(&format!(".{resource_host}"))),
            "a token for {:?} would be sent to {vault_url}",
            challenge.scope
        );
    }
}

/// The host of a URL (or of a bare `host[:port]`), as URLs define it: after any `user@`, before
/// any port, lower-case; an IPv6 address keeps its brackets.
fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(v6) => format!("[{}]", v6.split(']').next().unwrap_or_default()),
        None => host_port.split(':').next().unwrap_or_default().to_owned(),
    };
    host.to_ascii_lowercase()
}

/// A well-formed challenge, its parameters in any order, case and quoting, parses to the
/// scope it names (or the resource's `/.default`).
pub fn challenge_well_formed(
    scheme: &str,
    authorization: &str,
    resource: &str,
    scope: Option<&str>,
    order: &[usize],
    separator: &str,
    quote: bool,
) {
    let q = |value: &str| {
        if quote {
            format!("\"{value}\"")
        } else {
            value.to_owned()
        }
    };
    let mut parameters = vec![
        format!("authorization={}", q(authorization)),
        format!("resource={}", q(resource)),
    ];
    if let Some(scope) = scope {
        parameters.push(format!("scope={}", q(scope)));
    }
    let ordered: Vec<String> = order
        .iter()
        .filter_map(|&i| parameters.get(i).cloned())
        .collect();
    let ordered = if ordered.len() == parameters.len() {
        ordered
    } else {
        parameters
    };
    let header = format!("{scheme} {}", ordered.join(separator));
    let parsed = parse_challenge(&header).unwrap_or_else(|| panic!("refused: {header}"));
    let expected = match scope {
        Some(scope) => scope.to_owned(),
        None => format!("{}/.default", resource.trim_end_matches('/')),
    };
    assert_eq!(parsed.scope, expected, "{header}");
    assert_eq!(
        parsed.authorization.as_deref(),
        Some(authorization),
        "{header}"
    );
}

// ---------------------------------------------------------------------------------------------
// The local vault's request handling

/// A local vault's handler on a fresh data dir (in /dev/shm when there is one, so fsyncs are
/// cheap), with a tokio runtime to drive it.
pub struct VaultUnderTest {
    pub handler: Handler,
    runtime: tokio::runtime::Runtime,
    dir: PathBuf,
}

impl VaultUnderTest {
    pub fn new() -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let base = Path::new("/dev/shm");
        let base = if base.is_dir() {
            base.to_owned()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!(
            "kvtui-props-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let handler = Handler::open(&LocalVaultConfig::new(dir.clone())).expect("open the vault");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Self {
            handler,
            runtime,
            dir,
        }
    }
}

impl Drop for VaultUnderTest {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One request, described by the choices a fuzzer or proptest makes.
#[derive(Clone, Debug)]
pub struct RequestInput {
    pub method: u8,
    pub route: u8,
    pub name: String,
    pub version: String,
    pub query: u8,
    pub query_text: String,
    pub auth: u8,
    pub body_kind: u8,
    pub body: Vec<u8>,
    pub number: i64,
}

const METHODS: [&str; 8] = [
    "GET", "PUT", "PATCH", "DELETE", "POST", "HEAD", "OPTIONS", "BREW",
];

fn encode(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC).to_string()
}

impl RequestInput {
    fn path(&self) -> String {
        let name = if self.route & 0x80 != 0 {
            encode(&self.name)
        } else {
            self.name.clone()
        };
        let version = encode(&self.version);
        match self.route % 14 {
            0 => "/secrets".to_owned(),
            1 => format!("/secrets/{name}"),
            2 => format!("/secrets/{name}/"),
            3 => format!("/secrets/{name}/{version}"),
            4 => format!("/secrets/{name}/versions"),
            5 => format!("/secrets/{name}/backup"),
            6 => "/secrets/restore".to_owned(),
            7 => "/deletedsecrets".to_owned(),
            8 => format!("/deletedsecrets/{name}"),
            9 => format!("/deletedsecrets/{name}/recover"),
            10 => "/_kvtui/faults".to_owned(),
            11 => "/_kvtui/clock".to_owned(),
            12 => "/_kvtui/health".to_owned(),
            _ => format!("/{name}/{version}"),
        }
    }

    fn query(&self) -> String {
        match self.query % 6 {
            0 => "api-version=7.6".to_owned(),
            1 => format!("api-version=2025-07-01&maxresults={}", self.number),
            2 => format!("api-version=7.4&$skiptoken={}", encode(&self.query_text)),
            3 => format!("api-version={}", encode(&self.query_text)),
            4 => String::new(),
            _ => self.query_text.clone(),
        }
    }

    fn body(&self) -> Vec<u8> {
        let text = String::from_utf8_lossy(&self.body);
        let json = match self.body_kind % 6 {
            0 => return self.body.clone(),
            1 => serde_json::json!({"value": text}),
            2 => serde_json::json!({
                "value": text,
                "contentType": self.version,
                "tags": {self.name.clone(): text},
                "attributes": {"enabled": self.number % 2 == 0, "exp": self.number, "nbf": self.number / 2},
            }),
            3 => serde_json::json!({
                "contentType": text,
                "attributes": {"enabled": self.number % 3 == 0, "exp": self.number},
            }),
            4 => serde_json::json!({"value": base64_of(&self.body)}),
            _ => serde_json::json!({"advance_seconds": self.number}),
        };
        json.to_string().into_bytes()
    }
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Any request: answered (never a panic, never a 500, which would mean the vault broke), with
/// the challenge when the token is missing or wrong, and with JSON (or nothing, for a purge).
pub fn vault_request(vault: &VaultUnderTest, input: &RequestInput) {
    let token = vault.handler.token().to_owned();
    // Choice 3 appends text to the token, which is only still the token if that text is blank.
    let authorized = match input.auth % 4 {
        0 => true,
        3 => input.version.trim().is_empty(),
        _ => false,
    };
    let mut builder = hyper::Request::builder()
        .method(METHODS[usize::from(input.method) % METHODS.len()])
        .uri(format!("{}?{}", input.path(), input.query()))
        .header("host", "127.0.0.1:8443");
    builder = match input.auth % 4 {
        0 => builder.header("authorization", format!("Bearer {token}")),
        1 => builder,
        2 => builder.header("authorization", format!("Bearer {}", input.query_text)),
        _ => builder.header("authorization", format!("Bearer {token}{}", input.version)),
    };
    if input.body_kind & 0x80 != 0 {
        builder = builder.header("content-type", "application/json");
    }
    // What hyper would refuse before it reached the vault (a URI or header it cannot parse) is
    // not the handler's to see.
    let Ok(request) = builder.body(Full::new(Bytes::from(input.body()))) else {
        return;
    };
    let described = format!(
        "{} {} ({} body bytes)",
        request.method(),
        request.uri(),
        input.body().len()
    );
    let answer = vault.runtime.block_on(async {
        let response = vault.handler.handle(request).await?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.ok()?.to_bytes();
        Some((status, body))
    });
    // Whatever the request did to the test controls, the next one starts without faults.
    vault.handler.set_faults(Faults::default());
    let (status, body) = answer.expect("no fault was injected, so the connection is not dropped");
    assert_ne!(
        status,
        500,
        "{described}: {}",
        String::from_utf8_lossy(&body)
    );
    if !authorized {
        assert_eq!(status, 401, "{described} without the token");
    }
    if status == 204 {
        assert!(body.is_empty());
    } else {
        let json: serde_json::Value = serde_json::from_slice(&body)
            .unwrap_or_else(|_| panic!("{described}: not JSON: {body:?}"));
        if status >= 400 {
            assert!(json["error"]["code"].is_string(), "{described}: {json}");
        }
    }
}
