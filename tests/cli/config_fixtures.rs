//! Config files as a user writes them, through the real binary: `kvtui --config FILE profile
//! list` on every file in `tests/valid_configs` and `tests/invalid_configs`, plus where the file
//! is looked for when `--config` is not given.
//!
//! Each fixture has a sidecar `NAME.expected`:
//! - valid: the profile lines `profile list` prints, `*` first on the default's line; columns
//!   are compared word by word so padding changes do not matter.
//! - invalid: `field: …` and `value: …` (both required), any number of `also: …`, all of which
//!   must appear in stderr, and `absent: …` lines that must not (secrets pasted in the wrong place).
//!   A syntax error has no field and its line is never shown: there `field` is the line and
//!   column, and `value` toml's description of what it found.
//!
//! A new fixture is picked up by dropping the two files in; a fixture without a sidecar fails.
//! What cannot be a file in git (a FIFO, 10 MB, another user's file) is made by the tests below.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use support::{text, users};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    files
}

fn sidecar(fixture: &Path) -> String {
    let path = fixture.with_extension("expected");
    std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!("{}: every fixture needs a sidecar: {error}", path.display())
    })
}

/// `kvtui [--config FILE] ARGS` with `config_dir` as `KVTUI_CONFIG_DIR` (or, with `None`, no
/// config dir named and an empty platform config home in `scratch`), and no data dir leaking in
/// from the machine running the tests.
fn kvtui(
    config: Option<&Path>,
    config_dir: Option<&Path>,
    scratch: &Path,
    args: &[&str],
) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kvtui"));
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    command
        .args(args)
        .env("KVTUI_CONFIG_DIR", config_dir.unwrap_or(Path::new("")))
        .env("XDG_CONFIG_HOME", scratch.join("platform-config"))
        .env("KVTUI_DATA_DIR", scratch.join("data"))
        .stdin(Stdio::null());
    command
}

/// `kvtui [--config FILE] profile list`, `config_dir` as `KVTUI_CONFIG_DIR`.
fn profile_list(config: Option<&Path>, config_dir: &Path) -> Output {
    kvtui(config, Some(config_dir), config_dir, &["profile", "list"])
        .output()
        .expect("run kvtui")
}

/// `profile list` on `config` (or in `config_dir`), which must be refused (exit 2) with nothing
/// on stdout: its stderr.
fn list_refused(config: Option<&Path>, config_dir: &Path) -> String {
    let output = profile_list(config, config_dir);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty(), "{}", text(&output.stdout));
    stderr
}

/// A listing as (is default, words) per profile line, after the `profiles from …` header.
fn listing(stdout: &str) -> Vec<(bool, Vec<String>)> {
    stdout
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(parse_line)
        .collect()
}

fn parse_line(line: &str) -> (bool, Vec<String>) {
    let mut words: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
    let default = words.first().is_some_and(|word| word == "*");
    if default {
        words.remove(0);
    }
    (default, words)
}

/// Checks one valid fixture; returns what was wrong.
fn check_valid(fixture: &Path, expected: &str, scratch: &Path) -> Result<(), String> {
    let output = profile_list(Some(fixture), scratch);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    if output.status.code() != Some(0) {
        return Err(format!("exit {:?}, stderr: {stderr}", output.status.code()));
    }
    let header = stdout.lines().next().unwrap_or_default();
    if !header.contains(&fixture.display().to_string()) {
        return Err(format!("header does not name the file: {header:?}"));
    }
    let expected: Vec<_> = expected
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(parse_line)
        .collect();
    let got = listing(&stdout);
    if got != expected {
        return Err(format!(
            "listing differs\nexpected {expected:?}\ngot      {got:?}\n{stdout}"
        ));
    }
    if expected.iter().filter(|(default, _)| *default).count() > 1 {
        return Err("the sidecar marks more than one default".into());
    }
    Ok(())
}

/// Checks one invalid fixture; returns what was wrong.
fn check_invalid(fixture: &Path, expected: &str, scratch: &Path) -> Result<(), String> {
    let output = profile_list(Some(fixture), scratch);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    let mut problems = Vec::new();
    if output.status.code() != Some(2) {
        problems.push(format!("exit {:?}, want 2", output.status.code()));
    }
    if !stdout.is_empty() {
        problems.push(format!("printed a listing anyway: {stdout}"));
    }
    let names_file = format!("error: config file {}", fixture.display());
    if !stderr.starts_with(&names_file) {
        problems.push(format!("stderr does not start with {names_file:?}"));
    }
    let (mut field, mut value) = (false, false);
    for line in expected.lines().filter(|line| !line.trim().is_empty()) {
        let (kind, wanted) = line
            .split_once(": ")
            .ok_or_else(|| format!("sidecar line {line:?} is not `kind: text`"))?;
        match kind {
            "field" | "value" | "also" => {
                field |= kind == "field";
                value |= kind == "value";
                if !stderr.contains(wanted) {
                    problems.push(format!("stderr lacks the {kind} {wanted:?}"));
                }
            }
            "absent" => {
                if stderr.contains(wanted) {
                    problems.push(format!("stderr shows {wanted:?}, which must stay hidden"));
                }
            }
            _ => return Err(format!("sidecar line {line:?}: unknown kind {kind:?}")),
        }
    }
    if !(field && value) {
        problems.push("the sidecar must give both a field and a value".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\nstderr: {stderr}", problems.join("\n")))
    }
}

/// Runs every fixture in `dir` and reports all failures at once, so one broken file does not
/// hide the next.
fn run_corpus(dir: &str, check: fn(&Path, &str, &Path) -> Result<(), String>) -> usize {
    let scratch = tempfile::tempdir().unwrap();
    let files = fixtures(dir);
    let failures: Vec<String> = files
        .iter()
        .filter_map(|fixture| {
            check(fixture, &sidecar(fixture), scratch.path())
                .err()
                .map(|why| format!("{}:\n{why}", fixture.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixtures in {dir} failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
    files.len()
}

#[test]
fn every_valid_config_loads_and_lists_its_profiles() {
    let count = run_corpus("valid_configs", check_valid);
    // Guards against the directory being emptied or renamed: a corpus of zero passes vacuously.
    assert!(count >= 10, "only {count} valid fixtures");
}

#[test]
fn every_invalid_config_fails_naming_file_field_and_value() {
    let count = run_corpus("invalid_configs", check_invalid);
    assert!(count >= 10, "only {count} invalid fixtures");
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/config.example.toml")
}

#[test]
fn the_example_config_loads() {
    let scratch = tempfile::tempdir().unwrap();
    let output = profile_list(Some(&example()), scratch.path());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let profiles = listing(&text(&output.stdout));
    let defaults: Vec<_> = profiles.iter().filter(|(default, _)| *default).collect();
    assert_eq!(defaults.len(), 1, "{profiles:?}");
    assert_eq!(defaults[0].1[0], "dev", "{profiles:?}");
    for auth in ["developer-tools", "azure-cli", "client-secret", "local"] {
        assert!(
            profiles
                .iter()
                .any(|(_, words)| words.iter().any(|w| w == auth)),
            "no {auth} profile: {profiles:?}"
        );
    }
}

/// The field names the binary accepts, read from its own unknown-field message so that a field
/// added to the code and not to the example fails here.
fn accepted_fields(scratch: &Path, text_of_config: &str) -> Vec<String> {
    let config = scratch.join("probe.toml");
    std::fs::write(&config, text_of_config).unwrap();
    let stderr = text(&profile_list(Some(&config), scratch).stderr);
    let list = stderr
        .split_once("expected ")
        .unwrap_or_else(|| panic!("no field list in {stderr:?}"))
        .1;
    let fields: Vec<String> = list
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    assert!(!fields.is_empty(), "no field list in {stderr:?}");
    fields
}

#[test]
fn the_example_config_documents_every_field() {
    let scratch = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(example()).unwrap();
    let set_in_example = |field: &str| {
        example
            .lines()
            .any(|line| line.trim_start().starts_with(&format!("{field} = ")))
    };
    let top = accepted_fields(scratch.path(), "not_a_field = 1\n");
    let profile = accepted_fields(
        scratch.path(),
        "[profiles.p]\nvault_url = \"https://v.vault.azure.net\"\nnot_a_field = 1\n",
    );
    assert!(top.contains(&"default_profile".to_owned()), "{top:?}");
    assert!(profile.contains(&"vault_url".to_owned()), "{profile:?}");
    let missing: Vec<_> = top
        .iter()
        .filter(|field| *field != "profiles")
        .chain(&profile)
        .filter(|field| !set_in_example(field))
        .collect();
    assert!(missing.is_empty(), "the example does not show {missing:?}");
    for auth in [
        "azure-cli",
        "azure-developer-cli",
        "developer-tools",
        "managed-identity",
        "workload-identity",
        "client-secret",
        "device-code",
        "local",
    ] {
        assert!(
            example.contains(auth),
            "the example does not mention auth {auth}"
        );
    }
}

#[test]
fn kvtui_config_dir_is_where_the_file_is_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/valid_configs/read_only.toml"),
        &config,
    )
    .unwrap();
    let output = profile_list(None, dir.path());
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        stdout.starts_with(&format!("profiles from {}", config.display())),
        "{stdout}"
    );
    let names: Vec<_> = listing(&stdout)
        .into_iter()
        .map(|(default, words)| (default, words[0].clone()))
        .collect();
    assert_eq!(
        names,
        [(false, "prod".to_owned()), (true, "staging".to_owned())]
    );

    // An explicit --config wins over the config dir.
    let minimal = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/valid_configs/minimal.toml");
    let output = profile_list(Some(&minimal), dir.path());
    let stdout = text(&output.stdout);
    assert!(stdout.contains("* dev"), "{stdout}");
    assert!(!stdout.contains("staging"), "{stdout}");

    // A broken file there is reported with its full path, not skipped for the implied profile.
    std::fs::write(&config, "[profiles.dev]\nvault_url = \"http://v\"\n").unwrap();
    let stderr = list_refused(None, dir.path());
    assert!(
        stderr.contains(&format!("config file {}", config.display()))
            && stderr.contains("profiles.dev.vault_url = \"http://v\""),
        "{stderr}"
    );
}

#[test]
fn with_no_config_in_the_platform_config_dir_one_local_profile_is_implied() {
    let empty = tempfile::tempdir().unwrap();
    let output = kvtui(None, None, empty.path(), &["profile", "list"])
        .output()
        .unwrap();
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(stdout.contains("implied local profile"), "{stdout}");
    let looked_in = empty.path().join("platform-config/kvtui/config.toml");
    assert!(
        stdout.contains(&looked_in.display().to_string()),
        "says where it looked: {stdout}"
    );
    assert_eq!(
        listing(&stdout),
        [(
            true,
            ["local", "embedded", "local", "vault", "local"]
                .map(str::to_owned)
                .to_vec()
        )]
    );
    assert_eq!(
        std::fs::read_dir(empty.path()).unwrap().count(),
        0,
        "listing profiles writes nothing"
    );
}

#[test]
fn a_missing_explicit_config_file_is_an_error_not_the_implied_profile() {
    let empty = tempfile::tempdir().unwrap();
    let missing = empty.path().join("nope.toml");
    let stderr = list_refused(Some(&missing), empty.path());
    assert!(
        stderr.starts_with(&format!(
            "error: cannot read config file {}",
            missing.display()
        )),
        "{stderr}"
    );
}

/// What a run on a config dir that holds no config said and did: `profile list`, then a
/// `secret set` that must not land in the embedded local vault.
fn refused_without_a_config(config_dir: &Path, scratch: &Path) -> String {
    let listed = kvtui(None, Some(config_dir), scratch, &["profile", "list"])
        .output()
        .unwrap();
    assert_eq!(listed.status.code(), Some(2), "{}", text(&listed.stdout));
    let stderr = text(&listed.stderr);
    let set = kvtui(
        None,
        Some(config_dir),
        scratch,
        &["secret", "set", "db-password", "--value-stdin"],
    );
    let set = support::output_with_stdin(set, b"for prod");
    assert_eq!(set.status.code(), Some(2), "{}", text(&set.stderr));
    assert_eq!(text(&set.stderr), stderr, "the same refusal");
    assert!(
        !scratch.join("data").join("vault.db").exists(),
        "the value went to the embedded local vault"
    );
    stderr
}

#[test]
fn a_config_dir_the_user_named_must_hold_a_config() {
    let (scratch, dir) = support::scratch_dir("config");
    let named = |dir: &Path| format!("error: KVTUI_CONFIG_DIR={}: ", dir.display());

    // An empty dir, and a dir that is not there (a typo).
    let stderr = refused_without_a_config(&dir, scratch.path());
    assert!(
        stderr.starts_with(&named(&dir))
            && stderr.contains("holds no config.toml")
            && stderr.contains("unset KVTUI_CONFIG_DIR"),
        "{stderr}"
    );
    let typo = scratch.path().join("confgi");
    let stderr = refused_without_a_config(&typo, scratch.path());
    assert!(
        stderr.starts_with(&named(&typo)) && stderr.contains("no such directory"),
        "{stderr}"
    );

    // The config file itself, as if it were the dir.
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "[profiles.prod]\nvault_url = \"https://prod.vault.azure.net\"\n",
    )
    .unwrap();
    let stderr = refused_without_a_config(&config, scratch.path());
    assert!(
        stderr.starts_with(&named(&config))
            && stderr.contains(&format!("pass --config {}", config.display())),
        "{stderr}"
    );

    // --config naming a dir.
    let stderr = list_refused(Some(&dir), &dir);
    assert!(
        stderr.starts_with(&format!("error: config file {}", dir.display()))
            && stderr.contains("a directory, not a regular file"),
        "{stderr}"
    );
}

/// Runs `profile list` on `config`: its exit code, stderr, and how long it took (a run that
/// hangs is killed after 10 s).
fn list_with_a_deadline(config: &Path, scratch: &Path) -> (Option<i32>, String, Duration) {
    let command = kvtui(Some(config), None, scratch, &["profile", "list"]);
    let (output, took) = support::output_within(command, Duration::from_secs(10));
    (output.status.code(), text(&output.stderr), took)
}

#[test]
fn only_a_regular_file_of_at_most_1_mib_is_read_as_a_config() {
    let scratch = tempfile::tempdir().unwrap();
    let fifo = scratch.path().join("config.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let huge = scratch.path().join("huge.toml");
    std::fs::write(&huge, "x".repeat(10 << 20)).unwrap();
    for (config, says) in [
        (fifo.as_path(), "a named pipe (FIFO), not a regular file"),
        (
            Path::new("/dev/zero"),
            "a character device, not a regular file",
        ),
        (
            huge.as_path(),
            "10485760 bytes; a config file is at most 1048576 bytes",
        ),
    ] {
        let (code, stderr, took) = list_with_a_deadline(config, scratch.path());
        assert_eq!(code, Some(2), "{}: {stderr}", config.display());
        assert!(
            stderr.starts_with(&format!("error: config file {}: ", config.display()))
                && stderr.contains(says),
            "{stderr}"
        );
        assert!(
            took < Duration::from_secs(5),
            "{}: {took:?}",
            config.display()
        );
        assert!(stderr.len() < 300, "{} bytes: {stderr}", stderr.len());
    }

    // Under the limit, a line of most of a MiB with errors in it: what is quoted is cut.
    let long = "a".repeat(900_000);
    for config in [
        format!("[profiles.a]\nvault_url = \"{long}\nauth = 3\n"),
        format!("[profiles.a]\nvault_url = \"http://{long}\"\n"),
        format!("[profiles.a]\nread_only = \"{long}\"\n"),
        format!("[profiles.\"{long} x\"]\nvault_url = \"https://v\"\n"),
    ] {
        std::fs::write(&huge, &config).unwrap();
        let (code, stderr, _) = list_with_a_deadline(&huge, scratch.path());
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.len() < 400, "{} bytes: {stderr}", stderr.len());
    }
}

#[test]
fn a_config_another_user_can_change_is_refused() {
    let (scratch, dir) = support::scratch_dir("config");
    let config = dir.join("config.toml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/valid_configs/read_only.toml"),
        &config,
    )
    .unwrap();
    let refused = |says: &[&str]| {
        let stderr = list_refused(None, &dir);
        for part in says {
            assert!(stderr.contains(part), "lacks {part:?}: {stderr}");
        }
    };
    let accepted = || {
        let output = profile_list(None, &dir);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    };
    // Others may read it; they may not change it, nor the dir it is in.
    users::set_mode(&config, 0o644);
    accepted();
    users::set_mode(&config, 0o664);
    refused(&[
        &format!("config file {}: mode 0664", config.display()),
        &format!("chmod go-w {}", config.display()),
    ]);
    users::set_mode(&config, 0o600);
    // Sticky, as /tmp is, or not: others could still add files to it.
    users::set_mode(&dir, 0o1777);
    refused(&[
        &format!("config dir {}: mode 1777", dir.display()),
        &format!("chmod go-w {}", dir.display()),
    ]);
    users::set_mode(&dir, 0o700);
    // A dir above it that others can write (not sticky, as /tmp is): the config dir could be
    // renamed away and another put in its place.
    users::set_mode(scratch.path(), 0o777);
    refused(&[
        &format!("it is inside {}", scratch.path().display()),
        "0777 (writable by others, not sticky)",
    ]);
    users::set_mode(scratch.path(), 0o700);
    // A config kept elsewhere and linked from the config dir is read where it really is.
    let elsewhere = scratch.path().join("dotfiles");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::rename(&config, elsewhere.join("config.toml")).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("config.toml"), &config).unwrap();
    accepted();
    users::set_mode(&elsewhere, 0o777);
    refused(&[&format!("it is inside {}", elsewhere.display())]);
    users::set_mode(&elsewhere, 0o700);

    if !users::can_chown("a_config_another_user_can_change_is_refused") {
        return;
    }
    users::give_to_nobody(&elsewhere.join("config.toml"));
    refused(&["belongs to nobody (uid 65534)", "use a file of your own"]);
    std::os::unix::fs::lchown(elsewhere.join("config.toml"), Some(0), Some(0)).unwrap();
    accepted();
    users::give_to_nobody(&dir);
    refused(&[
        &format!(
            "config dir {}: it belongs to nobody (uid 65534)",
            dir.display()
        ),
        "use a config of your own",
    ]);
}
