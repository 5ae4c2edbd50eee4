//! The credential of a kvtui local vault: the token file in its data dir.

use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use std::path::PathBuf;
use time::{Duration, OffsetDateTime};

/// A local vault's token, read from its data dir (mode 0600) whenever one is needed.
#[derive(Debug)]
pub struct LocalVaultCredential {
    token_file: PathBuf,
}

impl LocalVaultCredential {
    pub fn new(token_file: PathBuf) -> Self {
        Self { token_file }
    }
}

#[async_trait::async_trait]
impl TokenCredential for LocalVaultCredential {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let token =
            zeroize::Zeroizing::new(tokio::fs::read_to_string(&self.token_file).await.map_err(
                |error| {
                    azure_core::Error::with_message(
                        azure_core::error::ErrorKind::Credential,
                        format!(
                            "cannot read the local vault token {}: {error}",
                            self.token_file.display()
                        ),
                    )
                },
            )?);
        Ok(AccessToken::new(
            Secret::new(token.trim().to_owned()),
            OffsetDateTime::now_utc() + Duration::hours(24),
        ))
    }
}
