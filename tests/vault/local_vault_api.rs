//! The local vault's REST contract, over real HTTPS against the real binary: every operation of
//! the secrets data plane and every error the service gives.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;
use support::{API, VaultProcess};

struct Api<'a> {
    vault: &'a VaultProcess,
    client: reqwest::Client,
}

impl<'a> Api<'a> {
    fn new(vault: &'a VaultProcess) -> Self {
        Self {
            vault,
            client: vault.client(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("https://") {
            return path.to_owned();
        }
        let separator = if path.contains('?') { '&' } else { '?' };
        if path.contains("api-version=") {
            format!("{}{path}", self.vault.url)
        } else {
            format!("{}{path}{separator}{API}", self.vault.url)
        }
    }

    /// A request with the vault's token, to `url` as given (no api-version added).
    fn authorized(&self, method: Method, url: String) -> reqwest::RequestBuilder {
        self.client
            .request(method, url)
            .bearer_auth(&self.vault.token)
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.authorized(method, self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        (status, json)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None).await
    }

    async fn set(&self, name: &str, body: Value) -> Value {
        let (status, json) = self
            .send(Method::PUT, &format!("/secrets/{name}"), Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{json}");
        json
    }

    /// Every item of a pageable list, following nextLink; also returns the number of pages.
    async fn collect(&self, path: &str) -> (Vec<Value>, usize) {
        let mut items = Vec::new();
        let mut pages = 0;
        let mut next = Some(path.to_owned());
        while let Some(link) = next {
            let (status, page) = self.get(&link).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            pages += 1;
            items.extend(
                page["value"]
                    .as_array()
                    .expect("value array")
                    .iter()
                    .cloned(),
            );
            next = page["nextLink"].as_str().map(str::to_owned);
        }
        (items, pages)
    }
}

fn version_of(id: &str) -> &str {
    id.rsplit('/').next().unwrap()
}

fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn requests_without_or_with_a_wrong_token_get_the_challenge() {
    let vault = VaultProcess::start();
    let client = vault.client();
    let routes = [
        (Method::GET, "/secrets"),
        (Method::PUT, "/secrets/a"),
        (Method::GET, "/secrets/a"),
        (Method::GET, "/secrets/a/"),
        (Method::GET, "/secrets/a/0123"),
        (Method::PATCH, "/secrets/a/0123"),
        (Method::DELETE, "/secrets/a"),
        (Method::GET, "/secrets/a/versions"),
        (Method::POST, "/secrets/a/backup"),
        (Method::POST, "/secrets/restore"),
        (Method::GET, "/deletedsecrets"),
        (Method::GET, "/deletedsecrets/a"),
        (Method::DELETE, "/deletedsecrets/a"),
        (Method::POST, "/deletedsecrets/a/recover"),
        (Method::GET, "/_kvtui/faults"),
        (Method::GET, "/nonsense"),
        (Method::GET, "/tenants"),
        (Method::GET, "/subscriptions"),
        (
            Method::GET,
            "/subscriptions/x/providers/Microsoft.KeyVault/vaults",
        ),
    ];
    for (method, path) in routes {
        for token in [None, Some("wrong-token"), Some("")] {
            let mut request = client.request(method.clone(), format!("{}{path}?{API}", vault.url));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.expect("send");
            assert_eq!(response.status(), 401, "{method} {path} token={token:?}");
            let challenge = response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .to_owned();
            assert_eq!(
                challenge,
                "Bearer authorization=\"https://login.windows.net/00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\""
            );
            let body: Value = response.json().await.expect("json");
            assert_eq!(body["error"]["code"], "Unauthorized");
        }
    }
}

#[tokio::test]
async fn api_versions_are_checked_like_the_service() {
    let vault = VaultProcess::start();
    let api = Api::new(&vault);
    for version in [
        "7.0",
        "7.1",
        "7.2",
        "7.3",
        "7.4",
        "7.5",
        "7.6",
        "2025-07-01",
        "2026-04-01",
    ] {
        let (status, body) = api.get(&format!("/secrets?api-version={version}")).await;
        assert_eq!(status, StatusCode::OK, "{version}: {body}");
    }
    for version in ["7.7", "2016-10-01", "latest", ""] {
        let (status, body) = api.get(&format!("/secrets?api-version={version}")).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "BadParameter");
    }
    let response = api
        .authorized(Method::GET, format!("{}/secrets", vault.url))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn resource_manager_reads_answer_with_the_specs_shapes_and_versions() {
    let vault = VaultProcess::start();
    let api = Api::new(&vault);
    let (status, tenants) = api.get("/tenants?api-version=2022-12-01").await;
    assert_eq!(status, StatusCode::OK, "{tenants}");
    let tenant = tenants["value"][0]["tenantId"].as_str().unwrap().to_owned();
    let (_, subscriptions) = api.get("/subscriptions?api-version=2022-12-01").await;
    let subscription = &subscriptions["value"][0];
    assert_eq!(subscription["tenantId"], tenant.as_str());
    assert_eq!(subscription["state"], "Enabled");
    let id = subscription["subscriptionId"].as_str().unwrap();
    let (status, vaults) = api
        .get(&format!(
            "/subscriptions/{id}/providers/Microsoft.KeyVault/vaults?api-version=2026-02-01"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{vaults}");
    let properties = &vaults["value"][0]["properties"];
    assert_eq!(properties["vaultUri"], format!("{}/", vault.url).as_str());
    assert_eq!(properties["tenantId"], tenant.as_str());
    assert_eq!(vaults["value"][0]["type"], "Microsoft.KeyVault/vaults");

    let (status, body) = api
        .get("/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.KeyVault/vaults?api-version=2026-02-01")
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "SubscriptionNotFound");
    let (status, body) = api.get("/tenants?api-version=7.6").await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "InvalidApiVersionParameter",
    );
    // Api::get adds the data plane's api-version where a path has none.
    let response = api
        .authorized(Method::GET, format!("{}/subscriptions", vault.url))
        .send()
        .await
        .expect("send");
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "MissingApiVersionParameter",
    );
}

#[tokio::test]
async fn set_makes_a_new_version_each_time_and_get_finds_each() {
    let vault = VaultProcess::start();
    let api = Api::new(&vault);
    let first = api
        .set(
            "db-pass",
            json!({"value": "one", "contentType": "text/plain", "tags": {"env": "dev"},
                   "attributes": {"enabled": true, "nbf": 1700000000, "exp": 1900000000}}),
        )
        .await;
    let second = api.set("db-pass", json!({"value": "two\nlines ✓"})).await;

    let first_id = first["id"].as_str().unwrap();
    let second_id = second["id"].as_str().unwrap();
    for id in [first_id, second_id] {
        assert!(
            id.starts_with(&format!("{}/secrets/db-pass/", vault.url)),
            "{id}"
        );
        let version = version_of(id);
        assert_eq!(version.len(), 32);
        assert!(
            version
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
    assert_ne!(first_id, second_id);
    assert_eq!(first["value"], "one");
    assert_eq!(first["contentType"], "text/plain");
    assert_eq!(first["tags"]["env"], "dev");
    let attributes = &first["attributes"];
    assert_eq!(attributes["enabled"], true);
    assert_eq!(attributes["nbf"], 1700000000);
    assert_eq!(attributes["exp"], 1900000000);
    assert_eq!(attributes["recoveryLevel"], "Recoverable+Purgeable");
    assert_eq!(attributes["recoverableDays"], 90);
    let created = attributes["created"].as_i64().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (now - 60..=now + 1).contains(&created),
        "created {created} is unix seconds"
    );
    assert_eq!(attributes["updated"], created);

    for path in ["/secrets/db-pass", "/secrets/db-pass/", "/secrets/DB-PASS/"] {
        let (status, latest) = api.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {latest}");
        assert_eq!(latest["id"], second_id);
        assert_eq!(latest["value"], "two\nlines ✓");
    }
    let (status, old) = api
        .get(&format!("/secrets/db-pass/{}", version_of(first_id)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(old["value"], "one");
    assert_eq!(old["tags"]["env"], "dev");
}

#[tokio::test]
async fn lists_page_with_maxresults_and_skiptoken() {
    let vault = VaultProcess::start();
    let api = Api::new(&vault);
    let names: BTreeSet<String> = (0..53).map(|i| format!("secret-{i:03}")).collect();
    for name in &names {
        api.set(name, json!({"value": "v", "contentType": "ct"}))
            .await;
    }
    let (items, pages) = api.collect("/secrets?maxresults=7").await;
    assert_eq!(pages, 8);
    let listed: Vec<String> = items
        .iter()
        .map(|item| {
            assert!(item.get("value").is_none(), "list items never carry values");
            assert_eq!(item["contentType"], "ct");
            let id = item["id"].as_str().unwrap();
            id.strip_prefix(&format!("{}/secrets/", vault.url))
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        listed,
        names.iter().cloned().collect::<Vec<_>>(),
        "base ids, in name order, once each"
    );

    let (items, pages) = api.collect("/secrets").await;
    assert_eq!((items.len(), pages), (53, 3), "default page size is 25");

    for bad in ["0", "26", "-1", "many"] {
        let (status, body) = api.get(&format!("/secrets?maxresults={bad}")).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "BadParameter");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("maxresults")
        );
    }
    let (status, body) = api.get("/secrets?$skiptoken=not-a-token").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "BadParameter");
}

#[tokio::test]
async fn versions_list_full_ids_across_pages() {
    let vault = VaultProcess::start();
    let api = Api::new(&vault);
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(api.set("rolling", json!({"value": format!("v{i}")})).await["id"].clone());
    }
    let (items, pages) = api.collect("/secrets/rolling/versions?maxresults=5").await;
    assert_eq!(pages, 3);
    let listed: Vec<Value> = items.iter().map(|item| item["id"].clone()).collect();
    assert_eq!(listed, ids, "every version, full id, in creation order");
    let (items, _) = api.collect("/secrets/never-made/versions").await;
    assert!(items.is_empty());
}

#[tokio::test]
async fn update_changes_attributes_without_a_new_version() {
    let vault = VaultProcess::start();
    let api = Api::new(&vault);
    let set = api
        .set("patched", json!({"value": "v", "tags": {"a": "1"}}))
        .await;
    let version = version_of(set["id"].as_str().unwrap()).to_owned();

    let (status, updated) = api
        .send(
            Method::PATCH,
            &format!("/secrets/patched/{version}"),
            Some(
                json!({"contentType": "application/json", "tags": {"b": "2"},
                        "attributes": {"exp": 2000000000}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["id"], set["id"]);
    assert!(updated.get("value").is_none());
    assert_eq!(updated["contentType"], "application/json");
    assert_eq!(
        updated["tags"],
        json!({"b": "2"}),
        "tags are replaced as a whole"
    );
    assert_eq!(updated["attributes"]["exp"], 2000000000);

    // The SDKs address the latest version with an empty version segment.
    let (status, disabled) = api
        .send(
            Method::PATCH,
            "/secrets/patched/",
            Some(json!({"attributes": {"enabled": false}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{disabled}");
    assert_eq!(disabled["attributes"]["enabled"], false);
    assert_eq!(
        disabled["contentType"], "application/json",
        "untouched fields stay"
    );

    let (items, _) = api.collect("/secrets/patched/versions").await;
    assert_eq!(items.len(), 1, "update never makes a version");

    let (status, body) = api.get("/secrets/patched").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "Forbidden");
    assert_eq!(body["error"]["innererror"]["code"], "SecretDisabled");
    let (status, body) = api.get(&format!("/secrets/patched/{version}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, listed) = api.get("/secrets").await;
    assert_eq!(
        listed["value"][0]["attributes"]["enabled"], false,
        "disabled secrets still list"
    );

    let (status, body) = api
        .send(
            Method::PATCH,
            "/secrets/patched/",
            Some(json!({"attributes": {"nbf": 2100000000}})),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "BadParameter");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("expires"),
        "{body}"
    );

    let (status, body) = api
        .send(Method::PATCH, "/secrets/patched/ffff", Some(json!({})))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "SecretNotFound");
}

#[tokio::test]
async fn soft_delete_recover_purge_and_the_scheduled_purge() {
    let vault = VaultProcess::start();
    let api = Api::new(&vault);
    let first = api
        .set("doomed", json!({"value": "1", "tags": {"t": "x"}}))
        .await;
    let second = api.set("doomed", json!({"value": "2"})).await;

    let (status, deleted) = api.send(Method::DELETE, "/secrets/doomed", None).await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["id"], second["id"]);
    assert_eq!(
        deleted["recoveryId"],
        format!("{}/deletedsecrets/doomed", vault.url)
    );
    let deleted_date = deleted["deletedDate"].as_i64().unwrap();
    assert_eq!(
        deleted["scheduledPurgeDate"].as_i64().unwrap(),
        deleted_date + 90 * 86_400
    );
    assert!(deleted.get("value").is_none());

    let (status, body) = api.get("/secrets/doomed").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "SecretNotFound");
    let (items, _) = api.collect("/secrets").await;
    assert!(items.is_empty(), "deleted secrets are hidden from the list");

    let (status, body) = api
        .send(Method::PUT, "/secrets/doomed", Some(json!({"value": "3"})))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "Conflict");
    assert_eq!(
        body["error"]["innererror"]["code"],
        "ObjectIsDeletedButRecoverable"
    );

    let (status, got) = api.get("/deletedsecrets/doomed").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["recoveryId"], deleted["recoveryId"]);
    assert_eq!(got["scheduledPurgeDate"], deleted["scheduledPurgeDate"]);
    let (listed, _) = api.collect("/deletedsecrets").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], format!("{}/secrets/doomed", vault.url));
    assert_eq!(listed[0]["deletedDate"], deleted_date);

    let (status, recovered) = api
        .send(Method::POST, "/deletedsecrets/doomed/recover", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{recovered}");
    assert_eq!(recovered["id"], second["id"]);
    let (versions, _) = api.collect("/secrets/doomed/versions").await;
    assert_eq!(versions.len(), 2, "recovered with all its versions");
    let (_, old) = api
        .get(&format!(
            "/secrets/doomed/{}",
            version_of(first["id"].as_str().unwrap())
        ))
        .await;
    assert_eq!(old["value"], "1");

    let (status, body) = api
        .send(Method::POST, "/deletedsecrets/doomed/recover", None)
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "SecretNotFound");

    // Delete again and purge now.
    api.send(Method::DELETE, "/secrets/doomed", None).await;
    let (status, body) = api
        .send(Method::DELETE, "/deletedsecrets/doomed", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null);
    let (status, body) = api.get("/deletedsecrets/doomed").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "SecretNotFound");
    api.set("doomed", json!({"value": "reborn"})).await;

    // A deleted secret is purged by the vault itself at its scheduled date.
    api.send(Method::DELETE, "/secrets/doomed", None).await;
    let (status, clock) = api
        .send(
            Method::POST,
            "/_kvtui/clock",
            Some(json!({"advance_seconds": 90 * 86_400 + 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{clock}");
    let (status, _) = api.get("/deletedsecrets/doomed").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (listed, _) = api.collect("/deletedsecrets").await;
    assert!(listed.is_empty());
    let reborn = api.set("doomed", json!({"value": "again"})).await;
    let (versions, _) = api.collect("/secrets/doomed/versions").await;
    assert_eq!(versions.len(), 1, "purged versions are gone: {reborn}");
}

#[tokio::test]
async fn purgeable_vaults_delete_for_good() {
    let vault = VaultProcess::start_with_args(&["--recovery-level", "Purgeable"]);
    let api = Api::new(&vault);
    let set = api.set("gone", json!({"value": "v"})).await;
    assert_eq!(set["attributes"]["recoveryLevel"], "Purgeable");
    assert_eq!(set["attributes"]["recoverableDays"], 0);
    let (status, deleted) = api.send(Method::DELETE, "/secrets/gone", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(deleted.get("recoveryId").is_none(), "{deleted}");
    let (listed, _) = api.collect("/deletedsecrets").await;
    assert!(listed.is_empty());
    let (status, _) = api.get("/deletedsecrets/gone").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    api.set("gone", json!({"value": "free again"})).await;
}

#[tokio::test]
async fn purge_is_refused_without_purgeable_in_the_level() {
    let vault = VaultProcess::start_with_args(&[
        "--recovery-level",
        "CustomizedRecoverable",
        "--recoverable-days",
        "7",
    ]);
    let api = Api::new(&vault);
    let set = api.set("kept", json!({"value": "v"})).await;
    assert_eq!(set["attributes"]["recoverableDays"], 7);
    let (_, deleted) = api.send(Method::DELETE, "/secrets/kept", None).await;
    assert_eq!(
        deleted["scheduledPurgeDate"].as_i64().unwrap() - deleted["deletedDate"].as_i64().unwrap(),
        7 * 86_400
    );
    let (status, body) = api.send(Method::DELETE, "/deletedsecrets/kept", None).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "Forbidden");
    let (status, _) = api.get("/deletedsecrets/kept").await;
    assert_eq!(status, StatusCode::OK, "a refused purge leaves the secret");
}

#[tokio::test]
async fn backup_and_restore_round_trip_every_version() {
    let vault = VaultProcess::start();
    let api = Api::new(&vault);
    let first = api
        .set(
            "kept",
            json!({"value": "old value", "contentType": "text/plain", "tags": {"k": "v"}}),
        )
        .await;
    api.set("kept", json!({"value": "new value"})).await;

    let (status, backup) = api.send(Method::POST, "/secrets/kept/backup", None).await;
    assert_eq!(status, StatusCode::OK, "{backup}");
    let blob = backup["value"].as_str().unwrap().to_owned();
    assert!(
        blob.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "base64url"
    );
    assert!(!blob.contains("old value"));

    let restore = json!({"value": blob});
    let (status, body) = api
        .send(Method::POST, "/secrets/restore", Some(restore.clone()))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "Conflict");

    api.send(Method::DELETE, "/secrets/kept", None).await;
    let (status, body) = api
        .send(Method::POST, "/secrets/restore", Some(restore.clone()))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "Conflict");
    assert_eq!(
        body["error"]["innererror"]["code"],
        "ObjectIsDeletedButRecoverable"
    );

    api.send(Method::DELETE, "/deletedsecrets/kept", None).await;
    let (status, restored) = api
        .send(Method::POST, "/secrets/restore", Some(restore))
        .await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert!(restored.get("value").is_none());
    let (versions, _) = api.collect("/secrets/kept/versions").await;
    assert_eq!(versions.len(), 2);
    let (_, old) = api
        .get(&format!(
            "/secrets/kept/{}",
            version_of(first["id"].as_str().unwrap())
        ))
        .await;
    assert_eq!(old["value"], "old value");
    assert_eq!(old["tags"]["k"], "v");
    assert_eq!(old["attributes"]["created"], first["attributes"]["created"]);

    for bad in [json!({"value": "AAAA"}), json!({"value": "%%%"}), json!({})] {
        let (status, body) = api.send(Method::POST, "/secrets/restore", Some(bad)).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "BadParameter");
    }
    let (status, body) = api
        .send(Method::POST, "/secrets/missing/backup", None)
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "SecretNotFound");
}

#[tokio::test]
async fn bad_input_is_refused_with_bad_parameter_naming_the_field() {
    let vault = VaultProcess::start();
    let api = Api::new(&vault);
    let long_name = "n".repeat(128);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("has_underscore", json!({"value": "v"}), "name"),
        (&long_name, json!({"value": "v"}), "name"),
        ("big", json!({"value": "x".repeat(25 * 1024 + 1)}), "value"),
        (
            "ct",
            json!({"value": "v", "contentType": "c".repeat(256)}),
            "content type",
        ),
        (
            "tags",
            json!({"value": "v", "tags": (0..16).map(|i| (format!("k{i}"), json!("v"))).collect::<serde_json::Map<_, _>>()}),
            "tags",
        ),
        (
            "tagname",
            json!({"value": "v", "tags": {"k".repeat(513): "v"}}),
            "tags",
        ),
        (
            "tagvalue",
            json!({"value": "v", "tags": {"k": "v".repeat(513)}}),
            "tags",
        ),
        (
            "dates",
            json!({"value": "v", "attributes": {"nbf": 20, "exp": 10}}),
            "expires",
        ),
        // Dates no RFC 3339 text can carry, so no client could show them.
        (
            "late",
            json!({"value": "v", "attributes": {"exp": 253_402_300_800i64}}),
            "expires: 253402300800 (unix seconds) is after 9999-12-31T23:59:59Z",
        ),
        (
            "early",
            json!({"value": "v", "attributes": {"nbf": i64::MIN}}),
            "not-before: -9223372036854775808 (unix seconds) is before 0000-01-01T00:00:00Z",
        ),
        // Types the spec does not give them: unixtime is an integer, enabled a boolean.
        (
            "float",
            json!({"value": "v", "attributes": {"exp": 1.9e9}}),
            "The request body is invalid: attributes.exp must be a whole number",
        ),
        (
            "huge",
            json!({"value": "v", "attributes": {"nbf": u64::MAX}}),
            "The request body is invalid: attributes.nbf must be a whole number",
        ),
        (
            "text",
            json!({"value": "v", "attributes": {"exp": "2030-01-01"}}),
            "The request body is invalid: attributes.exp must be a whole number",
        ),
        (
            "enabled",
            json!({"value": "v", "attributes": {"enabled": "yes"}}),
            "The request body is invalid: attributes.enabled must be true or false",
        ),
    ];
    for (name, body, field) in cases {
        let (status, reply) = api
            .send(Method::PUT, &format!("/secrets/{name}"), Some(body))
            .await;
        assert_error(status, &reply, StatusCode::BAD_REQUEST, "BadParameter");
        let message = reply["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(field), "{name}: {message}");
    }
    // An update is held to the same dates.
    api.set("dated", json!({"value": "v"})).await;
    let (status, reply) = api
        .send(
            Method::PATCH,
            "/secrets/dated",
            Some(json!({"attributes": {"exp": 253_402_300_800i64}})),
        )
        .await;
    assert_error(status, &reply, StatusCode::BAD_REQUEST, "BadParameter");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("expires: 253402300800"),
        "{reply}"
    );
    // At the limits exactly, all is well: a secret's tags may be 512 characters, as the
    // service allows (256 is the limit for keys).
    api.set(
        "exact",
        json!({"value": "x".repeat(25 * 1024), "contentType": "c".repeat(255),
               "tags": {"k".repeat(512): "v".repeat(512)}}),
    )
    .await;

    let raw_cases: [(&[u8], &str); 4] = [
        (b"{not json", "not valid JSON"),
        (b"{\"value\": \"\xff\xfe\"}", "not valid JSON"),
        (b"{\"tags\": {}}", "missing field `value`"),
        (b"{\"value\": 12345}", "wrong type"),
    ];
    for (body, expected) in raw_cases {
        let response = api
            .authorized(Method::PUT, api.url("/secrets/raw"))
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 400);
        let reply: Value = response.json().await.expect("json");
        let message = reply["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{message}");
        assert!(
            !message.contains("12345"),
            "errors never echo a value: {message}"
        );
    }

    let (status, body) = api.get("/secrets/missing").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "SecretNotFound");
    api.set("present", json!({"value": "v"})).await;
    let (status, body) = api
        .get("/secrets/present/00000000000000000000000000000000")
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "SecretNotFound");
    let (status, body) = api.get("/secrets/bad%20name").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "BadParameter");

    // A huge body is refused, and the vault carries on.
    let huge = vec![b'x'; 3 << 20];
    let response = api
        .authorized(Method::PUT, api.url("/secrets/huge"))
        .body(huge)
        .send()
        .await;
    if let Ok(response) = response {
        assert_eq!(response.status(), 413);
    }
    let (status, _) = api.get("/secrets/present").await;
    assert_eq!(status, StatusCode::OK, "the vault still answers");
}

#[tokio::test]
async fn fault_injection_throttles_fails_and_drops() {
    let vault = VaultProcess::start();
    let api = Api::new(&vault);
    vault
        .set_faults(json!({"fail_next": 2, "error_status": 429, "retry_after_secs": 3}))
        .await;
    for _ in 0..2 {
        let response = api
            .authorized(Method::GET, api.url("/secrets"))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "3");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "Throttled");
    }
    let (status, _) = api.get("/secrets").await;
    assert_eq!(status, StatusCode::OK, "the burst is over");

    vault
        .set_faults(json!({"error_rate": 1.0, "error_status": 500}))
        .await;
    let (status, body) = api.get("/secrets").await;
    assert_error(
        status,
        &body,
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServerError",
    );

    vault.set_faults(json!({"drop_rate": 1.0})).await;
    let dropped = api
        .authorized(Method::GET, api.url("/secrets"))
        .send()
        .await;
    assert!(
        dropped.is_err(),
        "the connection is closed without an answer"
    );

    vault.set_faults(json!({"latency_ms": 300})).await;
    let started = std::time::Instant::now();
    let (status, _) = api.get("/secrets").await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    let response = api
        .authorized(Method::PUT, api.url("/_kvtui/faults"))
        .json(&json!({"error_rate": 2.0}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn a_restart_keeps_data_certificate_and_token() {
    let mut vault = VaultProcess::start();
    let dir = vault.take_dir().unwrap();
    let ca_before = std::fs::read(&vault.ca_file).unwrap();
    let token_before = vault.token.clone();
    Api::new(&vault)
        .set("persisted", json!({"value": "still here"}))
        .await;
    vault.signal("TERM");
    assert_eq!(
        vault.wait_exit(Duration::from_secs(15)).map(|s| s.code()),
        Some(Some(0))
    );

    let vault = VaultProcess::start_in(dir.path(), &[]);
    assert_eq!(
        std::fs::read(&vault.ca_file).unwrap(),
        ca_before,
        "certificate reused"
    );
    assert_eq!(vault.token, token_before, "token reused");
    let (status, body) = Api::new(&vault).get("/secrets/persisted").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["value"], "still here");

    use std::os::unix::fs::PermissionsExt;
    for file in [
        "token",
        "vault.db",
        "ca.pem",
        "tls-key.pem",
        "backup.key",
        "local-vault.log",
    ] {
        let mode = std::fs::metadata(dir.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
}

#[tokio::test]
async fn sigterm_finishes_requests_in_flight() {
    let mut vault = VaultProcess::start();
    vault.set_faults(json!({"latency_ms": 1500})).await;
    let client = vault.client();
    let url = format!("{}/secrets/slow?{API}", vault.url);
    let token = vault.token.clone();
    let in_flight = tokio::spawn(async move {
        client
            .put(url)
            .bearer_auth(token)
            .json(&json!({"value": "acknowledged"}))
            .send()
            .await
            .map(|response| response.status())
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    vault.signal("TERM");
    let status = in_flight
        .await
        .unwrap()
        .expect("the request in flight is answered");
    assert_eq!(status, 200);
    assert_eq!(
        vault.wait_exit(Duration::from_secs(15)).map(|s| s.code()),
        Some(Some(0))
    );
}

#[test]
fn non_loopback_addresses_need_allow_remote() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kvtui"))
        .args(["local-vault", "--listen", "0.0.0.0:0", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--allow-remote"), "{stderr}");

    let vault = VaultProcess::start_in(dir.path(), &["--listen", "0.0.0.0:0", "--allow-remote"]);
    assert!(vault.url.starts_with("https://0.0.0.0:"), "{}", vault.url);

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kvtui"))
        .args(["local-vault", "--recovery-level", "Nope", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
