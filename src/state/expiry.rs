//! The expiry overview: secrets expired or expiring soon, across every profile.

use super::list::ExpiryBadge;

/// A secret worth a look in the expiry overview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpiryRow {
    pub profile: usize,
    pub name: String,
    pub expires: Option<i64>,
    pub badge: ExpiryBadge,
}

#[derive(Debug, Default)]
pub struct ExpiryView {
    pub request: u64,
    /// Expired first, then soonest, then those with no expiry.
    pub rows: Vec<ExpiryRow>,
    /// Profiles still being scanned.
    pub pending: usize,
    /// Profiles that could not be scanned, with why.
    pub failures: Vec<(String, String)>,
    pub cursor: usize,
}

impl ExpiryView {
    pub fn add(&mut self, rows: Vec<ExpiryRow>) {
        self.rows.extend(rows);
        let rank = |row: &ExpiryRow| match row.expires {
            Some(exp) => (0, exp),
            None => (1, 0),
        };
        self.rows
            .sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.name.cmp(&b.name)));
    }
}
