//! The one type that carries a secret's value through the program.
//!
//! It zeroizes its memory on drop, never prints itself through `Debug` or `Display`, and
//! serializes as a plain JSON string only because the wire format demands it.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Clone)]
pub struct SecretValue(SecretString);

impl SecretValue {
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The only way to read the value; callers say by name that they are exposing it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Size in bytes, which is what the service's 25 KiB limit counts.
    pub fn len(&self) -> usize {
        self.expose().len()
    }

    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl PartialEq for SecretValue {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for SecretValue {}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretValue([redacted, {} bytes])", self.len())
    }
}

impl From<String> for SecretValue {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl Serialize for SecretValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for SecretValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let value = SecretValue::new("hunter2-marker");
        let shown = format!("{value:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("14 bytes"), "{shown}");
    }

    #[test]
    fn round_trips_through_json_exactly() {
        let raw = "line one\r\nline two\ttab \u{1F511}";
        let json = serde_json::to_string(&SecretValue::new(raw)).expect("serialize");
        let back: SecretValue = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back.expose(), raw);
    }
}
