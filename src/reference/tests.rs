use super::*;
use std::path::Path;

const VERSION: &str = "4387e9f3d6e14c459867679a90fd0f79";

fn parsed(text: &str) -> (VaultOf, String, Option<String>) {
    let reference = Reference::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"));
    (reference.vault, reference.name, reference.version)
}

fn refused(text: &str) -> String {
    match Reference::parse(text) {
        Ok(reference) => panic!("{text} was taken: {reference:?}"),
        Err(error) => error.to_string(),
    }
}

fn url(host: &str) -> VaultOf {
    VaultOf::Url(format!("https://{host}"))
}

#[test]
fn every_form_names_its_vault_secret_and_version() {
    let named = |vault: &str| VaultOf::Named(vault.to_owned());
    let cases = [
        (
            "kv://prod/db-password",
            VaultOf::Profile("prod".into()),
            None,
        ),
        (
            &format!("kv://prod/db-password/{VERSION}"),
            VaultOf::Profile("prod".into()),
            Some(VERSION),
        ),
        ("kv:///db-password", VaultOf::Default, None),
        (
            "  kv://prod/db-password/\n",
            VaultOf::Profile("prod".into()),
            None,
        ),
        (
            "https://myvault.vault.azure.net/secrets/db-password",
            url("myvault.vault.azure.net"),
            None,
        ),
        (
            &format!("https://MyVault.vault.azure.net/secrets/db-password/{VERSION}"),
            url("myvault.vault.azure.net"),
            Some(VERSION),
        ),
        (
            "https://127.0.0.1:8443/secrets/db-password/",
            url("127.0.0.1:8443"),
            None,
        ),
        (
            "@Microsoft.KeyVault(SecretUri=https://myvault.vault.azure.net/secrets/db-password/)",
            url("myvault.vault.azure.net"),
            None,
        ),
        (
            "@Microsoft.KeyVault(VaultName=myvault;SecretName=db-password)",
            named("myvault"),
            None,
        ),
        (
            &format!(
                "@microsoft.keyvault(vaultname=myvault; secretname=db-password; SecretVersion={VERSION})"
            ),
            named("myvault"),
            Some(VERSION),
        ),
        (
            "akvs://faa080af-c1d8-40ad-9cce-000000000000/vivazqu-kv/SECURE-KEY-kv-secret",
            named("vivazqu-kv"),
            None,
        ),
    ];
    for (text, vault, version) in cases {
        let name = if text.contains("SECURE") {
            "SECURE-KEY-kv-secret"
        } else {
            "db-password"
        };
        assert_eq!(
            parsed(text),
            (vault, name.to_owned(), version.map(str::to_owned)),
            "{text}"
        );
    }
}

#[test]
fn a_malformed_reference_says_what_is_wrong_with_it() {
    let cases = [
        ("db-password", "is not a reference"),
        ("kv://prod", "wants kv://PROFILE/NAME"),
        ("kv://prod/", "name: is required"),
        ("kv://prod/db_password", "'_'"),
        ("kv://pr od/x", "is not a profile name"),
        ("kv://prod/x/abc123", "give all 32 hex digits"),
        ("kv://prod/x/v/extra", "has more path"),
        ("kv://prod/x?version=1", "query"),
        ("http://myvault.vault.azure.net/secrets/x", "over https"),
        (
            "https://user:pw@myvault.vault.azure.net/secrets/x",
            "user name or password",
        ),
        (
            "https://myvault.vault.azure.net/keys/x",
            "is not a secret id",
        ),
        (
            "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/x",
            "does not end with ')'",
        ),
        (
            "@Microsoft.KeyVault(VaultName=v)",
            "wants SecretUri=… alone",
        ),
        (
            "@Microsoft.KeyVault(SecretName=x;SecretName=y;VaultName=v)",
            "gives SecretName twice",
        ),
        (
            "@Microsoft.KeyVault(Vault=v;SecretName=x)",
            "is not SecretUri",
        ),
        ("akvs://sub/vault", "wants akvs://SUBSCRIPTION/VAULT/NAME"),
        ("akvs://sub/bad.vault/x", "is not a vault name"),
    ];
    for (text, says) in cases {
        let message = refused(text);
        assert!(message.contains(says), "{text}: {message}");
        assert!(message.starts_with("reference \""), "{text}: {message}");
    }
}

#[test]
fn a_long_reference_is_cut_in_its_error() {
    let message = refused(&format!("kv://prod/{}", "x".repeat(5_000)));
    assert!(message.len() < 600, "{} bytes", message.len());
}

#[test]
fn only_reference_schemes_mark_a_value_as_a_reference() {
    for (text, is_reference) in [
        ("kv://p/x", true),
        ("akvs://s/v/x", true),
        ("@microsoft.keyvault(SecretUri=x)", true),
        ("https://v.vault.azure.net/secrets/x", false),
        ("kv:/x", false),
        ("hunter2", false),
        ("", false),
    ] {
        assert_eq!(has_reference_scheme(text), is_reference, "{text:?}");
    }
}

fn config() -> Config {
    Config::parse(
        r#"
default_profile = "dev"
[profiles.dev]
vault_url = "https://kv-dev.vault.azure.net"
[profiles.prod]
vault_url = "https://kv-prod.vault.azure.net"
[profiles.prod-cn]
vault_url = "https://kv-twin.vault.azure.cn"
[profiles.twin]
vault_url = "https://kv-twin.vault.azure.net"
"#,
        Path::new("/etc/kvtui/config.toml"),
    )
    .expect("the config")
}

fn profile_of(text: &str, default: Option<&str>) -> Result<String, String> {
    let config = config();
    let reference = Reference::parse(text).expect("a reference");
    reference
        .profile(&config, default)
        .map(|profile| profile.name.clone())
        .map_err(|error| error.to_string())
}

#[test]
fn each_form_finds_the_profile_that_opens_its_vault() {
    assert_eq!(profile_of("kv://prod/x", None).as_deref(), Ok("prod"));
    assert_eq!(profile_of("kv:///x", None).as_deref(), Ok("dev"));
    assert_eq!(profile_of("kv:///x", Some("prod")).as_deref(), Ok("prod"));
    assert_eq!(
        profile_of("https://KV-PROD.vault.azure.net/secrets/x", None).as_deref(),
        Ok("prod")
    );
    assert_eq!(
        profile_of("akvs://sub/kv-dev/x", None).as_deref(),
        Ok("dev")
    );
    assert_eq!(
        profile_of("@Microsoft.KeyVault(VaultName=KV-PROD;SecretName=x)", None).as_deref(),
        Ok("prod")
    );
}

#[test]
fn a_vault_no_profile_opens_says_which_profile_to_add() {
    let message = profile_of("https://other.vault.azure.net/secrets/x", None).expect_err("none");
    assert!(
        message.contains("kvtui profile add NAME --vault https://other.vault.azure.net"),
        "{message}"
    );
    let message = profile_of("akvs://sub/other/x", None).expect_err("none");
    assert!(
        message.contains("kvtui profile add other --vault other"),
        "{message}"
    );
    let message = profile_of("kv://staging/x", None).expect_err("none");
    assert!(message.contains("staging"), "{message}");
    let message = profile_of("akvs://sub/kv-twin/x", None).expect_err("two");
    assert!(message.contains("prod-cn and twin"), "{message}");
}

#[test]
fn written_references_read_back_as_the_same_secret() {
    let vault = "https://kv-prod.vault.azure.net";
    for written in [
        kv_reference("prod", "db-password"),
        versionless_id(vault, "db-password"),
        app_service_reference(vault, "db-password"),
    ] {
        assert_eq!(
            profile_of(&written, None).as_deref(),
            Ok("prod"),
            "{written}"
        );
        assert_eq!(parsed(&written).1, "db-password");
        assert_eq!(parsed(&written).2, None);
    }
}
