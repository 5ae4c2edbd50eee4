//! The credential of a kvtui local vault: the token file in its data dir.

use super::{ChallengedCredential, TokenAsk};
use azure_core::credentials::{AccessToken, Secret};
use std::path::PathBuf;
use time::{Duration, OffsetDateTime};

/// A local vault's token, read from its data dir whenever one is needed, through the checks the
/// vault itself makes (see [`crate::local_vault::token`]).
#[derive(Debug)]
pub struct LocalVaultCredential {
    token_file: PathBuf,
}

impl LocalVaultCredential {
    pub fn new(token_file: PathBuf) -> Self {
        Self { token_file }
    }
}

crate::challenged_credentials!(LocalVaultCredential);

#[async_trait::async_trait]
impl ChallengedCredential for LocalVaultCredential {
    async fn token(&self, _: TokenAsk<'_>) -> azure_core::Result<AccessToken> {
        let failed = |message: String| {
            azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, message)
        };
        let token_file = self.token_file.clone();
        let token =
            tokio::task::spawn_blocking(move || crate::local_vault::token::read(&token_file))
                .await
                .map_err(|error| failed(error.to_string()))?
                .map_err(|error| failed(format!("the local vault token: {error}")))?;
        Ok(AccessToken::new(
            Secret::new(token.as_str().to_owned()),
            OffsetDateTime::now_utc() + Duration::hours(24),
        ))
    }
}
