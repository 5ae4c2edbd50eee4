//! A deleted secret: read it, recover it, or purge it for good.

use super::answers::{
    Handled, being_deleted, check_name, deleted_secret_not_found, deleted_store_error,
    error_with_inner, no_content, ok,
};
use super::context::Context;
use crate::vault::DeletedSecretBundle;
use hyper::StatusCode;

pub(super) async fn get_deleted(context: Context, name: &str) -> Handled {
    check_name(name)?;
    if context.shared.still_deleting(name) {
        return Err(deleted_secret_not_found(name));
    }
    let owned_name = name.to_owned();
    let deleted = context
        .store(move |store, now| store.get_deleted(&owned_name, now))
        .await
        .map_err(|error| deleted_store_error(error, name))?;
    Ok(ok(&DeletedSecretBundle {
        secret: context.bundle(&deleted.latest, None),
        deletion: context.deleted_dates(&deleted),
    }))
}

pub(super) async fn recover(context: Context, name: &str) -> Handled {
    check_name(name)?;
    if context.shared.still_deleting(name) {
        return Err(being_deleted());
    }
    let owned_name = name.to_owned();
    let meta = context
        .store(move |store, now| store.recover(&owned_name, now))
        .await
        .map_err(|error| deleted_store_error(error, name))?;
    Ok(ok(&context.bundle(&meta, None)))
}

pub(super) async fn purge(context: Context, name: &str) -> Handled {
    check_name(name)?;
    if !context.shared.recovery_level.allows_purge() {
        return Err(error_with_inner(
            StatusCode::FORBIDDEN,
            "Forbidden",
            format!(
                "Operation \"purge\" is not allowed because purge protection is enabled for this \
                 vault (recovery level {}). The secret will be purged automatically at its \
                 scheduled purge date.",
                context.shared.recovery_level
            ),
            "PurgeProtectionEnabled",
        ));
    }
    if context.shared.still_deleting(name) {
        return Err(being_deleted());
    }
    let owned_name = name.to_owned();
    context
        .store(move |store, now| store.purge(&owned_name, now))
        .await
        .map_err(|error| deleted_store_error(error, name))?;
    Ok(no_content())
}
