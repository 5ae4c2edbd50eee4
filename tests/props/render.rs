//! The TUI drawing whatever a vault sends. States are built the way the app builds them, by
//! feeding `update` the answers a hostile vault would give (any integer as a date, names of any
//! width, control and format characters, many long tags, big values, a long error), and drawn by
//! the real `ui::render` on ratatui's `TestBackend` from 1×1 to 200×60: the main screen (masked
//! and revealed), the deleted view, the expiry overview, the operations log, the review of an
//! attribute edit, and every pane showing the vault's error.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kvtui::app::msg::Msg;
use kvtui::app::update::update;
use kvtui::config::Config;
use kvtui::state::{Connection, Overlay, Screen, State};
use kvtui::ui::{Theme, render};
use kvtui::vault::{
    DeletedSecretItem, Deletion, SecretAttributes, SecretBundle, SecretItem, SecretValue,
    VaultError,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;

/// From nothing at all to a large terminal, and both sides of the widths where panes add a
/// column (the versions pane shows times from 130 columns).
pub const SIZES: [(u16, u16); 8] = [
    (1, 1),
    (12, 4),
    (40, 10),
    (80, 24),
    (129, 30),
    (130, 40),
    (161, 48),
    (200, 60),
];

const VAULT: &str = "https://kv-hostile.vault.azure.net";
const NOW: i64 = 1_800_000_000;

/// One version of a secret, as a hostile vault may describe it.
#[derive(Clone, Debug)]
pub struct HostileVersion {
    pub name: String,
    pub version: String,
    pub content_type: Option<String>,
    pub tags: Vec<(String, String)>,
    /// Not-before, expiry, created, updated, in unix seconds.
    pub dates: [Option<i64>; 4],
    pub enabled: Option<bool>,
    pub recoverable_days: Option<i64>,
    pub value: String,
}

impl HostileVersion {
    fn attributes(&self) -> SecretAttributes {
        let [nbf, exp, created, updated] = self.dates;
        SecretAttributes {
            enabled: self.enabled,
            nbf,
            exp,
            created,
            updated,
            recoverable_days: self.recoverable_days,
            recovery_level: None,
        }
    }

    fn item(&self, with_version: bool) -> SecretItem {
        let id = if with_version {
            format!("{VAULT}/secrets/{}/{}", self.name, self.version)
        } else {
            format!("{VAULT}/secrets/{}", self.name)
        };
        SecretItem {
            id: Some(id),
            attributes: Some(self.attributes()),
            tags: (!self.tags.is_empty()).then(|| self.tags.iter().cloned().collect()),
            content_type: self.content_type.clone(),
            managed: None,
        }
    }

    fn bundle(&self) -> SecretBundle {
        let item = self.item(true);
        SecretBundle {
            value: Some(SecretValue::new(self.value.clone())),
            id: item.id,
            content_type: item.content_type,
            attributes: item.attributes,
            tags: item.tags,
            ..SecretBundle::default()
        }
    }
}

/// Draws `state` at every size; no size panics, and no cell the terminal would be sent holds a
/// control or format character.
fn draw_everywhere(state: &mut State, what: &str) {
    let theme = Theme { color: true };
    for (width, height) in SIZES {
        update(state, Msg::Resize(width, height));
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|frame| render(frame, state, &theme)).unwrap();
        for cell in terminal.backend().buffer().content() {
            let symbol = cell.symbol();
            assert!(
                !symbol
                    .chars()
                    .any(|c| c.is_control() || kvtui::format_chars::is_format(c)),
                "{what} at {width}x{height}: {symbol:?} reaches the terminal"
            );
        }
    }
}

fn press(state: &mut State, code: KeyCode) {
    update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn ctrl(state: &mut State, c: char) {
    update(
        state,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    );
}

/// The id of the request last begun (the one a key just sent).
fn last_request(state: &State) -> u64 {
    state.in_flight.last().map_or(0, |flight| flight.id)
}

/// What a hostile vault answers an error with: its code and message are its own text.
fn refusal(message: &str) -> VaultError {
    VaultError::Service {
        status: 400,
        code: message.chars().take(40).collect(),
        message: message.to_owned(),
        inner_code: Some(message.to_owned()),
    }
}

/// The selected secret `name` arrives: its latest version, and its history.
fn load(
    state: &mut State,
    name: &str,
    bundle: Result<SecretBundle, VaultError>,
    history: Result<Vec<SecretItem>, VaultError>,
) {
    let (generation, request) = (state.generation, state.details.request);
    update(
        state,
        Msg::SecretLoaded {
            ticket: kvtui::state::Ticket {
                generation,
                request,
            },
            name: name.to_owned(),
            version: None,
            result: bundle,
        },
    );
    let request = state.versions.request;
    update(
        state,
        Msg::VersionsLoaded {
            ticket: kvtui::state::Ticket {
                generation,
                request,
            },
            name: name.to_owned(),
            result: history,
        },
    );
}

/// The TUI on a vault that lists `versions` (one secret each, the first selected, all of them
/// its history) and refuses with `message`: every screen drawn at every size, never a panic.
pub fn render_hostile(versions: &[HostileVersion], message: &str) {
    let config = Config::parse(
        &format!(
            "[profiles.hostile]\nvault_url = \"{VAULT}\"\nauth = \"azure-cli\"\n\n\
             [profiles.other]\nvault_url = \"https://kv-other.vault.azure.net\"\nauth = \"azure-cli\"\n"
        ),
        Path::new("/home/op/.config/kvtui/config.toml"),
    )
    .unwrap();
    let mut state = State::new(config.profiles, 0, Some("hostile".into()), NOW);
    update(&mut state, Msg::Resize(80, 24));
    kvtui::app::update::start(&mut state);
    let connected = Connection {
        vault_url: VAULT.into(),
        embedded: false,
    };
    let generation = state.generation;
    let result = Ok(connected);
    update(&mut state, Msg::Connected { generation, result });
    let request = state.list.request;
    let listed = versions.iter().map(|v| v.item(false)).collect();
    update(
        &mut state,
        Msg::SecretsPage {
            ticket: kvtui::state::Ticket {
                generation,
                request,
            },
            result: Ok(listed),
            done: true,
        },
    );
    draw_everywhere(&mut state, "the list");
    if let (Some(name), Some(first)) = (state.list.selected_name(), versions.first()) {
        let name = name.to_owned();
        update(
            &mut state,
            Msg::SelectionSettled {
                generation,
                name: name.clone(),
            },
        );
        load(
            &mut state,
            &name,
            Ok(first.bundle()),
            Ok(versions.iter().map(|v| v.item(true)).collect()),
        );
        draw_everywhere(&mut state, "the main screen");
        press(&mut state, KeyCode::Char('v'));
        draw_everywhere(&mut state, "the revealed value");
        press(&mut state, KeyCode::Char('v'));

        // A write the vault refuses: the status bar, the operations log and the review show it.
        press(&mut state, KeyCode::Char('x'));
        press(&mut state, KeyCode::Enter);
        let request = last_request(&state);
        update(
            &mut state,
            Msg::SecretUpdated {
                ticket: kvtui::state::Ticket {
                    generation,
                    request,
                },
                result: Err(refusal(message)),
            },
        );
        assert!(
            state.operations.iter().any(|op| !op.ok),
            "the refusal is logged"
        );
        assert!(
            matches!(&state.overlay, Overlay::Review(review) if review.status.error().is_some()),
            "the review shows the refusal"
        );
        draw_everywhere(&mut state, "the review of a refused write");
        press(&mut state, KeyCode::Esc);
        // The attributes form holds the vault's tags and content type in its inputs, as they
        // are; Ctrl-s shows what it finds wrong with them, or the review.
        press(&mut state, KeyCode::Char('a'));
        assert!(
            matches!(state.overlay, Overlay::Form(_)),
            "the form is open"
        );
        draw_everywhere(&mut state, "the attributes form");
        ctrl(&mut state, 's');
        draw_everywhere(&mut state, "the attributes form sent");
        press(&mut state, KeyCode::Esc);
        press(&mut state, KeyCode::Esc);

        load(
            &mut state,
            &name,
            Err(refusal(message)),
            Err(refusal(message)),
        );
        draw_everywhere(&mut state, "the panes' errors");
    }
    press(&mut state, KeyCode::Char('o'));
    assert_eq!(state.screen, Screen::Operations);
    draw_everywhere(&mut state, "the operations log");
    press(&mut state, KeyCode::Esc);

    press(&mut state, KeyCode::Char('D'));
    let request = state.deleted.request;
    let deleted = versions
        .iter()
        .map(|v| DeletedSecretItem {
            item: v.item(false),
            deletion: Deletion {
                recovery_id: Some(format!("{VAULT}/deletedsecrets/{}", v.name)),
                deleted_date: v.dates[2],
                scheduled_purge_date: v.dates[1],
            },
        })
        .collect();
    update(
        &mut state,
        Msg::DeletedListed {
            ticket: kvtui::state::Ticket {
                generation,
                request,
            },
            result: Ok(deleted),
        },
    );
    assert_eq!(state.screen, Screen::Deleted);
    draw_everywhere(&mut state, "the deleted view");
    press(&mut state, KeyCode::Esc);

    press(&mut state, KeyCode::Char('X'));
    let request = state.expiry.request;
    for (profile, result) in [
        (0, Ok(versions.iter().map(|v| v.item(false)).collect())),
        (
            1,
            Err(kvtui::app::msg::TaskError::Vault(
                kvtui::vault::VaultError::Transport(message.to_owned()),
            )),
        ),
    ] {
        update(
            &mut state,
            Msg::ExpiryScanned {
                ticket: kvtui::state::Ticket {
                    generation,
                    request,
                },
                profile,
                result,
            },
        );
    }
    assert_eq!(state.screen, Screen::Expiry);
    draw_everywhere(&mut state, "the expiry overview");
}
