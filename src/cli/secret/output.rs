//! How the vault's answers are written for a person: the `show` block, one-line summaries of a
//! version or a deletion, and the table cells.

use crate::vault::{DeletedSecretBundle, SecretBundle};
use crate::when::format_utc;

pub(super) fn without_value(mut bundle: SecretBundle) -> SecretBundle {
    bundle.value = None;
    bundle
}

pub(super) fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

pub(super) fn yes_no(flag: Option<bool>) -> &'static str {
    match flag {
        Some(false) => "no",
        _ => "yes",
    }
}

pub(super) fn date_or_dash(unix: Option<i64>) -> String {
    unix.map(format_utc).unwrap_or_else(|| "-".to_owned())
}

pub(super) fn describe_version(bundle: &SecretBundle) -> String {
    let version = bundle
        .secret_id()
        .and_then(|id| id.version)
        .unwrap_or_default();
    let attributes = bundle.attributes.clone().unwrap_or_default();
    let mut text = format!(
        "version {version}, {}",
        if attributes.enabled == Some(false) {
            "disabled"
        } else {
            "enabled"
        }
    );
    if let Some(exp) = attributes.exp {
        text.push_str(&format!(", expires {}", format_utc(exp)));
    }
    text
}

pub(super) fn describe_deleted(name: &str, deleted: &DeletedSecretBundle) -> String {
    let level = deleted
        .secret
        .attributes
        .as_ref()
        .and_then(|a| a.recovery_level.clone())
        .map(|l| l.to_string())
        .unwrap_or_else(|| "unknown recovery level".into());
    match deleted.deletion.scheduled_purge_date {
        Some(purge) => format!(
            "deleted {name}; recoverable until {} ({level}); `kvtui secret recover {name}` brings it back",
            format_utc(purge)
        ),
        None => format!("deleted {name} permanently ({level})"),
    }
}

pub(super) fn show_text(bundle: &SecretBundle, reveal: bool) -> String {
    let id = bundle.secret_id();
    let attributes = bundle.attributes.clone().unwrap_or_default();
    let mut lines = vec![
        format!(
            "name          {}",
            id.as_ref().map(|i| i.name.as_str()).unwrap_or("-")
        ),
        format!(
            "version       {}",
            id.as_ref()
                .and_then(|i| i.version.as_deref())
                .unwrap_or("-")
        ),
        format!("id            {}", bundle.id.as_deref().unwrap_or("-")),
        format!("enabled       {}", yes_no(attributes.enabled)),
        format!(
            "content type  {}",
            bundle.content_type.as_deref().unwrap_or("-")
        ),
        format!("created       {}", date_or_dash(attributes.created)),
        format!("updated       {}", date_or_dash(attributes.updated)),
        format!("not before    {}", date_or_dash(attributes.nbf)),
        format!("expires       {}", date_or_dash(attributes.exp)),
    ];
    if let Some(level) = &attributes.recovery_level {
        lines.push(format!(
            "recovery      {level}, {} days: {}",
            attributes.recoverable_days.unwrap_or_default(),
            level.describe(attributes.recoverable_days)
        ));
    }
    for (key, value) in bundle.tags.iter().flatten() {
        lines.push(format!("tag           {key}={value}"));
    }
    match (&bundle.value, reveal) {
        (Some(value), true) => lines.push(format!("value         {}", value.expose())),
        (Some(value), false) => lines.push(format!(
            "value         •••••••• ({} bytes; --reveal shows it)",
            value.len()
        )),
        (None, _) => lines.push("value         -".to_owned()),
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::SecretValue;

    #[test]
    fn show_masks_unless_revealed() {
        let bundle = SecretBundle {
            value: Some(SecretValue::new("marker-value")),
            id: Some("https://v/secrets/s/1".into()),
            ..SecretBundle::default()
        };
        assert!(!show_text(&bundle, false).contains("marker-value"));
        assert!(show_text(&bundle, true).contains("marker-value"));
    }
}
