//! What can go wrong talking to a vault, typed so callers can react (a 409 on a deleted name
//! offers recover or purge; a 404 says the secret is gone) and worded for the user. No variant
//! ever carries a secret value or a token.

use super::models::KeyVaultError;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// The service answered with an error status and (usually) its error body.
    #[error("{code} (HTTP {status}): {message}")]
    Service {
        status: u16,
        code: String,
        message: String,
        inner_code: Option<String>,
    },
    /// No token could be had, or the vault refused it, or its challenge could not be trusted.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The request never got an answer: DNS, connect, TLS, timeout, dropped connection.
    #[error("cannot reach the vault: {0}")]
    Transport(String),
    /// An answer that does not fit the Key Vault contract.
    #[error("unexpected answer from the vault: {0}")]
    Decode(String),
}

impl VaultError {
    pub(crate) fn from_response(status: u16, body: &[u8]) -> Self {
        let detail = serde_json::from_slice::<KeyVaultError>(body)
            .ok()
            .and_then(|parsed| parsed.error);
        match detail {
            Some(detail) => Self::Service {
                status,
                code: detail.code.unwrap_or_else(|| status_code_name(status)),
                message: detail.message.unwrap_or_default(),
                inner_code: detail.innererror.and_then(|inner| inner.code),
            },
            None => Self::Service {
                status,
                code: status_code_name(status),
                message: "the vault sent no error details".to_owned(),
                inner_code: None,
            },
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Service { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Setting or restoring a name that is soft-deleted: recover or purge it first.
    pub fn is_deleted_but_recoverable(&self) -> bool {
        matches!(self, Self::Service { inner_code: Some(code), .. } if code == "ObjectIsDeletedButRecoverable")
    }
}

fn status_code_name(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .map(|reason| reason.replace(' ', ""))
        .unwrap_or_else(|| format!("Http{status}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_keep_code_message_and_inner_code() {
        let body = br#"{"error":{"code":"Conflict","message":"Secret x is deleted","innererror":{"code":"ObjectIsDeletedButRecoverable"}}}"#;
        let error = VaultError::from_response(409, body);
        assert!(error.is_deleted_but_recoverable());
        assert_eq!(
            error.to_string(),
            "Conflict (HTTP 409): Secret x is deleted"
        );
    }

    #[test]
    fn bodies_that_are_not_errors_still_give_a_code() {
        let error = VaultError::from_response(502, b"<html>bad gateway</html>");
        assert_eq!(error.code(), Some("BadGateway"));
        assert!(!error.to_string().contains("html"));
    }
}
