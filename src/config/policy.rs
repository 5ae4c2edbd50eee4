//! A profile's policy: rules for its vault's secrets beyond the service's, as Azure Policy can
//! deny a version that breaks them. Checked in the form as you type, by `secret set`, `copy`,
//! `import` and `promote` (the target profile's), and over a whole vault by `secret lint`.

use super::Profile;
use crate::vault::{SecretAttributes, SetSecretParameters, Tags, UpdateSecretParameters};
use crate::when::{When, parse_when};

/// The rules; the default has none.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// Every version needs an expiry date.
    pub require_expiry: bool,
    /// An expiry at most this many days from when the version is written.
    pub max_expiry_days: Option<i64>,
    /// The expiry a new secret gets when none is given, as `+90d`.
    pub default_expiry: Option<String>,
    pub required_tags: Vec<String>,
    /// Content types allowed (compared without case); empty allows any, and none.
    pub allowed_content_types: Vec<String>,
    /// A regular expression the whole name must match.
    pub name_pattern: Option<regex::Regex>,
}

impl PartialEq for Policy {
    fn eq(&self, other: &Self) -> bool {
        let pattern = |p: &Self| p.name_pattern.as_ref().map(|r| r.as_str().to_owned());
        (
            self.require_expiry,
            self.max_expiry_days,
            &self.default_expiry,
            &self.required_tags,
            &self.allowed_content_types,
        ) == (
            other.require_expiry,
            other.max_expiry_days,
            &other.default_expiry,
            &other.required_tags,
            &other.allowed_content_types,
        ) && pattern(self) == pattern(other)
    }
}

impl Eq for Policy {}

/// Which part of a secret a rule reads, so the form can put its message beside that field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Name,
    ContentType,
    Tags,
    Expires,
}

/// One broken rule: the rule's name as written in the profile, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    pub rule: &'static str,
    pub part: Part,
    pub problem: String,
}

impl Break {
    /// The message that names the rule and the profile.
    pub fn message(&self, profile: &str) -> String {
        format!(
            "policy of profile {profile}: {}: {}",
            self.rule, self.problem
        )
    }
}

/// What a rule reads of a version.
pub struct Candidate<'a> {
    pub name: &'a str,
    pub content_type: Option<&'a str>,
    pub tags: &'a Tags,
    pub exp: Option<i64>,
}

/// What a write sets, of the parts a rule reads: its content type, tags and attributes.
pub type Parts<'a> = (
    Option<&'a str>,
    Option<&'a Tags>,
    Option<&'a SecretAttributes>,
);

/// A write a policy checks: the parts it sets, and which of them it changes.
pub trait CheckedWrite {
    fn parts(&self) -> Parts<'_>;

    /// A Set Secret makes a whole version, so every part counts.
    fn changes(&self, _part: Part) -> bool {
        true
    }
}

impl CheckedWrite for SetSecretParameters {
    fn parts(&self) -> Parts<'_> {
        (
            self.content_type.as_deref(),
            self.tags.as_ref(),
            self.attributes.as_ref(),
        )
    }
}

/// An attributes update is held only to the rules of the parts it changes, so a tag added is
/// not refused for an expiry the version already lacked. Each rule reads one part, and an
/// update gives every part it changes whole (tags replace the version's tags), so the
/// parameters alone are enough.
impl CheckedWrite for UpdateSecretParameters {
    fn parts(&self) -> Parts<'_> {
        (
            self.content_type.as_deref(),
            self.tags.as_ref(),
            self.attributes.as_ref(),
        )
    }

    fn changes(&self, part: Part) -> bool {
        match part {
            Part::ContentType => self.content_type.is_some(),
            Part::Tags => self.tags.is_some(),
            Part::Expires => self.attributes.as_ref().is_some_and(|a| a.exp.is_some()),
            Part::Name => false,
        }
    }
}

/// A profile held to its own policy; the messages name the profile.
impl Profile {
    /// The first rule `write` to `name` in this profile's vault breaks, as its message.
    pub fn check(&self, name: &str, write: &impl CheckedWrite, now: i64) -> Result<(), String> {
        let no_tags = Tags::new();
        let (content_type, tags, attributes) = write.parts();
        let candidate = Candidate {
            name,
            content_type,
            tags: tags.unwrap_or(&no_tags),
            exp: attributes.and_then(|a| a.exp),
        };
        self.policy
            .first_broken(&self.name, &candidate, now, |part| write.changes(part))
    }
}

impl Policy {
    /// The message of the first rule `secret` breaks among those reading a part that `counts`.
    fn first_broken(
        &self,
        profile: &str,
        secret: &Candidate<'_>,
        now: i64,
        counts: impl Fn(Part) -> bool,
    ) -> Result<(), String> {
        match self.check(secret, now).into_iter().find(|b| counts(b.part)) {
            Some(broken) => Err(broken.message(profile)),
            None => Ok(()),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Every rule `secret` breaks, written at `now`, in the order of the form's fields.
    pub fn check(&self, secret: &Candidate<'_>, now: i64) -> Vec<Break> {
        let mut breaks = Vec::new();
        let mut broke = |rule, part, problem: String| {
            breaks.push(Break {
                rule,
                part,
                problem,
            })
        };
        if let Some(pattern) = &self.name_pattern
            && !pattern.is_match(secret.name)
        {
            broke(
                "name_pattern",
                Part::Name,
                format!("{} does not match {}", secret.name, pattern.as_str()),
            );
        }
        let content_type = secret.content_type.filter(|t| !t.is_empty());
        if !self.allowed_content_types.is_empty()
            && !content_type.is_some_and(|given| {
                self.allowed_content_types
                    .iter()
                    .any(|allowed| allowed.eq_ignore_ascii_case(given))
            })
        {
            broke(
                "allowed_content_types",
                Part::ContentType,
                format!(
                    "{} is not one of {}",
                    content_type.unwrap_or("no content type"),
                    self.allowed_content_types.join(", ")
                ),
            );
        }
        let missing: Vec<&str> = self
            .required_tags
            .iter()
            .filter(|tag| !secret.tags.contains_key(tag.as_str()))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            broke(
                "required_tags",
                Part::Tags,
                format!("tag {} missing", missing.join(", ")),
            );
        }
        match (secret.exp, self.max_expiry_days) {
            (None, _) if self.require_expiry => broke(
                "require_expiry",
                Part::Expires,
                "an expiry date is required".to_owned(),
            ),
            (Some(exp), Some(days)) if exp > now.saturating_add(days.saturating_mul(86_400)) => {
                broke(
                    "max_expiry_days",
                    Part::Expires,
                    format!("expires more than {days} days from now"),
                )
            }
            _ => {}
        }
        breaks
    }

    /// `default_expiry` from `now`, when there is one.
    pub fn default_expiry_at(&self, now: i64) -> Option<i64> {
        match parse_when(self.default_expiry.as_deref()?, now) {
            Ok(When::At(at)) => Some(at),
            _ => None,
        }
    }
}

/// Checks what a profile table says of its policy; the error names the key.
pub(super) fn check(
    require_expiry: bool,
    max_expiry_days: Option<i64>,
    default_expiry: Option<String>,
    required_tags: Vec<String>,
    allowed_content_types: Vec<String>,
    name_pattern: Option<String>,
) -> Result<Policy, (&'static str, String, String)> {
    if let Some(days) = max_expiry_days
        && days < 1
    {
        return Err((
            "max_expiry_days",
            days.to_string(),
            "must be 1 or more".into(),
        ));
    }
    if let Some(default) = &default_expiry {
        let now = crate::when::now_unix();
        match parse_when(default, now) {
            Ok(When::At(at)) if default.starts_with('+') => {
                if let Some(days) = max_expiry_days
                    && at > now + days * 86_400
                {
                    return Err((
                        "default_expiry",
                        default.clone(),
                        format!("is past max_expiry_days ({days})"),
                    ));
                }
            }
            _ => {
                return Err((
                    "default_expiry",
                    default.clone(),
                    "must be a time from now, such as +90d, +12w or +6m".into(),
                ));
            }
        }
    }
    let name_pattern = name_pattern
        .map(|pattern| {
            regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|_| {
                (
                    "name_pattern",
                    pattern,
                    "is not a regular expression".into(),
                )
            })
        })
        .transpose()?;
    Ok(Policy {
        require_expiry,
        max_expiry_days,
        default_expiry,
        required_tags,
        allowed_content_types,
        name_pattern,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn policy() -> Policy {
        check(
            true,
            Some(365),
            Some("+90d".into()),
            vec!["owner".into(), "env".into()],
            vec!["text/plain".into()],
            Some("app-[a-z0-9-]+".into()),
        )
        .unwrap()
    }

    #[test]
    fn each_rule_names_itself_and_the_part_it_reads() {
        let tags: Tags = [("owner".to_owned(), "pay".to_owned())].into();
        let breaks = policy().check(
            &Candidate {
                name: "db-password",
                content_type: Some("application/json"),
                tags: &tags,
                exp: None,
            },
            NOW,
        );
        let rules: Vec<(&str, Part)> = breaks.iter().map(|b| (b.rule, b.part)).collect();
        assert_eq!(
            rules,
            [
                ("name_pattern", Part::Name),
                ("allowed_content_types", Part::ContentType),
                ("required_tags", Part::Tags),
                ("require_expiry", Part::Expires),
            ]
        );
        assert_eq!(
            breaks[2].message("prod"),
            "policy of profile prod: required_tags: tag env missing"
        );
        let far = policy().check(
            &Candidate {
                name: "app-api",
                content_type: Some("TEXT/PLAIN"),
                tags: &[("owner", "a"), ("env", "b")]
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .into(),
                exp: Some(NOW + 400 * 86_400),
            },
            NOW,
        );
        assert_eq!(far.len(), 1, "{far:?}");
        assert_eq!(far[0].problem, "expires more than 365 days from now");
        assert_eq!(policy().default_expiry_at(NOW), Some(NOW + 90 * 86_400));
        assert!(
            Policy::default()
                .check(
                    &Candidate {
                        name: "x",
                        content_type: None,
                        tags: &Tags::new(),
                        exp: None
                    },
                    NOW
                )
                .is_empty()
        );
    }

    #[test]
    fn a_policy_that_cannot_be_kept_is_refused_naming_its_key() {
        let refused = |days, default: &str, pattern: &str| {
            check(
                false,
                days,
                Some(default.into()),
                vec![],
                vec![],
                Some(pattern.into()),
            )
            .unwrap_err()
            .0
        };
        assert_eq!(refused(Some(0), "+1d", "a"), "max_expiry_days");
        assert_eq!(refused(Some(30), "+90d", "a"), "default_expiry");
        assert_eq!(refused(None, "2027-01-01", "a"), "default_expiry");
        assert_eq!(refused(None, "+1d", "(unclosed"), "name_pattern");
        assert!(
            !policy().name_pattern.unwrap().is_match("app-x; drop"),
            "the whole name must match"
        );
    }
}
