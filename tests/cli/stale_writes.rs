//! The stale-write guard of `secret set`, `rollback` and `update` (`--if-version`): two writers
//! on one real local vault, the second refused when the first wrote since it read, with nothing
//! written and the vault's request log showing no PUT or PATCH.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use support::{Kvtui, VaultProcess, text};

fn writer(vault: &VaultProcess) -> Kvtui {
    Kvtui::with_config(&vault.profile_toml("test", false))
}

fn set(kvtui: &Kvtui, name: &str, value: &[u8], guard: &[&str]) -> std::process::Output {
    let args = [&["secret", "set", name, "--value-stdin"], guard].concat();
    kvtui.run_with_stdin(&args, value)
}

/// A vault, and Alice and Bob writing to it, once Alice has set `name` to "one".
fn alice_and_bob_sharing(name: &str) -> (VaultProcess, Kvtui, Kvtui) {
    let vault = VaultProcess::start();
    let (alice, bob) = (writer(&vault), writer(&vault));
    assert!(set(&alice, name, b"one", &[]).status.success());
    (vault, alice, bob)
}

fn latest(kvtui: &Kvtui, name: &str) -> String {
    let shown = kvtui.json(&["secret", "show", name]);
    shown["id"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn a_write_from_an_outdated_version_is_refused_and_nothing_is_written() {
    let (vault, alice, bob) = alice_and_bob_sharing("db-password");
    // Both read the same latest version.
    let read = latest(&alice, "db-password");
    assert_eq!(latest(&bob, "db-password"), read);
    let alices = set(
        &alice,
        "db-password",
        b"alice",
        &["--if-version", &read[..8]],
    );
    assert!(alices.status.success(), "{}", text(&alices.stderr));
    assert!(text(&alices.stderr).is_empty(), "{}", text(&alices.stderr));
    let alices_version = latest(&alice, "db-password");
    let puts = vault.sets_logged();
    assert_eq!(puts, 2, "the log counts the two sets so far");

    let bobs = set(&bob, "db-password", b"bob", &["--if-version", &read]);
    assert_eq!(bobs.status.code(), Some(5), "{}", text(&bobs.stderr));
    let said = text(&bobs.stderr);
    assert!(
        said.starts_with(&format!(
            "error: refusing to set db-password: --if-version expected {read} to be its latest \
             version, but its latest version is {alices_version} (written at "
        )),
        "{said}"
    );
    assert!(said.contains("with a different value from yours"), "{said}");
    assert!(said.contains("nothing was written"), "{said}");
    assert!(
        !said.contains("alice") && !said.contains("bob"),
        "no value shown: {said}"
    );
    assert_eq!(vault.sets_logged(), puts, "no PUT was sent");
    assert_eq!(latest(&bob, "db-password"), alices_version);

    // From the version it now reads, Bob's write goes through; a rollback is guarded alike.
    let bobs = set(
        &bob,
        "db-password",
        b"bob",
        &["--if-version", &alices_version],
    );
    assert!(bobs.status.success(), "{}", text(&bobs.stderr));
    let rollback = bob.run(&[
        "secret",
        "rollback",
        "db-password",
        "--version",
        &read,
        "--if-version",
        &alices_version,
    ]);
    assert_eq!(
        rollback.status.code(),
        Some(5),
        "{}",
        text(&rollback.stderr)
    );
}

#[test]
fn if_version_new_writes_only_a_secret_that_does_not_exist() {
    let vault = VaultProcess::start();
    let kvtui = writer(&vault);
    let first = set(&kvtui, "api-key", b"k1", &["--if-version", "new"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let again = set(&kvtui, "api-key", b"k1", &["--if-version", "new"]);
    assert_eq!(again.status.code(), Some(5), "{}", text(&again.stderr));
    let said = text(&again.stderr);
    assert!(said.contains("expected it not to exist"), "{said}");
    assert!(said.contains("with the same value as yours"), "{said}");
    assert_eq!(
        kvtui
            .json(&["secret", "versions", "api-key"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // A disabled latest version gives no value, and is still found.
    let version = latest(&kvtui, "api-key");
    kvtui.ok(&["secret", "update", "api-key", "--disable"]);
    let refused = set(
        &kvtui,
        "api-key",
        b"k2",
        &["--if-version", "0123456789abcdef"],
    );
    assert_eq!(refused.status.code(), Some(5), "{}", text(&refused.stderr));
    let said = text(&refused.stderr);
    assert!(
        said.contains(&format!("its latest version is {version}")),
        "{said}"
    );
    assert!(said.contains("disabled"), "{said}");
}

#[test]
fn an_if_version_that_names_no_version_is_a_usage_error() {
    let vault = VaultProcess::start();
    let kvtui = writer(&vault);
    for bad in ["abc", "latest", "0123456789abcdefg", ""] {
        let output = set(&kvtui, "x", b"v", &["--if-version", bad]);
        let said = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{bad}: {said}");
        assert!(
            said.contains("at least the 8 the TUI shows"),
            "{bad}: {said}"
        );
    }
}

#[test]
fn an_update_with_if_version_is_refused_once_another_version_landed() {
    let (vault, alice, bob) = alice_and_bob_sharing("api-key");
    let read = latest(&bob, "api-key");
    assert!(set(&alice, "api-key", b"two", &[]).status.success());
    let update = |guard: &str| {
        bob.run(&[
            "secret",
            "update",
            "api-key",
            "--tag",
            "owner=bob",
            "--if-version",
            guard,
        ])
    };
    let refused = update(&read);
    assert_eq!(refused.status.code(), Some(5), "{}", text(&refused.stderr));
    let said = text(&refused.stderr);
    let alices = latest(&alice, "api-key");
    assert!(
        said.starts_with(&format!(
            "error: refusing to update api-key: --if-version expected {read} to be its latest \
             version, but its latest version is now {alices}, written at "
        )),
        "{said}"
    );
    assert_eq!(vault.updates_logged(), 0, "no PATCH was sent");
    let done = update(&alices[..8]);
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert_eq!(vault.updates_logged(), 1);
    assert_eq!(
        alice.json(&["secret", "show", "api-key"])["tags"]["owner"],
        "bob"
    );
    let new = update("new");
    assert_eq!(new.status.code(), Some(2), "{}", text(&new.stderr));
    let pinned = bob.run(&[
        "secret",
        "update",
        "api-key",
        "--version",
        &read,
        "--tag",
        "a=b",
        "--if-version",
        &read,
    ]);
    assert_eq!(
        pinned.status.code(),
        Some(2),
        "--version and --if-version conflict"
    );
}
