//! Who a token says it is: the account or application, the tenant, and when it expires, read
//! from an Entra access token's claims to show the operator. Only shown, never trusted: the
//! signature is not checked (the service checks it), and the token itself is never kept.

use base64::Engine;
use serde::Deserialize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The account (`alice@contoso.com`) or the application (its name, else its id).
    pub who: String,
    pub tenant: Option<String>,
    /// Unix seconds.
    pub expires: Option<i64>,
}

#[derive(Deserialize)]
struct Claims {
    upn: Option<String>,
    preferred_username: Option<String>,
    unique_name: Option<String>,
    email: Option<String>,
    app_displayname: Option<String>,
    appid: Option<String>,
    azp: Option<String>,
    oid: Option<String>,
    tid: Option<String>,
    exp: Option<i64>,
    /// `app` for an application's own token (a service principal, a managed identity).
    idtyp: Option<String>,
}

/// The most of a token read: an Entra access token is a few kilobytes.
const MAX_TOKEN_BYTES: usize = 16 * 1024;

impl Identity {
    /// `None` for a token that is not a JWT with a readable payload (a local vault's token).
    pub fn of_token(token: &str) -> Option<Self> {
        if token.len() > MAX_TOKEN_BYTES {
            return None;
        }
        let mut parts = token.split('.');
        let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()?;
        let claims: Claims = serde_json::from_slice(&bytes).ok()?;
        let user = [
            &claims.upn,
            &claims.preferred_username,
            &claims.unique_name,
            &claims.email,
        ]
        .into_iter()
        .flatten()
        .next()
        .filter(|_| claims.idtyp.as_deref() != Some("app"))
        .cloned();
        let application = || {
            let name = claims.app_displayname.clone();
            let id = claims.appid.clone().or(claims.azp.clone());
            match (name, id) {
                (Some(name), Some(id)) => Some(format!("application {name} ({id})")),
                (Some(name), None) => Some(format!("application {name}")),
                (None, Some(id)) => Some(format!("application {id}")),
                (None, None) => claims.oid.clone().map(|oid| format!("object {oid}")),
            }
        };
        Some(Self {
            who: user.or_else(application)?,
            tenant: claims.tid,
            expires: claims.exp,
        })
    }

    /// `alice@contoso.com in 72f988bf…, until 14:05 UTC`.
    pub fn describe(&self) -> String {
        let mut text = self.who.clone();
        if let Some(tenant) = &self.tenant {
            text.push_str(&format!(" in tenant {tenant}"));
        }
        if let Some(expires) = self.expires {
            text.push_str(&format!(
                ", token until {}",
                crate::when::format_utc(expires)
            ));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: &str) -> String {
        let encode = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
        format!(
            "{}.{}.signature",
            encode(r#"{"alg":"RS256","typ":"JWT"}"#),
            encode(claims)
        )
    }

    #[test]
    fn a_users_token_names_the_account_tenant_and_expiry() {
        let identity = Identity::of_token(&token(
            r#"{"aud":"https://vault.azure.net","upn":"alice@contoso.com","tid":"72f988bf-86f1-41af-91ab-2d7cd011db47","exp":1893456000,"appid":"04b07795-8ddb-461a-bbee-02f9e1bf7b46"}"#,
        ))
        .expect("a JWT");
        assert_eq!(identity.who, "alice@contoso.com");
        assert_eq!(
            identity.tenant.as_deref(),
            Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
        );
        assert_eq!(identity.expires, Some(1_893_456_000));
    }

    #[test]
    fn an_applications_token_names_the_application() {
        let identity = Identity::of_token(&token(
            r#"{"idtyp":"app","app_displayname":"ci-deployer","appid":"11111111-1111-1111-1111-111111111111","oid":"o","tid":"t"}"#,
        ))
        .expect("a JWT");
        assert_eq!(
            identity.who,
            "application ci-deployer (11111111-1111-1111-1111-111111111111)"
        );
        let managed = Identity::of_token(&token(r#"{"oid":"abc","tid":"t"}"#)).expect("a JWT");
        assert_eq!(managed.who, "object abc");
    }

    #[test]
    fn what_is_not_a_jwt_names_no_one() {
        for text in [
            "local-vault-token",
            "a.b",
            "a.!!!.c",
            &token("[1]"),
            &token("{}"),
        ] {
            assert_eq!(Identity::of_token(text), None, "{text}");
        }
        assert_eq!(Identity::of_token(&"a.".repeat(20_000)), None);
    }
}
