//! The tasks that touch many secrets or another profile's vault: the marked set's export, a
//! bulk run's steps, the plan of a copy, and a session opened on another profile for them.

use crate::app::msg::TaskError;
use crate::auth::DeviceCodePrompts;
use crate::session::Session;
use crate::state::bulk::{BulkStep, Stepped};
use crate::transfer;
use crate::vault::stale::{self, Guarded};
use crate::vault::{VaultClient, VaultError};
use std::future::Future;
use std::path::PathBuf;

/// What `secret export --values` (or without) writes, of `names`, to a new 0600 file.
pub(super) async fn export(
    client: &VaultClient,
    names: &[String],
    values: bool,
    path: &std::path::Path,
) -> Result<(usize, PathBuf), TaskError> {
    let mut entries = transfer::read_sources(client, names, "here").await?;
    if !values {
        for entry in &mut entries {
            entry.value = None;
        }
    }
    let text =
        transfer::file::write(&entries, transfer::file::Format::Json).map_err(TaskError::Export)?;
    crate::fsutil::write_new_private_file(path, text.as_bytes()).map_err(|source| {
        TaskError::Write {
            path: path.to_owned(),
            source,
        }
    })?;
    Ok((entries.len(), path.to_owned()))
}

pub(super) async fn bulk_step(
    client: &VaultClient,
    prompts: DeviceCodePrompts,
    name: &str,
    step: BulkStep,
) -> Result<Stepped, TaskError> {
    Ok(match step {
        BulkStep::Delete => client.delete_secret(name).await.map(|_| Stepped::Deleted)?,
        BulkStep::Update { params, read } => {
            match stale::update_if(client, name, None, &params, Some(&read)).await? {
                Guarded::Written(bundle) => Stepped::Updated(Box::new(bundle)),
                Guarded::Stale(now) => {
                    return Err(TaskError::Overtaken(stale::describe_changed(
                        &read,
                        now.as_ref(),
                    )));
                }
            }
        }
        BulkStep::Copy {
            profile,
            params,
            expected,
        } => {
            // A session of its own per secret, as a single copy has: its token is cached.
            let writing = &params;
            let guarded = in_session(&profile, prompts, |target| async move {
                stale::set_if(&target, name, writing, Some(&expected)).await
            })
            .await?;
            match guarded {
                Guarded::Written(_) => Stepped::Copied,
                Guarded::Stale(latest) => {
                    let said = stale::describe_latest(latest.as_ref(), &params);
                    return Err(TaskError::Overtaken(said));
                }
            }
        }
    })
}

/// The copy of `names` (here, on screen) to `profile`, planned as `secret promote` plans it.
pub(super) async fn plan_copy(
    client: &VaultClient,
    profile: &crate::config::Profile,
    prompts: DeviceCodePrompts,
    names: &[String],
) -> Result<Vec<transfer::Planned>, TaskError> {
    let entries = transfer::read_sources(client, names, "here").await?;
    let current = in_session(profile, prompts, |target| async move {
        transfer::read_current(&target, names).await
    })
    .await?;
    let now = crate::when::now_unix();
    Ok(entries
        .into_iter()
        .zip(current)
        .map(|(entry, current)| {
            transfer::plan_one(entry, current, |name, params| {
                transfer::service_rules(name, params)?;
                profile.check(name, params, now)
            })
        })
        .collect())
}

/// Opens a session of its own on `profile` (not the one on screen), runs `work` with its
/// client, and closes it. Failing to open and `work` failing are one error to the caller.
pub(super) async fn in_session<T, F, Fut>(
    profile: &crate::config::Profile,
    prompts: DeviceCodePrompts,
    work: F,
) -> Result<T, TaskError>
where
    F: FnOnce(VaultClient) -> Fut,
    Fut: Future<Output = Result<T, VaultError>>,
{
    let session = Session::open(profile, prompts).await?;
    let done = work(session.client.clone()).await;
    session.close().await;
    Ok(done?)
}
