//! The identity side of a user's network, for `tests/client/credentials.rs`: a vault at
//! `vaultname.vault.azure.net` that challenges as the service does, an Entra token endpoint at
//! `login.microsoftonline.com` and an App Service identity endpoint, all on loopback behind the
//! `net` proxy; and stand-ins for `az` and `azd` that record how they were run.

use super::Kvtui;
use super::net::{
    ConnectProxy, SeenRequest, StubResponse, StubServer, TestCa, path_with, write_executable,
};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Output;

pub const VAULT_HOST: &str = "vaultname.vault.azure.net";
pub const LOGIN_HOST: &str = "login.microsoftonline.com";
pub const SCOPE: &str = "https://vault.azure.net/.default";
/// The service principal's, or the user-assigned identity's, application id.
pub const CLIENT_ID: &str = "11111111-1111-4111-8111-111111111111";

/// Test `case`'s two tenants, the one its vault's challenge names and the profile's own: each
/// test has tenants of its own, so no token meant for another test's can pass.
pub fn challenged_and_configured(case: u16) -> (String, String) {
    let tenant = |side: char| format!("7a1c0b55-{case:04}-4c11-9000-00000000{side}{case:03}");
    (tenant('a'), tenant('b'))
}

/// What kvtui might read from the environment it was started in: none of it is left to chance.
pub const INHERITED: &[&str] = &[
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_AUTHORITY_HOST",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "IDENTITY_SERVER_THUMBPRINT",
    "IMDS_ENDPOINT",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "HTTP_PROXY",
    "http_proxy",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// Where a cloud's vault, sign-in and vault resource are.
#[derive(Clone, Copy)]
pub struct Hosts {
    pub vault: &'static str,
    pub login: &'static str,
    /// The authority the vault's challenge names, which is not always the sign-in host.
    pub challenge_authority: &'static str,
    pub resource: &'static str,
}

pub const PUBLIC: Hosts = Hosts {
    vault: VAULT_HOST,
    login: LOGIN_HOST,
    challenge_authority: "login.windows.net",
    resource: "https://vault.azure.net",
};

pub const CHINA: Hosts = Hosts {
    vault: "vaultname.vault.azure.cn",
    login: "login.chinacloudapi.cn",
    challenge_authority: "login.chinacloudapi.cn",
    resource: "https://vault.azure.cn",
};

/// The 401 Key Vault sends to a request it cannot authorize.
pub fn challenge(tenant: &str) -> StubResponse {
    challenge_in(tenant, PUBLIC)
}

fn challenge_in(tenant: &str, hosts: Hosts) -> StubResponse {
    StubResponse::json(
        401,
        &json!({"error": {"code": "Unauthorized",
            "message": "AKV10000: Request is missing a Bearer or PoP token."}}),
    )
    .with_header(
        "www-authenticate",
        &format!(
            "Bearer authorization=\"https://{}/{tenant}\", resource=\"{}\"",
            hosts.challenge_authority, hosts.resource
        ),
    )
}

/// The one secret the vault serves, and its version.
pub const SECRET: &str = "db-password";
pub const VERSION: &str = "4387e9f3d6e14c459867679a90fd0f79";

/// `GET /secrets/db-password/` as GetSecret-example.json answers it.
pub fn secret_bundle() -> StubResponse {
    secret_bundle_in(PUBLIC)
}

fn secret_bundle_in(hosts: Hosts) -> StubResponse {
    StubResponse::json(
        200,
        &json!({
            "value": "mysecretvalue",
            "id": format!("https://{}/secrets/{SECRET}/{VERSION}", hosts.vault),
            "attributes": {"enabled": true, "created": 1493938410, "updated": 1493938410,
                "recoveryLevel": "Recoverable+Purgeable"}
        }),
    )
}

pub type Handler = Box<dyn Fn(&SeenRequest) -> StubResponse + Send + Sync>;

/// A vault whose challenge names `tenant` and which takes only `Bearer {token}`, and the proxy
/// that is the only way to it (and to a token endpoint, once one is added).
pub struct Net {
    hosts: Hosts,
    ca: TestCa,
    pub vault: StubServer,
    login: Option<StubServer>,
    pub proxy: ConnectProxy,
}

impl Net {
    pub fn vault(tenant: &str, token: &str) -> Self {
        Self::build(PUBLIC, tenant, token, None)
    }

    /// With `login.microsoftonline.com` answering token requests through `handler`.
    pub fn with_login(
        tenant: &str,
        token: &str,
        handler: impl Fn(&SeenRequest) -> StubResponse + Send + Sync + 'static,
    ) -> Self {
        Self::build(PUBLIC, tenant, token, Some(Box::new(handler)))
    }

    /// As [`Net::with_login`], in the cloud whose hosts are `hosts`.
    pub fn in_cloud(
        hosts: Hosts,
        tenant: &str,
        token: &str,
        handler: impl Fn(&SeenRequest) -> StubResponse + Send + Sync + 'static,
    ) -> Self {
        Self::build(hosts, tenant, token, Some(Box::new(handler)))
    }

    fn build(hosts: Hosts, tenant: &str, token: &str, login: Option<Handler>) -> Self {
        let ca = TestCa::new();
        let (tenant, expected) = (tenant.to_owned(), format!("Bearer {token}"));
        let vault = StubServer::https(ca.server_config(&[hosts.vault]), move |request| {
            if request.header("authorization") == Some(expected.as_str())
                && request.path() == format!("/secrets/{SECRET}/")
            {
                secret_bundle_in(hosts)
            } else {
                challenge_in(&tenant, hosts)
            }
        });
        let login = login.map(|handler| {
            StubServer::https(ca.server_config(&[hosts.login]), move |r| handler(r))
        });
        let mut routes = vec![(format!("{}:443", hosts.vault), vault.addr)];
        if let Some(login) = &login {
            routes.push((format!("{}:443", hosts.login), login.addr));
        }
        let routes: Vec<(&str, _)> = routes.iter().map(|(h, a)| (h.as_str(), *a)).collect();
        let proxy = ConnectProxy::start(&routes);
        Self {
            hosts,
            ca,
            vault,
            login,
            proxy,
        }
    }

    /// A config with one profile `p` on this vault; `extra` adds its auth lines.
    pub fn config(&self, extra: &str) -> Kvtui {
        Kvtui::with_config(&format!(
            "[profiles.p]\nvault_url = \"https://{}\"\nca_file = \"{}\"\n{extra}\n",
            self.hosts.vault,
            self.ca.pem_file.display()
        ))
    }

    /// `kvtui --profile p secret show db-password` with `env`, through the proxy.
    pub fn show(&self, kvtui: &Kvtui, tools: &Tools, env: &[(&str, &str)]) -> Output {
        let mut command = isolated(kvtui, &["--profile", "p", "secret", "show", SECRET], tools);
        command
            .env("HTTPS_PROXY", self.proxy.url())
            .envs(env.iter().copied());
        command.output().expect("kvtui runs")
    }

    /// The token requests the login server answered.
    pub fn token_requests(&self) -> Vec<SeenRequest> {
        self.login.as_ref().expect("a login server").seen()
    }
}

/// `kvtui ARGS` with nothing inherited that could choose a credential or a proxy, and `tools`
/// first on `PATH`.
pub fn isolated(kvtui: &Kvtui, args: &[&str], tools: &Tools) -> std::process::Command {
    let mut command = kvtui.command(args);
    for name in INHERITED {
        command.env_remove(name);
    }
    command.env("PATH", path_with(tools.dir.path()));
    command
}

/// What `az account get-access-token -o json` prints: a token that names the tenant asked for.
const AZ_TOKEN: &str = r#"printf '{"accessToken":"az-token-%s","expiresOn":"2030-01-01 00:00:00.000000","expires_on":1893456000,"subscription":"5f1e0c8a-0000-4000-8000-000000000001","tenant":"%s","tokenType":"Bearer"}\n' "$tenant" "$tenant""#;

/// A directory put first on `PATH`, for stand-ins of `az` and `azd` that record their arguments.
pub struct Tools {
    pub dir: tempfile::TempDir,
}

impl Tools {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn log(&self, tool: &str) -> PathBuf {
        self.dir.path().join(format!("{tool}.args"))
    }

    /// `tool` appends its arguments to its log, then runs `body`. `$tenant` is what followed
    /// `tenant_flag`, or `home` when none did (the tool's default tenant).
    fn script(&self, tool: &str, tenant_flag: &str, body: &str) {
        let script = format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\ntenant=home\nwhile [ $# -gt 0 ]; do\n  [ \"$1\" = '{tenant_flag}' ] && tenant=\"$2\"\n  shift\ndone\n{body}\n",
            self.log(tool).display()
        );
        write_executable(self.dir.path(), tool, &script);
    }

    /// An `az` signed in to every tenant: `az account get-access-token -o json` output, with
    /// a token that names the tenant it was asked for.
    pub fn az_signed_in(&self) {
        self.script("az", "--tenant", AZ_TOKEN);
    }

    /// `az` signed in as `user`, with tokens shaped as Entra's are (a JWT whose claims name
    /// the user and the tenant, ending in `az-token-TENANT`); asked for a token in `refusing`
    /// it fails with `error` on stderr, as `az` does for a tenant whose policy wants more than
    /// the sign-in had (MFA).
    pub fn az_signed_in_as(&self, user: &str, refusing: &str, error: &str) {
        self.script(
            "az",
            "--tenant",
            &format!(
                r#"if [ "$tenant" = '{refusing}' ]; then echo '{error}' >&2; exit 1; fi
claims=$(printf '{{"upn":"{user}","tid":"%s","exp":1893456000}}' "$tenant" | base64 | tr '+/' '-_' | tr -d '=\n')
printf '{{"accessToken":"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.%s.az-token-%s","expiresOn":"2030-01-01 00:00:00.000000","expires_on":1893456000,"tenant":"%s","tokenType":"Bearer"}}\n' "$claims" "$tenant" "$tenant""#
            ),
        );
    }

    /// `az` with no account, as the real one answers then.
    pub fn az_signed_out(&self) {
        self.script(
            "az",
            "--tenant",
            "echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1",
        );
    }

    /// `azd auth token -o json` output, with a token that names the tenant asked for.
    pub fn azd_signed_in(&self) {
        self.script(
            "azd",
            "--tenant-id",
            r#"printf '{"token":"azd-token-%s","expiresOn":"2030-01-01T00:00:00Z"}\n' "$tenant""#,
        );
    }

    /// `azd` with no account: its JSON error on stderr, as `-o json` makes it.
    pub fn azd_signed_out(&self) {
        self.script(
            "azd",
            "--tenant-id",
            r#"printf '%s\n' '{"type":"consoleMessage","timestamp":"2026-11-22T10:00:00.000000000Z","data":{"message":"\nERROR: not logged in, run `azd auth login` to login\n"}}' >&2
exit 1"#,
        );
    }

    /// Each run's arguments, one line per run.
    pub fn runs(&self, tool: &str) -> Vec<String> {
        std::fs::read_to_string(self.log(tool))
            .map(|log| log.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }
}

pub fn form(request: &SeenRequest) -> BTreeMap<String, String> {
    form_urlencoded::parse(&request.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Entra's answer to a client credentials grant: a token naming the tenant it was asked in
/// when `proof` (the secret or the assertion) is the one expected, else `invalid_client` with a
/// description whose lines are split by `\r\n`, as Entra's are.
pub fn entra(field: &'static str, proof: &str) -> impl Fn(&SeenRequest) -> StubResponse + use<> {
    let proof = proof.to_owned();
    move |request| {
        let tenant = request
            .path()
            .split('/')
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        if form(request).get(field) == Some(&proof) {
            StubResponse::json(
                200,
                &json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                    "access_token": format!("sp-token-{tenant}")}),
            )
        } else {
            StubResponse::json(
                401,
                &json!({"error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\r\nTrace ID: 0c1f\r\nCorrelation ID: 9e2d\r\nTimestamp: 2026-11-22 10:00:00Z",
                    "error_codes": [7000215]}),
            )
        }
    }
}

/// A federated token file, as AKS mounts one, and the directory that holds it.
pub fn federated_token(token: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("azure-identity-token");
    std::fs::write(&path, token).expect("token file");
    (dir, path.display().to_string())
}

/// An App Service identity endpoint that hands out `token` for the identity `CLIENT_ID`.
pub fn identity_endpoint(token: &str) -> StubServer {
    let token = token.to_owned();
    StubServer::http(move |_| {
        StubResponse::json(
            200,
            &json!({"access_token": token, "expires_on": "1893456000",
                "resource": "https://vault.azure.net", "token_type": "Bearer",
                "client_id": CLIENT_ID}),
        )
    })
}

/// The Azure CLI's application id, which a device-code profile signs in as by default.
pub const AZURE_CLI_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
pub const VERIFICATION_URI: &str = "https://microsoft.com/devicelogin";
pub const USER_CODE: &str = "DCK9QVPLX";
/// What kvtui polls with: a secret, as good as a token once the user has signed in.
pub const DEVICE_CODE: &str = "DAQABAAEAAAD--DLA3VO7QrddgJg7WevrAgAAAAAAAAAAAAAAdevicecode";

/// How the token endpoint answers a device-code poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Poll {
    /// The user has not signed in yet.
    Pending,
    /// Polled too often (RFC 8628 §3.5).
    SlowDown,
    /// The code's 15 minutes are up.
    Expired,
    /// The user said no.
    Declined,
    /// The user signed in and the tenant's Conditional Access blocks the device code flow.
    Blocked,
    /// The user signed in.
    SignedIn,
}

/// The access token the device authority hands out for `resource` (`vault`, `arm`) in `tenant`.
pub fn device_token(resource: &str, tenant: &str) -> String {
    format!("dc-{resource}-token-{tenant}")
}

/// The refresh token it hands out with the tokens of `tenant`.
pub fn refresh_token(tenant: &str) -> String {
    format!("dc-refresh-{tenant}")
}

/// An Entra error answer (400), its description in lines split by `\r\n` as Entra's are.
fn entra_error(error: &str, code: Option<u64>, description: &str) -> StubResponse {
    let mut body = json!({"error": error, "error_description": format!(
        "{description}\r\nTrace ID: 5e7d0b1c-0000-4000-8000-0000000000aa\r\nCorrelation ID: \
         0b9c4f3e-0000-4000-8000-0000000000bb\r\nTimestamp: 2026-11-22 10:00:00Z"),
        "timestamp": "2026-11-22 10:00:00Z"});
    if let Some(code) = code {
        body["error_codes"] = json!([code]);
        body["error_uri"] = json!(format!(
            "https://login.microsoftonline.com/error?code={code}"
        ));
    }
    StubResponse::json(400, &body)
}

/// Entra's device authorization grant (RFC 8628, with Entra's bodies) at
/// `/{tenant}/oauth2/v2.0/devicecode` and `/token`: a code good for `expires_in` seconds and
/// polled every second, each poll answered with the next of `polls` (the last again once they
/// run out), and a refresh token it gave redeemed for any scope in any tenant. A token names its
/// resource and tenant.
pub fn device_authority(
    expires_in: u64,
    polls: &[Poll],
) -> impl Fn(&SeenRequest) -> StubResponse + use<> {
    let polls = polls.to_vec();
    let polled = std::sync::atomic::AtomicUsize::new(0);
    move |request| {
        let path = request.path().to_owned();
        let tenant = path.split('/').nth(1).unwrap_or_default();
        let form = form(request);
        let granted = |tenant: &str| {
            let scope = form.get("scope").map(String::as_str).unwrap_or_default();
            let resource = if scope.contains("management.azure.com") {
                "arm"
            } else {
                "vault"
            };
            StubResponse::json(
                200,
                &json!({"token_type": "Bearer", "scope": format!("{scope} openid profile"),
                    "expires_in": 4247, "ext_expires_in": 4247,
                    "access_token": device_token(resource, tenant),
                    "refresh_token": refresh_token(tenant),
                    "id_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJ0aWQiOiJ0In0."}),
            )
        };
        if path.ends_with("/oauth2/v2.0/devicecode") {
            return StubResponse::json(
                200,
                &json!({"user_code": USER_CODE, "device_code": DEVICE_CODE,
                    "verification_uri": VERIFICATION_URI, "expires_in": expires_in, "interval": 1,
                    "message": format!("To sign in, use a web browser to open the page \
                        {VERIFICATION_URI} and enter the code {USER_CODE} to authenticate.")}),
            );
        }
        match form.get("grant_type").map(String::as_str) {
            Some("urn:ietf:params:oauth:grant-type:device_code")
                if form.get("device_code").map(String::as_str) == Some(DEVICE_CODE) => {}
            Some("refresh_token")
                if form
                    .get("refresh_token")
                    .is_some_and(|token| token.starts_with("dc-refresh-")) =>
            {
                return granted(tenant);
            }
            _ => {
                return entra_error(
                    "invalid_grant",
                    Some(70000),
                    "AADSTS70000: Provided grant is invalid or malformed.",
                );
            }
        }
        let turn = polled.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        match polls[turn.min(polls.len() - 1)] {
            Poll::Pending => entra_error(
                "authorization_pending",
                Some(70016),
                "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
            ),
            Poll::SlowDown => StubResponse::json(400, &json!({"error": "slow_down"})),
            Poll::Expired => entra_error(
                "expired_token",
                Some(70020),
                "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
            ),
            Poll::Declined => entra_error(
                "authorization_declined",
                Some(70000),
                "AADSTS70000: The end user declined the authorization request.",
            ),
            Poll::Blocked => entra_error(
                "invalid_grant",
                Some(53003),
                "AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
            ),
            Poll::SignedIn => granted(tenant),
        }
    }
}
