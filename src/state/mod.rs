//! Everything the screen shows, as plain data: changed only by `app::update`, read by `ui::render`.

pub mod bulk;
pub mod deleted;
pub mod dialogs;
pub mod diff;
pub mod expiry;
pub mod filter;
pub mod form;
pub mod input;
pub mod list;
pub mod operations;
pub mod query;
pub mod reference;
pub mod remote;
pub mod review;
pub mod row;
pub mod sort;
pub mod status;
pub mod vaults;

use crate::config::Profile;
use crate::vault::{SecretBundle, SecretItem};
pub use deleted::DeletedView;
pub use dialogs::{Confirm, DialogStatus, Prompt};
pub use diff::VersionDiff;
pub use expiry::ExpiryView;
pub use form::SecretForm;
pub use list::SecretList;
pub use operations::{OpRecord, Operation};
pub use reference::ReferenceChooser;
pub use remote::Remote;
pub use review::{Review, Write};
pub use status::{InFlight, Level, Ticket};
pub use vaults::VaultsView;

/// Which view fills the main screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Screen {
    #[default]
    Secrets,
    Deleted,
    Expiry,
    Operations,
    Vaults,
}

/// The cursor one row up (or down) a view of `count` rows.
pub fn step_cursor(cursor: usize, count: usize, up: bool) -> usize {
    if up {
        cursor.saturating_sub(1)
    } else {
        (cursor + 1).min(count.saturating_sub(1))
    }
}

/// Which pane has the keyboard on the main screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pane {
    #[default]
    Secrets,
    Versions,
}

/// What is drawn over the main screen and takes the keys.
#[derive(Debug, Default)]
pub enum Overlay {
    #[default]
    None,
    Help {
        scroll: u16,
    },
    ProfilePicker {
        cursor: usize,
    },
    Form(Box<SecretForm>),
    /// A write to confirm (attributes, copy to another vault); the form has its own.
    Review(Box<Review>),
    Confirm(Confirm),
    Prompt(Prompt),
    Diff(Box<VersionDiff>),
    /// Choosing the profile to copy the selected secret to.
    CopyTarget {
        cursor: usize,
    },
    /// Choosing the form of a reference to the selected secret to copy.
    Reference(ReferenceChooser),
    /// A write to every marked secret: its review, then its run.
    Bulk(Box<bulk::Bulk>),
}

impl Overlay {
    /// A dialog or the form waiting on its work (a write sent, a value loading): it takes no
    /// keys until the answer.
    pub fn is_busy(&self) -> bool {
        match self {
            Self::Form(form) => form.is_busy(),
            Self::Review(review) => review.status.is_sending(),
            Self::Confirm(confirm) => confirm.status.is_sending(),
            Self::Prompt(prompt) => prompt.status.is_sending(),
            _ => false,
        }
    }
}

/// The session with the active profile's vault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub vault_url: String,
    pub embedded: bool,
}

/// The version history of the selected secret.
#[derive(Debug, Default)]
pub struct Versions {
    pub name: String,
    /// The request whose answer is awaited; others are stale.
    pub request: u64,
    /// Newest first.
    pub items: Remote<Vec<SecretItem>>,
    /// The version `get latest` returns.
    pub current: Option<String>,
    pub cursor: usize,
    /// A version to put the cursor on when the list arrives (the one just set).
    pub select_when_loaded: Option<String>,
    /// The version marked to diff against.
    pub marked: Option<String>,
}

impl Versions {
    pub fn selected_version(&self) -> Option<String> {
        self.items.loaded()?.get(self.cursor)?.secret_id()?.version
    }
}

/// The secret (and version) whose attributes the details pane shows.
#[derive(Debug, Default)]
pub struct Details {
    pub name: String,
    pub request: u64,
    pub version: Option<String>,
    pub bundle: Remote<SecretBundle>,
    /// The latest version as last loaded, kept while older versions are shown, so a new
    /// version can be compared with what it replaces.
    pub latest: Option<SecretBundle>,
}

#[derive(Debug)]
pub struct State {
    pub profiles: Vec<Profile>,
    pub active_profile: usize,
    pub default_profile: Option<String>,
    /// Bumped on every profile switch; answers tagged with an older one are dropped.
    pub generation: u64,
    pub connection: Remote<Connection>,
    /// Who the open profile's token says it signed in as.
    pub identity: Option<crate::auth::Identity>,
    pub list: SecretList,
    pub versions: Versions,
    pub details: Details,
    pub focus: Pane,
    pub screen: Screen,
    pub deleted: DeletedView,
    pub expiry: ExpiryView,
    pub vaults: VaultsView,
    /// Where a profile saved from the vault picker is written; `None` with no config dir.
    pub config_file: Option<std::path::PathBuf>,
    /// kvtui started with no config file: the picker opens by itself once the Azure sign-in
    /// finds a vault, unless a key was pressed first.
    pub first_run: bool,
    /// Profiles the picker made for this session, by name: in no config file.
    pub unsaved_profiles: std::collections::BTreeSet<String>,
    /// What this session did, oldest first.
    pub operations: Vec<OpRecord>,
    /// How many rows the operations log is scrolled back from its newest.
    pub operations_back: usize,
    /// A secret to select once the list has it (a jump from the expiry overview).
    pub select_after_list: Option<String>,
    /// Seconds after which a copied value is cleared from the clipboard.
    pub clipboard_clear: Option<u64>,
    /// Identifies the latest copy, so only its timer clears the clipboard.
    pub clipboard_copy: u64,
    pub overlay: Overlay,
    /// The value in the details pane is shown.
    pub reveal: bool,
    /// Lines the details pane is scrolled down by.
    pub details_scroll: u16,
    pub in_flight: Vec<InFlight>,
    pub last_result: Option<(Level, String)>,
    /// When `last_result` goes (unix seconds): its level's time after it was reported, unless
    /// it was reported to stay until a time of its own.
    pub last_result_until: i64,
    /// The request id that was next when `last_result` was reported: operations begun before
    /// it are older than the result, those begun after it newer.
    pub last_result_at: u64,
    /// Unix seconds, from the last tick: update never reads the clock itself.
    pub now: i64,
    pub spinner: usize,
    pub next_id: u64,
    /// The terminal's size, for scrolling and layout decisions.
    pub size: (u16, u16),
    pub quit: bool,
    /// Quitting was asked while it would lose work: what would be lost, until answered.
    pub quit_question: Option<String>,
}

impl State {
    pub fn new(
        profiles: Vec<Profile>,
        active_profile: usize,
        default_profile: Option<String>,
        now: i64,
    ) -> Self {
        Self {
            profiles,
            active_profile,
            default_profile,
            generation: 0,
            connection: Remote::Idle,
            identity: None,
            list: SecretList::default(),
            versions: Versions::default(),
            details: Details::default(),
            focus: Pane::Secrets,
            screen: Screen::Secrets,
            deleted: DeletedView::default(),
            expiry: ExpiryView::default(),
            vaults: VaultsView::default(),
            config_file: None,
            first_run: false,
            unsaved_profiles: Default::default(),
            operations: Vec::new(),
            operations_back: 0,
            select_after_list: None,
            clipboard_clear: None,
            clipboard_copy: 0,
            overlay: Overlay::None,
            reveal: false,
            details_scroll: 0,
            in_flight: Vec::new(),
            last_result: None,
            last_result_until: now,
            last_result_at: 0,
            now,
            spinner: 0,
            next_id: 1,
            size: (80, 24),
            quit: false,
            quit_question: None,
        }
    }

    pub fn profile(&self) -> &Profile {
        &self.profiles[self.active_profile]
    }

    pub fn read_only(&self) -> bool {
        self.profile().read_only
    }

    pub fn form(&self) -> Option<&SecretForm> {
        match &self.overlay {
            Overlay::Form(form) => Some(form),
            _ => None,
        }
    }

    /// Opens `form`, checking the profile's policy as it is typed.
    pub fn open_form(&mut self, mut form: SecretForm) {
        let profile = self.profile();
        if !profile.policy.is_empty() {
            form.policy = Some((profile.name.clone(), profile.policy.clone()));
        }
        self.overlay = Overlay::Form(Box::new(form));
    }

    /// The review on screen: the form's, or an overlay's (a copy, an attributes update).
    pub fn review(&self) -> Option<&Review> {
        match &self.overlay {
            Overlay::Review(review) => Some(review),
            Overlay::Form(form) => match &form.submit {
                form::Submit::Review(review) => Some(review),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn form_mut(&mut self) -> Option<&mut SecretForm> {
        match &mut self.overlay {
            Overlay::Form(form) => Some(form),
            _ => None,
        }
    }

    /// What quitting now would lose: a form with typed changes, writes still in flight.
    pub fn unsaved_work(&self) -> Option<String> {
        let writes: Vec<&str> = self
            .in_flight
            .iter()
            .filter(|flight| flight.writes)
            .map(|flight| flight.label.as_str())
            .collect();
        if !writes.is_empty() {
            return Some(format!(
                "{} is still in flight: if you quit now, you will not know whether it was done",
                writes.join(", ")
            ));
        }
        self.form()
            .filter(|form| form.changed)
            .map(|form| match form.name_text() {
                name if name.is_empty() => "the form has typed changes".to_owned(),
                name => format!("the form for {name} has typed changes"),
            })
    }

    pub fn fresh_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }
}
