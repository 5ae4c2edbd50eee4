//! WHEN: how users write an expiry or not-before date, in the CLI and in the form alike.
//! RFC 3339 (`2027-03-01T12:00:00Z`), a date (`2027-03-01`, midnight UTC), a time from now
//! (`+90d`, `+12h`, `+2w`), or `never`.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Unix seconds.
    At(i64),
    Never,
}

pub const WHEN_FORMS: &str = "RFC 3339 (2027-03-01T12:00:00Z), a date (2027-03-01), a time from now (+90d, +12h, +2w) or never";

/// Parses WHEN relative to `now` (unix seconds).
pub fn parse_when(input: &str, now: i64) -> Result<When, String> {
    let text = input.trim();
    let problem = || format!("{input:?} is not a date: expected {WHEN_FORMS}");
    if text.eq_ignore_ascii_case("never") {
        return Ok(When::Never);
    }
    if let Some(relative) = text.strip_prefix('+') {
        // The unit is the last character, which may be any character a user types: split by
        // characters, not bytes ("+5é" once panicked here, cutting "é" in half).
        let mut chars = relative.chars();
        let unit = chars.next_back().ok_or_else(problem)?;
        let count = chars.as_str();
        let seconds = match unit {
            'h' => 3_600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(problem()),
        };
        // Digits only: `str::parse` would also take a sign ("++5d").
        if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
            return Err(problem());
        }
        let count: i64 = count.parse().map_err(|_| problem())?;
        return count
            .checked_mul(seconds)
            .and_then(|offset| now.checked_add(offset))
            .filter(|_| count > 0)
            .map(When::At)
            .ok_or_else(problem);
    }
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(When::At(at.unix_timestamp()));
    }
    // The form kvtui shows dates in, so a date read off the screen can be typed back.
    let shown_format = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    if let Ok(at) = PrimitiveDateTime::parse(text, &shown_format) {
        return Ok(When::At(at.assume_utc().unix_timestamp()));
    }
    let date_format = format_description!("[year]-[month]-[day]");
    if let Ok(date) = Date::parse(text, &date_format) {
        let midnight = PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc();
        return Ok(When::At(midnight.unix_timestamp()));
    }
    Err(problem())
}

/// A unix time as the UI shows it: `2027-03-01 12:00 UTC`.
pub fn format_utc(unix: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(unix) {
        Ok(at) => {
            let format = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
            at.format(&format).unwrap_or_else(|_| unix.to_string())
        }
        Err(_) => unix.to_string(),
    }
}

/// A unix time in RFC 3339 to the second (`2027-03-01T12:00:05Z`): exact, and parsed back by
/// `parse_when`, for prefilling a form with a date that must not drift.
pub fn format_rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|at| at.format(&Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// The current time in unix seconds.
pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn every_form_parses() {
        assert_eq!(parse_when("never", NOW), Ok(When::Never));
        assert_eq!(parse_when("NEVER", NOW), Ok(When::Never));
        assert_eq!(parse_when("+90d", NOW), Ok(When::At(NOW + 90 * 86_400)));
        assert_eq!(parse_when("+12h", NOW), Ok(When::At(NOW + 12 * 3_600)));
        assert_eq!(parse_when("+2w", NOW), Ok(When::At(NOW + 14 * 86_400)));
        assert_eq!(parse_when("2027-03-01", NOW), Ok(When::At(1_803_859_200)));
        assert_eq!(
            parse_when("2027-03-01T12:00:00Z", NOW),
            Ok(When::At(1_803_859_200 + 12 * 3_600))
        );
        assert_eq!(
            parse_when("2027-03-01T12:00:00+02:00", NOW),
            Ok(When::At(1_803_859_200 + 10 * 3_600))
        );
    }

    #[test]
    fn bad_input_says_what_is_accepted() {
        for bad in [
            "",
            "+",
            "+d",
            "+0d",
            "+-3d",
            "+5y",
            "tomorrow",
            "2027-13-01",
            "+99999999999999w",
            "+5é",
            "+é",
            "++5d",
            "+ 5d",
        ] {
            let error = parse_when(bad, NOW).expect_err(bad);
            assert!(error.contains("+90d") && error.contains("never"), "{error}");
        }
    }

    #[test]
    fn formats_back_as_utc() {
        assert_eq!(
            format_utc(1_803_859_200 + 12 * 3_600),
            "2027-03-01 12:00 UTC"
        );
    }

    #[test]
    fn shown_and_exact_forms_parse_back() {
        let at = 1_803_859_200 + 12 * 3_600 + 5;
        assert_eq!(parse_when(&format_rfc3339(at), NOW), Ok(When::At(at)));
        assert_eq!(
            parse_when(&format_utc(at), NOW),
            Ok(When::At(at - 5)),
            "the shown form has minutes only"
        );
    }
}
