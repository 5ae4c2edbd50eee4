//! Marks and bulk writes end to end: the real binary at 80×24 against a real local vault,
//! marking through the filter, reviewing and running a bulk tag and a bulk delete, then what the
//! vault holds.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::support;
use crate::support::pty;

use pty::ENTER;
use std::os::unix::fs::PermissionsExt;
use support::{Kvtui, VaultProcess};

/// The TUI at 80×24 on `config`, its list of profile `main` shown.
fn open(config: &str) -> (Kvtui, pty::Pty) {
    let kvtui = Kvtui::with_config(config);
    let tui = kvtui.tui(&[], &[], (80, 24));
    tui.wait_for(" secrets in main");
    (kvtui, tui)
}

#[tokio::test]
async fn the_secrets_a_filter_marks_are_tagged_then_deleted_in_bulk() {
    let vault = VaultProcess::start();
    for name in ["app-1", "app-2", "app-10", "db-password"] {
        vault.set(name, "v").await;
    }
    let (kvtui, mut tui) = open(&vault.profile_toml("main", false));
    tui.send("/");
    tui.type_text("app");
    tui.send(ENTER);
    tui.send("M");
    tui.wait_for("3 marked");

    tui.send("t");
    tui.wait_for("Tag 3 marked secrets");
    tui.type_text("owner=ops");
    tui.send(ENTER);
    let review = tui.wait_showing("Tag 3 secrets in main", &["nothing is sent until Enter"]);
    assert_eq!(review.matches("tag owner: - → ops").count(), 3, "{review}");
    tui.send(ENTER);
    tui.wait_for("done 3 · failed 0 · left 0");
    for name in ["app-1", "app-2", "app-10"] {
        let (_, latest) = vault.call("GET", &format!("/secrets/{name}"), None).await;
        assert_eq!(latest["tags"]["owner"], "ops", "{name}: {latest}");
    }
    let (_, untouched) = vault.call("GET", "/secrets/db-password", None).await;
    assert!(untouched["tags"].is_null(), "unmarked: {untouched}");
    assert_eq!(
        vault.versions("app-1").await.len(),
        1,
        "a tag is no new version"
    );

    tui.send(ENTER);
    // The marked secrets with their values, to a file of the operator's naming.
    let exported = kvtui.scratch().join("marked.json");
    tui.send("E");
    tui.wait_for("Export 3 marked secrets");
    tui.send(&pty::ctrl('u'));
    tui.type_text(exported.to_str().unwrap());
    tui.send(pty::TAB);
    tui.wait_for("values: yes");
    tui.send(ENTER);
    tui.wait_for("(with values)");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    let secrets = file["secrets"].as_array().unwrap();
    assert_eq!(secrets.len(), 3);
    assert!(
        secrets
            .iter()
            .all(|s| s["value"] == "v" && s["tags"]["owner"] == "ops"),
        "{file}"
    );
    let mode = std::fs::metadata(&exported).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    tui.send("d");
    let review = tui.wait_for("Delete 3 secrets in main");
    assert_eq!(review.matches("deleted").count(), 3, "{review}");
    tui.send(ENTER);
    tui.wait_for("Delete 3 secrets in main: done 3, failed 0");
    for name in ["app-1", "app-2", "app-10"] {
        let (status, _) = vault.call("GET", &format!("/secrets/{name}"), None).await;
        assert_eq!(status, 404, "{name} deleted");
    }
    let (status, _) = vault.call("GET", "/secrets/db-password", None).await;
    assert_eq!(status, 200);
    tui.send(ENTER);
    tui.send("q");
}

#[tokio::test]
async fn the_marked_secrets_are_copied_to_another_profile_through_one_plan() {
    let (main, other) = (VaultProcess::start(), VaultProcess::start());
    main.set_body(
        "app-1",
        serde_json::json!({"value": "one", "tags": {"env": "dev"}}),
    )
    .await;
    main.set("app-2", "two").await;
    other.set("app-2", "two").await;
    let config = format!(
        "default_profile = \"main\"\n{}{}",
        main.profile_toml("main", false),
        other.profile_toml("other", false)
    );
    let (_kvtui, mut tui) = open(&config);
    tui.send("M");
    tui.wait_for("2 marked");
    tui.send("y");
    tui.wait_for("other");
    tui.send(ENTER);
    let review = tui.wait_showing(
        "Copy 1 secrets to other (1 the same there, left out)",
        &["app-1  new: "],
    );
    assert!(!review.contains("· app-2"), "the same there: {review}");
    tui.send(ENTER);
    tui.wait_for("Copy 1 secrets to other (1 the same there, left out): done 1, failed 0");
    let (_, copied) = other.call("GET", "/secrets/app-1", None).await;
    assert_eq!(copied["value"], "one");
    assert_eq!(copied["tags"]["env"], "dev");
    assert_eq!(
        other.versions("app-2").await.len(),
        1,
        "no new version where nothing differs"
    );
    tui.send(ENTER);
    tui.send("q");
}
