//! `kvtui secret …`: the client without the screen, for scripts and tests.
//!
//! Exit codes: 0 ok; 2 usage or validation (the message names the field); 1 service or transport
//! error (the message carries the service's code and message); `expiring` adds 3 (something
//! expires soon) and 4 (something is expired). A value is never taken from argv, and `show`
//! masks it unless `--reveal`.

mod args;
mod execute;
mod output;
mod request;
mod version;

pub use args::{SecretCommand, SetArgs, UpdateArgs};
pub use request::parse_tags;

use super::across::ExpiryFinding;
use super::{Failure, GlobalArgs, fail_service, fail_usage};
use crate::config::Config;
use crate::session::Session;
use crate::vault::rules;
use request::Request;

/// Runs the command; `Ok` holds the exit code, 0 but for what `expiring` found.
pub async fn run(global: &GlobalArgs, mut command: SecretCommand) -> Result<i32, Failure> {
    let config = Config::load(global.config.as_deref()).map_err(fail_usage)?;
    if let SecretCommand::Expiring {
        within,
        skip_no_expiry,
    } = &command
    {
        let found = super::across::expiring(&config, *within, *skip_no_expiry, global.json).await;
        return found.map(ExpiryFinding::exit_code);
    }
    // It names both its profiles, so it needs no default one.
    if let SecretCommand::Promote(args) = &command {
        return super::transfer::promote(&config, args, global.json).await;
    }
    let profile = config
        .select(global.profile.as_deref())
        .map_err(fail_usage)?;
    if profile.read_only && command.writes() {
        return Err(fail_usage(format!(
            "profile {} is read-only: refusing to {} (nothing was sent)",
            profile.name,
            command.verb()
        )));
    }
    match &command {
        SecretCommand::Copy { name, to } => {
            rules::check_name(name).map_err(fail_usage)?;
            super::across::copy(&config, profile, name, to, global.json).await?;
            return Ok(0);
        }
        SecretCommand::Lint => return super::lint::lint(profile, global.json).await,
        SecretCommand::Export(args) => {
            return super::transfer::export(profile, args, global.json).await;
        }
        SecretCommand::Import(args) => {
            return super::transfer::import(profile, args, global.json).await;
        }
        _ => {}
    }
    if let SecretCommand::Set(args) = &mut command
        && args.attributes.expires.is_none()
    {
        args.attributes.expires = profile.policy.default_expiry.clone();
    }
    // Everything that can be checked without the vault is checked before opening it.
    let request = Request::prepare(command)?;
    let now = crate::when::now_unix();
    match &request {
        Request::Set { name, params, .. } => {
            profile.check(name, params, now).map_err(fail_usage)?
        }
        Request::Update { name, params, .. } => {
            profile.check(name, params, now).map_err(fail_usage)?
        }
        _ => {}
    }
    let session = Session::open(profile, super::sign_in_prompts(global.json))
        .await
        .map_err(fail_service)?;
    let outcome = request.execute(&session.client, profile, global.json).await;
    session.close().await;
    outcome.map(|()| 0)
}
