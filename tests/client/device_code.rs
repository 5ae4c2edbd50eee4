//! `auth = "device-code"` through the real binary and kvtui's own credential, against a loopback
//! `login.microsoftonline.com` that speaks the device authorization grant as Entra does
//! (`support::identity::device_authority`), behind the same proxy and test CA as the other
//! kinds (see `credentials.rs`). The authority asks for a poll every second, a real second, so
//! the pace kvtui keeps is measured from when the polls arrived.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::credentials::{assert_shown, assert_vault_flow};
use crate::support;

use kvtui::auth::{DeviceCodeCredential, DeviceCodePrompt};
use kvtui::vault::TrustRoots;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::arm::ARM_SCOPE;
use support::identity::{
    AZURE_CLI_CLIENT_ID, DEVICE_CODE, Net, Poll, SCOPE, Tools, USER_CODE, VERIFICATION_URI,
    challenged_and_configured, device_authority, device_token, form, refresh_token,
};
use support::net::{SeenRequest, StubServer, TestCa};
use support::{Kvtui, text};

/// A vault whose challenge names `tenant` and takes the device-code token of `token_tenant`,
/// the authority answering polls with `polls`, and `kvtui secret show` run on a device-code
/// profile (`profile` adds its lines) at trace level.
fn sign_in(
    tenant: &str,
    token_tenant: &str,
    expires_in: u64,
    polls: &[Poll],
    profile: &str,
) -> (Net, Kvtui, Output) {
    let net = Net::with_login(
        tenant,
        &device_token("vault", token_tenant),
        device_authority(expires_in, polls),
    );
    let kvtui = net.config(&format!("auth = \"device-code\"\n{profile}"));
    let output = net.show(&kvtui, &Tools::new(), &[("KVTUI_LOG", "trace")]);
    (net, kvtui, output)
}

/// The prompt is on stderr with the authority's URL and code, and no token, refresh token or
/// device code is in stdout, stderr or the log.
fn assert_prompted_without_leaks(kvtui: &Kvtui, output: &Output, tenant: &str) {
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "profile p (auth = device-code): to sign in, open {VERIFICATION_URI} and enter the code {USER_CODE} (it expires at "
        )),
        "{stderr}"
    );
    let log = std::fs::read_to_string(kvtui.data_dir().join("kvtui.log")).unwrap_or_default();
    assert!(
        log.contains("device-code sign-in"),
        "the flow is logged: {log}"
    );
    let secrets = [
        device_token("vault", tenant),
        refresh_token(tenant),
        DEVICE_CODE.to_owned(),
    ];
    for (name, written) in [
        ("stdout", text(&output.stdout)),
        ("stderr", stderr),
        ("log", log),
    ] {
        for secret in &secrets {
            assert!(!written.contains(secret.as_str()), "{name} leaks {secret}");
        }
    }
}

/// A sign-in that `polls` end: exit 1, the prompt shown, then one `error:` line naming the
/// profile and the auth kind and saying each of `needles`. The network, for what it saw.
fn sign_in_ends(tenant: &str, expires_in: u64, polls: &[Poll], needles: &[&str]) -> Net {
    let (net, kvtui, output) = sign_in(tenant, tenant, expires_in, polls, "");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_prompted_without_leaks(&kvtui, &output, tenant);
    let stderr = text(&output.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: ") && last.contains("profile p (auth = device-code): "),
        "{stderr}"
    );
    for needle in needles {
        assert!(last.contains(needle), "expected {needle:?} in {last}");
    }
    assert_eq!(
        stderr
            .lines()
            .filter(|line| line.starts_with("error"))
            .count(),
        1,
        "{stderr}"
    );
    net
}

/// The device authorization request, then the polls, all to `tenant`'s endpoints and for the
/// client `client_id`. The polls.
fn the_polls(requests: &[SeenRequest], tenant: &str, client_id: &str) -> Vec<SeenRequest> {
    let (first, polls) = requests
        .split_first()
        .expect("a device authorization request");
    assert_eq!(first.path(), format!("/{tenant}/oauth2/v2.0/devicecode"));
    let body = form(first);
    assert_eq!(body["client_id"], client_id);
    assert_eq!(body["scope"], format!("{SCOPE} offline_access"));
    for poll in polls {
        assert_eq!(poll.path(), format!("/{tenant}/oauth2/v2.0/token"));
        let body = form(poll);
        assert_eq!(
            body["grant_type"],
            "urn:ietf:params:oauth:grant-type:device_code"
        );
        assert_eq!(body["device_code"], DEVICE_CODE);
        assert_eq!(body["client_id"], client_id);
    }
    let mut polls = polls.to_vec();
    polls.insert(0, first.clone());
    polls
}

/// The time from each request to the next.
fn gaps(requests: &[SeenRequest]) -> Vec<Duration> {
    requests
        .windows(2)
        .map(|pair| pair[1].at.duration_since(pair[0].at))
        .collect()
}

#[test]
fn a_device_code_sign_in_polls_every_interval_until_the_user_has_signed_in() {
    let tenant = "7a1c0b55-0017-4c11-9000-00000000a017";
    let (net, kvtui, output) = sign_in(
        tenant,
        tenant,
        900,
        &[Poll::Pending, Poll::Pending, Poll::SignedIn],
        "",
    );
    assert_shown(&output);
    assert_prompted_without_leaks(&kvtui, &output, tenant);
    // In the challenge's tenant, as the Azure CLI's public client.
    let requests = the_polls(&net.token_requests(), tenant, AZURE_CLI_CLIENT_ID);
    assert_eq!(requests.len(), 4, "one request for the code, three polls");
    for gap in gaps(&requests) {
        assert!(gap >= Duration::from_millis(950), "polled after {gap:?}");
    }
    assert_vault_flow(&net, &device_token("vault", tenant));
}

#[test]
fn the_profiles_tenant_id_and_client_id_are_signed_in_with() {
    let (challenged, configured) = challenged_and_configured(18);
    let client_id = "55555555-5555-4555-8555-555555555555";
    let (net, _kvtui, output) = sign_in(
        &challenged,
        &configured,
        900,
        &[Poll::SignedIn],
        &format!("tenant_id = \"{configured}\"\nclient_id = \"{client_id}\""),
    );
    assert_shown(&output);
    assert_eq!(
        the_polls(&net.token_requests(), &configured, client_id).len(),
        2
    );
}

#[test]
fn slow_down_adds_five_seconds_to_the_interval() {
    let tenant = "7a1c0b55-0019-4c11-9000-00000000a019";
    let (net, kvtui, output) = sign_in(tenant, tenant, 900, &[Poll::SlowDown, Poll::SignedIn], "");
    assert_shown(&output);
    assert_prompted_without_leaks(&kvtui, &output, tenant);
    let requests = the_polls(&net.token_requests(), tenant, AZURE_CLI_CLIENT_ID);
    let gaps = gaps(&requests);
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    assert!(
        gaps[0] >= Duration::from_millis(950) && gaps[0] < Duration::from_secs(5),
        "the first poll after the 1 s interval: {gaps:?}"
    );
    assert!(
        gaps[1] >= Duration::from_millis(5950),
        "the next after 1 + 5 s: {gaps:?}"
    );
}

#[test]
fn an_expired_code_says_to_run_the_command_again() {
    let net = sign_in_ends(
        "7a1c0b55-0020-4c11-9000-00000000a020",
        900,
        &[Poll::Expired],
        &["the sign-in code expired", "run the command again"],
    );
    assert_eq!(net.token_requests().len(), 2, "no poll after expired_token");
}

#[test]
fn a_code_is_not_polled_for_past_its_expires_in() {
    let started = std::time::Instant::now();
    let net = sign_in_ends(
        "7a1c0b55-0021-4c11-9000-00000000a021",
        2,
        &[Poll::Pending],
        &["the sign-in code expired"],
    );
    let requests = net.token_requests();
    // Polls at 1 s and 2 s at the most: none once the 2 s are up.
    assert!(
        (2..=3).contains(&requests.len()),
        "{} requests",
        requests.len()
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_declined_sign_in_says_so() {
    sign_in_ends(
        "7a1c0b55-0022-4c11-9000-00000000a022",
        900,
        &[Poll::Declined],
        &["the sign-in was declined (authorization_declined: AADSTS70000"],
    );
}

#[test]
fn a_tenant_whose_conditional_access_blocks_device_code_says_to_use_another_auth_kind() {
    let tenant = "7a1c0b55-0023-4c11-9000-00000000a023";
    let net = sign_in_ends(
        tenant,
        900,
        &[Poll::Blocked],
        &[
            &format!("tenant {tenant} refuses device-code sign-in"),
            "AADSTS53003: Access has been blocked by Conditional Access policies.",
            "Trace ID: 5e7d0b1c",
            "use another auth kind",
        ],
    );
    assert_eq!(net.vault.seen().len(), 1, "no token reached the vault");
}

/// A credential against a device authority on loopback, and the prompts it showed.
fn loopback_credential(
    ca: &TestCa,
    login: &StubServer,
) -> (DeviceCodeCredential, Arc<Mutex<Vec<DeviceCodePrompt>>>) {
    let prompts = Arc::new(Mutex::new(Vec::new()));
    let shown = Arc::clone(&prompts);
    let credential = DeviceCodeCredential::new(
        "p",
        &format!("https://{}", login.addr),
        None,
        AZURE_CLI_CLIENT_ID.to_owned(),
        &TrustRoots::SystemAnd(ca.pem_file.clone()),
        Arc::new(move |prompt| shown.lock().unwrap().push(prompt)),
    )
    .unwrap();
    (credential, prompts)
}

#[test]
fn one_sign_in_serves_callers_at_once_and_later_scopes_by_its_refresh_token() {
    use azure_core::credentials::TokenCredential;
    let ca = TestCa::new();
    let login = StubServer::https(
        ca.server_config(&["127.0.0.1"]),
        device_authority(900, &[Poll::Pending, Poll::SignedIn]),
    );
    let (credential, prompts) = loopback_credential(&ca, &login);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // Two requests at once, as the TUI's list and details make: one sign-in, one prompt.
        let (first, second) = tokio::join!(
            credential.get_token(&[SCOPE], None),
            credential.get_token(&[SCOPE], None)
        );
        // Neither the profile nor a challenge named a tenant.
        let vault_token = device_token("vault", "organizations");
        assert_eq!(first.unwrap().token.secret(), vault_token);
        assert_eq!(second.unwrap().token.secret(), vault_token);
        let arm = credential.get_token(&[ARM_SCOPE], None).await.unwrap();
        assert_eq!(arm.token.secret(), device_token("arm", "organizations"));
        // Both are kept: asking again sends nothing.
        credential.get_token(&[SCOPE], None).await.unwrap();
        credential.get_token(&[ARM_SCOPE], None).await.unwrap();
    });
    let shown = prompts.lock().unwrap().clone();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(
        (
            shown[0].verification_uri.as_str(),
            shown[0].user_code.as_str()
        ),
        (VERIFICATION_URI, USER_CODE)
    );
    assert!(shown[0].message.contains(USER_CODE), "{shown:?}");
    let expires_in = shown[0].expires_at - time::OffsetDateTime::now_utc();
    assert!(
        expires_in > time::Duration::minutes(14) && expires_in <= time::Duration::minutes(15),
        "{expires_in}"
    );
    let requests = login.seen();
    let (sign_in, refresh) = requests.split_at(3);
    assert_eq!(
        the_polls(sign_in, "organizations", AZURE_CLI_CLIENT_ID).len(),
        3
    );
    assert_eq!(refresh.len(), 1, "{requests:?}");
    let body = form(&refresh[0]);
    assert_eq!(refresh[0].path(), "/organizations/oauth2/v2.0/token");
    assert_eq!(body["grant_type"], "refresh_token");
    assert_eq!(body["refresh_token"], refresh_token("organizations"));
    assert_eq!(body["scope"], format!("{ARM_SCOPE} offline_access"));
}

#[test]
fn a_profile_opened_again_in_the_same_process_keeps_its_sign_in() {
    use azure_core::credentials::TokenCredential;
    let ca = TestCa::new();
    let login = StubServer::https(
        ca.server_config(&["127.0.0.1"]),
        device_authority(900, &[Poll::SignedIn]),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (first, first_prompts) = loopback_credential(&ca, &login);
    runtime.block_on(first.get_token(&[SCOPE], None)).unwrap();
    drop(first);
    let signed_in = login.seen().len();
    // As the TUI does on reopening the profile, or for its expiry scan: a new credential.
    let (again, again_prompts) = loopback_credential(&ca, &login);
    let token = runtime.block_on(again.get_token(&[SCOPE], None)).unwrap();
    assert_eq!(token.token.secret(), device_token("vault", "organizations"));
    assert_eq!(login.seen().len(), signed_in, "{:?}", login.seen());
    assert_eq!(first_prompts.lock().unwrap().len(), 1);
    assert!(again_prompts.lock().unwrap().is_empty());
}
