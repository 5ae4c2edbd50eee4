//! `kvtui profile add` through the real binary: what it writes (the file's own bytes kept, the
//! new profile loading after), what it refuses with the file untouched, and a write that fails
//! halfway leaving the old file whole and nothing beside it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::{Kvtui, names_in, text, users};

/// A config as a person writes one: comments everywhere, odd spacing, a literal string, no
/// blank line at the end.
const COMMENTED: &str = "\
# my vaults
default_profile = \"dev\"   # the one I use most

[profiles.dev]      # mine
vault_url = 'https://devvault.vault.azure.net/'
auth   =   \"azure-cli\"

# read-only: production
[profiles.prod]
vault_url = \"https://prodvault.vault.azure.net\"
read_only = true
# last line, a comment";

fn config_file(kvtui: &Kvtui) -> PathBuf {
    kvtui.home().join("config.toml")
}

/// The arguments of `kvtui profile add NAME --vault VAULT FLAGS`.
fn add<'a>(name: &'a str, vault: &'a str, flags: &[&'a str]) -> Vec<&'a str> {
    [&["profile", "add", name, "--vault", vault], flags].concat()
}

/// The profiles `profile list --json` gives, by name.
fn listed(kvtui: &Kvtui) -> serde_json::Map<String, Value> {
    kvtui.json(&["profile", "list"])["profiles"]
        .as_array()
        .expect("profiles")
        .iter()
        .map(|profile| {
            (
                profile["name"].as_str().unwrap().to_owned(),
                profile.clone(),
            )
        })
        .collect()
}

/// A run that must be refused with exit `code`, nothing on stdout and the config file as it
/// was, byte for byte, with nothing new beside it: its stderr.
fn refused(kvtui: &Kvtui, file: &Path, args: &[&str], code: i32) -> String {
    let before = std::fs::read(file).ok();
    let dir = file.parent().unwrap();
    let names = names_in(dir);
    let output = kvtui.run(args);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "{}", text(&output.stdout));
    assert_eq!(
        std::fs::read(file).ok(),
        before,
        "{args:?} changed the file"
    );
    assert_eq!(names_in(dir), names, "{args:?} left something beside it");
    stderr
}

#[test]
fn adding_keeps_every_byte_of_the_file_and_the_profile_then_loads() {
    let kvtui = Kvtui::with_config(COMMENTED);
    let file = config_file(&kvtui);
    users::set_mode(&file, 0o644);
    let said = kvtui.ok(&add("stage", "stagevault", &[]));
    assert_eq!(
        said.trim_end(),
        format!(
            "added to {}: profile stage (https://stagevault.vault.azure.net, auth \
             developer-tools)",
            file.display()
        )
    );
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        after,
        format!(
            "{COMMENTED}\n\n[profiles.stage]\nvault_url = \"https://stagevault.vault.azure.net\"\n"
        )
    );
    assert_eq!(users::mode(&file), 0o644, "the file keeps its mode");
    let profiles = listed(&kvtui);
    assert_eq!(
        profiles.keys().collect::<Vec<_>>(),
        ["dev", "prod", "stage"]
    );
    assert_eq!(
        profiles["stage"],
        serde_json::json!({
            "name": "stage",
            "vault": "https://stagevault.vault.azure.net",
            "auth": "developer-tools",
            "readOnly": false,
            "cloud": "public",
            "default": false,
        })
    );
    assert_eq!(profiles["dev"]["default"], true);

    // A URL, a sign-in kind and a tenant; --json says what and where.
    let said = kvtui.json(&add(
        "eu.west",
        "https://eu-vault.vault.azure.net/",
        &[
            "--auth",
            "azure-cli",
            "--tenant-id",
            "8d2a3f1e-5c4b-4a69-9e1f-0c7b2d6a4e90",
        ],
    ));
    assert_eq!(
        said,
        serde_json::json!({
            "profile": {
                "name": "eu.west",
                "vault": "https://eu-vault.vault.azure.net",
                "auth": "azure-cli",
                "readOnly": false,
                "cloud": "public",
                "default": false,
            },
            "file": file.display().to_string(),
        })
    );
    let tail = std::fs::read_to_string(&file)
        .unwrap()
        .strip_prefix(&after)
        .expect("the first addition is kept as it was")
        .to_owned();
    assert_eq!(
        tail,
        "\n[profiles.\"eu.west\"]\nvault_url = \"https://eu-vault.vault.azure.net\"\n\
         auth = \"azure-cli\"\ntenant_id = \"8d2a3f1e-5c4b-4a69-9e1f-0c7b2d6a4e90\"\n"
    );

    // Every kind the file takes, --auth takes.
    kvtui.ok(&add("jump", "jumpvault", &["--auth", "device-code"]));
    assert_eq!(listed(&kvtui)["jump"]["auth"], "device-code");
}

#[test]
fn a_client_secret_profile_is_added_with_the_variable_that_holds_its_secret() {
    let kvtui = Kvtui::with_config(COMMENTED);
    let file = config_file(&kvtui);
    kvtui.ok(&add(
        "ci",
        "civault",
        &[
            "--auth",
            "client-secret",
            "--tenant-id",
            "8d2a3f1e-5c4b-4a69-9e1f-0c7b2d6a4e90",
            "--client-id",
            "0b7a3c5e-1d2f-4a6b-8c9d-0e1f2a3b4c5d",
            "--client-secret-env",
            "CI_SP_SECRET",
        ],
    ));
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text.strip_prefix(COMMENTED).expect("the file is kept"),
        "\n\n[profiles.ci]\nvault_url = \"https://civault.vault.azure.net\"\nauth = \"client-secret\"\n\
         tenant_id = \"8d2a3f1e-5c4b-4a69-9e1f-0c7b2d6a4e90\"\n\
         client_id = \"0b7a3c5e-1d2f-4a6b-8c9d-0e1f2a3b4c5d\"\nclient_secret_env = \"CI_SP_SECRET\"\n"
    );
    assert_eq!(listed(&kvtui)["ci"]["auth"], "client-secret");
    // What is not a variable's name may be the secret itself: refused, and not shown.
    let stderr = refused(
        &kvtui,
        &file,
        &add(
            "ci2",
            "civault",
            &["--client-secret-env", "Xy8Q~fake.secret"],
        ),
        2,
    );
    assert!(
        stderr.contains("must name an environment variable"),
        "{stderr}"
    );
}

#[test]
fn what_is_refused_leaves_the_file_as_it_was() {
    let kvtui = Kvtui::with_config(COMMENTED);
    let file = config_file(&kvtui);

    let stderr = refused(&kvtui, &file, &add("prod", "other", &[]), 2);
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: config file {}: there is already a profile named \"prod\"; choose another \
             name, or edit the file to change that one",
            file.display()
        )
    );
    for name in ["a b", "prod/eu", "", "ünïcode"] {
        let stderr = refused(&kvtui, &file, &add(name, "other", &[]), 2);
        assert!(
            stderr.starts_with(&format!(
                "error: profile name {name:?}: a profile name may use"
            )),
            "{stderr}"
        );
    }
    for (vault, says) in [
        ("http://v.vault.azure.net", "must start with https://"),
        ("v.vault.azure.net", "must be a vault's name"),
        ("https://v.vault.azure.net/secrets", "the vault's base URL"),
        ("kv", "3 to 24 letters"),
    ] {
        let stderr = refused(&kvtui, &file, &add("new", vault, &[]), 2);
        assert!(
            stderr.starts_with(&format!("error: --vault {vault:?}: ")) && stderr.contains(says),
            "{stderr}"
        );
    }
    // A kind of sign-in that needs more than profile add sets (the file would not load), and
    // one there is not (every kind there is is named).
    for (auth, says) in [
        (
            "client-secret",
            [
                "profile \"new\" was not added, as the config would not load",
                "profiles.new.tenant_id = (missing)",
            ],
        ),
        (
            "password",
            [
                "invalid value 'password' for '--auth <KIND>'",
                "`device-code`",
            ],
        ),
    ] {
        let args = add("new", "other", &["--auth", auth]);
        let stderr = refused(&kvtui, &file, &args, 2);
        for part in says {
            assert!(stderr.contains(part), "lacks {part:?}: {stderr}");
        }
    }
    // A tenant goes into token URLs and `az --tenant`: an option or a path is not one.
    for tenant in ["--allow-no-subscriptions", "contoso/../common", "a b"] {
        let flag = format!("--tenant-id={tenant}");
        let args = add("new", "other", &[&flag]);
        let stderr = refused(&kvtui, &file, &args, 2);
        assert!(
            stderr.contains("'--tenant-id <ID>'") && stderr.contains("a GUID"),
            "{stderr}"
        );
    }
}

#[test]
fn a_file_that_does_not_load_is_not_touched() {
    for (config, says) in [
        ("[profiles.dev\nauth = \"local\"\n", "not valid TOML"),
        (
            "[profiles.dev]\nvault_url = \"http://v\"\n",
            "profiles.dev.vault_url = \"http://v\": must start with https://",
        ),
        (
            "[profiles.dev]\nauth = \"local\"\nvault_uri = \"x\"\n",
            "vault_uri",
        ),
    ] {
        let kvtui = Kvtui::with_config(config);
        let file = config_file(&kvtui);
        let stderr = refused(&kvtui, &file, &add("new", "other", &[]), 2);
        assert!(
            stderr.starts_with(&format!("error: config file {}: ", file.display()))
                && stderr.contains(says),
            "{stderr}"
        );
    }
    let kvtui = Kvtui::with_config("");
    let file = config_file(&kvtui);
    std::fs::write(&file, b"[profiles.dev]\nauth = \"\xff\"\n").unwrap();
    let stderr = refused(&kvtui, &file, &add("new", "other", &[]), 2);
    assert!(stderr.contains("not UTF-8 text"), "{stderr}");
}

#[test]
fn a_linked_or_open_config_is_refused() {
    let kvtui = Kvtui::with_config(COMMENTED);
    let file = config_file(&kvtui);
    let args = add("new", "other", &[]);

    // Kept elsewhere and linked: `profile list` reads it, `profile add` would replace the link.
    let elsewhere = kvtui.scratch().join("dotfiles.toml");
    std::fs::rename(&file, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &file).unwrap();
    assert_eq!(listed(&kvtui).len(), 2);
    let stderr = refused(&kvtui, &elsewhere, &args, 2);
    assert!(
        stderr.starts_with(&format!(
            "error: config file {}: it is a symbolic link (to {})",
            file.display(),
            elsewhere.display()
        )) && stderr.contains("pass --config with the file the link points at"),
        "{stderr}"
    );
    assert!(file.is_symlink(), "the link is still there");
    std::fs::remove_file(&file).unwrap();
    std::fs::rename(&elsewhere, &file).unwrap();

    let refused_saying = |says: &str| {
        let stderr = refused(&kvtui, &file, &args, 2);
        assert!(stderr.contains(says), "lacks {says:?}: {stderr}");
    };
    users::set_mode(&file, 0o664);
    refused_saying(&format!(
        "config file {}: mode 0664 lets other users change it; run `chmod go-w {}`",
        file.display(),
        file.display()
    ));
    users::set_mode(&file, 0o600);
    users::set_mode(kvtui.home(), 0o770);
    refused_saying(&format!("config dir {}: mode 0770", kvtui.home().display()));
    users::set_mode(kvtui.home(), 0o700);

    if !users::can_chown("a_linked_or_open_config_is_refused") {
        return;
    }
    users::give_to_nobody(&file);
    refused_saying("belongs to nobody (uid 65534)");
}

#[test]
fn with_no_config_one_is_made_owner_only_and_the_local_profile_kept() {
    let kvtui = Kvtui::without_config();
    let dir = kvtui.home().join("kvtui");
    let file = dir.join("config.toml");
    let said = kvtui.ok(&add("prod", "prodvault", &[]));
    assert_eq!(
        said.lines().collect::<Vec<_>>(),
        [
            format!(
                "created {}: profile prod (https://prodvault.vault.azure.net, auth \
                 developer-tools)",
                file.display()
            )
            .as_str(),
            "also written: profile local, the local vault kvtui used with no profile \
             configured, still the default",
        ]
    );
    assert_eq!(users::mode(&dir), 0o700);
    assert_eq!(users::mode(&file), 0o600);
    assert_eq!(names_in(&dir), ["config.toml"]);
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(
        written.starts_with("# kvtui's vault profiles")
            && written.contains("# The local vault kvtui opened while no profile was configured")
            && written.contains("[profiles.local]\nauth = \"local\"\n"),
        "{written}"
    );
    let profiles = listed(&kvtui);
    assert_eq!(
        profiles["local"],
        serde_json::json!({
            "name": "local",
            "vault": "embedded local vault",
            "auth": "local",
            "readOnly": false,
            "cloud": "public",
            "default": true,
        })
    );
    assert_eq!(profiles["prod"]["default"], false);

    // A --config FILE that is not there is made too, and its dirs.
    let named = kvtui.scratch().join("elsewhere/kvtui.toml");
    let config = named.to_str().unwrap();
    let said = kvtui.json(&[
        "--config",
        config,
        "profile",
        "add",
        "prod",
        "--vault",
        "prodvault",
        "--default",
    ]);
    assert_eq!(said["file"], config);
    assert_eq!(said["profile"]["default"], true);
    assert_eq!(users::mode(named.parent().unwrap()), 0o700);
}

#[test]
fn default_and_read_only() {
    let kvtui = Kvtui::with_config(COMMENTED);
    let file = config_file(&kvtui);
    kvtui.ok(&add("stage", "stagevault", &["--read-only", "--default"]));
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        after,
        format!(
            "{}\n\n[profiles.stage]\nvault_url = \"https://stagevault.vault.azure.net\"\n\
             read_only = true\n",
            COMMENTED.replace("\"dev\"   # the one", "\"stage\"   # the one")
        ),
        "default_profile is changed in place, its comment kept"
    );
    let profiles = listed(&kvtui);
    assert_eq!(profiles["stage"]["default"], true);
    assert_eq!(profiles["stage"]["readOnly"], true);
    assert_eq!(profiles["dev"]["default"], false);

    // The read-only profile refuses a write before any request (there is no such vault).
    let output = kvtui.run_with_stdin(&["secret", "set", "db-password", "--value-stdin"], b"v");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("read-only"),
        "{}",
        text(&output.stderr)
    );

    // A file with no default_profile and one profile: a second one leaves kvtui asking which,
    // which it says.
    let kvtui = Kvtui::with_config("[profiles.dev]\nauth = \"local\"\n");
    let output = kvtui.run(&add("b", "bvault", &[]));
    assert_eq!(output.status.code(), Some(0));
    assert!(
        text(&output.stderr).starts_with("warning: no default_profile is set"),
        "{}",
        text(&output.stderr)
    );
}

/// `kvtui ARGS` that may write at most 1 KiB to any file (`ulimit -f 2`, in 512-byte blocks),
/// with the signal that would kill it at the limit ignored, so that the write fails as on a
/// full disk.
fn with_a_tiny_file_size_limit(kvtui: &Kvtui, args: &[&str]) -> Output {
    let mut command = std::process::Command::new("/bin/sh");
    command
        .args(["-c", "trap '' XFSZ; ulimit -f 2 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_kvtui"))
        .args(args)
        .envs(kvtui.env())
        .stdin(std::process::Stdio::null());
    command.output().expect("sh runs")
}

#[test]
fn a_write_that_fails_leaves_the_old_file_and_nothing_beside_it() {
    let long = format!("{COMMENTED}\n# {}\n", "padding ".repeat(200));
    let kvtui = Kvtui::with_config(&long);
    let file = config_file(&kvtui);
    let names = names_in(kvtui.home());
    let output = with_a_tiny_file_size_limit(&kvtui, &add("new", "other", &[]));
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: cannot write config file {}: ",
            file.display()
        )) && stderr.contains("the file is as it was"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), long);
    assert_eq!(names_in(kvtui.home()), names, "a temporary file was left");
    assert!(listed(&kvtui).get("new").is_none());

    // The same limit and a file that fits: the limit is what failed.
    let kvtui = Kvtui::with_config("[profiles.dev]\nauth = \"local\"\n");
    let output = with_a_tiny_file_size_limit(&kvtui, &add("new", "other", &[]));
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}
