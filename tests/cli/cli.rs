//! `kvtui secret …` and `kvtui profile list` as a script uses them: the real binary against a
//! real local vault, checking output, exact value bytes, masking, exit codes and refusals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use serde_json::Value;
use std::process::Output;
use support::{Kvtui, VaultProcess, assert_fails, now, text, version_of};

/// A config whose default profile is the vault, and a read-only profile on a dead address.
fn cli_for(vault: &VaultProcess) -> Kvtui {
    Kvtui::with_config(&format!(
        "default_profile = \"test\"\n{}[profiles.frozen]\nvault_url = \"https://127.0.0.1:9\"\nauth = \"local\"\nlocal_data_dir = \"{}\"\nread_only = true\n",
        vault.profile_toml("test", false),
        vault.data_dir.display()
    ))
}

/// What `secret show NAME --reveal` prints, as JSON.
fn revealed(cli: &Kvtui, name: &str) -> Value {
    cli.json(&["secret", "show", name, "--reveal"])
}

/// What `secret show NAME --version VERSION --reveal` prints, as JSON.
fn revealed_version(cli: &Kvtui, name: &str, version: &str) -> Value {
    cli.json(&["secret", "show", name, "--version", version, "--reveal"])
}

#[test]
fn values_keep_their_exact_bytes_and_stay_masked_unless_revealed() {
    let vault = VaultProcess::start();
    let cli = cli_for(&vault);
    let value = b"line one\r\n  indented\ttab\n\xe2\x9c\x93 trailing newline\n\n";
    let output = cli.run_with_stdin(
        &[
            "secret",
            "set",
            "exact",
            "--value-stdin",
            "--content-type",
            "text/plain",
            "--tag",
            "env=dev",
            "--tag",
            "team=ops",
            "--expires",
            "2030-01-01",
            "--not-before",
            "+1h",
        ],
        value,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("set exact: version "), "{stdout}");
    assert!(stdout.contains("expires 2030-01-01 00:00 UTC"), "{stdout}");
    assert!(!stdout.contains("indented"), "set never echoes the value");

    let shown = cli.ok(&["secret", "show", "exact"]);
    assert!(!shown.contains("indented"), "{shown}");
    let masked = format!("({} bytes; --reveal shows it)", value.len());
    assert!(shown.contains(&masked), "{shown}");
    assert!(shown.contains("tag           env=dev"), "{shown}");
    assert!(
        shown.contains("recovery      Recoverable+Purgeable, 90 days"),
        "{shown}"
    );
    let json = cli.json(&["secret", "show", "exact"]);
    assert!(json.get("value").is_none(), "--json masks too: {json}");
    assert_eq!(json["contentType"], "text/plain");
    assert_eq!(json["attributes"]["exp"], 1_893_456_000);

    let unmasked = revealed(&cli, "exact");
    assert_eq!(unmasked["value"].as_str().unwrap().as_bytes(), value);

    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), b"from a file\n").unwrap();
    cli.ok(&[
        "secret",
        "set",
        "exact",
        "--value-file",
        file.path().to_str().unwrap(),
    ]);
    assert_eq!(revealed(&cli, "exact")["value"], "from a file\n");
}

#[test]
fn list_versions_update_and_the_lifecycle() {
    let vault = VaultProcess::start();
    let cli = cli_for(&vault);
    for i in 0..30 {
        cli.run_with_stdin(
            &["secret", "set", &format!("bulk-{i:02}"), "--value-stdin"],
            b"v",
        );
    }
    let listed = cli.json(&["secret", "list"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 30, "two pages, one array");
    assert!(listed.iter().all(|item| item.get("value").is_none()));
    let table = cli.ok(&["secret", "list"]);
    assert_eq!(table.lines().count(), 31, "header and one line per secret");

    cli.run_with_stdin(&["secret", "set", "bulk-00", "--value-stdin"], b"second");
    let versions = cli.json(&["secret", "versions", "bulk-00"]);
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let latest = cli.json(&["secret", "show", "bulk-00"]);
    assert_eq!(versions[0]["id"], latest["id"], "newest first");
    let table = cli.ok(&["secret", "versions", "bulk-00"]);
    assert!(
        table.lines().nth(1).unwrap().ends_with("(latest)"),
        "{table}"
    );

    let updated = cli.ok(&[
        "secret",
        "update",
        "bulk-00",
        "--disable",
        "--tag",
        "state=frozen",
    ]);
    assert!(updated.contains("disabled"), "{updated}");
    assert_fails(
        &cli.run(&["secret", "show", "bulk-00"]),
        1,
        "Forbidden (HTTP 403)",
    );
    let first_version = version_of(&versions[1]);
    let older = revealed_version(&cli, "bulk-00", &first_version);
    assert_eq!(older["value"], "v");
    cli.ok(&["secret", "update", "bulk-00", "--enable"]);
    let back = cli.json(&["secret", "show", "bulk-00"]);
    assert_eq!(back["tags"]["state"], "frozen");

    let deleted = cli.ok(&["secret", "delete", "bulk-01"]);
    assert!(deleted.contains("recoverable until"), "{deleted}");
    let listed = cli.ok(&["secret", "deleted"]);
    assert!(listed.contains("bulk-01"), "{listed}");
    let conflict = cli.run_with_stdin(&["secret", "set", "bulk-01", "--value-stdin"], b"x");
    assert_fails(&conflict, 1, "Conflict (HTTP 409)");
    cli.ok(&["secret", "recover", "bulk-01"]);
    cli.ok(&["secret", "show", "bulk-01"]);
    cli.ok(&["secret", "delete", "bulk-01"]);
    assert!(
        cli.ok(&["secret", "purge", "bulk-01"])
            .contains("purged bulk-01")
    );
    assert_fails(
        &cli.run(&["secret", "recover", "bulk-01"]),
        1,
        "SecretNotFound (HTTP 404)",
    );
}

#[test]
fn backup_goes_to_a_new_private_file_and_restores() {
    let vault = VaultProcess::start();
    let cli = cli_for(&vault);
    cli.run_with_stdin(
        &["secret", "set", "saved", "--value-stdin"],
        b"backup-marker",
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("saved.kvbackup");
    let path = file.to_str().unwrap();
    cli.ok(&["secret", "backup", "saved", "--out", path]);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        !std::fs::read_to_string(&file)
            .unwrap()
            .contains("backup-marker")
    );
    assert_fails(
        &cli.run(&["secret", "backup", "saved", "--out", path]),
        2,
        "refusing to overwrite",
    );

    cli.ok(&["secret", "delete", "saved"]);
    cli.ok(&["secret", "purge", "saved"]);
    let restored = cli.ok(&["secret", "restore", "--in", path]);
    assert!(restored.starts_with("restored saved"), "{restored}");
    assert_eq!(revealed(&cli, "saved")["value"], "backup-marker");
}

#[test]
fn bad_input_exits_2_naming_the_field() {
    let vault = VaultProcess::start();
    let cli = cli_for(&vault);
    let set = |args: &[&str], value: &[u8]| {
        let mut full = vec!["secret", "set"];
        full.extend_from_slice(args);
        cli.run_with_stdin(&full, value)
    };
    assert_fails(
        &set(&["bad_name", "--value-stdin"], b"v"),
        2,
        "name: \"bad_name\" contains '_'",
    );
    assert_fails(
        &set(&["ok", "--value-stdin", "--expires", "soon"], b"v"),
        2,
        "expires: \"soon\" is not a date",
    );
    assert_fails(
        &set(&["ok", "--value-stdin", "--tag", "novalue"], b"v"),
        2,
        "tags: \"novalue\" is not KEY=VALUE",
    );
    let many: Vec<String> = (0..16)
        .flat_map(|i| ["--tag".to_owned(), format!("k{i}=v")])
        .collect();
    let mut args = vec!["ok", "--value-stdin"];
    args.extend(many.iter().map(String::as_str));
    assert_fails(&set(&args, b"v"), 2, "tags: 16 tags given; the limit is 15");
    assert_fails(
        &set(&["ok", "--value-stdin"], &vec![b'x'; 25 * 1024 + 1]),
        2,
        "value: standard input: it holds more than 25600 bytes, the most a value may be",
    );
    assert_fails(
        &set(
            &[
                "ok",
                "--value-stdin",
                "--not-before",
                "2030-01-02",
                "--expires",
                "2030-01-01",
            ],
            b"v",
        ),
        2,
        "expires: must be later than not-before",
    );
    assert_fails(
        &set(&["ok", "--value-stdin"], b"\xff\xfe"),
        2,
        "value: not UTF-8",
    );
    assert_fails(
        &cli.run(&["secret", "set", "ok"]),
        2,
        "pass --value-file PATH or --value-stdin",
    );
    assert_fails(
        &cli.run(&["secret", "update", "ok"]),
        2,
        "nothing to update",
    );
    let usage = cli.run(&["secret", "set", "ok", "--value", "on-argv"]);
    assert_eq!(
        usage.status.code(),
        Some(2),
        "there is no way to pass a value on argv"
    );

    let missing = cli.run(&["secret", "show", "nobody"]);
    assert_fails(
        &missing,
        1,
        "SecretNotFound (HTTP 404): A secret with (name/id) nobody was not found",
    );
    assert_fails(
        &cli.run(&["--profile", "nope", "secret", "list"]),
        2,
        "no profile named \"nope\"",
    );
}

#[test]
fn read_only_profiles_refuse_writes_before_any_request() {
    let vault = VaultProcess::start();
    let cli = cli_for(&vault);
    // The frozen profile points at a dead address: a request would fail with exit 1.
    for args in [
        vec!["--profile", "frozen", "secret", "set", "x", "--value-stdin"],
        vec!["--profile", "frozen", "secret", "delete", "x"],
        vec!["--profile", "frozen", "secret", "update", "x", "--disable"],
        vec!["--profile", "frozen", "secret", "purge", "x"],
        vec!["--profile", "frozen", "secret", "recover", "x"],
        vec![
            "--profile",
            "frozen",
            "secret",
            "rollback",
            "x",
            "--version",
            "abcd1234",
        ],
    ] {
        let output = cli.run_with_stdin(&args, b"v");
        assert_fails(&output, 2, "profile frozen is read-only");
        assert!(text(&output.stderr).contains("nothing was sent"));
    }
    let read = cli.run(&["--profile", "frozen", "secret", "list"]);
    assert_fails(&read, 1, "cannot reach the vault");

    let profiles = cli.ok(&["profile", "list"]);
    assert!(profiles.contains("* test"), "{profiles}");
    assert!(
        profiles.contains("  frozen") && profiles.contains("read-only"),
        "{profiles}"
    );
}

#[test]
fn with_no_config_the_cli_runs_on_the_embedded_local_vault() {
    let cli = Kvtui::without_config();
    let set = cli.run_with_stdin(
        &["secret", "set", "first-run", "--value-stdin"],
        b"zero config",
    );
    assert_eq!(set.status.code(), Some(0), "{}", text(&set.stderr));
    let shown = cli.run(&["secret", "show", "first-run", "--reveal", "--json"]);
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["value"], "zero config");
    assert!(
        cli.data_dir().join("vault.db").exists(),
        "persistent, in the data dir"
    );
    let log = std::fs::read_to_string(cli.data_dir().join("kvtui.log")).unwrap();
    assert!(
        log.contains("local vault started"),
        "logs go to the data dir: {log}"
    );
    assert!(!log.contains("zero config"), "values never reach the log");
}

/// Unix seconds now, to bracket what a relative date must come to.
#[test]
fn dates_beyond_9999_or_before_1970_are_refused_and_months_and_years_are_accepted() {
    let vault = VaultProcess::start();
    let cli = cli_for(&vault);
    let set = |name: &str, expires: &str| {
        cli.run_with_stdin(
            &["secret", "set", name, "--value-stdin", "--expires", expires],
            b"v",
        )
    };
    assert_fails(
        &set("far", "+99999999d"),
        2,
        "expires: \"+99999999d\" is after 9999-12-31T23:59:59Z, the latest date accepted",
    );
    assert_fails(
        &set("far", "10000-01-01T00:00:00Z"),
        2,
        "expires: \"10000-01-01T00:00:00Z\" is not a date",
    );
    assert_fails(
        &set("far", "1969-12-31"),
        2,
        "expires: \"1969-12-31\" is before 1970-01-01T00:00:00Z",
    );
    assert_fails(
        &cli.run(&["secret", "show", "far"]),
        1,
        "SecretNotFound (HTTP 404)",
    );

    const DAY: i64 = 86_400;
    for (name, when, shortest, longest) in [
        ("in-a-year", "+1y", 365 * DAY, 366 * DAY),
        ("in-six-months", "+6m", 181 * DAY, 184 * DAY),
    ] {
        let before = now();
        let output = set(name, when);
        let after = now();
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        let exp = cli.json(&["secret", "show", name])["attributes"]["exp"]
            .as_i64()
            .unwrap();
        assert!(
            (before + shortest..=after + longest).contains(&exp),
            "{when}: {exp} is not {shortest}..{longest} s after {before}"
        );
    }
}

#[test]
fn an_expiry_already_past_is_written_with_a_warning_on_stderr() {
    let vault = VaultProcess::start();
    let cli = cli_for(&vault);
    let set = cli.run_with_stdin(
        &[
            "secret",
            "set",
            "retired",
            "--value-stdin",
            "--expires",
            "2020-01-01",
        ],
        b"v",
    );
    assert_eq!(set.status.code(), Some(0), "{}", text(&set.stderr));
    assert_eq!(
        text(&set.stderr),
        "warning: expires: 2020-01-01 00:00 UTC is already past: the version is expired as soon as it is written\n"
    );
    assert!(text(&set.stdout).starts_with("set retired: version "));
    let shown = cli.json(&["secret", "show", "retired"]);
    assert_eq!(
        shown["attributes"]["exp"], 1_577_836_800,
        "written as given"
    );

    let update = cli.run(&[
        "secret",
        "update",
        "retired",
        "--expires",
        "2021-06-01T12:00:00Z",
        "--json",
    ]);
    assert_eq!(update.status.code(), Some(0), "{}", text(&update.stderr));
    let warning: Value = serde_json::from_slice(&update.stderr).unwrap();
    assert_eq!(
        warning["warning"]["message"],
        "expires: 2021-06-01 12:00 UTC is already past: the version is expired as soon as it is written"
    );
    let shown = cli.json(&["secret", "show", "retired"]);
    assert_eq!(shown["attributes"]["exp"], 1_622_548_800);

    let future = cli.run_with_stdin(
        &[
            "secret",
            "set",
            "fresh",
            "--value-stdin",
            "--expires",
            "+1d",
        ],
        b"v",
    );
    assert_eq!(text(&future.stderr), "", "no warning for a future expiry");
}

#[test]
fn json_is_a_global_flag_before_or_after_the_command_and_profile_list_honours_it() {
    let vault = VaultProcess::start();
    let cli = cli_for(&vault);
    cli.run_with_stdin(&["secret", "set", "anywhere", "--value-stdin"], b"v");
    let shown: Vec<Value> = [
        vec!["--json", "secret", "show", "anywhere"],
        vec!["secret", "--json", "show", "anywhere"],
        vec!["secret", "show", "anywhere", "--json"],
    ]
    .iter()
    .map(|args| serde_json::from_str(&cli.ok(args)).unwrap())
    .collect();
    assert!(
        shown[0]["id"]
            .as_str()
            .unwrap()
            .contains("/secrets/anywhere/")
    );
    assert!(shown.iter().all(|json| *json == shown[0]), "{shown:?}");

    for args in [["--json", "profile", "list"], ["profile", "list", "--json"]] {
        let listed: Value = serde_json::from_str(&cli.ok(&args)).unwrap();
        assert!(
            listed["source"].as_str().unwrap().ends_with("config.toml"),
            "{listed}"
        );
        assert_eq!(
            listed["profiles"],
            serde_json::json!([
                {"name": "frozen", "vault": "https://127.0.0.1:9", "auth": "local", "readOnly": true, "cloud": "public", "default": false},
                {"name": "test", "vault": vault.url, "auth": "local", "readOnly": false, "cloud": "public", "default": true},
            ])
        );
    }

    let refused = cli.run(&["--json", "local-vault", "--listen", "127.0.0.1:0"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains(
            "--json: only the secret, vault, profile, read, env, inject and run commands"
        ),
        "{}",
        text(&refused.stderr)
    );
}

/// The one JSON object a failing `--json` run wrote on stderr, after checking its exit code and
/// that stderr is that object on one line and nothing else.
fn json_error(output: &Output, code: i32) -> Value {
    assert_eq!(output.status.code(), Some(code), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let error: Value = serde_json::from_str(&stderr).unwrap();
    assert_eq!(error["error"]["exit_code"], code, "{error}");
    error["error"].clone()
}

/// An error object's message.
fn message(error: &Value) -> &str {
    error["message"].as_str().expect("a message")
}

#[test]
fn errors_under_json_are_one_json_object_on_stderr() {
    let vault = VaultProcess::start();
    let cli = cli_for(&vault);
    let missing = json_error(&cli.run(&["secret", "show", "nobody", "--json"]), 1);
    assert_eq!(missing["code"], "SecretNotFound");
    assert_eq!(missing["status"], 404);
    assert_eq!(missing["inner_code"], Value::Null);
    assert!(
        message(&missing).starts_with("A secret with (name/id) nobody was not found"),
        "{missing}"
    );

    cli.run_with_stdin(&["secret", "set", "gone", "--value-stdin"], b"v");
    cli.ok(&["secret", "delete", "gone"]);
    let conflict = cli.run_with_stdin(&["--json", "secret", "set", "gone", "--value-stdin"], b"v");
    let conflict = json_error(&conflict, 1);
    assert_eq!(conflict["code"], "Conflict");
    assert_eq!(conflict["inner_code"], "ObjectIsDeletedButRecoverable");
    assert_eq!(conflict["status"], 409);

    let invalid = cli.run_with_stdin(
        &["secret", "set", "bad_name", "--value-stdin", "--json"],
        b"v",
    );
    let invalid = json_error(&invalid, 2);
    assert_eq!(
        invalid["code"],
        Value::Null,
        "kvtui's own refusal: {invalid}"
    );
    assert_eq!(invalid["status"], Value::Null);
    assert!(
        message(&invalid).starts_with("name: \"bad_name\" contains '_'"),
        "{invalid}"
    );

    let unreachable = json_error(
        &cli.run(&["--profile", "frozen", "--json", "secret", "list"]),
        1,
    );
    assert_eq!(
        unreachable["status"],
        Value::Null,
        "no answer: {unreachable}"
    );
    assert!(
        message(&unreachable).contains("cannot reach the vault"),
        "{unreachable}"
    );

    let unparsed = json_error(&cli.run(&["secret", "show", "--json"]), 2);
    assert!(
        message(&unparsed).starts_with("the following required arguments were not provided"),
        "clap's own errors too: {unparsed}"
    );

    let plain = cli.run(&["secret", "show", "nobody"]);
    assert_fails(
        &plain,
        1,
        "SecretNotFound (HTTP 404): A secret with (name/id) nobody",
    );
}

/// How many requests the vault has logged for a path containing `part`.
fn logged_requests_to(vault: &VaultProcess, part: &str) -> usize {
    std::fs::read_to_string(vault.data_dir.join("local-vault.log"))
        .unwrap()
        .lines()
        .filter(|line| line.contains(" request method=") && line.contains(part))
        .count()
}

fn version_ids(cli: &Kvtui, name: &str) -> Vec<String> {
    cli.json(&["secret", "versions", name])
        .as_array()
        .unwrap()
        .iter()
        .map(version_of)
        .collect()
}

#[test]
fn versions_can_be_given_by_a_unique_prefix_such_as_the_8_characters_the_tui_shows() {
    let vault = VaultProcess::start();
    let cli = cli_for(&vault);
    // 17 versions: two of them must share a first hex digit.
    for i in 0..17 {
        let value = format!("value {i}");
        cli.run_with_stdin(
            &["secret", "set", "rotated", "--value-stdin"],
            value.as_bytes(),
        );
    }
    let ids: Vec<String> = version_ids(&cli, "rotated");
    let (oldest, second) = (&ids[16], &ids[15]);

    let shown = revealed_version(&cli, "rotated", &oldest[..8]);
    assert_eq!(shown["value"], "value 0");
    assert!(shown["id"].as_str().unwrap().ends_with(oldest.as_str()));
    let upper = oldest[..8].to_ascii_uppercase();
    let shown = revealed_version(&cli, "rotated", &upper);
    assert_eq!(shown["value"], "value 0", "any case");

    let listings = logged_requests_to(&vault, "/secrets/rotated/versions");
    assert!(
        listings >= 3,
        "the two prefixes were resolved by listing, as logged"
    );
    let exact = revealed_version(&cli, "rotated", oldest);
    assert_eq!(exact["value"], "value 0");
    assert_eq!(
        logged_requests_to(&vault, "/secrets/rotated/versions"),
        listings,
        "a full id is used as given, without listing the versions"
    );

    let updated = cli.ok(&[
        "secret",
        "update",
        "rotated",
        "--version",
        &second[..8],
        "--tag",
        "state=old",
    ]);
    assert!(updated.contains(second.as_str()), "{updated}");
    let tagged = cli.json(&["secret", "show", "rotated", "--version", second]);
    assert_eq!(tagged["tags"]["state"], "old");

    let rolled = cli.ok(&["secret", "rollback", "rotated", "--version", &oldest[..8]]);
    assert!(
        rolled.starts_with(&format!(
            "rolled rotated back to version {oldest}: new version "
        )),
        "{rolled}"
    );
    assert_eq!(revealed(&cli, "rotated")["value"], "value 0");

    // The rollback added an 18th version, which may share the digit too.
    let ids: Vec<String> = version_ids(&cli, "rotated");
    assert_eq!(ids.len(), 18);
    let digit = (0..16)
        .map(|d| format!("{d:x}"))
        .find(|d| ids.iter().filter(|id| id.starts_with(d.as_str())).count() >= 2)
        .expect("17 ids share a first digit");
    let sharing: Vec<&String> = ids
        .iter()
        .filter(|id| id.starts_with(digit.as_str()))
        .collect();
    let ambiguous = cli.run(&["secret", "show", "rotated", "--version", &digit]);
    assert_fails(
        &ambiguous,
        2,
        &format!(
            "version: \"{digit}\" is ambiguous: {} versions of rotated start with it",
            sharing.len()
        ),
    );
    for id in sharing {
        assert!(text(&ambiguous.stderr).contains(id.as_str()), "names {id}");
    }
    assert_fails(
        &cli.run(&["secret", "rollback", "rotated", "--version", &digit]),
        2,
        "is ambiguous",
    );

    let unused = (0..16)
        .map(|d| format!("{d:x}").repeat(8))
        .find(|prefix| !ids.iter().any(|id| id.starts_with(prefix.as_str())))
        .unwrap();
    assert_fails(
        &cli.run(&["secret", "show", "rotated", "--version", &unused]),
        2,
        &format!("version: none of the 18 versions of rotated starts with \"{unused}\""),
    );
    assert_fails(
        &cli.run(&[
            "secret",
            "update",
            "nobody",
            "--version",
            "abcd1234",
            "--disable",
        ]),
        2,
        "version: nobody has no versions to match \"abcd1234\"",
    );
    assert_fails(
        &cli.run(&["secret", "show", "rotated", "--version", "daa66d13…"]),
        2,
        "version: \"daa66d13…\" is not a version id",
    );
}

#[test]
fn show_reveal_value_prints_the_exact_bytes_and_nothing_else() {
    let vault = VaultProcess::start();
    let cli = cli_for(&vault);
    let first = b"no newline at the end";
    let second = b"\xe2\x9c\x93 tab\there\r\n\x1b[2J escape kept\n\n";
    cli.run_with_stdin(&["secret", "set", "bare", "--value-stdin"], first);
    cli.run_with_stdin(&["secret", "set", "bare", "--value-stdin"], second);

    let latest = cli.run(&["secret", "show", "bare", "--reveal", "--value"]);
    assert_eq!(latest.status.code(), Some(0), "{}", text(&latest.stderr));
    assert_eq!(
        latest.stdout, second,
        "byte for byte, control characters too"
    );
    assert!(latest.stderr.is_empty());

    let versions = cli.json(&["secret", "versions", "bare"]);
    let oldest_prefix = &version_of(&versions[1])[..8];
    let older = cli.run(&[
        "secret",
        "show",
        "bare",
        "--version",
        oldest_prefix,
        "--reveal",
        "--value",
    ]);
    assert_eq!(older.stdout, first, "{}", text(&older.stderr));

    let unrevealed = cli.run(&["secret", "show", "bare", "--value"]);
    assert_eq!(unrevealed.status.code(), Some(2));
    assert!(unrevealed.stdout.is_empty());
    assert!(
        text(&unrevealed.stderr).contains("--reveal"),
        "{}",
        text(&unrevealed.stderr)
    );
    let with_json = cli.run(&["secret", "show", "bare", "--reveal", "--value", "--json"]);
    let error = json_error(&with_json, 2);
    assert!(message(&error).contains("--json"), "{error}");
    assert!(with_json.stdout.is_empty());
}

#[test]
fn every_argument_and_command_has_a_help_line() {
    use clap::CommandFactory;
    fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in command.get_arguments() {
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("{path} {}", arg.get_id()));
            }
        }
        for sub in command.get_subcommands() {
            let sub_path = format!("{path} {}", sub.get_name());
            if sub.get_about().is_none() && sub.get_long_about().is_none() {
                missing.push(sub_path.clone());
            }
            walk(sub, &sub_path, missing);
        }
    }
    let mut root = kvtui::cli::Cli::command();
    // Built, the tree is what --help shows: global flags copied down, help and version added.
    root.build();
    let mut missing = Vec::new();
    walk(&root, "kvtui", &mut missing);
    assert!(missing.is_empty(), "no help line: {missing:#?}");
    assert!(
        root.find_subcommand("secret")
            .and_then(|secret| secret.find_subcommand("show"))
            .is_some_and(|show| show.get_arguments().any(|arg| arg.get_id() == "json")),
        "the walk reaches the leaves, global flags included"
    );
}

#[test]
fn completions_are_generated_for_bash_zsh_and_fish_from_the_live_command_tree() {
    let cli = Kvtui::without_config();
    let script = |shell: &str| {
        let output = cli.run(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        text(&output.stdout)
    };
    for (shell, marker) in [
        ("bash", "complete -F _kvtui"),
        ("zsh", "#compdef kvtui"),
        ("fish", "complete -c kvtui"),
    ] {
        let generated = script(shell);
        for word in [marker, "secret", "local-vault", "profile", "skip-no-expiry"] {
            assert!(generated.contains(word), "{shell}: no {word:?}");
        }
    }

    // bash is on every machine this runs on: ask the script itself what it completes.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kvtui.bash");
    std::fs::write(&file, script("bash")).unwrap();
    let complete = |words: &str| {
        let program = format!(
            "source '{}'; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _kvtui kvtui \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            file.display()
        );
        let output = std::process::Command::new("bash")
            .args(["-c", &program])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
        text(&output.stdout)
            .lines()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(complete("kvtui lo"), ["local-vault"]);
    assert_eq!(complete("kvtui secret exp"), ["export", "expiring"]);
    assert_eq!(complete("kvtui secret expiring --sk"), ["--skip-no-expiry"]);

    let unknown = cli.run(&["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("possible values: bash"),
        "{}",
        text(&unknown.stderr)
    );
}
