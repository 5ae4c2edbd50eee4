//! References through the real binary against real local vaults: every form `kvtui read` takes,
//! `env` and `inject` filling values in, what a refused reference does (one clear line, nothing
//! printed or written), the files made for values, and no value anywhere it was not asked for.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::support;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use support::pty::Pty;
use support::{Kvtui, VaultProcess, text};

/// A value with what trips up a carrier: a trailing newline, quotes, `$`, a non-ASCII letter.
const VALUE: &str = "REFMARKER-7c1e 'q' \"dq\" $HOME é\n";
const OTHER: &str = "REFMARKER-other-51a9";

/// Two vaults: `prod` (the default, reached as `localhost` so it has a vault name) and `dev`.
struct Setup {
    prod: VaultProcess,
    dev: VaultProcess,
    kvtui: Kvtui,
    prod_url: String,
}

impl Setup {
    async fn new() -> Self {
        let prod = VaultProcess::start();
        let dev = VaultProcess::start();
        let prod_url = prod.url.replace("127.0.0.1", "localhost");
        let config = format!(
            "default_profile = \"prod\"\n\n{}{}",
            prod.profile_toml("prod", true)
                .replace(&prod.url, &prod_url),
            dev.profile_toml("dev", true)
        );
        let kvtui = Kvtui::with_config(&config);
        Self {
            prod,
            dev,
            kvtui,
            prod_url,
        }
    }

    fn failed(&self, args: &[&str]) -> (i32, String, String) {
        let output = self
            .kvtui
            .command(args)
            .env("KVTUI_LOG", "trace")
            .output()
            .expect("runs");
        (
            output.status.code().expect("an exit code"),
            text(&output.stdout),
            text(&output.stderr),
        )
    }

    fn read(&self, reference: &str) -> Vec<u8> {
        let output = self.kvtui.run(&["read", reference]);
        assert!(
            output.status.success(),
            "{reference}: {}",
            text(&output.stderr)
        );
        output.stdout
    }
}

#[tokio::test]
async fn every_reference_form_reads_the_exact_bytes_of_the_value() {
    let setup = Setup::new().await;
    let old = setup.prod.set("db-password", "old").await;
    setup.prod.set("db-password", VALUE).await;
    let url = &setup.prod_url;
    let forms = [
        "kv://prod/db-password".to_owned(),
        "kv:///db-password".to_owned(),
        format!("{url}/secrets/db-password"),
        format!("{url}/secrets/db-password/"),
        format!("@Microsoft.KeyVault(SecretUri={url}/secrets/db-password/)"),
        "@Microsoft.KeyVault(VaultName=localhost;SecretName=db-password)".to_owned(),
        "akvs://faa080af-c1d8-40ad-9cce-000000000000/localhost/db-password".to_owned(),
    ];
    for form in &forms {
        assert_eq!(setup.read(form), VALUE.as_bytes(), "{form}");
    }
    for form in [
        format!("kv://prod/db-password/{old}"),
        format!("{url}/secrets/db-password/{old}"),
        format!(
            "@Microsoft.KeyVault(VaultName=localhost;SecretName=db-password;SecretVersion={old})"
        ),
        format!("akvs://sub/localhost/db-password/{old}"),
    ] {
        assert_eq!(setup.read(&form), b"old", "{form}");
    }
    // --profile stands for the default where the reference leaves the profile out.
    setup.dev.set("db-password", OTHER).await;
    let output = setup
        .kvtui
        .run(&["read", "kv:///db-password", "--profile", "dev"]);
    assert_eq!(output.stdout, OTHER.as_bytes(), "{}", text(&output.stderr));
    // Stdout is a pipe here: no warning about a terminal.
    assert_eq!(text(&output.stderr), "");
}

#[tokio::test]
async fn a_reference_that_cannot_be_used_fails_with_one_line_naming_it_and_prints_nothing() {
    let setup = Setup::new().await;
    let now = support::now();
    setup.prod.set("ok", OTHER).await;
    setup
        .prod
        .set_body(
            "off",
            json!({"value": VALUE, "attributes": {"enabled": false}}),
        )
        .await;
    setup
        .prod
        .set_body(
            "old",
            json!({"value": VALUE, "attributes": {"exp": now - 60}}),
        )
        .await;
    setup
        .prod
        .set_body(
            "later",
            json!({"value": VALUE, "attributes": {"nbf": now + 3600}}),
        )
        .await;
    let cases = [
        (
            "kv://prod/missing",
            1,
            "secret missing (or that version of it) is not in the vault of profile prod",
        ),
        ("kv://prod/off", 1, "disabled"),
        ("kv://prod/old", 1, "expired at"),
        ("kv://prod/later", 1, "is not valid until"),
        ("kv://staging/ok", 2, "no profile named \"staging\""),
        (
            "https://elsewhere.vault.azure.net/secrets/ok",
            2,
            "kvtui profile add NAME --vault https://elsewhere.vault.azure.net",
        ),
        ("kv://prod/bad_name", 2, "contains '_'"),
    ];
    for (reference, code, says) in cases {
        let (exit, stdout, stderr) = setup.failed(&["read", reference]);
        assert_eq!(exit, code, "{reference}: {stderr}");
        assert_eq!(stdout, "", "{reference}");
        assert_eq!(stderr.lines().count(), 1, "{reference}: {stderr}");
        assert!(
            stderr.starts_with("error: reference \""),
            "{reference}: {stderr}"
        );
        assert!(stderr.contains(says), "{reference}: {stderr}");
        assert!(!stderr.contains("REFMARKER"), "{stderr}");
    }
    let (exit, _, stderr) = setup.failed(&["read", "kv://prod/old", "--allow-expired"]);
    assert_eq!(exit, 0, "{stderr}");

    // The service's 403 comes through with its reason; other references are named with theirs.
    setup.dev.set_faults(json!({"forbidden": "rbac"})).await;
    let (exit, stdout, stderr) = setup.failed(&[
        "env",
        "A=kv://dev/x",
        "B=kv://prod/ok",
        "C=kv://prod/missing",
    ]);
    assert_eq!((exit, stdout.as_str()), (1, ""), "{stderr}");
    assert!(
        stderr.starts_with("error: 2 references cannot be used:\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("\"kv://dev/x\": secret x in profile dev:"),
        "{stderr}"
    );
    assert!(stderr.contains("\"kv://prod/missing\""), "{stderr}");
    assert!(!stderr.contains("kv://prod/ok"), "{stderr}");
}

#[tokio::test]
async fn env_prints_each_format_so_its_reader_gets_the_value_back() {
    let setup = Setup::new().await;
    setup.prod.set("db-password", VALUE).await;
    setup.dev.set("api-token", OTHER).await;
    let env_file = setup.kvtui.scratch().join("app.env");
    std::fs::write(
        &env_file,
        "# app\nexport DB=kv:///db-password\nMODE=literal\nTOKEN=\"kv://dev/api-token\"\n",
    )
    .unwrap();
    let file = env_file.to_str().unwrap();
    let shell = setup
        .kvtui
        .ok(&["env", "--format", "shell", "--env-file", file]);
    let echoed = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{shell}\nprintf '%s|%s|%s' \"$DB\" \"$MODE\" \"$TOKEN\""
        ))
        .output()
        .unwrap();
    assert_eq!(text(&echoed.stdout), format!("{VALUE}|literal|{OTHER}"));

    let json = setup.kvtui.ok(&[
        "env",
        "--format",
        "json",
        "kv://prod/db-password",
        "T=kv://dev/api-token",
    ]);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed, json!({"DB_PASSWORD": VALUE, "T": OTHER}));

    let dotenv = setup.kvtui.ok(&["env", "--env-file", file]);
    assert_eq!(
        dotenv,
        format!(
            "DB=\"{}\"\nMODE=literal\nTOKEN={OTHER}\n",
            "REFMARKER-7c1e 'q' \\\"dq\\\" $HOME é\\n"
        )
    );
}

#[tokio::test]
async fn env_refuses_a_terminal_unless_revealed() {
    let setup = Setup::new().await;
    setup.prod.set("db-password", VALUE).await;
    let env: Vec<_> = setup.kvtui.env().to_vec();
    let bin = Path::new(env!("CARGO_BIN_EXE_kvtui"));
    let mut refused = Pty::spawn(bin, &["env", "kv:///db-password"], &env, (80, 24));
    assert_eq!(refused.wait_exit(std::time::Duration::from_secs(20)), 2);
    let screen = refused.screen();
    assert!(
        screen.contains("refusing to print secret values to a terminal"),
        "{screen}"
    );
    assert!(!String::from_utf8_lossy(&refused.raw()).contains("REFMARKER"));

    let mut revealed = Pty::spawn(
        bin,
        &["env", "kv:///db-password", "--reveal"],
        &env,
        (80, 24),
    );
    assert_eq!(revealed.wait_exit(std::time::Duration::from_secs(20)), 0);
    assert!(
        revealed.screen().contains("REFMARKER-7c1e"),
        "{}",
        revealed.screen()
    );

    // read prints to a terminal, with a warning on stderr.
    let mut read = Pty::spawn(bin, &["read", "kv:///db-password"], &env, (80, 24));
    assert_eq!(read.wait_exit(std::time::Duration::from_secs(20)), 0);
    assert!(
        read.screen().contains("stays in its scrollback"),
        "{}",
        read.screen()
    );
}

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn inject_and_read_write_new_owner_only_files_and_never_overwrite_unasked() {
    let setup = Setup::new().await;
    setup.prod.set("db-password", VALUE).await;
    setup.dev.set("api-token", OTHER).await;
    let dir = setup.kvtui.scratch();
    let template = dir.join("app.tmpl");
    std::fs::write(
        &template,
        "url: postgres://app:{{ kv:///db-password }}@db/app\nhelm: {{ .Values.x }}\nTOKEN=kv://dev/api-token\n",
    )
    .unwrap();
    let out = dir.join("app.conf");
    let (t, o) = (template.to_str().unwrap(), out.to_str().unwrap());
    assert_eq!(setup.kvtui.ok(&["inject", "-i", t, "-o", o]), "");
    let expected =
        format!("url: postgres://app:{VALUE}@db/app\nhelm: {{{{ .Values.x }}}}\nTOKEN={OTHER}\n");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
    assert_eq!(mode_of(&out), 0o600);

    std::fs::write(&out, "kept").unwrap();
    let (exit, _, stderr) = setup.failed(&["inject", "-i", t, "-o", o]);
    assert_eq!(exit, 2, "{stderr}");
    assert!(
        stderr.contains("exists; refusing to overwrite it (--force replaces it)"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "kept");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).unwrap();
    setup.kvtui.ok(&["inject", "-i", t, "-o", o, "--force"]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
    assert_eq!(mode_of(&out), 0o600, "a replaced file is owner-only too");
    assert_eq!(setup.kvtui.ok(&["inject", "-i", t, "-o", "-"]), expected);

    // A link planted where the file goes is not followed.
    let planted = dir.join("planted");
    let target = dir.join("victim");
    std::fs::write(&target, "victim").unwrap();
    std::os::unix::fs::symlink(&target, &planted).unwrap();
    let (exit, _, _) = setup.failed(&[
        "read",
        "kv:///db-password",
        "--out",
        planted.to_str().unwrap(),
    ]);
    assert_eq!(exit, 2);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "victim");

    let value_file = dir.join("value");
    setup.kvtui.ok(&[
        "read",
        "kv:///db-password",
        "--out",
        value_file.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&value_file).unwrap(), VALUE.as_bytes());
    assert_eq!(mode_of(&value_file), 0o600);

    // A template with a bad reference writes nothing and names its line.
    std::fs::write(&template, "ok\n{{ kv://prod/bad_name }}\n").unwrap();
    let fresh = dir.join("fresh.conf");
    let (exit, _, stderr) = setup.failed(&["inject", "-i", t, "-o", fresh.to_str().unwrap()]);
    assert_eq!(exit, 2, "{stderr}");
    assert!(
        stderr.contains("line 2: reference \"kv://prod/bad_name\""),
        "{stderr}"
    );
    assert!(!fresh.exists());

    // No value in any file kvtui wrote but the ones asked for (logs at trace level included).
    let asked = [
        out.clone(),
        value_file.clone(),
        template.clone(),
        target.clone(),
    ];
    let mut files = Vec::new();
    walk(dir, &mut files);
    for file in files.iter().filter(|file| !asked.contains(file)) {
        let bytes = std::fs::read(file).unwrap_or_default();
        let needle = b"REFMARKER";
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{} holds a value",
            file.display()
        );
    }
    assert!(
        files
            .iter()
            .any(|file| file.extension().is_some_and(|e| e == "log")),
        "{files:?}"
    );
}

fn walk(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_symlink() {
            continue;
        }
        if path.is_dir() {
            walk(&path, found);
        } else {
            found.push(path);
        }
    }
}
