//! Marks and bulk writes end to end: the real binary at 80×24 against a real local vault,
//! marking through the filter, reviewing and running a bulk tag and a bulk delete, then what the
//! vault holds.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::support;
use crate::support::pty;

use pty::ENTER;
use support::{Kvtui, VaultProcess};

#[tokio::test]
async fn the_secrets_a_filter_marks_are_tagged_then_deleted_in_bulk() {
    let vault = VaultProcess::start();
    for name in ["app-1", "app-2", "app-10", "db-password"] {
        vault.set(name, "v").await;
    }
    let kvtui = Kvtui::with_config(&vault.profile_toml("main", false));
    let mut tui = kvtui.tui(&[], &[], (80, 24));
    tui.wait_for(" secrets in main");
    tui.send("/");
    tui.type_text("app");
    tui.send(ENTER);
    tui.send("M");
    tui.wait_for("3 marked");

    tui.send("t");
    tui.wait_for("Tag 3 marked secrets");
    tui.type_text("owner=ops");
    tui.send(ENTER);
    let review = tui.wait_for("Tag 3 secrets in main");
    assert!(review.contains("nothing is sent until Enter"), "{review}");
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
