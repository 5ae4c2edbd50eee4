//! The vault picker (`V`): every vault discovery found, grouped by tenant and subscription, with
//! a fuzzy filter, the profile each one already is, and what could not be listed.

use super::State;
use super::filter::rank_short;
use crate::auth::Identity;
use crate::config::profile_for;
use crate::discovery::FoundVault;

#[derive(Debug, Default)]
pub struct VaultsView {
    pub request: u64,
    /// In tenant, subscription and name order, which groups them.
    pub rows: Vec<FoundVault>,
    /// Tenants, subscriptions or sign-ins that could not be listed, and why.
    pub unreadable: Vec<(String, String)>,
    /// Who each account discovery asked is signed in as.
    pub signed_in: Vec<(String, Identity)>,
    /// Discovery is still going.
    pub searching: bool,
    pub query: String,
    pub filtering: bool,
    /// The rows the query matches, best first (all rows, in order, with no query).
    pub shown: Vec<usize>,
    /// Into `shown`.
    pub cursor: usize,
}

impl VaultsView {
    pub fn add(&mut self, vaults: Vec<FoundVault>) {
        let selected = self.selected().map(|vault| vault.vault_url.clone());
        for vault in vaults {
            if !self.rows.iter().any(|row| row.vault_url == vault.vault_url) {
                self.rows.push(vault);
            }
        }
        self.rows.sort_by(|a, b| {
            (&a.tenant, &a.subscription, &a.name).cmp(&(&b.tenant, &b.subscription, &b.name))
        });
        self.refilter();
        // New rows arriving must not move the cursor off the vault it is on.
        if let Some(url) = selected
            && let Some(at) = self
                .shown
                .iter()
                .position(|&row| self.rows[row].vault_url == url)
        {
            self.cursor = at;
        }
    }

    pub fn set_query(&mut self, query: String) {
        self.query = query;
        self.refilter();
        self.cursor = 0;
    }

    fn refilter(&mut self) {
        self.shown = if self.query.is_empty() {
            (0..self.rows.len()).collect()
        } else {
            let texts: Vec<String> = self.rows.iter().map(haystack).collect();
            rank_short(&self.query, texts.iter().map(String::as_str))
        };
        self.cursor = self.cursor.min(self.shown.len().saturating_sub(1));
    }

    pub fn selected(&self) -> Option<&FoundVault> {
        self.rows.get(*self.shown.get(self.cursor)?)
    }
}

/// What the filter matches a vault on: its name first, then where it is.
fn haystack(vault: &FoundVault) -> String {
    format!(
        "{} {} {} {}",
        vault.name,
        vault.subscription,
        vault.resource_group.as_deref().unwrap_or_default(),
        vault.tenant
    )
}

impl State {
    /// The profile that opens `vault_url`: one whose URL it is, or the open one when it is the
    /// vault on screen (the embedded local vault has no URL of its own in its profile).
    pub fn profile_of_vault(&self, vault_url: &str) -> Option<usize> {
        profile_for(&self.profiles, vault_url).or_else(|| {
            self.connection
                .loaded()
                .is_some_and(|connection| connection.vault_url == vault_url)
                .then_some(self.active_profile)
        })
    }
}
