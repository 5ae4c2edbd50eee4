//! WHEN: how users write an expiry or not-before date, in the CLI and in the form alike.
//! RFC 3339 (`2027-03-01T12:00:00Z`), a date (`2027-03-01`, midnight UTC), a time from now
//! (`+12h`, `+90d`, `+2w`, `+6m`, `+1y`), or `never`; always between 1970-01-01T00:00:00Z and
//! 9999-12-31T23:59:59Z.

use crate::quoting::quoted;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Unix seconds, from `EARLIEST` to `LATEST`.
    At(i64),
    Never,
}

pub const WHEN_FORMS: &str = "RFC 3339 (2027-03-01T12:00:00Z), a date (2027-03-01), a time from now (+12h, +90d, +2w, +6m months, +1y) or never";

/// 1970-01-01T00:00:00Z. The service keeps dates as seconds since then; an earlier one is a
/// typo (`0227-03-01`, `1927`), as an expiry would be expired at birth and a not-before would
/// mean nothing.
pub const EARLIEST: i64 = 0;

/// 9999-12-31T23:59:59Z: the last second with a four-digit year, so the last one RFC 3339 can
/// carry and kvtui can show (a later one used to be written and shown as a bare number).
pub const LATEST: i64 = 253_402_300_799;

/// Why a WHEN was refused. The input is quoted, cut short when long.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WhenError {
    #[error("{} is not a date: expected {WHEN_FORMS}", quoted(.input))]
    NotADate { input: String },
    #[error("{} is after 9999-12-31T23:59:59Z, the latest date accepted", quoted(.input))]
    TooLate { input: String },
    #[error(
        "{} is before 1970-01-01T00:00:00Z, the earliest date accepted (dates are kept as seconds since then)",
        quoted(.input)
    )]
    TooEarly { input: String },
}

/// Parses WHEN relative to `now` (unix seconds).
pub fn parse_when(input: &str, now: i64) -> Result<When, WhenError> {
    let text = input.trim();
    if text.eq_ignore_ascii_case("never") {
        return Ok(When::Never);
    }
    let at = match text.strip_prefix('+') {
        Some(relative) => from_now(relative, now),
        None => absolute(text).map(Some),
    }
    .ok_or_else(|| WhenError::NotADate {
        input: input.to_owned(),
    })?;
    match at {
        Some(at) if (EARLIEST..=LATEST).contains(&at) => Ok(When::At(at)),
        Some(at) if at < EARLIEST => Err(WhenError::TooEarly {
            input: input.to_owned(),
        }),
        // Later than LATEST, or so far on that no clock type holds it.
        _ => Err(WhenError::TooLate {
            input: input.to_owned(),
        }),
    }
}

/// `+` and a count of units after `now`: `None` when it is not that form, `Some(None)` when it
/// is but lies beyond any date `time` can hold.
fn from_now(relative: &str, now: i64) -> Option<Option<i64>> {
    // The unit is the last character, which may be any character a user types: split by
    // characters, not bytes ("+5é" once panicked here, cutting "é" in half).
    let mut chars = relative.chars();
    let unit = chars.next_back()?;
    let count = chars.as_str();
    // Digits only: `str::parse` would also take a sign ("++5d").
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if count.bytes().all(|b| b == b'0') || !"hdwmy".contains(unit) {
        return None;
    }
    // All digits and not zero: a count that overflows is simply very far away.
    let Ok(count) = count.parse::<i64>() else {
        return Some(None);
    };
    let after_seconds = |unit: i64| count.checked_mul(unit).and_then(|s| now.checked_add(s));
    Some(match unit {
        'h' => after_seconds(3_600),
        'd' => after_seconds(86_400),
        'w' => after_seconds(7 * 86_400),
        'm' => after_months(now, count),
        _ => count
            .checked_mul(12)
            .and_then(|months| after_months(now, months)),
    })
}

/// `now` plus `months` calendar months at the same time of day; the day is clamped to the
/// target month's length, so a month after January 31 is the last day of February.
fn after_months(now: i64, months: i64) -> Option<i64> {
    let start = OffsetDateTime::from_unix_timestamp(now).ok()?;
    let from_year_zero = i64::from(start.year()) * 12 + i64::from(u8::from(start.month()) - 1);
    let target = from_year_zero.checked_add(months)?;
    let year = i32::try_from(target.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(target.rem_euclid(12) + 1).ok()?).ok()?;
    let day = start.day().min(month.length(year));
    let date = Date::from_calendar_date(year, month, day).ok()?;
    Some(start.replace_date(date).unix_timestamp())
}

/// RFC 3339, the form kvtui shows dates in, or a bare date: `None` when it is none of them.
fn absolute(text: &str) -> Option<i64> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(at.unix_timestamp());
    }
    // The form kvtui shows dates in, so a date read off the screen can be typed back.
    let shown_format = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    if let Ok(at) = PrimitiveDateTime::parse(text, &shown_format) {
        return Some(at.assume_utc().unix_timestamp());
    }
    let date_format = format_description!("[year]-[month]-[day]");
    let date = Date::parse(text, &date_format).ok()?;
    Some(
        PrimitiveDateTime::new(date, Time::MIDNIGHT)
            .assume_utc()
            .unix_timestamp(),
    )
}

/// For an expiry being written: a warning when it is already past at `now` (unix seconds), so
/// the version would be expired from the start; `None` for `never` or a later time. A warning,
/// not a refusal: setting a secret expired on purpose (to retire it, or in a test) is allowed.
/// The text names the date but not the field, for the caller to prefix.
pub fn past_warning(expires: When, now: i64) -> Option<String> {
    match expires {
        When::At(at) if at <= now => Some(format!(
            "{} is already past: the version is expired as soon as it is written",
            format_utc(at)
        )),
        _ => None,
    }
}

/// A unix time as the UI shows it: `2027-03-01 12:00 UTC`. Any integer, since a vault can send
/// any: a year past 9999 is written `+10000`, one before year 0 `-0001` (ISO 8601's expanded
/// years, as `time` writes them).
pub fn format_utc(unix: i64) -> String {
    format!("{} UTC", Utc::of(unix).minute())
}

/// The UTC calendar date and time of a unix time, for every `i64`: `time` holds only years
/// -9999 to 9999, and a date outside them must still be drawn, not panic or turn into a bare
/// number that a fixed-width column would cut into something that looks like a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Utc {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
}

impl Utc {
    pub fn of(unix: i64) -> Self {
        let (days, seconds) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
        // Days since 1970-01-01 to the proleptic Gregorian calendar, counted from 0000-03-01 in
        // 400-year eras (Howard Hinnant's `civil_from_days`); in i64 nothing here can overflow.
        let from_march = days + 719_468;
        let era = from_march.div_euclid(146_097);
        let day_of_era = from_march.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        };
        Self {
            year: year_of_era + era * 400 + i64::from(month <= 2),
            month,
            day: day_of_year - (153 * month_from_march + 2) / 5 + 1,
            hour: seconds / 3_600,
            minute: seconds % 3_600 / 60,
        }
    }

    /// `2027-03-01`: ten characters for years 0 to 9999, more outside them.
    pub fn date(&self) -> String {
        let year = match self.year {
            0..=9999 => format!("{:04}", self.year),
            10_000.. => format!("+{}", self.year),
            _ => format!("-{:04}", self.year.unsigned_abs()),
        };
        format!("{year}-{:02}-{:02}", self.month, self.day)
    }

    /// `2027-03-01 12:00`.
    pub fn minute(&self) -> String {
        format!("{} {}", self.date(), self.clock())
    }

    /// `12:00`.
    pub fn clock(&self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
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

    /// Unix seconds of a UTC date and time, for readable expectations.
    fn utc(year: i32, month: u8, day: u8, hour: u8, minute: u8) -> i64 {
        let month = Month::try_from(month).expect("month");
        let date = Date::from_calendar_date(year, month, day).expect("date");
        let time = Time::from_hms(hour, minute, 0).expect("time");
        PrimitiveDateTime::new(date, time)
            .assume_utc()
            .unix_timestamp()
    }

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
    fn months_and_years_are_calendar_ones_with_the_day_clamped() {
        let jan_31 = utc(2027, 1, 31, 9, 30);
        let from = |text: &str, now: i64| parse_when(text, now).expect(text);
        assert_eq!(from("+1m", jan_31), When::At(utc(2027, 2, 28, 9, 30)));
        assert_eq!(
            from("+1m", utc(2028, 1, 31, 9, 30)),
            When::At(utc(2028, 2, 29, 9, 30)),
            "a leap year's February"
        );
        assert_eq!(from("+6m", jan_31), When::At(utc(2027, 7, 31, 9, 30)));
        assert_eq!(from("+11m", jan_31), When::At(utc(2027, 12, 31, 9, 30)));
        assert_eq!(from("+13m", jan_31), When::At(utc(2028, 2, 29, 9, 30)));
        assert_eq!(from("+1y", jan_31), When::At(utc(2028, 1, 31, 9, 30)));
        assert_eq!(
            from("+1y", utc(2028, 2, 29, 0, 0)),
            When::At(utc(2029, 2, 28, 0, 0)),
            "February 29 a year on"
        );
        assert_eq!(from("+12m", jan_31), from("+1y", jan_31));
    }

    #[test]
    fn dates_past_9999_are_refused_whatever_the_form() {
        assert_eq!(
            parse_when("9999-12-31T23:59:59Z", NOW),
            Ok(When::At(LATEST))
        );
        assert_eq!(
            parse_when("+1m", utc(9999, 11, 30, 23, 59)),
            Ok(When::At(utc(9999, 12, 30, 23, 59)))
        );
        for late in [
            "+99999999d",
            "+99999999999999w",
            "+9999999999999999999999h",
            "+7973y",
            "+95678m",
            "+9223372036854775807y",
            "+99999999999999999999m",
        ] {
            let error = parse_when(late, NOW).expect_err(late);
            assert_eq!(
                error,
                WhenError::TooLate {
                    input: late.to_owned()
                }
            );
            assert_eq!(
                error.to_string(),
                format!("{late:?} is after 9999-12-31T23:59:59Z, the latest date accepted")
            );
        }
        let past_the_end = "9999-12-31T23:59:59-00:01";
        assert!(
            matches!(
                parse_when(past_the_end, NOW),
                Err(WhenError::TooLate { .. })
            ),
            "an offset that carries it past the end"
        );
        assert!(parse_when("+7972y", NOW).is_ok(), "year 9999 itself");
    }

    #[test]
    fn dates_before_1970_are_refused() {
        assert_eq!(parse_when("1970-01-01", NOW), Ok(When::At(EARLIEST)));
        for early in ["1969-12-31", "0227-03-01", "1970-01-01T00:00:00+00:01"] {
            let error = parse_when(early, NOW).expect_err(early);
            assert!(matches!(error, WhenError::TooEarly { .. }), "{early}");
            assert!(error.to_string().contains("before 1970-01-01"), "{error}");
        }
    }

    #[test]
    fn bad_input_says_what_is_accepted() {
        for bad in [
            "",
            "+",
            "+d",
            "+0d",
            "+00m",
            "+-3d",
            "+5x",
            "+5M",
            "tomorrow",
            "2027-13-01",
            "+5é",
            "+é",
            "++5d",
            "+ 5d",
        ] {
            let error = parse_when(bad, NOW).expect_err(bad).to_string();
            assert!(
                error.contains("+90d") && error.contains("+1y") && error.contains("never"),
                "{error}"
            );
        }
    }

    #[test]
    fn long_input_is_cut_in_the_message() {
        let pasted = "x".repeat(10_000);
        let error = parse_when(&pasted, NOW)
            .expect_err("not a date")
            .to_string();
        assert!(error.len() < 300, "{error}");
        assert!(error.contains("…"), "{error}");
    }

    #[test]
    fn only_an_expiry_at_or_before_now_is_past() {
        let warning = past_warning(When::At(NOW - 60), NOW).expect("past");
        assert!(
            warning.starts_with(&format_utc(NOW - 60)) && warning.contains("already past"),
            "{warning}"
        );
        assert!(past_warning(When::At(NOW), NOW).is_some(), "expired at now");
        assert_eq!(past_warning(When::At(NOW + 1), NOW), None);
        assert_eq!(past_warning(When::Never, NOW), None);
    }

    #[test]
    fn formats_back_as_utc() {
        assert_eq!(
            format_utc(1_803_859_200 + 12 * 3_600),
            "2027-03-01 12:00 UTC"
        );
    }

    #[test]
    fn every_integer_is_a_date() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(-1), "1969-12-31 23:59 UTC");
        assert_eq!(format_utc(LATEST), "9999-12-31 23:59 UTC");
        assert_eq!(format_utc(LATEST + 1), "+10000-01-01 00:00 UTC");
        assert_eq!(format_utc(-62_167_219_200), "0000-01-01 00:00 UTC");
        assert_eq!(format_utc(-62_167_219_201), "-0001-12-31 23:59 UTC");
        assert_eq!(format_utc(i64::MAX), "+292277026596-12-04 15:30 UTC");
        assert_eq!(format_utc(i64::MIN), "-292277022657-01-27 08:29 UTC");
        assert_eq!(Utc::of(1_803_859_200 + 12 * 3_600 + 5).date(), "2027-03-01");
        assert_eq!(Utc::of(-1).clock(), "23:59");
    }

    #[test]
    fn dates_are_the_ones_time_gives_wherever_it_has_them() {
        let format = format_description!("[year]-[month]-[day] [hour]:[minute]");
        let first = OffsetDateTime::new_utc(Date::MIN, Time::MIDNIGHT).unix_timestamp();
        let last = OffsetDateTime::new_utc(Date::MAX, Time::MIDNIGHT).unix_timestamp();
        // Every day from year -9999 to 9999, leap days and centuries included, each at another
        // time of day; the text itself on every thousandth.
        for (index, day) in (first..=last).step_by(86_400).enumerate() {
            let unix = day + (index as i64 * 7_919) % 86_400;
            let at = OffsetDateTime::from_unix_timestamp(unix).expect("in range");
            let shown = Utc::of(unix);
            let fields = (
                at.year(),
                u8::from(at.month()),
                at.day(),
                at.hour(),
                at.minute(),
            );
            assert_eq!(
                (shown.year, shown.month, shown.day, shown.hour, shown.minute),
                (
                    i64::from(fields.0),
                    i64::from(fields.1),
                    i64::from(fields.2),
                    i64::from(fields.3),
                    i64::from(fields.4)
                ),
                "{unix}"
            );
            if index % 1_000 == 0 {
                assert_eq!(
                    shown.minute(),
                    at.format(&format).expect("formats"),
                    "{unix}"
                );
            }
        }
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
