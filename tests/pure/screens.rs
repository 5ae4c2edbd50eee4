//! Snapshots of every pane, overlay and form state, at 80×24 (the smallest supported terminal)
//! and 160×48, drawn by the real `ui::render` from states built through `update`.
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always cargo test --test pure
//! screens` and read the diff).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::factory;

use crossterm::event::KeyCode;
use factory::*;
use kvtui::app::msg::Msg;
use kvtui::discovery::{FoundVault, Via};
use kvtui::state::{Overlay, State};
use kvtui::ui::Theme;
use kvtui::vault::SecretBundle;
use ratatui::style::Color;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// Snapshots `build()` at every size; the state is rebuilt per size, as a resize would.
fn snapshot(name: &str, build: impl Fn() -> State) {
    for size in SIZES {
        let mut state = build();
        let terminal = draw(&mut state, size, Theme { color: true });
        let text = screen_text(&terminal);
        assert!(
            !text.contains("s3cr3t-hunter2") || name.contains("revealed"),
            "{name}: the value is on screen without being revealed:\n{text}"
        );
        assert!(
            !text.contains(|c: char| kvtui::format_chars::is_format(c)),
            "{name}: a format character reaches the terminal:\n{text}"
        );
        // Named and placed as when this file was a test binary of its own.
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("screens__{name}@{}x{}", size.0, size.1), text);
        });
    }
}

#[test]
fn connecting() {
    snapshot("connecting", || fresh("staging").0);
}

#[test]
fn list_streaming_first_page() {
    snapshot("list_streaming", || {
        let (mut state, _) = fresh("staging");
        connect(&mut state);
        let base = vault_of(&state);
        let items = catalogue()[..3].iter().map(|s| item(&base, s)).collect();
        page(&mut state, items, false);
        state
    });
}

#[test]
fn main_screen_with_details_and_history() {
    snapshot("main", || detailed("staging"));
}

#[test]
fn older_version_selected_in_history() {
    snapshot("history_older_version", || {
        let mut state = detailed("staging");
        press(&mut state, KeyCode::Enter);
        press(&mut state, KeyCode::Char('j'));
        let attributes = state.versions.items.loaded().unwrap()[1].attributes.clone();
        answer_older_version(
            &mut state,
            SecretBundle {
                attributes,
                ..SecretBundle::default()
            },
        );
        state
    });
}

#[test]
fn disabled_secret_details() {
    snapshot("details_disabled", || {
        let mut state = listed("staging");
        for _ in 0..3 {
            press(&mut state, KeyCode::Char('j'));
        }
        answer(&mut state, |s| Msg::SelectionSettled {
            generation: s.generation,
            name: "old-signing-cert".into(),
        });
        answer(&mut state, |s| Msg::SecretLoaded {
            ticket: ticket(s, s.details.request),
            name: "old-signing-cert".into(),
            version: None,
            result: Err(service_error(
                403,
                "Forbidden",
                "Operation get is not allowed on a disabled secret.",
                Some("SecretDisabled"),
            )),
        });
        state
    });
}

/// `listed`, with `keys` pressed on the list.
fn pressed(keys: &[char]) -> State {
    let mut state = listed("staging");
    for &key in keys {
        press(&mut state, KeyCode::Char(key));
    }
    state
}

/// `listed`, with `query` typed into the filter line.
fn filtered(query: &str) -> State {
    let mut state = listed("staging");
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, query);
    state
}

#[test]
fn filter_typed() {
    snapshot("filter", || filtered("pass"));
}

#[test]
fn filter_terms_and_sort() {
    snapshot("filter_terms", || filtered("expires:<30d pass"));
    snapshot("filter_unreadable_term", || {
        filtered("tag:owner expires:soon")
    });
    snapshot("sorted_by_expiry", || pressed(&['s', 's']));
}

#[test]
fn marked_secrets_in_the_list() {
    snapshot("list_marked", || pressed(&[' ', ' ']));
}

#[test]
fn a_bulk_write_reviewed_and_stopped() {
    let tagging = || {
        let mut state = marked_and(6, "t");
        type_text(&mut state, "owner=ops");
        press(&mut state, KeyCode::Enter);
        state
    };
    snapshot("bulk_review", tagging);
    snapshot("bulk_stopping", || {
        let mut state = tagging();
        press(&mut state, KeyCode::Enter);
        press(&mut state, KeyCode::Esc);
        state
    });
}

#[test]
fn the_characters_a_name_query_matched_are_marked_with_and_without_colour() {
    for color in [true, false] {
        let mut state = filtered("dbpass");
        let terminal = draw(&mut state, (80, 24), Theme { color });
        let buffer = terminal.backend().buffer();
        let text = screen_text(&terminal);
        let (row, line) = text
            .lines()
            .enumerate()
            .find(|(_, line)| line.contains("│db-password"))
            .expect("the matching row");
        let start = line.chars().position(|c| c == '│').unwrap() + 1;
        let marked: String = "db-password"
            .chars()
            .enumerate()
            .filter(|&(at, _)| {
                let cell = &buffer[((start + at) as u16, row as u16)];
                cell.modifier
                    .contains(ratatui::style::Modifier::UNDERLINED | ratatui::style::Modifier::BOLD)
            })
            .map(|(_, c)| c)
            .collect();
        assert_eq!(marked, "dbpass", "colour {color}:\n{text}");
    }
}

fn filled_form() -> State {
    let mut state = listed("staging");
    type_new_secret(
        &mut state,
        "payments-api-key",
        "s3cr3t-hunter2",
        "text/plain",
        ("owner", "payments"),
        "+90d",
    );
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, "2027-01-20");
    state
}

#[test]
fn form_filled_with_parsed_dates() {
    snapshot("form_filled", filled_form);
}

#[test]
fn form_with_errors_beside_fields() {
    snapshot("form_errors", || {
        let mut state = listed("staging");
        press(&mut state, KeyCode::Char('n'));
        type_text(&mut state, "bad name!");
        press(&mut state, KeyCode::Tab);
        press(&mut state, KeyCode::Tab);
        type_text(&mut state, &"x".repeat(300));
        press(&mut state, KeyCode::Tab);
        type_text(&mut state, "yesterday");
        ctrl(&mut state, 's');
        state
    });
}

#[test]
fn form_breaking_the_profiles_policy() {
    snapshot("form_policy", || {
        let mut state = governed();
        start_new_secret(&mut state, "db-password", "s3cr3t");
        ctrl(&mut state, 's');
        state
    });
}

#[test]
fn form_review_after_another_write_landed() {
    snapshot("form_review_conflict", || conflicted().0);
}

#[test]
fn form_submitting() {
    snapshot("form_submitting", || {
        let mut state = filled_form();
        submit_form(&mut state);
        state
    });
}

#[test]
fn form_failed_keeps_fields() {
    snapshot("form_failed", || {
        let mut state = filled_form();
        let (request, ..) = set_secret(&submit_form(&mut state)).unwrap();
        answer(&mut state, |s| Msg::SecretSet {
            ticket: ticket(s, request),
            result: Err(service_error(
                503,
                "ServiceUnavailable",
                "The service is unavailable.",
                None,
            )),
        });
        state
    });
}

fn name_deleted() -> State {
    let mut state = filled_form();
    let (request, ..) = set_secret(&submit_form(&mut state)).unwrap();
    answer_name_deleted(&mut state, request, "payments-api-key");
    state
}

#[test]
fn form_name_deleted_offers_recover_or_purge() {
    snapshot("form_name_deleted", name_deleted);
}

#[test]
fn form_confirm_purge() {
    snapshot("form_confirm_purge", || {
        let mut state = name_deleted();
        press(&mut state, KeyCode::Char('p'));
        type_text(&mut state, "payments");
        state
    });
}

#[test]
fn no_color_draws_without_any_colour() {
    let mut reference = detailed("staging");
    press(&mut reference, KeyCode::Char('R'));
    let builds: Vec<State> = vec![
        detailed("staging"),
        filled_form(),
        name_deleted(),
        reference,
        filtered("pass"),
    ];
    for mut state in builds {
        let terminal = draw(&mut state, (80, 24), Theme { color: false });
        let buffer = terminal.backend().buffer();
        for cell in buffer.content() {
            assert!(
                matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
                "a coloured cell {:?} with NO_COLOR:\n{}",
                cell,
                screen_text(&terminal)
            );
        }
    }
    // The same screens in colour do use colour, so the check above can fail.
    let terminal = draw(&mut detailed("staging"), (80, 24), Theme { color: true });
    assert!(
        terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .any(|cell| cell.fg != Color::Reset)
    );
}

fn deleted_item(name: &str, deleted: i64) -> kvtui::vault::DeletedSecretItem {
    kvtui::vault::DeletedSecretItem {
        item: kvtui::vault::SecretItem {
            id: Some(format!("{VAULT}/secrets/{name}")),
            ..kvtui::vault::SecretItem::default()
        },
        deletion: kvtui::vault::Deletion {
            recovery_id: Some(format!("{VAULT}/deletedsecrets/{name}")),
            deleted_date: Some(deleted),
            scheduled_purge_date: Some(deleted + 90 * DAY),
        },
    }
}

#[test]
fn deleted_view() {
    snapshot("deleted_view", || {
        let mut state = listed("staging");
        press(&mut state, KeyCode::Char('D'));
        answer(&mut state, |s| Msg::DeletedListed {
            ticket: ticket(s, s.deleted.request),
            result: Ok(vec![
                deleted_item("legacy-api-key", NOW - 2 * DAY),
                deleted_item("tmp-migration-token", NOW - DAY),
            ]),
        });
        state
    });
}

#[test]
fn expiry_overview() {
    snapshot("expiry_overview", || {
        let mut state = listed("staging");
        press(&mut state, KeyCode::Char('X'));
        let base = vault_of(&state);
        let request = state.expiry.request;
        for profile in 0..state.profiles.len() {
            let items = if state.profiles[profile].name == "prod" {
                Err(kvtui::app::msg::TaskError::Vault(
                    kvtui::vault::VaultError::Transport("connection refused".to_owned()),
                ))
            } else {
                Ok(catalogue().iter().map(|s| item(&base, s)).collect())
            };
            answer(&mut state, |s| Msg::ExpiryScanned {
                ticket: ticket(s, request),
                profile,
                result: items,
            });
        }
        state
    });
}

#[test]
fn operations_log() {
    snapshot("operations_log", || {
        let mut state = detailed("staging");
        press(&mut state, KeyCode::Char('c'));
        press(&mut state, KeyCode::Char('d'));
        answer(&mut state, |s| Msg::SecretDeleted {
            ticket: ticket(s, 999),
            name: "legacy-ftp-password".into(),
            result: Err(service_error(
                403,
                "Forbidden",
                "The user does not have delete permission.",
                None,
            )),
        });
        press(&mut state, KeyCode::Esc);
        press(&mut state, KeyCode::Char('o'));
        state
    });
}

#[test]
fn purge_confirm_asks_for_the_name() {
    snapshot("confirm_purge", || {
        let mut state = listed("staging");
        press(&mut state, KeyCode::Char('D'));
        answer(&mut state, |s| Msg::DeletedListed {
            ticket: ticket(s, s.deleted.request),
            result: Ok(vec![deleted_item("legacy-api-key", NOW - 2 * DAY)]),
        });
        press(&mut state, KeyCode::Char('P'));
        type_text(&mut state, "legacy");
        state
    });
}

#[test]
fn attributes_form_and_its_review() {
    snapshot("attributes_review", || {
        let mut state = detailed("staging");
        press(&mut state, KeyCode::Char('a'));
        ctrl(&mut state, 'n');
        type_text(&mut state, "team");
        press(&mut state, KeyCode::Tab);
        type_text(&mut state, "platform");
        ctrl(&mut state, 's');
        state
    });
}

fn with_values(name: &str, older: &str, newer: &str, state: &mut State) {
    let base = vault_of(state);
    let bundle = |version: u32, value: &str, tags: bool| SecretBundle {
        value: Some(kvtui::vault::SecretValue::new(value)),
        id: Some(format!("{base}/secrets/{name}/{}", version_hex(version))),
        content_type: Some("text/plain".into()),
        tags: tags.then(|| [("team".to_owned(), "payments".to_owned())].into()),
        ..SecretBundle::default()
    };
    answer(state, |s| {
        let Overlay::Diff(diff) = &s.overlay else {
            panic!("no diff open");
        };
        Msg::PairLoaded {
            ticket: ticket(s, diff.request),
            older: Ok(bundle(1, older, true)),
            newer: Ok(bundle(3, newer, false)),
        }
    });
}

#[test]
fn version_diff_masked_and_revealed() {
    for (name, reveal) in [("diff_masked", false), ("diff_revealed", true)] {
        snapshot(name, || {
            let mut state = detailed("staging");
            press(&mut state, KeyCode::Enter);
            press(&mut state, KeyCode::Char('G'));
            press(&mut state, KeyCode::Char('='));
            with_values(
                "api-gateway-config",
                "host=a.example\nport=443\n",
                "host=b.example\nport=443\n",
                &mut state,
            );
            if reveal {
                press(&mut state, KeyCode::Char('v'));
            }
            state
        });
    }
}

#[test]
fn copy_target_and_its_review() {
    snapshot("copy_review", || copy_reviewed(None));
}

#[test]
fn copy_review_after_another_write_landed_there() {
    snapshot("copy_review_conflict", || copy_conflicted().0);
}

/// A snapshot name, the factory state, a key and whether Ctrl is held.
type OneKey = (&'static str, fn() -> State, char, bool);

/// Screens one key away from a factory state.
#[test]
fn one_key_from_a_factory_state() {
    let detailed_staging = || detailed("staging");
    let listed_staging = || listed("staging");
    let listed_prod = || listed("prod");
    let listed_local = || listed("local");
    let cases: [OneKey; 17] = [
        ("details_revealed", detailed_staging, 'v', false),
        ("read_only", listed_prod, 'n', false),
        ("help", listed_staging, '?', false),
        ("profile_picker", listed_staging, 'p', false),
        ("form_new", listed_staging, 'n', false),
        ("form_new_version", detailed_staging, 'e', false),
        ("form_discard", filled_form, '\x1b', false),
        ("form_revealed", filled_form, 'r', true),
        ("form_review", filled_form, 's', true),
        ("confirm_delete", detailed_staging, 'd', false),
        ("backup_prompt", detailed_staging, 'b', false),
        ("attributes_form", detailed_staging, 'a', false),
        ("disable_review", detailed_staging, 'x', false),
        ("copy_target", detailed_staging, 'y', false),
        ("reference", detailed_staging, 'R', false),
        ("reference_embedded", listed_local, 'R', false),
        ("quit_with_typed_form", filled_form, 'c', true),
    ];
    for (name, base, key, with_ctrl) in cases {
        snapshot(name, || {
            let mut state = base();
            match (key, with_ctrl) {
                ('\x1b', _) => press(&mut state, KeyCode::Esc),
                (key, true) => ctrl(&mut state, key),
                (key, false) => press(&mut state, KeyCode::Char(key)),
            };
            state
        });
    }
}

#[test]
fn a_reference_to_a_profile_of_this_session_only_says_to_save_it() {
    let mut state = detailed("staging");
    state.unsaved_profiles.insert("staging".into());
    press(&mut state, KeyCode::Char('R'));
    let text = screen_text(&draw(&mut state, (80, 24), Theme { color: false }));
    let joined: String = text.split(['│', '\n']).collect();
    assert!(
        joined.contains("Profile staging is for this session only: save it"),
        "{text}"
    );
}

/// A PEM of 30 lines: taller than the details pane and the review at 80×24.
fn long_pem() -> String {
    let mut pem = "-----BEGIN CERTIFICATE-----\n".to_owned();
    for line in 1..=28 {
        pem.push_str(&format!("MIIB{line:02}{}\n", "x".repeat(56)));
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// The factory list with one secret whose name is longer than an 80-column pane, selected and
/// loaded with `value`.
fn long_named(value: String) -> State {
    let (mut state, _) = fresh("staging");
    connect(&mut state);
    let base = vault_of(&state);
    let name = "orders-prod-payments-gateway-signing-certificate-00473";
    let secret = Spec {
        content_type: Some("application/x-pem-file"),
        ..spec(name)
    };
    page(&mut state, vec![item(&base, &secret)], true);
    answer(&mut state, |s| Msg::SelectionSettled {
        generation: s.generation,
        name: name.into(),
    });
    answer(&mut state, |s| Msg::SecretLoaded {
        ticket: ticket(s, s.details.request),
        name: name.into(),
        version: None,
        result: Ok(kvtui::vault::SecretBundle {
            value: Some(kvtui::vault::SecretValue::new(value.clone())),
            id: Some(format!("{base}/secrets/{name}/{}", version_hex(1))),
            ..kvtui::vault::SecretBundle::default()
        }),
    });
    state
}

#[test]
fn a_name_cut_in_the_list_and_title_is_whole_in_the_details() {
    let mut state = long_named("v".into());
    let text = screen_text(&draw(&mut state, (80, 24), Theme { color: false }));
    let joined: String = text.split(['│', '\n', ' ']).collect();
    assert!(
        joined.contains("orders-prod-payments-gateway-signing-certificate-00473"),
        "{text}"
    );
}

#[test]
fn a_revealed_pem_scrolls_in_the_details() {
    snapshot("details_pem_scrolled", || {
        let mut state = long_named(long_pem());
        press(&mut state, KeyCode::Char('v'));
        for _ in 0..6 {
            press(&mut state, KeyCode::Char('J'));
        }
        state
    });
}

#[test]
fn a_review_of_a_long_value_scrolls_and_keeps_its_keys() {
    snapshot("review_scrolled_revealed", || {
        let mut state = detailed("staging");
        press(&mut state, KeyCode::Char('e'));
        kvtui::app::update::update(&mut state, Msg::Paste(long_pem().replace('\n', "\r")));
        ctrl(&mut state, 's');
        press(&mut state, KeyCode::Char('v'));
        for _ in 0..8 {
            press(&mut state, KeyCode::Char('j'));
        }
        state
    });
}

/// A secret whose writer hid text in it: a bidi override in its name and in a tag (where
/// `env=<U+202E>DORP<U+202C>` would read `env=PROD`), zero-width spaces in a tag's name and in the
/// content type.
fn hostile() -> State {
    let (mut state, _) = fresh("staging");
    connect(&mut state);
    let base = vault_of(&state);
    let secret = Spec {
        content_type: Some("text/plain\u{200b}"),
        tags: &[("env", "\u{202e}DORP\u{202c}"), ("own\u{200b}er", "ops")],
        ..spec("db-\u{202e}drowssap")
    };
    let other = spec("webhook-hmac-key");
    page(
        &mut state,
        vec![item(&base, &secret), item(&base, &other)],
        true,
    );
    load_spec(&mut state, &secret, 2);
    state
}

/// Snapshots `build()` and checks the override is drawn, written out, where the vault's text is.
fn snapshot_hostile(name: &str, build: impl Fn() -> State) {
    for size in SIZES {
        let text = screen_text(&draw(&mut build(), size, Theme { color: true }));
        assert!(text.contains("⟨U+202E⟩"), "{name} at {size:?}:\n{text}");
    }
    snapshot(name, build);
}

#[test]
fn format_characters_are_drawn_visibly_in_the_list_and_details() {
    snapshot_hostile("hostile_main", hostile);
}

#[test]
fn format_characters_are_drawn_visibly_in_the_review() {
    snapshot_hostile("hostile_review", || {
        let mut state = hostile();
        press(&mut state, KeyCode::Char('x'));
        state
    });
}

#[test]
fn format_characters_are_drawn_visibly_in_the_operations_log() {
    snapshot_hostile("hostile_operations_log", || {
        let mut state = hostile();
        press(&mut state, KeyCode::Char('x'));
        let effects = press(&mut state, KeyCode::Enter);
        assert!(!effects.is_empty(), "the write is sent");
        let request = state.in_flight.last().expect("in flight").id;
        answer(&mut state, |s| Msg::SecretUpdated {
            ticket: ticket(s, request),
            result: Err(service_error(
                409,
                "Conflict",
                "Secret db-\u{202e}drowssap is locked by \u{202e}nimda\u{202c}.",
                None,
            )),
        });
        press(&mut state, KeyCode::Esc);
        press(&mut state, KeyCode::Char('o'));
        state
    });
}

fn alice() -> kvtui::auth::Identity {
    kvtui::auth::Identity {
        who: "alice@contoso.com".into(),
        tenant: Some("72f988bf-86f1-41af-91ab-2d7cd011db47".into()),
        expires: Some(1_893_456_000),
    }
}

#[test]
fn vault_picker_with_what_discovery_found() {
    snapshot("vault_picker", || {
        let mut state = detailed("staging");
        let effects = press(&mut state, KeyCode::Char('V'));
        let request = match effects.as_slice() {
            [kvtui::app::effect::Effect::Discover { ticket }] => ticket.request,
            other => panic!("{other:?}"),
        };
        let ticket = ticket(&state, request);
        let found = |found| Msg::Discovered {
            ticket,
            found: Some(found),
        };
        use kvtui::discovery::Found;
        for msg in [
            found(Found::Vaults(vec![
                found_vault("kv-payments-staging", "Payments", Via::Profile),
                FoundVault {
                    rbac: false,
                    ..found_vault("kv-payments-prod", "Payments", Via::Profile)
                },
            ])),
            found(Found::Vaults(vec![found_vault(
                "kv-shared",
                "Platform",
                Via::Profile,
            )])),
            found(Found::SignedIn {
                account: "profile staging (auth = azure-cli)".into(),
                identity: alice(),
            }),
            found(Found::Unreadable {
                scope: "subscription Sandbox (5f1e0c8a-0000-4000-8000-000000000009)".into(),
                reason: "HTTP 403 AuthorizationFailed: The client does not have authorization"
                    .into(),
            }),
        ] {
            kvtui::app::update::update(&mut state, msg);
        }
        state
    });
}

#[test]
fn the_status_bar_names_who_is_signed_in() {
    snapshot("signed_in", || {
        let mut state = detailed("staging");
        let generation = state.generation;
        kvtui::app::update::update(
            &mut state,
            Msg::SignedIn {
                generation,
                identity: alice(),
            },
        );
        state
    });
}
