//! Backup and restore: a secret with every version, sealed into an opaque blob and opened again.

use super::answers::{Handled, bad_parameter, check_name, error, ok, store_error};
use super::context::Context;
use super::request::{BodyError, MAX_RESTORE_BODY_BYTES, read_json};
use crate::local_vault::backup;
use crate::vault::BackupBlob;
use bytes::Bytes;
use hyper::StatusCode;
use hyper::body::Body;

pub(super) async fn backup_secret(context: Context, name: &str) -> Handled {
    check_name(name)?;
    let owned_name = name.to_owned();
    let key = context.shared.backup_key.clone();
    let sealed = context
        .store(move |store, _| {
            store
                .export(&owned_name)
                .map(|export| backup::seal(&export, &key))
        })
        .await
        .map_err(|error| store_error(error, name, None))?;
    match sealed {
        Ok(value) => Ok(ok(&BackupBlob { value })),
        Err(too_large) => Err(error(
            StatusCode::BAD_REQUEST,
            "BackupTooLarge",
            too_large.to_string(),
        )),
    }
}

pub(super) async fn restore<B>(context: Context, body: B) -> Handled
where
    B: Body<Data = Bytes>,
    B::Error: Into<BodyError>,
{
    let params: BackupBlob = read_json(body, MAX_RESTORE_BODY_BYTES).await?;
    let export = backup::open(&params.value, &context.shared.backup_key).map_err(|problem| {
        bad_parameter(format!("The backup blob cannot be restored: {problem}."))
    })?;
    let name = export.name.clone();
    let meta = context
        .store(move |store, now| store.import(&export, now))
        .await
        .map_err(|error| store_error(error, &name, None))?;
    Ok(ok(&context.bundle(&meta, None)))
}
