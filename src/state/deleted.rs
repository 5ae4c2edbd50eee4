//! The deleted view: the vault's soft-deleted secrets, to recover or purge.

use super::Remote;
use crate::vault::DeletedSecretItem;

#[derive(Debug, Default)]
pub struct DeletedView {
    pub request: u64,
    pub items: Remote<Vec<DeletedSecretItem>>,
    pub cursor: usize,
}

impl DeletedView {
    pub fn selected(&self) -> Option<&DeletedSecretItem> {
        self.items.loaded()?.get(self.cursor)
    }

    pub fn selected_name(&self) -> Option<String> {
        self.selected()?.item.secret_id().map(|id| id.name)
    }
}
