//! The tasks that read or write the operator's files: a value file, a backup and its restore.

use crate::app::msg::TaskError;
use crate::file_trust::{self, Limit};
use crate::vault::{BackupBlob, SecretBundle, SecretValue, VaultClient};
use std::path::PathBuf;

/// A value file: UTF-8 text of at most the service's 25 KiB, bytes kept exactly.
pub(super) async fn read_value_file(path: PathBuf) -> Result<SecretValue, TaskError> {
    let text =
        tokio::task::spawn_blocking(move || file_trust::read_input_text(&path, Limit::VALUE))
            .await??;
    Ok(SecretValue::new(text.as_str()))
}

/// The backup blob goes to a new private file: a backup never overwrites one.
pub(super) async fn backup(
    client: &VaultClient,
    name: &str,
    path: PathBuf,
) -> Result<PathBuf, TaskError> {
    let blob = client.backup_secret(name).await?;
    crate::fsutil::write_new_private_file(&path, blob.value.as_bytes())
        .map_err(|source| TaskError::Write {
            path: path.clone(),
            source,
        })
        .map(|()| path)
}

pub(super) async fn restore(
    client: &VaultClient,
    path: PathBuf,
) -> Result<SecretBundle, TaskError> {
    let text =
        tokio::task::spawn_blocking(move || file_trust::read_input_text(&path, Limit::BACKUP_BLOB))
            .await??;
    let blob = BackupBlob {
        value: text.trim().to_owned(),
    };
    Ok(client.restore_secret(&blob).await?)
}
