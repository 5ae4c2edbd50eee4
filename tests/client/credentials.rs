//! Every `auth` kind whose real code path can run here, through the real `kvtui` binary and the
//! real azure_identity credentials: `az` and `azd` are stand-in scripts on `PATH`; the vault and
//! the Entra token endpoint are loopback HTTPS servers with certificates for their real names
//! (`vaultname.vault.azure.net`, `login.microsoftonline.com`), reached through a CONNECT proxy
//! given as `HTTPS_PROXY` and trusted through the profile's `ca_file`; the managed identity
//! endpoint is a plain-HTTP loopback server named by `IDENTITY_ENDPOINT`.
//!
//! The vault answers as the service does: 401 with a challenge naming its tenant to a request
//! without a token or with the wrong one, the secret to the token the credential should have
//! got. Each test's tenant is its own, so a token asked for in another tenant cannot pass.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::collections::BTreeMap;
use std::process::Output;
use support::identity::{
    CHINA, CLIENT_ID, LOGIN_HOST, Net, SCOPE, SECRET, Tools, VAULT_HOST, VERSION,
    challenged_and_configured, entra, federated_token, form, identity_endpoint,
};
use support::text;

/// The secret was shown: the vault got the right token.
pub(crate) fn assert_shown(output: &Output) {
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains(SECRET) && stdout.contains(VERSION),
        "{stdout}"
    );
}

/// Exit 1 with one line, `error: …`, naming the profile, the auth kind and each of `needles`,
/// and holding none of `secrets`.
fn assert_fails_with(output: &Output, auth: &str, needles: &[&str], secrets: &[&str]) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("profile p "), "names the profile: {stderr}");
    assert!(stderr.contains(auth), "names the auth kind: {stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "expected {needle:?} in {stderr}");
    }
    for secret in secrets {
        assert!(!stderr.contains(secret), "leaks {secret:?}: {stderr}");
    }
}

/// The vault saw the challenge probe, then the token; and nothing was reached but through the
/// proxy, by name.
pub(crate) fn assert_vault_flow(net: &Net, token: &str) {
    let seen = net.vault.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].header("authorization"), None);
    assert_eq!(
        seen[1].header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    assert!(
        net.proxy
            .connects()
            .iter()
            .all(|target| target == &format!("{VAULT_HOST}:443")
                || target == &format!("{LOGIN_HOST}:443")),
        "{:?}",
        net.proxy.connects()
    );
}

/// The challenge's tenant; a tool, the `auth` that picks it and how it is signed in; how it is
/// asked for a token, the tenant flag last.
type ToolCase = (
    &'static str,
    &'static str,
    &'static str,
    fn(&Tools),
    &'static str,
    &'static str,
);

#[test]
fn azure_cli_and_azure_developer_cli_are_asked_for_the_challenges_tenant() {
    let cases: [ToolCase; 2] = [
        (
            "7a1c0b55-0001-4c11-9000-00000000a001",
            "az",
            "azure-cli",
            Tools::az_signed_in,
            "account get-access-token -o json",
            "--tenant",
        ),
        (
            "7a1c0b55-0003-4c11-9000-00000000a003",
            "azd",
            "azure-developer-cli",
            Tools::azd_signed_in,
            "auth token -o json --no-prompt",
            "--tenant-id",
        ),
    ];
    for (tenant, tool, auth, sign_in, asked, tenant_flag) in cases {
        let net = Net::vault(tenant, &format!("{tool}-token-{tenant}"));
        let tools = Tools::new();
        sign_in(&tools);
        let output = net.show(&net.config(&format!("auth = \"{auth}\"")), &tools, &[]);
        assert_shown(&output);
        assert_eq!(
            tools.runs(tool),
            [format!("{asked} --scope {SCOPE} {tenant_flag} {tenant}")]
        );
        assert_vault_flow(&net, &format!("{tool}-token-{tenant}"));
    }
}

#[test]
fn azure_cli_is_asked_for_the_profiles_tenant_id_over_the_challenges() {
    let (challenged, configured) = challenged_and_configured(2);
    // A vault that takes the configured tenant's token: what is checked is whom az was asked.
    let net = Net::vault(&challenged, &format!("az-token-{configured}"));
    let tools = Tools::new();
    tools.az_signed_in();
    let kvtui = net.config(&format!(
        "auth = \"azure-cli\"\ntenant_id = \"{configured}\""
    ));
    assert_shown(&net.show(&kvtui, &tools, &[]));
    assert_eq!(
        tools.runs("az"),
        [format!(
            "account get-access-token -o json --scope {SCOPE} --tenant {configured}"
        )]
    );
}

#[test]
fn developer_tools_falls_back_to_azd_when_az_is_signed_out() {
    let tenant = "7a1c0b55-0004-4c11-9000-00000000a004";
    let net = Net::vault(tenant, &format!("azd-token-{tenant}"));
    let tools = Tools::new();
    tools.az_signed_out();
    tools.azd_signed_in();
    // developer-tools is what a profile without `auth` gets.
    assert_shown(&net.show(&net.config(""), &tools, &[]));
    assert_eq!(
        tools.runs("az"),
        [format!(
            "account get-access-token -o json --scope {SCOPE} --tenant {tenant}"
        )]
    );
    assert_eq!(
        tools.runs("azd"),
        [format!(
            "auth token -o json --no-prompt --scope {SCOPE} --tenant-id {tenant}"
        )]
    );
}

/// The one token request: a client credentials grant for the vault's scope, posted to
/// `tenant`'s token endpoint. Its form, for the proof it carried.
fn the_token_request(net: &Net, tenant: &str) -> BTreeMap<String, String> {
    let requests = net.token_requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path(), format!("/{tenant}/oauth2/v2.0/token"));
    let body = form(&requests[0]);
    assert_eq!(body["grant_type"], "client_credentials");
    assert_eq!(body["client_id"], CLIENT_ID);
    assert_eq!(body["scope"], SCOPE);
    body
}

fn client_secret_profile(tenant: &str) -> String {
    format!(
        "auth = \"client-secret\"\ntenant_id = \"{tenant}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret_env = \"KV_SP_SECRET\""
    )
}

#[test]
fn client_secret_asks_the_profiles_tenant_with_the_secret_through_the_proxy_and_ca_file() {
    let (challenged, configured) = challenged_and_configured(5);
    let secret = "sp~secret.value-0005";
    let net = Net::with_login(
        &challenged,
        &format!("sp-token-{configured}"),
        entra("client_secret", secret),
    );
    let kvtui = net.config(&client_secret_profile(&configured));
    let output = net.show(
        &kvtui,
        &Tools::new(),
        &[("KV_SP_SECRET", secret), ("KVTUI_LOG", "trace")],
    );
    assert_shown(&output);
    assert_eq!(
        the_token_request(&net, &configured)["client_secret"],
        secret
    );
    assert_vault_flow(&net, &format!("sp-token-{configured}"));
    assert!(
        net.proxy.connects().contains(&format!("{LOGIN_HOST}:443")),
        "{:?}",
        net.proxy.connects()
    );
    // Even at trace level, neither the secret nor the token reaches the log.
    let log = std::fs::read_to_string(kvtui.data_dir().join("kvtui.log")).unwrap_or_default();
    assert!(!log.is_empty(), "the run logged");
    let leaks: Vec<&str> = log
        .lines()
        .filter(|line| line.contains(secret) || line.contains("sp-token-"))
        .collect();
    assert!(leaks.is_empty(), "{leaks:#?}");
}

#[test]
fn a_china_profile_asks_the_china_authority_for_a_china_vault_token() {
    let tenant = "7a1c0b55-0015-4c11-9000-00000000a015";
    let secret = "sp~secret.value-0015";
    let net = Net::in_cloud(
        CHINA,
        tenant,
        &format!("sp-token-{tenant}"),
        entra("client_secret", secret),
    );
    let kvtui = net.config(&format!(
        "{}\ncloud = \"china\"",
        client_secret_profile(tenant)
    ));
    let output = net.show(&kvtui, &Tools::new(), &[("KV_SP_SECRET", secret)]);
    assert_shown(&output);
    let requests = net.token_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path(), format!("/{tenant}/oauth2/v2.0/token"));
    assert_eq!(
        form(&requests[0])["scope"],
        "https://vault.azure.cn/.default"
    );
    assert_eq!(
        net.proxy.connects(),
        [
            format!("{}:443", CHINA.vault),
            format!("{}:443", CHINA.login)
        ],
        "the public authority is never asked"
    );

    // The same vault in a profile that says the public cloud is refused before any request.
    let public = net.config(&format!(
        "{}\ncloud = \"public\"",
        client_secret_profile(tenant)
    ));
    let refused = net.show(&public, &Tools::new(), &[("KV_SP_SECRET", secret)]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(
        text(&refused.stderr).contains("is a vault of the china cloud"),
        "{}",
        text(&refused.stderr)
    );
}

/// A workload identity profile (`profile` lines) behind a vault whose challenge names
/// `challenged`, run with a federated token file and `env`: the secret is shown, and the one
/// token request went to `expected`'s endpoint with the file's token as its assertion.
fn assert_workload_identity_asks(
    challenged: &str,
    expected: &str,
    profile: &str,
    env: &[(&str, &str)],
) {
    let assertion = format!("eyJhbGciOiJSUzI1NiJ9.federated-{expected}.signature");
    let net = Net::with_login(
        challenged,
        &format!("sp-token-{expected}"),
        entra("client_assertion", &assertion),
    );
    let (_dir, file) = federated_token(&assertion);
    let mut env = env.to_vec();
    env.push(("AZURE_FEDERATED_TOKEN_FILE", &file));
    let kvtui = net.config(&format!("auth = \"workload-identity\"\n{profile}"));
    assert_shown(&net.show(&kvtui, &Tools::new(), &env));
    let body = the_token_request(&net, expected);
    assert_eq!(body["client_assertion"], assertion);
    assert_eq!(
        body["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
}

#[test]
fn workload_identity_asks_the_challenges_tenant_with_the_federated_token() {
    let tenant = "7a1c0b55-0006-4c11-9000-00000000a006";
    assert_workload_identity_asks(tenant, tenant, "", &[("AZURE_CLIENT_ID", CLIENT_ID)]);
}

#[test]
fn workload_identity_asks_azure_tenant_id_over_the_challenges() {
    let configured = "7a1c0b55-0016-4c11-9000-00000000b016";
    assert_workload_identity_asks(
        "7a1c0b55-0016-4c11-9000-00000000a016",
        configured,
        "",
        &[
            ("AZURE_CLIENT_ID", CLIENT_ID),
            ("AZURE_TENANT_ID", configured),
        ],
    );
}

#[test]
fn workload_identity_asks_the_profiles_tenant_id_over_azure_tenant_id_and_the_challenges() {
    let configured = "7a1c0b55-0007-4c11-9000-00000000b007";
    assert_workload_identity_asks(
        "7a1c0b55-0007-4c11-9000-00000000a007",
        configured,
        &format!("tenant_id = \"{configured}\"\nclient_id = \"{CLIENT_ID}\""),
        &[("AZURE_TENANT_ID", "7a1c0b55-0007-4c11-9000-00000000c007")],
    );
}

#[test]
fn managed_identity_asks_the_identity_endpoint_for_the_vault_resource() {
    let net = Net::vault("7a1c0b55-0008-4c11-9000-00000000a008", "mi-token-0008");
    let endpoint = identity_endpoint("mi-token-0008");
    let kvtui = net.config(&format!(
        "auth = \"managed-identity\"\nclient_id = \"{CLIENT_ID}\""
    ));
    let url = format!("http://{}/msi/token", endpoint.addr);
    let output = net.show(
        &kvtui,
        &Tools::new(),
        &[
            ("IDENTITY_ENDPOINT", &url),
            ("IDENTITY_HEADER", "identity-header-0008"),
        ],
    );
    assert_shown(&output);
    let requests = endpoint.seen();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path(), "/msi/token");
    let query = requests[0].query();
    assert_eq!(query["api-version"], "2019-08-01");
    assert_eq!(query["resource"], "https://vault.azure.net");
    assert_eq!(query["client_id"], CLIENT_ID);
    assert_eq!(
        requests[0].header("x-identity-header"),
        Some("identity-header-0008")
    );
    assert_vault_flow(&net, "mi-token-0008");
}

#[test]
fn a_signed_out_azure_cli_says_to_run_az_login() {
    let tenant = "7a1c0b55-0009-4c11-9000-00000000a009";
    let net = Net::vault(tenant, "unused");
    let tools = Tools::new();
    tools.az_signed_out();
    let output = net.show(&net.config("auth = \"azure-cli\""), &tools, &[]);
    assert_fails_with(
        &output,
        "azure-cli",
        &[&format!("az login --tenant {tenant}")],
        &[],
    );
}

#[test]
fn a_signed_out_azure_developer_cli_says_to_run_azd_auth_login() {
    let net = Net::vault("7a1c0b55-0010-4c11-9000-00000000a010", "unused");
    let tools = Tools::new();
    tools.azd_signed_out();
    let output = net.show(&net.config("auth = \"azure-developer-cli\""), &tools, &[]);
    assert_fails_with(&output, "azure-developer-cli", &["azd auth login"], &[]);
}

#[test]
fn developer_tools_with_neither_signed_in_names_both_logins() {
    let net = Net::vault("7a1c0b55-0011-4c11-9000-00000000a011", "unused");
    let tools = Tools::new();
    tools.az_signed_out();
    tools.azd_signed_out();
    let output = net.show(&net.config(""), &tools, &[]);
    assert_fails_with(
        &output,
        "developer-tools",
        &["az login", "azd auth login"],
        &[],
    );
}

#[test]
fn an_unset_client_secret_variable_is_named() {
    let net = Net::vault("7a1c0b55-0012-4c11-9000-00000000a012", "unused");
    let kvtui = net.config(&client_secret_profile(
        "7a1c0b55-0012-4c11-9000-00000000b012",
    ));
    let output = net.show(&kvtui, &Tools::new(), &[]);
    assert_fails_with(&output, "client-secret", &["KV_SP_SECRET"], &[]);
    assert!(net.vault.seen().is_empty(), "refused before any request");
}

#[test]
fn a_refused_client_secret_says_what_to_check_without_echoing_it() {
    let tenant = "7a1c0b55-0013-4c11-9000-00000000a013";
    let net = Net::with_login(tenant, "unused", entra("client_secret", "the-right-one"));
    let kvtui = net.config(&client_secret_profile(tenant));
    let wrong = "sp~wrong.secret-0013";
    let output = net.show(&kvtui, &Tools::new(), &[("KV_SP_SECRET", wrong)]);
    assert_fails_with(
        &output,
        "client-secret",
        &["KV_SP_SECRET", "AADSTS7000215"],
        &[wrong],
    );
}

#[test]
fn workload_identity_without_a_token_file_names_azure_federated_token_file() {
    let net = Net::vault("7a1c0b55-0014-4c11-9000-00000000a014", "unused");
    let output = net.show(
        &net.config("auth = \"workload-identity\""),
        &Tools::new(),
        &[("AZURE_CLIENT_ID", CLIENT_ID)],
    );
    assert_fails_with(
        &output,
        "workload-identity",
        &["AZURE_FEDERATED_TOKEN_FILE"],
        &[],
    );
}

#[test]
fn an_unreachable_identity_endpoint_asks_whether_this_is_an_azure_host() {
    let net = Net::vault("7a1c0b55-0015-4c11-9000-00000000a015", "unused");
    // A port that was free a moment ago: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("port");
    let url = format!("http://{closed}/msi/token");
    let started = std::time::Instant::now();
    let output = net.show(
        &net.config("auth = \"managed-identity\""),
        &Tools::new(),
        &[("IDENTITY_ENDPOINT", &url), ("IDENTITY_HEADER", "h")],
    );
    assert_fails_with(
        &output,
        "managed-identity",
        &["managed identity endpoint unreachable: is this an Azure host with an identity?"],
        &[],
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "said so in {:?}",
        started.elapsed()
    );
}
