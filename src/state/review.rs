//! What a write will change, shown before it is sent: the write itself, the review screen's
//! model, and the diff of two versions in the history. Values are compared, never shown here;
//! the screen reveals them only when asked.

use super::dialogs::DialogStatus;
use crate::vault::stale::Expected;
use crate::vault::{
    SecretAttributes, SecretBundle, SecretItem, SecretValue, SetSecretParameters, Tags,
    UpdateSecretParameters,
};
use crate::when::format_utc;

/// The write a review screen is about.
#[derive(Clone, Debug)]
pub enum Write {
    Set {
        name: String,
        params: SetSecretParameters,
    },
    Update {
        name: String,
        version: Option<String>,
        params: UpdateSecretParameters,
    },
    /// Set the secret in another profile's vault.
    Copy {
        target: usize,
        name: String,
        params: SetSecretParameters,
    },
}

impl Write {
    pub fn name(&self) -> &str {
        match self {
            Self::Set { name, .. } | Self::Update { name, .. } | Self::Copy { name, .. } => name,
        }
    }

    /// The Set Secret it sends, for a write that makes a new version.
    pub fn set_params(&self) -> Option<&SetSecretParameters> {
        match self {
            Self::Set { params, .. } | Self::Copy { params, .. } => Some(params),
            Self::Update { .. } => None,
        }
    }
}

/// What a write will change, for the user to confirm before it is sent.
#[derive(Debug)]
pub struct Review {
    pub title: String,
    pub changes: Vec<Change>,
    /// Fields the write leaves as they were, shown so a carried-over date is seen.
    pub kept: Vec<Change>,
    pub value: ValueChange,
    /// The value being replaced, for a line diff when revealed.
    pub current_value: Option<SecretValue>,
    pub write: Write,
    pub reveal: bool,
    pub status: DialogStatus,
    /// Lines scrolled off the top (a revealed value can be taller than the screen).
    pub scroll: u16,
    /// The latest version the write may replace, checked just before it is sent (`None`: not
    /// checked).
    pub expected: Option<Expected>,
    /// Another write landed since the form started: what it is, and what to expect when
    /// writing over it anyway.
    pub conflict: Option<(String, Expected)>,
}

impl Review {
    /// `O`: the write may replace the version the conflict found, and only that one, not a
    /// third writer's. Whether there was a conflict to take.
    pub fn take_conflict(&mut self) -> bool {
        let Some((_, latest)) = self.conflict.take() else {
            return false;
        };
        self.expected = Some(latest);
        true
    }

    /// The review of an attributes update (PATCH) of a version whose attributes are `before`.
    pub fn of_update(
        title: String,
        before: &Snapshot,
        name: String,
        version: Option<String>,
        params: UpdateSecretParameters,
    ) -> Self {
        let after = before.patched(&params);
        Self {
            title,
            changes: changes(Some(before), &after),
            kept: kept(Some(before), &after),
            value: ValueChange::NotWritten,
            current_value: None,
            write: Write::Update {
                name,
                version,
                params,
            },
            reveal: false,
            status: DialogStatus::Open,
            scroll: 0,
            expected: None,
            conflict: None,
        }
    }

    /// The review of a Set Secret, here or (with a `target` profile) in another profile's vault:
    /// `before` is what the secret holds now (`None`: it is new), `current_value` the value the
    /// write replaces.
    pub fn of_set(
        title: String,
        before: Option<&Snapshot>,
        current_value: Option<SecretValue>,
        (name, params): (String, SetSecretParameters),
        target: Option<usize>,
    ) -> Self {
        let after = Snapshot::of_set(&params);
        let value = match before {
            None => ValueChange::New,
            Some(_) => ValueChange::compare(current_value.as_ref(), &params.value),
        };
        Self {
            title,
            changes: changes(before, &after),
            kept: kept(before, &after),
            value,
            current_value,
            write: match target {
                Some(target) => Write::Copy {
                    target,
                    name,
                    params,
                },
                None => Write::Set { name, params },
            },
            reveal: false,
            status: DialogStatus::Open,
            scroll: 0,
            expected: None,
            conflict: None,
        }
    }

    pub fn new_value(&self) -> Option<&SecretValue> {
        match &self.write {
            Write::Set { params, .. } | Write::Copy { params, .. } => Some(&params.value),
            Write::Update { .. } => None,
        }
    }
}

/// The attributes a write can change, in one shape whatever they came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub content_type: Option<String>,
    pub tags: Tags,
    pub enabled: bool,
    pub exp: Option<i64>,
    pub nbf: Option<i64>,
}

impl Snapshot {
    fn of(
        content_type: Option<&str>,
        tags: Option<&Tags>,
        attributes: Option<&SecretAttributes>,
    ) -> Self {
        Self {
            content_type: content_type.filter(|t| !t.is_empty()).map(str::to_owned),
            tags: tags.cloned().unwrap_or_default(),
            enabled: attributes.and_then(|a| a.enabled).unwrap_or(true),
            exp: attributes.and_then(|a| a.exp),
            nbf: attributes.and_then(|a| a.nbf),
        }
    }

    pub fn of_item(item: &SecretItem) -> Self {
        Self::of(
            item.content_type.as_deref(),
            item.tags.as_ref(),
            item.attributes.as_ref(),
        )
    }

    pub fn of_bundle(bundle: &SecretBundle) -> Self {
        Self::of(
            bundle.content_type.as_deref(),
            bundle.tags.as_ref(),
            bundle.attributes.as_ref(),
        )
    }

    /// What a Set Secret with `params` leaves: it replaces every attribute.
    pub fn of_set(params: &SetSecretParameters) -> Self {
        Self::of(
            params.content_type.as_deref(),
            params.tags.as_ref(),
            params.attributes.as_ref(),
        )
    }

    /// What PATCH `params` leaves on `self`: only the fields it names change.
    pub fn patched(&self, params: &UpdateSecretParameters) -> Self {
        let mut next = self.clone();
        if let Some(content_type) = &params.content_type {
            next.content_type = (!content_type.is_empty()).then(|| content_type.clone());
        }
        if let Some(tags) = &params.tags {
            next.tags = tags.clone();
        }
        if let Some(attributes) = &params.attributes {
            // Absent attributes are left as they are: PATCH cannot remove a date.
            if let Some(enabled) = attributes.enabled {
                next.enabled = enabled;
            }
            if attributes.exp.is_some() {
                next.exp = attributes.exp;
            }
            if attributes.nbf.is_some() {
                next.nbf = attributes.nbf;
            }
        }
        next
    }
}

/// One changed field: `before` is `None` where there was nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

fn date(unix: Option<i64>) -> Option<String> {
    unix.map(format_utc)
}

/// The fields that differ between `before` (nothing, for a new secret) and `after`.
pub fn changes(before: Option<&Snapshot>, after: &Snapshot) -> Vec<Change> {
    compare(before, after, false)
}

/// The fields a write keeps as they are (a new version carrying the expiry over): said in the
/// review, so what stays is seen as well as what changes. Only fields that hold something.
pub fn kept(before: Option<&Snapshot>, after: &Snapshot) -> Vec<Change> {
    match before {
        Some(_) => compare(before, after, true)
            .into_iter()
            .filter(|change| change.field != "enabled" && change.after.is_some())
            .collect(),
        None => Vec::new(),
    }
}

/// The fields of `after` that differ from `before` (or, for `same`, that do not).
fn compare(before: Option<&Snapshot>, after: &Snapshot, same: bool) -> Vec<Change> {
    let empty = Snapshot {
        enabled: true,
        ..Snapshot::default()
    };
    let old = before.unwrap_or(&empty);
    let mut changes = Vec::new();
    let mut push = |field: &str, before: Option<String>, after: Option<String>| {
        if (before == after) == same {
            changes.push(Change {
                field: field.to_owned(),
                before,
                after,
            });
        }
    };
    push(
        "content type",
        old.content_type.clone(),
        after.content_type.clone(),
    );
    let keys: std::collections::BTreeSet<&String> =
        old.tags.keys().chain(after.tags.keys()).collect();
    for key in keys {
        push(
            &format!("tag {key}"),
            old.tags.get(key).cloned(),
            after.tags.get(key).cloned(),
        );
    }
    let enabled = |on: bool| Some(if on { "enabled" } else { "disabled" }.to_owned());
    if before.is_some() || !after.enabled {
        push("enabled", enabled(old.enabled), enabled(after.enabled));
    }
    push("expires", date(old.exp), date(after.exp));
    push("not before", date(old.nbf), date(after.nbf));
    changes
}

/// Whether the value changes, as far as kvtui can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueChange {
    /// No value is written (PATCH).
    NotWritten,
    /// A first value: the secret (or the target vault's copy) does not exist yet.
    New,
    Same,
    Changed,
    /// The current value is not loaded (disabled, or not fetched), so it cannot be compared.
    Unknown,
}

impl ValueChange {
    pub fn compare(current: Option<&SecretValue>, next: &SecretValue) -> Self {
        match current {
            Some(current) if current.expose() == next.expose() => Self::Same,
            Some(_) => Self::Changed,
            None => Self::Unknown,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::NotWritten => "not written: only attributes change",
            Self::New => "new",
            Self::Same => "unchanged (a new version with the same value)",
            Self::Changed => "changed",
            Self::Unknown => "written (the current value is not loaded to compare)",
        }
    }
}

/// A line of a value diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffLine {
    Same(String),
    Removed(String),
    Added(String),
}

/// `old` to `new`, line by line.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|change| {
            let line = change.value().trim_end_matches('\n').to_owned();
            match change.tag() {
                similar::ChangeTag::Equal => DiffLine::Same(line),
                similar::ChangeTag::Delete => DiffLine::Removed(line),
                similar::ChangeTag::Insert => DiffLine::Added(line),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn only_changed_fields_are_listed() {
        let before = Snapshot {
            content_type: Some("text/plain".into()),
            tags: tags(&[("env", "dev"), ("owner", "me")]),
            enabled: true,
            exp: Some(1_800_000_000),
            nbf: None,
        };
        let mut after = before.clone();
        after.tags = tags(&[("env", "prod"), ("team", "x")]);
        after.enabled = false;
        let fields: Vec<(String, Option<String>, Option<String>)> = changes(Some(&before), &after)
            .into_iter()
            .map(|c| (c.field, c.before, c.after))
            .collect();
        assert_eq!(
            fields,
            [
                ("tag env".into(), Some("dev".into()), Some("prod".into())),
                ("tag owner".into(), Some("me".into()), None),
                ("tag team".into(), None, Some("x".into())),
                (
                    "enabled".into(),
                    Some("enabled".into()),
                    Some("disabled".into())
                ),
            ]
        );
        assert!(changes(Some(&before), &before).is_empty());
    }

    #[test]
    fn patch_keeps_what_it_does_not_name() {
        let before = Snapshot {
            content_type: Some("a".into()),
            tags: tags(&[("k", "v")]),
            enabled: true,
            exp: Some(5),
            nbf: None,
        };
        let after = before.patched(&UpdateSecretParameters {
            attributes: Some(SecretAttributes {
                enabled: Some(false),
                exp: Some(5),
                ..SecretAttributes::default()
            }),
            ..UpdateSecretParameters::default()
        });
        assert_eq!(after.content_type.as_deref(), Some("a"));
        assert_eq!(after.tags, before.tags);
        assert!(!after.enabled);
    }

    #[test]
    fn values_diff_line_by_line() {
        assert_eq!(
            line_diff("a\nb\nc", "a\nB\nc"),
            [
                DiffLine::Same("a".into()),
                DiffLine::Removed("b".into()),
                DiffLine::Added("B".into()),
                DiffLine::Same("c".into()),
            ]
        );
    }
}
