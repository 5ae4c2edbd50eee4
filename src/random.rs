//! Randomness from the operating system, for tokens, version ids, nonces and jitter.

/// Fills `buffer` from the OS generator. A machine that cannot supply randomness cannot run a
/// vault safely, so failure is fatal rather than silently weak.
pub fn fill(buffer: &mut [u8]) {
    #[allow(clippy::expect_used)]
    getrandom::fill(buffer).expect("the operating system's random number generator");
}

/// `bytes` random bytes as lowercase hex.
pub fn hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    fill(&mut buffer);
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

/// A uniform float in [0, 1).
pub fn unit() -> f64 {
    let mut buffer = [0u8; 8];
    fill(&mut buffer);
    (u64::from_le_bytes(buffer) >> 11) as f64 / (1u64 << 53) as f64
}

/// The characters a generated secret value is drawn from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Alphabet {
    #[default]
    LettersDigits,
    /// Letters, digits and the printable ASCII punctuation.
    LettersDigitsSymbols,
    Hex,
    /// URL- and filename-safe: letters, digits, '-' and '_'.
    Base64Url,
}

impl Alphabet {
    pub const ALL: [Self; 4] = [
        Self::LettersDigits,
        Self::LettersDigitsSymbols,
        Self::Hex,
        Self::Base64Url,
    ];

    pub fn chars(self) -> &'static [u8] {
        const LETTERS_DIGITS: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        match self {
            Self::LettersDigits => LETTERS_DIGITS,
            Self::LettersDigitsSymbols => {
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~"
            }
            Self::Hex => b"0123456789abcdef",
            Self::Base64Url => {
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            }
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::LettersDigits => "letters+digits",
            Self::LettersDigitsSymbols => "letters+digits+symbols",
            Self::Hex => "hex",
            Self::Base64Url => "base64url",
        }
    }

    pub fn next(self) -> Self {
        let at = Self::ALL.iter().position(|a| *a == self).unwrap_or(0);
        Self::ALL[(at + 1) % Self::ALL.len()]
    }

    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.label() == label)
    }
}

/// A value of `length` characters drawn uniformly from `alphabet` (rejection sampling, so no
/// character is likelier than another).
pub fn generate(length: usize, alphabet: Alphabet) -> crate::vault::SecretValue {
    use zeroize::Zeroize;
    let chars = alphabet.chars();
    let limit = 256 - 256 % chars.len();
    let mut value = String::with_capacity(length);
    let mut buffer = [0u8; 64];
    while value.len() < length {
        fill(&mut buffer);
        for &byte in &buffer {
            if (byte as usize) < limit && value.len() < length {
                value.push(chars[byte as usize % chars.len()] as char);
            }
        }
    }
    buffer.zeroize();
    crate::vault::SecretValue::new(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_have_the_length_and_alphabet_asked_for() {
        for alphabet in Alphabet::ALL {
            let value = generate(200, alphabet);
            assert_eq!(value.expose().len(), 200);
            assert!(
                value
                    .expose()
                    .bytes()
                    .all(|b| alphabet.chars().contains(&b)),
                "{alphabet:?}"
            );
        }
        assert_ne!(
            generate(32, Alphabet::Hex).expose(),
            generate(32, Alphabet::Hex).expose()
        );
        assert_eq!(Alphabet::from_label("hex"), Some(Alphabet::Hex));
    }
}
