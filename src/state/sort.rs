//! The list's order when no name query ranks it: by name in natural order (`name-2` before
//! `name-10`), by last update (newest first), or by expiry (soonest first, none last).

use super::row::SecretRow;
use std::cmp::Ordering;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortOrder {
    #[default]
    Name,
    Updated,
    Expiry,
}

impl SortOrder {
    /// The next order `o` cycles to.
    pub fn next(self) -> Self {
        match self {
            Self::Name => Self::Updated,
            Self::Updated => Self::Expiry,
            Self::Expiry => Self::Name,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Updated => "updated",
            Self::Expiry => "expiry",
        }
    }

    /// Ties (same date, no date) fall back to name order, so the order is total.
    pub fn compare(self, a: &SecretRow, b: &SecretRow) -> Ordering {
        let first = match self {
            Self::Name => Ordering::Equal,
            Self::Updated => b.updated().cmp(&a.updated()),
            Self::Expiry => match (a.expires(), b.expires()) {
                (Some(a), Some(b)) => a.cmp(&b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        };
        first.then_with(|| natural(&a.name, &b.name))
    }
}

/// Names compared case-insensitively, with runs of digits compared as numbers.
pub fn natural(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (x_digits, x_rest) = split_digits(a);
                let (y_digits, y_rest) = split_digits(b);
                let by_value = strip_zeros(x_digits)
                    .len()
                    .cmp(&strip_zeros(y_digits).len())
                    .then_with(|| strip_zeros(x_digits).cmp(strip_zeros(y_digits)))
                    // `7` before `007`: equal values, fewer zeros first, so no two names tie.
                    .then_with(|| x_digits.len().cmp(&y_digits.len()));
                if by_value != Ordering::Equal {
                    return by_value;
                }
                (a, b) = (x_rest, y_rest);
            }
            (Some(x), Some(y)) => {
                let by_letter = x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase());
                if by_letter != Ordering::Equal {
                    return by_letter;
                }
                (a, b) = (&a[1..], &b[1..]);
            }
        }
    }
}

fn split_digits(text: &[u8]) -> (&[u8], &[u8]) {
    let end = text
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(text.len());
    text.split_at(end)
}

fn strip_zeros(digits: &[u8]) -> &[u8] {
    let start = digits
        .iter()
        .position(|&b| b != b'0')
        .unwrap_or(digits.len());
    &digits[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_compare_as_numbers() {
        let mut names = vec![
            "name-10", "name-2", "Name-1", "name-02", "api", "name-100", "name", "b1c2", "b1c10",
        ];
        names.sort_by(|a, b| natural(a, b));
        assert_eq!(
            names,
            [
                "api", "b1c2", "b1c10", "name", "Name-1", "name-2", "name-02", "name-10",
                "name-100"
            ]
        );
        let long = "n-99999999999999999999999999";
        assert_eq!(
            natural(long, "n-100000000000000000000000000"),
            Ordering::Less
        );
    }
}
