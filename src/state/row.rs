//! One secret as the list shows it, what the filter, its terms and the sort read of it.

use super::filter::{Candidate, char_mask};
use crate::vault::SecretItem;

/// One secret as the list shows it (its latest version's attributes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRow {
    pub name: String,
    pub item: SecretItem,
    /// Which characters the name holds (see [`char_mask`]).
    chars: u64,
}

impl Candidate for SecretRow {
    fn name(&self) -> &str {
        &self.name
    }

    fn chars(&self) -> u64 {
        self.chars
    }
}

impl SecretRow {
    pub fn from_item(item: SecretItem) -> Option<Self> {
        let name = item.secret_id()?.name;
        let chars = char_mask(&name);
        Some(Self { name, item, chars })
    }

    pub fn enabled(&self) -> bool {
        self.item
            .attributes
            .as_ref()
            .and_then(|a| a.enabled)
            .unwrap_or(true)
    }

    pub fn expires(&self) -> Option<i64> {
        self.item.attributes.as_ref().and_then(|a| a.exp)
    }

    pub fn updated(&self) -> Option<i64> {
        self.item.attributes.as_ref().and_then(|a| a.updated)
    }
}
