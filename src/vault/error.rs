//! What can go wrong talking to a vault, typed so callers can react (a 409 on a deleted name
//! offers recover or purge; a 404 says the secret is gone) and worded for the user. No variant
//! ever carries a secret value or a token.

use super::models::KeyVaultError;
use super::rules::cut;

/// The most characters kept of the vault's error code and inner code: the service's are words
/// such as `ObjectIsDeletedButRecoverable`.
const CODE_CHARS: usize = 128;
/// The most characters kept of the vault's error message. The service's longest are its 403s
/// (671 characters in the recorded ones), which name the caller, action and vault; a vault that
/// quotes back a 100 KiB version is cut, here where its answer enters kvtui, so no message on
/// the screen, on stderr or in `--json` carries all of it.
const MESSAGE_CHARS: usize = 2_000;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// The service answered with an error status and (usually) its error body. A refusal the
    /// service explains (a 403) is shown as what it means; other messages on one line.
    #[error("{}", describe_service(*status, code, message, inner_code.as_deref()))]
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
    /// The vault's TLS certificate is not one kvtui can trust; trying again cannot change that.
    #[error("the vault's TLS certificate is refused: {0}")]
    Certificate(String),
    /// An answer that does not fit the Key Vault contract.
    #[error("unexpected answer from the vault: {0}")]
    Decode(String),
    /// A request the client does not send, because the vault would refuse it.
    #[error("not sent: {0}")]
    TooLarge(String),
}

impl VaultError {
    pub(crate) fn from_response(status: u16, body: &[u8]) -> Self {
        let detail = serde_json::from_slice::<KeyVaultError>(body)
            .ok()
            .and_then(|parsed| parsed.error);
        match detail {
            Some(detail) => Self::Service {
                status,
                code: detail.code.map_or_else(
                    || status_code_name(status),
                    |code| cut(&code, CODE_CHARS).into_owned(),
                ),
                message: detail
                    .message
                    .map(|message| cut(&message, MESSAGE_CHARS).into_owned())
                    .unwrap_or_default(),
                inner_code: detail
                    .innererror
                    .and_then(|inner| inner.code)
                    .map(|code| cut(&code, CODE_CHARS).into_owned()),
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

    /// A request that got no answer. A certificate that cannot be trusted is final
    /// (`Certificate`: the retry loop retries only `Transport`); anything else may pass.
    pub(crate) fn from_transport(error: reqwest::Error, trust: &super::TrustRoots) -> Self {
        let host = error
            .url()
            .and_then(|url| url.host_str())
            .unwrap_or("the vault");
        if let Some(problem) = super::trust::certificate_refusal(&error, trust, host) {
            return Self::Certificate(problem);
        }
        // reqwest quotes the whole URL, whose path and query can be the vault's (a next link).
        let url = error.url().map(|url| cut(url.as_str(), 200).into_owned());
        let text = describe(&error.without_url());
        Self::Transport(match url {
            Some(url) => format!("{url}: {text}"),
            None => text,
        })
    }

    /// Setting or restoring a name that is soft-deleted: recover or purge it first.
    pub fn is_deleted_but_recoverable(&self) -> bool {
        matches!(self, Self::Service { inner_code: Some(code), .. } if code == "ObjectIsDeletedButRecoverable")
    }
}

/// The whole `source()` chain of an error, which is where reqwest keeps the useful part
/// ("connection refused", "certificate not trusted").
pub(crate) fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    in_words(text)
}

/// What hyper's wording of a dropped HTTP/2 request means, put first: "stream error received"
/// does not tell an operator that the vault (or a proxy) cut the connection.
fn in_words(text: String) -> String {
    if text.contains("stream error received") {
        format!("the vault or a proxy reset the connection's HTTP/2 stream ({text})")
    } else {
        text
    }
}

fn describe_service(status: u16, code: &str, message: &str, inner_code: Option<&str>) -> String {
    match forbidden_explanation(status, message, inner_code) {
        Some(explanation) => format!(
            "{code} (HTTP {status}): {explanation} ({})",
            inner_code.unwrap_or_default()
        ),
        None => format!("{code} (HTTP {status}): {}", one_line(message)),
    }
}

/// The service writes some messages over several CR LF lines; an error is shown on one.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The value of a `Name: value` line of a service message, without its quotes.
fn message_field<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|line| {
        let value = line.trim().strip_prefix(name)?.strip_prefix(':')?.trim();
        Some(value.trim_matches('\''))
    })
}

/// `oid=…` of a caller the service names as `appid=…;oid=…;iss=…`.
fn object_id(caller: &str) -> Option<&str> {
    caller
        .split(';')
        .find_map(|part| part.trim().strip_prefix("oid="))
}

/// The vault's name from `Vault: NAME;location=…`, or from `key vault 'NAME;location=…'`.
fn vault_name(message: &str) -> Option<&str> {
    message_field(message, "Vault")
        .or_else(|| message.split("key vault '").nth(1))
        .and_then(|vault| vault.split([';', '\'']).next())
        .filter(|name| !name.is_empty())
}

/// The built-in role that grants an RBAC data action on secrets.
fn role_for(action: &str) -> &'static str {
    let action = action.to_ascii_lowercase();
    if action.ends_with("/secrets/getsecret/action") {
        "Key Vault Secrets User (reads values)"
    } else if action.ends_with("/secrets/readmetadata/action") {
        "Key Vault Reader (names and attributes) or Key Vault Secrets User"
    } else {
        "Key Vault Secrets Officer (writes, deletes, recovers and purges secrets)"
    }
}

/// What a 403 means, in words: which role, access-policy permission or network rule is missing.
/// The service names the reason in the inner code and the details in the message's lines.
fn forbidden_explanation(status: u16, message: &str, inner_code: Option<&str>) -> Option<String> {
    if status != 403 {
        return None;
    }
    let on_vault = vault_name(message)
        .map(|vault| format!(" on vault {vault}"))
        .unwrap_or_default();
    let caller = message_field(message, "Caller")
        .or_else(|| message.split("application '").nth(1)?.split('\'').next())
        .and_then(object_id)
        .map(|oid| format!(" (object id {oid})"))
        .unwrap_or_default();
    match inner_code? {
        "ForbiddenByRbac" => {
            let action = message_field(message, "Action").unwrap_or("this operation");
            Some(format!(
                "Azure RBAC does not let you{caller} do {action}{on_vault}: it needs a role \
                 assignment of {} on the vault (or its resource group or subscription); \
                 new assignments can take a few minutes to apply",
                role_for(action)
            ))
        }
        "AccessDenied" => {
            let permission = message
                .split("does not have secrets ")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .unwrap_or("the needed");
            Some(format!(
                "the vault's access policy does not give you{caller} the secrets {permission} \
                 permission{on_vault}: an owner must add it to your access policy (portal: \
                 Access policies; or az keyvault set-policy --secret-permissions {permission})"
            ))
        }
        "ForbiddenByFirewall" => {
            let address = message_field(message, "Client address")
                .map(|address| format!(" ({address})"))
                .unwrap_or_default();
            Some(format!(
                "the vault's firewall does not admit your address{address}{on_vault}: add it to \
                 the vault's network rules (az keyvault network-rule add --ip-address), or reach \
                 the vault through its private endpoint"
            ))
        }
        "ForbiddenByConnection" => Some(format!(
            "public network access is disabled{on_vault}: it is reachable only through a \
             private endpoint, from a network linked to it (a VPN or a jump box inside it)"
        )),
        "SecretDisabled" => Some(
            "this version is disabled, so its value cannot be read; enable it first \
             (x in the TUI, or secret update --enable)"
                .to_owned(),
        ),
        _ => None,
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

    /// The service's own 403 bodies, as recorded (tests/fixtures/recorded/forbidden_bodies.json).
    fn recorded_forbidden(kind: &str) -> Vec<u8> {
        let fixtures: serde_json::Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/recorded/forbidden_bodies.json"
        ))
        .expect("fixture");
        let body = fixtures["bodies"]
            .as_array()
            .and_then(|bodies| bodies.iter().find(|entry| entry["kind"] == kind))
            .map(|entry| entry["body"].to_string())
            .expect(kind);
        body.into_bytes()
    }

    #[test]
    fn a_403_says_what_is_missing() {
        let rbac = VaultError::from_response(403, &recorded_forbidden("rbac_forbidden_by_rbac"));
        let text = rbac.to_string();
        assert!(
            text.starts_with("Forbidden (HTTP 403): Azure RBAC"),
            "{text}"
        );
        assert!(text.ends_with("(ForbiddenByRbac)"), "{text}");
        for named in [
            "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            "Key Vault Secrets User",
            "on vault someakv",
        ] {
            assert!(text.contains(named), "{named} missing: {text}");
        }
        assert!(!text.contains(['\r', '\n']), "one line: {text:?}");

        let policy =
            VaultError::from_response(403, &recorded_forbidden("access_policy_denied_list"));
        let text = policy.to_string();
        assert!(text.contains("access policy"), "{text}");
        assert!(
            text.contains("secrets list permission on vault labsvnetappses"),
            "{text}"
        );
        assert!(
            text.contains("object id 4a09a335-0716-406d-a12f-9cafadae0325"),
            "{text}"
        );

        let firewall =
            VaultError::from_response(403, &recorded_forbidden("firewall_forbidden_by_firewall"));
        let text = firewall.to_string();
        assert!(text.contains("firewall"), "{text}");
        assert!(text.contains("(20.126.176.160)"), "{text}");
        assert!(text.contains("private endpoint"), "{text}");

        let private = VaultError::from_response(
            403,
            &recorded_forbidden("public_network_disabled_forbidden_by_connection"),
        );
        assert!(
            private.to_string().contains("private endpoint"),
            "{private}"
        );
    }

    #[test]
    fn write_actions_need_the_officer_role() {
        assert!(role_for("Microsoft.KeyVault/vaults/secrets/setSecret/action").contains("Officer"));
        assert!(role_for("Microsoft.KeyVault/vaults/deletedSecrets/delete").contains("Officer"));
        assert!(
            role_for("Microsoft.KeyVault/vaults/secrets/readMetadata/action").contains("Reader")
        );
    }

    #[test]
    fn a_reset_http2_stream_is_called_a_reset_connection() {
        let hyper = "error sending request for url (https://127.0.0.1:1/deletedsecrets): client \
                     error (SendRequest): http2 error: stream error received: unexpected internal \
                     error encountered";
        let said = in_words(hyper.to_owned());
        assert!(
            said.starts_with("the vault or a proxy reset the connection"),
            "{said}"
        );
        assert!(said.contains(hyper), "the details stay: {said}");
        assert_eq!(in_words("dns error".into()), "dns error");
    }

    #[test]
    fn bodies_that_are_not_errors_still_give_a_code() {
        let error = VaultError::from_response(502, b"<html>bad gateway</html>");
        assert_eq!(error.code(), Some("BadGateway"));
        assert!(!error.to_string().contains("html"));
    }
}
