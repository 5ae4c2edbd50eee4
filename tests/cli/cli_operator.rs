//! The CLI's cross-profile commands and the generator, through the real binary against real
//! local vaults.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::support;

use serde_json::Value;
use support::{Kvtui, VaultProcess, text, version_of};

/// The binary on a config holding one profile per vault.
fn kvtui_on(vaults: &[(&str, &VaultProcess, bool)]) -> Kvtui {
    let config: String = vaults
        .iter()
        .map(|(name, vault, read_only)| vault.profile_toml(name, *read_only))
        .collect();
    Kvtui::with_config(&config)
}

#[test]
fn copy_sets_the_latest_version_in_the_other_profile_and_read_only_targets_refuse() {
    let source = VaultProcess::start();
    let target = VaultProcess::start();
    let profiles = kvtui_on(&[
        ("src", &source, false),
        ("dst", &target, false),
        ("frozen", &target, true),
    ]);
    profiles.ok_with_stdin(
        &[
            "--profile",
            "src",
            "secret",
            "set",
            "db-pass",
            "--value-stdin",
            "--content-type",
            "text/plain",
            "--tag",
            "team=payments",
            "--expires",
            "+20d",
        ],
        b"copy-me-exactly\n",
    );

    let from_src = |args: &[&'static str]| [&["--profile", "src", "secret"][..], args].concat();
    let refused = profiles.run(&from_src(&["copy", "db-pass", "--to", "frozen"]));
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(text(&refused.stderr).contains("read-only"));

    let copied = profiles.ok(&from_src(&["--json", "copy", "db-pass", "--to", "dst"]));
    let report: Value = serde_json::from_str(&copied).unwrap();
    assert_eq!(report["newSecret"], true);
    assert!(
        !copied.contains("copy-me-exactly"),
        "values are never printed"
    );

    let bundle = profiles.json(&["--profile", "dst", "secret", "show", "db-pass", "--reveal"]);
    assert_eq!(bundle["value"], "copy-me-exactly\n");
    assert_eq!(bundle["contentType"], "text/plain");
    assert_eq!(bundle["tags"]["team"], "payments");
    assert!(bundle["attributes"]["exp"].as_i64().is_some());

    // Again: now a new version there, with an unchanged value.
    let again = profiles.ok(&from_src(&["copy", "db-pass", "--to", "dst"]));
    assert!(again.contains("value          unchanged"), "{again}");
}

#[test]
fn expiring_lists_every_profile_soonest_first() {
    let first = VaultProcess::start();
    let second = VaultProcess::start();
    let profiles = kvtui_on(&[("one", &first, false), ("two", &second, false)]);
    for (profile, name, expires) in [
        ("one", "soon", "+3d"),
        ("one", "far", "+200d"),
        ("two", "sooner", "+1d"),
        ("two", "forever", "never"),
    ] {
        profiles.ok_with_stdin(
            &[
                "--profile",
                profile,
                "secret",
                "set",
                name,
                "--value-stdin",
                "--expires",
                expires,
            ],
            b"v",
        );
    }
    let listed = profiles.run(&["secret", "--json", "expiring", "--within", "30"]);
    assert_eq!(
        listed.status.code(),
        Some(3),
        "expiring soon: {}",
        text(&listed.stderr)
    );
    let rows: Vec<Value> = serde_json::from_slice(&listed.stdout).unwrap();
    let names: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["profile"].as_str().unwrap(),
                r["name"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("two", "sooner", "≤7d"),
            ("one", "soon", "≤7d"),
            ("two", "forever", "none")
        ]
    );
}

#[test]
fn set_can_generate_the_value_without_ever_printing_it() {
    let vault = VaultProcess::start();
    let profiles = kvtui_on(&[("only", &vault, false)]);
    let set = profiles.ok(&[
        "secret",
        "set",
        "generated",
        "--generate",
        "40",
        "--alphabet",
        "base64url",
    ]);
    let bundle = profiles.json(&["secret", "show", "generated", "--reveal"]);
    let value = bundle["value"].as_str().unwrap();
    assert_eq!(value.len(), 40);
    assert!(
        value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    assert!(!set.contains(value));

    let bad = profiles.run(&[
        "secret",
        "set",
        "x",
        "--generate",
        "8",
        "--alphabet",
        "emoji",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("alphabet"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn rollback_sets_a_new_version_from_an_old_one() {
    let vault = VaultProcess::start();
    let profiles = kvtui_on(&[("only", &vault, false)]);
    let first = profiles.ok_with_stdin(
        &[
            "secret",
            "--json",
            "set",
            "conf",
            "--value-stdin",
            "--tag",
            "team=x",
        ],
        b"old\r\nvalue\n",
    );
    let first: Value = serde_json::from_str(&first).unwrap();
    assert!(first.get("value").is_none(), "set never prints the value");
    let version = version_of(&first);
    profiles.run_with_stdin(&["secret", "set", "conf", "--value-stdin"], b"new");
    let rolled = profiles.ok(&["secret", "rollback", "conf", "--version", &version]);
    assert!(rolled.starts_with(&format!("rolled conf back to version {version}")));
    let bundle = profiles.json(&["secret", "show", "conf", "--reveal"]);
    assert_eq!(bundle["value"], "old\r\nvalue\n");
    assert_eq!(bundle["tags"]["team"], "x");
    let versions = profiles.json(&["secret", "versions", "conf"]);
    assert_eq!(versions.as_array().map(Vec::len), Some(3));
}

#[test]
fn expiring_exits_with_what_it_found_and_can_leave_out_secrets_without_expiry() {
    let vault = VaultProcess::start();
    let profiles = kvtui_on(&[("only", &vault, false)]);
    let set = |name: &str, expires: &str| {
        profiles.ok_with_stdin(
            &["secret", "set", name, "--value-stdin", "--expires", expires],
            b"v",
        );
    };
    let expiring = |extra: &[&str]| {
        let mut args = vec!["secret", "--json", "expiring"];
        args.extend_from_slice(extra);
        let out = profiles.run(&args);
        let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        let names: Vec<String> = rows
            .iter()
            .map(|row| row["name"].as_str().unwrap().to_owned())
            .collect();
        (out.status.code(), names)
    };

    set("forever", "never");
    assert_eq!(expiring(&[]), (Some(0), vec!["forever".to_owned()]));
    assert_eq!(expiring(&["--skip-no-expiry"]), (Some(0), vec![]));

    set("soon", "+3d");
    assert_eq!(
        expiring(&["--skip-no-expiry"]),
        (Some(3), vec!["soon".to_owned()])
    );
    assert_eq!(
        expiring(&["--within", "1"]),
        (Some(0), vec!["forever".to_owned()]),
        "beyond the days asked about"
    );
    assert_eq!(
        expiring(&["--within", "999999999999999999", "--skip-no-expiry"]),
        (Some(3), vec!["soon".to_owned()]),
        "a horizon past the end of time"
    );

    set("retired", "2020-01-01");
    assert_eq!(
        expiring(&["--skip-no-expiry"]),
        (Some(4), vec!["retired".to_owned(), "soon".to_owned()])
    );
    let table = profiles.run(&["secret", "expiring"]);
    assert_eq!(table.status.code(), Some(4), "{}", text(&table.stderr));
    assert!(table.stderr.is_empty(), "a finding is not an error");
    assert_eq!(
        text(&table.stdout).lines().count(),
        4,
        "header and three rows"
    );

    let with_a_dead_profile = Kvtui::with_config(&format!(
        "{}[profiles.dead]\nvault_url = \"https://127.0.0.1:9\"\nauth = \"local\"\nlocal_data_dir = \"{}\"\n",
        vault.profile_toml("only", false),
        vault.data_dir.display()
    ));
    let partial = with_a_dead_profile.run(&["secret", "expiring", "--skip-no-expiry"]);
    assert_eq!(
        partial.status.code(),
        Some(1),
        "an unread profile wins: the answer is partial"
    );
    assert!(
        text(&partial.stderr).starts_with("error: profile dead: "),
        "{}",
        text(&partial.stderr)
    );
    assert!(
        text(&partial.stdout).contains("retired"),
        "the others are still listed"
    );
}

/// A source vault that is not the service (a stub here) may send anything: a copy shows its
/// tags escaped and refuses to write a date past 9999 into the target, naming the field.
#[test]
fn copy_escapes_what_the_source_sends_and_writes_no_date_past_9999() {
    use support::net::{StubResponse, StubServer, TestCa};
    let ca = TestCa::new();
    let exp = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(1_900_000_000));
    let answered = std::sync::Arc::clone(&exp);
    // Unauthenticated GETs are answered, so no sign-in is needed for the source.
    let source = StubServer::https(ca.server_config(&["127.0.0.1"]), move |_| {
        StubResponse::json(
            200,
            &serde_json::json!({
                "id": "https://127.0.0.1/secrets/far/0123456789abcdef0123456789abcdef",
                "value": "v",
                "tags": {"env": "\u{202e}DORP\u{202c}", "x": "\u{1b}[2J"},
                "attributes": {"enabled": true, "exp": answered.load(std::sync::atomic::Ordering::Relaxed)},
            }),
        )
    });
    let (target, json_target) = (VaultProcess::start(), VaultProcess::start());
    let profiles = Kvtui::with_config(&format!(
        "[profiles.src]\nvault_url = \"https://{}\"\nauth = \"azure-cli\"\nca_file = \"{}\"\n\n{}{}",
        source.addr,
        ca.pem_file.display(),
        target.profile_toml("dst", false),
        json_target.profile_toml("json", false)
    ));
    let copy = |to: &str| {
        let mut args = vec!["--profile", "src", "secret", "copy", "far", "--to", to];
        if to == "json" {
            args.insert(2, "--json");
        }
        profiles.run(&args)
    };
    let copied = copy("dst");
    let stdout = text(&copied.stdout);
    assert!(copied.status.success(), "{copied:?}");
    assert!(
        stdout.contains("tag env        - -> \\u202eDORP\\u202c"),
        "{stdout}"
    );
    assert!(!stdout.contains(['\u{202e}', '\u{1b}']), "{stdout:?}");
    let copied = copy("json");
    let json: Value = serde_json::from_slice(&copied.stdout).expect("one JSON object");
    assert!(!text(&copied.stdout).contains('\u{202e}'), "{copied:?}");
    let env = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|change| change["field"] == "tag env")
        .expect("the tag is a change");
    assert_eq!(
        env["after"], "\u{202e}DORP\u{202c}",
        "JSON keeps its meaning"
    );

    exp.store(253_402_300_800, std::sync::atomic::Ordering::Relaxed);
    let refused = copy("dst");
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(
        text(&refused.stderr).starts_with(
            "error: expires: 253402300800 (unix seconds) is after 9999-12-31T23:59:59Z"
        ),
        "{refused:?}"
    );
    let listed = profiles.run(&["--profile", "dst", "--json", "secret", "versions", "far"]);
    let versions: Value = serde_json::from_slice(&listed.stdout).expect("versions");
    assert_eq!(
        versions.as_array().map(Vec::len),
        Some(1),
        "only the first copy: {versions}"
    );
}
