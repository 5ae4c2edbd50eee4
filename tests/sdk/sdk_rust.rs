//! The official Rust SDK (`azure_security_keyvault_secrets` 1.0.1 on azure_core 1.1) runs the
//! whole secret lifecycle against the real local vault binary over HTTPS: every operation of its
//! `SecretClient`, paging through `nextLink`, and the typed errors it builds from the vault's
//! answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use azure_core::error::ErrorKind;
use azure_core::http::{
    ClientOptions, DeserializeWith, Format, Pager, Response, StatusCode, Transport,
};
use azure_core::time::{Duration, OffsetDateTime};
use azure_security_keyvault_secrets::models::{
    DeletionRecoveryLevel, KeyVaultError, ListSecretPropertiesResult, RestoreSecretParameters,
    Secret, SecretAttributes, SecretClientGetSecretOptions,
    SecretClientListDeletedSecretPropertiesOptions, SecretClientListSecretPropertiesOptions,
    SecretClientListSecretPropertiesVersionsOptions, SecretClientUpdateSecretPropertiesOptions,
    SecretProperties, SetSecretParameters, UpdateSecretPropertiesParameters,
};
use azure_security_keyvault_secrets::{ResourceExt, SecretClient, SecretClientOptions};
use futures_util::TryStreamExt;
use kvtui::auth::LocalVaultCredential;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;
use support::{VaultProcess, failing_next};

/// More than the vault's default page of 25, so listing has to follow `nextLink`.
const BULK: usize = 30;

fn sdk_client(vault: &VaultProcess, api_version: Option<&str>) -> SecretClient {
    let mut options = SecretClientOptions {
        client_options: ClientOptions {
            transport: Some(Transport::new(Arc::new(vault.client()))),
            ..Default::default()
        },
        // The vault's challenge names https://vault.azure.net, as the service's does, and the SDK
        // only sends a token for it to hosts under .vault.azure.net; 127.0.0.1 is not one.
        verify_challenge_resource: Some(false),
        ..Default::default()
    };
    if let Some(api_version) = api_version {
        options.api_version = api_version.to_owned();
    }
    // The credential kvtui itself uses for local profiles: the token file in the data dir.
    let credential = Arc::new(LocalVaultCredential::new(vault.data_dir.join("token")));
    SecretClient::new(&vault.url, credential, Some(options)).expect("SecretClient::new")
}

fn whole_seconds(moment: OffsetDateTime) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(moment.unix_timestamp()).expect("timestamp")
}

fn tags(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

fn version_of(secret: &Secret) -> String {
    secret
        .resource_id()
        .expect("secret id")
        .version
        .expect("a secret bundle names its version")
}

fn name_of(properties: &SecretProperties) -> String {
    properties.resource_id().expect("item id").name
}

/// The HTTP status, the service's error code and its parsed error body, from an SDK error.
fn http_error(error: &azure_core::Error) -> (StatusCode, Option<String>, KeyVaultError) {
    match error.kind() {
        ErrorKind::HttpResponse {
            status,
            error_code,
            raw_response,
        } => {
            let body = raw_response.as_ref().expect("the error keeps the response");
            let parsed: KeyVaultError = serde_json::from_slice(body.body())
                .unwrap_or_else(|e| panic!("error body is not a KeyVaultError ({e}): {error}"));
            (*status, error_code.clone(), parsed)
        }
        other => panic!("expected an HTTP error, got {other:?}: {error}"),
    }
}

fn expect_status<T>(result: azure_core::Result<T>, expected: StatusCode, what: &str) -> String {
    let error = match result {
        Ok(_) => panic!("{what}: expected HTTP {expected}, but it succeeded"),
        Err(error) => error,
    };
    let (status, code, body) = http_error(&error);
    assert_eq!(status, expected, "{what}: {error}");
    let detail = body.error.expect("error body has an error object");
    assert_eq!(
        detail.code, code,
        "{what}: the SDK's error code is the body's"
    );
    let message = detail.message.expect("error body has a message");
    assert!(!message.is_empty(), "{what}: empty message");
    assert_eq!(
        error.to_string(),
        message,
        "{what}: the SDK's message is the body's"
    );
    code.unwrap_or_default()
}

/// What a call that must succeed answered, as its model.
fn model<T: DeserializeWith<F>, F: Format>(
    answer: azure_core::Result<Response<T, F>>,
    what: &str,
) -> T {
    answer
        .unwrap_or_else(|e| panic!("{what}: {e}"))
        .into_model()
        .unwrap_or_else(|e| panic!("{what}, its model: {e}"))
}

/// Sets `name` with `parameters`, as a result.
async fn try_set(
    client: &SecretClient,
    name: &str,
    parameters: SetSecretParameters,
) -> azure_core::Result<Response<Secret>> {
    let body = parameters.try_into().expect("body");
    client.set_secret(name, body, None).await
}

async fn set(client: &SecretClient, name: &str, parameters: SetSecretParameters) -> Secret {
    model(
        try_set(client, name, parameters).await,
        &format!("set {name}"),
    )
}

/// Only a value, as a set's parameters.
fn value_only(value: &str) -> SetSecretParameters {
    SetSecretParameters {
        value: Some(value.to_owned()),
        ..Default::default()
    }
}

/// A value and its content type, as a set's parameters.
fn typed_value(value: &str, content_type: &str) -> SetSecretParameters {
    SetSecretParameters {
        content_type: Some(content_type.to_owned()),
        ..value_only(value)
    }
}

async fn set_value(client: &SecretClient, name: &str, value: &str) -> Secret {
    set(client, name, value_only(value)).await
}

async fn get(
    client: &SecretClient,
    name: &str,
    version: Option<&str>,
) -> azure_core::Result<Secret> {
    let options = SecretClientGetSecretOptions {
        secret_version: version.map(str::to_owned),
        ..Default::default()
    };
    client.get_secret(name, Some(options)).await?.into_model()
}

/// The value of `name` (at `version`, else the latest), which must be readable.
async fn value(client: &SecretClient, name: &str, version: Option<&str>) -> Option<String> {
    get(client, name, version)
        .await
        .unwrap_or_else(|e| panic!("get {name} at {version:?}: {e}"))
        .value
}

async fn update(
    client: &SecretClient,
    name: &str,
    version: Option<&str>,
    parameters: UpdateSecretPropertiesParameters,
) -> Secret {
    let options = SecretClientUpdateSecretPropertiesOptions {
        secret_version: version.map(str::to_owned),
        ..Default::default()
    };
    let body = parameters.try_into().expect("body");
    model(
        client
            .update_secret_properties(name, body, Some(options))
            .await,
        &format!("update {name}"),
    )
}

/// The items of a secret list (of secrets or of one's versions), page by page.
type Pages = Vec<Vec<SecretProperties>>;

/// Every page a secret list yields, as the SDK's page iterator yields them.
async fn pages(list: azure_core::Result<Pager<ListSecretPropertiesResult>>) -> Pages {
    let mut pages = list.expect("list").into_pages();
    let mut collected = Vec::new();
    while let Some(page) = pages.try_next().await.expect("next page") {
        collected.push(page.into_model().expect("page model").value);
    }
    collected
}

async fn secret_pages(client: &SecretClient, max_results: Option<i32>) -> Pages {
    let options = SecretClientListSecretPropertiesOptions {
        maxresults: max_results,
        ..Default::default()
    };
    pages(client.list_secret_properties(Some(options))).await
}

async fn versions(client: &SecretClient, name: &str, max_results: Option<i32>) -> Pages {
    let options = SecretClientListSecretPropertiesVersionsOptions {
        maxresults: max_results,
        ..Default::default()
    };
    pages(client.list_secret_properties_versions(name, Some(options))).await
}

async fn deleted_names(client: &SecretClient) -> BTreeSet<String> {
    let options = SecretClientListDeletedSecretPropertiesOptions {
        maxresults: Some(2),
        ..Default::default()
    };
    let mut items = client
        .list_deleted_secret_properties(Some(options))
        .expect("list deleted");
    let mut names = BTreeSet::new();
    while let Some(item) = items.try_next().await.expect("next deleted") {
        assert!(item.deleted_date.is_some() && item.scheduled_purge_date.is_some());
        let recovery_id = item.recovery_id.expect("recovery id");
        let name = recovery_id.rsplit('/').next().expect("name").to_owned();
        assert!(
            item.id
                .as_deref()
                .is_some_and(|id| id.ends_with(&format!("/secrets/{name}"))),
            "{:?}",
            item.id
        );
        names.insert(name);
    }
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_sdk_runs_the_whole_lifecycle() {
    let vault = VaultProcess::start();
    let started = Instant::now();
    let client = sdk_client(&vault, None);
    let now = OffsetDateTime::now_utc();

    // ------------------------------------------------------------------------------ set / get
    let name = "rust-lifecycle";
    let not_before = whole_seconds(now - Duration::hours(1));
    let expires = whole_seconds(now + Duration::days(30));
    let first_tags = tags(&[("env", "test"), ("owner", "sdk-rust")]);
    let first = set(
        &client,
        name,
        SetSecretParameters {
            tags: Some(first_tags.clone()),
            secret_attributes: Some(SecretAttributes {
                enabled: Some(true),
                expires: Some(expires),
                not_before: Some(not_before),
                ..Default::default()
            }),
            ..typed_value("first-value", "text/plain")
        },
    )
    .await;
    assert_eq!(first.value.as_deref(), Some("first-value"));
    assert_eq!(first.content_type.as_deref(), Some("text/plain"));
    assert_eq!(first.tags.as_ref(), Some(&first_tags));
    let attributes = first.attributes.clone().expect("attributes");
    assert_eq!(attributes.enabled, Some(true));
    assert_eq!(attributes.expires, Some(expires));
    assert_eq!(attributes.not_before, Some(not_before));
    assert!(attributes.created.is_some() && attributes.updated.is_some());
    assert_eq!(
        attributes.recovery_level,
        Some(DeletionRecoveryLevel::RecoverablePurgeable)
    );
    assert_eq!(attributes.recoverable_days, Some(90));
    let first_id = first.resource_id().expect("id");
    assert_eq!(first_id.vault_url, vault.url);
    assert_eq!(first_id.name, name);
    let first_version = version_of(&first);
    // The SDK's first request went without a token and met the challenge.
    assert_eq!(vault.logged_statuses()[..2], [401, 200]);

    let latest = get(&client, name, None).await.expect("get latest");
    assert_eq!(latest.value.as_deref(), Some("first-value"));
    assert_eq!(latest.id, first.id);
    assert_eq!(latest.tags.as_ref(), Some(&first_tags));
    assert_eq!(latest.content_type.as_deref(), Some("text/plain"));
    let latest_attributes = latest.attributes.expect("attributes");
    assert_eq!(latest_attributes.expires, Some(expires));
    assert_eq!(latest_attributes.not_before, Some(not_before));
    let by_version = get(&client, name, Some(&first_version))
        .await
        .expect("get by version");
    assert_eq!(by_version.value.as_deref(), Some("first-value"));
    assert_eq!(by_version.id, first.id);

    let second = set_value(&client, name, "second-value").await;
    let second_version = version_of(&second);
    assert_ne!(second_version, first_version);
    assert!(
        second.tags.as_ref().is_none_or(HashMap::is_empty),
        "{:?}",
        second.tags
    );
    assert_eq!(second.content_type, None);
    assert_eq!(
        value(&client, name, None).await.as_deref(),
        Some("second-value")
    );
    assert_eq!(
        value(&client, name, Some(&first_version)).await.as_deref(),
        Some("first-value")
    );

    let tricky =
        "line one\nline two \u{e9}\u{e8} \u{2603} \u{1F511}\r\n\ttabbed \"quoted\" \\ back\n\n";
    assert_eq!(
        set_value(&client, "unicode", tricky).await.value.as_deref(),
        Some(tricky)
    );
    assert_eq!(
        value(&client, "unicode", None).await.as_deref(),
        Some(tricky)
    );

    // ------------------------------------------------------------------------------ listing
    let mut expected: BTreeSet<String> = [name.to_owned(), "unicode".to_owned()].into();
    for index in 0..BULK {
        let bulk_name = format!("bulk-{index:02}");
        let bulk = set(
            &client,
            &bulk_name,
            SetSecretParameters {
                value: Some(format!("bulk-value-{index}")),
                tags: Some(tags(&[("index", &index.to_string())])),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(bulk.value, Some(format!("bulk-value-{index}")));
        expected.insert(bulk_name);
    }
    let pages = secret_pages(&client, None).await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert!(
        sizes.len() >= 2,
        "expected the list to span pages: {sizes:?}"
    );
    assert!(sizes.iter().all(|size| *size <= 25), "{sizes:?}");
    let listed: Vec<&SecretProperties> = pages.iter().flatten().collect();
    let listed_names: BTreeSet<String> = listed.iter().map(|item| name_of(item)).collect();
    assert_eq!(
        listed_names.len(),
        listed.len(),
        "a secret was listed twice"
    );
    assert_eq!(listed_names, expected);
    for item in &listed {
        let id = item.resource_id().expect("item id");
        assert_eq!(
            id.version, None,
            "list items address the secret, not a version"
        );
        assert_eq!(item.attributes.as_ref().and_then(|a| a.enabled), Some(true));
        if let Some(index) = id.name.strip_prefix("bulk-") {
            let index = index.parse::<usize>().expect("index").to_string();
            assert_eq!(item.tags.as_ref(), Some(&tags(&[("index", &index)])));
        }
        if id.name == name {
            assert!(
                item.tags.as_ref().is_none_or(HashMap::is_empty),
                "the latest version's tags"
            );
        }
    }

    let small = secret_pages(&client, Some(7)).await;
    let small_sizes: Vec<usize> = small.iter().map(Vec::len).collect();
    assert!(
        small_sizes.len() >= 5 && small_sizes.iter().all(|size| *size <= 7),
        "{small_sizes:?}"
    );
    let small_names: BTreeSet<String> = small.iter().flatten().map(name_of).collect();
    assert_eq!(small_names, expected);

    // The item iterator walks the same pages.
    let mut items = client.list_secret_properties(None).expect("list");
    let mut item_names = BTreeSet::new();
    while let Some(item) = items.try_next().await.expect("next item") {
        item_names.insert(name_of(&item));
    }
    assert_eq!(item_names, expected);

    let third = set_value(&client, name, "third-value").await;
    let third_version = version_of(&third);
    let version_pages = versions(&client, name, None).await;
    let all_versions: Vec<&SecretProperties> = version_pages.iter().flatten().collect();
    let listed_versions: BTreeSet<String> = all_versions
        .iter()
        .map(|item| {
            item.resource_id()
                .expect("id")
                .version
                .expect("versions list names versions")
        })
        .collect();
    assert_eq!(
        listed_versions,
        [
            first_version.clone(),
            second_version.clone(),
            third_version.clone()
        ]
        .into()
    );
    let old = all_versions
        .iter()
        .find(|item| item.id == first.id)
        .expect("the first version is listed");
    assert_eq!(old.tags.as_ref(), Some(&first_tags));
    assert_eq!(old.content_type.as_deref(), Some("text/plain"));
    let one_by_one = versions(&client, name, Some(1)).await;
    assert_eq!(one_by_one.iter().filter(|page| !page.is_empty()).count(), 3);
    assert!(one_by_one.iter().all(|page| page.len() <= 1));

    // ------------------------------------------------------------------------------ update
    let updated = update(
        &client,
        name,
        None,
        UpdateSecretPropertiesParameters {
            content_type: Some("application/json".into()),
            tags: Some(tags(&[("stage", "updated")])),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        version_of(&updated),
        third_version,
        "an update without a version is the latest"
    );
    assert_eq!(updated.value, None, "an update answers without the value");
    assert_eq!(updated.tags, Some(tags(&[("stage", "updated")])));
    assert_eq!(updated.content_type.as_deref(), Some("application/json"));
    let after = get(&client, name, None).await.expect("get after update");
    assert_eq!(after.value.as_deref(), Some("third-value"));
    assert_eq!(after.content_type.as_deref(), Some("application/json"));

    let disabled = update(
        &client,
        name,
        Some(&first_version),
        UpdateSecretPropertiesParameters {
            secret_attributes: Some(SecretAttributes {
                enabled: Some(false),
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(version_of(&disabled), first_version);
    assert_eq!(
        disabled.attributes.as_ref().and_then(|a| a.enabled),
        Some(false)
    );
    assert_eq!(
        disabled.tags.as_ref(),
        Some(&first_tags),
        "an update without tags keeps them"
    );
    let code = expect_status(
        get(&client, name, Some(&first_version)).await,
        StatusCode::Forbidden,
        "get a disabled version",
    );
    assert_eq!(code, "Forbidden");
    assert_eq!(
        value(&client, name, None).await.as_deref(),
        Some("third-value")
    );
    let later = whole_seconds(now + Duration::days(60));
    let reenabled = update(
        &client,
        name,
        Some(&first_version),
        UpdateSecretPropertiesParameters {
            secret_attributes: Some(SecretAttributes {
                enabled: Some(true),
                expires: Some(later),
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .await;
    let reenabled_attributes = reenabled.attributes.expect("attributes");
    assert_eq!(reenabled_attributes.enabled, Some(true));
    assert_eq!(reenabled_attributes.expires, Some(later));
    assert_eq!(
        reenabled_attributes.not_before,
        Some(not_before),
        "unset dates are kept"
    );
    assert_eq!(
        value(&client, name, Some(&first_version)).await.as_deref(),
        Some("first-value")
    );

    // ------------------------------------------------------------------------------ typed errors
    let code = expect_status(
        get(&client, "missing", None).await,
        StatusCode::NotFound,
        "get missing",
    );
    assert_eq!(code, "SecretNotFound");
    expect_status(
        get(&client, name, Some(&"0".repeat(32))).await,
        StatusCode::NotFound,
        "get a missing version",
    );
    expect_status(
        client.get_deleted_secret("missing", None).await,
        StatusCode::NotFound,
        "get deleted missing",
    );
    let code = expect_status(
        try_set(&client, "not_a_valid_name", value_only("x")).await,
        StatusCode::BadRequest,
        "set an invalid name",
    );
    assert_eq!(code, "BadParameter");
    let code = expect_status(
        client
            .list_secret_properties(Some(SecretClientListSecretPropertiesOptions {
                maxresults: Some(26),
                ..Default::default()
            }))
            .expect("list")
            .try_next()
            .await,
        StatusCode::BadRequest,
        "list with maxresults over 25",
    );
    assert_eq!(code, "BadParameter");

    // ------------------------------------------------------------------------------ delete / recover
    let deleted = model(client.delete_secret(name, None).await, "delete");
    let recovery_id = format!("{}/deletedsecrets/{name}", vault.url);
    assert_eq!(deleted.recovery_id.as_deref(), Some(recovery_id.as_str()));
    assert_eq!(
        deleted.id, third.id,
        "a deleted secret is its latest version"
    );
    assert_eq!(deleted.value, None);
    let (deleted_date, purge_date) = (
        deleted.deleted_date.expect("deleted date"),
        deleted.scheduled_purge_date.expect("purge date"),
    );
    assert_eq!(purge_date - deleted_date, Duration::days(90));
    expect_status(
        get(&client, name, None).await,
        StatusCode::NotFound,
        "get a deleted secret",
    );

    let got_deleted = model(client.get_deleted_secret(name, None).await, "get deleted");
    assert_eq!(got_deleted.recovery_id, deleted.recovery_id);
    assert_eq!(got_deleted.tags, Some(tags(&[("stage", "updated")])));
    assert_eq!(
        got_deleted.content_type.as_deref(),
        Some("application/json")
    );
    assert_eq!(got_deleted.deleted_date, Some(deleted_date));
    assert_eq!(got_deleted.scheduled_purge_date, Some(purge_date));

    let code = expect_status(
        try_set(&client, name, value_only("reuse")).await,
        StatusCode::Conflict,
        "set a soft-deleted name",
    );
    assert_eq!(code, "Conflict");
    assert_eq!(deleted_names(&client).await, [name.to_owned()].into());
    let live: BTreeSet<String> = secret_pages(&client, None)
        .await
        .iter()
        .flatten()
        .map(name_of)
        .collect();
    assert!(!live.contains(name));

    let recovered = model(client.recover_deleted_secret(name, None).await, "recover");
    assert_eq!(recovered.id, third.id);
    assert_eq!(
        value(&client, name, None).await.as_deref(),
        Some("third-value")
    );
    assert_eq!(versions(&client, name, None).await.concat().len(), 3);
    assert!(deleted_names(&client).await.is_empty());

    client
        .delete_secret(name, None)
        .await
        .expect("delete again");
    let purged = client
        .purge_deleted_secret(name, None)
        .await
        .expect("purge");
    assert_eq!(purged.status(), StatusCode::NoContent);
    expect_status(
        client.get_deleted_secret(name, None).await,
        StatusCode::NotFound,
        "get a purged secret",
    );
    expect_status(
        client.purge_deleted_secret(name, None).await,
        StatusCode::NotFound,
        "purge twice",
    );
    let reused = set_value(&client, name, "after-purge").await;
    assert_eq!(reused.value.as_deref(), Some("after-purge"));
    assert_eq!(versions(&client, name, None).await.concat().len(), 1);

    // ------------------------------------------------------------------------------ backup / restore
    let backed = "backed";
    let b1 = set(
        &client,
        backed,
        SetSecretParameters {
            tags: Some(tags(&[("kept", "yes")])),
            ..typed_value("backed-v1", "text/x-one")
        },
    )
    .await;
    let b2 = set(&client, backed, typed_value(tricky, "text/x-two")).await;
    let blob = model(client.backup_secret(backed, None).await, "backup")
        .value
        .expect("backup blob");
    assert!(!blob.is_empty());
    assert!(
        !blob
            .windows(b"backed-v1".len())
            .any(|window| window == b"backed-v1"),
        "the backup must not hold the value in clear"
    );
    let restore_body = || {
        RestoreSecretParameters {
            secret_backup: Some(blob.clone()),
        }
        .try_into()
        .expect("body")
    };
    let code = expect_status(
        client.restore_secret(restore_body(), None).await,
        StatusCode::Conflict,
        "restore over an existing secret",
    );
    assert_eq!(code, "Conflict");
    client
        .delete_secret(backed, None)
        .await
        .expect("delete backed");
    client
        .purge_deleted_secret(backed, None)
        .await
        .expect("purge backed");
    expect_status(
        get(&client, backed, None).await,
        StatusCode::NotFound,
        "get before restore",
    );
    let restored = model(client.restore_secret(restore_body(), None).await, "restore");
    assert_eq!(restored.id, b2.id);
    assert_eq!(restored.content_type.as_deref(), Some("text/x-two"));
    assert_eq!(value(&client, backed, None).await.as_deref(), Some(tricky));
    let old_restored = get(&client, backed, Some(&version_of(&b1)))
        .await
        .expect("restored v1");
    assert_eq!(old_restored.value.as_deref(), Some("backed-v1"));
    assert_eq!(old_restored.tags, Some(tags(&[("kept", "yes")])));
    assert_eq!(old_restored.content_type.as_deref(), Some("text/x-one"));
    assert_eq!(versions(&client, backed, None).await.concat().len(), 2);
    let garbage = RestoreSecretParameters {
        secret_backup: Some(b"not a backup at all".to_vec()),
    };
    let code = expect_status(
        client
            .restore_secret(garbage.try_into().expect("body"), None)
            .await,
        StatusCode::BadRequest,
        "restore garbage",
    );
    assert_eq!(code, "BadParameter");

    // ------------------------------------------------------------------------------ protocol
    // A transient failure is retried by the SDK's own policy, which waits out the vault's
    // Retry-After (1 s, longer than the SDK's own first backoff of about 200 ms).
    vault.set_faults(failing_next(1, 503, 1)).await;
    let retried = Instant::now();
    assert_eq!(value(&client, backed, None).await.as_deref(), Some(tricky));
    let waited = retried.elapsed();
    assert!(
        waited >= std::time::Duration::from_secs(1),
        "retried after {waited:?}, before the Retry-After"
    );

    let older = sdk_client(&vault, Some("7.4"));
    assert_eq!(value(&older, backed, None).await.as_deref(), Some(tricky));

    // With the SDK's default challenge verification a local vault is refused before any token
    // is sent: this is why the clients above turn it off.
    let strict = SecretClient::new(
        &vault.url,
        Arc::new(LocalVaultCredential::new(vault.data_dir.join("token"))),
        Some(SecretClientOptions {
            client_options: ClientOptions {
                transport: Some(Transport::new(Arc::new(vault.client()))),
                ..Default::default()
            },
            ..Default::default()
        }),
    )
    .expect("strict client");
    let refused = get(&strict, backed, None)
        .await
        .expect_err("strict challenge check");
    // The retry policy wraps the auth policy's error in its own context.
    let mut chain = refused.to_string();
    let mut source = std::error::Error::source(&refused);
    while let Some(inner) = source {
        chain.push_str(": ");
        chain.push_str(&inner.to_string());
        source = inner.source();
    }
    assert!(
        chain.contains("doesn't match the requested domain"),
        "{chain}"
    );

    let statuses = vault.logged_statuses();
    let server_errors: Vec<_> = statuses
        .iter()
        .filter(|status| **status >= 500 && **status != 503)
        .collect();
    assert!(
        server_errors.is_empty(),
        "the vault answered {server_errors:?}"
    );
    assert_eq!(
        statuses.iter().filter(|status| **status == 503).count(),
        1,
        "only the injected 503"
    );
    println!(
        "rust SDK: {} requests served in {:.2?}, by status {:?}",
        statuses.len(),
        started.elapsed(),
        support::by_status(&statuses)
    );
}
