//! Backup blobs: like the service's, opaque and encrypted, so a backup file on disk does not
//! give away the secret's values. Only the vault that holds the key (its data dir) can restore.

use super::store::{SecretExport, SecretVersion, VersionMeta, VersionSettings};
use crate::vault::{MAX_BACKUP_BLOB_BYTES, SecretValue};
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

const MAGIC: &[u8] = b"KVTUI-LOCAL-BACKUP-1";
pub const KEY_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("the backup blob is not base64url")]
    Encoding,
    #[error("the backup blob was not made by this vault or is damaged")]
    Unreadable,
    #[error(
        "A backup of secret {name} ({versions} versions) would be {bytes} bytes, over the \
         {MAX_BACKUP_BLOB_BYTES} bytes (64 MiB) a restore accepts, so none was made: it could \
         never be restored."
    )]
    TooLarge {
        name: String,
        versions: usize,
        bytes: usize,
    },
}

/// The length of the base64url (unpadded) blob of a `document_len`-byte document.
fn blob_len(document_len: usize) -> usize {
    let raw = MAGIC.len() + NONCE_LEN + document_len + AES_256_GCM.tag_len();
    (raw * 4).div_ceil(3)
}

#[derive(Serialize, Deserialize)]
struct Version {
    version: String,
    value: SecretValue,
    #[serde(flatten)]
    settings: VersionSettings,
    created: i64,
    updated: i64,
}

#[derive(Serialize, Deserialize)]
struct Document {
    name: String,
    versions: Vec<Version>,
}

fn cipher(key: &[u8; KEY_LEN]) -> LessSafeKey {
    // A 32-byte key is always a valid AES-256 key, so this cannot fail.
    #[allow(clippy::expect_used)]
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).expect("32-byte AES-256 key"))
}

/// The plaintext of `export`'s blob.
fn plaintext(export: &SecretExport) -> Vec<u8> {
    let document = Document {
        name: export.name.clone(),
        versions: export
            .versions
            .iter()
            .map(|v| Version {
                version: v.meta.version.clone(),
                value: v.value.clone(),
                settings: v.meta.settings.clone(),
                created: v.meta.created,
                updated: v.meta.updated,
            })
            .collect(),
    };
    #[allow(clippy::expect_used)]
    serde_json::to_vec(&document).expect("a backup document serializes")
}

/// Seals `export` into a blob, unless the blob would be larger than a restore accepts.
pub fn seal(export: &SecretExport, key: &[u8; KEY_LEN]) -> Result<String, BackupError> {
    // Sealed in place, so the plaintext buffer becomes the ciphertext and no copy lingers.
    let mut sealed = plaintext(export);
    let bytes = blob_len(sealed.len());
    if bytes > MAX_BACKUP_BLOB_BYTES {
        sealed.zeroize();
        return Err(BackupError::TooLarge {
            name: export.name.clone(),
            versions: export.versions.len(),
            bytes,
        });
    }
    let mut nonce = [0u8; NONCE_LEN];
    crate::random::fill(&mut nonce);
    #[allow(clippy::expect_used)]
    cipher(key)
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(MAGIC),
            &mut sealed,
        )
        .expect("AES-GCM sealing of an in-memory buffer");
    let mut blob = Vec::with_capacity(MAGIC.len() + NONCE_LEN + sealed.len());
    blob.extend_from_slice(MAGIC);
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(&sealed);
    Ok(URL_SAFE_NO_PAD.encode(blob))
}

pub fn open(blob: &str, key: &[u8; KEY_LEN]) -> Result<SecretExport, BackupError> {
    let raw = URL_SAFE_NO_PAD
        .decode(blob.trim_end_matches('='))
        .map_err(|_| BackupError::Encoding)?;
    let rest = raw.strip_prefix(MAGIC).ok_or(BackupError::Unreadable)?;
    if rest.len() < NONCE_LEN {
        return Err(BackupError::Unreadable);
    }
    let (nonce, sealed) = rest.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| BackupError::Unreadable)?;
    let mut buffer = Zeroizing::new(sealed.to_vec());
    let plaintext = cipher(key)
        .open_in_place(nonce, Aad::from(MAGIC), &mut buffer)
        .map_err(|_| BackupError::Unreadable)?;
    let document: Document =
        serde_json::from_slice(plaintext).map_err(|_| BackupError::Unreadable)?;
    crate::vault::rules::check_name(&document.name).map_err(|_| BackupError::Unreadable)?;
    Ok(SecretExport {
        name: document.name.clone(),
        versions: document
            .versions
            .into_iter()
            .map(|v| SecretVersion {
                meta: VersionMeta {
                    name: document.name.clone(),
                    seq: 0,
                    version: v.version,
                    settings: v.settings,
                    created: v.created,
                    updated: v.updated,
                },
                value: v.value,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export() -> SecretExport {
        SecretExport {
            name: "db".into(),
            versions: vec![SecretVersion {
                meta: VersionMeta {
                    name: "db".into(),
                    seq: 0,
                    version: "abc".into(),
                    settings: VersionSettings {
                        content_type: Some("text/plain".into()),
                        tags: Some([("env".to_owned(), "prod".to_owned())].into()),
                        enabled: true,
                        nbf: None,
                        exp: Some(5),
                    },
                    created: 1,
                    updated: 2,
                },
                value: SecretValue::new("backup-marker-value"),
            }],
        }
    }

    #[test]
    fn round_trips_and_hides_the_value() {
        let key = [7u8; KEY_LEN];
        let blob = seal(&export(), &key).expect("sealed");
        let raw = URL_SAFE_NO_PAD.decode(&blob).expect("base64url");
        assert!(!String::from_utf8_lossy(&raw).contains("backup-marker-value"));
        assert_eq!(open(&blob, &key).expect("open"), export());
    }

    #[test]
    fn a_backup_is_made_up_to_the_size_a_restore_accepts_and_no_larger() {
        let key = [7u8; KEY_LEN];
        let with_value = |len: usize| {
            let mut export = export();
            export.versions[0].value = SecretValue::new("x".repeat(len));
            export
        };
        // A blob of n raw bytes is 4n/3 in base64: the most raw bytes that fit the limit.
        let raw_limit = MAX_BACKUP_BLOB_BYTES / 4 * 3;
        let sealing = MAGIC.len() + NONCE_LEN + AES_256_GCM.tag_len();
        let longest = raw_limit - sealing - plaintext(&with_value(0)).len();
        let at_the_limit = seal(&with_value(longest), &key).expect("fits");
        assert_eq!(at_the_limit.len(), MAX_BACKUP_BLOB_BYTES);
        assert_eq!(
            open(&at_the_limit, &key).expect("open"),
            with_value(longest)
        );
        match seal(&with_value(longest + 1), &key) {
            Err(BackupError::TooLarge {
                bytes, versions, ..
            }) => {
                assert!(bytes > MAX_BACKUP_BLOB_BYTES);
                assert_eq!(versions, 1);
            }
            other => panic!("{:?}", other.map(|blob| blob.len())),
        }
    }

    #[test]
    fn another_vaults_key_or_damage_is_refused() {
        let blob = seal(&export(), &[7u8; KEY_LEN]).expect("sealed");
        assert!(matches!(
            open(&blob, &[8u8; KEY_LEN]),
            Err(BackupError::Unreadable)
        ));
        let mut damaged = blob.clone();
        damaged.replace_range(40..41, if &blob[40..41] == "A" { "B" } else { "A" });
        assert!(open(&damaged, &[7u8; KEY_LEN]).is_err());
        assert!(matches!(
            open("!!!", &[7u8; KEY_LEN]),
            Err(BackupError::Encoding)
        ));
    }
}
