//! The service's input rules, in one place so the local vault enforces them, the CLI checks them
//! before sending, and the Set Secret form shows them beside the field as the user types.

use super::models::{SecretAttributes, SetSecretParameters, Tags, UpdateSecretParameters};
pub use crate::quoting::{cut, quoted, quoted_up_to};
use std::fmt;

pub const MAX_NAME_CHARS: usize = 127;
pub const MAX_VALUE_BYTES: usize = 25 * 1024;
pub const MAX_CONTENT_TYPE_CHARS: usize = 255;
pub const MAX_TAGS: usize = 15;
/// For secrets: names and values of up to 512 characters (256 is the limit for keys).
/// Microsoft Learn, "About Azure Key Vault secrets".
pub const MAX_TAG_CHARS: usize = 512;

/// The field a rule is about, named as the user sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Value,
    ContentType,
    Tags,
    NotBefore,
    Expires,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Value => "value",
            Self::ContentType => "content type",
            Self::Tags => "tags",
            Self::NotBefore => "not-before",
            Self::Expires => "expires",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A broken rule: which field, and why. Never contains a secret value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct Violation {
    pub field: Field,
    pub problem: String,
}

impl Violation {
    fn new(field: Field, problem: impl Into<String>) -> Self {
        Self {
            field,
            problem: problem.into(),
        }
    }
}

/// Refuses `text` of more than `limit` characters. The problem starts with `subject`, what is too
/// long (made only then, as it quotes the text), or with the count when the field says enough.
fn check_chars(
    field: Field,
    text: &str,
    limit: usize,
    subject: impl FnOnce() -> String,
) -> Result<(), Violation> {
    let length = text.chars().count();
    if length <= limit {
        return Ok(());
    }
    let count = format!("is {length} characters; the limit is {limit}");
    let subject = subject();
    Err(Violation::new(
        field,
        if subject.is_empty() {
            count
        } else {
            format!("{subject} {count}")
        },
    ))
}

pub fn check_name(name: &str) -> Result<(), Violation> {
    if name.is_empty() {
        return Err(Violation::new(Field::Name, "is required"));
    }
    check_chars(Field::Name, name, MAX_NAME_CHARS, || quoted(name))?;
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(Violation::new(
            Field::Name,
            format!(
                "{} contains {bad:?}; only letters, digits and '-' are allowed",
                quoted(name)
            ),
        ));
    }
    Ok(())
}

pub fn check_value(value: &str) -> Result<(), Violation> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(Violation::new(
            Field::Value,
            format!(
                "is {} bytes; the limit is {MAX_VALUE_BYTES} bytes (25 KiB)",
                value.len()
            ),
        ));
    }
    Ok(())
}

pub fn check_content_type(content_type: &str) -> Result<(), Violation> {
    check_chars(
        Field::ContentType,
        content_type,
        MAX_CONTENT_TYPE_CHARS,
        String::new,
    )
}

pub fn check_tag_count(count: usize) -> Result<(), Violation> {
    if count > MAX_TAGS {
        return Err(Violation::new(
            Field::Tags,
            format!("{count} tags given; the limit is {MAX_TAGS}"),
        ));
    }
    Ok(())
}

pub fn check_tag_name(key: &str) -> Result<(), Violation> {
    if key.is_empty() {
        return Err(Violation::new(Field::Tags, "a tag name is empty"));
    }
    check_chars(Field::Tags, key, MAX_TAG_CHARS, || {
        format!("tag name {}", quoted(key))
    })
}

pub fn check_tag_value(key: &str, value: &str) -> Result<(), Violation> {
    check_chars(Field::Tags, value, MAX_TAG_CHARS, || {
        format!("value of tag {}", quoted(key))
    })
}

pub fn check_tags(tags: &Tags) -> Result<(), Violation> {
    check_tag_count(tags.len())?;
    for (key, value) in tags {
        check_tag_name(key)?;
        check_tag_value(key, value)?;
    }
    Ok(())
}

/// 0000-01-01T00:00:00Z: with `crate::when::LATEST`, the dates RFC 3339 can write, so the only
/// ones every client can read back and show. kvtui writes none outside them; the local vault
/// refuses one.
pub const EARLIEST_WRITTEN: i64 = -62_167_219_200;

pub fn check_dates(not_before: Option<i64>, expires: Option<i64>) -> Result<(), Violation> {
    for (field, date) in [(Field::NotBefore, not_before), (Field::Expires, expires)] {
        match date {
            Some(date) if date > crate::when::LATEST => {
                return Err(Violation::new(
                    field,
                    format!(
                        "{date} (unix seconds) is after 9999-12-31T23:59:59Z, the last date \
                         RFC 3339 can write"
                    ),
                ));
            }
            Some(date) if date < EARLIEST_WRITTEN => {
                return Err(Violation::new(
                    field,
                    format!(
                        "{date} (unix seconds) is before 0000-01-01T00:00:00Z, the first date \
                         RFC 3339 can write"
                    ),
                ));
            }
            _ => {}
        }
    }
    match (not_before, expires) {
        (Some(nbf), Some(exp)) if exp <= nbf => Err(Violation::new(
            Field::Expires,
            "must be later than not-before",
        )),
        _ => Ok(()),
    }
}

fn check_optional_parts(
    content_type: Option<&str>,
    tags: Option<&Tags>,
    attributes: Option<&SecretAttributes>,
) -> Result<(), Violation> {
    if let Some(content_type) = content_type {
        check_content_type(content_type)?;
    }
    if let Some(tags) = tags {
        check_tags(tags)?;
    }
    if let Some(attributes) = attributes {
        check_dates(attributes.nbf, attributes.exp)?;
    }
    Ok(())
}

/// The first rule a Set Secret request breaks, checked in the order the form shows its fields.
pub fn check_set(name: &str, params: &SetSecretParameters) -> Result<(), Violation> {
    check_name(name)?;
    check_value(params.value.expose())?;
    check_optional_parts(
        params.content_type.as_deref(),
        params.tags.as_ref(),
        params.attributes.as_ref(),
    )
}

/// The first rule an Update Secret request breaks.
pub fn check_update(name: &str, params: &UpdateSecretParameters) -> Result<(), Violation> {
    check_name(name)?;
    check_optional_parts(
        params.content_type.as_deref(),
        params.tags.as_ref(),
        params.attributes.as_ref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_service_pattern() {
        assert!(check_name("db-Password-01").is_ok());
        assert!(check_name(&"a".repeat(127)).is_ok());
        assert_eq!(check_name("").map_err(|v| v.field), Err(Field::Name));
        let too_long = check_name(&"a".repeat(128)).expect_err("128 chars");
        assert!(too_long.problem.contains("128 characters"), "{too_long}");
        let bad = check_name("db_password").expect_err("underscore");
        assert!(
            bad.to_string()
                .starts_with("name: \"db_password\" contains '_'"),
            "{bad}"
        );
        assert!(check_name("naïve").is_err());
    }

    #[test]
    fn value_limit_counts_bytes() {
        assert!(check_value(&"x".repeat(MAX_VALUE_BYTES)).is_ok());
        let over = check_value(&"x".repeat(MAX_VALUE_BYTES + 1)).expect_err("over");
        assert_eq!(over.field, Field::Value);
        // Multi-byte characters count by their encoded size.
        assert!(check_value(&"é".repeat(MAX_VALUE_BYTES / 2 + 1)).is_err());
    }

    #[test]
    fn tag_limits() {
        let mut tags: Tags = (0..15).map(|i| (format!("k{i}"), "v".into())).collect();
        assert!(check_tags(&tags).is_ok());
        tags.insert("k15".into(), "v".into());
        assert_eq!(check_tags(&tags).map_err(|v| v.field), Err(Field::Tags));

        let long_value: Tags = [("env".to_owned(), "v".repeat(513))].into();
        let error = check_tags(&long_value).expect_err("long value");
        assert!(error.problem.contains("\"env\""), "{error}");
        assert!(error.problem.contains("513 characters"), "{error}");
        let long_name: Tags = [("k".repeat(513), "v".to_owned())].into();
        assert!(check_tags(&long_name).is_err());
        // 257..=512 is allowed for secrets (256 is the limit for keys, not secrets).
        let exact: Tags = [("k".repeat(512), "v".repeat(512))].into();
        assert!(check_tags(&exact).is_ok());
    }

    #[test]
    fn content_type_limit() {
        assert!(check_content_type(&"c".repeat(255)).is_ok());
        assert!(check_content_type(&"c".repeat(256)).is_err());
    }

    #[test]
    fn dates_are_ones_rfc_3339_can_write() {
        let latest = crate::when::LATEST;
        assert!(check_dates(Some(EARLIEST_WRITTEN), Some(latest)).is_ok());
        let late = check_dates(None, Some(latest + 1)).expect_err("after 9999");
        assert_eq!(late.field, Field::Expires);
        assert!(late.to_string().contains("253402300800"), "{late}");
        let early = check_dates(Some(EARLIEST_WRITTEN - 1), None).expect_err("before 0000");
        assert_eq!(early.field, Field::NotBefore);
        assert!(check_dates(Some(i64::MIN), Some(i64::MAX)).is_err());
    }

    #[test]
    fn expiry_must_follow_not_before() {
        assert!(check_dates(Some(10), Some(20)).is_ok());
        assert!(check_dates(None, Some(20)).is_ok());
        assert_eq!(
            check_dates(Some(20), Some(20)).map_err(|v| v.field),
            Err(Field::Expires)
        );
    }

    #[test]
    fn long_names_are_quoted_short() {
        let error = check_name(&"x".repeat(500)).expect_err("long");
        assert!(error.to_string().len() < 120, "{error}");
    }
}
