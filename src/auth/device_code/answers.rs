//! Reading Entra's answers to a device-code sign-in without quoting a token: the reply, an OAuth
//! error and what it tells the user to do, and the fields' deserializers.

use azure_core::error::ErrorKind;
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use zeroize::{Zeroize, Zeroizing};

/// AADSTS codes with which a tenant's Conditional Access stops a device-code sign-in. The device
/// that signs in (the browser) is not the one that gets the token, so policies on the device
/// cannot be met through this flow at all.
const REFUSES_DEVICE_CODE: &[u64] = &[
    50005,  // DevicePlatformNotSupported: the flow carries no device platform
    50097,  // DeviceAuthenticationRequired
    53000,  // DeviceNotCompliant
    53001,  // DeviceNotDomainJoined
    53003,  // BlockedByConditionalAccess: what a policy on the "device code flow" gives
    530032, // BlockedByConditionalAccessOnSecurityPolicy
];

pub(super) const EXPIRED: &str = "the sign-in code expired before the sign-in was completed: run \
                                  the command again (in the TUI, open the profile again) and sign \
                                  in while the code is shown";

/// What ended a sign-in, and what to do, for the one error line.
pub(super) fn ending(error: &OAuthError, tenant: &str, client_id: &str) -> String {
    let said = error.said();
    if error.refuses_device_code() {
        return format!(
            "tenant {tenant} refuses device-code sign-in ({said}): use another auth kind \
             (azure-cli where `az login` can open a browser, client-secret, managed-identity), \
             or ask the tenant's admins to allow the device code flow"
        );
    }
    match error.error.as_str() {
        "expired_token" | "code_expired" => EXPIRED.to_owned(),
        "authorization_declined" | "access_denied" => format!(
            "the sign-in was declined ({said}): run the command again and approve the sign-in, \
             with an account that may use the vault"
        ),
        _ => format!(
            "Entra refused the device-code sign-in in tenant {tenant} for client {client_id} \
             ({said}): check the profile's tenant_id and client_id (a public client that allows \
             the device code flow)"
        ),
    }
}

/// An HTTP answer, its body zeroed when dropped: it may hold a token.
pub(super) struct Reply {
    pub(super) status: u16,
    body: Zeroizing<Vec<u8>>,
}

impl Reply {
    pub(super) async fn read(response: reqwest::Response) -> Result<Self, reqwest::Error> {
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        let body = Zeroizing::new(bytes.to_vec());
        if let Ok(mut owned) = bytes.try_into_mut() {
            owned.as_mut().zeroize();
        }
        Ok(Self { status, body })
    }

    pub(super) fn parse<T: DeserializeOwned>(&self) -> azure_core::Result<Answer<T>> {
        parse_answer(self.status, &self.body)
    }
}

/// What the authority gave, or its OAuth error.
#[derive(Debug)]
pub(super) enum Answer<T> {
    Given(T),
    Refused(OAuthError),
}

/// A 2xx answer as `T`, any other as an OAuth error (RFC 6749 §5.2). Neither the body nor a
/// value from it is quoted when it does not parse: it may hold a token.
pub(super) fn parse_answer<T: DeserializeOwned>(
    status: u16,
    body: &[u8],
) -> azure_core::Result<Answer<T>> {
    let unexpected = |what: String| {
        azure_core::Error::with_message(
            ErrorKind::DataConversion,
            format!("the sign-in endpoint answered HTTP {status} with {what}"),
        )
    };
    if (200..300).contains(&status) {
        return serde_json::from_slice(body)
            .map(Answer::Given)
            .map_err(|error| {
                unexpected(format!(
                    "JSON that is not the answer expected (at line {}, column {})",
                    error.line(),
                    error.column()
                ))
            });
    }
    serde_json::from_slice(body)
        .map(Answer::Refused)
        .map_err(|_| unexpected("no OAuth error".to_owned()))
}

/// An OAuth error response, with Entra's `error_codes`.
#[derive(Debug, Deserialize, PartialEq, Eq)]
pub(super) struct OAuthError {
    pub(super) error: String,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<u64>,
}

impl OAuthError {
    /// Entra's AADSTS codes: `error_codes`, else the one the description starts with.
    pub(super) fn codes(&self) -> Vec<u64> {
        if !self.error_codes.is_empty() {
            return self.error_codes.clone();
        }
        let description = self.error_description.as_deref().unwrap_or_default();
        description
            .trim_start()
            .strip_prefix("AADSTS")
            .map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|digits| digits?.parse().ok())
            .into_iter()
            .collect()
    }

    pub(super) fn refuses_device_code(&self) -> bool {
        self.codes()
            .iter()
            .any(|code| REFUSES_DEVICE_CODE.contains(code))
    }

    /// The error and its description on one line (Entra's runs over several: trace and
    /// correlation ids, which the tenant's admins look the sign-in up by).
    fn said(&self) -> String {
        let description = self
            .error_description
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if description.is_empty() {
            self.error.clone()
        } else {
            format!("{}: {description}", self.error)
        }
    }
}

/// A string taken straight into a `SecretString`, the deserialized copy zeroed.
pub(super) fn secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SecretString, D::Error> {
    let mut text = String::deserialize(deserializer)?;
    let secret = SecretString::from(text.as_str());
    text.zeroize();
    Ok(secret)
}

pub(super) fn some_secret<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<SecretString>, D::Error> {
    secret(deserializer).map(Some)
}

/// Seconds as a number or, as some Entra endpoints send them, a string of digits.
pub(super) fn seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seconds {
        Number(u64),
        Text(String),
    }
    match Seconds::deserialize(deserializer)? {
        Seconds::Number(seconds) => Ok(seconds),
        Seconds::Text(text) => text
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom("seconds that are not a number")),
    }
}

pub(super) fn some_seconds<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    seconds(deserializer).map(Some)
}
