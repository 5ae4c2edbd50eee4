//! A Resource Manager for discovery tests: `management.azure.com` on loopback (a certificate from
//! a test CA, behind a CONNECT proxy), answering in the shapes of the official specs' examples
//! (`tests/fixtures/arm/`) for three tenants, as a stand-in `az` signs in to them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::Kvtui;
use super::identity::{Tools, VAULT_HOST, isolated};
use super::net::{ConnectProxy, SeenRequest, StubResponse, StubServer, TestCa, path_with};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Whom `az` is signed in as.
pub const OPERATOR: &str = "operator@contoso.com";
pub const ARM_HOST: &str = "management.azure.com";
pub const ARM_SCOPE: &str = "https://management.azure.com/.default";
/// The spec example's tenants: ManagedBy, Home, ProjectedBy.
pub const MFA_TENANT: &str = "a70a1586-9c4a-4373-b907-1d310660dbd1";
pub const HOME_TENANT: &str = "83abe5cd-bcc3-441a-bd86-e6a75360cecc";
pub const GUEST_TENANT: &str = "daea2e9b-847b-4c93-850d-2aa6f2d7af33";
pub const PROD: &str = "83aa47df-e3e9-49ff-877b-94304bf3d3ad";
pub const DEV: &str = "5f1e0c8a-0000-4000-8000-0000000000d2";
pub const OLD: &str = "5f1e0c8a-0000-4000-8000-0000000000d3";
pub const PARTNER: &str = "5f1e0c8a-0000-4000-8000-0000000000d4";

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/arm/{name}", env!("CARGO_MANIFEST_DIR"));
    let example: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    example["responses"]["200"]["body"].clone()
}

/// The spec example's subscription, as `id` named `name` in `tenant` with `state`.
fn subscription(id: &str, name: &str, tenant: &str, state: &str) -> Value {
    let mut subscription = fixture("listSubscriptions.json")["value"][0].clone();
    subscription["id"] = json!(format!("/subscriptions/{id}"));
    subscription["subscriptionId"] = json!(id);
    subscription["displayName"] = json!(name);
    subscription["state"] = json!(state);
    subscription["tenantId"] = json!(tenant);
    subscription
}

/// The spec example's vault, renamed, at `url`, in `subscription`.
fn vault(name: &str, url: &str, subscription: &str, rbac: Option<bool>) -> Value {
    let mut vault = fixture("listVaultBySubscription.json")["value"][0].clone();
    vault["name"] = json!(name);
    vault["id"] = json!(format!(
        "/subscriptions/{subscription}/resourceGroups/sample-group/providers/Microsoft.KeyVault/vaults/{name}"
    ));
    vault["properties"]["vaultUri"] = json!(url);
    if let Some(rbac) = rbac {
        vault["properties"]["enableRbacAuthorization"] = json!(rbac);
    }
    vault
}

fn page(value: Vec<Value>, next: Option<String>) -> StubResponse {
    StubResponse::json(200, &json!({"value": value, "nextLink": next}))
}

fn arm_error(status: u16, code: &str, message: &str) -> StubResponse {
    StubResponse::json(
        status,
        &json!({"error": {"code": code, "message": message}}),
    )
}

/// Resource Manager for the three tenants: the home tenant has Prod (whose vaults come in two
/// pages, the first after one throttled try), Dev (the caller may not read its vaults) and Old
/// (disabled); the guest tenant sees Prod again and Partner, whose page holds a vault outside the
/// cloud's vault domain and whose second page points away from Resource Manager. Each list
/// answers only the token of a tenant that can see it.
fn answer(request: &SeenRequest, throttled: &AtomicUsize) -> StubResponse {
    let tenant = request
        .header("authorization")
        .and_then(|value| value.strip_prefix("Bearer "))
        .and_then(|token| token.rsplit('.').next())
        .and_then(|last| last.strip_prefix("az-token-"))
        .unwrap_or_default()
        .to_owned();
    let next = |path: &str| Some(format!("https://{ARM_HOST}{path}"));
    let query = request.query();
    let sees = |subscription: &str| match tenant.as_str() {
        HOME_TENANT => [PROD, DEV, OLD].contains(&subscription),
        GUEST_TENANT => [PROD, PARTNER].contains(&subscription),
        _ => false,
    };
    match request.path() {
        "/tenants" if tenant == "home" => fixture("GetTenants.json")
            .as_object()
            .map(|body| {
                let mut body = body.clone();
                body.remove("nextLink");
                StubResponse::json(200, &Value::Object(body))
            })
            .unwrap(),
        "/subscriptions" if tenant == HOME_TENANT && query.contains_key("$skiptoken") => page(
            vec![
                subscription(DEV, "Dev", HOME_TENANT, "Enabled"),
                subscription(OLD, "Old", HOME_TENANT, "Disabled"),
            ],
            None,
        ),
        "/subscriptions" if tenant == HOME_TENANT => page(
            vec![subscription(PROD, "Prod", HOME_TENANT, "Enabled")],
            next("/subscriptions?api-version=2022-12-01&$skiptoken=p2"),
        ),
        "/subscriptions" if tenant == GUEST_TENANT => page(
            vec![
                subscription(PROD, "Prod", HOME_TENANT, "Enabled"),
                subscription(PARTNER, "Partner", GUEST_TENANT, "Warned"),
            ],
            None,
        ),
        path => {
            let segments: Vec<&str> = path.split('/').collect();
            let [
                _,
                "subscriptions",
                id,
                "providers",
                "Microsoft.KeyVault",
                "vaults",
            ] = segments.as_slice()
            else {
                return arm_error(404, "NotFound", "no such path");
            };
            if query.get("api-version").map(String::as_str) != Some("2026-02-01") || !sees(id) {
                return arm_error(404, "SubscriptionNotFound", "not seen");
            }
            match *id {
                PROD if query.contains_key("$skiptoken") => page(
                    vec![vault(
                        "prod-kv",
                        &format!("https://{VAULT_HOST}/"),
                        PROD,
                        Some(true),
                    )],
                    None,
                ),
                PROD if throttled.fetch_add(1, Ordering::SeqCst) == 0 => {
                    arm_error(429, "TooManyRequests", "throttled")
                        .with_header("retry-after-ms", "50")
                }
                PROD => page(
                    vec![vault(
                        "sample-vault",
                        "https://sample-vault.vault.azure.net/",
                        PROD,
                        None,
                    )],
                    next(&format!(
                        "/subscriptions/{PROD}/providers/Microsoft.KeyVault/vaults?api-version=2026-02-01&$skiptoken=v2"
                    )),
                ),
                DEV => arm_error(
                    403,
                    "AuthorizationFailed",
                    "The client 'op@contoso.com' with object id 'x' does not have authorization to perform action 'Microsoft.KeyVault/vaults/read' over scope '/subscriptions/5f1e0c8a-0000-4000-8000-0000000000d2'.",
                ),
                PARTNER => page(
                    vec![
                        vault(
                            "partner-kv",
                            "https://partner-kv.vault.azure.net/",
                            PARTNER,
                            Some(false),
                        ),
                        vault(
                            "lookalike-kv",
                            "https://lookalike-kv.vault.azure.net.evil.example/",
                            PARTNER,
                            None,
                        ),
                    ],
                    Some("https://evil.example/steal".into()),
                ),
                _ => arm_error(409, "ReadOnlyDisabledSubscription", "disabled"),
            }
        }
    }
}

/// Resource Manager, the proxy that is the only way to it, and an `az` signed in to every tenant
/// but the MFA one, which refuses with AADSTS50076.
pub struct ResourceManager {
    pub ca: TestCa,
    pub server: StubServer,
    pub proxy: ConnectProxy,
    pub tools: Tools,
}

impl ResourceManager {
    pub fn start() -> Self {
        let ca = TestCa::new();
        let throttled = AtomicUsize::new(0);
        let server = StubServer::https(ca.server_config(&[ARM_HOST]), move |request| {
            answer(request, &throttled)
        });
        let proxy = ConnectProxy::start(&[(&format!("{ARM_HOST}:443"), server.addr)]);
        let tools = Tools::new();
        tools.az_signed_in_as(
            OPERATOR,
            MFA_TENANT,
            "ERROR: AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access this resource.",
        );
        Self {
            ca,
            server,
            proxy,
            tools,
        }
    }

    /// A config whose profile `p` signs in with `az` and opens `vaultname.vault.azure.net`.
    pub fn kvtui(&self) -> Kvtui {
        Kvtui::with_config(&format!(
            "# the operator's own comment\n[profiles.p]\nvault_url = \"https://{VAULT_HOST}\"\nauth = \"azure-cli\"\nca_file = \"{}\"\n",
            self.ca.pem_file.display()
        ))
    }

    /// The environment kvtui runs in: this proxy, this `az`, nothing inherited.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HTTPS_PROXY", self.proxy.url()),
            ("PATH", path_with(self.tools.dir.path())),
        ]
    }

    /// `kvtui ARGS` in that environment.
    pub fn command(&self, kvtui: &Kvtui, args: &[&str]) -> std::process::Command {
        let mut command = isolated(kvtui, args, &self.tools);
        command.env("HTTPS_PROXY", self.proxy.url());
        command
    }
}
