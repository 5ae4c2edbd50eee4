//! `kvtui vault list` through the real binary and the real azure-cli credential (a stand-in `az`
//! on `PATH`): against Azure Resource Manager at `management.azure.com` (a loopback server with a
//! certificate from a test CA, behind a CONNECT proxy given as `HTTPS_PROXY`) answering in the
//! shapes of the official specs' examples (`tests/fixtures/arm/`), and against the local vault's
//! own Resource Manager.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use support::identity::{INHERITED, Tools, VAULT_HOST};
use support::net::{ConnectProxy, SeenRequest, StubResponse, StubServer, TestCa, path_with};
use support::{Kvtui, VaultProcess, text};

const ARM_HOST: &str = "management.azure.com";
const ARM_SCOPE: &str = "https://management.azure.com/.default";
/// The spec example's tenants: ManagedBy, Home, ProjectedBy.
const MFA_TENANT: &str = "a70a1586-9c4a-4373-b907-1d310660dbd1";
const HOME_TENANT: &str = "83abe5cd-bcc3-441a-bd86-e6a75360cecc";
const GUEST_TENANT: &str = "daea2e9b-847b-4c93-850d-2aa6f2d7af33";
const PROD: &str = "83aa47df-e3e9-49ff-877b-94304bf3d3ad";
const DEV: &str = "5f1e0c8a-0000-4000-8000-0000000000d2";
const OLD: &str = "5f1e0c8a-0000-4000-8000-0000000000d3";
const PARTNER: &str = "5f1e0c8a-0000-4000-8000-0000000000d4";

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
/// (disabled); the guest tenant sees Prod again and Partner, whose second page points away from
/// Resource Manager. Each list answers only the token of a tenant that can see it.
fn resource_manager(request: &SeenRequest, throttled: &AtomicUsize) -> StubResponse {
    let tenant = request
        .header("authorization")
        .and_then(|value| value.strip_prefix("Bearer az-token-"))
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
                    vec![vault(
                        "partner-kv",
                        "https://partner-kv.vault.azure.net/",
                        PARTNER,
                        Some(false),
                    )],
                    Some("https://evil.example/steal".into()),
                ),
                _ => arm_error(409, "ReadOnlyDisabledSubscription", "disabled"),
            }
        }
    }
}

#[test]
fn vault_list_reads_every_tenant_and_subscription_and_names_what_refused() {
    let ca = TestCa::new();
    let throttled = AtomicUsize::new(0);
    let arm = StubServer::https(ca.server_config(&[ARM_HOST]), move |request| {
        resource_manager(request, &throttled)
    });
    let proxy = ConnectProxy::start(&[(&format!("{ARM_HOST}:443"), arm.addr)]);
    let tools = Tools::new();
    tools.az_signed_in_except(
        MFA_TENANT,
        "ERROR: AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access this resource.",
    );
    let kvtui = Kvtui::with_config(&format!(
        "[profiles.p]\nvault_url = \"https://{VAULT_HOST}\"\nauth = \"azure-cli\"\nca_file = \"{}\"\n",
        ca.pem_file.display()
    ));
    let mut command = kvtui.command(&["--profile", "p", "vault", "list", "--json"]);
    for name in INHERITED {
        command.env_remove(name);
    }
    let output = command
        .env("HTTPS_PROXY", proxy.url())
        .env("PATH", path_with(tools.dir.path()))
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let listed: Value = serde_json::from_str(&stdout).expect(&stdout);

    let vaults = listed["vaults"].as_array().unwrap();
    let names: Vec<&str> = vaults.iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["partner-kv", "prod-kv", "sample-vault"],
        "each once: {stdout}"
    );
    let sample = &vaults[2];
    assert_eq!(sample["vaultUrl"], "https://sample-vault.vault.azure.net");
    assert_eq!(sample["resourceGroup"], "sample-group");
    assert_eq!(sample["location"], "westus");
    assert_eq!(
        sample["rbac"], false,
        "the example sets no enableRbacAuthorization"
    );
    assert_eq!(sample["subscription"], "Prod");
    assert_eq!(sample["profile"], Value::Null);
    assert_eq!(vaults[1]["rbac"], true);
    assert_eq!(
        vaults[1]["profile"], "p",
        "the vault profile p opens is marked"
    );
    assert_eq!(vaults[0]["tenant"], "TEST_TEST_RDV");

    let unreadable: Vec<String> = listed["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            format!(
                "{}: {}",
                u["scope"].as_str().unwrap(),
                u["reason"].as_str().unwrap()
            )
        })
        .collect();
    let said = |scope: &str, reason: &str| {
        assert!(
            unreadable
                .iter()
                .any(|line| line.contains(scope) && line.contains(reason)),
            "{scope} / {reason} in {unreadable:#?}"
        );
    };
    said(
        &format!("tenant Test_Test_aad50 ({MFA_TENANT})"),
        "AADSTS50076",
    );
    said(
        &format!("tenant Test_Test_aad50 ({MFA_TENANT})"),
        &format!("az login --tenant {MFA_TENANT}"),
    );
    said(
        &format!("subscription Dev ({DEV})"),
        "HTTP 403 AuthorizationFailed: The client 'op@contoso.com'",
    );
    said(
        &format!("subscription Old ({OLD})"),
        "the subscription is Disabled",
    );
    said(
        &format!("subscription Partner ({PARTNER})"),
        "not followed, so no token goes there",
    );
    assert_eq!(unreadable.len(), 4, "{unreadable:#?}");
    assert_eq!(stderr.lines().count(), 4, "one warning each: {stderr}");

    let mut runs = tools.runs("az");
    runs.sort();
    let ask =
        |tenant: &str| format!("account get-access-token -o json --scope {ARM_SCOPE}{tenant}");
    let mut expected = vec![
        ask(""),
        ask(&format!(" --tenant {MFA_TENANT}")),
        ask(&format!(" --tenant {HOME_TENANT}")),
        ask(&format!(" --tenant {GUEST_TENANT}")),
    ];
    expected.sort();
    assert_eq!(
        runs, expected,
        "one token per tenant, however many lists use it"
    );
    assert!(
        proxy
            .connects()
            .iter()
            .all(|target| target == &format!("{ARM_HOST}:443")),
        "{:?}",
        proxy.connects()
    );
    assert!(
        arm.seen().iter().all(|r| r.path() != "/steal"),
        "the foreign nextLink was never asked"
    );
    let prod_lists = arm
        .seen()
        .iter()
        .filter(|r| {
            r.path() == format!("/subscriptions/{PROD}/providers/Microsoft.KeyVault/vaults")
        })
        .count();
    assert_eq!(prod_lists, 3, "the throttled try, then both pages");
}

#[test]
fn the_local_vault_answers_discovery_for_itself() {
    let vault = VaultProcess::start();
    let kvtui = Kvtui::with_config(&vault.profile_toml("local", false));
    let tools = Tools::new();
    tools.az_signed_out();
    let mut command = kvtui.command(&["vault", "list", "--json"]);
    for name in INHERITED {
        command.env_remove(name);
    }
    let output = command
        .env("PATH", path_with(tools.dir.path()))
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let listed: Value = serde_json::from_str(&stdout).expect(&stdout);
    let vaults = listed["vaults"].as_array().unwrap();
    assert_eq!(vaults.len(), 1, "{stdout}");
    assert_eq!(vaults[0]["vaultUrl"], vault.url.as_str());
    assert_eq!(vaults[0]["name"], "local");
    assert_eq!(vaults[0]["subscription"], "kvtui local vault");
    assert_eq!(vaults[0]["profile"], "local");
    // A local profile also asks whoever az is signed in as; signed out, that is said, once.
    assert!(
        stderr.contains("Azure (az or azd sign-in)") && stderr.contains("az login"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
