//! The vault picker (`V`) in a terminal, at 80×24: the real binary signed in through the real
//! azure-cli credential (a stand-in `az`), finding vaults in a Resource Manager on loopback
//! (`support::arm`), saving one as a profile in config.toml and opening them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use support::arm::{GUEST_TENANT, HOME_TENANT, ResourceManager};

#[test]
fn the_picker_finds_saves_and_opens_vaults() {
    let arm = ResourceManager::start();
    let kvtui = arm.kvtui();
    let before = kvtui.config_text();
    let env = arm.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut tui = kvtui.tui(&["--profile", "p"], &env, (80, 24));
    tui.wait_for(" p ");

    tui.send("V");
    // Vaults come in as each subscription answers; the search ends with the last.
    let screen = tui.wait_until(
        "every subscription",
        std::time::Duration::from_secs(20),
        |screen| screen.contains("Vaults 3/3 ") && !screen.contains("looking"),
    );
    for shown in [
        "sample-vault",
        "prod-kv (p)",
        "partner-kv",
        "Partner",
        "policies",
        "rbac",
    ] {
        assert!(screen.contains(shown), "{shown}: {screen}");
    }
    tui.wait_for("profile p (auth = azure-cli): signed in as operator@contoso.com");
    tui.send("/");
    tui.type_text("sample-va");
    tui.send("\r");
    tui.wait_showing("Vaults 1/3", &["https://sample-vault.vault.azure.net"]);

    tui.send("s");
    tui.wait_showing("Save sample-vault as a profile", &["read-only: yes"]);
    tui.send("\t");
    tui.wait_for("read-only: no");
    tui.send("\t\r");
    // The status line may be showing the list's retries: the mark says it was saved.
    tui.wait_for("✓ sample-vault");
    let after = kvtui.config_text();
    assert!(
        after.starts_with(&before),
        "what was there is kept as it was:\n{after}"
    );
    let added = &after[before.len()..];
    assert!(added.contains("[profiles.sample-vault]"), "{added}");
    assert!(
        added.contains("vault_url = \"https://sample-vault.vault.azure.net\""),
        "{added}"
    );
    assert!(added.contains("auth = \"azure-cli\""), "{added}");
    assert!(added.contains("read_only = true"), "{added}");
    assert!(
        added.contains(HOME_TENANT) || added.contains(GUEST_TENANT),
        "pinned to the tenant it was found in: {added}"
    );
    let listed = kvtui.ok(&["profile", "list"]);
    assert!(listed.contains("sample-vault"), "{listed}");

    // Saved, it is a profile like the others; Enter opens it.
    tui.send("\r");
    tui.wait_for(" sample-vault  read-only ");
    // Nothing answers for it here but Resource Manager: the list says where it tried.
    tui.wait_for("https://sample-vault.vault.azure.net/s");

    // A vault discovery cannot list, by name: opened as profile p signs in.
    tui.send("V");
    tui.wait_for("Vaults 1/3");
    tui.send("a");
    tui.wait_for("Open a vault");
    tui.type_text("hidden-kv");
    tui.send("\r");
    tui.wait_for(" hidden-kv ");
    tui.wait_for("https://hidden-kv.vault.azure.net/se");
    // The profile picker tells the saved from the one made for this session.
    tui.send("p");
    let screen = tui.wait_for("(this session only)");
    let marked: Vec<&str> = screen
        .lines()
        .filter(|line| line.contains("(this session only)"))
        .collect();
    assert_eq!(marked.len(), 1, "{screen}");
    assert!(marked[0].contains("hidden-kv"), "{screen}");
    tui.send("\u{1b}");
    tui.quit();
}

/// A first run on a jump box where `az login` is done: no config at all, and the picker opens by
/// itself with the vaults the account can see beside the embedded local vault.
#[test]
fn the_first_run_with_az_signed_in_opens_the_picker_by_itself() {
    let arm = ResourceManager::start();
    let kvtui = support::Kvtui::without_config();
    let ca = arm.ca.pem_file.display().to_string();
    let mut env = arm.env();
    // The signed-in account's profile trusts the system's roots; here they are this CA.
    env.push(("SSL_CERT_FILE", ca));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut tui = kvtui.tui(&[], &env, (80, 24));
    let screen = tui.wait_until(
        "the picker, unasked",
        std::time::Duration::from_secs(30),
        |screen| screen.contains("sample-vault") && screen.contains("partner-kv"),
    );
    assert!(
        screen.contains("your Azure sign-in can see these vaults"),
        "{screen}"
    );
    // The embedded local vault is listed too, marked as the profile it is.
    assert!(screen.contains("✓ local"), "{screen}");
    tui.send("\u{1b}");
    tui.quit();
}
