//! Per-profile policies through the real binary against real local vaults: `secret set`,
//! `update`, `rollback`, `copy`, `import` and `promote` refuse what breaks the target profile's rules, naming the rule and
//! the profile, with nothing written; `secret lint` lists what already breaks them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use support::{Kvtui, VaultProcess, assert_fails, text};

const POLICY: &str = "require_expiry = true\nmax_expiry_days = 365\ndefault_expiry = \"+90d\"\n\
                      required_tags = [\"owner\"]\nallowed_content_types = [\"text/plain\"]\n\
                      name_pattern = \"app-[a-z0-9-]+\"\n\n";

/// Profiles `open` (no policy) and `governed` (the policy) on `vault`, and `staging` on
/// `other`.
fn kvtui_on(vault: &VaultProcess, other: &VaultProcess) -> Kvtui {
    Kvtui::with_config(&format!(
        "{}{}{POLICY}{}",
        vault.profile_toml("open", false),
        vault.profile_toml("governed", false),
        other.profile_toml("staging", false)
    ))
}

fn set(kvtui: &Kvtui, profile: &str, name: &str, extra: &[&str]) -> std::process::Output {
    let args = [
        &["--profile", profile, "secret", "set", name, "--value-stdin"],
        extra,
    ]
    .concat();
    kvtui.run_with_stdin(&args, b"s3cr3t")
}

/// `app-db`'s latest version expires as the policy's `default_expiry` says: 90 days from now.
fn expires_by_default(kvtui: &Kvtui) {
    let shown = kvtui.json(&["--profile", "governed", "secret", "show", "app-db"]);
    let expires = shown["attributes"]["exp"].as_i64().unwrap();
    assert!(
        (expires - support::now() - 90 * 86_400).abs() < 120,
        "{shown}"
    );
}

const KEPT: [&str; 4] = ["--tag", "owner=payments", "--content-type", "text/plain"];

#[test]
fn a_set_that_breaks_the_policy_is_refused_naming_the_rule_and_the_profile() {
    let (vault, other) = (VaultProcess::start(), VaultProcess::start());
    let kvtui = kvtui_on(&vault, &other);
    for (name, extra, says) in [
        (
            "db-password",
            &KEPT[..],
            "name_pattern: db-password does not match",
        ),
        (
            "app-db",
            &KEPT[..2],
            "allowed_content_types: no content type is not one of text/plain",
        ),
        ("app-db", &KEPT[2..], "required_tags: tag owner missing"),
        (
            "app-db",
            &[&KEPT[..], &["--expires", "+400d"]].concat()[..],
            "max_expiry_days: expires more than 365 days",
        ),
        (
            "app-db",
            &[&KEPT[..], &["--expires", "never"]].concat()[..],
            "require_expiry: an expiry date is required",
        ),
    ] {
        let out = set(&kvtui, "governed", name, extra);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(
            stderr.starts_with(&format!("error: policy of profile governed: {says}")),
            "{extra:?}: {stderr}"
        );
    }
    assert_eq!(vault.sets_logged(), 0, "nothing was sent");
    // Without --expires, the profile's default: 90 days from now.
    let out = set(&kvtui, "governed", "app-db", &KEPT);
    assert!(out.status.success(), "{}", text(&out.stderr));
    expires_by_default(&kvtui);
    // The same vault through a profile without the policy takes it.
    assert!(set(&kvtui, "open", "db-password", &[]).status.success());
}

#[test]
fn copy_import_and_promote_apply_the_target_profiles_policy() {
    let (vault, staging) = (VaultProcess::start(), VaultProcess::start());
    let kvtui = kvtui_on(&vault, &staging);
    for (name, extra) in [
        ("app-ok", &[&KEPT[..], &["--expires", "+30d"]].concat()[..]),
        (
            "app-untagged",
            &["--content-type", "text/plain", "--expires", "+30d"][..],
        ),
        ("legacy-key", &[][..]),
    ] {
        assert!(set(&kvtui, "staging", name, extra).status.success());
    }
    let copy = kvtui.run(&[
        "--profile",
        "staging",
        "secret",
        "copy",
        "legacy-key",
        "--to",
        "governed",
    ]);
    assert_fails(&copy, 2, "error: policy of profile governed: name_pattern:");
    let promoted = kvtui.run(&[
        "secret", "promote", "--from", "staging", "--to", "governed", "--yes",
    ]);
    let plan = text(&promoted.stdout);
    assert_eq!(promoted.status.code(), Some(2), "{plan}");
    assert!(
        plan.contains("plan for governed: 1 new, 0 new versions, 0 unchanged, 2 refused"),
        "{plan}"
    );
    assert!(
        plan.contains("refused      app-untagged  staging: policy of profile governed: required_tags: tag owner missing"),
        "{plan}"
    );
    assert!(
        plan.contains("refused      legacy-key  staging: policy of profile governed: name_pattern"),
        "{plan}"
    );
    assert_eq!(vault.sets_logged(), 1, "only app-ok was written");

    let file = kvtui.scratch().join("handover.env");
    std::fs::write(&file, "app_from_file=1\n").unwrap();
    let imported = kvtui.run(&[
        "--profile",
        "governed",
        "secret",
        "import",
        file.to_str().unwrap(),
        "--yes",
    ]);
    let plan = text(&imported.stdout);
    assert_eq!(imported.status.code(), Some(2), "{plan}");
    assert!(
        plan.contains(
            "refused      app-from-file  line 1: policy of profile governed: allowed_content_types"
        ),
        "{plan}"
    );
    assert_eq!(vault.sets_logged(), 1);
}

#[test]
fn lint_lists_what_breaks_the_policy_with_an_exit_code_for_cron() {
    let (vault, other) = (VaultProcess::start(), VaultProcess::start());
    let kvtui = kvtui_on(&vault, &other);
    assert!(set(&kvtui, "governed", "app-ok", &KEPT).status.success());
    let clean = kvtui.run(&["--profile", "governed", "secret", "lint"]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stderr));
    assert!(text(&clean.stderr).contains("0 of 1 secrets break the policy of profile governed"));

    assert!(set(&kvtui, "open", "legacy-key", &[]).status.success());
    let found = kvtui.run(&["--profile", "governed", "secret", "lint"]);
    assert_eq!(found.status.code(), Some(3));
    let lines: Vec<String> = text(&found.stdout).lines().map(str::to_owned).collect();
    assert_eq!(
        lines,
        [
            "legacy-key  name_pattern: legacy-key does not match ^(?:app-[a-z0-9-]+)$",
            "legacy-key  allowed_content_types: no content type is not one of text/plain",
            "legacy-key  required_tags: tag owner missing",
            "legacy-key  require_expiry: an expiry date is required",
        ]
    );
    let none = kvtui.run(&["--profile", "open", "secret", "lint"]);
    assert_fails(&none, 2, "profile open has no policy");
}

#[test]
fn a_policy_that_cannot_be_kept_is_refused_naming_its_key() {
    let vault = VaultProcess::start();
    let config = vault.profile_toml("governed", false);
    for (line, says) in [
        ("max_expiry_days = 0", "profiles.governed.max_expiry_days"),
        (
            "default_expiry = \"2027-01-01\"",
            "profiles.governed.default_expiry",
        ),
        ("name_pattern = \"(app\"", "profiles.governed.name_pattern"),
    ] {
        let kvtui = Kvtui::with_config(&format!("{config}{line}\n"));
        assert_fails(&kvtui.run(&["secret", "list"]), 2, says);
    }
}

#[test]
fn update_and_rollback_are_held_to_the_policy_of_what_they_change() {
    let (vault, other) = (VaultProcess::start(), VaultProcess::start());
    let kvtui = kvtui_on(&vault, &other);
    // Made where no policy holds: a version without the required tag, then one with it.
    let untagged = [&KEPT[2..], &["--expires", "+30d"]].concat();
    assert!(set(&kvtui, "open", "app-db", &untagged).status.success());
    let bad = support::version_of(&kvtui.json(&["--profile", "open", "secret", "show", "app-db"]));
    let kept = [&KEPT[..], &["--expires", "+30d"]].concat();
    assert!(set(&kvtui, "open", "app-db", &kept).status.success());
    let good = support::version_of(&kvtui.json(&["--profile", "open", "secret", "show", "app-db"]));
    let update = |extra: &[&str]| {
        kvtui.run(
            &[
                &["--profile", "governed", "secret", "update", "app-db"],
                extra,
            ]
            .concat(),
        )
    };
    let governed = "error: policy of profile governed";
    // Tags given to an update replace the version's: without owner, the rule is broken.
    assert_fails(
        &update(&["--tag", "team=db"]),
        2,
        &format!("{governed}: required_tags: tag owner missing"),
    );
    assert_fails(
        &update(&["--expires", "+400d"]),
        2,
        &format!("{governed}: max_expiry_days: expires more than 365 days"),
    );
    assert_fails(
        &update(&["--content-type", "application/json"]),
        2,
        &format!("{governed}: allowed_content_types: application/json is not one of text/plain"),
    );
    assert_eq!(vault.updates_logged(), 0, "nothing was sent");
    // An update of parts that keep the rules goes through.
    let out = update(&["--tag", "owner=payments", "--tag", "team=db"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(vault.updates_logged(), 1);

    let rollback = |version: &str| {
        kvtui.run(&[
            "--profile",
            "governed",
            "secret",
            "rollback",
            "app-db",
            "--version",
            version,
        ])
    };
    let sets = vault.sets_logged();
    assert_fails(
        &rollback(&bad),
        2,
        "error: refusing to roll app-db back: policy of profile governed: required_tags: tag owner missing",
    );
    assert_eq!(vault.sets_logged(), sets, "nothing was written");
    // The old version's expiry is not carried over: the profile's default applies.
    let out = rollback(&good);
    assert!(out.status.success(), "{}", text(&out.stderr));
    expires_by_default(&kvtui);
}
