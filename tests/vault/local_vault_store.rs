//! What the local vault's store promises, against the real binary and its files on disk: a purged
//! value leaves no byte of itself behind; damage (a flipped byte, an emptied file) is refused and
//! named, never served; a full disk is a clear answer with nothing written; and no backup is made
//! that a restore would refuse.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use serde_json::{Value, json};
use std::path::Path;
use support::{Kvtui, VaultProcess};

/// The store's files as they are on disk: `vault.db` and, where they exist, its WAL and shm.
fn store_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    ["vault.db", "vault.db-wal", "vault.db-shm"]
        .into_iter()
        .filter_map(|file| Some((file.to_owned(), std::fs::read(dir.join(file)).ok()?)))
        .collect()
}

/// Where `value` (or its base64) is in the store's files.
fn traces_of(value: &str, dir: &Path) -> Vec<String> {
    let needles = support::value_needles(value);
    store_files(dir)
        .iter()
        .flat_map(|(file, bytes)| {
            needles
                .iter()
                .filter(|(_, needle)| bytes.windows(needle.len()).any(|w| w == needle.as_slice()))
                .map(move |(what, _)| format!("{what} in {file}"))
        })
        .collect()
}

/// Versions of `marker` of the sizes a value takes: inline in a page, and over many pages.
fn marked_values(marker: &str) -> Vec<String> {
    [10, 3_000, 25_000]
        .iter()
        .enumerate()
        .map(|(i, size)| format!("{marker}-v{i}-{}", "p".repeat(*size)))
        .collect()
}

/// Sets `name` to each of `values`, with other secrets written around them so that the pages
/// holding them are shared, split and rewritten.
async fn set_among_others(vault: &VaultProcess, name: &str, values: &[String]) {
    for (i, value) in values.iter().enumerate() {
        vault.set(&format!("before-{i}"), &"b".repeat(2_000)).await;
        vault.set(name, value).await;
        vault.set(&format!("after-{i}"), &"a".repeat(2_000)).await;
    }
}

/// Update Secret on `name`'s latest version, giving it `tags`: the status and the body.
async fn retag(vault: &VaultProcess, name: &str, tags: Value) -> (u16, Value) {
    let update = json!({ "tags": tags });
    vault
        .call("PATCH", &format!("/secrets/{name}"), Some(update))
        .await
}

#[tokio::test]
async fn a_purged_value_leaves_no_bytes_in_the_store_files() {
    let mut vault = VaultProcess::start();
    let marker = format!("PURGEMARKER{}", kvtui::random::hex(8));
    set_among_others(&vault, "doomed", &marked_values(&marker)).await;
    let (status, _) = retag(&vault, "doomed", json!({"rewritten": "yes"})).await;
    assert_eq!(status, 200);
    assert!(
        !traces_of(&marker, &vault.data_dir).is_empty(),
        "the test looks in the right place: the live value is in the files"
    );
    assert_eq!(vault.call("DELETE", "/secrets/doomed", None).await.0, 200);
    assert_eq!(
        vault.call("DELETE", "/deletedsecrets/doomed", None).await.0,
        204
    );
    vault.stop().await;
    let traces = traces_of(&marker, &vault.data_dir);
    assert!(
        traces.is_empty(),
        "after purge and a clean stop: {traces:?}"
    );
    println!(
        "files after the purge: {:?}",
        store_files(&vault.data_dir)
            .iter()
            .map(|(f, b)| (f, b.len()))
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_value_past_its_retention_leaves_no_bytes_in_the_store_files() {
    let mut vault = VaultProcess::start_with_args(&["--recoverable-days", "7"]);
    let marker = format!("RETAINMARKER{}", kvtui::random::hex(8));
    set_among_others(&vault, "retired", &marked_values(&marker)).await;
    assert_eq!(vault.call("DELETE", "/secrets/retired", None).await.0, 200);
    assert!(!traces_of(&marker, &vault.data_dir).is_empty());
    let (status, clock) = vault
        .call(
            "POST",
            "/_kvtui/clock",
            Some(json!({"advance_seconds": 8 * 86_400})),
        )
        .await;
    assert_eq!(status, 200, "{clock}");
    assert_eq!(clock["purged"], 1, "{clock}");
    vault.stop().await;
    let traces = traces_of(&marker, &vault.data_dir);
    assert!(
        traces.is_empty(),
        "after the end of retention and a clean stop: {traces:?}"
    );
}

/// `kvtui local-vault --check` on `dir`: its exit code and what it printed.
fn check(dir: &Path) -> (Option<i32>, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kvtui"))
        .args(["local-vault", "--check", "--data-dir"])
        .arg(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code(), text)
}

#[tokio::test]
async fn an_emptied_store_is_refused_at_start_until_the_loss_is_accepted() {
    let mut vault = VaultProcess::start();
    for i in 0..300 {
        vault.set(&format!("secret-{i}"), "v").await;
    }
    let dir = vault.take_dir().unwrap();
    vault.stop().await;
    std::fs::File::create(dir.path().join("vault.db")).unwrap();

    let refused = VaultProcess::try_start_in(dir.path(), &[])
        .err()
        .expect("refused");
    println!("{refused}");
    assert!(
        refused.contains("up to #0, but the vault acknowledged writes up to #300")
            && refused.contains("give up those writes for good")
            && refused.contains("--accept-lost-writes"),
        "{refused}"
    );
    let (code, report) = check(dir.path());
    assert_eq!(code, Some(1), "{report}");
    assert!(report.contains("LOST WRITES"), "{report}");

    // Accepted, once: the store is served as it now is, and later starts need no flag.
    let mut vault = VaultProcess::start_in(dir.path(), &["--accept-lost-writes"]);
    let (status, page) = vault.call("GET", "/secrets", None).await;
    assert_eq!((status, page["value"].as_array().unwrap().len()), (200, 0));
    vault.set("after-the-loss", "v").await;
    vault.stop().await;
    let vault = VaultProcess::start_in(dir.path(), &[]);
    assert_eq!(
        vault.call("GET", "/secrets/after-the-loss", None).await.0,
        200
    );
}

/// Flips one bit of the byte 3 bytes into `marker` in the file at `path`.
fn flip_inside(path: &Path, marker: &str) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker.as_bytes())
        .unwrap_or_else(|| panic!("{marker} is not in {}", path.display()));
    bytes[at + 3] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

#[tokio::test]
async fn a_flipped_byte_is_refused_as_store_corrupt_and_check_names_the_version() {
    let mut vault = VaultProcess::start();
    let value_marker = format!("FLIPVALUE{}", kvtui::random::hex(8));
    let tag_marker = format!("FLIPTAG{}", kvtui::random::hex(8));
    vault.set("intact", "fine").await;
    let flipped = vault
        .set("flipped", &format!("{value_marker}-the-value"))
        .await;
    let (status, tagged) = vault
        .call(
            "PUT",
            "/secrets/tagged",
            Some(json!({"value": "v", "tags": {"team": tag_marker}})),
        )
        .await;
    assert_eq!(status, 200);
    let tagged = support::version_of(&tagged);
    let dir = vault.take_dir().unwrap();
    vault.stop().await;
    let db = dir.path().join("vault.db");
    flip_inside(&db, &value_marker);
    flip_inside(&db, &tag_marker);
    let sqlite = rusqlite::Connection::open(&db).unwrap();
    let sqlite_says: String = sqlite
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(sqlite_says, "ok", "SQLite cannot see a changed value");
    drop(sqlite);

    let vault = VaultProcess::start_in(dir.path(), &[]);
    let (status, body) = vault.call("GET", "/secrets/flipped", None).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error"]["code"], "StoreCorrupt");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "secret flipped version {flipped}: its value does not match"
        )),
        "{message}"
    );
    assert!(
        !body.to_string().contains("the-value"),
        "no bytes of the value: {body}"
    );
    let (status, body) = vault.call("GET", "/secrets/tagged", None).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (500, &json!("StoreCorrupt"))
    );
    assert!(
        body.to_string().contains("its attributes do not match"),
        "{body}"
    );
    assert_eq!(vault.call("GET", "/secrets/intact", None).await.0, 200);

    // The CLI: one line, at once (not retried as a transient 500).
    let cli = Kvtui::with_config(&vault.profile_toml("default", false));
    let started = std::time::Instant::now();
    let output = cli.run(&[
        "--profile",
        "default",
        "secret",
        "show",
        "flipped",
        "--reveal",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: StoreCorrupt (HTTP 500): "),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let log = std::fs::read_to_string(cli.data_dir().join("kvtui.log")).unwrap_or_default();
    assert!(!log.contains("retrying"), "{log}");
    println!("the CLI's answer, in {:?}: {stderr}", started.elapsed());

    let (code, report) = check(dir.path());
    println!("{report}");
    assert_eq!(code, Some(1), "{report}");
    for expected in [
        "SQLite's integrity check: ok".to_owned(),
        format!("damaged: secret flipped version {flipped}: its value does not match"),
        format!("damaged: secret tagged version {tagged}: its attributes do not match"),
        "checked 3 secrets and 3 versions: 2 damaged".to_owned(),
    ] {
        assert!(report.contains(&expected), "{expected:?} in {report}");
    }
}

#[tokio::test]
async fn a_store_from_before_integrity_checks_is_brought_up_to_date_once() {
    let dir = tempfile::tempdir().unwrap();
    let old = rusqlite::Connection::open(dir.path().join("vault.db")).unwrap();
    old.pragma_update(None, "journal_mode", "WAL").unwrap();
    old.execute_batch(include_str!("../fixtures/store_v0.sql"))
        .unwrap();
    drop(old);
    // As the kvtui that made it left it: owner-only, in an owner-only dir.
    use std::os::unix::fs::PermissionsExt;
    for (path, mode) in [
        (dir.path().to_owned(), 0o700),
        (dir.path().join("vault.db"), 0o600),
    ] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    let mut vault = VaultProcess::start_in(dir.path(), &[]);
    let (status, latest) = vault.call("GET", "/secrets/legacy-db", None).await;
    assert_eq!(
        (status, &latest["value"]),
        (200, &json!("second value")),
        "{latest}"
    );
    assert_eq!(latest["tags"]["env"], "prod");
    let (_, first) = vault
        .call(
            "GET",
            "/secrets/legacy-db/0123456789abcdef0123456789abcdef",
            None,
        )
        .await;
    assert_eq!(first["value"], "first value");
    let (status, deleted) = vault.call("GET", "/deletedsecrets/gone", None).await;
    assert_eq!(
        (status, &deleted["scheduledPurgeDate"]),
        (200, &json!(4102444800i64))
    );
    vault.stop().await;
    let vault = VaultProcess::start_in(dir.path(), &[]);
    assert_eq!(vault.call("GET", "/secrets/legacy-db", None).await.0, 200);

    let log = std::fs::read_to_string(dir.path().join("local-vault.log")).unwrap();
    let migrated: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("computed the integrity checks"))
        .collect();
    assert_eq!(migrated.len(), 1, "once, and said so: {log}");
    assert!(
        migrated[0].contains("secrets=2 versions=3"),
        "{}",
        migrated[0]
    );
    let (code, report) = check(dir.path());
    assert_eq!(code, Some(0), "{report}");
}

/// A tmpfs mounted on a new directory for one test, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// `None`, saying why, where this process may not mount one (it is not root).
    fn mount(size: &str) -> Option<Self> {
        if !rustix::process::geteuid().is_root() {
            println!("SKIPPED: mounting a small tmpfs to fill needs root");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "mount a tmpfs as root: {status:?}");
        Some(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file until the tmpfs has no byte left.
    fn fill(&self) -> u64 {
        use std::io::Write;
        let mut filler = std::fs::File::create(self.path().join("filler")).unwrap();
        let mut written = 0;
        for chunk in [vec![0u8; 64 * 1024], vec![0u8; 512], vec![0u8; 1]] {
            while let Ok(n) = filler.write(&chunk) {
                if n == 0 {
                    break;
                }
                written += n as u64;
            }
        }
        written
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test]
async fn a_full_disk_is_answered_507_store_full_and_nothing_is_written() {
    let Some(disk) = Tmpfs::mount("2m") else {
        return;
    };
    let data = disk.path().join("data");
    let mut vault = VaultProcess::start_in(&data, &[]);
    vault.set("before", "kept").await;
    let filled = disk.fill();

    let cli = Kvtui::with_config(&vault.profile_toml("default", false));
    let value = "x".repeat(20_000);
    let args = [
        "--profile",
        "default",
        "secret",
        "set",
        "after",
        "--value-stdin",
    ];
    let output = cli.run_with_stdin(&args, value.as_bytes());
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("with the disk full ({filled} bytes of filler): {stderr}");
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: StoreFull (HTTP 507): The local vault's store is full")
            && stderr.contains("Nothing was written"),
        "{stderr}"
    );
    let log = std::fs::read_to_string(cli.data_dir().join("kvtui.log")).unwrap_or_default();
    assert!(
        !log.contains("retrying"),
        "a full disk is not retried: {log}"
    );
    let (status, body) = retag(&vault, "before", json!({"while": "full"})).await;
    assert_eq!((status, &body["error"]["code"]), (507, &json!("StoreFull")));

    // Nothing of either write is there, and once there is room the vault carries on.
    std::fs::remove_file(disk.path().join("filler")).unwrap();
    assert_eq!(vault.call("GET", "/secrets/after", None).await.0, 404);
    let (status, before) = vault.call("GET", "/secrets/before", None).await;
    assert_eq!(
        (status, &before["value"], &before["tags"]),
        (200, &json!("kept"), &Value::Null)
    );
    vault.set("after", &value).await;
    vault.stop().await;
    let (code, report) = check(&data);
    assert_eq!(code, Some(0), "{report}");
}
