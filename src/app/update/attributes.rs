//! Attribute updates (PATCH) of the selected version or the latest: the attributes form (`a`),
//! enabling or disabling (`x`) through a review, and the answer.

use super::oplog::record;
use super::versions::version_of;
use super::{Effect, details};
use crate::state::form::{FormKind, Submit};
use crate::state::review::Snapshot;
use crate::state::{
    DialogStatus, Level, Operation, Overlay, Pane, Review, SecretForm, State, Ticket, Write,
};
use crate::vault::stale::Expected;
use crate::vault::{
    SecretAttributes, SecretBundle, SecretItem, UpdateSecretParameters, VaultError, short_version,
};

/// The version the keys act on.
struct Target {
    name: String,
    /// The one selected in the history when it has the keyboard, otherwise the latest (`None`).
    version: Option<String>,
    /// What is known of its attributes.
    snapshot: Snapshot,
    /// What an update of it expects to find when sent: the version as read.
    read: Expected,
}

fn target_version(state: &State) -> Option<Target> {
    let name = state.list.selected_name()?.to_owned();
    if state.focus == Pane::Versions && state.versions.name == name {
        let items = state.versions.items.loaded()?;
        let item = items.get(state.versions.cursor)?;
        let version = item.secret_id()?.version?;
        let latest = state.versions.current.as_deref() == Some(version.as_str());
        let (snapshot, read) = match state.details.bundle.loaded() {
            Some(bundle) if version_of(bundle) == version => {
                (Snapshot::of_bundle(bundle), Expected::unchanged(bundle))
            }
            _ => (Snapshot::of_item(item), Expected::unchanged_item(item)),
        };
        let version = (!latest).then_some(version);
        return Some(Target {
            name,
            version,
            snapshot,
            read,
        });
    }
    let (snapshot, read) = match state.details.bundle.loaded() {
        Some(bundle) if state.details.name == name && state.details.version.is_none() => {
            (Snapshot::of_bundle(bundle), Expected::unchanged(bundle))
        }
        _ => {
            let item = &state.list.selected()?.item;
            (Snapshot::of_item(item), Expected::unchanged_item(item))
        }
    };
    Some(Target {
        name,
        version: None,
        snapshot,
        read,
    })
}

/// "latest", or "version 3f2a1b0c".
pub(super) fn version_label(version: Option<&str>) -> String {
    version.map_or_else(
        || "latest".to_owned(),
        |v| format!("version {}", short_version(v)),
    )
}

/// `a`: the attributes form for the version the keys act on.
pub(super) fn open_form(state: &mut State) -> Vec<Effect> {
    match target_version(state) {
        Some(target) => {
            let mut form =
                SecretForm::edit_attributes(&target.name, target.version, target.snapshot);
            form.started_from = Some(target.read);
            state.open_form(form);
        }
        None => state.report(Level::Error, "select a secret first"),
    }
    Vec::new()
}

/// `x`: a review of enabling (or disabling) the version the keys act on.
pub(super) fn review_toggle(state: &mut State) -> Vec<Effect> {
    let Some(Target {
        name,
        version,
        snapshot,
        read,
    }) = target_version(state)
    else {
        state.report(Level::Error, "select a secret first");
        return Vec::new();
    };
    let params = UpdateSecretParameters {
        attributes: Some(SecretAttributes {
            enabled: Some(!snapshot.enabled),
            ..SecretAttributes::default()
        }),
        ..UpdateSecretParameters::default()
    };
    let verb = if snapshot.enabled {
        "Disable"
    } else {
        "Enable"
    };
    let title = format!(
        "{verb} {name} ({}) in {}",
        version_label(version.as_deref()),
        state.profile().name
    );
    let mut review = Review::of_update(title, &snapshot, name, version, params);
    review.expected = Some(read);
    state.overlay = Overlay::Review(Box::new(review));
    Vec::new()
}

pub(super) fn on_updated(
    state: &mut State,
    ticket: Ticket,
    result: Result<SecretBundle, VaultError>,
) -> Vec<Effect> {
    let in_form = state.form().is_some_and(|form| form.awaits(ticket.request));
    let in_review =
        matches!(&state.overlay, Overlay::Review(review) if review.status.awaits(ticket.request));
    if !in_form && !in_review {
        return Vec::new();
    }
    // Which version was asked for: `None`, the latest, whose attributes the list row shows.
    let asked = match &state.overlay {
        Overlay::Review(review) => match &review.write {
            Write::Update { version, .. } => version.clone(),
            _ => None,
        },
        Overlay::Form(form) => match &form.kind {
            FormKind::EditAttributes { version, .. } => version.clone(),
            _ => None,
        },
        _ => None,
    };
    match result {
        Ok(bundle) => updated(state, &bundle, asked.is_none()),
        Err(error) => {
            let message = error.to_string();
            let name = match &state.overlay {
                Overlay::Review(review) => review.write.name().to_owned(),
                _ => state.form().map(SecretForm::name_text).unwrap_or_default(),
            };
            record(
                state,
                Operation::UpdateAttributes,
                &name,
                Err(message.clone()),
            );
            match &mut state.overlay {
                Overlay::Review(review) => review.status = DialogStatus::Failed(message.clone()),
                Overlay::Form(form) => {
                    form.submit = Submit::Failed {
                        message: message.clone(),
                    }
                }
                _ => {}
            }
            state.report(Level::Error, format!("Update of {name} failed: {message}"));
            Vec::new()
        }
    }
}

fn updated(state: &mut State, bundle: &SecretBundle, asked_latest: bool) -> Vec<Effect> {
    let name = bundle.secret_id().map(|id| id.name).unwrap_or_default();
    let version = version_of(bundle);
    state.overlay = Overlay::None;
    record(
        state,
        Operation::UpdateAttributes,
        &name,
        Ok(format!("version {}", short_version(&version))),
    );
    state.report(
        Level::Success,
        format!(
            "Updated the attributes of {name} version {}",
            short_version(&version)
        ),
    );
    // The list row shows the latest version: it changes with it, even when the history had not
    // loaded yet (so the latest's id was not known).
    if asked_latest || state.versions.current.as_deref() == Some(version.as_str()) {
        state.list.upsert(SecretItem {
            id: Some(format!(
                "{}/secrets/{name}",
                bundle
                    .id
                    .as_deref()
                    .and_then(|id| id.split("/secrets/").next())
                    .unwrap_or_default()
            )),
            attributes: bundle.attributes.clone(),
            tags: bundle.tags.clone(),
            content_type: bundle.content_type.clone(),
            managed: bundle.managed,
        });
    }
    let selected_version = state.versions.selected_version();
    let mut effects = details::load_secret_and_versions(state, &name);
    state.versions.select_when_loaded = selected_version;
    if state.focus == Pane::Versions
        && state.versions.select_when_loaded.as_deref() != state.versions.current.as_deref()
    {
        effects.retain(|effect| !matches!(effect, Effect::LoadSecret { .. }));
        effects.push(details::load(state, &name, Some(version)));
    }
    effects
}
