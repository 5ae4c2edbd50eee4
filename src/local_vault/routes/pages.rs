//! The pageable lists (secrets, a secret's versions, deleted secrets) and their paging: page
//! sizes, skip tokens, next links, and the pages the `short_pages` fault keeps empty.

use super::answers::{Handled, ResponseBody, bad_parameter, check_name, ok};
use super::context::Context;
use crate::local_vault::store::{Store, StoreError};
use crate::vault::rules;
use crate::vault::{DeletedSecretItem, Page, SecretItem};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper::Response;
use serde::Serialize;

const DEFAULT_PAGE_SIZE: usize = 25;

#[derive(Default)]
struct SkipToken {
    marker: String,
    /// This page is one the `short_pages` fault keeps empty.
    empty: bool,
}

impl Context {
    fn page_size(&self) -> Result<usize, Response<ResponseBody>> {
        match &self.query.max_results {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(raw) => match raw.parse::<usize>() {
                Ok(size @ 1..=25) => Ok(size),
                _ => Err(bad_parameter(format!(
                    "The value of parameter 'maxresults' must be an integer from 1 to 25; got {}.",
                    rules::quoted(raw)
                ))),
            },
        }
    }

    /// Where this page starts, from its `$skiptoken`.
    fn skip_token(&self) -> Result<SkipToken, Response<ResponseBody>> {
        let Some(token) = &self.query.skip_token else {
            return Ok(SkipToken::default());
        };
        URL_SAFE_NO_PAD
            .decode(token.trim_end_matches('='))
            .ok()
            .and_then(|raw| serde_json::from_slice::<serde_json::Value>(&raw).ok())
            .and_then(|value| {
                Some(SkipToken {
                    marker: value.get("NextMarker")?.as_str()?.to_owned(),
                    empty: value.get("Empty").and_then(|e| e.as_bool()) == Some(true),
                })
            })
            .ok_or_else(|| bad_parameter("The $skiptoken parameter is not valid."))
    }

    /// How many items this page holds, and where it starts; `None` for a page that is empty by
    /// design (the `short_pages` fault), whose next link goes on from the same place.
    fn page(&self) -> Result<Option<(usize, String)>, Response<ResponseBody>> {
        let size = self.page_size()?;
        let token = self.skip_token()?;
        if token.empty {
            return Ok(None);
        }
        let size = if self.shared.faults.current().short_pages {
            (size / 2).max(1)
        } else {
            size
        };
        Ok(Some((size, token.marker)))
    }

    /// The answer for a page the `short_pages` fault keeps empty.
    fn empty_page<T: Serialize>(&self) -> Response<ResponseBody> {
        let marker = self
            .skip_token()
            .map(|token| token.marker)
            .unwrap_or_default();
        ok(&Page::<T> {
            value: Vec::new(),
            next_link: self.link(&marker, false),
        })
    }

    /// The page of rows `fetch` reads from the store, each shown by `item` (or left out), with a
    /// next link that resumes after the last row's `marker` when more follow.
    async fn page_of<R: Send + 'static, T: Serialize>(
        &self,
        fetch: impl FnOnce(&Store, i64) -> Result<(Vec<R>, bool), StoreError> + Send + 'static,
        marker: impl Fn(&R) -> String,
        item: impl FnMut(&R) -> Option<T>,
    ) -> Handled {
        let (rows, more) = self
            .store(fetch)
            .await
            .map_err(super::answers::store_failure)?;
        let marker = rows.last().map(marker).unwrap_or_default();
        Ok(ok(&Page {
            value: rows.iter().filter_map(item).collect(),
            next_link: self.next_link(more, &marker),
        }))
    }

    fn next_link(&self, more: bool, marker: &str) -> Option<String> {
        // Under `short_pages`, every page with items is followed by an empty one.
        let empty_next = self.shared.faults.current().short_pages;
        more.then(|| self.link(marker, empty_next)).flatten()
    }

    fn link(&self, marker: &str, empty: bool) -> Option<String> {
        let mut token = serde_json::json!({ "NextMarker": marker });
        if empty {
            token["Empty"] = serde_json::Value::Bool(true);
        }
        let token = URL_SAFE_NO_PAD.encode(token.to_string());
        let mut link = format!(
            "{}{}?api-version={}&$skiptoken={token}",
            self.base_url, self.path, self.api_version
        );
        if let Some(size) = &self.query.max_results {
            link.push_str(&format!("&maxresults={size}"));
        }
        Some(link)
    }
}

pub(super) async fn list_secrets(context: Context) -> Handled {
    let Some((size, after)) = context.page()? else {
        return Ok(context.empty_page::<SecretItem>());
    };
    context
        .page_of(
            move |store, _| store.list(&after, size),
            |meta| meta.name.to_ascii_lowercase(),
            |meta| Some(context.item(meta, false)),
        )
        .await
}

pub(super) async fn list_versions(context: Context, name: &str) -> Handled {
    check_name(name)?;
    let Some((size, after)) = context.page()? else {
        return Ok(context.empty_page::<SecretItem>());
    };
    let Ok(after_seq) = (if after.is_empty() {
        Ok(0)
    } else {
        after.parse::<i64>()
    }) else {
        return Err(bad_parameter("The $skiptoken parameter is not valid."));
    };
    let owned_name = name.to_owned();
    context
        .page_of(
            move |store, _| store.list_versions(&owned_name, after_seq, size),
            |meta| meta.seq.to_string(),
            |meta| Some(context.item(meta, true)),
        )
        .await
}

pub(super) async fn list_deleted(context: Context) -> Handled {
    let Some((size, after)) = context.page()? else {
        return Ok(context.empty_page::<DeletedSecretItem>());
    };
    // A delete still being processed is not listed yet, but the next page goes on after it.
    context
        .page_of(
            move |store, now| store.list_deleted(&after, size, now),
            |deleted| deleted.latest.name.to_ascii_lowercase(),
            |deleted| {
                (!context.shared.still_deleting(&deleted.latest.name))
                    .then(|| context.deleted_item(deleted))
            },
        )
        .await
}
