//! `update(state, msg) -> effects`: every state change, in pure functions, one file a feature.
//! No IO, no clock (time arrives in `Msg::Tick`), no tasks: effects say what the controller
//! should start. This file only dispatches.

mod attributes;
mod backup;
mod bulk;
mod clipboard;
mod copy;
mod deleted;
mod details;
mod dialogs;
mod expiry;
mod form;
mod guard;
mod keys;
mod list;
mod oplog;
mod reference;
mod status;
mod vaults;
mod versions;

use super::effect::{Effect, Origin, Resolve};
use super::msg::Msg;
use crate::state::State;

pub use list::SETTLE_DELAY;

/// The effects to start with: open the active profile.
pub fn start(state: &mut State) -> Vec<Effect> {
    list::open_profile(state, state.active_profile)
}

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    // The one staleness check: an answer that ends its request is no longer in flight, and is
    // dropped when it belongs to a profile session the user has left.
    if let Some(ticket) = msg.ending()
        && !state.finish(ticket)
    {
        return Vec::new();
    }
    match msg {
        Msg::Key(key) => keys::on_key(state, key),
        Msg::Paste(pasted) => keys::on_paste(state, &pasted),
        Msg::Resize(width, height) => list::on_resize(state, width, height),
        Msg::Tick { now } => status::on_tick(state, now),
        Msg::Retrying { ticket, notice } => status::on_retrying(state, ticket, &notice),
        Msg::Connected { generation, result } => {
            let mut effects = list::on_connected(state, generation, result);
            effects.extend(vaults::on_connected(state));
            effects
        }
        Msg::SignIn { generation, prompt } => status::on_sign_in(state, generation, &prompt),
        Msg::SecretsPage {
            ticket,
            result,
            done,
        } => list::on_page(state, ticket, result, done),
        Msg::SelectionSettled { generation, name } => list::on_settled(state, generation, &name),
        Msg::SecretLoaded {
            ticket,
            name,
            version,
            result,
        } => details::on_loaded(state, ticket, &name, version, result),
        Msg::VersionsLoaded {
            ticket,
            name,
            result,
        } => versions::on_loaded(state, ticket, &name, result),
        Msg::PairLoaded {
            ticket,
            older,
            newer,
        } => versions::on_pair(state, ticket, older, newer),
        Msg::SecretSet { ticket, result } => form::on_set(state, ticket, result),
        Msg::SetStale { ticket, latest } => guard::on_stale(state, ticket, latest),
        Msg::Overtaken { warning, .. } => guard::on_overtaken(state, warning),
        Msg::ValueReady { source, result } => form::on_value_ready(state, source, result),
        Msg::SecretUpdated { ticket, result } => attributes::on_updated(state, ticket, result),
        Msg::SecretDeleted {
            ticket,
            name,
            result,
        } => deleted::on_deleted(state, ticket, &name, result),
        Msg::DeletedListed { ticket, result } => deleted::on_listed(state, ticket, result),
        Msg::Resolved { asked, result } => match asked.origin {
            Origin::Form => form::on_resolved(state, &asked, result),
            Origin::DeletedView => deleted::on_resolved(state, &asked, result.map(drop)),
        },
        Msg::ClipboardExpired { copy, text } => clipboard::on_expired(state, copy, text),
        Msg::ClipboardCleared { copy, cleared } => clipboard::on_cleared(state, copy, &cleared),
        Msg::BackedUp {
            ticket,
            name,
            result,
        } => backup::on_backed_up(state, ticket, &name, result),
        Msg::Restored { ticket, result } => backup::on_restored(state, ticket, result),
        Msg::Exported { ticket, result } => backup::on_exported(state, ticket, result),
        Msg::BulkStepped { ticket, result } => bulk::on_stepped(state, ticket, result),
        Msg::CopyPlanned { target, result, .. } => bulk::on_copy_planned(state, target, result),
        Msg::ExpiryScanned {
            ticket,
            profile,
            result,
        } => expiry::on_scanned(state, ticket, profile, result),
        Msg::CopyPrepared {
            target,
            source,
            current,
            ..
        } => copy::on_prepared(state, target, source, current),
        Msg::SignedIn {
            generation,
            identity,
        } => status::on_signed_in(state, generation, identity),
        Msg::Discovered { ticket, found } => vaults::on_discovered(state, ticket, found),
        Msg::ProfileSaved {
            ticket,
            profile,
            result,
        } => vaults::on_saved(state, ticket, *profile, result),
        Msg::Copied {
            ticket,
            target,
            result,
            overtaken,
        } => copy::on_copied(state, ticket, target, result, overtaken),
    }
}
