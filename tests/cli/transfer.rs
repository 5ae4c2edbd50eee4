//! `secret export`, `import` and `promote` through the real binary against real local vaults:
//! the plans they print, what the vaults hold afterwards, and, in the vaults' request logs, that
//! a dry run, a refused file and an unchanged secret send no write.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::os::unix::fs::PermissionsExt;
use support::{Kvtui, VaultProcess, text};

/// `secret promote` from staging to prod.
const PROMOTE: [&str; 6] = ["secret", "promote", "--from", "staging", "--to", "prod"];

const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIB,\"x\"\n-----END PRIVATE KEY-----\n";

fn profiles(vaults: &[(&str, &VaultProcess)]) -> Kvtui {
    let config: String = vaults
        .iter()
        .map(|(name, vault)| vault.profile_toml(name, false))
        .collect();
    Kvtui::with_config(&config)
}

fn set(kvtui: &Kvtui, profile: &str, name: &str, value: &str, extra: &[&str]) {
    let args = [
        &["--profile", profile, "secret", "set", name, "--value-stdin"],
        extra,
    ]
    .concat();
    kvtui.ok_with_stdin(&args, value.as_bytes());
}

/// `secret import FILE` into `profile`, with `extra` flags.
fn import(
    kvtui: &Kvtui,
    profile: &str,
    file: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    let args = [
        &[
            "--profile",
            profile,
            "secret",
            "import",
            file.to_str().unwrap(),
        ],
        extra,
    ]
    .concat();
    kvtui.run(&args)
}

/// As `import`, which must succeed: its stdout.
fn imported(kvtui: &Kvtui, profile: &str, file: &std::path::Path, extra: &[&str]) -> String {
    support::succeeded(&import(kvtui, profile, file, extra), extra)
}

/// `secret export` of `profile`, with `extra` flags.
fn export(kvtui: &Kvtui, profile: &str, extra: &[&str]) -> std::process::Output {
    kvtui.run(&[&["--profile", profile, "secret", "export"], extra].concat())
}

/// Fails, showing `said`, unless it holds every one of `needles`.
fn says_all(said: &str, needles: &[&str]) {
    for needle in needles {
        assert!(said.contains(needle), "{needle:?} not in:\n{said}");
    }
}

fn revealed(kvtui: &Kvtui, profile: &str, name: &str) -> serde_json::Value {
    kvtui.json(&["--profile", profile, "secret", "show", name, "--reveal"])
}

/// A source vault with three secrets: a PEM with a content type and tags, and two numbered keys.
fn seeded(kvtui: &Kvtui, profile: &str) {
    set(
        kvtui,
        profile,
        "tls-key",
        PEM,
        &[
            "--content-type",
            "application/x-pem-file",
            "--tag",
            "env=prod",
        ],
    );
    set(
        kvtui,
        profile,
        "api-key-10",
        "v-ten-9f",
        &["--tag", "env=prod"],
    );
    set(
        kvtui,
        profile,
        "api-key-2",
        "v-two-3c",
        &["--tag", "env=dev"],
    );
}

#[test]
fn export_then_import_round_trips_and_only_what_differs_is_written() {
    let (source, target) = (VaultProcess::start(), VaultProcess::start());
    let kvtui = profiles(&[("staging", &source), ("prod", &target)]);
    seeded(&kvtui, "staging");

    let metadata = kvtui.scratch().join("metadata.csv");
    let csv_args = ["--format", "csv", "--out", metadata.to_str().unwrap()];
    support::succeeded(&export(&kvtui, "staging", &csv_args), &csv_args);
    let csv = std::fs::read_to_string(&metadata).unwrap();
    assert!(
        csv.starts_with("name,content_type,tags,enabled,expires,not_before\n"),
        "{csv}"
    );
    assert!(
        !csv.contains("v-ten-9f") && !csv.contains("BEGIN"),
        "no values without --values: {csv}"
    );
    // In natural order, as the list shows them.
    let names: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(names, ["api-key-2", "api-key-10", "tls-key"]);

    let file = kvtui.scratch().join("staging.json");
    let values_args = ["--values", "--out", file.to_str().unwrap()];
    support::succeeded(&export(&kvtui, "staging", &values_args), &values_args);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let again = export(&kvtui, "staging", &values_args);
    assert_eq!(
        again.status.code(),
        Some(2),
        "a file of values is never overwritten"
    );
    says_all(&text(&again.stderr), &["it exists"]);

    let first = imported(&kvtui, "prod", &file, &["--yes"]);
    assert!(
        first.starts_with("plan for prod: 3 new, 0 new versions, 0 unchanged, 0 refused\n"),
        "{first}"
    );
    assert!(first.contains("done 3, failed 0"), "{first}");
    let tls = revealed(&kvtui, "prod", "tls-key");
    assert_eq!(tls["value"], PEM, "the PEM byte for byte");
    assert_eq!(tls["contentType"], "application/x-pem-file");
    assert_eq!(tls["tags"]["env"], "prod");
    assert_eq!(target.sets_logged(), 3);

    // The same file again: every secret unchanged, no new version.
    let second = imported(&kvtui, "prod", &file, &["--yes"]);
    assert!(
        second.starts_with("plan for prod: 0 new, 0 new versions, 3 unchanged, 0 refused\n"),
        "{second}"
    );
    assert_eq!(
        target.sets_logged(),
        3,
        "unchanged secrets get no new version"
    );

    // One changed in prod: the dry run names what differs, never the value, and writes nothing.
    set(
        &kvtui,
        "prod",
        "api-key-2",
        "hunter2",
        &["--tag", "env=test"],
    );
    let puts = target.sets_logged();
    let dry = imported(&kvtui, "prod", &file, &["--dry-run"]);
    says_all(
        &dry,
        &[
            "1 new versions, 2 unchanged",
            "new version  api-key-2  value changed; tag env: test -> dev",
        ],
    );
    assert!(
        !dry.contains("hunter2") && !dry.contains("v-two-3c"),
        "{dry}"
    );
    assert_eq!(target.sets_logged(), puts, "a dry run sends no PUT");
    let applied = imported(&kvtui, "prod", &file, &["--yes"]);
    assert!(applied.contains("done 1, failed 0"), "{applied}");
    assert_eq!(target.sets_logged(), puts + 1);
    assert_eq!(revealed(&kvtui, "prod", "api-key-2")["value"], "v-two-3c");

    // Without a terminal to ask on, a plan with writes needs --yes.
    set(&kvtui, "prod", "api-key-2", "drifted", &[]);
    let unasked = import(&kvtui, "prod", &file, &[]);
    assert_eq!(unasked.status.code(), Some(2));
    assert!(
        text(&unasked.stderr).contains("add --yes"),
        "{}",
        text(&unasked.stderr)
    );
    assert_eq!(revealed(&kvtui, "prod", "api-key-2")["value"], "drifted");
}

#[test]
fn a_malformed_import_file_is_refused_whole_with_its_line_named_and_nothing_sent() {
    let vault = VaultProcess::start();
    let kvtui = profiles(&[("prod", &vault)]);
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "quoting.csv",
            b"name,value\ngood,1\nbad,\"hunter2\nlater,3\n",
            "line 3: is not a CSV record",
        ),
        (
            "twice.csv",
            b"name,value\ndb-password,1\nDB-PASSWORD,hunter2\n",
            "line 3: names DB-PASSWORD again (first at line 2)",
        ),
        (
            "bytes.env",
            b"GOOD=1\nBAD=\xff\xfehunter2\n",
            "line 2: is not UTF-8 text",
        ),
        (
            "lines.env",
            b"GOOD=1\nhunter2\n",
            "line 2: is not NAME=value",
        ),
    ];
    for (name, contents, says) in cases {
        let path = kvtui.scratch().join(name);
        std::fs::write(&path, contents).unwrap();
        let out = import(&kvtui, "prod", &path, &["--yes"]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(says), "{name}: {stderr}");
        assert!(stderr.contains("nothing was sent"), "{name}: {stderr}");
        assert!(!stderr.contains("hunter2"), "{name}: {stderr}");
    }
    assert_eq!(vault.sets_logged(), 0);
}

#[test]
fn import_refuses_what_the_vault_would_refuse_and_applies_the_rest() {
    let vault = VaultProcess::start();
    let kvtui = profiles(&[("prod", &vault)]);
    set(&kvtui, "prod", "gone", "old", &[]);
    kvtui.ok(&["--profile", "prod", "secret", "delete", "gone"]);
    let path = kvtui.scratch().join("handover.csv");
    let too_large = "x".repeat(26 * 1024);
    std::fs::write(
        &path,
        format!("name,value\nfine,1\nbad_name!,2\ngone,3\nhuge,{too_large}\n"),
    )
    .unwrap();
    let out = import(&kvtui, "prod", &path, &["--yes"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("1 new, 0 new versions, 0 unchanged, 3 refused"),
        "{stdout}"
    );
    says_all(
        &stdout,
        &[
            "refused      bad_name!  line 3: name:",
            "refused      gone  line 4: a deleted secret holds the name there",
            "refused      huge  line 5: value:",
            "done 1, failed 0",
        ],
    );
    assert_eq!(vault.sets_logged(), 2, "the first set of gone, and fine");
}

#[test]
fn promote_writes_only_what_the_filter_keeps_and_differs_and_a_dry_run_writes_nothing() {
    let (staging, prod) = (VaultProcess::start(), VaultProcess::start());
    let kvtui = profiles(&[("staging", &staging), ("prod", &prod)]);
    seeded(&kvtui, "staging");
    // prod already has tls-key as staging has it.
    let pem_args = [
        "--content-type",
        "application/x-pem-file",
        "--tag",
        "env=prod",
    ];
    set(&kvtui, "prod", "tls-key", PEM, &pem_args);
    let puts = prod.sets_logged();
    let promote = [&PROMOTE[..], &["--filter", "tag:env=prod"]].concat();

    let dry = kvtui.ok(&[&promote[..], &["--dry-run"]].concat());
    assert!(
        dry.starts_with("plan for prod: 1 new, 0 new versions, 1 unchanged, 0 refused\n"),
        "{dry}"
    );
    says_all(&dry, &["new          api-key-10", "unchanged    tls-key"]);
    assert!(
        !dry.contains("api-key-2"),
        "the filter leaves it out: {dry}"
    );
    assert_eq!(prod.sets_logged(), puts, "a dry run sends no PUT");

    let applied = kvtui.ok(&[&promote[..], &["--yes"]].concat());
    assert!(applied.contains("done 1, failed 0"), "{applied}");
    assert_eq!(prod.sets_logged(), puts + 1);
    assert_eq!(revealed(&kvtui, "prod", "api-key-10")["value"], "v-ten-9f");
    let missing = kvtui.run(&["--profile", "prod", "secret", "show", "api-key-2"]);
    assert_eq!(missing.status.code(), Some(1), "not promoted");
}

#[test]
fn ctrl_c_during_an_import_leaves_every_secret_written_or_untouched_and_says_which() {
    use rustix::process::{Pid, Signal, kill_process};
    use std::io::{BufRead, BufReader, Read};
    // Slow enough that a run of 100 at 32 at once is still sending when the signal comes.
    let vault = VaultProcess::start_with_args(&["--fault-latency-ms", "200"]);
    let kvtui = profiles(&[("prod", &vault)]);
    let path = kvtui.scratch().join("many.env");
    let lines: String = (0..100)
        .map(|i| format!("KEY_{i:03}=value-{i}\n"))
        .collect();
    std::fs::write(&path, lines).unwrap();
    let mut child = kvtui
        .command(&[
            "--profile",
            "prod",
            "secret",
            "import",
            path.to_str().unwrap(),
            "--yes",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut said = String::new();
    while !said.lines().any(|line| line.starts_with("set KEY-")) {
        assert!(
            stdout.read_line(&mut said).unwrap() > 0,
            "ended before a write: {said}"
        );
    }
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
    kill_process(pid, Signal::INT).unwrap();
    stdout.read_to_string(&mut said).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{said}");
    let summary = said.lines().last().unwrap();
    let count = |after: &str| -> usize {
        summary
            .split(after)
            .nth(1)
            .unwrap()
            .split([',', ' '])
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(summary.starts_with("interrupted: done "), "{summary}");
    let (done, not_started) = (count("done "), count("not started "));
    assert_eq!(done + not_started, 100, "{summary}");
    assert!(not_started > 0, "{summary}");
    assert_eq!(
        said.lines().filter(|l| l.starts_with("set KEY-")).count(),
        done
    );
    assert_eq!(
        vault.sets_logged(),
        done,
        "what was said done is what the vault holds"
    );
}

#[test]
fn disabled_versions_are_refused_as_a_source_and_written_over_as_a_target() {
    let (staging, prod) = (VaultProcess::start(), VaultProcess::start());
    let kvtui = profiles(&[("staging", &staging), ("prod", &prod)]);
    set(&kvtui, "staging", "off-here", "v", &["--disabled"]);
    set(&kvtui, "staging", "off-there", "v", &[]);
    set(&kvtui, "prod", "off-there", "old", &["--disabled"]);
    let promote = kvtui.run(&[&PROMOTE[..], &["--dry-run"]].concat());
    assert_eq!(promote.status.code(), Some(2), "a refusal is exit 2");
    says_all(
        &text(&promote.stdout),
        &[
            "refused      off-here  staging: no value to write (a metadata-only file, or disabled there)",
            "new version  off-there  value not readable there (disabled): written; enabled: disabled -> enabled",
        ],
    );
}

#[test]
fn a_write_landing_between_the_plan_and_its_confirmation_is_not_written_over() {
    let vault = VaultProcess::start();
    let kvtui = profiles(&[("prod", &vault)]);
    set(&kvtui, "prod", "db-password", "old-password", &[]);
    set(&kvtui, "prod", "api-token", "old-token", &[]);
    let path = kvtui.scratch().join("handed-over.env");
    std::fs::write(
        &path,
        "DB_PASSWORD=mine-password\nAPI_TOKEN=mine-token\nSMTP_KEY=mine-smtp\n",
    )
    .unwrap();
    let file = path.to_str().unwrap();
    let mut import = kvtui.tui(
        &["--profile", "prod", "secret", "import", file],
        &[],
        (200, 40),
    );
    import.wait_for("apply 3 writes to prod? [y/N]");
    // Another operator, while the plan is read: a new version of one, and a secret the plan
    // found missing.
    set(&kvtui, "prod", "db-password", "their-password", &[]);
    set(&kvtui, "prod", "smtp-key", "their-smtp", &[]);
    import.send("y\r");
    let code = import.wait_exit(std::time::Duration::from_secs(30));
    let said = import.screen();
    assert_eq!(code, 5, "{said}");
    says_all(
        &said,
        &[
            "not written DB-PASSWORD: since the plan, its latest version is",
            "with a different value from yours",
            "not written SMTP-KEY: since the plan",
            "set API-TOKEN: version",
            "done 1, failed 0, overtaken 2",
        ],
    );
    for (name, value) in [
        ("db-password", "their-password"),
        ("smtp-key", "their-smtp"),
        ("api-token", "mine-token"),
    ] {
        assert_eq!(revealed(&kvtui, "prod", name)["value"], value, "{name}");
    }
    assert_eq!(
        vault.sets_logged(),
        5,
        "the two seeds, the two others', one import"
    );
}
