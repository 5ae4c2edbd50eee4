//! `kvtui vault list` through the real binary and the real azure-cli credential (a stand-in `az`
//! on `PATH`): against Azure Resource Manager at `management.azure.com` (a loopback server with a
//! certificate from a test CA, behind a CONNECT proxy given as `HTTPS_PROXY`) answering in the
//! shapes of the official specs' examples (`tests/fixtures/arm/`), and against the local vault's
//! own Resource Manager.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use serde_json::Value;
use support::arm::{
    ARM_HOST, ARM_SCOPE, DEV, GUEST_TENANT, HOME_TENANT, MFA_TENANT, OLD, OPERATOR, PARTNER, PROD,
    ResourceManager,
};
use support::identity::{Tools, isolated};
use support::{Kvtui, VaultProcess, text};

/// A run that exited 0 with JSON on stdout: the JSON, stdout and stderr.
fn succeeded_with_json(output: &std::process::Output) -> (Value, String, String) {
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let json = serde_json::from_str(&stdout).expect(&stdout);
    (json, stdout, stderr)
}

#[test]
fn vault_list_reads_every_tenant_and_subscription_and_names_what_refused() {
    let arm = ResourceManager::start();
    let kvtui = arm.kvtui();
    let output = arm
        .command(&kvtui, &["--profile", "p", "vault", "list", "--json"])
        .output()
        .unwrap();
    let (listed, stdout, stderr) = succeeded_with_json(&output);

    let vaults = listed["vaults"].as_array().unwrap();
    let names: Vec<&str> = vaults.iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["prod-kv", "sample-vault", "partner-kv"],
        "each once, by tenant and subscription: {stdout}"
    );
    let sample = &vaults[1];
    assert_eq!(sample["vaultUrl"], "https://sample-vault.vault.azure.net");
    assert_eq!(sample["resourceGroup"], "sample-group");
    assert_eq!(sample["location"], "westus");
    assert_eq!(
        sample["rbac"], false,
        "the example sets no enableRbacAuthorization"
    );
    assert_eq!(sample["subscription"], "Prod");
    assert_eq!(sample["profile"], Value::Null);
    assert_eq!(vaults[0]["rbac"], true);
    assert_eq!(
        vaults[0]["profile"], "p",
        "the vault profile p opens is marked"
    );
    assert_eq!(
        vaults[0]["tenant"], "Contoso Corp.",
        "Prod, which the guest tenant sees too, is listed in its own tenant"
    );
    assert_eq!(vaults[2]["tenant"], "TEST_TEST_RDV");

    assert_eq!(listed["signedIn"][0]["who"], OPERATOR, "{stdout}");
    assert_eq!(
        listed["signedIn"][0]["account"],
        "profile p (auth = azure-cli)"
    );
    assert_eq!(listed["signedIn"][0]["expires"], 1_893_456_000);
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
    said(
        "vault lookalike-kv",
        "its vaultUri \"https://lookalike-kv.vault.azure.net.evil.example\" is not a vault of this cloud (vault.azure.net): not listed",
    );
    assert_eq!(unreadable.len(), 5, "{unreadable:#?}");
    assert_eq!(stderr.lines().count(), 5, "one warning each: {stderr}");

    let mut runs = arm.tools.runs("az");
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
        arm.proxy
            .connects()
            .iter()
            .all(|target| target == &format!("{ARM_HOST}:443")),
        "{:?}",
        arm.proxy.connects()
    );
    assert!(
        arm.server.seen().iter().all(|r| r.path() != "/steal"),
        "the foreign nextLink was never asked"
    );
    let prod_lists = arm
        .server
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
    let output = isolated(&kvtui, &["vault", "list", "--json"], &tools)
        .output()
        .unwrap();
    let (listed, stdout, stderr) = succeeded_with_json(&output);
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

#[test]
fn profile_add_pick_lists_what_discovery_finds_and_adds_the_chosen_one() {
    let arm = ResourceManager::start();
    let kvtui = arm.kvtui();
    let before = kvtui.config_text();
    let pick = |input: &[u8]| {
        support::output_with_stdin(
            arm.command(
                &kvtui,
                &[
                    "--profile",
                    "p",
                    "profile",
                    "add",
                    "partner",
                    "--pick",
                    "--read-only",
                ],
            ),
            input,
        )
    };

    let refused = pick(b"9\n");
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(
        text(&refused.stderr).contains("\"9\" is not one of 1 to 2"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(kvtui.config_text(), before, "nothing written");

    let added = pick(b"2\n");
    let (stdout, stderr) = (text(&added.stdout), text(&added.stderr));
    assert_eq!(added.status.code(), Some(0), "{stderr}");
    // prod-kv is profile p already: only the others are offered, in the listing's order.
    assert!(stderr.contains("  1  sample-vault"), "{stderr}");
    assert!(stderr.contains("  2  partner-kv"), "{stderr}");
    assert!(!stderr.contains("prod-kv"), "{stderr}");
    assert!(stdout.contains("profile partner"), "{stdout}");
    let after = kvtui.config_text();
    assert!(after.starts_with(&before), "{after}");
    let table = &after[before.len()..];
    for line in [
        "[profiles.partner]",
        "vault_url = \"https://partner-kv.vault.azure.net\"",
        "auth = \"azure-cli\"",
        &format!("tenant_id = \"{GUEST_TENANT}\""),
        "read_only = true",
    ] {
        assert!(table.contains(line), "{line} in {table}");
    }
}

#[test]
fn profile_list_signed_in_names_whom_each_token_names_and_never_the_token() {
    let arm = ResourceManager::start();
    let kvtui = arm.kvtui();
    let output = arm
        .command(&kvtui, &["profile", "list", "--signed-in", "--json"])
        .output()
        .unwrap();
    let (listed, stdout, _) = succeeded_with_json(&output);
    let signed_in = &listed["profiles"][0]["signedIn"];
    assert_eq!(signed_in["who"], OPERATOR, "{stdout}");
    assert_eq!(
        signed_in["tenant"], "home",
        "az's own tenant: the profile pins none"
    );
    assert_eq!(signed_in["expires"], 1_893_456_000);
    assert!(
        !stdout.contains("az-token-"),
        "the token is never printed: {stdout}"
    );
    assert_eq!(
        arm.tools.runs("az"),
        ["account get-access-token -o json --scope https://vault.azure.net/.default"]
    );

    let text_output = arm
        .command(&kvtui, &["profile", "list", "--signed-in"])
        .output()
        .unwrap();
    let listing = text(&text_output.stdout);
    assert!(
        listing.contains(
            "    signed in as operator@contoso.com in tenant home, token until 2030-01-01 00:00 UTC"
        ),
        "{listing}"
    );
    // Without the flag nothing signs in: the listing stays instant and offline.
    kvtui.ok(&["profile", "list"]);
    assert_eq!(arm.tools.runs("az").len(), 2);
}
