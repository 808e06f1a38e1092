//! Durations and cadences (`3w`, `2mo`, `quarterly`, `never`): parsing and calendar arithmetic.
//! Pure: no clock, no I/O.

use std::fmt;
use std::str::FromStr;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar duration. Months and years are calendar units that clamp to the month's end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Duration {
    Days(u32),
    Weeks(u32),
    Months(u32),
    Years(u32),
}

impl Duration {
    /// `date + self`, or `None` if the result is outside chrono's range.
    pub fn after(self, date: NaiveDate) -> Option<NaiveDate> {
        match self {
            Duration::Days(n) => date.checked_add_days(Days::new(n.into())),
            Duration::Weeks(n) => date.checked_add_days(Days::new(u64::from(n) * 7)),
            Duration::Months(n) => date.checked_add_months(Months::new(n)),
            Duration::Years(n) => date.checked_add_months(Months::new(n.checked_mul(12)?)),
        }
    }

    /// `date - self`, or `None` if the result is outside chrono's range.
    pub fn before(self, date: NaiveDate) -> Option<NaiveDate> {
        match self {
            Duration::Days(n) => date.checked_sub_days(Days::new(n.into())),
            Duration::Weeks(n) => date.checked_sub_days(Days::new(u64::from(n) * 7)),
            Duration::Months(n) => date.checked_sub_months(Months::new(n)),
            Duration::Years(n) => date.checked_sub_months(Months::new(n.checked_mul(12)?)),
        }
    }
}

impl Duration {
    /// The length in days, months and years taken at their average (30.44 and 365.25 days):
    /// only for comparing two durations, never for a date.
    fn approx_days(self) -> u64 {
        match self {
            Duration::Days(n) => n.into(),
            Duration::Weeks(n) => u64::from(n) * 7,
            Duration::Months(n) => u64::from(n) * 3044 / 100,
            Duration::Years(n) => u64::from(n) * 36525 / 100,
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Duration::Days(n) => write!(f, "{n}d"),
            Duration::Weeks(n) => write!(f, "{n}w"),
            Duration::Months(n) => write!(f, "{n}mo"),
            Duration::Years(n) => write!(f, "{n}y"),
        }
    }
}

/// The longest duration accepted: a cadence beyond a lifetime is a typo, and a date that far
/// ahead would fall outside the calendar and silently mean "never".
const MAX_DAYS: u64 = 36_525;

/// A duration that cannot be read, with the text as written and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration \"{value}\": {}", reason.expected())]
pub struct DurationError {
    pub value: String,
    pub reason: Reason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Not a duration at all.
    Form,
    Zero,
    Negative,
    /// Over 100 years.
    TooLong,
    /// A window (`3w-6w`) whose end is not later than its start.
    Window,
}

impl Reason {
    /// What was expected, in the user's words.
    pub fn expected(self) -> &'static str {
        match self {
            Reason::Form => {
                "expected a number with d, w, mo or y (3w, 2mo), a number of days (30), or a word such as weekly, monthly or quarterly"
            }
            Reason::Zero => "a duration must be at least 1 day",
            Reason::Negative => "a duration cannot be negative",
            Reason::TooLong => "over 100 years",
            Reason::Window => "a window's end must be later than its start, as in 3w-6w",
        }
    }
}

impl FromStr for Duration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason| DurationError {
            value: s.to_string(),
            reason,
        };
        let t = s.trim().to_ascii_lowercase();
        let word = match t.as_str() {
            "daily" => Some(Duration::Days(1)),
            "weekly" => Some(Duration::Weeks(1)),
            "biweekly" | "fortnightly" => Some(Duration::Weeks(2)),
            "monthly" => Some(Duration::Months(1)),
            "bimonthly" => Some(Duration::Months(2)),
            "quarterly" => Some(Duration::Months(3)),
            "semiannually" | "twice-yearly" => Some(Duration::Months(6)),
            "yearly" | "annually" => Some(Duration::Years(1)),
            _ => None,
        };
        if let Some(d) = word {
            return Ok(d);
        }
        let (negative, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, t.strip_prefix('+').unwrap_or(&t)),
        };
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        let (num, unit) = t.split_at(digits);
        let unit_days: u64 = match unit.trim_start() {
            // Other tools write a plain number of days.
            "d" | "" => 1,
            "w" => 7,
            "mo" => 31,
            "y" => 366,
            _ => return Err(err(Reason::Form)),
        };
        if num.is_empty() {
            return Err(err(Reason::Form));
        }
        if negative {
            return Err(err(Reason::Negative));
        }
        // A number too long for u64 is far over the limit too.
        let n: u64 = num.parse().unwrap_or(u64::MAX);
        if n == 0 {
            return Err(err(Reason::Zero));
        }
        // Months and years are capped at exactly 100 years, days and weeks at 36,525 days.
        let too_long = match unit.trim_start() {
            "mo" => n > 1_200,
            "y" => n > 100,
            _ => n.saturating_mul(unit_days) > MAX_DAYS,
        };
        if too_long {
            return Err(err(Reason::TooLong));
        }
        // Within the limits, so it fits in u32.
        let n = u32::try_from(n).map_err(|_| err(Reason::TooLong))?;
        Ok(match unit.trim_start() {
            "w" => Duration::Weeks(n),
            "mo" => Duration::Months(n),
            "y" => Duration::Years(n),
            _ => Duration::Days(n),
        })
    }
}

/// Reads text (`"3w"`) and, from TOML, a bare number of days (`horizon = 30`). It asks for a
/// string, not for any value, so that formats that do not describe themselves (the parse cache's
/// postcard) still read it back; TOML hands over a number all the same.
struct DurationVisitor;

impl serde::de::Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration such as 3w, 2mo or 30")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Duration, E> {
        v.parse().map_err(E::custom)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Duration, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Duration, E> {
        self.visit_str(&v.to_string())
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(DurationVisitor)
    }
}

/// How often to follow up with a contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cadence {
    Every(Duration),
    /// `3w-6w`: due after the first duration, late after the second (SPEC section 9).
    Window(Duration, Duration),
    Never,
}

impl Cadence {
    /// The interval after which a follow-up is due, or `None` for `never`.
    pub fn interval(self) -> Option<Duration> {
        match self {
            Cadence::Every(d) | Cadence::Window(d, _) => Some(d),
            Cadence::Never => None,
        }
    }

    /// For a window, the interval after which a follow-up is late.
    pub fn late_after(self) -> Option<Duration> {
        match self {
            Cadence::Window(_, late) => Some(late),
            _ => None,
        }
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cadence::Every(d) => d.fmt(f),
            Cadence::Window(from, to) => write!(f, "{from}-{to}"),
            Cadence::Never => f.write_str("never"),
        }
    }
}

impl FromStr for Cadence {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("never") {
            return Ok(Cadence::Never);
        }
        // `3w-6w`; a leading `-` is a negative duration, and `twice-yearly` is one word.
        if let Some((from, to)) = t.get(1..).and_then(|rest| rest.split_once('-'))
            && !t.eq_ignore_ascii_case("twice-yearly")
        {
            let from: Duration = format!("{}{from}", &t[..1]).parse()?;
            let to: Duration = to.parse()?;
            if to.approx_days() <= from.approx_days() {
                return Err(DurationError {
                    value: s.to_string(),
                    reason: Reason::Window,
                });
            }
            return Ok(Cadence::Window(from, to));
        }
        t.parse().map(Cadence::Every)
    }
}

/// Written as the user would write it (`3w`, `never`), so it reads back with `FromStr`.
impl Serialize for Cadence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cadence {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CadenceVisitor;
        impl serde::de::Visitor<'_> for CadenceVisitor {
            type Value = Cadence;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as 3w, 2mo or 30, or never")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Cadence, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Cadence, E> {
                DurationVisitor.visit_i64(v).map(Cadence::Every)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Cadence, E> {
                DurationVisitor.visit_u64(v).map(Cadence::Every)
            }
        }
        d.deserialize_str(CadenceVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn parses_durations() {
        let cases = [
            ("3d", Some(Duration::Days(3))),
            ("2w", Some(Duration::Weeks(2))),
            ("6mo", Some(Duration::Months(6))),
            ("1y", Some(Duration::Years(1))),
            (" 10D ", Some(Duration::Days(10))),
            ("weekly", Some(Duration::Weeks(1))),
            ("biweekly", Some(Duration::Weeks(2))),
            ("monthly", Some(Duration::Months(1))),
            ("quarterly", Some(Duration::Months(3))),
            ("yearly", Some(Duration::Years(1))),
            ("Monthly", Some(Duration::Months(1))),
            ("30", Some(Duration::Days(30))),
            ("daily", Some(Duration::Days(1))),
            ("fortnightly", Some(Duration::Weeks(2))),
            ("bimonthly", Some(Duration::Months(2))),
            ("semiannually", Some(Duration::Months(6))),
            ("Twice-Yearly", Some(Duration::Months(6))),
            ("annually", Some(Duration::Years(1))),
            ("100y", Some(Duration::Years(100))),
            ("1200mo", Some(Duration::Months(1200))),
            ("5217w", Some(Duration::Weeks(5217))),
            ("36525d", Some(Duration::Days(36525))),
            ("36525", Some(Duration::Days(36525))),
        ];
        for (input, want) in cases {
            assert_eq!(input.parse::<Duration>().ok(), want, "input {input:?}");
        }
    }

    #[test]
    fn rejects_zero_negative_and_absurd_durations_naming_the_value() {
        let cases = [
            ("0d", Reason::Zero),
            ("0", Reason::Zero),
            ("0y", Reason::Zero),
            ("-3d", Reason::Negative),
            ("-1", Reason::Negative),
            ("999999y", Reason::TooLong),
            ("101y", Reason::TooLong),
            ("1201mo", Reason::TooLong),
            ("2147483648mo", Reason::TooLong),
            ("5218w", Reason::TooLong),
            ("36526d", Reason::TooLong),
            ("99999999999999999999999d", Reason::TooLong),
            ("3m", Reason::Form),
            ("w", Reason::Form),
            ("3 weeks", Reason::Form),
            ("", Reason::Form),
            ("-", Reason::Form),
            ("3.5w", Reason::Form),
        ];
        for (input, reason) in cases {
            let e = input.parse::<Duration>().unwrap_err();
            assert_eq!(e.reason, reason, "input {input:?}");
            assert!(e.to_string().contains(&format!("\"{input}\"")), "{e}");
        }
    }

    #[test]
    fn cadences_read_back_from_the_cache_format() {
        for c in [
            Cadence::Never,
            Cadence::Every(Duration::Months(2)),
            Cadence::Window(Duration::Weeks(3), Duration::Weeks(6)),
        ] {
            let bytes = postcard::to_allocvec(&c).unwrap();
            assert_eq!(postcard::from_bytes::<Cadence>(&bytes).unwrap(), c);
        }
    }

    #[test]
    fn reads_bare_numbers_of_days_from_toml() {
        #[derive(Deserialize)]
        struct T {
            d: Duration,
            c: Cadence,
        }
        let t: T = toml::from_str("d = 30\nc = 14").unwrap();
        assert_eq!(
            (t.d, t.c),
            (Duration::Days(30), Cadence::Every(Duration::Days(14)))
        );
        let e = toml::from_str::<T>("d = -3\nc = 1").err().unwrap();
        assert!(e.to_string().contains("cannot be negative"), "{e}");
        let e = toml::from_str::<T>("d = 3\nc = \"999999y\"").err().unwrap();
        assert!(e.to_string().contains("over 100 years"), "{e}");
    }

    #[test]
    fn parses_cadences() {
        assert_eq!("never".parse::<Cadence>(), Ok(Cadence::Never));
        assert_eq!("NEVER".parse::<Cadence>(), Ok(Cadence::Never));
        assert_eq!(
            "3w".parse::<Cadence>(),
            Ok(Cadence::Every(Duration::Weeks(3)))
        );
        assert!("sometimes".parse::<Cadence>().is_err());
        let windows = [
            (
                "3w-6w",
                Ok(Cadence::Window(Duration::Weeks(3), Duration::Weeks(6))),
            ),
            (
                " 1mo-10w ",
                Ok(Cadence::Window(Duration::Months(1), Duration::Weeks(10))),
            ),
            (
                "10d-2w",
                Ok(Cadence::Window(Duration::Days(10), Duration::Weeks(2))),
            ),
            ("twice-yearly", Ok(Cadence::Every(Duration::Months(6)))),
            ("6w-3w", Err(Reason::Window)),
            ("5w-1mo", Err(Reason::Window)),
            ("3w-3w", Err(Reason::Window)),
            // bare numbers of days, words, upper case, spaces around the dash
            (
                "30-60",
                Ok(Cadence::Window(Duration::Days(30), Duration::Days(60))),
            ),
            (
                "weekly-monthly",
                Ok(Cadence::Window(Duration::Weeks(1), Duration::Months(1))),
            ),
            (
                "3W-6W",
                Ok(Cadence::Window(Duration::Weeks(3), Duration::Weeks(6))),
            ),
            (
                "3w - 6w",
                Ok(Cadence::Window(Duration::Weeks(3), Duration::Weeks(6))),
            ),
            // a month is longer than 4 weeks, shorter than 31 days
            ("1mo-4w", Err(Reason::Window)),
            (
                "4w-1mo",
                Ok(Cadence::Window(Duration::Weeks(4), Duration::Months(1))),
            ),
            (
                "1mo-31d",
                Ok(Cadence::Window(Duration::Months(1), Duration::Days(31))),
            ),
            ("3w-6w-9w", Err(Reason::Form)),
            ("-", Err(Reason::Form)),
            ("never-3w", Err(Reason::Form)),
            ("3w-", Err(Reason::Form)),
            ("3w-x", Err(Reason::Form)),
            ("-3w-6w", Err(Reason::Negative)),
            ("3w--6w", Err(Reason::Negative)),
            ("0d-6w", Err(Reason::Zero)),
        ];
        for (input, want) in windows {
            let got = input.parse::<Cadence>().map_err(|e| e.reason);
            assert_eq!(got, want, "{input:?}");
        }
        let c: Cadence = "3w-6w".parse().unwrap();
        assert_eq!(c.to_string().parse::<Cadence>(), Ok(c));
        assert_eq!(c.interval(), Some(Duration::Weeks(3)));
        assert_eq!(c.late_after(), Some(Duration::Weeks(6)));
    }

    #[test]
    fn adds_calendar_units_with_month_end_clamping() {
        let cases = [
            ("2026-01-31", "1mo", "2026-02-28"),
            ("2028-01-31", "1mo", "2028-02-29"),
            ("2026-03-31", "1mo", "2026-04-30"),
            ("2026-08-31", "6mo", "2027-02-28"),
            ("2028-02-29", "1y", "2029-02-28"),
            ("2026-12-25", "2w", "2027-01-08"),
            ("2026-11-24", "7d", "2026-12-01"),
            ("2026-11-30", "quarterly", "2027-02-28"),
        ];
        for (start, dur, want) in cases {
            let d: Duration = dur.parse().unwrap();
            assert_eq!(d.after(date(start)), Some(date(want)), "{start} + {dur}");
        }
        let back = [
            ("2026-03-31", "1mo", "2026-02-28"),
            ("2026-12-15", "7d", "2026-12-08"),
            ("2026-12-15", "2w", "2026-12-01"),
            ("2028-02-29", "1y", "2027-02-28"),
        ];
        for (start, dur, want) in back {
            let d: Duration = dur.parse().unwrap();
            assert_eq!(d.before(date(start)), Some(date(want)), "{start} - {dur}");
        }
    }

    #[test]
    fn displays_round_trip() {
        for s in ["3d", "2w", "6mo", "1y"] {
            assert_eq!(s.parse::<Duration>().unwrap().to_string(), s);
        }
    }
}
