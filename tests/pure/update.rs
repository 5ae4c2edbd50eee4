//! The rules of `update`: what each message does to the state and which effects it asks for.
//! Pure: no terminal, no vault; the PTY tests drive the same rules through the real binary.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::factory;

use crossterm::event::KeyCode;
use factory::*;
use kvtui::app::effect::{Effect, Resolve};
use kvtui::app::msg::Msg;
use kvtui::state::bulk::{BulkStep, RowStatus, Stepped};
use kvtui::state::form::{FormField, Submit};
use kvtui::state::{Level, Overlay, Pane, Remote, State};
use kvtui::vault::stale::Expected;
use kvtui::vault::{SecretBundle, SecretItem};

/// The variant names of `effects`, from their Debug form.
fn kinds(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .map(|effect| {
            let debug = format!("{effect:?}");
            let name: String = debug.chars().take_while(|c| c.is_alphanumeric()).collect();
            // "OpenProfile" -> "open profile", to read like the tests' expectations.
            let mut words = String::new();
            for (index, c) in name.chars().enumerate() {
                if c.is_uppercase() && index > 0 {
                    words.push(' ');
                }
                words.push(c.to_ascii_lowercase());
            }
            words
        })
        .collect()
}

fn update_with(state: &mut State, msg: Msg) -> Vec<Effect> {
    kvtui::app::update::update(state, msg)
}

#[test]
fn start_opens_the_profile_and_connecting_lists_it() {
    let (mut state, effects) = fresh("staging");
    assert_eq!(kinds(&effects), ["open profile"]);
    assert!(state.connection.is_loading());
    assert_eq!(kinds(&connect(&mut state)), ["list secrets"]);
    assert_eq!(state.in_flight.len(), 1, "the listing shows as in flight");
}

#[test]
fn pages_fill_the_list_as_they_arrive_and_the_first_selection_settles() {
    let (mut state, _) = fresh("staging");
    connect(&mut state);
    let base = vault_of(&state);
    let first = page(&mut state, vec![item(&base, &spec("alpha"))], false);
    assert_eq!(state.list.rows.len(), 1, "page 1 is shown before the rest");
    assert_eq!(kinds(&first), ["settle"]);
    assert_eq!(state.in_flight.len(), 1, "still listing");
    let last = page(&mut state, vec![item(&base, &spec("beta"))], true);
    assert!(last.is_empty(), "the selection did not change");
    assert_eq!(state.list.rows.len(), 2);
    assert!(state.in_flight.is_empty());
    assert_eq!(
        state.last_result,
        Some((Level::Info, "2 secrets in staging".into()))
    );
}

#[test]
fn late_answers_for_another_profile_or_secret_are_dropped() {
    let mut state = listed("staging");
    let stale_generation = state.generation;
    let stale_request = state.list.request;
    // Switch profile through the picker (profiles are in name order: local, prod, staging).
    press(&mut state, KeyCode::Char('p'));
    press(&mut state, KeyCode::Char('k'));
    let effects = press(&mut state, KeyCode::Enter);
    assert_eq!(kinds(&effects), ["open profile"]);
    assert_eq!(state.profile().name, "prod");
    assert!(state.list.rows.is_empty());
    answer(&mut state, |_| Msg::SecretsPage {
        ticket: kvtui::state::Ticket {
            generation: stale_generation,
            request: stale_request,
        },
        result: Ok(vec![SecretItem::default()]),
        done: true,
    });
    assert!(
        state.list.rows.is_empty(),
        "a page of staging must not land in local"
    );

    let mut state = detailed("staging");
    let old_request = state.details.request;
    press(&mut state, KeyCode::Char('j'));
    answer(&mut state, |s| Msg::SecretLoaded {
        ticket: ticket(s, old_request),
        name: "api-gateway-config".into(),
        version: None,
        result: Ok(SecretBundle::default()),
    });
    assert_eq!(state.details.name, "db-password");
    assert_eq!(
        state.details.bundle,
        Remote::Idle,
        "the old secret's answer is dropped"
    );
}

#[test]
fn the_cursor_settles_before_anything_is_loaded() {
    let mut state = listed("staging");
    let effects = press(&mut state, KeyCode::Char('j'));
    assert_eq!(kinds(&effects), ["settle"]);
    // The cursor moved on before the first settle arrived: that one is ignored.
    press(&mut state, KeyCode::Char('j'));
    let ignored = answer(&mut state, |s| Msg::SelectionSettled {
        generation: s.generation,
        name: "db-password".into(),
    });
    assert!(ignored.is_empty());
    let loads = answer(&mut state, |s| Msg::SelectionSettled {
        generation: s.generation,
        name: "legacy-ftp-password".into(),
    });
    assert_eq!(kinds(&loads), ["load secret", "load versions"]);
}

#[test]
fn versions_are_shown_newest_first_with_the_current_one_known() {
    let state = detailed("staging");
    let versions = state.versions.items.loaded().expect("loaded");
    let created: Vec<i64> = versions
        .iter()
        .map(|v| v.attributes.as_ref().unwrap().created.unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "{created:?}");
    assert_eq!(
        state.versions.current.as_deref(),
        Some(version_hex(3).as_str())
    );
    assert_eq!(state.versions.cursor, 0);
}

#[test]
fn moving_in_the_history_loads_that_version_and_back_returns_to_latest() {
    let mut state = detailed("staging");
    press(&mut state, KeyCode::Enter);
    assert_eq!(state.focus, Pane::Versions);
    let effects = press(&mut state, KeyCode::Char('j'));
    match effects.as_slice() {
        [Effect::LoadSecret { version, .. }] => {
            assert_eq!(version.as_deref(), Some(version_hex(2).as_str()))
        }
        other => panic!("expected one load, got {other:?}"),
    }
    let effects = press(&mut state, KeyCode::Esc);
    assert_eq!(state.focus, Pane::Secrets);
    match effects.as_slice() {
        [Effect::LoadSecret { version: None, .. }] => {}
        other => panic!("expected the latest to be loaded again, got {other:?}"),
    }
}

#[test]
fn reveal_needs_a_loaded_value_and_resets_on_a_new_selection() {
    let mut state = listed("staging");
    press(&mut state, KeyCode::Char('v'));
    assert!(!state.reveal);
    assert_eq!(state.last_result.as_ref().unwrap().0, Level::Error);
    load_selected(&mut state, 1);
    press(&mut state, KeyCode::Char('v'));
    assert!(state.reveal);
    press(&mut state, KeyCode::Char('j'));
    assert!(
        !state.reveal,
        "a revealed value must not carry over to the next secret"
    );
}

#[test]
fn the_filter_narrows_the_list_and_escape_restores_it() {
    let mut state = listed("staging");
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "pass");
    assert!(state.list.filtering);
    let names: Vec<&str> = state
        .list
        .visible
        .iter()
        .map(|&i| state.list.rows[i].name.as_str())
        .collect();
    assert_eq!(names, ["db-password", "legacy-ftp-password"]);
    // While typing, 'q' is text, not quit.
    press(&mut state, KeyCode::Char('q'));
    assert!(!state.quit);
    press(&mut state, KeyCode::Backspace);
    press(&mut state, KeyCode::Esc);
    assert!(!state.list.filtering);
    assert_eq!(state.list.visible.len(), catalogue().len());
}

#[test]
fn the_form_keeps_the_profiles_policy_as_it_is_typed_and_fills_its_default_expiry() {
    let mut state = governed();
    start_new_secret(&mut state, "db-password", "s3cr3t");
    let form = state.form().unwrap();
    assert_eq!(
        form.date_preview(FormField::Expires, NOW).as_deref(),
        Some("2027-04-15 08:00 UTC")
    );
    let errors = form.errors(NOW);
    let beside = |field: FormField| {
        errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, message)| message.as_str())
    };
    assert_eq!(
        beside(FormField::Name),
        Some(
            "policy of profile staging: name_pattern: db-password does not match ^(?:app-[a-z0-9-]+)$"
        )
    );
    assert_eq!(
        beside(FormField::ContentType),
        Some(
            "policy of profile staging: allowed_content_types: no content type is not one of text/plain, application/json"
        )
    );
    assert_eq!(
        beside(FormField::TagKey(15)),
        Some("policy of profile staging: required_tags: tag owner missing")
    );
    assert!(
        set_secret(&ctrl(&mut state, 's')).is_none(),
        "refused until the policy holds"
    );

    let mut state = governed();
    type_new_secret(
        &mut state,
        "app-db",
        "s3cr3t",
        "text/plain",
        ("owner", "payments"),
        "",
    );
    assert_eq!(
        state.form().unwrap().errors(NOW),
        [],
        "the default expiry keeps the policy"
    );
    for _ in 0.."+90d".len() {
        press(&mut state, KeyCode::Backspace);
    }
    assert_eq!(
        state
            .form()
            .unwrap()
            .error_for(FormField::Expires, NOW)
            .as_deref(),
        Some("policy of profile staging: require_expiry: an expiry date is required"),
        "the default removed"
    );
    type_text(&mut state, "+400d");
    assert!(
        state
            .form()
            .unwrap()
            .error_for(FormField::Expires, NOW)
            .unwrap()
            .contains("max_expiry_days")
    );
    for _ in 0..5 {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "+30d");
    let effects = submit_form(&mut state);
    let (_, name, params) = set_secret(&effects).expect("sent once the policy holds");
    assert_eq!(name, "app-db");
    assert_eq!(
        params.attributes.as_ref().and_then(|a| a.exp),
        Some(NOW + 30 * DAY)
    );
}

#[test]
fn marked_secrets_are_exported_through_a_path_prompt_with_values_when_asked() {
    let mut state = listed("staging");
    assert!(press(&mut state, KeyCode::Char('E')).is_empty());
    assert!(status_text(&state).starts_with("mark secrets first"));
    press(&mut state, KeyCode::Char(' '));
    assert_eq!(
        state.list.selected_name(),
        Some("db-password"),
        "Space moves on"
    );
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "type:text");
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('M'));
    let marked = state.list.marked_names();
    assert_eq!(
        marked,
        [
            "db-password",
            "storage-connection-string",
            "api-gateway-config"
        ]
    );
    press(&mut state, KeyCode::Char('E'));
    let Overlay::Prompt(prompt) = &state.overlay else {
        panic!("a path prompt: {:?}", state.overlay);
    };
    assert_eq!(
        kvtui::state::input::text(&prompt.input),
        "./staging-secrets-20270115-080000.json"
    );
    press(&mut state, KeyCode::Tab);
    let effects = press(&mut state, KeyCode::Enter);
    let Some(Effect::Export {
        names,
        values,
        path,
        ..
    }) = effects.first()
    else {
        panic!("the export is written: {}", kinds(&effects).join(", "));
    };
    assert_eq!(names, &marked);
    assert!(*values, "Tab asked for the values");
    assert_eq!(
        path.to_str(),
        Some("./staging-secrets-20270115-080000.json")
    );
    let (ticket, path) = (effects_ticket(&effects), path.clone());
    update_with(
        &mut state,
        Msg::Exported {
            ticket,
            result: Ok((3, path)),
        },
    );
    assert!(matches!(state.overlay, Overlay::None));
    assert_eq!(
        status_text(&state),
        "Exported 3 secrets to ./staging-secrets-20270115-080000.json (with values)"
    );
    press(&mut state, KeyCode::Char('U'));
    assert!(state.list.marked.is_empty());
}

/// Whether the list has a row for `name`.
fn lists(state: &State, name: &str) -> bool {
    state.list.rows.iter().any(|row| row.name == name)
}

/// The bulk run's requests among `effects`, by ticket.
fn bulk_steps(effects: &[Effect]) -> Vec<kvtui::state::Ticket> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::BulkStep { ticket, .. } => Some(*ticket),
            _ => None,
        })
        .collect()
}

fn bulk(state: &State) -> &kvtui::state::bulk::Bulk {
    match &state.overlay {
        Overlay::Bulk(bulk) => bulk,
        other => panic!("the bulk box: {other:?}"),
    }
}

#[test]
fn a_bulk_delete_reviews_every_marked_secret_runs_them_and_a_failure_stops_nothing_else() {
    let mut state = listed("staging");
    for _ in 0..3 {
        press(&mut state, KeyCode::Char(' '));
    }
    press(&mut state, KeyCode::Char('d'));
    let rows: Vec<(&str, &str)> = bulk(&state)
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.change.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("api-gateway-config", "deleted"),
            ("db-password", "deleted"),
            ("legacy-ftp-password", "deleted")
        ]
    );
    let sent = bulk_steps(&press(&mut state, KeyCode::Enter));
    assert_eq!(sent.len(), 3);
    let forbidden = || {
        service_error(
            403,
            "Forbidden",
            "Caller is not authorized.",
            Some("ForbiddenByRbac"),
        )
    };
    let answers = [
        Ok(Stepped::Deleted),
        Err(forbidden().into()),
        Ok(Stepped::Deleted),
    ];
    for (ticket, result) in sent.into_iter().zip(answers) {
        update_with(&mut state, Msg::BulkStepped { ticket, result });
    }
    assert_eq!(
        status_text(&state),
        "Delete 3 secrets in staging: done 2, failed 1"
    );
    let Some(RowStatus::Failed(why)) = bulk(&state).rows.get(1).map(|r| r.status.clone()) else {
        panic!("db-password failed");
    };
    assert!(
        why.contains("Key Vault Secrets Officer"),
        "the service's reason, explained: {why}"
    );
    assert!(!lists(&state, "api-gateway-config"));
    assert!(lists(&state, "db-password"));
    assert_eq!(state.list.marked.len(), 1, "what failed stays marked");
    press(&mut state, KeyCode::Enter);
    assert!(matches!(state.overlay, Overlay::None));
}

#[test]
fn a_bulk_delete_is_refused_where_a_delete_cannot_be_recovered() {
    let mut state = listed("staging");
    let row = &mut state.list.rows[0];
    row.item.attributes.as_mut().unwrap().recovery_level =
        Some(kvtui::vault::RecoveryLevel::Purgeable);
    press(&mut state, KeyCode::Char('M'));
    press(&mut state, KeyCode::Char('d'));
    assert!(
        matches!(state.overlay, Overlay::None),
        "no review: {:?}",
        state.overlay
    );
    assert!(
        status_text(&state)
            .starts_with("a bulk delete needs a vault whose deletes can be recovered")
    );
}

#[test]
fn stopping_a_bulk_run_sends_nothing_more_and_names_what_was_left_untouched() {
    let mut state = marked_and(6, "t");
    type_text(&mut state, "owner=ops");
    press(&mut state, KeyCode::Enter);
    assert_eq!(
        bulk(&state).rows.len(),
        12,
        "every marked secret gets the tag"
    );
    assert_eq!(bulk(&state).rows[0].change, "tag owner: payments → ops");
    let sent = bulk_steps(&press(&mut state, KeyCode::Enter));
    assert_eq!(sent.len(), 8, "eight at a time");
    press(&mut state, KeyCode::Esc);
    for ticket in sent {
        let more = update_with(
            &mut state,
            Msg::BulkStepped {
                ticket,
                result: Ok(Stepped::Updated(Box::default())),
            },
        );
        assert!(
            bulk_steps(&more).is_empty(),
            "nothing more is sent once stopped"
        );
    }
    let said = status_text(&state);
    assert!(
        said.starts_with(
            "Tag 12 secrets in staging: stopped: done 8, failed 0, not started 4 (untouched: "
        ),
        "{said}"
    );
    assert_eq!(
        bulk(&state)
            .rows
            .iter()
            .filter(|r| r.status == RowStatus::NotStarted)
            .count(),
        4
    );
}

#[test]
fn a_bulk_write_that_would_break_the_profiles_policy_is_refused_and_never_sent() {
    let mut state = governed();
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Char('t'));
    type_text(&mut state, "-owner");
    press(&mut state, KeyCode::Enter);
    let Some(RowStatus::Refused(why)) = bulk(&state).rows.first().map(|r| r.status.clone()) else {
        panic!("refused: {:?}", bulk(&state).rows);
    };
    assert_eq!(
        why,
        "policy of profile staging: required_tags: tag owner missing"
    );
    assert!(bulk_steps(&press(&mut state, KeyCode::Enter)).is_empty());
    assert_eq!(
        status_text(&state),
        "Untag 1 secrets in staging: done 0, failed 0, refused 1 (the profile's policy)"
    );
}

#[test]
fn bulk_expiry_and_enable_build_one_patch_per_secret_that_changes() {
    let mut state = marked_and(0, "w");
    type_text(&mut state, "+30d");
    press(&mut state, KeyCode::Enter);
    assert_eq!(bulk(&state).rows.len(), 6);
    let Some(BulkStep::Update { params, .. }) = &bulk(&state).rows[0].step else {
        panic!("a PATCH");
    };
    assert_eq!(
        params.attributes.as_ref().and_then(|a| a.exp),
        Some(NOW + 30 * DAY)
    );
    assert!(params.tags.is_none(), "tags left as they are");
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('x'));
    let rows: Vec<&str> = bulk(&state).rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        rows.len(),
        5,
        "old-signing-cert is disabled already: {rows:?}"
    );
    assert!(rows.iter().all(|r| *r != "old-signing-cert"));
}

fn effects_ticket(effects: &[Effect]) -> kvtui::state::Ticket {
    match effects.first() {
        Some(Effect::Export { ticket, .. }) => *ticket,
        _ => panic!("an export"),
    }
}

/// The message on the status line, as `update` left it.
fn status_text(state: &State) -> String {
    state
        .last_result
        .clone()
        .map(|(_, message)| message)
        .unwrap_or_default()
}

fn expected_of(effects: &[Effect]) -> Option<&Expected> {
    sent_expecting(effects).and_then(|(_, expected)| expected)
}

/// On a review that found another write: Enter does not write over it, and says that `O`
/// does; the effects of `O`.
fn only_o_writes_over(state: &mut State) -> Vec<Effect> {
    assert!(press(state, KeyCode::Enter).is_empty(), "Enter wrote");
    assert!(
        status_text(state).contains("O writes over it anyway"),
        "{}",
        status_text(state)
    );
    press(state, KeyCode::Char('O'))
}

#[test]
fn a_write_from_the_form_is_refused_when_another_landed_since_and_needs_o_to_go_over_it() {
    let (mut state, sent) = conflicted();
    assert_eq!(
        expected_of(&sent),
        Some(&Expected::Version(version_hex(3))),
        "the form remembers the version it opened on"
    );
    let Some(Submit::Review(review)) = state.form().map(|form| &form.submit) else {
        panic!("the review comes back: {:?}", state.form());
    };
    let (said, _) = review.conflict.as_ref().expect("the conflict is said");
    assert!(
        said.starts_with(&format!(
            "Since this form opened, its latest version is {}",
            version_hex(4)
        )),
        "{said}"
    );
    assert!(
        said.contains("a different value from yours") && said.contains("content type text/plain"),
        "{said}"
    );
    assert!(
        !said.contains("someone else's value"),
        "never the value: {said}"
    );

    let over = only_o_writes_over(&mut state);
    assert_eq!(
        expected_of(&over),
        Some(&Expected::Version(version_hex(4))),
        "still guarded, over the version seen"
    );

    let request = set_secret(&over).unwrap().0;
    let base = vault_of(&state);
    let after = answer(&mut state, |s| Msg::SecretSet {
        ticket: ticket(s, request),
        result: Ok(SecretBundle {
            id: Some(format!(
                "{base}/secrets/api-gateway-config/{}",
                version_hex(5)
            )),
            ..SecretBundle::default()
        }),
    });
    let check = after
        .iter()
        .find_map(|effect| match effect {
            Effect::CheckOvertaken { ticket, made, .. } => Some((*ticket, made.id.clone())),
            _ => None,
        })
        .expect("the write is checked after");
    assert!(check.1.unwrap().ends_with(&version_hex(5)));
    let warning = "another write landed just after this one: the latest version is now x, not y";
    update_with(
        &mut state,
        Msg::Overtaken {
            ticket: check.0,
            warning: Some(warning.into()),
        },
    );
    assert_eq!(status_text(&state), warning);
}

#[test]
fn a_copy_is_refused_when_the_target_changed_since_its_review_and_needs_o_to_go_over_it() {
    let (mut state, sent) = copy_conflicted();
    let (_, expected) = sent_expecting(&sent).expect("the copy is sent");
    assert_eq!(
        expected,
        Some(&Expected::New),
        "nothing was there when reviewed"
    );
    let base = "https://local.vault.example";
    let Overlay::Review(review) = &state.overlay else {
        panic!("the review comes back: {:?}", state.overlay);
    };
    let (said, _) = review.conflict.as_ref().expect("the conflict is said");
    assert!(
        said.starts_with(&format!(
            "Since it was reviewed, its latest version is {}",
            version_hex(9)
        )) && said.contains("a different value from yours"),
        "{said}"
    );
    assert!(!said.contains("meanwhile"), "never the value: {said}");

    let over = only_o_writes_over(&mut state);
    let (request, expected) = sent_expecting(&over).unwrap();
    assert_eq!(
        expected,
        Some(&Expected::Version(version_hex(9))),
        "still guarded, over the version seen"
    );
    // Read there just after: another write landed on top of the copy.
    let target = profile_index(&state, "local");
    let warning = "another write landed just after this one: the latest version is now x, not y";
    answer(&mut state, |s| Msg::Copied {
        ticket: ticket(s, request),
        target,
        result: Ok(SecretBundle {
            id: Some(format!(
                "{base}/secrets/api-gateway-config/{}",
                version_hex(10)
            )),
            ..SecretBundle::default()
        }),
        overtaken: Some(warning.into()),
    });
    assert_eq!(
        status_text(&state),
        format!("Copied api-gateway-config to local, but there {warning}")
    );
}

#[test]
fn an_attributes_update_is_sent_only_while_the_version_is_as_read_and_o_goes_over_a_change() {
    // The attributes form carries the version it was opened on to its write.
    let mut state = detailed("staging");
    let shown = state.details.latest.clone().unwrap();
    press(&mut state, KeyCode::Char('a'));
    let sent = submit_form(&mut state);
    let (_, expected) = sent_expecting(&sent).expect("the form's update is sent");
    assert_eq!(expected, Some(&Expected::unchanged(&shown)));

    // So does x, and its review comes back when the version changed meanwhile.
    let mut state = detailed("staging");
    press(&mut state, KeyCode::Char('x'));
    let sent = press(&mut state, KeyCode::Enter);
    let (request, expected) = sent_expecting(&sent).expect("the toggle is sent");
    assert_eq!(expected, Some(&Expected::unchanged(&shown)));
    let mut theirs = shown.clone();
    theirs.tags = Some([("owner".to_owned(), "someone-else".to_owned())].into());
    answer(&mut state, |s| Msg::SetStale {
        ticket: ticket(s, request),
        latest: Some(Box::new(theirs.clone())),
    });
    let Overlay::Review(review) = &state.overlay else {
        panic!("the review comes back: {:?}", state.overlay);
    };
    let (said, _) = review.conflict.as_ref().expect("the conflict is said");
    assert!(
        said.starts_with("Since it was reviewed, version ")
            && said.contains("tags [owner=someone-else]"),
        "{said}"
    );
    let over = only_o_writes_over(&mut state);
    assert_eq!(
        sent_expecting(&over).map(|(_, expected)| expected),
        Some(Some(&Expected::unchanged(&theirs))),
        "still guarded, over the version seen"
    );
}

#[test]
fn read_only_profiles_refuse_every_write_key() {
    let mut state = listed("prod");
    for key in ['n', 'e'] {
        press(&mut state, KeyCode::Char(key));
        assert!(
            matches!(state.overlay, Overlay::None),
            "{key} opened a form"
        );
        assert_eq!(
            state.last_result,
            Some((
                Level::Error,
                "profile prod is read-only: writes are disabled".into()
            ))
        );
    }
}

#[test]
fn a_valid_form_submits_in_the_background_and_success_selects_the_new_version() {
    let mut state = listed("staging");
    type_new_secret(
        &mut state,
        "new-api-key",
        "line one\nline two",
        "text/plain",
        ("env", "prod"),
        "+30d",
    );
    let effects = submit_form(&mut state);
    let (request, name, params) = set_secret(&effects).expect("a Set Secret effect");
    assert_eq!(name, "new-api-key");
    assert_eq!(params.value.expose(), "line one\nline two");
    assert_eq!(params.content_type.as_deref(), Some("text/plain"));
    assert_eq!(params.tags.as_ref().unwrap()["env"], "prod");
    assert_eq!(
        params.attributes.as_ref().unwrap().exp,
        Some(NOW + 30 * DAY)
    );
    assert!(state.form().unwrap().is_busy());
    assert!(
        state
            .in_flight
            .iter()
            .any(|f| f.label == "setting new-api-key")
    );

    // The screen still answers keys while Set Secret is in flight.
    press(&mut state, KeyCode::Char('?'));
    assert!(
        matches!(state.overlay, Overlay::Form(_)),
        "the form stays up, busy"
    );

    let version = version_hex(42);
    let base = vault_of(&state);
    let effects = answer(&mut state, |s| Msg::SecretSet {
        ticket: ticket(s, request),
        result: Ok(SecretBundle {
            id: Some(format!("{base}/secrets/new-api-key/{version}")),
            ..SecretBundle::default()
        }),
    });
    assert!(matches!(state.overlay, Overlay::None));
    assert_eq!(
        kinds(&effects),
        ["load secret", "load versions", "check overtaken"],
        "and whether another write landed just after"
    );
    assert_eq!(state.list.selected_name(), Some("new-api-key"));
    assert_eq!(state.focus, Pane::Versions);
    assert_eq!(
        state.versions.select_when_loaded.as_deref(),
        Some(version.as_str())
    );
    assert_eq!(
        state.last_result,
        Some((
            Level::Success,
            format!("Set new-api-key: new version {} is current", &version[..8])
        ))
    );
}

/// `start_new_secret`, then `expires` typed into the expiry field, where the focus is left.
fn start_new_secret_expiring(state: &mut State, name: &str, value: &str, expires: &str) {
    start_new_secret(state, name, value);
    // Past the content type.
    press(state, KeyCode::Tab);
    press(state, KeyCode::Tab);
    type_text(state, expires);
}

#[test]
fn an_invalid_form_is_not_sent_and_focuses_the_first_bad_field() {
    let mut state = listed("staging");
    start_new_secret_expiring(&mut state, "bad name!", "v", "+1d");
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, "+2d");
    press(&mut state, KeyCode::Tab);
    let effects = ctrl(&mut state, 's');
    assert!(set_secret(&effects).is_none());
    let form = state.form().unwrap();
    assert_eq!(form.focus, FormField::Name);
    let errors = form.errors(NOW);
    let fields: Vec<FormField> = errors.iter().map(|(field, _)| *field).collect();
    assert!(fields.contains(&FormField::Name), "{errors:?}");
    assert!(fields.contains(&FormField::Expires) || fields.contains(&FormField::NotBefore));
    let (level, message) = state.last_result.clone().unwrap();
    assert_eq!(level, Level::Error);
    assert!(message.starts_with("2 fields to fix"), "{message}");
}

#[test]
fn what_was_said_of_a_form_s_fields_goes_when_they_are_fixed_or_the_form_is_discarded() {
    let fields_to_fix = |state: &State| {
        state
            .last_result
            .as_ref()
            .is_some_and(|(_, message)| message.contains("to fix"))
    };
    let mut state = listed("staging");
    start_new_secret(&mut state, "bad name!", "v");
    ctrl(&mut state, 's');
    assert!(fields_to_fix(&state));
    // Focus is on the name: mend it and send again.
    for _ in 0.."bad name!".len() {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "good-name");
    ctrl(&mut state, 's');
    assert!(
        matches!(state.form().unwrap().submit, Submit::Review(_)),
        "the review opens"
    );
    assert!(!fields_to_fix(&state), "{:?}", state.last_result);

    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Backspace);
    type_text(&mut state, " !");
    ctrl(&mut state, 's');
    assert!(fields_to_fix(&state));
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('y'));
    assert!(matches!(state.overlay, Overlay::None));
    assert!(!fields_to_fix(&state), "{:?}", state.last_result);
}

/// `e` on the selected secret, `value` typed and the form sent: the request and the name of the
/// Set Secret it sends.
fn send_new_version(state: &mut State, value: &str) -> (u64, String) {
    press(state, KeyCode::Char('e'));
    type_text(state, value);
    let effects = submit_form(state);
    let (request, name, _) = set_secret(&effects).expect("sent");
    (request, name.to_owned())
}

#[test]
fn a_failed_submit_keeps_every_field_and_can_be_sent_again() {
    let mut state = listed("staging");
    let (request, name) = send_new_version(&mut state, "rolled");
    assert_eq!(name, "api-gateway-config");
    answer(&mut state, |s| Msg::SecretSet {
        ticket: ticket(s, request),
        result: Err(service_error(503, "ServiceUnavailable", "try later", None)),
    });
    let form = state.form().expect("the form stays open");
    assert!(
        matches!(form.submit, Submit::Failed { ref message } if message.contains("ServiceUnavailable"))
    );
    let again = submit_form(&mut state);
    let (_, _, params) = set_secret(&again).expect("sent again");
    assert_eq!(params.value.expose(), "rolled");
    assert_eq!(params.content_type.as_deref(), Some("application/json"));
    assert_eq!(params.tags.as_ref().unwrap()["rotation"], "90d");
}

#[test]
fn a_deleted_name_offers_recover_or_a_typed_purge() {
    let mut state = listed("staging");
    start_new_secret(&mut state, "gone", "v");
    let (request, ..) = set_secret(&submit_form(&mut state)).unwrap();
    answer_name_deleted(&mut state, request, "gone");
    assert!(matches!(
        state.form().unwrap().submit,
        Submit::NameDeleted { .. }
    ));
    press(&mut state, KeyCode::Char('p'));
    assert!(matches!(
        state.form().unwrap().submit,
        Submit::ConfirmPurge { .. }
    ));
    type_text(&mut state, "gon");
    press(&mut state, KeyCode::Enter);
    assert!(
        matches!(state.form().unwrap().submit, Submit::ConfirmPurge { .. }),
        "a wrong name must not purge"
    );
    type_text(&mut state, "e");
    let effects = press(&mut state, KeyCode::Enter);
    match effects.as_slice() {
        [
            Effect::Resolve(Resolve {
                name,
                origin,
                purge: true,
                ..
            }),
        ] => {
            assert_eq!(name, "gone");
            assert_eq!(*origin, kvtui::app::effect::Origin::Form);
        }
        other => panic!("expected a purge, got {other:?}"),
    }
}

#[test]
fn escape_on_a_changed_form_asks_before_discarding() {
    let mut state = listed("staging");
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Esc);
    assert!(
        matches!(state.overlay, Overlay::None),
        "an untouched form just closes"
    );
    press(&mut state, KeyCode::Char('n'));
    type_text(&mut state, "x");
    press(&mut state, KeyCode::Esc);
    assert!(matches!(
        state.form().unwrap().submit,
        Submit::ConfirmDiscard
    ));
    press(&mut state, KeyCode::Char('n'));
    assert!(matches!(state.form().unwrap().submit, Submit::Editing));
    assert_eq!(state.form().unwrap().name_text(), "x");
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('y'));
    assert!(matches!(state.overlay, Overlay::None));
}

/// Selects api-gateway-config in a listed staging and has its load wait for retry `retry` of
/// 5, 1.5 s away, for `reason`; the load's request id.
fn load_retrying(state: &mut State, retry: u32, reason: &str) -> u64 {
    let effects = answer(state, |s| Msg::SelectionSettled {
        generation: s.generation,
        name: "api-gateway-config".into(),
    });
    assert_eq!(kinds(&effects), ["load secret", "load versions"]);
    let request = state.details.request;
    answer(state, |s| Msg::Retrying {
        ticket: ticket(s, request),
        notice: kvtui::vault::RetryNotice {
            operation: "get secret",
            retry,
            max_retries: 5,
            delay: std::time::Duration::from_millis(1500),
            reason: reason.into(),
        },
    });
    request
}

/// The status line of `state` drawn at 80×24 without colour.
fn status_line(state: &mut State) -> String {
    let terminal = draw(state, (80, 24), kvtui::ui::Theme { color: false });
    screen_text(&terminal).lines().nth(22).unwrap().to_owned()
}

#[test]
fn retries_show_on_the_operation_in_flight() {
    let mut state = listed("staging");
    let request = load_retrying(&mut state, 2, "429 Throttled");
    let flight = state.in_flight.iter().find(|f| f.id == request).unwrap();
    assert_eq!(
        flight.retrying.as_deref(),
        Some("retry 2/5 in 1.5s: 429 Throttled")
    );
}

#[test]
fn a_result_is_seen_on_the_status_line_while_an_operation_retries() {
    let mut state = listed("staging");
    load_retrying(
        &mut state,
        2,
        "429 Throttled: Operations per second is over the limit",
    );
    state.report(Level::Success, "saved profile payments-prod in config.toml");
    let status = status_line(&mut state);
    assert!(
        status.contains("saved profile payments-prod in config.toml"),
        "{status}"
    );
    assert!(status.contains('│'), "the operation still shows: {status}");

    // A result from before the operation began is old news: the retry keeps its room.
    let mut state = listed("staging");
    state.report(
        Level::Error,
        "set api-gateway-config failed: ServiceUnavailable (HTTP 503): the service is busy; \
         every field is kept",
    );
    load_retrying(&mut state, 1, "503");
    let status = status_line(&mut state);
    assert!(status.contains("retry 1/5"), "{status}");
}

#[test]
fn a_sign_in_code_stays_on_the_status_line_until_it_expires() {
    let (mut state, _) = fresh("staging");
    connect(&mut state);
    let now = state.now;
    let prompt = |profile: &str| kvtui::auth::DeviceCodePrompt {
        profile: profile.into(),
        verification_uri: "https://microsoft.com/devicelogin".into(),
        user_code: "DCK9QVPLX".into(),
        message: String::new(),
        expires_at: time::OffsetDateTime::from_unix_timestamp(now + 900).unwrap(),
    };
    let stale = state.generation.wrapping_sub(1);
    update_with(
        &mut state,
        Msg::SignIn {
            generation: stale,
            prompt: prompt("left"),
        },
    );
    assert_eq!(
        state.last_result, None,
        "a session the user left shows nothing"
    );
    let generation = state.generation;
    update_with(
        &mut state,
        Msg::SignIn {
            generation,
            prompt: prompt("staging"),
        },
    );
    let shown = |state: &State| state.last_result.as_ref().map(|(_, m)| m.clone());
    let message = shown(&state).expect("the code is shown");
    assert!(
        message.contains("open https://microsoft.com/devicelogin and enter the code DCK9QVPLX"),
        "{message}"
    );
    // Long past an info message's ten seconds, and gone when the code is.
    update_with(&mut state, Msg::Tick { now: now + 899 });
    assert_eq!(shown(&state), Some(message));
    update_with(&mut state, Msg::Tick { now: now + 900 });
    assert_eq!(state.last_result, None);
}

#[test]
fn help_scrolls_within_its_lines_and_q_quits_from_the_main_screen() {
    let mut state = listed("staging");
    press(&mut state, KeyCode::Char('?'));
    for _ in 0..1000 {
        press(&mut state, KeyCode::Char('j'));
    }
    let Overlay::Help { scroll } = state.overlay else {
        panic!("help closed");
    };
    assert!(scroll < 200, "scroll ran past the help: {scroll}");
    press(&mut state, KeyCode::Char('k'));
    let Overlay::Help { scroll: after } = state.overlay else {
        panic!("help closed");
    };
    assert_eq!(after, scroll - 1, "one key up scrolls back at once");
    press(&mut state, KeyCode::Esc);
    assert!(matches!(state.overlay, Overlay::None));
    assert!(!state.quit);
    press(&mut state, KeyCode::Char('q'));
    assert!(state.quit);
}

#[test]
fn every_write_is_reviewed_before_it_is_sent_and_esc_returns_to_the_form() {
    let mut state = listed("staging");
    press(&mut state, KeyCode::Char('e'));
    type_text(&mut state, "rolled");
    let effects = ctrl(&mut state, 's');
    assert!(effects.is_empty(), "Ctrl-s only opens the review");
    assert!(matches!(state.form().unwrap().submit, Submit::Review(_)));
    press(&mut state, KeyCode::Esc);
    assert!(matches!(state.form().unwrap().submit, Submit::Editing));
    assert_eq!(state.form().unwrap().value().expose(), "rolled");
    assert!(set_secret(&submit_form(&mut state)).is_some());
}

#[test]
fn a_dialog_whose_write_is_on_its_way_takes_no_keys_until_the_answer() {
    let mut state = detailed("staging");
    press(&mut state, KeyCode::Char('d'));
    assert_eq!(
        kinds(&press(&mut state, KeyCode::Char('y'))),
        ["delete secret"]
    );
    assert!(
        press(&mut state, KeyCode::Char('y')).is_empty(),
        "a second y sends no second delete"
    );
    press(&mut state, KeyCode::Esc);
    assert!(
        matches!(&state.overlay, Overlay::Confirm(c) if c.status.is_sending()),
        "Esc does not drop a delete on its way"
    );
    assert_eq!(
        state.last_result.as_ref().map(|(_, said)| said.as_str()),
        Some("waiting for the vault to answer…")
    );

    // The form likewise, while its write is on its way: nothing typed, pasted or sent.
    let mut state = listed("staging");
    press(&mut state, KeyCode::Char('e'));
    type_text(&mut state, "rolled");
    assert!(set_secret(&submit_form(&mut state)).is_some());
    type_text(&mut state, "x");
    update_with(&mut state, Msg::Paste("pasted".into()));
    assert!(ctrl(&mut state, 's').is_empty(), "no second write");
    press(&mut state, KeyCode::Esc);
    let form = state.form().expect("the form stays open");
    assert!(matches!(form.submit, Submit::Submitting { .. }));
    assert_eq!(form.value().expose(), "rolled");
}

#[test]
fn delete_asks_first_and_a_permanent_one_needs_the_name() {
    let mut state = detailed("staging");
    press(&mut state, KeyCode::Char('d'));
    let Overlay::Confirm(confirm) = &state.overlay else {
        panic!("no confirmation");
    };
    assert!(
        confirm.typed.is_none(),
        "a recoverable delete is a y/n question"
    );
    let effects = press(&mut state, KeyCode::Char('y'));
    assert_eq!(kinds(&effects), ["delete secret"]);
    answer(&mut state, |s| Msg::SecretDeleted {
        ticket: kvtui::state::Ticket {
            generation: s.generation,
            request: match &s.overlay {
                Overlay::Confirm(c) => match c.status {
                    kvtui::state::DialogStatus::Sending(request) => request,
                    _ => 0,
                },
                _ => 0,
            },
        },
        name: "api-gateway-config".into(),
        result: Ok(Default::default()),
    });
    assert!(matches!(state.overlay, Overlay::None));
    assert!(!lists(&state, "api-gateway-config"));
    assert_eq!(state.list.selected_name(), Some("db-password"));
    assert_eq!(
        state.operations.last().unwrap().operation,
        kvtui::state::Operation::Delete
    );

    // With a level that is not recoverable, the name must be typed.
    let mut state = detailed("staging");
    if let kvtui::state::Remote::Loaded(bundle) = &mut state.details.bundle {
        bundle.attributes.as_mut().unwrap().recovery_level =
            Some(kvtui::vault::RecoveryLevel::Purgeable);
    }
    press(&mut state, KeyCode::Char('d'));
    assert!(matches!(&state.overlay, Overlay::Confirm(c) if c.typed.is_some()));
    assert!(
        press(&mut state, KeyCode::Char('y')).is_empty(),
        "y is typed, not a yes"
    );
    assert!(
        press(&mut state, KeyCode::Enter).is_empty(),
        "a wrong name does nothing"
    );
}

#[test]
fn writes_are_refused_on_read_only_profiles_but_copying_out_is_allowed() {
    let mut state = detailed("prod");
    for key in ['d', 'a', 'x', 'u'] {
        press(&mut state, KeyCode::Char(key));
        assert!(
            matches!(state.overlay, Overlay::None),
            "{key} opened something"
        );
    }
    press(&mut state, KeyCode::Char('y'));
    assert!(matches!(state.overlay, Overlay::CopyTarget { .. }));
}

#[test]
fn copying_a_value_puts_it_on_the_clipboard_and_only_the_latest_copy_is_cleared() {
    let mut state = detailed("staging");
    state.clipboard_clear = Some(30);
    let effects = press(&mut state, KeyCode::Char('c'));
    let copy = match effects.as_slice() {
        [
            Effect::Clipboard {
                text,
                copy,
                clear_after,
            },
        ] => {
            assert_eq!(text.expose(), "s3cr3t-hunter2");
            assert_eq!(*clear_after, Some(std::time::Duration::from_secs(30)));
            *copy
        }
        other => panic!("expected a clipboard effect, got {other:?}"),
    };
    let (_, message) = state.last_result.clone().unwrap();
    assert!(message.starts_with("Copied the value of api-gateway-config"));
    assert!(!message.contains("s3cr3t"), "{message}");
    press(&mut state, KeyCode::Char('i'));
    // The first copy's timer is stale: the id copied since must stay on the clipboard, but tmux
    // may still keep the value in a paste buffer, so that is still looked for.
    let value = kvtui::vault::SecretValue::new("s3cr3t-hunter2");
    let stale = update_with(&mut state, Msg::ClipboardExpired { copy, text: value });
    assert!(
        matches!(stale.as_slice(), [Effect::ClearClipboard { terminal: false, text, .. }] if text.expose() == "s3cr3t-hunter2"),
        "{stale:?}"
    );
    let latest = state.clipboard_copy;
    let id = kvtui::vault::SecretValue::new("the-id");
    let current = update_with(
        &mut state,
        Msg::ClipboardExpired {
            copy: latest,
            text: id,
        },
    );
    assert!(
        matches!(
            current.as_slice(),
            [Effect::ClearClipboard { terminal: true, .. }]
        ),
        "{current:?}"
    );
    // What clearing did is said for the latest copy; a failure to check tmux always.
    update_with(
        &mut state,
        Msg::ClipboardCleared {
            copy: latest,
            cleared: kvtui::clipboard::Cleared::Tmux {
                deleted: vec!["buffer3".into()],
            },
        },
    );
    let (_, message) = state.last_result.clone().unwrap();
    assert!(
        message.contains("deleted tmux paste buffer buffer3"),
        "{message}"
    );
}

/// The text `effects` put on the clipboard.
fn clipboard_text(effects: &[Effect]) -> String {
    match effects {
        [Effect::Clipboard { text, .. }] => text.expose().to_owned(),
        other => panic!("expected a clipboard effect, got {other:?}"),
    }
}

#[test]
fn a_reference_is_copied_in_the_form_chosen() {
    let mut state = detailed("staging");
    let name = state.list.selected_name().unwrap().to_owned();
    let url = format!("{}/secrets/{name}", vault_of(&state));
    let expected = [
        format!("kv://staging/{name}"),
        url.clone(),
        format!("@Microsoft.KeyVault(SecretUri={url}/)"),
    ];
    for (downs, wanted) in expected.iter().enumerate() {
        assert!(press(&mut state, KeyCode::Char('R')).is_empty());
        for _ in 0..downs {
            press(&mut state, KeyCode::Char('j'));
        }
        let effects = press(&mut state, KeyCode::Enter);
        assert_eq!(&clipboard_text(&effects), wanted);
        assert!(matches!(state.overlay, Overlay::None));
        let (level, message) = state.last_result.clone().unwrap();
        assert_eq!(level, Level::Success);
        assert!(message.contains(wanted.as_str()), "{message}");
        // What is copied reads back as a reference to the same secret in the same profile.
        let parsed = kvtui::reference::Reference::parse(wanted).unwrap();
        assert_eq!(parsed.name, name);
        let config = config();
        assert_eq!(parsed.profile(&config, None).unwrap().name, "staging");
    }
    press(&mut state, KeyCode::Char('R'));
    for _ in 0..5 {
        press(&mut state, KeyCode::Down);
    }
    assert_eq!(
        clipboard_text(&press(&mut state, KeyCode::Enter)),
        expected[2],
        "the cursor stops at the last form"
    );
    press(&mut state, KeyCode::Char('R'));
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Up);
    assert_eq!(
        clipboard_text(&press(&mut state, KeyCode::Enter)),
        expected[0]
    );
    press(&mut state, KeyCode::Char('R'));
    assert!(press(&mut state, KeyCode::Esc).is_empty());
    assert!(matches!(state.overlay, Overlay::None), "Esc copies nothing");
    assert_eq!(
        state.last_result.clone().unwrap().1,
        format!("Copied the reference kv://staging/{name} to the clipboard")
    );
}

#[test]
fn the_embedded_vault_is_referenced_only_by_its_profile() {
    let mut state = listed("local");
    let name = state.list.selected_name().unwrap().to_owned();
    press(&mut state, KeyCode::Char('R'));
    match &state.overlay {
        Overlay::Reference(chooser) => assert_eq!(chooser.choices.len(), 1),
        other => panic!("no reference chooser: {other:?}"),
    }
    press(&mut state, KeyCode::Char('j'));
    assert_eq!(
        clipboard_text(&press(&mut state, KeyCode::Enter)),
        format!("kv://local/{name}")
    );
}

#[test]
fn a_reference_needs_a_selected_secret_as_the_id_does() {
    let (mut state, _) = fresh("staging");
    connect(&mut state);
    assert!(press(&mut state, KeyCode::Char('i')).is_empty());
    let for_id = state.last_result.clone().unwrap();
    state.last_result = None;
    assert!(press(&mut state, KeyCode::Char('R')).is_empty());
    assert!(matches!(state.overlay, Overlay::None));
    assert_eq!(state.last_result.clone().unwrap(), for_id);
    assert_eq!(for_id.0, Level::Error);
}

#[test]
fn the_expiry_overview_keeps_what_needs_attention_and_jumps_across_profiles() {
    let mut state = listed("staging");
    let effects = press(&mut state, KeyCode::Char('X'));
    assert_eq!(kinds(&effects), ["scan expiry"]);
    let base = vault_of(&state);
    let request = state.expiry.request;
    let local = profile_index(&state, "local");
    answer(&mut state, |s| Msg::ExpiryScanned {
        ticket: ticket(s, request),
        profile: local,
        result: Ok(catalogue().iter().map(|spec| item(&base, spec)).collect()),
    });
    let names: Vec<&str> = state.expiry.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "legacy-ftp-password",
            "db-password",
            "storage-connection-string",
            "old-signing-cert",
            "webhook-hmac-key"
        ],
        "expired, ≤7d, ≤30d, then none; >30d left out"
    );
    let effects = press(&mut state, KeyCode::Enter);
    assert_eq!(kinds(&effects), ["open profile"]);
    assert_eq!(state.profile().name, "local");
    assert_eq!(
        state.select_after_list.as_deref(),
        Some("legacy-ftp-password")
    );
    connect(&mut state);
    let items = catalogue().iter().map(|spec| item(&base, spec)).collect();
    page(&mut state, items, true);
    assert_eq!(state.list.selected_name(), Some("legacy-ftp-password"));
}

#[test]
fn rollback_starts_a_form_from_the_selected_version() {
    let mut state = detailed("staging");
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('N'));
    assert!(
        state.form().is_none(),
        "the version is still loading: nothing opens"
    );
    answer_older_version(
        &mut state,
        SecretBundle {
            value: Some(kvtui::vault::SecretValue::new("old\r\nvalue")),
            content_type: Some("application/json".into()),
            ..SecretBundle::default()
        },
    );
    press(&mut state, KeyCode::Char('N'));
    let form = state.form().expect("a form from the old version");
    assert_eq!(form.value().expose(), "old\r\nvalue", "exact bytes");
    let (_, _, params) = set_secret(&submit_form(&mut state))
        .map(|(r, n, p)| (r, n.to_owned(), p.clone()))
        .unwrap();
    assert_eq!(params.value.expose(), "old\r\nvalue");
    assert_eq!(params.content_type.as_deref(), Some("application/json"));
}

// ---------------------------------------------------------------------------------------------
// An operator's first hour (issue 12): each of these was seen going wrong in a real terminal.

fn form_value(state: &State) -> String {
    state.form().expect("a form").value().expose().to_owned()
}

#[test]
fn a_pasted_pem_keeps_its_lines_and_its_last_newline() {
    let mut state = listed("staging");
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Tab);
    // What a terminal sends for a pasted PEM, inside bracketed paste: CR for every newline.
    let pasted = "-----BEGIN CERTIFICATE-----\rMIIBszCCAVmg\rAbCdEf==\r-----END CERTIFICATE-----\r";
    update_with(&mut state, Msg::Paste(pasted.into()));
    assert_eq!(
        form_value(&state),
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmg\nAbCdEf==\n-----END CERTIFICATE-----\n"
    );
    // Windows line ends from a clipboard become LF too, not LF plus a stray CR.
    let mut state = listed("staging");
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Tab);
    update_with(&mut state, Msg::Paste("a\r\nb\r\n".into()));
    assert_eq!(form_value(&state), "a\nb\n");
}

#[test]
fn a_new_version_keeps_the_expiry_and_not_before_unless_cleared() {
    let mut state = detailed("staging");
    let latest = state.details.latest.clone().expect("latest loaded");
    let expires = latest
        .attributes
        .as_ref()
        .and_then(|a| a.exp)
        .expect("has an expiry");
    press(&mut state, KeyCode::Char('e'));
    type_text(&mut state, "rolled value");
    ctrl(&mut state, 's');
    let Some(Submit::Review(review)) = state.form().map(|form| &form.submit) else {
        panic!("the review opens");
    };
    assert!(
        !review
            .changes
            .iter()
            .any(|change| change.field == "expires"),
        "the expiry is unchanged: {:?}",
        review.changes
    );
    assert!(
        review.kept.iter().any(|kept| kept.field == "expires"),
        "and the review says it is kept: {:?}",
        review.kept
    );
    let effects = press(&mut state, KeyCode::Enter);
    let (_, _, params) = set_secret(&effects).expect("set secret");
    assert_eq!(
        params.attributes.as_ref().and_then(|a| a.exp),
        Some(expires)
    );
}

#[test]
fn recovering_after_a_409_continues_from_the_recovered_secret() {
    let mut state = listed("staging");
    start_new_secret(&mut state, "reborn", "new value");
    let effects = submit_form(&mut state);
    let (request, _, _) = set_secret(&effects).expect("sent");
    answer_name_deleted(&mut state, request, "reborn");
    press(&mut state, KeyCode::Char('r'));
    let request = match &state.form().expect("form").submit {
        Submit::Resolving { request, .. } => *request,
        other => panic!("resolving, not {other:?}"),
    };
    let recovered = SecretBundle {
        id: Some(format!(
            "{}/secrets/reborn/{}",
            vault_of(&state),
            version_hex(9)
        )),
        content_type: Some("text/plain".into()),
        tags: Some([("team".to_owned(), "core".to_owned())].into()),
        attributes: Some(kvtui::vault::SecretAttributes {
            exp: Some(NOW + 40 * DAY),
            ..Default::default()
        }),
        ..SecretBundle::default()
    };
    answer(&mut state, |s| Msg::Resolved {
        asked: Resolve {
            ticket: ticket(s, request),
            name: "reborn".into(),
            origin: kvtui::app::effect::Origin::Form,
            purge: false,
        },
        result: Ok(Some(recovered)),
    });
    let form = state.form().expect("the form stays");
    assert_eq!(
        form.kind,
        kvtui::state::form::FormKind::NewVersion("reborn".into())
    );
    assert_eq!(form.value().expose(), "new value", "what was typed stays");
    let (_, params) = form.to_request(NOW).expect("valid");
    assert_eq!(params.content_type.as_deref(), Some("text/plain"));
    assert_eq!(
        params.tags.as_ref().map(|t| t["team"].as_str()),
        Some("core")
    );
    assert_eq!(params.attributes.and_then(|a| a.exp), Some(NOW + 40 * DAY));
    ctrl(&mut state, 's');
    let Some(Submit::Review(review)) = state.form().map(|form| &form.submit) else {
        panic!("review");
    };
    assert!(review.title.contains("a new version"), "{}", review.title);
    assert!(review.changes.is_empty(), "{:?}", review.changes);
    let operations: Vec<String> = state
        .operations
        .iter()
        .map(|op| op.operation.to_string())
        .collect();
    assert_eq!(operations, ["set", "recover"]);
}

#[test]
fn quitting_asks_when_a_filled_form_or_a_write_would_be_lost() {
    // An empty form, or none: Ctrl-c quits at once.
    let mut state = listed("staging");
    press(&mut state, KeyCode::Char('n'));
    ctrl(&mut state, 'c');
    assert!(state.quit);

    let mut state = listed("staging");
    press(&mut state, KeyCode::Char('n'));
    type_text(&mut state, "half-typed");
    ctrl(&mut state, 'c');
    assert!(!state.quit, "a filled form is not thrown away by one key");
    let question = state.quit_question.clone().expect("asked");
    assert!(question.contains("half-typed"), "{question}");
    press(&mut state, KeyCode::Char('n'));
    assert!(state.quit_question.is_none() && !state.quit);
    assert_eq!(form_value(&state), "", "the form is as it was");
    assert_eq!(state.form().expect("form").name_text(), "half-typed");
    // A second Ctrl-c on the question quits: the user was told.
    ctrl(&mut state, 'c');
    ctrl(&mut state, 'c');
    assert!(state.quit);

    // A write in flight: the outcome would be unknown.
    let mut state = listed("staging");
    start_new_secret(&mut state, "sending", "v");
    submit_form(&mut state);
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('q'));
    ctrl(&mut state, 'c');
    let question = state.quit_question.clone().expect("asked");
    assert!(question.contains("setting sending"), "{question}");
}

#[test]
fn every_set_secret_is_in_the_operations_log() {
    let mut state = detailed("staging");
    let (request, name) = send_new_version(&mut state, "v2");
    let id = format!("{}/secrets/{name}/{}", vault_of(&state), version_hex(7));
    answer(&mut state, |s| Msg::SecretSet {
        ticket: ticket(s, request),
        result: Ok(SecretBundle {
            id: Some(id),
            ..SecretBundle::default()
        }),
    });
    let last = state.operations.last().expect("logged");
    assert_eq!(
        (last.operation, last.secret.as_str(), last.ok),
        (kvtui::state::Operation::Set, name.as_str(), true)
    );
    assert!(
        last.outcome.contains(&version_hex(7)[..8]),
        "{}",
        last.outcome
    );
}

#[test]
fn an_attribute_update_shows_in_the_list_row_even_before_the_history_loaded() {
    // x pressed on a secret whose details had not arrived yet (the cursor had just moved).
    let mut state = listed("staging");
    press(&mut state, KeyCode::Char('j'));
    assert!(state.versions.current.is_none());
    press(&mut state, KeyCode::Char('x'));
    let effects = press(&mut state, KeyCode::Enter);
    let (request, _) = sent_expecting(&effects).expect("update sent");
    let base = vault_of(&state);
    let mut disabled = item(&base, &catalogue()[1]);
    disabled.attributes.as_mut().unwrap().enabled = Some(false);
    answer(&mut state, |s| Msg::SecretUpdated {
        ticket: ticket(s, request),
        result: Ok(SecretBundle {
            id: Some(format!("{base}/secrets/db-password/{}", version_hex(3))),
            attributes: disabled.attributes.clone(),
            ..SecretBundle::default()
        }),
    });
    let row = state.list.selected().expect("still selected");
    assert_eq!(row.name, "db-password");
    assert_eq!(
        row.item.attributes.as_ref().and_then(|a| a.enabled),
        Some(false)
    );
}

#[test]
fn reloading_keeps_the_cursor_on_the_same_secret() {
    let mut state = listed("staging");
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    let chosen = state.list.selected_name().unwrap().to_owned();
    press(&mut state, KeyCode::Char('r'));
    let base = vault_of(&state);
    let specs = catalogue();
    let first = page(&mut state, vec![item(&base, &specs[0])], false);
    assert!(
        first.is_empty(),
        "nothing loads for a row the cursor is only passing: {first:?}"
    );
    let rest = specs[1..].iter().map(|spec| item(&base, spec)).collect();
    let effects = page(&mut state, rest, true);
    assert_eq!(state.list.selected_name(), Some(chosen.as_str()));
    assert_eq!(
        kinds(&effects),
        ["load secret", "load versions"],
        "its details are read again too"
    );
}

#[test]
fn q_goes_back_from_the_deleted_expiry_and_log_views() {
    for key in ['D', 'X', 'o'] {
        let mut state = listed("staging");
        press(&mut state, KeyCode::Char(key));
        press(&mut state, KeyCode::Char('q'));
        assert!(!state.quit, "{key}: q left the program");
        assert_eq!(state.screen, kvtui::state::Screen::Secrets, "{key}");
    }
}

#[test]
fn the_help_pages_and_jumps() {
    let mut state = listed("staging");
    press(&mut state, KeyCode::Char('?'));
    ctrl(&mut state, 'd');
    let page = kvtui::layout::help_page(state.size);
    assert!(matches!(state.overlay, Overlay::Help { scroll } if scroll == page));
    press(&mut state, KeyCode::Char('G'));
    let bottom = match state.overlay {
        Overlay::Help { scroll } => scroll,
        _ => panic!("help"),
    };
    assert!(bottom > page, "{bottom}");
    press(&mut state, KeyCode::Char('k'));
    assert!(
        matches!(state.overlay, Overlay::Help { scroll } if scroll == bottom - 1),
        "one line up from the bottom moves at once"
    );
    press(&mut state, KeyCode::Char('g'));
    assert!(matches!(state.overlay, Overlay::Help { scroll: 0 }));
}

#[test]
fn status_messages_go_after_a_while() {
    let mut state = listed("staging");
    assert!(state.last_result.is_some());
    update_with(&mut state, Msg::Tick { now: NOW + 9 });
    assert!(state.last_result.is_some(), "still there after 9 s");
    update_with(&mut state, Msg::Tick { now: NOW + 10 });
    assert!(state.last_result.is_none(), "gone after 10 s");
}

#[test]
fn backups_get_a_fresh_name_and_tab_is_not_typed_into_a_path() {
    let mut state = detailed("staging");
    press(&mut state, KeyCode::Char('b'));
    press(&mut state, KeyCode::Tab);
    let Overlay::Prompt(prompt) = &state.overlay else {
        panic!("the backup prompt");
    };
    let path = kvtui::state::input::text(&prompt.input);
    assert_eq!(path, "./api-gateway-config-20270115-080000.kvbackup");
}

#[test]
fn the_review_and_the_details_scroll() {
    let mut state = detailed("staging");
    press(&mut state, KeyCode::Char('J'));
    press(&mut state, KeyCode::Char('J'));
    assert_eq!(state.details_scroll, 2);
    press(&mut state, KeyCode::Char('K'));
    assert_eq!(state.details_scroll, 1);
    press(&mut state, KeyCode::Char('j'));
    assert_eq!(state.details_scroll, 0, "another secret starts at the top");

    press(&mut state, KeyCode::Char('e'));
    type_text(&mut state, "v");
    ctrl(&mut state, 's');
    press(&mut state, KeyCode::Char('j'));
    ctrl(&mut state, 'd');
    let Some(Submit::Review(review)) = state.form().map(|form| &form.submit) else {
        panic!("review");
    };
    assert!(review.scroll > 1, "{}", review.scroll);
}

#[test]
fn an_expiry_already_past_is_warned_of_but_not_refused() {
    let mut state = listed("staging");
    start_new_secret_expiring(&mut state, "retired", "v", "2020-01-01");
    let form = state.form().expect("form");
    let warning = form.expiry_warning(NOW).expect("warned");
    assert!(
        warning.contains("2020-01-01 00:00 UTC is already past"),
        "{warning}"
    );
    assert!(form.errors(NOW).is_empty(), "{:?}", form.errors(NOW));
    // Dates the service cannot hold are refused, not written (and never shown as bare numbers).
    let form = state.form_mut().expect("form");
    form.expires = kvtui::state::input::single_line("+99999999d");
    assert!(
        form.error_for(FormField::Expires, NOW)
            .is_some_and(|error| error.contains("9999-12-31")),
        "{:?}",
        form.errors(NOW)
    );
}

/// A first run (no config file) connected: the search for the sign-in's vaults has started.
fn first_run() -> (State, kvtui::state::Ticket) {
    let (mut state, _) = fresh("staging");
    state.first_run = true;
    let effects = connect(&mut state);
    assert_eq!(kinds(&effects), ["list secrets", "discover"]);
    let Some(Effect::Discover { ticket }) = effects.last() else {
        unreachable!()
    };
    (state, *ticket)
}

#[test]
fn rows_are_grouped_by_subscription_and_the_cursor_stays_on_its_vault() {
    let vault = |name: &str, subscription: &str| {
        found_vault(name, subscription, kvtui::discovery::Via::Profile)
    };
    let mut view = kvtui::state::vaults::VaultsView::default();
    view.add(vec![vault("zeta", "Prod")]);
    assert_eq!(view.selected().map(|v| v.name.as_str()), Some("zeta"));
    view.add(vec![
        vault("alpha", "Prod"),
        vault("beta", "Dev"),
        vault("zeta", "Prod"),
    ]);
    let names: Vec<&str> = view.rows.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        ["beta", "alpha", "zeta"],
        "Dev before Prod, each once"
    );
    assert_eq!(view.selected().map(|v| v.name.as_str()), Some("zeta"));
    view.set_query("alp".into());
    assert_eq!(view.shown.len(), 1);
    assert_eq!(view.selected().map(|v| v.name.as_str()), Some("alpha"));
    view.set_query("dev".into());
    assert_eq!(
        view.selected().map(|v| v.name.as_str()),
        Some("beta"),
        "by subscription"
    );
}

#[test]
fn a_first_run_opens_the_picker_once_the_sign_in_finds_a_vault_unless_a_key_came_first() {
    let (mut state, ticket) = first_run();
    assert_eq!(state.screen, kvtui::state::Screen::Secrets);
    let found = |vault: &str| Msg::Discovered {
        ticket,
        found: Some(kvtui::discovery::Found::Vaults(vec![found_vault(
            vault,
            "Prod",
            kvtui::discovery::Via::SignedIn,
        )])),
    };
    update_with(&mut state, found("kv-one"));
    assert_eq!(
        state.screen,
        kvtui::state::Screen::Vaults,
        "opened by itself"
    );
    assert!(!state.first_run, "only once");
    // Back to the secrets: later finds do not pull the screen away again.
    press(&mut state, KeyCode::Esc);
    update_with(&mut state, found("kv-two"));
    assert_eq!(state.screen, kvtui::state::Screen::Secrets);
    assert_eq!(state.vaults.rows.len(), 2);

    let (mut busy, ticket) = first_run();
    press(&mut busy, KeyCode::Char('j'));
    update_with(
        &mut busy,
        Msg::Discovered {
            ticket,
            found: Some(kvtui::discovery::Found::Vaults(vec![found_vault(
                "kv-one",
                "Prod",
                kvtui::discovery::Via::SignedIn,
            )])),
        },
    );
    assert_eq!(
        busy.screen,
        kvtui::state::Screen::Secrets,
        "the operator was at the keyboard first"
    );
    assert_eq!(
        busy.vaults.rows.len(),
        1,
        "the picker has it for when V is pressed"
    );

    // With a config file, connecting searches for nothing.
    let (mut configured, _) = fresh("staging");
    assert_eq!(kinds(&connect(&mut configured)), ["list secrets"]);
}

#[test]
fn the_picker_opened_before_the_session_looks_once_it_is_open() {
    let (mut state, _) = fresh("staging");
    assert!(
        press(&mut state, KeyCode::Char('V')).is_empty(),
        "nothing to ask with yet"
    );
    assert!(state.vaults.searching, "the picker says it is looking");
    let effects = connect(&mut state);
    assert_eq!(kinds(&effects), ["list secrets", "discover"]);
}

#[test]
fn a_vault_found_through_a_client_secret_profile_is_saved_signing_in_as_it_does() {
    use kvtui::config::AuthMethod;
    let mut state = detailed("staging");
    let active = state.active_profile;
    let profile = &mut state.profiles[active];
    profile.auth = AuthMethod::ClientSecret;
    profile.tenant_id = Some("72f988bf-86f1-41af-91ab-2d7cd011db47".into());
    profile.client_id = Some("0b7a3c5e-1d2f-4a6b-8c9d-0e1f2a3b4c5d".into());
    profile.client_secret_env = Some("CI_SP_SECRET".into());
    state.config_file = Some("/home/op/.config/kvtui/config.toml".into());
    let effects = press(&mut state, KeyCode::Char('V'));
    let request = match effects.as_slice() {
        [Effect::Discover { ticket }] => ticket.request,
        other => panic!("{other:?}"),
    };
    answer(&mut state, |s| Msg::Discovered {
        ticket: ticket(s, request),
        found: Some(kvtui::discovery::Found::Vaults(vec![found_vault(
            "kv-ci-builds",
            "Builds",
            kvtui::discovery::Via::Profile,
        )])),
    });
    press(&mut state, KeyCode::Char('s'));
    let effects = press(&mut state, KeyCode::Enter);
    let new = match effects.as_slice() {
        [Effect::SaveProfile { new, .. }] => new,
        other => panic!("{other:?}"),
    };
    // Without its client and the variable of its secret, the saved profile would not load.
    assert_eq!(new.auth, Some(AuthMethod::ClientSecret));
    assert_eq!(
        new.client_id.as_deref(),
        Some("0b7a3c5e-1d2f-4a6b-8c9d-0e1f2a3b4c5d")
    );
    assert_eq!(new.client_secret_env.as_deref(), Some("CI_SP_SECRET"));
}
