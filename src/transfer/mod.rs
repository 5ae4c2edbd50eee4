//! Many secrets at once: `secret export`, `import` and `promote`. Each reads what the target
//! vault holds, makes a plan (new, new version, unchanged, refused) with the review's
//! before → after, and applies only what differs, concurrently.

pub mod file;

use crate::state::review::{Change, Snapshot, ValueChange, changes};
use crate::vault::{
    SecretAttributes, SecretBundle, SecretItem, SecretValue, SetSecretParameters, VaultClient,
    VaultError, rules, stale,
};
use futures_util::StreamExt;
use stale::{Expected, Guarded};

/// Requests a transfer keeps in flight at once: enough that 20 ms of latency costs a thousand
/// secrets about a second each way, and under the service's 4,000 requests per 10 s for a
/// vault of that size.
pub const IN_FLIGHT: usize = 32;

/// One secret as a file or a source vault gives it.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Where it came from, for messages: `line 4`, `entry 3 (name)`, `staging`.
    pub place: String,
    pub name: String,
    /// `None` in a metadata-only export.
    pub value: Option<SecretValue>,
    /// Content type, tags, enabled and dates.
    pub attributes: Snapshot,
}

impl Entry {
    /// A listed secret's latest attributes, with no value.
    pub fn of_item(item: &SecretItem, place: &str) -> Option<Self> {
        Some(Self {
            place: place.to_owned(),
            name: item.secret_id()?.name,
            value: None,
            attributes: Snapshot::of_item(item),
        })
    }

    pub fn of_bundle(name: &str, bundle: &SecretBundle, place: &str) -> Self {
        Self {
            place: place.to_owned(),
            name: name.to_owned(),
            value: bundle.value.clone(),
            attributes: Snapshot::of_bundle(bundle),
        }
    }

    /// The Set Secret that makes this entry, when it has a value.
    pub fn params(&self) -> Option<SetSecretParameters> {
        let attributes = &self.attributes;
        Some(SetSecretParameters {
            value: self.value.clone()?,
            tags: (!attributes.tags.is_empty()).then(|| attributes.tags.clone()),
            content_type: attributes.content_type.clone(),
            attributes: Some(SecretAttributes {
                enabled: Some(attributes.enabled),
                exp: attributes.exp,
                nbf: attributes.nbf,
                ..SecretAttributes::default()
            }),
        })
    }
}

/// What the target vault holds under a name.
pub enum Current {
    Missing,
    /// A soft-deleted secret holds the name: a set would be refused with 409.
    Deleted,
    /// The latest version, with its value unless the vault would not give it.
    Present(Box<SecretBundle>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    New,
    /// The value or an attribute differs.
    NewVersion,
    Unchanged,
    /// Nothing is sent for it, for this reason.
    Refused(String),
}

impl Step {
    pub fn label(&self) -> &'static str {
        match self {
            Self::New => "new",
            Self::NewVersion => "new version",
            Self::Unchanged => "unchanged",
            Self::Refused(_) => "refused",
        }
    }

    pub fn writes(&self) -> bool {
        matches!(self, Self::New | Self::NewVersion)
    }
}

/// One line of a plan.
#[derive(Debug)]
pub struct Planned {
    pub entry: Entry,
    pub step: Step,
    /// Before → after of every field that changes.
    pub changes: Vec<Change>,
    pub value: ValueChange,
    /// The latest version the plan was made against (`New`: none), which a write replaces
    /// only if it is still the latest when sent.
    pub expected: Expected,
}

impl Planned {
    /// What changes, in one line, never the value: `value changed; tag env: dev -> prod`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Step::Refused(reason) = &self.step {
            return reason.clone();
        }
        if self.step == Step::NewVersion {
            match self.value {
                ValueChange::Changed => parts.push("value changed".to_owned()),
                ValueChange::Same => parts.push("value same".to_owned()),
                ValueChange::Unknown => {
                    parts.push("value not readable there (disabled): written".to_owned())
                }
                ValueChange::New | ValueChange::NotWritten => {}
            }
        }
        for change in &self.changes {
            parts.push(format!(
                "{}: {} -> {}",
                change.field,
                change.before.as_deref().unwrap_or("-"),
                change.after.as_deref().unwrap_or("-")
            ));
        }
        parts.join("; ")
    }
}

/// What `entry` needs done, given what the target holds and a check that stands for the
/// target's rules (the service's and its profile's policy).
pub fn plan_one(
    entry: Entry,
    current: Current,
    check: impl Fn(&str, &SetSecretParameters) -> Result<(), String>,
) -> Planned {
    let refuse = |entry: Entry, reason: String| Planned {
        entry,
        step: Step::Refused(reason),
        changes: Vec::new(),
        value: ValueChange::NotWritten,
        expected: Expected::New,
    };
    let Some(params) = entry.params() else {
        let reason = format!(
            "{}: no value to write (a metadata-only file, or disabled there)",
            entry.place
        );
        return refuse(entry, reason);
    };
    if let Err(problem) = check(&entry.name, &params) {
        let reason = format!("{}: {problem}", entry.place);
        return refuse(entry, reason);
    }
    let after = Snapshot::of_set(&params);
    match current {
        Current::Deleted => {
            let reason = format!(
                "{}: a deleted secret holds the name there: recover or purge it first",
                entry.place
            );
            refuse(entry, reason)
        }
        Current::Missing => Planned {
            entry,
            step: Step::New,
            changes: changes(None, &after),
            value: ValueChange::New,
            expected: Expected::New,
        },
        Current::Present(bundle) => {
            let changed = changes(Some(&Snapshot::of_bundle(&bundle)), &after);
            let value = ValueChange::compare(bundle.value.as_ref(), &params.value);
            let step = if changed.is_empty() && value == ValueChange::Same {
                Step::Unchanged
            } else {
                Step::NewVersion
            };
            Planned {
                entry,
                step,
                changes: changed,
                value,
                expected: stale::expecting(Some(&bundle)),
            }
        }
    }
}

/// The service's rules as a plan's check.
pub fn service_rules(name: &str, params: &SetSecretParameters) -> Result<(), String> {
    rules::check_set(name, params).map_err(|violation| violation.to_string())
}

/// What the vault behind `client` holds under each of `names`, in their order: one listing of
/// deleted secrets, then the latest versions read `IN_FLIGHT` at a time. A name the service
/// would refuse is not asked for (the plan refuses it) and reads as missing.
pub async fn read_current(
    client: &VaultClient,
    names: &[String],
) -> Result<Vec<Current>, VaultError> {
    let deleted: std::collections::HashSet<String> =
        match client.list_deleted_secrets().collect_all().await {
            Ok(items) => items
                .iter()
                .filter_map(|item| item.item.secret_id())
                .map(|id| id.name.to_ascii_lowercase())
                .collect(),
            // A vault without soft delete, or a sign-in not allowed to list deleted secrets: a
            // deleted name then shows as the set's 409.
            Err(error) if matches!(error.status(), Some(403 | 400)) => Default::default(),
            Err(error) => return Err(error),
        };
    let deleted = &deleted;
    each_name(names, |name| async move {
        if rules::check_name(&name).is_err() {
            return Ok(Current::Missing);
        }
        // A disabled latest version comes from the version list, without its value.
        Ok(match stale::latest(client, &name).await? {
            Some(bundle) => Current::Present(Box::new(bundle)),
            None if deleted.contains(&name.to_ascii_lowercase()) => Current::Deleted,
            None => Current::Missing,
        })
    })
    .await
}

/// `read(name)` for each of `names`, `IN_FLIGHT` at a time, the answers in `names`' order; the
/// first error ends it.
async fn each_name<T, F>(names: &[String], read: impl Fn(String) -> F) -> Result<Vec<T>, VaultError>
where
    F: std::future::Future<Output = Result<T, VaultError>>,
{
    futures_util::stream::iter(names.iter().cloned())
        .map(read)
        .buffered(IN_FLIGHT)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

/// The latest version of each of `names` in the source vault, values included.
pub async fn read_sources(
    client: &VaultClient,
    names: &[String],
    place: &str,
) -> Result<Vec<Entry>, VaultError> {
    each_name(names, |name| async move {
        // Disabled there, or gone since the listing: no value, so the plan refuses it.
        let bundle = stale::latest(client, &name).await?.unwrap_or_default();
        Ok(Entry::of_bundle(&name, &bundle, place))
    })
    .await
}

/// How one write of a plan ended.
pub enum Applied {
    /// The new version's id.
    Done(String),
    Failed(String),
    /// Not sent: another write landed since the plan was made. What the latest version is now.
    Overtaken(String),
    /// Stopped before it was sent: the secret is untouched.
    NotStarted,
}

/// Sends the writes of `plan`, `IN_FLIGHT` at a time, each only if the latest version is still
/// the one planned against, calling `report` as each ends. Once
/// `stop` resolves (Ctrl-C), nothing more is sent; writes already sent are waited for, so
/// every secret is either written or untouched, and the result says which.
pub async fn apply(
    client: &VaultClient,
    plan: &[Planned],
    stop: impl std::future::Future<Output = ()>,
    mut report: impl FnMut(&Planned, &Applied),
) -> Vec<Applied> {
    let stopped = std::sync::atomic::AtomicBool::new(false);
    let writes: Vec<usize> = (0..plan.len()).filter(|&i| plan[i].step.writes()).collect();
    let mut results: Vec<Option<Applied>> = (0..plan.len()).map(|_| None).collect();
    let stopped_ref = &stopped;
    let mut sends = futures_util::stream::iter(writes)
        .map(|index| async move {
            if stopped_ref.load(std::sync::atomic::Ordering::SeqCst) {
                return (index, Applied::NotStarted);
            }
            let planned = &plan[index];
            let Some(params) = planned.entry.params() else {
                return (index, Applied::Failed("no value".to_owned()));
            };
            let name = &planned.entry.name;
            let applied = match stale::set_if(client, name, &params, Some(&planned.expected)).await
            {
                Ok(Guarded::Written(bundle)) => {
                    Applied::Done(stale::version_of(&bundle).unwrap_or_default())
                }
                Ok(Guarded::Stale(latest)) => Applied::Overtaken(format!(
                    "since the plan, {}",
                    stale::describe_latest(latest.as_ref(), &params)
                )),
                Err(error) => Applied::Failed(error.to_string()),
            };
            (index, applied)
        })
        .buffer_unordered(IN_FLIGHT);
    let mut stop = std::pin::pin!(stop);
    let mut stop_seen = false;
    loop {
        tokio::select! {
            next = sends.next() => match next {
                Some((index, applied)) => {
                    report(&plan[index], &applied);
                    results[index] = Some(applied);
                }
                None => break,
            },
            () = &mut stop, if !stop_seen => {
                stop_seen = true;
                stopped.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
    }
    results
        .into_iter()
        .map(|result| result.unwrap_or(Applied::NotStarted))
        .collect()
}
