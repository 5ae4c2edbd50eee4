//! Races between a list that is still loading and a write that lands meanwhile — found by the
//! fault suite, where throttling keeps a listing in flight for seconds.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::factory;

use factory::*;
use kvtui::app::msg::Msg;
use kvtui::vault::SecretBundle;

#[test]
fn a_secret_set_while_the_list_loads_is_listed_once() {
    let (mut state, _) = fresh("staging");
    connect(&mut state);
    let base = vault_of(&state);
    page(&mut state, vec![item(&base, &spec("alpha"))], false);

    // While page 2 is on its way, a new secret is set through the form.
    start_new_secret(&mut state, "beta", "v");
    let effects = submit_form(&mut state);
    let (request, _, _) = set_secret(&effects).unwrap();
    let version = version_hex(7);
    answer(&mut state, |s| Msg::SecretSet {
        ticket: ticket(s, request),
        result: Ok(SecretBundle {
            id: Some(format!("{base}/secrets/beta/{version}")),
            ..SecretBundle::default()
        }),
    });
    // The listing, which reached the vault after the set, brings it too.
    page(
        &mut state,
        vec![item(&base, &spec("beta")), item(&base, &spec("gamma"))],
        true,
    );
    let names: Vec<&str> = state
        .list
        .rows
        .iter()
        .map(|row| row.name.as_str())
        .collect();
    assert_eq!(names, ["alpha", "beta", "gamma"]);
    assert_eq!(
        state.list.selected_name(),
        Some("beta"),
        "still on the new secret"
    );
}
