//! The filter line's terms beyond names: `tag:KEY=VALUE`, `tag:KEY`, `type:json`,
//! `expires:<30d`, `disabled`, `enabled`. Whatever is not a term is the fuzzy name query, so a
//! query of names alone takes the matcher's fast paths unchanged.

use super::row::SecretRow;

/// One term a row must satisfy, beside the name query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    /// A tag of that key (case-insensitive), with that value (case-insensitive) when given.
    Tag {
        key: String,
        value: Option<String>,
    },
    /// The content type holds this text, case-insensitively: `type:json` finds
    /// `application/json`.
    ContentType(String),
    /// Expires before this many seconds from when the query was typed (expired ones too).
    ExpiresWithin(i64),
    /// Expires later than this many seconds from when the query was typed, or never.
    ExpiresAfter(i64),
    Enabled(bool),
}

/// A filter line split into its name query and its terms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// The words that are not terms, for the fuzzy matcher, in their order.
    pub name: String,
    pub terms: Vec<Term>,
    /// Unix seconds when the query was typed, for `expires:`.
    pub now: i64,
    /// The first term that could not be read, and why: it is left out of the filter.
    pub problem: Option<String>,
}

impl Query {
    pub fn parse(line: &str, now: i64) -> Self {
        let mut query = Self {
            now,
            ..Self::default()
        };
        let mut names = Vec::new();
        for word in line.split_whitespace() {
            match Term::parse(word) {
                Some(Ok(term)) => query.terms.push(term),
                Some(Err(problem)) => {
                    query.problem.get_or_insert(problem);
                }
                None => names.push(word),
            }
        }
        query.name = names.join(" ");
        query
    }

    pub fn matches(&self, row: &SecretRow) -> bool {
        self.terms.iter().all(|term| term.matches(row, self.now))
    }
}

impl Term {
    /// The term a word is, an error if it starts like one but cannot be read, or `None` for a
    /// name word.
    fn parse(word: &str) -> Option<Result<Self, String>> {
        match word.to_ascii_lowercase().as_str() {
            "disabled" => return Some(Ok(Self::Enabled(false))),
            "enabled" => return Some(Ok(Self::Enabled(true))),
            _ => {}
        }
        let (prefix, rest) = word.split_once(':')?;
        let term = match prefix.to_ascii_lowercase().as_str() {
            "tag" => match rest.split_once('=') {
                _ if rest.is_empty() => Err("tag: wants KEY or KEY=VALUE".to_owned()),
                Some((key, value)) => Ok(Self::Tag {
                    key: key.to_owned(),
                    value: Some(value.to_owned()),
                }),
                None => Ok(Self::Tag {
                    key: rest.to_owned(),
                    value: None,
                }),
            },
            "type" if rest.is_empty() => Err("type: wants part of a content type".to_owned()),
            "type" => Ok(Self::ContentType(rest.to_ascii_lowercase())),
            "expires" => parse_expires(rest),
            _ => return None,
        };
        Some(term)
    }

    fn matches(&self, row: &SecretRow, now: i64) -> bool {
        match self {
            Self::Tag { key, value } => row.item.tags.iter().flatten().any(|(k, v)| {
                k.eq_ignore_ascii_case(key)
                    && value
                        .as_ref()
                        .is_none_or(|want| v.eq_ignore_ascii_case(want))
            }),
            Self::ContentType(part) => row
                .item
                .content_type
                .as_ref()
                .is_some_and(|ct| ct.to_ascii_lowercase().contains(part.as_str())),
            Self::ExpiresWithin(span) => row
                .expires()
                .is_some_and(|exp| exp < now.saturating_add(*span)),
            Self::ExpiresAfter(span) => row
                .expires()
                .is_none_or(|exp| exp > now.saturating_add(*span)),
            Self::Enabled(enabled) => row.enabled() == *enabled,
        }
    }
}

/// `<30d`, `>2w`, `<12h`.
fn parse_expires(rest: &str) -> Result<Term, String> {
    const WANTS: &str = "expires: wants < or > and a count of h, d or w, as in expires:<30d";
    let (within, span) = match rest.split_at_checked(1) {
        Some(("<", span)) => (true, span),
        Some((">", span)) => (false, span),
        _ => return Err(WANTS.to_owned()),
    };
    let unit = match span.chars().last() {
        Some('h') => 3_600,
        Some('d') => 86_400,
        Some('w') => 7 * 86_400,
        _ => return Err(WANTS.to_owned()),
    };
    let count: i64 = span[..span.len() - 1]
        .parse()
        .map_err(|_| WANTS.to_owned())?;
    let seconds = count.saturating_mul(unit);
    Ok(if within {
        Term::ExpiresWithin(seconds)
    } else {
        Term::ExpiresAfter(seconds)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::vault::{SecretAttributes, SecretItem};

    const NOW: i64 = 1_800_000_000;
    const DAY: i64 = 86_400;

    fn row(name: &str, tags: &[(&str, &str)], content_type: Option<&str>) -> SecretRow {
        SecretRow::from_item(SecretItem {
            id: Some(format!("https://v/secrets/{name}")),
            tags: Some(
                tags.iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            ),
            content_type: content_type.map(str::to_owned),
            ..SecretItem::default()
        })
        .unwrap()
    }

    fn dated(exp: Option<i64>, enabled: bool) -> SecretRow {
        let mut row = row("dated", &[], None);
        row.item.attributes = Some(SecretAttributes {
            exp,
            enabled: Some(enabled),
            ..SecretAttributes::default()
        });
        row
    }

    #[test]
    fn terms_are_taken_out_and_the_rest_is_the_name_query() {
        let query = Query::parse("prod tag:owner=payments api type:json disabled", NOW);
        assert_eq!(query.name, "prod api");
        assert_eq!(
            query.terms,
            [
                Term::Tag {
                    key: "owner".into(),
                    value: Some("payments".into())
                },
                Term::ContentType("json".into()),
                Term::Enabled(false),
            ]
        );
        assert_eq!(query.problem, None);
        assert_eq!(Query::parse("db-pass", NOW).terms, []);
        assert_eq!(
            Query::parse("http://x", NOW).name,
            "http://x",
            "an unknown prefix is a name"
        );
    }

    #[test]
    fn a_term_that_cannot_be_read_is_named_and_left_out() {
        for bad in [
            "expires:soon",
            "expires:<30",
            "expires:30d",
            "tag:",
            "type:",
        ] {
            let query = Query::parse(&format!("api {bad}"), NOW);
            assert!(query.problem.is_some(), "{bad}");
            assert_eq!(query.terms, [], "{bad}");
            assert_eq!(query.name, "api", "{bad}");
        }
    }

    #[test]
    fn tags_match_by_key_and_value_without_case() {
        let tagged = row("a", &[("Owner", "Payments"), ("env", "prod")], None);
        for (query, matches) in [
            ("tag:owner", true),
            ("tag:owner=payments", true),
            ("tag:owner=pay", false),
            ("tag:team", false),
            ("tag:env=prod tag:owner", true),
            ("tag:env=dev", false),
        ] {
            assert_eq!(
                Query::parse(query, NOW).matches(&tagged),
                matches,
                "{query}"
            );
        }
    }

    #[test]
    fn content_types_match_by_part() {
        let json = row("a", &[], Some("application/JSON"));
        assert!(Query::parse("type:json", NOW).matches(&json));
        assert!(!Query::parse("type:pem", NOW).matches(&json));
        assert!(!Query::parse("type:json", NOW).matches(&row("b", &[], None)));
    }

    #[test]
    fn expiry_terms_count_from_when_the_query_was_typed() {
        let within = Query::parse("expires:<30d", NOW);
        let after = Query::parse("expires:>30d", NOW);
        for (exp, is_within) in [
            (Some(NOW - DAY), true),
            (Some(NOW + 29 * DAY), true),
            (Some(NOW + 31 * DAY), false),
            (None, false),
        ] {
            let row = dated(exp, true);
            assert_eq!(within.matches(&row), is_within, "{exp:?}");
            assert_eq!(after.matches(&row), !is_within, "{exp:?}");
        }
        assert!(Query::parse("expires:<2w", NOW).matches(&dated(Some(NOW + 13 * DAY), true)));
        assert!(!Query::parse("expires:<12h", NOW).matches(&dated(Some(NOW + DAY), true)));
    }

    #[test]
    fn disabled_and_enabled() {
        assert!(Query::parse("disabled", NOW).matches(&dated(None, false)));
        assert!(!Query::parse("disabled", NOW).matches(&dated(None, true)));
        assert!(Query::parse("Enabled", NOW).matches(&dated(None, true)));
    }
}
