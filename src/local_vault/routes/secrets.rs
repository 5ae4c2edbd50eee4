//! A live secret: set a version, get one with its value, update a version's attributes, delete.

use super::answers::{Handled, check_name, error_with_inner, ok, store_error, violation};
use super::context::Context;
use super::request::{BodyError, MAX_BODY_BYTES, parse_json, read_body, read_json};
use crate::local_vault::store::{DeleteMode, NewVersion, VersionSettings};
use crate::vault::rules;
use crate::vault::{DeletedSecretBundle, Deletion, SetSecretParameters, UpdateSecretParameters};
use bytes::Bytes;
use hyper::StatusCode;
use hyper::body::Body;
use zeroize::Zeroizing;

pub(super) async fn set_secret<B>(context: Context, name: &str, body: B) -> Handled
where
    B: Body<Data = Bytes>,
    B::Error: Into<BodyError>,
{
    check_name(name)?;
    // The body holds the value: its copy is wiped once parsed.
    let bytes = Zeroizing::new(read_body(body, MAX_BODY_BYTES).await?.to_vec());
    let params: SetSecretParameters = parse_json(&bytes)?;
    rules::check_set(name, &params).map_err(violation)?;
    let attributes = params.attributes.unwrap_or_default();
    let new = NewVersion {
        version: crate::random::hex(16),
        value: params.value.clone(),
        settings: VersionSettings {
            content_type: params.content_type,
            tags: params.tags,
            enabled: attributes.enabled.unwrap_or(true),
            nbf: attributes.nbf,
            exp: attributes.exp,
        },
    };
    let owned_name = name.to_owned();
    let meta = context
        .store(move |store, now| store.set(&owned_name, &new, now))
        .await
        .map_err(|error| store_error(error, name, None))?;
    Ok(ok(&context.bundle(&meta, Some(params.value))))
}

pub(super) async fn get_secret(context: Context, name: &str, version: Option<&str>) -> Handled {
    check_name(name)?;
    let (owned_name, owned_version) = (name.to_owned(), version.map(str::to_owned));
    let found = context
        .store(move |store, _| store.get(&owned_name, owned_version.as_deref()))
        .await
        .map_err(|error| store_error(error, name, version))?;
    if !found.meta.settings.enabled {
        return Err(error_with_inner(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Operation get is not allowed on a disabled secret.",
            "SecretDisabled",
        ));
    }
    Ok(ok(&context.bundle(&found.meta, Some(found.value))))
}

pub(super) async fn update_secret<B>(
    context: Context,
    name: &str,
    version: Option<&str>,
    body: B,
) -> Handled
where
    B: Body<Data = Bytes>,
    B::Error: Into<BodyError>,
{
    check_name(name)?;
    let params: UpdateSecretParameters = read_json(body, MAX_BODY_BYTES).await?;
    rules::check_update(name, &params).map_err(violation)?;
    let asked = params.attributes.clone().unwrap_or_default();
    let (owned_name, owned_version) = (name.to_owned(), version.map(str::to_owned));
    let updated = context
        .store(move |store, now| {
            let current = store
                .get(&owned_name, owned_version.as_deref())?
                .meta
                .settings;
            // The merged dates must still be in order, as they are checked on set.
            if let Err(broken) =
                rules::check_dates(asked.nbf.or(current.nbf), asked.exp.or(current.exp))
            {
                return Ok(Err(broken));
            }
            store
                .update(&owned_name, owned_version.as_deref(), &params, now)
                .map(Ok)
        })
        .await
        .map_err(|error| store_error(error, name, version))?;
    let meta = updated.map_err(violation)?;
    Ok(ok(&context.bundle(&meta, None)))
}

pub(super) async fn delete_secret(context: Context, name: &str) -> Handled {
    check_name(name)?;
    let soft = context.shared.recovery_level.is_recoverable();
    let days = context.shared.recoverable_days;
    let owned_name = name.to_owned();
    let (meta, mode, now) = context
        .store(move |store, now| {
            let mode = if soft {
                DeleteMode::Soft {
                    scheduled_purge_date: now + days * 86_400,
                }
            } else {
                DeleteMode::Permanent
            };
            store
                .delete(&owned_name, mode, now)
                .map(|meta| (meta, mode, now))
        })
        .await
        .map_err(|error| store_error(error, name, None))?;
    let deletion = match mode {
        DeleteMode::Soft {
            scheduled_purge_date,
        } => {
            context.shared.start_deleting(&meta.name);
            context.deletion(&meta.name, now, scheduled_purge_date)
        }
        DeleteMode::Permanent => Deletion::default(),
    };
    Ok(ok(&DeletedSecretBundle {
        secret: context.bundle(&meta, None),
        deletion,
    }))
}
