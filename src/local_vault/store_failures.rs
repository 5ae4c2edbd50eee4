//! How the store's own failures are answered. A damaged row and a full disk each get a status and
//! code of their own, so a client neither retries them as transient nor is told only "see the
//! log"; any other store failure is the generic 500.

use super::routes::{ResponseBody, error, internal};
use super::store::StoreError;
use crate::vault::retry::STORE_CORRUPT;
use hyper::{Response, StatusCode};

pub fn answer(failure: StoreError) -> Response<ResponseBody> {
    match failure {
        StoreError::Damaged(damage) => {
            tracing::error!(%damage, "a damaged row was not served");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                STORE_CORRUPT,
                format!(
                    "The local vault's store is damaged: {damage}, so it is not served. Run \
                     'kvtui local-vault --check' for a report of the whole store."
                ),
            )
        }
        StoreError::Unreadable(problem) => {
            tracing::error!(%problem, "a row of the store cannot be read");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                STORE_CORRUPT,
                "The local vault's store is damaged: a row cannot be read. Run 'kvtui \
                 local-vault --check' for a report of the whole store.",
            )
        }
        StoreError::Full => {
            tracing::error!("the store's disk is full: a write was refused");
            error(
                StatusCode::INSUFFICIENT_STORAGE,
                "StoreFull",
                "The local vault's store is full: the disk holding its data dir has no space \
                 left. Nothing was written; free some space and try again.",
            )
        }
        other => internal(other),
    }
}
