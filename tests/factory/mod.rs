//! States of the TUI built the way the app builds them: by feeding `update` the messages the
//! background tasks would send. Shared by the update tests and the screen snapshots.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kvtui::app::effect::Effect;
use kvtui::app::msg::Msg;
use kvtui::app::update::update;
use kvtui::config::Config;
use kvtui::state::{Connection, State};
use kvtui::ui::{Theme, render};
use kvtui::vault::stale::Expected;
use kvtui::vault::{
    RecoveryLevel, SecretAttributes, SecretBundle, SecretItem, SecretValue, SetSecretParameters,
    VaultError,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;
use std::path::Path;

/// 2027-01-15 08:00 UTC: every factory state sees this clock, so snapshots never drift.
pub const NOW: i64 = 1_800_000_000;
pub const DAY: i64 = 86_400;
pub const VAULT: &str = "https://kv-payments-prod.vault.azure.net";

const CONFIG: &str = r#"
default_profile = "prod"

[profiles.prod]
vault_url = "https://kv-payments-prod.vault.azure.net"
auth = "azure-cli"
read_only = true

[profiles.staging]
vault_url = "https://kv-payments-staging.vault.azure.net"
auth = "developer-tools"

[profiles.local]
auth = "local"
"#;

pub fn config() -> Config {
    Config::parse(CONFIG, Path::new("/home/op/.config/kvtui/config.toml")).expect("config parses")
}

/// `listed("staging")` with a policy on staging, as `config.toml` would give it.
pub fn governed() -> State {
    let mut state = listed("staging");
    let toml = r#"
[profiles.staging]
vault_url = "https://kv-payments-staging.vault.azure.net"
require_expiry = true
max_expiry_days = 365
default_expiry = "+90d"
required_tags = ["owner"]
allowed_content_types = ["text/plain", "application/json"]
name_pattern = "app-[a-z0-9-]+"
"#;
    let config = Config::parse(toml, Path::new("/home/op/.config/kvtui/config.toml"))
        .expect("the policy parses");
    state.profiles[state.active_profile].policy = config.profiles[0].policy.clone();
    state
}

/// The state on `profile`, before its session opened; returns the effects `start` asked for.
pub fn fresh(profile: &str) -> (State, Vec<Effect>) {
    let config = config();
    let active = config
        .profiles
        .iter()
        .position(|p| p.name == profile)
        .expect("profile exists");
    let mut state = State::new(config.profiles.clone(), active, Some("prod".into()), NOW);
    update(&mut state, Msg::Resize(80, 24));
    let effects = kvtui::app::update::start(&mut state);
    (state, effects)
}

pub fn vault_of(state: &State) -> String {
    match &state.profile().vault {
        kvtui::config::VaultLocation::Url(url) => url.trim_end_matches('/').to_owned(),
        kvtui::config::VaultLocation::Embedded => "https://127.0.0.1:8443".into(),
    }
}

pub fn connect(state: &mut State) -> Vec<Effect> {
    let vault_url = vault_of(state);
    answer(state, |s| Msg::Connected {
        generation: s.generation,
        result: Ok(Connection {
            vault_url,
            embedded: false,
        }),
    })
}

pub fn version_hex(seed: u32) -> String {
    format!("{:08x}{:024x}", seed.wrapping_mul(2_654_435_761), seed)
}

pub struct Spec {
    pub name: &'static str,
    pub enabled: bool,
    pub content_type: Option<&'static str>,
    pub updated: i64,
    pub expires: Option<i64>,
    pub tags: &'static [(&'static str, &'static str)],
}

pub fn spec(name: &'static str) -> Spec {
    Spec {
        name,
        enabled: true,
        content_type: None,
        updated: NOW - 3 * DAY,
        expires: None,
        tags: &[],
    }
}

fn tags(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    (!pairs.is_empty()).then(|| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    })
}

fn attributes(spec: &Spec, created: i64) -> SecretAttributes {
    SecretAttributes {
        enabled: Some(spec.enabled),
        nbf: None,
        exp: spec.expires,
        created: Some(created),
        updated: Some(spec.updated),
        recoverable_days: Some(90),
        recovery_level: Some(RecoveryLevel::RecoverablePurgeable),
    }
}

pub fn item(base: &str, spec: &Spec) -> SecretItem {
    SecretItem {
        id: Some(format!("{base}/secrets/{}", spec.name)),
        attributes: Some(attributes(spec, spec.updated - 30 * DAY)),
        tags: tags(spec.tags),
        content_type: spec.content_type.map(str::to_owned),
        managed: None,
    }
}

/// The secrets of the factory vault: every expiry badge, a disabled one, tags and content types.
pub fn catalogue() -> Vec<Spec> {
    vec![
        Spec {
            content_type: Some("application/json"),
            tags: &[("owner", "payments"), ("rotation", "90d")],
            expires: Some(NOW + 200 * DAY),
            ..spec("api-gateway-config")
        },
        Spec {
            content_type: Some("text/plain"),
            tags: &[("env", "prod")],
            expires: Some(NOW + 5 * DAY),
            ..spec("db-password")
        },
        Spec {
            expires: Some(NOW - 2 * DAY),
            ..spec("legacy-ftp-password")
        },
        Spec {
            enabled: false,
            content_type: Some("application/x-pem-file"),
            ..spec("old-signing-cert")
        },
        Spec {
            content_type: Some("text/plain"),
            expires: Some(NOW + 20 * DAY),
            ..spec("storage-connection-string")
        },
        spec("webhook-hmac-key"),
    ]
}

/// The list of `profile`, fully loaded, with the first secret selected (settled, not loaded).
pub fn listed(profile: &str) -> State {
    let (mut state, _) = fresh(profile);
    connect(&mut state);
    let base = vault_of(&state);
    let items = catalogue().iter().map(|s| item(&base, s)).collect();
    page(&mut state, items, true);
    state
}

pub fn page(state: &mut State, items: Vec<SecretItem>, done: bool) -> Vec<Effect> {
    answer(state, |s| Msg::SecretsPage {
        ticket: ticket(s, s.list.request),
        result: Ok(items),
        done,
    })
}

/// `listed`, with the selected secret's details and three versions loaded.
pub fn detailed(profile: &str) -> State {
    let mut state = listed(profile);
    load_selected(&mut state, 3);
    state
}

/// Answers the loads for the selected secret: latest bundle and `versions` versions.
pub fn load_selected(state: &mut State, versions: u32) {
    let name = state.list.selected_name().expect("a selection").to_owned();
    let catalogue = catalogue();
    let spec = catalogue
        .iter()
        .find(|s| s.name == name)
        .expect("a catalogue secret");
    load_spec(state, spec, versions);
}

/// Answers the loads for the selected secret, which is `spec`: latest bundle and `versions`
/// versions.
pub fn load_spec(state: &mut State, spec: &Spec, versions: u32) {
    let name = spec.name.to_owned();
    answer(state, |s| Msg::SelectionSettled {
        generation: s.generation,
        name: name.clone(),
    });
    let base = vault_of(state);
    let history: Vec<SecretItem> = (1..=versions)
        .map(|n| {
            let mut version = item(&base, spec);
            version.id = Some(format!("{base}/secrets/{name}/{}", version_hex(n)));
            let attributes = version.attributes.as_mut().unwrap();
            attributes.created = Some(NOW - (versions - n + 1) as i64 * 10 * DAY);
            attributes.updated = attributes.created;
            if n < versions {
                attributes.enabled = Some(n % 2 == 1);
                attributes.exp = None;
            }
            version
        })
        .collect();
    let latest = history.last().expect("at least one version");
    let bundle = SecretBundle {
        value: Some(SecretValue::new("s3cr3t-hunter2")),
        id: latest.id.clone(),
        content_type: latest.content_type.clone(),
        attributes: latest.attributes.clone(),
        tags: latest.tags.clone(),
        ..SecretBundle::default()
    };
    answer(state, |s| Msg::SecretLoaded {
        ticket: ticket(s, s.details.request),
        name: name.clone(),
        version: None,
        result: Ok(bundle),
    });
    // The service lists versions oldest first; the pane must not depend on it.
    answer(state, |s| Msg::VersionsLoaded {
        ticket: ticket(s, s.versions.request),
        name,
        result: Ok(history),
    });
}

/// `detailed`, a new version of its secret typed and sent from the form, and the guard's
/// answer: another writer made version 4 since the form opened. Returns what the form sent.
pub fn conflicted() -> (State, Vec<Effect>) {
    let mut state = detailed("staging");
    press(&mut state, KeyCode::Char('e'));
    type_text(&mut state, "-rotated");
    let sent = submit_form(&mut state);
    let request = set_secret(&sent).expect("the write is sent").0;
    let base = vault_of(&state);
    answer(&mut state, |s| Msg::SetStale {
        ticket: ticket(s, request),
        latest: Some(Box::new(SecretBundle {
            value: Some(SecretValue::new("someone else's value")),
            id: Some(format!(
                "{base}/secrets/api-gateway-config/{}",
                version_hex(4)
            )),
            content_type: Some("text/plain".into()),
            attributes: Some(SecretAttributes {
                updated: Some(NOW - 60),
                ..SecretAttributes::default()
            }),
            ..SecretBundle::default()
        })),
    });
    (state, sent)
}

/// `listed`, every secret marked and `keys` pressed; with `extra` more secrets listed first
/// (`extra-01` …), so a bulk run has more than it sends at once.
pub fn marked_and(extra: usize, keys: &str) -> State {
    let mut state = listed("staging");
    let base = vault_of(&state);
    let names: Vec<&'static str> = (1..=extra)
        .map(|n| &*Box::leak(format!("extra-{n:02}").into_boxed_str()))
        .collect();
    let items = names.iter().map(|name| item(&base, &spec(name))).collect();
    page(&mut state, items, true);
    press(&mut state, KeyCode::Char('M'));
    type_text(&mut state, keys);
    state
}

/// `y` on the selected secret, to the profile `local`, whose vault holds `current` under its
/// name: the copy's review.
pub fn copy_reviewed(current: Option<SecretBundle>) -> State {
    let mut state = detailed("staging");
    press(&mut state, KeyCode::Char('y'));
    let effects = press(&mut state, KeyCode::Enter);
    let request = effects
        .iter()
        .find_map(|e| match e {
            Effect::PrepareCopy { ticket, .. } => Some(ticket.request),
            _ => None,
        })
        .expect("a copy is prepared");
    let target = profile_index(&state, "local");
    answer(&mut state, |s| Msg::CopyPrepared {
        ticket: ticket(s, request),
        target,
        source: Ok(s.details.latest.clone().unwrap()),
        current: Ok(current),
    });
    state
}

/// The request of the guarded write among `effects` (a set, a copy, an update) and what it
/// expects to find.
pub fn sent_expecting(effects: &[Effect]) -> Option<(u64, Option<&Expected>)> {
    effects.iter().find_map(|effect| match effect {
        Effect::SetSecret {
            ticket, expected, ..
        }
        | Effect::CopyToProfile {
            ticket, expected, ..
        }
        | Effect::UpdateSecret {
            ticket, expected, ..
        } => Some((ticket.request, expected.as_ref())),
        _ => None,
    })
}

/// `copy_reviewed(None)` sent, and answered that a version was written there meanwhile
/// (`version_hex(9)`, another value): the review back with the conflict, and what was sent.
pub fn copy_conflicted() -> (State, Vec<Effect>) {
    let mut state = copy_reviewed(None);
    let sent = press(&mut state, KeyCode::Enter);
    let (request, _) = sent_expecting(&sent).expect("the copy is sent");
    let theirs = SecretBundle {
        value: Some(SecretValue::new("a value written there meanwhile")),
        id: Some(format!(
            "https://local.vault.example/secrets/api-gateway-config/{}",
            version_hex(9)
        )),
        ..SecretBundle::default()
    };
    answer(&mut state, |s| Msg::SetStale {
        ticket: ticket(s, request),
        latest: Some(Box::new(theirs)),
    });
    (state, sent)
}

/// Where the profile called `name` stands in `state.profiles`.
pub fn profile_index(state: &State, name: &str) -> usize {
    state
        .profiles
        .iter()
        .position(|p| p.name == name)
        .expect("a factory profile")
}

/// Answers the load of the second version of `api-gateway-config` (what Enter and `j` select
/// in a `detailed` history) with `bundle`, given that version's id.
pub fn answer_older_version(state: &mut State, bundle: SecretBundle) -> Vec<Effect> {
    let version = version_hex(2);
    let id = format!("{}/secrets/api-gateway-config/{version}", vault_of(state));
    answer(state, |s| Msg::SecretLoaded {
        ticket: ticket(s, s.details.request),
        name: "api-gateway-config".into(),
        version: Some(version),
        result: Ok(SecretBundle {
            id: Some(id),
            ..bundle
        }),
    })
}

pub fn press(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn ctrl(state: &mut State, c: char) -> Vec<Effect> {
    update(
        state,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

pub fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        press(state, code);
    }
}

/// `n`, the name, Tab, the value: the focus is left on the value.
pub fn start_new_secret(state: &mut State, name: &str, value: &str) {
    press(state, KeyCode::Char('n'));
    type_text(state, name);
    press(state, KeyCode::Tab);
    type_text(state, value);
}

/// `n`, then the new-secret form typed field by field as a user would, up to the expiry (the
/// focus is left there).
pub fn type_new_secret(
    state: &mut State,
    name: &str,
    value: &str,
    content_type: &str,
    (tag_key, tag_value): (&str, &str),
    expires: &str,
) {
    start_new_secret(state, name, value);
    press(state, KeyCode::Tab);
    type_text(state, content_type);
    ctrl(state, 'n');
    type_text(state, tag_key);
    press(state, KeyCode::Tab);
    type_text(state, tag_value);
    press(state, KeyCode::Tab);
    type_text(state, expires);
}

/// The Set Secret effect among `effects`.
pub fn set_secret(effects: &[Effect]) -> Option<(u64, &str, &SetSecretParameters)> {
    effects.iter().find_map(|effect| match effect {
        Effect::SetSecret {
            ticket,
            name,
            params,
            ..
        } => Some((ticket.request, name.as_str(), params)),
        _ => None,
    })
}

pub fn service_error(status: u16, code: &str, message: &str, inner: Option<&str>) -> VaultError {
    VaultError::Service {
        status,
        code: code.into(),
        message: message.into(),
        inner_code: inner.map(str::to_owned),
    }
}

/// The vault's answer to Set Secret `request` when `name` is deleted but recoverable (409).
pub fn answer_name_deleted(state: &mut State, request: u64, name: &str) -> Vec<Effect> {
    answer(state, |s| Msg::SecretSet {
        ticket: ticket(s, request),
        result: Err(service_error(
            409,
            "Conflict",
            &format!("Secret {name} is currently in a deleted but recoverable state."),
            Some("ObjectIsDeletedButRecoverable"),
        )),
    })
}

/// The ticket of `request` in the profile session on screen, for an answer to carry.
pub fn ticket(state: &State, request: u64) -> kvtui::state::Ticket {
    kvtui::state::Ticket {
        generation: state.generation,
        request,
    }
}

/// Feeds `update` a message built from the current state (its generation, request ids).
pub fn answer(state: &mut State, make: impl FnOnce(&State) -> Msg) -> Vec<Effect> {
    let msg = make(state);
    update(state, msg)
}

/// Ctrl-s, then Enter on the review it opens: the effects of sending the form.
pub fn submit_form(state: &mut State) -> Vec<Effect> {
    let effects = ctrl(state, 's');
    let reviewing = matches!(
        state.form().map(|form| &form.submit),
        Some(kvtui::state::form::Submit::Review(_))
    );
    if reviewing {
        press(state, KeyCode::Enter)
    } else {
        effects
    }
}

/// `state` drawn by the real `ui::render` at `size`, after the resize the app would see.
pub fn draw(state: &mut State, size: (u16, u16), theme: Theme) -> Terminal<TestBackend> {
    kvtui::app::update::update(state, Msg::Resize(size.0, size.1));
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).expect("test terminal");
    terminal
        .draw(|frame| render(frame, state, &theme))
        .expect("draw");
    terminal
}

/// What the terminal shows, line by line, trailing spaces trimmed.
pub fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        for x in 0..buffer.area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// A vault as discovery reports it, in the Contoso tenant, found through `via`.
pub fn found_vault(
    name: &str,
    subscription: &str,
    via: kvtui::discovery::Via,
) -> kvtui::discovery::FoundVault {
    kvtui::discovery::FoundVault {
        name: name.into(),
        vault_url: format!("https://{name}.vault.azure.net"),
        tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
        tenant: "Contoso".into(),
        subscription_id: "5f1e0c8a-0000-4000-8000-000000000001".into(),
        subscription: subscription.into(),
        resource_group: Some("rg-payments".into()),
        location: Some("westeurope".into()),
        rbac: true,
        via,
    }
}
