//! `kvtui secret lint`: the secrets of a vault that break its profile's policy, for cron.

use super::{Failure, fail_service, fail_usage, sign_in_prompts, terminal_safe};
use crate::config::Profile;
use crate::config::policy::Candidate;
use crate::session::Session;
use crate::vault::Tags;
use crate::when::now_unix;

/// Exit 3 when a secret breaks the policy, 0 when none does.
pub async fn lint(profile: &Profile, json: bool) -> Result<i32, Failure> {
    if profile.policy.is_empty() {
        return Err(fail_usage(format!(
            "profile {} has no policy to check (require_expiry, max_expiry_days, required_tags, \
             allowed_content_types, name_pattern)",
            profile.name
        )));
    }
    let session = Session::open(profile, sign_in_prompts(json))
        .await
        .map_err(fail_service)?;
    let items = session.client.list_secrets().collect_all().await;
    session.close().await;
    let now = now_unix();
    let no_tags = Tags::new();
    let mut broken = 0;
    let mut checked = 0;
    for item in items? {
        let Some(id) = item.secret_id() else {
            continue;
        };
        checked += 1;
        let breaks = profile.policy.check(
            &Candidate {
                name: &id.name,
                content_type: item.content_type.as_deref(),
                tags: item.tags.as_ref().unwrap_or(&no_tags),
                exp: item.attributes.as_ref().and_then(|a| a.exp),
            },
            now,
        );
        if breaks.is_empty() {
            continue;
        }
        broken += 1;
        for rule in breaks {
            let line = if json {
                serde_json::json!({"name": id.name, "rule": rule.rule, "problem": rule.problem})
                    .to_string()
            } else {
                format!("{}  {}: {}", id.name, rule.rule, rule.problem)
            };
            println!("{}", terminal_safe(&line));
        }
    }
    let summary = format!(
        "{broken} of {checked} secrets break the policy of profile {}",
        profile.name
    );
    eprintln!("{}", terminal_safe(&summary));
    Ok(if broken > 0 { 3 } else { 0 })
}
