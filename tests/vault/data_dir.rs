//! A local vault's data dir on a machine shared with other users, through the real binary: a
//! dir or file another user could read, change or swap is refused with a message saying how to
//! fix it, nothing is written through a link, a token too short to be one stops the vault, first
//! runs in parallel agree on one set of files and every dir stays usable, and a dir left half
//! made is finished.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::support;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use support::users::{can_chown, give_to_nobody, mode, set_mode};
use support::{VaultProcess, names_in};

/// `kvtui ARGS` on the implied local profile (no config in the platform config dir) over
/// `data_dir`.
fn implied(config_home: &Path, data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kvtui"));
    command
        .args(args)
        .env_remove("KVTUI_CONFIG_DIR")
        .env("XDG_CONFIG_HOME", config_home)
        .env("KVTUI_DATA_DIR", data_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn first_line(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .next()
        .unwrap_or("(nothing on stderr)")
        .to_owned()
}

#[test]
fn parallel_first_runs_all_succeed_and_leave_every_dir_usable() {
    const RUNS: usize = 32;
    const DIRS: usize = 12;
    let (root, config_home) = support::scratch_dir("config");
    let data = |run: usize| root.path().join(format!("data-{}", run % DIRS));
    // Every child is started before any is waited for, so the first runs on a dir overlap.
    let children: Vec<_> = (0..RUNS)
        .map(|run| {
            let name = format!("first-run-{run}");
            let mut child = implied(
                &config_home,
                &data(run),
                &["secret", "set", &name, "--value-stdin"],
            )
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("value of run {run}").as_bytes())
                .unwrap();
            (run, name, child)
        })
        .collect();
    let mut acknowledged = Vec::new();
    let mut failures: BTreeMap<String, usize> = BTreeMap::new();
    for (run, name, child) in children {
        let output = child.wait_with_output().unwrap();
        if output.status.success() {
            acknowledged.push((run, name));
        } else {
            *failures.entry(first_line(&output)).or_default() += 1;
        }
    }
    // Afterwards every dir opens, and every value a run was told was set is there.
    let mut unusable = BTreeMap::new();
    for dir in 0..DIRS {
        let output = implied(&config_home, &data(dir), &["secret", "list"])
            .output()
            .unwrap();
        if !output.status.success() {
            unusable.insert(dir, first_line(&output));
        }
    }
    let mut lost = Vec::new();
    for (run, name) in &acknowledged {
        let output = implied(
            &config_home,
            &data(*run),
            &["secret", "show", name, "--reveal"],
        )
        .output()
        .unwrap();
        let shown = String::from_utf8_lossy(&output.stdout);
        if !shown.contains(&format!("value of run {run}")) {
            lost.push(format!("{name}: {}", first_line(&output)));
        }
    }
    println!(
        "{} of {RUNS} parallel first-run sets over {DIRS} fresh data dirs succeeded; \
         {} of {DIRS} dirs usable afterwards; {} acknowledged values missing",
        acknowledged.len(),
        DIRS - unusable.len(),
        lost.len()
    );
    assert!(
        failures.is_empty() && unusable.is_empty() && lost.is_empty(),
        "failed runs (first stderr line: count): {failures:#?}\nunusable dirs: {unusable:#?}\n\
         acknowledged but not readable: {lost:#?}"
    );
}

/// `kvtui local-vault` on `dir`, which must refuse to start saying each of `says`: its stderr.
/// A vault that starts anyway is stopped and the test fails.
fn vault_refuses(dir: &Path, says: &[&str]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kvtui"));
    command
        .args(["local-vault", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .stdin(Stdio::null());
    let (output, _) = support::output_within(command, Duration::from_secs(15));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    match output.status.code() {
        None => panic!("the vault started on {}", dir.display()),
        code => assert_eq!(code, Some(1), "{stderr}"),
    }
    assert_says(&stderr, says);
    stderr
}

fn assert_says(stderr: &str, parts: &[&str]) {
    for part in parts {
        assert!(stderr.contains(part), "lacks {part:?}: {stderr}");
    }
}

/// A dir with a whole data dir in it, made by a vault that has been stopped.
fn made_data_dir(root: &Path) -> PathBuf {
    let dir = root.join("data");
    drop(VaultProcess::start_in(&dir, &[]));
    dir
}

#[test]
fn a_data_dir_others_can_change_or_swap_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let config_home = root.path().join("config");
    let dir = root.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    set_mode(&dir, 0o777);
    vault_refuses(
        &dir,
        &[
            &format!("{}: mode 0777 lets other users create", dir.display()),
            &format!("run `chmod 700 {}`", dir.display()),
        ],
    );
    // The embedded vault refuses it as well, and neither wrote a thing there.
    let set = implied(&config_home, &dir, &["secret", "set", "x", "--value-stdin"])
        .output()
        .unwrap();
    assert_eq!(set.status.code(), Some(1));
    assert!(
        first_line(&set).contains("mode 0777"),
        "{}",
        first_line(&set)
    );
    assert_eq!(names_in(&dir), Vec::<String>::new());

    // A dir above it that others can write and is not sticky: the data dir could be swapped.
    set_mode(&dir, 0o700);
    set_mode(root.path(), 0o777);
    vault_refuses(
        &dir,
        &[&format!(
            "it is inside {}, which is mode 0777 (writable by others, not sticky)",
            root.path().display()
        )],
    );
    set_mode(root.path(), 0o700);

    if !can_chown("a_data_dir_others_can_change_or_swap_is_refused") {
        return;
    }
    // As reproduced: another user makes a shared dir with a token of theirs in it.
    let shared = root.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    set_mode(&shared, 0o1777);
    let planted = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    std::fs::write(shared.join("token"), planted).unwrap();
    set_mode(&shared.join("token"), 0o644);
    give_to_nobody(&shared.join("token"));
    give_to_nobody(&shared);
    let expected = [
        format!("{}: it belongs to nobody (uid 65534)", shared.display()),
        "is mode 1777".to_owned(),
        "set KVTUI_DATA_DIR (or pass --data-dir)".to_owned(),
    ];
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    vault_refuses(&shared, &expected);
    let set = implied(
        &config_home,
        &shared,
        &["secret", "set", "x", "--value-stdin"],
    )
    .output()
    .unwrap();
    assert_eq!(set.status.code(), Some(1));
    assert_says(&first_line(&set), &expected);
    assert_eq!(names_in(&shared), ["token"], "nothing is written there");
    assert_eq!(
        std::fs::read_to_string(shared.join("token")).unwrap(),
        planted
    );

    // Another user's dir, even one only they can write to.
    let private = root.path().join("private");
    std::fs::create_dir(&private).unwrap();
    give_to_nobody(&private);
    vault_refuses(
        &private,
        &[&format!(
            "{}: it belongs to nobody (uid 65534), not to you",
            private.display()
        )],
    );

    // A dir of one's own inside another user's: they can rename it and put theirs there.
    let theirs = root.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    set_mode(&theirs, 0o755);
    let mine = theirs.join("data");
    std::fs::create_dir(&mine).unwrap();
    give_to_nobody(&theirs);
    vault_refuses(
        &mine,
        &[&format!(
            "it is inside {}, which belongs to nobody (uid 65534)",
            theirs.display()
        )],
    );
}

#[test]
fn files_in_the_data_dir_that_others_can_read_or_change_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = made_data_dir(root.path());
    for (file, fix) in [
        ("token", "remove it (`rm "),
        ("tls-key.pem", "remove it (`rm "),
        ("backup.key", "run `chmod 600 "),
        ("vault.db", "run `chmod 600 "),
    ] {
        let path = dir.join(file);
        set_mode(&path, 0o640);
        vault_refuses(
            &dir,
            &[
                &format!("{}: mode 0640 lets other users read it", path.display()),
                fix,
            ],
        );
        set_mode(&path, 0o600);
    }
    // A backup key of the wrong length is not made again: backups sealed with it would be lost.
    let key = std::fs::read(dir.join("backup.key")).unwrap();
    std::fs::write(dir.join("backup.key"), &key[..17]).unwrap();
    vault_refuses(
        &dir,
        &["backup.key: 17 bytes, not 32: the key is damaged", "mv "],
    );
    std::fs::write(dir.join("backup.key"), &key).unwrap();
    // Certificates may be read by others, not changed.
    set_mode(&dir.join("ca.pem"), 0o644);
    drop(VaultProcess::start_in(&dir, &[]));
    set_mode(&dir.join("ca.pem"), 0o664);
    vault_refuses(&dir, &["ca.pem: mode 0664 lets other users change it"]);
    set_mode(&dir.join("ca.pem"), 0o600);

    if !can_chown("files_in_the_data_dir_that_others_can_read_or_change_are_refused") {
        return;
    }
    for file in [
        "token",
        "backup.key",
        "tls-key.pem",
        "ca.pem",
        "vault.db",
        "lock",
    ] {
        let path = dir.join(file);
        give_to_nobody(&path);
        vault_refuses(
            &dir,
            &[&format!(
                "{}: it belongs to nobody (uid 65534)",
                path.display()
            )],
        );
        std::os::unix::fs::lchown(&path, Some(0), Some(0)).unwrap();
    }
    drop(VaultProcess::start_in(&dir, &[]));
}

#[test]
fn nothing_is_written_or_chmod_ed_through_a_link_in_the_data_dir() {
    let root = tempfile::tempdir().unwrap();
    let victim = root.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    set_mode(&victim, 0o644);
    let untouched = || {
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(mode(&victim), 0o644, "the link's target was chmod-ed");
    };

    // A planted temporary name is not the one a new token is written to.
    let fresh = root.path().join("fresh");
    std::fs::create_dir(&fresh).unwrap();
    std::os::unix::fs::symlink(&victim, fresh.join("token.tmp")).unwrap();
    let vault = VaultProcess::start_in(&fresh, &[]);
    untouched();
    assert_eq!(vault.token.len(), 64);
    drop(vault);

    // The store, its write-ahead log and shared memory, the key and the logs: never followed.
    let dir = made_data_dir(root.path());
    for file in [
        "vault.db",
        "vault.db-wal",
        "vault.db-shm",
        "tls-key.pem",
        "token",
    ] {
        let path = dir.join(file);
        let moved = root.path().join(format!("{file}.real"));
        let existed = std::fs::rename(&path, &moved).is_ok();
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        vault_refuses(
            &dir,
            &[&format!(
                "{}: it is a symbolic link (to {})",
                path.display(),
                victim.display()
            )],
        );
        untouched();
        std::fs::remove_file(&path).unwrap();
        if existed {
            std::fs::rename(&moved, &path).unwrap();
        }
    }
    for log in ["local-vault.log", "kvtui.log"] {
        let path = dir.join(log);
        let _ = std::fs::remove_file(&path);
        std::os::unix::fs::symlink(&victim, &path).unwrap();
    }
    let mut vault = VaultProcess::start_in_with_env(&dir, &[], &[("KVTUI_LOG", "trace")]);
    let config_home = root.path().join("config");
    let listed = implied(&config_home, &dir, &["secret", "list"])
        .env("KVTUI_LOG", "trace")
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", first_line(&listed));
    vault.kill_hard();
    untouched();
}

#[test]
fn a_token_too_short_or_not_a_token_stops_the_vault() {
    let (root, dir) = support::scratch_dir("data");
    let token = dir.join("token");
    for (written, says) in [
        (
            "hunter2\n",
            "the token in it is 7 characters long; a token has at least 32",
        ),
        ("\n \n", "the token in it is 0 characters long"),
        (
            "0123456789abcdef 0123456789abcdef\n",
            "it holds characters a bearer token cannot",
        ),
    ] {
        std::fs::write(&token, written).unwrap();
        set_mode(&token, 0o600);
        let stderr = vault_refuses(
            &dir,
            &[
                &format!("{}: {says}", token.display()),
                &format!("delete the file (`rm {}`)", token.display()),
            ],
        );
        assert!(!stderr.contains("hunter2"), "{stderr}");
    }
    // Too long to be one, or not a file to read at all.
    std::fs::write(&token, "a".repeat(10 << 20)).unwrap();
    vault_refuses(
        &dir,
        &["10485760 bytes; a token file is at most 4096 bytes"],
    );
    std::fs::remove_file(&token).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(&token)
            .status()
            .unwrap()
            .success()
    );
    vault_refuses(&dir, &["token: it is a named pipe (FIFO)"]);
    // Deleting it, as the message says, is the fix.
    std::fs::remove_file(&token).unwrap();
    let vault = VaultProcess::start_in(&dir, &[]);
    assert_eq!(vault.token.len(), 64);

    // The client reads the token through the same checks: a short one is never sent.
    let config = root.path().join("config");
    std::fs::create_dir(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        vault.profile_toml("local", false),
    )
    .unwrap();
    std::fs::write(&token, "hunter2").unwrap();
    let listed = Command::new(env!("CARGO_BIN_EXE_kvtui"))
        .args(["secret", "list"])
        .env("KVTUI_CONFIG_DIR", &config)
        .env("KVTUI_DATA_DIR", root.path().join("client-data"))
        .output()
        .unwrap();
    assert_eq!(listed.status.code(), Some(1));
    assert_says(
        &first_line(&listed),
        &[&format!(
            "{}: the token in it is 7 characters long",
            token.display()
        )],
    );
    // The one request is the challenge probe, which goes without a token.
    assert_eq!(vault.logged_statuses(), [401], "the short token was sent");
}

#[test]
fn a_data_dir_left_half_made_is_finished() {
    let root = tempfile::tempdir().unwrap();
    let config_home = root.path().join("config");
    let other = made_data_dir(&root.path().join("other"));
    let set_and_show = |dir: &Path, name: &str| {
        let mut set = implied(&config_home, dir, &["secret", "set", name, "--value-stdin"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        set.stdin.take().unwrap().write_all(b"kept").unwrap();
        let set = set.wait_with_output().unwrap();
        assert!(set.status.success(), "{name}: {}", first_line(&set));
        let shown = implied(&config_home, dir, &["secret", "show", name, "--reveal"])
            .output()
            .unwrap();
        assert!(shown.status.success(), "{name}: {}", first_line(&shown));
    };

    // A key without its certificate or CA, a temporary file a killed start left, and an empty
    // backup key (a kvtui from before atomic writes, killed mid-write).
    let dir = root.path().join("half");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(other.join("tls-key.pem"), dir.join("tls-key.pem")).unwrap();
    std::fs::write(dir.join(".token.0123456789abcdef.tmp"), "half a tok").unwrap();
    std::fs::write(dir.join("backup.key"), "").unwrap();
    for file in ["tls-key.pem", ".token.0123456789abcdef.tmp", "backup.key"] {
        set_mode(&dir.join(file), 0o600);
    }
    set_and_show(&dir, "after-a-half-start");
    assert!(!dir.join(".token.0123456789abcdef.tmp").exists());
    assert_eq!(std::fs::metadata(dir.join("backup.key")).unwrap().len(), 32);

    // A whole set whose parts do not belong together: a certificate another CA signed, and a
    // key that is not the certificate's (two starts writing at once before the lock).
    std::fs::copy(other.join("ca.pem"), dir.join("ca.pem")).unwrap();
    set_and_show(&dir, "after-a-foreign-ca");
    std::fs::copy(other.join("tls-key.pem"), dir.join("tls-key.pem")).unwrap();
    set_and_show(&dir, "after-a-foreign-key");
    for name in ["after-a-half-start", "after-a-foreign-ca"] {
        let shown = implied(&config_home, &dir, &["secret", "show", name, "--reveal"])
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&shown.stdout).contains("kept"));
    }
}
