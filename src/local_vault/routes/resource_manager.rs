//! The few Azure Resource Manager reads vault discovery makes, answered for this vault alone:
//! one tenant, one subscription and one vault (this one), in the shapes of the official specs'
//! examples (`tests/fixtures/arm/`), behind the same bearer as the data plane. So the picker can
//! be tried, and discovery tested over real HTTPS, with no Azure account.

use super::answers::{Handled, error, ok};
use super::request::{Query, base_url, path_segments};
use super::{ECHOED_CHARS, Shared};
use crate::discovery::models::{KEY_VAULT_API_VERSION, RESOURCES_API_VERSION};
use crate::local_vault::bearer::{self, TENANT};
use crate::vault::rules;
use hyper::http::request::Parts;
use hyper::{Method, StatusCode};
use serde_json::json;

/// The local vault's subscription: a fixed id, so a saved profile finds it again.
pub const SUBSCRIPTION: &str = "6b767475-6900-4000-8000-6c6f63616c00";
pub const VAULT_NAME: &str = "local";
const RESOURCE_GROUP: &str = "kvtui";

/// Whether `path` is Resource Manager's rather than the data plane's.
pub(super) fn is_resource_manager(path: &str) -> bool {
    path == "/tenants" || path == "/subscriptions" || path.starts_with("/subscriptions/")
}

pub(super) fn answer(shared: &Shared, parts: &Parts) -> Handled {
    bearer::require(shared.token.as_bytes(), &parts.headers)?;
    let query = Query::parse(parts.uri.query());
    let segments = path_segments(parts.uri.path());
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let expected = match segments.as_slice() {
        ["tenants"] | ["subscriptions"] => RESOURCES_API_VERSION,
        _ => KEY_VAULT_API_VERSION,
    };
    match query.api_version.as_deref() {
        Some(version) if version == expected => {}
        Some(version) => {
            let version = rules::cut(version, ECHOED_CHARS);
            return Err(error(
                StatusCode::BAD_REQUEST,
                "InvalidApiVersionParameter",
                format!(
                    "The api-version '{version}' is invalid. The supported versions are '{expected}'."
                ),
            ));
        }
        None => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            ));
        }
    }
    let url = base_url(shared, parts);
    match (&parts.method, segments.as_slice()) {
        (&Method::GET, ["tenants"]) => Ok(ok(&json!({ "value": [{
            "id": format!("/tenants/{TENANT}"),
            "tenantId": TENANT,
            "countryCode": "US",
            "displayName": "kvtui local vault",
            "domains": ["localhost"],
            "defaultDomain": "localhost",
            "tenantCategory": "Home",
            "tenantType": "AAD",
        }]}))),
        (&Method::GET, ["subscriptions"]) => Ok(ok(&json!({ "value": [{
            "id": format!("/subscriptions/{SUBSCRIPTION}"),
            "authorizationSource": "RoleBased",
            "subscriptionId": SUBSCRIPTION,
            "tenantId": TENANT,
            "displayName": "kvtui local vault",
            "state": "Enabled",
            "subscriptionPolicies": {
                "locationPlacementId": "Public_2014-09-01",
                "quotaId": "Internal_2014-09-01",
                "spendingLimit": "Off",
            },
        }]}))),
        (&Method::GET, ["subscriptions", id, "providers", provider, "vaults"])
            if provider.eq_ignore_ascii_case("Microsoft.KeyVault") =>
        {
            if !id.eq_ignore_ascii_case(SUBSCRIPTION) {
                let id = rules::cut(id, ECHOED_CHARS);
                return Err(error(
                    StatusCode::NOT_FOUND,
                    "SubscriptionNotFound",
                    format!("The subscription '{id}' could not be found."),
                ));
            }
            Ok(ok(&json!({ "value": [{
                "id": format!(
                    "/subscriptions/{SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/{VAULT_NAME}"
                ),
                "name": VAULT_NAME,
                "type": "Microsoft.KeyVault/vaults",
                "location": "local",
                "tags": {},
                "properties": {
                    "tenantId": TENANT,
                    "sku": { "family": "A", "name": "standard" },
                    "vaultUri": format!("{url}/"),
                    // Its one token is all the access control it has: closer to RBAC (one grant
                    // for the whole vault) than to per-identity access policies.
                    "enableRbacAuthorization": true,
                    "enableSoftDelete": true,
                    "provisioningState": "Succeeded",
                },
            }]})))
        }
        _ => Err(error(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!(
                "No operation {} {} in the local vault's Resource Manager.",
                rules::cut(parts.method.as_str(), ECHOED_CHARS),
                rules::cut(parts.uri.path(), ECHOED_CHARS)
            ),
        )),
    }
}
