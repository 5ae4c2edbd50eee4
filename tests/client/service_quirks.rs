//! What the real service does that a client written against a tidy local vault gets wrong, made
//! by the local vault's faults and met by the CLI and the TUI: pages shorter than asked for and
//! empty pages that still have a next link; a delete the service finishes in the background (the
//! deleted secret answers 404, a purge 409, until it is done); 403s that say why (RBAC, access
//! policy, firewall, private link). The recordings in `tests/client/replay.rs` show the service
//! doing each of these.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use serde_json::json;
use std::time::Duration;
use support::{Kvtui, VaultProcess};

fn set(cli: &Kvtui, name: &str) {
    cli.ok_with_stdin(
        &["--profile", "q", "secret", "set", name, "--value-stdin"],
        b"v",
    );
}

#[tokio::test]
async fn short_and_empty_pages_do_not_end_a_list() {
    let vault = VaultProcess::start();
    let cli = Kvtui::with_config(&vault.profile_toml("q", false));
    for i in 0..30 {
        set(&cli, &format!("paged-{i:02}"));
    }
    vault.set_faults(json!({"short_pages": true})).await;
    let listed = cli.ok(&["--profile", "q", "secret", "list"]);
    let count = listed.lines().filter(|l| l.starts_with("paged-")).count();
    assert_eq!(count, 30, "{listed}");
    // The pages really were short and empty: 12 items, then an empty page, and so on.
    let pages = vault.logged_statuses().len();
    assert!(pages >= 5, "{pages} requests");

    // The TUI streams the same list to its end.
    let mut tui = cli.tui(&["--profile", "q"], &[], (100, 30));
    tui.wait_for("Secrets 1/30");
    tui.quit();
}

#[tokio::test]
async fn a_delete_is_finished_before_a_purge_or_recover_is_sent() {
    let vault = VaultProcess::start();
    let cli = Kvtui::with_config(&vault.profile_toml("q", false));
    vault.set_faults(json!({"delete_lag_ms": 1500})).await;
    for (name, then) in [("to-purge", "purge"), ("to-recover", "recover")] {
        set(&cli, name);
        cli.ok(&["--profile", "q", "secret", "delete", name]);
        // Right after the delete returned, the deleted secret is there to purge or recover.
        let done = cli.ok(&["--profile", "q", "secret", then, name]);
        assert!(done.contains(name), "{done}");
    }
    let shown = cli.ok(&["--profile", "q", "secret", "show", "to-recover"]);
    assert!(shown.contains("to-recover"), "{shown}");
}

#[tokio::test]
async fn a_403_says_which_role_permission_or_network_rule_is_missing() {
    let vault = VaultProcess::start();
    let cli = Kvtui::with_config(&vault.profile_toml("q", false));
    set(&cli, "guarded");
    let cases = [
        (
            "rbac",
            &["secret", "show", "guarded", "--reveal"][..],
            &[
                "Azure RBAC",
                "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                "Key Vault Secrets User",
            ][..],
        ),
        (
            "rbac",
            &["secret", "delete", "guarded"][..],
            &["Key Vault Secrets Officer"][..],
        ),
        (
            "access-policy",
            &["secret", "list"][..],
            &["access policy", "secrets list permission"][..],
        ),
        (
            "firewall",
            &["secret", "show", "guarded"][..],
            &["firewall", "203.0.113.7", "private endpoint"][..],
        ),
        (
            "private-link",
            &["secret", "show", "guarded"][..],
            &["public network access is disabled", "private endpoint"][..],
        ),
    ];
    for (reason, args, says) in cases {
        vault.set_faults(json!({ "forbidden": reason })).await;
        let output = cli.run(&[&["--profile", "q"][..], args].concat());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{reason}: {stderr}");
        let line = stderr.trim_end();
        assert!(
            line.starts_with("error: ") && !line.contains('\n') && !line.contains("\\u000d"),
            "{reason}: one clean line: {line:?}"
        );
        for words in says {
            assert!(
                line.contains(words),
                "{reason} {args:?}: {words:?} in {line}"
            );
        }
    }
    vault.set_faults(json!({})).await;

    // The TUI says the same, where it shows a failed load.
    vault.set_faults(json!({ "forbidden": "rbac" })).await;
    let mut tui = cli.tui(&["--profile", "q"], &[], (120, 30));
    // The list pane wraps the message: read it with the frame and line breaks taken out.
    tui.wait_until("the 403 explained", Duration::from_secs(20), |screen| {
        let text: String = screen.split(['│', '\n', ' ']).collect();
        text.contains("readMetadata/action") && text.contains("KeyVaultReader")
    });
    tui.quit();
}
