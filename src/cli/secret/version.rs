//! `--version`: a version's full id (32 hex digits), or a unique prefix of it, as the TUI shows
//! the first 8.

use crate::cli::{Failure, fail_usage};
use crate::vault::VaultClient;
use crate::vault::rules::quoted;

/// The most ids an ambiguous prefix's error names; the count of the rest follows.
const CANDIDATES_SHOWN: usize = 10;

/// A `--version` as given, checked for its shape before anything is sent.
#[derive(Debug)]
pub(super) enum VersionArg {
    /// All 32 digits: used as given, with no extra request.
    Full(String),
    /// Fewer: resolved by listing the secret's versions.
    Prefix(String),
}

impl VersionArg {
    pub(super) fn parse(raw: &str) -> Result<Self, Failure> {
        const ID_LENGTH: usize = 32;
        if raw.is_empty() || raw.len() > ID_LENGTH || !raw.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(fail_usage(format!(
                "version: {} is not a version id: give its {ID_LENGTH} hex digits, or a unique \
                 prefix of them such as the 8 the TUI shows",
                quoted(raw)
            )));
        }
        Ok(if raw.len() == ID_LENGTH {
            Self::Full(raw.to_owned())
        } else {
            Self::Prefix(raw.to_owned())
        })
    }

    /// The full id of the version of `name` this names.
    pub(super) async fn resolve(self, client: &VaultClient, name: &str) -> Result<String, Failure> {
        match self {
            Self::Full(id) => Ok(id),
            Self::Prefix(prefix) => {
                let mut versions = client.list_versions(name).collect_all().await?;
                crate::vault::newest_first(&mut versions);
                let ids = versions
                    .iter()
                    .filter_map(|item| item.secret_id().and_then(|id| id.version));
                unique_match(&prefix, name, ids)
            }
        }
    }
}

/// The full id an optional `--version` names; `None`, for the latest, when it is absent.
pub(super) async fn resolve_given(
    version: Option<VersionArg>,
    client: &VaultClient,
    name: &str,
) -> Result<Option<String>, Failure> {
    match version {
        Some(version) => version.resolve(client, name).await.map(Some),
        None => Ok(None),
    }
}

/// The one id among `ids` (newest first) that starts with `prefix`, in any case; exit 2 when
/// none does, or when several do, naming them.
fn unique_match(
    prefix: &str,
    name: &str,
    ids: impl Iterator<Item = String>,
) -> Result<String, Failure> {
    let mut listed = 0;
    let mut matches = Vec::new();
    for id in ids {
        listed += 1;
        if id
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        {
            matches.push(id);
        }
    }
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 if listed == 0 => Err(fail_usage(format!(
            "version: {name} has no versions to match {}: is the name right?",
            quoted(prefix)
        ))),
        0 => Err(fail_usage(format!(
            "version: none of the {listed} versions of {name} starts with {}",
            quoted(prefix)
        ))),
        count => {
            let mut named = matches[..count.min(CANDIDATES_SHOWN)].join(", ");
            if count > CANDIDATES_SHOWN {
                named.push_str(&format!(" and {} more", count - CANDIDATES_SHOWN));
            }
            Err(fail_usage(format!(
                "version: {} is ambiguous: {count} versions of {name} start with it: {named}; \
                 give more digits",
                quoted(prefix)
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|id| (*id).to_owned())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn only_hex_up_to_32_digits_is_a_version() {
        let full = "0123456789abcdef0123456789ABCDEF";
        assert!(matches!(VersionArg::parse(full), Ok(VersionArg::Full(id)) if id == full));
        assert!(matches!(
            VersionArg::parse("daa66d13"),
            Ok(VersionArg::Prefix(_))
        ));
        for bad in ["", "daa66d1g", "daa66d13…", &format!("{full}0"), "../x"] {
            let error = VersionArg::parse(bad).expect_err(bad);
            assert_eq!(error.exit_code, 2);
            assert!(error.message.starts_with("version: "), "{}", error.message);
        }
    }

    #[test]
    fn a_prefix_matches_one_version_or_says_which() {
        let listed = ["aa11", "ab22", "ab33"];
        assert_eq!(
            unique_match("AA", "s", ids(&listed)).expect("unique"),
            "aa11"
        );
        let ambiguous = unique_match("ab", "s", ids(&listed)).expect_err("two");
        assert!(
            ambiguous
                .message
                .contains("2 versions of s start with it: ab22, ab33"),
            "{}",
            ambiguous.message
        );
        let none = unique_match("cc", "s", ids(&listed)).expect_err("none");
        assert_eq!(none.exit_code, 2);
        assert!(
            none.message.contains("none of the 3 versions"),
            "{}",
            none.message
        );
        let many: Vec<String> = (0..12).map(|i| format!("f{i:02}")).collect();
        let cut = unique_match("f", "s", many.into_iter()).expect_err("twelve");
        assert!(cut.message.contains("f09 and 2 more"), "{}", cut.message);
    }
}
