//! The vault's deletion recovery level, and what it means in words for an operator.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// `DeletionRecoveryLevel` of the spec. It is "modelAsString", so a level this build does not
/// know is kept verbatim rather than rejected.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RecoveryLevel {
    Purgeable,
    RecoverablePurgeable,
    Recoverable,
    RecoverableProtectedSubscription,
    CustomizedRecoverablePurgeable,
    CustomizedRecoverable,
    CustomizedRecoverableProtectedSubscription,
    Other(String),
}

const KNOWN: [(RecoveryLevel, &str); 7] = [
    (RecoveryLevel::Purgeable, "Purgeable"),
    (RecoveryLevel::RecoverablePurgeable, "Recoverable+Purgeable"),
    (RecoveryLevel::Recoverable, "Recoverable"),
    (
        RecoveryLevel::RecoverableProtectedSubscription,
        "Recoverable+ProtectedSubscription",
    ),
    (
        RecoveryLevel::CustomizedRecoverablePurgeable,
        "CustomizedRecoverable+Purgeable",
    ),
    (
        RecoveryLevel::CustomizedRecoverable,
        "CustomizedRecoverable",
    ),
    (
        RecoveryLevel::CustomizedRecoverableProtectedSubscription,
        "CustomizedRecoverable+ProtectedSubscription",
    ),
];

impl RecoveryLevel {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(raw) => raw,
            known => KNOWN
                .iter()
                .find(|(level, _)| level == known)
                .map(|(_, name)| *name)
                .unwrap_or_default(),
        }
    }

    /// A privileged user may purge a deleted secret before its scheduled date.
    pub fn allows_purge(&self) -> bool {
        self.as_str().ends_with("Purgeable")
    }

    /// Deletion is soft: the secret can be recovered during the retention interval.
    pub fn is_recoverable(&self) -> bool {
        self.as_str().contains("Recoverable")
    }

    /// One line, in words, of what deleting a secret means at this level.
    pub fn describe(&self, recoverable_days: Option<i64>) -> String {
        let days = match recoverable_days {
            Some(days) if days > 0 => format!("{days} days"),
            _ => "the retention period".to_owned(),
        };
        match self {
            Self::Purgeable => "Delete is permanent: a deleted secret cannot be recovered.".into(),
            Self::RecoverablePurgeable | Self::CustomizedRecoverablePurgeable => {
                format!("Delete is soft: recoverable for {days}; can be purged before then.")
            }
            Self::Recoverable | Self::CustomizedRecoverable => format!(
                "Delete is soft: recoverable for {days}; purge protection is on, so it cannot be purged early."
            ),
            Self::RecoverableProtectedSubscription
            | Self::CustomizedRecoverableProtectedSubscription => format!(
                "Delete is soft: recoverable for {days}; purge and subscription cancellation are blocked."
            ),
            Self::Other(raw) => format!("Unknown recovery level {raw:?}."),
        }
    }
}

impl fmt::Display for RecoveryLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecoveryLevel {
    type Err = std::convert::Infallible;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Ok(KNOWN
            .iter()
            .find(|(_, name)| *name == raw)
            .map(|(level, _)| level.clone())
            .unwrap_or_else(|| Self::Other(raw.to_owned())))
    }
}

impl Serialize for RecoveryLevel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RecoveryLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Ok(raw.parse().unwrap_or(Self::Other(raw)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_level_round_trips_by_name() {
        for (level, name) in KNOWN {
            assert_eq!(level.as_str(), name);
            assert_eq!(name.parse::<RecoveryLevel>(), Ok(level));
        }
    }

    #[test]
    fn purge_and_recovery_follow_the_level_name() {
        let purgeable: RecoveryLevel = "Purgeable".parse().unwrap_or(RecoveryLevel::Purgeable);
        assert!(purgeable.allows_purge() && !purgeable.is_recoverable());
        assert!(RecoveryLevel::RecoverablePurgeable.allows_purge());
        assert!(!RecoveryLevel::Recoverable.allows_purge());
        assert!(RecoveryLevel::CustomizedRecoverable.is_recoverable());
        assert!(!RecoveryLevel::RecoverableProtectedSubscription.allows_purge());
    }

    #[test]
    fn unknown_levels_are_kept_verbatim() {
        let level: RecoveryLevel = serde_json::from_str("\"Future+Thing\"").expect("parse");
        assert_eq!(level, RecoveryLevel::Other("Future+Thing".into()));
        assert_eq!(
            serde_json::to_string(&level).expect("json"),
            "\"Future+Thing\""
        );
    }

    #[test]
    fn description_names_the_days() {
        let text = RecoveryLevel::RecoverablePurgeable.describe(Some(90));
        assert!(
            text.contains("90 days") && text.contains("purged"),
            "{text}"
        );
    }
}
