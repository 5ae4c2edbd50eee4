//! The Azure Resource Manager shapes discovery reads: only the fields it shows, from the
//! official specs (Microsoft.Resources `Tenants_List` and `Subscriptions_List` at 2022-12-01,
//! Microsoft.KeyVault `Vaults_ListBySubscription` at 2026-02-01; `tests/fixtures/arm/` holds
//! their examples). Unknown fields are ignored: ARM adds fields to these shapes often.

use serde::{Deserialize, Serialize};

pub const RESOURCES_API_VERSION: &str = "2022-12-01";
/// Versions of Microsoft.KeyVault before 2026-02-01 retire in February 2027.
pub const KEY_VAULT_API_VERSION: &str = "2026-02-01";

#[derive(Debug, Deserialize)]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(rename = "nextLink")]
    pub next_link: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub tenant_id: String,
    pub display_name: Option<String>,
    pub default_domain: Option<String>,
}

impl Tenant {
    /// What the operator knows the tenant by.
    pub fn label(&self) -> &str {
        self.display_name
            .as_deref()
            .or(self.default_domain.as_deref())
            .unwrap_or(&self.tenant_id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub subscription_id: String,
    pub display_name: Option<String>,
    /// Enabled, Warned, PastDue, Disabled or Deleted.
    pub state: Option<String>,
    pub tenant_id: Option<String>,
}

impl Subscription {
    pub fn label(&self) -> &str {
        self.display_name
            .as_deref()
            .unwrap_or(&self.subscription_id)
    }

    /// A disabled or deleted subscription is read-only or gone: its resources cannot be listed.
    pub fn is_usable(&self) -> bool {
        !matches!(self.state.as_deref(), Some("Disabled" | "Deleted"))
    }
}

#[derive(Debug, Deserialize)]
pub struct VaultResource {
    pub id: String,
    pub name: String,
    pub location: Option<String>,
    #[serde(default)]
    pub properties: VaultProperties,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VaultProperties {
    pub vault_uri: Option<String>,
    pub enable_rbac_authorization: Option<bool>,
}

/// `{"error": {"code", "message"}}`, as ARM and Entra's ARM front door answer a refusal.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: Option<ErrorDetail>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDetail {
    pub code: Option<String>,
    pub message: Option<String>,
}

/// The resource group named in an ARM resource id (`/subscriptions/S/resourceGroups/G/…`).
pub fn resource_group(id: &str) -> Option<&str> {
    let mut segments = id.split('/');
    segments
        .by_ref()
        .find(|segment| segment.eq_ignore_ascii_case("resourceGroups"))?;
    segments.next().filter(|group| !group.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resource_group_is_read_from_the_id_in_any_case() {
        assert_eq!(
            resource_group(
                "/subscriptions/0/resourceGroups/sample-group/providers/Microsoft.KeyVault/vaults/v"
            ),
            Some("sample-group")
        );
        assert_eq!(
            resource_group("/subscriptions/0/resourcegroups/RG/providers/x"),
            Some("RG")
        );
        assert_eq!(resource_group("/subscriptions/0"), None);
    }
}
