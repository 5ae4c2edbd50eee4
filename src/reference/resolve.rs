//! Resolving references to values: each profile opened once (one credential, one token, one
//! HTTP/2 connection to its vault), every distinct secret fetched concurrently, and every
//! reference that fails named, so a command runs with all its values or not at all.

use super::{Reference, ReferenceError};
use crate::auth::DeviceCodePrompts;
use crate::config::{Config, Profile};
use crate::session::Session;
use crate::vault::{SecretBundle, SecretValue, VaultClient, VaultError};
use futures_util::stream::{self, StreamExt};
use std::collections::BTreeMap;

/// Requests in flight to one vault, all on its one HTTP/2 connection. The service allows 4,000
/// secret reads per vault in 10 s; this many keeps a few hundred references to a few round trips
/// without coming near that.
const IN_FLIGHT_PER_VAULT: usize = 32;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The profile of a reference that leaves it out (`kv:///NAME`); `None` means the config's
    /// default.
    pub default_profile: Option<String>,
    /// Hand over an expired or not-yet-valid secret's value too. A disabled secret has none:
    /// the vault refuses to read it.
    pub allow_expired: bool,
}

/// The profile of each reference, in order; or every reference that names none.
pub fn place<'c>(
    config: &'c Config,
    references: &[Reference],
    options: &Options,
) -> Result<Vec<&'c Profile>, Vec<ReferenceError>> {
    let (placed, unplaced): (Vec<_>, Vec<_>) = references
        .iter()
        .map(|reference| reference.profile(config, options.default_profile.as_deref()))
        .partition(Result::is_ok);
    if unplaced.is_empty() {
        Ok(placed.into_iter().filter_map(Result::ok).collect())
    } else {
        Err(unplaced.into_iter().filter_map(Result::err).collect())
    }
}

/// Every reference's value, in the order given, from the profiles `place` found for them; or
/// every reference that failed, each with why.
pub async fn fetch(
    references: &[Reference],
    profiles: &[&Profile],
    options: &Options,
    prompts: DeviceCodePrompts,
) -> Result<Vec<SecretValue>, Vec<ReferenceError>> {
    let key_of = |reference: &Reference, profile: &Profile| {
        (
            profile.name.clone(),
            Wanted {
                name: reference.name.clone(),
                version: reference.version.clone(),
            },
        )
    };
    // What each vault is asked for, once however many references name it.
    let mut wanted: BTreeMap<&str, (&Profile, Vec<Wanted>)> = BTreeMap::new();
    for (reference, profile) in references.iter().zip(profiles) {
        let (_, key) = key_of(reference, profile);
        let (_, keys) = wanted
            .entry(profile.name.as_str())
            .or_insert_with(|| (profile, Vec::new()));
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let fetched: BTreeMap<(String, Wanted), Result<SecretValue, String>> =
        futures_util::future::join_all(wanted.into_values().map(|(profile, keys)| {
            let prompts = prompts.clone();
            async move { fetch_from(profile, keys, prompts, options.allow_expired, now).await }
        }))
        .await
        .into_iter()
        .flatten()
        .collect();
    let mut values = Vec::with_capacity(references.len());
    let mut failures = Vec::new();
    for (reference, profile) in references.iter().zip(profiles) {
        match &fetched[&key_of(reference, profile)] {
            Ok(value) => values.push(value.clone()),
            Err(problem) => failures.push(ReferenceError::new(&reference.written, problem.clone())),
        }
    }
    if failures.is_empty() {
        Ok(values)
    } else {
        Err(failures)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Wanted {
    name: String,
    version: Option<String>,
}

type Fetched = Vec<((String, Wanted), Result<SecretValue, String>)>;

/// Opens `profile` and reads each of `keys` from its vault, `IN_FLIGHT_PER_VAULT` at a time.
async fn fetch_from(
    profile: &Profile,
    keys: Vec<Wanted>,
    prompts: DeviceCodePrompts,
    allow_expired: bool,
    now: i64,
) -> Fetched {
    let named = |key: Wanted, outcome| ((profile.name.clone(), key), outcome);
    let session = match Session::open(profile, prompts).await {
        Ok(session) => session,
        Err(error) => {
            let problem = error.to_string();
            return keys
                .into_iter()
                .map(|key| named(key, Err(problem.clone())))
                .collect();
        }
    };
    let client = &session.client;
    let fetch = |key: Wanted| async move {
        let outcome = fetch_one(client, profile, &key, allow_expired, now).await;
        named(key, outcome)
    };
    // Sent together, the first reads wait while one of them takes the vault's challenge and
    // token (the client's probe), then share its one connection.
    let fetched: Fetched = stream::iter(keys)
        .map(fetch)
        .buffer_unordered(IN_FLIGHT_PER_VAULT)
        .collect()
        .await;
    session.close().await;
    fetched
}

async fn fetch_one(
    client: &VaultClient,
    profile: &Profile,
    key: &Wanted,
    allow_expired: bool,
    now: i64,
) -> Result<SecretValue, String> {
    let bundle = client
        .get_secret(&key.name, key.version.as_deref())
        .await
        .map_err(|error| describe_refusal(profile, &key.name, &error))?;
    usable_value(bundle, allow_expired, now)
        .map_err(|problem| format!("secret {} in profile {}: {problem}", key.name, profile.name))
}

fn describe_refusal(profile: &Profile, name: &str, error: &VaultError) -> String {
    match error.status() {
        Some(404) => format!(
            "secret {name} (or that version of it) is not in the vault of profile {} ({})",
            profile.name, profile.vault
        ),
        _ => format!("secret {name} in profile {}: {error}", profile.name),
    }
}

/// The value of a bundle the vault sent, unless its dates say it is not to be used now.
pub fn usable_value(
    bundle: SecretBundle,
    allow_expired: bool,
    now: i64,
) -> Result<SecretValue, String> {
    let attributes = bundle.attributes.unwrap_or_default();
    if attributes.enabled == Some(false) {
        return Err("is disabled".into());
    }
    if !allow_expired {
        if let Some(exp) = attributes.exp.filter(|exp| *exp <= now) {
            return Err(format!(
                "expired at {} (--allow-expired to use it anyway)",
                crate::when::format_utc(exp)
            ));
        }
        if let Some(nbf) = attributes.nbf.filter(|nbf| *nbf > now) {
            return Err(format!(
                "is not valid until {} (--allow-expired to use it anyway)",
                crate::when::format_utc(nbf)
            ));
        }
    }
    bundle
        .value
        .ok_or_else(|| "the vault sent no value for it".to_owned())
}
