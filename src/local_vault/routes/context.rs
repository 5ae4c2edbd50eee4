//! What a data-plane handler knows about its request besides its body, and the wire shapes it
//! builds from the store's rows under the URL the client used.

use super::Shared;
use super::request::Query;
use crate::local_vault::store::{DeletedSecret, Store, StoreError, VersionMeta};
use crate::vault::{DeletedSecretItem, Deletion, SecretBundle, SecretItem, SecretValue};
use std::sync::Arc;

pub(super) struct Context {
    pub shared: Arc<Shared>,
    pub base_url: String,
    pub api_version: String,
    pub query: Query,
    pub path: String,
}

impl Context {
    fn secret_id(&self, name: &str, version: Option<&str>) -> String {
        match version {
            Some(version) => format!("{}/secrets/{name}/{version}", self.base_url),
            None => format!("{}/secrets/{name}", self.base_url),
        }
    }

    pub fn bundle(&self, meta: &VersionMeta, value: Option<SecretValue>) -> SecretBundle {
        SecretBundle {
            value,
            id: Some(self.secret_id(&meta.name, Some(&meta.version))),
            content_type: meta.settings.content_type.clone(),
            attributes: Some(self.shared.attributes(meta)),
            tags: meta.settings.tags.clone(),
            ..SecretBundle::default()
        }
    }

    pub fn item(&self, meta: &VersionMeta, with_version: bool) -> SecretItem {
        SecretItem {
            id: Some(self.secret_id(&meta.name, with_version.then_some(meta.version.as_str()))),
            attributes: Some(self.shared.attributes(meta)),
            tags: meta.settings.tags.clone(),
            content_type: meta.settings.content_type.clone(),
            managed: None,
        }
    }

    pub fn deletion(&self, name: &str, deleted_date: i64, scheduled_purge_date: i64) -> Deletion {
        Deletion {
            recovery_id: Some(format!("{}/deletedsecrets/{name}", self.base_url)),
            deleted_date: Some(deleted_date),
            scheduled_purge_date: Some(scheduled_purge_date),
        }
    }

    /// A deleted secret's dates, for its bundle or its list item.
    pub fn deleted_dates(&self, deleted: &DeletedSecret) -> Deletion {
        self.deletion(
            &deleted.latest.name,
            deleted.deleted_date,
            deleted.scheduled_purge_date,
        )
    }

    pub fn deleted_item(&self, deleted: &DeletedSecret) -> DeletedSecretItem {
        DeletedSecretItem {
            item: self.item(&deleted.latest, false),
            deletion: self.deleted_dates(deleted),
        }
    }

    /// Runs `work` on the store off the async threads, at the vault's clock.
    pub async fn store<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store, i64) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = Arc::clone(&self.shared.store);
        let now = self.shared.now();
        tokio::task::spawn_blocking(move || work(&store, now))
            .await
            .unwrap_or_else(|join| Err(StoreError::Corrupt(format!("store task failed: {join}"))))
    }
}
