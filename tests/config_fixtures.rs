//! Config files as a user writes them, through the real binary: `kvtui --config FILE profile
//! list` on every file in `tests/valid_configs` and `tests/invalid_configs`, plus where the file
//! is looked for when `--config` is not given.
//!
//! Each fixture has a sidecar `NAME.expected`:
//! - valid: the profile lines `profile list` prints, `*` first on the default's line; columns
//!   are compared word by word so padding changes do not matter.
//! - invalid: `field: …` and `value: …` (both required), any number of `also: …`, all of which
//!   must appear in stderr, and `absent: …` lines that must not (secrets pasted in the wrong place).
//!
//! A new fixture is picked up by dropping the two files in; a fixture without a sidecar fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// `kvtui [--config FILE] profile list` with no config dir or data dir leaking in from the
/// machine running the tests.
fn profile_list(config: Option<&Path>, config_dir: &Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kvtui"));
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    command
        .args(["profile", "list"])
        .env("KVTUI_CONFIG_DIR", config_dir)
        .env("KVTUI_DATA_DIR", config_dir.join("data"))
        .output()
        .expect("run kvtui")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
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
    let output = profile_list(None, dir.path());
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("config file {}", config.display()))
            && stderr.contains("profiles.dev.vault_url = \"http://v\""),
        "{stderr}"
    );
}

#[test]
fn with_no_config_file_one_local_profile_is_implied() {
    let empty = tempfile::tempdir().unwrap();
    let output = profile_list(None, empty.path());
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(stdout.contains("implied local profile"), "{stdout}");
    assert!(
        stdout.contains(&empty.path().join("config.toml").display().to_string()),
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
    let output = profile_list(Some(&missing), empty.path());
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: cannot read config file {}",
            missing.display()
        )),
        "{stderr}"
    );
}
