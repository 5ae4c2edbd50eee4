//! The fuzz targets' properties (`tests/props/mod.rs`) run briefly under proptest, so every
//! `cargo test` explores a few hundred inputs per target; `fuzz/README.md` runs them for minutes
//! under libFuzzer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::props;

use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::Config;

/// Random text, or text in one of `shapes` (regexes), each as likely: the shapes reach a
/// parser's branches, which random noise alone seldom does.
fn noise_or(shapes: &'static [&'static str]) -> impl Strategy<Value = String> {
    let shaped = shapes.iter().map(|shape| shape.boxed());
    Union::new(std::iter::once(any::<String>().boxed()).chain(shaped))
}

/// Text that reaches the WHEN parser's branches, not just random noise.
fn when_text() -> impl Strategy<Value = String> {
    noise_or(&[
        "[+]?[0-9]{0,20}[hdwmyé ]?",
        "[ ]?(never|NEVER|Never|nev)[ ]?",
        "[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2}|\\.[0-9]{1,9}Z)",
    ])
}

fn tag_entry() -> impl Strategy<Value = String> {
    noise_or(&[
        "[a-z=]{0,5}=[a-z=]{0,5}",
        "[a-z]{250,260}=v",
        "k=[a-z]{250,260}",
    ])
}

/// A challenge header that is nearly right: the parser's edge cases live there.
fn challenge_text() -> impl Strategy<Value = String> {
    noise_or(&[
        "(Bearer|bearer|Basic|) ((authorization|authorization_uri|resource|scope|x)=(\"[^\"]{0,30}\"?|[a-z:/.]{0,30})[, ]{0,2}){0,4}",
    ])
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
    fn name_validation(input in noise_or(&["[a-zA-Z0-9-]{0,130}", "[a-zA-Z0-9_ -]{1,10}"])) {
        props::name(&input);
    }

    #[test]
    fn config_parsing(text in noise_or(&[
        "(default_profile = \"[a-z]{1,3}\"\n)?(\\[profiles\\.[a-z\"]{1,4}\\]\n((vault_url|auth|read_only|api_version|tenant_id|client_id|client_secret_env|ca_file|local_data_dir|extra) = (\"[a-z:/.\\-]{0,20}\"|true|1|\\[\\])\n){0,5}){0,3}",
    ])) {
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

/// A date as a vault may send it: any integer, with the edges a formatter gets wrong (the ends
/// of i64, the ends of four-digit years, before 1970) more often than chance would give them.
fn hostile_date() -> impl Strategy<Value = Option<i64>> {
    proptest::option::of(prop_oneof![
        Just(i64::MIN),
        Just(i64::MAX),
        i64::MIN..i64::MIN + 100_000,
        i64::MAX - 100_000..=i64::MAX,
        253_402_300_700i64..253_402_300_900,
        -62_167_219_300i64..-62_167_219_100,
        -100_000_000_000i64..0,
        1_700_000_000i64..1_900_000_000,
        any::<i64>(),
    ])
}

/// Text of every width and kind: ASCII names, wide CJK and emoji, control and format characters.
fn hostile_text(longest: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::string::string_regex(&format!("[a-z0-9-]{{1,{longest}}}")).unwrap(),
        proptest::string::string_regex(&format!("[\u{4e00}-\u{4e40}😀-🙏\u{200d}]{{0,{longest}}}"))
            .unwrap(),
        proptest::string::string_regex(&format!(
            "[a-zA-Z=\u{202a}-\u{202e}\u{2066}-\u{2069}\u{200b}-\u{200f}\u{2060}\u{feff}\u{ad}\u{e0020}-\u{e007f}\u{1b}\u{7}\u{9b}\u{7f}\n\t]{{0,{longest}}}"
        ))
        .unwrap(),
        any::<String>(),
    ]
}

fn hostile_version() -> impl Strategy<Value = props::render::HostileVersion> {
    (
        (
            hostile_text(140),
            hostile_text(40),
            proptest::option::of(hostile_text(300)),
        ),
        proptest::collection::vec((hostile_text(600), hostile_text(600)), 0..40),
        [
            hostile_date(),
            hostile_date(),
            hostile_date(),
            hostile_date(),
        ],
        (
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<i64>()),
            (hostile_text(80), 0usize..400),
        ),
    )
        .prop_map(
            |(
                (name, version, content_type),
                tags,
                dates,
                (enabled, recoverable_days, (line, lines)),
            )| {
                props::render::HostileVersion {
                    name,
                    version,
                    content_type,
                    tags,
                    dates,
                    enabled,
                    recoverable_days,
                    value: vec![line; lines].join("\n"),
                }
            },
        )
}

proptest! {
    #![proptest_config(Config::with_cases(32))]

    #[test]
    fn the_tui_draws_whatever_a_vault_sends(
        versions in proptest::collection::vec(hostile_version(), 0..6),
        message in hostile_text(2_000),
    ) {
        props::render::render_hostile(&versions, &message);
    }
}

fn plain_version(dates: [Option<i64>; 4]) -> props::render::HostileVersion {
    props::render::HostileVersion {
        name: "far-future".into(),
        version: "0123456789abcdef0123456789abcdef".into(),
        content_type: None,
        tags: Vec::new(),
        dates,
        enabled: Some(true),
        recoverable_days: None,
        value: String::new(),
    }
}

/// The dates that crashed the TUI before every date it draws was made total: past year 9999 in
/// the versions pane at 130 columns and more, and in the expiry overview at any size.
#[test]
fn dates_past_9999_and_at_the_ends_of_i64_are_drawn() {
    props::render::render_hostile(
        &[
            plain_version([None, Some(253_402_300_800), Some(i64::MAX), Some(i64::MIN)]),
            plain_version([Some(i64::MIN), Some(i64::MAX), Some(-1), Some(0)]),
        ],
        "refused",
    );
}

/// Found by the property above: 40 tags of 600 characters and a revealed value of 400 lines,
/// wrapped one column wide, are more rows than a u16 counts, and the details pane's "1/N"
/// overflowed adding one.
#[test]
fn details_taller_than_u16_rows_are_drawn() {
    let tags = (0..40)
        .map(|i| (format!("{i:03}{}", "k".repeat(597)), "v".repeat(600)))
        .collect();
    let tall = props::render::HostileVersion {
        tags,
        value: vec!["x".repeat(80); 400].join("\n"),
        ..plain_version([None, None, Some(1_700_000_000), Some(1_700_000_000)])
    };
    props::render::render_hostile(&[tall], "refused");
}
