//! One limit for backups, shared by the vault's backup and restore and by the client: a secret
//! whose blob reaches the limit is backed up and restored; one version more and the backup is
//! refused with a clear error (no file is written), never made only for its restore to fail. And
//! the client sends no blob over the limit. The real binary, through the CLI.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use kvtui::vault::MAX_BACKUP_BLOB_BYTES;
use kvtui::vault::rules::MAX_VALUE_BYTES;
use std::sync::Arc;
use support::{Kvtui, VaultProcess};

/// Sets `count` more versions of `name`, each a value of the largest size, 8 at a time.
async fn add_versions(vault: &Arc<VaultProcess>, name: &str, count: usize) {
    let tasks: Vec<_> = (0..8)
        .map(|worker| {
            let vault = Arc::clone(vault);
            let name = name.to_owned();
            tokio::spawn(async move {
                for i in (worker..count).step_by(8) {
                    let value = format!("{i:08}{}", "v".repeat(MAX_VALUE_BYTES - 8));
                    vault.set(&name, &value).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

/// The size of `name`'s backup blob, made through the API.
async fn blob_size(vault: &VaultProcess, name: &str) -> usize {
    let (status, blob) = vault
        .call("POST", &format!("/secrets/{name}/backup"), None)
        .await;
    assert_eq!(status, 200, "{blob}");
    blob["value"].as_str().unwrap().len()
}

/// How many versions of the largest value fit in a blob at the limit, from the blobs of a small
/// secret whose name is as long: a base64url blob of `b` characters holds `3b/4` bytes (rounded
/// down), and each version adds as many bytes as the one before.
async fn versions_that_fit(vault: &Arc<VaultProcess>) -> usize {
    let held = |blob: usize| blob * 3 / 4;
    add_versions(vault, "bog", 1).await;
    let one = held(blob_size(vault, "bog").await);
    add_versions(vault, "bog", 3).await;
    let per_version = (held(blob_size(vault, "bog").await) - one) / 3;
    1 + (held(MAX_BACKUP_BLOB_BYTES) - one) / per_version
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_at_the_limit_restores_and_one_version_more_is_refused() {
    let vault = Arc::new(VaultProcess::start());
    let cli = Kvtui::with_config(&vault.profile_toml("default", false));
    let run = |args: &[&str]| cli.run(&[&["--profile", "default"], args].concat());

    let versions = versions_that_fit(&vault).await;
    add_versions(&vault, "big", versions).await;

    let dir = tempfile::tempdir().unwrap();
    let at_the_limit = dir.path().join("at-the-limit.blob");
    let output = run(&[
        "secret",
        "backup",
        "big",
        "--out",
        at_the_limit.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let size = std::fs::metadata(&at_the_limit).unwrap().len() as usize;
    println!(
        "{versions} versions of {MAX_VALUE_BYTES} bytes: a blob of {size} bytes, {} under the \
         limit of {MAX_BACKUP_BLOB_BYTES}",
        MAX_BACKUP_BLOB_BYTES - size
    );
    assert!(size <= MAX_BACKUP_BLOB_BYTES);

    // One version more, and it would not fit: refused, with the reason, and no file.
    add_versions(&vault, "big", 1).await;
    let over = dir.path().join("over.blob");
    let output = run(&["secret", "backup", "big", "--out", over.to_str().unwrap()]);
    let refused = stderr(&output);
    println!("{refused}");
    assert_eq!(output.status.code(), Some(1), "{refused}");
    assert_eq!(refused.lines().count(), 1, "{refused}");
    assert!(
        refused.starts_with("error: BackupTooLarge (HTTP 400): A backup of secret big")
            && refused.contains(&format!("({} versions)", versions + 1))
            && refused.contains(&format!(
                "over the {MAX_BACKUP_BLOB_BYTES} bytes (64 MiB) a restore accepts"
            )),
        "{refused}"
    );
    assert!(!over.exists(), "no backup file for a refused backup");

    // The backup at the limit restores, every version of it.
    assert_eq!(run(&["secret", "delete", "big"]).status.code(), Some(0));
    assert_eq!(run(&["secret", "purge", "big"]).status.code(), Some(0));
    let output = run(&["secret", "restore", "--in", at_the_limit.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let listed = run(&["secret", "versions", "big", "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), versions);

    // A blob over the limit is not even read whole, let alone sent: the same limit.
    let too_big = dir.path().join("too-big.blob");
    std::fs::write(&too_big, "A".repeat(MAX_BACKUP_BLOB_BYTES + 1)).unwrap();
    let output = run(&["secret", "restore", "--in", too_big.to_str().unwrap()]);
    let refused = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{refused}");
    assert!(
        refused.contains(&format!(
            "a backup blob is at most {MAX_BACKUP_BLOB_BYTES} bytes"
        )),
        "{refused}"
    );
}
