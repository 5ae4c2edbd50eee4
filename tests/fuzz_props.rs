//! The fuzz targets' properties (`tests/props/mod.rs`) run briefly under proptest, so every
//! `cargo test` explores a few hundred inputs per target; `fuzz/README.md` runs them for minutes
//! under libFuzzer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod props;

use proptest::prelude::*;
use proptest::test_runner::Config;

/// Text that reaches the WHEN parser's branches, not just random noise.
fn when_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[+]?[0-9]{0,20}[hdwmyé ]?",
        "[ ]?(never|NEVER|Never|nev)[ ]?",
        "[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2}|\\.[0-9]{1,9}Z)",
    ]
}

fn tag_entry() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z=]{0,5}=[a-z=]{0,5}",
        "[a-z]{250,260}=v",
        "k=[a-z]{250,260}",
    ]
}

/// A challenge header that is nearly right: the parser's edge cases live there.
fn challenge_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "(Bearer|bearer|Basic|) ((authorization|authorization_uri|resource|scope|x)=(\"[^\"]{0,30}\"?|[a-z:/.]{0,30})[, ]{0,2}){0,4}",
    ]
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,8}(\\.[a-z]{1,8}){0,3}",
        Just("myvault.vault.azure.net".to_owned()),
        Just("vault.azure.net.evil.example".to_owned()),
        Just("127.0.0.1:8443".to_owned()),
    ]
}

proptest! {
    #![proptest_config(Config::with_cases(512))]

    #[test]
    fn when_parser(input in when_text()) {
        props::when(&input);
    }

    #[test]
    fn when_round_trips(unix in -62_135_596_800i64..=253_402_300_799) {
        props::when_round_trip(unix);
    }

    #[test]
    fn tag_parsing(entries in proptest::collection::vec(tag_entry(), 0..18)) {
        props::tags(&entries);
    }

    #[test]
    fn name_validation(input in prop_oneof![any::<String>(), "[a-zA-Z0-9-]{0,130}", "[a-zA-Z0-9_ -]{1,10}"]) {
        props::name(&input);
    }

    #[test]
    fn config_parsing(text in prop_oneof![
        any::<String>(),
        "(default_profile = \"[a-z]{1,3}\"\n)?(\\[profiles\\.[a-z\"]{1,4}\\]\n((vault_url|auth|read_only|api_version|tenant_id|client_id|client_secret_env|ca_file|local_data_dir|extra) = (\"[a-z:/.\\-]{0,20}\"|true|1|\\[\\])\n){0,5}){0,3}",
    ]) {
        props::config(&text);
    }

    #[test]
    fn config_errors_never_quote_a_pasted_secret(
        secret in "[ -~]{12,40}",
        unknown in any::<bool>(),
        quoted in any::<bool>(),
    ) {
        props::config_never_quotes_a_pasted_secret(&secret, unknown, quoted);
    }

    #[test]
    fn challenge_parsing(header in challenge_text(), vault in host()) {
        props::challenge(&header, &vault);
    }

    #[test]
    fn well_formed_challenges(
        scheme in "(Bearer|bearer|BEARER)",
        authorization in "https://login\\.[a-z]{1,10}\\.com/[a-z0-9-]{1,36}",
        resource in "https://[a-z]{1,10}\\.azure\\.net/?",
        scope in proptest::option::of("https://[a-z]{1,10}\\.azure\\.net/\\.default"),
        order in Just(vec![0usize, 1, 2]).prop_shuffle(),
        separator in "(, |,| )",
        quote in any::<bool>(),
    ) {
        props::challenge_well_formed(&scheme, &authorization, &resource, scope.as_deref(), &order, &separator, quote);
    }
}

/// Found by the `challenge` fuzz target: a vault URL with `user@` in it. The property compared
/// against the whole authority; kvtui rightly compares against the host after the `@`.
#[test]
fn challenge_with_userinfo_in_the_vault_url() {
    props::challenge(
        "Bearer authoriz_.tauris\"=otenant\", scope=\"ht.defau\u{1}\0\0\0\0y\0\0\0\0@7.000.1:8443\nBearer authoriz_.tlq\0t\"",
        "12t.\u{1}\0\0\0\0y\0\0\0\0@7.000.1:8443",
    );
    props::challenge("Bearer resource=\"https://[::1]:8443\"", "[::1]:8443");
}

fn request_input() -> impl Strategy<Value = props::RequestInput> {
    (
        (
            any::<u8>(),
            any::<u8>(),
            prop_oneof!["[a-z0-9-]{1,12}", any::<String>()],
        ),
        (
            prop_oneof!["[0-9a-f]{32}", any::<String>()],
            any::<u8>(),
            any::<String>(),
        ),
        (
            any::<u8>(),
            any::<u8>(),
            proptest::collection::vec(any::<u8>(), 0..64),
            any::<i64>(),
        ),
    )
        .prop_map(
            |(
                (method, route, name),
                (version, query, query_text),
                (auth, body_kind, body, number),
            )| {
                props::RequestInput {
                    method,
                    route,
                    name,
                    version,
                    query,
                    query_text,
                    auth,
                    body_kind,
                    body,
                    number,
                }
            },
        )
}

proptest! {
    #![proptest_config(Config::with_cases(400))]

    #[test]
    fn local_vault_request_handling(inputs in proptest::collection::vec(request_input(), 1..8)) {
        // Several requests against one vault, so later ones meet what earlier ones stored.
        let vault = props::VaultUnderTest::new();
        for input in &inputs {
            props::vault_request(&vault, input);
        }
    }
}
