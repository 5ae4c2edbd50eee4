//! A write to every marked secret at once: its review (each secret and what changes), then its
//! run, a few at a time, with each secret's outcome. Stopping sends nothing more: a secret is
//! written or untouched, never half.

use super::review::{Change, Snapshot};
use crate::config::Profile;
use crate::vault::stale::Expected;
use crate::vault::{
    SecretAttributes, SecretBundle, SetSecretParameters, Tags, UpdateSecretParameters,
};
use crate::when::format_utc;

/// Writes a bulk run keeps in flight: enough to hide the latency, few enough that a stop
/// leaves little in flight.
pub const IN_FLIGHT: usize = 8;

/// What a bulk action does to each secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BulkAction {
    Delete,
    Enable(bool),
    SetTag { key: String, value: String },
    RemoveTag(String),
    SetExpiry(i64),
}

/// The request for one secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BulkStep {
    Delete,
    /// PATCH the latest version, only if it is still as it was `read` for the review.
    Update {
        params: UpdateSecretParameters,
        read: Expected,
    },
    /// Set it in another profile's vault.
    Copy {
        profile: Box<Profile>,
        params: Box<SetSecretParameters>,
        /// The latest version there the plan was made against.
        expected: Expected,
    },
}

/// How one secret's write of a bulk run went, when it went.
#[derive(Debug)]
pub enum Stepped {
    Deleted,
    /// The updated version, for the list's row.
    Updated(Box<SecretBundle>),
    /// Written in the other vault: nothing changes here.
    Copied,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowStatus {
    Waiting,
    /// Sent, as this request.
    Sending(u64),
    Done,
    Failed(String),
    /// The run was stopped before it was sent: untouched.
    NotStarted,
    /// Never sent: the change would break the profile's policy, as this says.
    Refused(String),
}

#[derive(Clone, Debug)]
pub struct BulkRow {
    pub name: String,
    /// What changes, before → after, for the review.
    pub change: String,
    /// `None` for a row refused before the run, which is never sent.
    pub step: Option<BulkStep>,
    pub status: RowStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkPhase {
    Review,
    Running,
    /// Stopped by the user: what was sent is awaited, nothing more is sent.
    Stopping,
    Finished,
}

#[derive(Clone, Debug)]
pub struct Bulk {
    pub title: String,
    pub rows: Vec<BulkRow>,
    pub phase: BulkPhase,
    pub scroll: u16,
}

impl BulkAction {
    /// What this action does to a secret whose latest attributes are `current`, as `read`:
    /// the step and what it changes, or `None` when it changes nothing.
    pub fn step(&self, current: &Snapshot, read: &Expected) -> Option<(BulkStep, String)> {
        let update = |attributes: Option<SecretAttributes>, tags: Option<Tags>| BulkStep::Update {
            params: UpdateSecretParameters {
                content_type: None,
                attributes,
                tags,
            },
            read: read.clone(),
        };
        let said = |change: Change| {
            format!(
                "{}: {} → {}",
                change.field,
                change.before.as_deref().unwrap_or("-"),
                change.after.as_deref().unwrap_or("-")
            )
        };
        match self {
            Self::Delete => Some((BulkStep::Delete, "deleted".to_owned())),
            Self::Enable(on) if current.enabled == *on => None,
            Self::Enable(on) => {
                let attributes = SecretAttributes {
                    enabled: Some(*on),
                    ..SecretAttributes::default()
                };
                let change = if *on { "enabled" } else { "disabled" };
                Some((update(Some(attributes), None), change.to_owned()))
            }
            Self::SetTag { key, value } if current.tags.get(key) == Some(value) => None,
            Self::SetTag { key, value } => {
                let mut tags = current.tags.clone();
                let before = tags.insert(key.clone(), value.clone());
                let change = Change {
                    field: format!("tag {key}"),
                    before,
                    after: Some(value.clone()),
                };
                Some((update(None, Some(tags)), said(change)))
            }
            Self::RemoveTag(key) => {
                let mut tags = current.tags.clone();
                let before = tags.remove(key)?;
                let change = Change {
                    field: format!("tag {key}"),
                    before: Some(before),
                    after: None,
                };
                Some((update(None, Some(tags)), said(change)))
            }
            Self::SetExpiry(exp) if current.exp == Some(*exp) => None,
            Self::SetExpiry(exp) => {
                let attributes = SecretAttributes {
                    exp: Some(*exp),
                    ..SecretAttributes::default()
                };
                let change = Change {
                    field: "expires".to_owned(),
                    before: current.exp.map(format_utc),
                    after: Some(format_utc(*exp)),
                };
                Some((update(Some(attributes), None), said(change)))
            }
        }
    }

    pub fn verb(&self) -> &'static str {
        match self {
            Self::Delete => "Delete",
            Self::Enable(true) => "Enable",
            Self::Enable(false) => "Disable",
            Self::SetTag { .. } => "Tag",
            Self::RemoveTag(_) => "Untag",
            Self::SetExpiry(_) => "Set the expiry of",
        }
    }
}

impl Bulk {
    pub fn count(&self, wanted: fn(&RowStatus) -> bool) -> usize {
        self.rows.iter().filter(|row| wanted(&row.status)).count()
    }

    /// Done, failed and not yet ended (waiting or sent).
    pub fn progress(&self) -> (usize, usize, usize) {
        (
            self.count(|s| *s == RowStatus::Done),
            self.count(|s| matches!(s, RowStatus::Failed(_))),
            self.count(|s| matches!(s, RowStatus::Waiting | RowStatus::Sending(_))),
        )
    }

    pub fn in_flight(&self) -> usize {
        self.count(|s| matches!(s, RowStatus::Sending(_)))
    }

    /// The rows to send next, up to `IN_FLIGHT` in flight; none once stopping.
    pub fn next_to_send(&self) -> Vec<usize> {
        if self.phase != BulkPhase::Running {
            return Vec::new();
        }
        let room = IN_FLIGHT.saturating_sub(self.in_flight());
        (0..self.rows.len())
            .filter(|&i| self.rows[i].status == RowStatus::Waiting)
            .take(room)
            .collect()
    }

    /// The run's last word: each count, and the secrets left untouched by a stop.
    pub fn summary(&self) -> String {
        let (done, failed, _) = self.progress();
        let refused = match self.count(|s| matches!(s, RowStatus::Refused(_))) {
            0 => String::new(),
            count => format!(", refused {count} (the profile's policy)"),
        };
        let untouched: Vec<&str> = self
            .rows
            .iter()
            .filter(|row| row.status == RowStatus::NotStarted)
            .map(|row| row.name.as_str())
            .collect();
        if untouched.is_empty() {
            format!("{}: done {done}, failed {failed}{refused}", self.title)
        } else {
            format!(
                "{}: stopped: done {done}, failed {failed}{refused}, not started {} (untouched: {})",
                self.title,
                untouched.len(),
                untouched.join(", ")
            )
        }
    }
}
