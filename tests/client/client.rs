//! The Key Vault client against the real local vault over HTTPS: every operation, the challenge
//! flow, token caching and refresh, paging, typed errors, retries under injected faults, and the
//! Azure CLI credential path with a stand-in for `az`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use azure_core::credentials::{AccessToken, Secret};
use kvtui::auth::{ChallengedCredential, TokenAsk};
use kvtui::vault::retry::RetryPolicy;
use kvtui::vault::{
    BackupBlob, ClientOptions, RetryNotice, SecretAttributes, SecretValue, SetSecretParameters,
    TrustRoots, UpdateSecretParameters, VaultClient, VaultError,
};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{VaultProcess, failing_next};

/// Hands out the vault's token, counting calls and remembering the scopes asked for.
#[derive(Debug)]
struct CountingCredential {
    token: String,
    lifetime: time::Duration,
    calls: AtomicUsize,
    scopes: Mutex<Vec<String>>,
}

impl CountingCredential {
    fn new(vault: &VaultProcess, lifetime: time::Duration) -> Arc<Self> {
        Arc::new(Self {
            token: vault.token.clone(),
            lifetime,
            calls: AtomicUsize::new(0),
            scopes: Mutex::default(),
        })
    }
}

kvtui::challenged_credentials!(CountingCredential);

#[async_trait::async_trait]
impl ChallengedCredential for CountingCredential {
    async fn token(&self, ask: TokenAsk<'_>) -> azure_core::Result<AccessToken> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.scopes
            .lock()
            .unwrap()
            .extend(ask.scopes.iter().map(|s| s.to_string()));
        Ok(AccessToken::new(
            Secret::new(self.token.clone()),
            time::OffsetDateTime::now_utc() + self.lifetime,
        ))
    }
}

fn options(vault: &VaultProcess) -> ClientOptions {
    ClientOptions {
        trust: TrustRoots::Only(vault.ca_file.clone()),
        verify_challenge_resource: false,
        retry: RetryPolicy {
            base_delay: Duration::from_millis(20),
            ..RetryPolicy::default()
        },
        ..ClientOptions::default()
    }
}

fn client(vault: &VaultProcess, credential: Arc<CountingCredential>) -> VaultClient {
    VaultClient::new(&vault.url, credential, options(vault)).unwrap()
}

/// A client and the credential it counts its token requests on, whose tokens last `lifetime`.
fn counting_client(
    vault: &VaultProcess,
    lifetime: time::Duration,
) -> (Arc<CountingCredential>, VaultClient) {
    let credential = CountingCredential::new(vault, lifetime);
    (Arc::clone(&credential), client(vault, credential))
}

/// A client whose token outlasts the test, for tests that do not count sign-ins.
fn signed_in_client(vault: &VaultProcess) -> VaultClient {
    client(
        vault,
        CountingCredential::new(vault, time::Duration::hours(1)),
    )
}

fn set_params(value: &str) -> SetSecretParameters {
    SetSecretParameters {
        value: SecretValue::new(value),
        tags: None,
        content_type: None,
        attributes: None,
    }
}

/// Sets each of `names` to "v", one request after the other.
async fn set_each(client: &VaultClient, names: impl Iterator<Item = String>) {
    for name in names {
        client.set_secret(&name, &set_params("v")).await.unwrap();
    }
}

fn version(id: Option<&str>) -> String {
    id.unwrap().rsplit('/').next().unwrap().to_owned()
}

#[tokio::test]
async fn every_operation_round_trips() {
    let vault = VaultProcess::start();
    let client = signed_in_client(&vault);
    let first = client
        .set_secret(
            "app-key",
            &SetSecretParameters {
                value: SecretValue::new("first\nvalue ✓"),
                tags: Some([("env".to_owned(), "dev".to_owned())].into()),
                content_type: Some("text/plain".into()),
                attributes: Some(SecretAttributes {
                    exp: Some(1_900_000_000),
                    ..SecretAttributes::default()
                }),
            },
        )
        .await
        .unwrap();
    assert_eq!(first.value.as_ref().unwrap().expose(), "first\nvalue ✓");
    let second = client
        .set_secret("app-key", &set_params("second"))
        .await
        .unwrap();

    let latest = client.get_secret("app-key", None).await.unwrap();
    assert_eq!(latest.id, second.id);
    assert_eq!(latest.value.unwrap().expose(), "second");
    let old = client
        .get_secret("app-key", Some(&version(first.id.as_deref())))
        .await
        .unwrap();
    assert_eq!(old.value.unwrap().expose(), "first\nvalue ✓");
    assert_eq!(old.tags.unwrap()["env"], "dev");
    assert_eq!(old.attributes.unwrap().exp, Some(1_900_000_000));

    let updated = client
        .update_secret(
            "app-key",
            Some(&version(first.id.as_deref())),
            &UpdateSecretParameters {
                content_type: Some("application/json".into()),
                ..UpdateSecretParameters::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.content_type.as_deref(), Some("application/json"));
    assert!(updated.value.is_none());

    let versions = client.list_versions("app-key").collect_all().await.unwrap();
    assert_eq!(versions.len(), 2);
    let secrets = client.list_secrets().collect_all().await.unwrap();
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0].secret_id().unwrap().name, "app-key");

    let backup = client.backup_secret("app-key").await.unwrap();
    let deleted = client.delete_secret("app-key").await.unwrap();
    assert!(deleted.deletion.scheduled_purge_date.is_some());
    let got = client.get_deleted_secret("app-key").await.unwrap();
    assert_eq!(got.deletion.recovery_id, deleted.deletion.recovery_id);
    let listed = client.list_deleted_secrets().collect_all().await.unwrap();
    assert_eq!(listed.len(), 1);
    let recovered = client.recover_deleted_secret("app-key").await.unwrap();
    assert_eq!(recovered.id, second.id);

    client.delete_secret("app-key").await.unwrap();
    client.purge_deleted_secret("app-key").await.unwrap();
    assert!(
        client
            .get_deleted_secret("app-key")
            .await
            .unwrap_err()
            .is_not_found()
    );
    let restored = client.restore_secret(&backup).await.unwrap();
    assert_eq!(restored.id, second.id);
    assert_eq!(
        client
            .list_versions("app-key")
            .collect_all()
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn the_challenge_is_answered_once_and_the_token_cached() {
    let vault = VaultProcess::start();
    let (credential, client) = counting_client(&vault, time::Duration::hours(1));
    for i in 0..5 {
        client
            .set_secret(&format!("s{i}"), &set_params("v"))
            .await
            .unwrap();
        client.get_secret(&format!("s{i}"), None).await.unwrap();
    }
    assert_eq!(
        credential.calls.load(Ordering::SeqCst),
        1,
        "one token for ten requests"
    );
    assert_eq!(
        *credential.scopes.lock().unwrap(),
        ["https://vault.azure.net/.default"],
        "the scope comes from the challenge's resource"
    );
    // The vault saw exactly one unauthenticated request: the bodyless challenge probe.
    let log = std::fs::read_to_string(vault.data_dir.join("local-vault.log")).unwrap();
    assert_eq!(log.matches("status=401").count(), 1, "{log}");
}

#[tokio::test]
async fn requests_sent_together_take_one_challenge_between_them() {
    let vault = VaultProcess::start();
    for i in 0..16 {
        vault.set(&format!("s{i}"), "v").await;
    }
    let (credential, client) = counting_client(&vault, time::Duration::hours(1));
    let reads = (0..16).map(|i| {
        let client = client.clone();
        async move { client.get_secret(&format!("s{i}"), None).await }
    });
    for read in futures_util::future::join_all(reads).await {
        read.unwrap();
    }
    assert_eq!(credential.calls.load(Ordering::SeqCst), 1, "one token");
    // Without a probe shared between them, each of the 16 would have been answered 401.
    let log = std::fs::read_to_string(vault.data_dir.join("local-vault.log")).unwrap();
    assert_eq!(log.matches("status=401").count(), 1, "{log}");
}

#[tokio::test]
async fn tokens_near_expiry_are_renewed_before_use() {
    let vault = VaultProcess::start();
    // Inside the five-minute renewal margin: every request must fetch a fresh token.
    let (credential, client) = counting_client(&vault, time::Duration::seconds(200));
    set_each(&client, (0..4).map(|i| format!("s{i}"))).await;
    assert_eq!(credential.calls.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_challenge_for_another_domain_gets_no_token() {
    let vault = VaultProcess::start();
    let credential = CountingCredential::new(&vault, time::Duration::hours(1));
    let mut options = options(&vault);
    options.verify_challenge_resource = true;
    let client = VaultClient::new(&vault.url, credential.clone(), options).unwrap();
    let error = client.get_secret("anything", None).await.unwrap_err();
    assert!(
        matches!(&error, VaultError::Auth(message) if message.contains("refusing to send a token")),
        "{error}"
    );
    assert_eq!(
        credential.calls.load(Ordering::SeqCst),
        0,
        "the credential was never asked"
    );
}

#[tokio::test]
async fn a_wrong_token_is_an_auth_error_after_one_renewal() {
    let vault = VaultProcess::start();
    let credential = Arc::new(CountingCredential {
        token: "not-the-token".into(),
        lifetime: time::Duration::hours(1),
        calls: AtomicUsize::new(0),
        scopes: Mutex::default(),
    });
    let client = VaultClient::new(&vault.url, credential.clone(), options(&vault)).unwrap();
    let error = client.list_secrets().collect_all().await.unwrap_err();
    assert!(
        matches!(&error, VaultError::Auth(m) if m.contains("refused the token")),
        "{error}"
    );
    assert!(
        !error.to_string().contains("not-the-token"),
        "errors never carry tokens"
    );
    assert_eq!(credential.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn pages_arrive_one_at_a_time() {
    let vault = VaultProcess::start();
    let client = signed_in_client(&vault);
    set_each(&client, (0..120).map(|i| format!("paged-{i:03}"))).await;
    let mut pager = client.list_secrets();
    let first = pager.next_page().await.unwrap().unwrap();
    assert_eq!(
        first.len(),
        25,
        "the first page is usable before the rest is fetched"
    );
    assert_eq!(first[0].secret_id().unwrap().name, "paged-000");
    let mut total = first.len();
    let mut pages = 1;
    while let Some(page) = pager.next_page().await {
        total += page.unwrap().len();
        pages += 1;
    }
    assert_eq!((total, pages), (120, 5));
}

#[tokio::test]
async fn service_errors_are_typed() {
    let vault = VaultProcess::start();
    let client = signed_in_client(&vault);
    let missing = client.get_secret("missing", None).await.unwrap_err();
    assert!(missing.is_not_found());
    assert_eq!(missing.code(), Some("SecretNotFound"));

    client.set_secret("gone", &set_params("v")).await.unwrap();
    client.delete_secret("gone").await.unwrap();
    let conflict = client
        .set_secret("gone", &set_params("v"))
        .await
        .unwrap_err();
    assert!(conflict.is_deleted_but_recoverable(), "{conflict}");
    assert_eq!(conflict.status(), Some(409));

    client.set_secret("off", &set_params("v")).await.unwrap();
    client
        .update_secret(
            "off",
            None,
            &UpdateSecretParameters {
                attributes: Some(SecretAttributes {
                    enabled: Some(false),
                    ..SecretAttributes::default()
                }),
                ..UpdateSecretParameters::default()
            },
        )
        .await
        .unwrap();
    let disabled = client.get_secret("off", None).await.unwrap_err();
    assert_eq!(
        (disabled.status(), disabled.code()),
        (Some(403), Some("Forbidden"))
    );

    let bad = client
        .set_secret("bad_name", &set_params("v"))
        .await
        .unwrap_err();
    assert_eq!(
        (bad.status(), bad.code()),
        (Some(400), Some("BadParameter"))
    );

    let restore = client
        .restore_secret(&BackupBlob {
            value: "AAAA".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(restore.status(), Some(400));
}

#[tokio::test]
async fn transient_failures_are_retried_with_notices() {
    let vault = VaultProcess::start();
    let notices: Arc<Mutex<Vec<RetryNotice>>> = Arc::default();
    let seen = Arc::clone(&notices);
    let client = signed_in_client(&vault).with_retry_observer(Arc::new(move |notice| {
        seen.lock().unwrap().push(notice.clone())
    }));
    client.set_secret("warm", &set_params("v")).await.unwrap();

    vault.set_faults(failing_next(3, 503, 0)).await;
    client
        .set_secret("after-503s", &set_params("v"))
        .await
        .unwrap();
    {
        let notices = notices.lock().unwrap();
        assert_eq!(notices.len(), 3);
        assert_eq!(notices[2].retry, 3);
        assert!(
            notices[0].reason.contains("ServiceUnavailable (HTTP 503)"),
            "{notices:?}"
        );
    }

    notices.lock().unwrap().clear();
    vault.set_faults(failing_next(1, 429, 1)).await;
    let started = std::time::Instant::now();
    client.get_secret("after-503s", None).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert_eq!(notices.lock().unwrap()[0].delay, Duration::from_secs(1));

    vault.set_faults(failing_next(50, 500, 0)).await;
    let error = client.get_secret("after-503s", None).await.unwrap_err();
    assert_eq!(
        error.status(),
        Some(500),
        "gives up after max retries: {error}"
    );
    vault.set_faults(json!({})).await;

    vault.set_faults(json!({"drop_rate": 1.0})).await;
    let error = client.list_secrets().collect_all().await.unwrap_err();
    assert!(matches!(error, VaultError::Transport(_)), "{error}");
    vault.set_faults(json!({})).await;
}

#[tokio::test]
async fn a_slow_vault_times_out_per_attempt() {
    let vault = VaultProcess::start();
    let mut options = options(&vault);
    options.retry.attempt_timeout = Duration::from_millis(300);
    options.retry.max_retries = 1;
    let credential = CountingCredential::new(&vault, time::Duration::hours(1));
    let client = VaultClient::new(&vault.url, credential, options).unwrap();
    client.set_secret("s", &set_params("v")).await.unwrap();
    vault.set_faults(json!({"latency_ms": 2000})).await;
    let started = std::time::Instant::now();
    let error = client.get_secret("s", None).await.unwrap_err();
    assert!(matches!(error, VaultError::Transport(_)), "{error}");
    assert!(started.elapsed() < Duration::from_millis(1500));
}

/// Stands in for `az account get-access-token`, recording the command it was given.
#[derive(Debug)]
struct FakeAz {
    stdout: String,
    stderr: String,
    status: i32,
    commands: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl azure_identity::Executor for FakeAz {
    async fn run(
        &self,
        program: &std::ffi::OsStr,
        args: &[&std::ffi::OsStr],
    ) -> std::io::Result<std::process::Output> {
        use std::os::unix::process::ExitStatusExt;
        let command = std::iter::once(program)
            .chain(args.iter().copied())
            .map(|part| part.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        self.commands.lock().unwrap().push(command);
        Ok(std::process::Output {
            status: std::process::ExitStatus::from_raw(self.status << 8),
            stdout: self.stdout.clone().into_bytes(),
            stderr: self.stderr.clone().into_bytes(),
        })
    }
}

fn azure_cli_profile(vault: &VaultProcess) -> kvtui::config::Profile {
    kvtui::config::Profile {
        auth: kvtui::config::AuthMethod::AzureCli,
        vault: kvtui::config::VaultLocation::Url(vault.url.clone()),
        tenant_id: Some("00000000-0000-0000-0000-000000000001".into()),
        ..kvtui::config::Profile::implied_local()
    }
}

#[tokio::test]
async fn the_azure_cli_credential_works_offline_with_a_fake_az() {
    let vault = VaultProcess::start();
    let expires = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let fake = Arc::new(FakeAz {
        stdout: json!({"accessToken": vault.token, "expires_on": expires, "tokenType": "Bearer"})
            .to_string(),
        stderr: String::new(),
        status: 0,
        commands: Mutex::default(),
    });
    let credential = kvtui::auth::credential_for(
        &azure_cli_profile(&vault),
        &TrustRoots::System,
        Some(fake.clone()),
        Arc::new(|_| unreachable!("an azure-cli profile shows no sign-in code")),
    )
    .unwrap();
    let client = VaultClient::new(&vault.url, credential, options(&vault)).unwrap();
    client.set_secret("via-az", &set_params("v")).await.unwrap();
    client.get_secret("via-az", None).await.unwrap();
    let commands = fake.commands.lock().unwrap().clone();
    assert_eq!(commands.len(), 1, "{commands:?}");
    assert!(
        commands[0].contains("az account get-access-token -o json --scope https://vault.azure.net/.default --tenant 00000000-0000-0000-0000-000000000001"),
        "{commands:?}"
    );

    let not_logged_in = Arc::new(FakeAz {
        stdout: String::new(),
        stderr: "Please run 'az login' to setup account.".into(),
        status: 1,
        commands: Mutex::default(),
    });
    let credential = kvtui::auth::credential_for(
        &azure_cli_profile(&vault),
        &TrustRoots::System,
        Some(not_logged_in),
        Arc::new(|_| unreachable!("an azure-cli profile shows no sign-in code")),
    )
    .unwrap();
    let client = VaultClient::new(&vault.url, credential, options(&vault)).unwrap();
    let error = client.get_secret("via-az", None).await.unwrap_err();
    assert!(
        matches!(&error, VaultError::Auth(message) if message.contains("az login")),
        "{error}"
    );
}

/// A request that got no answer is reported with its URL, cut: its path and query can be long,
/// and the vault's own (a next link).
#[tokio::test]
async fn a_request_without_an_answer_quotes_its_url_cut() {
    let vault = VaultProcess::start();
    let mut options = options(&vault);
    options.retry.max_retries = 0;
    // Nothing listens on port 1.
    let unreachable = VaultClient::new(
        "https://127.0.0.1:1",
        CountingCredential::new(&vault, time::Duration::hours(1)),
        options,
    )
    .unwrap();
    for name in ["a".repeat(200), "a".repeat(100 * 1024)] {
        let error = unreachable
            .get_secret(&name, None)
            .await
            .expect_err("nothing answers");
        let text = error.to_string();
        assert!(matches!(error, VaultError::Transport(_)), "{error:?}");
        assert!(
            text.len() < 1_000
                && text.contains("https://127.0.0.1:1/secrets/aaa")
                && text.contains('…'),
            "{} bytes: {:.300}",
            text.len(),
            text
        );
    }
}

/// The guarded attributes update (the TUI's attributes form, `x`, bulk tag and expiry): sent
/// only while the version is as it was read, and then to that very version.
#[tokio::test]
async fn an_attributes_update_is_refused_once_the_version_changed_since_it_was_read() {
    use kvtui::vault::Tags;
    use kvtui::vault::stale::{self, Expected, Guarded};
    let vault = VaultProcess::start();
    let client = signed_in_client(&vault);
    let tagged = |key: &str| UpdateSecretParameters {
        tags: Some(Tags::from([(key.to_owned(), "yes".to_owned())])),
        ..UpdateSecretParameters::default()
    };
    let first = client
        .set_secret("guarded", &set_params("v1"))
        .await
        .unwrap();
    let read = Expected::unchanged(&first);

    // Another writer tags it, most likely within the same second: `updated` alone would not
    // show it.
    client
        .update_secret("guarded", None, &tagged("theirs"))
        .await
        .unwrap();
    let refused = stale::update_if(&client, "guarded", None, &tagged("mine"), Some(&read))
        .await
        .unwrap();
    let Guarded::Stale(Some(now)) = refused else {
        panic!("written over another writer's tags: {refused:?}");
    };
    assert!(now.tags.as_ref().unwrap().contains_key("theirs"));
    let said = stale::describe_changed(&read, Some(&now));
    assert!(said.contains("tags [theirs=yes]"), "{said}");

    // Read again: the update goes through, to the version read.
    let again = Expected::unchanged(&now);
    let Guarded::Written(updated) =
        stale::update_if(&client, "guarded", None, &tagged("mine"), Some(&again))
            .await
            .unwrap()
    else {
        panic!("refused an update of an unchanged version");
    };
    assert_eq!(version(updated.id.as_deref()), version(first.id.as_deref()));
    assert!(updated.tags.unwrap().contains_key("mine"));

    // A new version since: an update of "the latest" as read is refused, not sent to it.
    let read = client.get_secret("guarded", None).await.unwrap();
    let second = client
        .set_secret("guarded", &set_params("v2"))
        .await
        .unwrap();
    let read = Expected::unchanged(&read);
    let refused = stale::update_if(&client, "guarded", None, &tagged("late"), Some(&read))
        .await
        .unwrap();
    let Guarded::Stale(Some(now)) = refused else {
        panic!("written to the new version: {refused:?}");
    };
    let said = stale::describe_changed(&read, Some(&now));
    assert!(
        said.starts_with(&format!(
            "its latest version is now {}",
            version(second.id.as_deref())
        )),
        "{said}"
    );
    let latest = client.get_secret("guarded", None).await.unwrap();
    assert_eq!(latest.id, second.id);
    assert!(
        latest.tags.unwrap_or_default().is_empty(),
        "nothing sent to the new version"
    );

    // The listing's item (no version id) is a read too: a disabled latest is found in the
    // version list, and its update goes through while nothing changed.
    let disabled = UpdateSecretParameters {
        attributes: Some(SecretAttributes {
            enabled: Some(false),
            ..SecretAttributes::default()
        }),
        ..UpdateSecretParameters::default()
    };
    client
        .update_secret("guarded", None, &disabled)
        .await
        .unwrap();
    let listed = client.list_secrets().collect_all().await.unwrap();
    let item = listed
        .iter()
        .find(|item| item.id.as_deref().unwrap_or("").ends_with("/guarded"))
        .unwrap();
    let read = Expected::unchanged_item(item);
    let written = stale::update_if(&client, "guarded", None, &tagged("listed"), Some(&read))
        .await
        .unwrap();
    assert!(matches!(written, Guarded::Written(_)), "{written:?}");
}
