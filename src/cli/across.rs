//! The `kvtui secret` commands that span profiles: `copy` (one vault to another) and `expiring`
//! (every profile at once).

use super::{Failure, Outcome, fail_service, fail_usage, sign_in_prompts, terminal_safe};
use crate::config::{Config, Profile};
use crate::session::Session;
use crate::state::list::ExpiryBadge;
use crate::state::review::{Snapshot, changes};
use crate::vault::rules;
use crate::when::{format_utc, now_unix};

/// Copies the latest version of `name` (value, content type, tags, dates, enabled) from `from`
/// to the profile named `to`, printing what changes there before writing it.
pub async fn copy(config: &Config, from: &Profile, name: &str, to: &str, json: bool) -> Outcome {
    rules::check_name(name).map_err(fail_usage)?;
    let target = config.select(Some(to)).map_err(fail_usage)?;
    if target.name == from.name {
        return Err(fail_usage(format!(
            "--to {to}: that is the profile copied from"
        )));
    }
    if target.read_only {
        return Err(fail_usage(format!(
            "--to {to}: profile {to} is read-only: refusing to copy into it (nothing was sent)"
        )));
    }
    let source = Session::open(from, sign_in_prompts(json))
        .await
        .map_err(fail_service)?;
    let bundle = source.client.get_secret(name, None).await;
    source.close().await;
    let bundle = bundle?;
    let params = bundle
        .to_set()
        .ok_or_else(|| fail_service(format!("{name} has no value to copy")))?;
    // What the source holds is the vault's to have sent: a date past 9999, say, is not written.
    rules::check_set(name, &params).map_err(fail_usage)?;
    target
        .check(name, &params, now_unix())
        .map_err(fail_usage)?;
    let destination = Session::open(target, sign_in_prompts(json))
        .await
        .map_err(fail_service)?;
    let current = match destination.client.get_secret(name, None).await {
        Ok(current) => Some(current),
        Err(error) if error.is_not_found() => None,
        Err(error) => {
            destination.close().await;
            return Err(error.into());
        }
    };
    let result = destination.client.set_secret(name, &params).await;
    destination.close().await;
    let written = result?;
    let version = written
        .secret_id()
        .and_then(|id| id.version)
        .unwrap_or_default();
    let before = current.as_ref().map(Snapshot::of_bundle);
    let changed = changes(before.as_ref(), &Snapshot::of_set(&params));
    let value_changed = current
        .as_ref()
        .and_then(|c| c.value.as_ref())
        .is_none_or(|c| c.expose() != params.value.expose());
    if json {
        let fields: Vec<_> = changed
            .iter()
            .map(|c| serde_json::json!({"field": c.field, "before": c.before, "after": c.after}))
            .collect();
        say(serde_json::json!({
            "name": name,
            "from": from.name,
            "to": target.name,
            "version": version,
            "newSecret": current.is_none(),
            "valueChanged": value_changed,
            "changes": fields,
        })
        .to_string());
    } else {
        for change in &changed {
            say(format!(
                "  {:<14} {} -> {}",
                change.field,
                change.before.as_deref().unwrap_or("-"),
                change.after.as_deref().unwrap_or("-")
            ));
        }
        say(format!(
            "  {:<14} {}",
            "value",
            if value_changed {
                "changed"
            } else {
                "unchanged"
            }
        ));
        say(format!(
            "copied {name} from {} to {}: version {version}{}",
            from.name,
            target.name,
            if current.is_none() {
                " (a new secret there)"
            } else {
                ""
            }
        ));
    }
    Ok(())
}

/// What `expiring` found, worst first, as its exit code when every profile was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExpiryFinding {
    /// Nothing expired, nor expiring within the days asked about.
    Nothing,
    /// Something expires within the days asked about, and nothing is expired.
    ExpiringSoon,
    /// Something is expired.
    Expired,
}

impl ExpiryFinding {
    /// For a listed row, which expires within the days asked about when it expires at all.
    fn of_listed(expires: Option<i64>, now: i64) -> Self {
        match ExpiryBadge::of(expires, now) {
            ExpiryBadge::None => Self::Nothing,
            ExpiryBadge::Expired => Self::Expired,
            _ => Self::ExpiringSoon,
        }
    }

    /// 0, 3 or 4: apart from 1 (a profile could not be read) and 2 (usage), so a script can
    /// tell them all apart.
    pub fn exit_code(self) -> i32 {
        match self {
            Self::Nothing => 0,
            Self::ExpiringSoon => 3,
            Self::Expired => 4,
        }
    }
}

/// Every profile's secrets that are expired, expire within `within_days`, or (unless
/// `skip_no_expiry`) never expire. A profile that cannot be read fails the command (exit 1)
/// after the others' rows are printed; otherwise the result says what was found.
pub async fn expiring(
    config: &Config,
    within_days: i64,
    skip_no_expiry: bool,
    json: bool,
) -> Result<ExpiryFinding, Failure> {
    let now = now_unix();
    // Saturating: a --within past the end of time means everything, not a panic.
    let horizon = now.saturating_add(within_days.saturating_mul(86_400));
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for profile in &config.profiles {
        let items = match Session::open(profile, sign_in_prompts(json)).await {
            Ok(session) => {
                let items = session.client.list_secrets().collect_all().await;
                session.close().await;
                items.map_err(|error| error.to_string())
            }
            Err(error) => Err(error.to_string()),
        };
        match items {
            Ok(items) => {
                for item in items {
                    let Some(id) = item.secret_id() else { continue };
                    let expires = item.attributes.as_ref().and_then(|a| a.exp);
                    if expires.is_some_and(|exp| exp > horizon)
                        || (skip_no_expiry && expires.is_none())
                    {
                        continue;
                    }
                    rows.push((profile.name.clone(), id.name, expires));
                }
            }
            Err(error) => failures.push(format!("profile {}: {error}", profile.name)),
        }
    }
    rows.sort_by_key(|(profile, name, expires)| {
        (expires.is_none(), *expires, name.clone(), profile.clone())
    });
    if json {
        let items: Vec<_> = rows
            .iter()
            .map(|(profile, name, expires)| {
                serde_json::json!({
                    "profile": profile,
                    "name": name,
                    "expires": expires,
                    "status": ExpiryBadge::of(*expires, now).label(),
                })
            })
            .collect();
        say(serde_json::Value::Array(items).to_string());
    } else {
        say(format!(
            "{:<8} {:<20} {:<16} NAME",
            "STATUS", "EXPIRES", "PROFILE"
        ));
        for (profile, name, expires) in &rows {
            say(format!(
                "{:<8} {:<20} {:<16} {name}",
                ExpiryBadge::of(*expires, now).label(),
                expires.map_or_else(|| "-".to_owned(), format_utc),
                profile
            ));
        }
    }
    if !failures.is_empty() {
        return Err(fail_service(failures.join("; ")));
    }
    let worst = rows
        .iter()
        .map(|(_, _, expires)| ExpiryFinding::of_listed(*expires, now));
    Ok(worst.max().unwrap_or(ExpiryFinding::Nothing))
}

/// One line on stdout, terminal-safe: a copy's changes and the expiry list carry the vault's
/// names, tags and content types.
fn say(line: String) {
    println!("{}", terminal_safe(&line));
}
