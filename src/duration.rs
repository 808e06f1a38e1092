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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid duration \"{0}\": expected a number with d, w, mo or y (3w, 2mo), or weekly, biweekly, monthly, quarterly, yearly"
)]
pub struct DurationError(pub String);

impl FromStr for Duration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        let word = match t.as_str() {
            "daily" => Some(Duration::Days(1)),
            "weekly" => Some(Duration::Weeks(1)),
            "biweekly" | "fortnightly" => Some(Duration::Weeks(2)),
            "monthly" => Some(Duration::Months(1)),
            "quarterly" => Some(Duration::Months(3)),
            "yearly" | "annually" => Some(Duration::Years(1)),
            _ => None,
        };
        if let Some(d) = word {
            return Ok(d);
        }
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        let (num, unit) = t.split_at(digits);
        let n: u32 = num.parse().map_err(|_| DurationError(s.to_string()))?;
        if n == 0 {
            return Err(DurationError(s.to_string()));
        }
        match unit.trim_start() {
            "d" => Ok(Duration::Days(n)),
            "w" => Ok(Duration::Weeks(n)),
            "mo" => Ok(Duration::Months(n)),
            "y" => Ok(Duration::Years(n)),
            _ => Err(DurationError(s.to_string())),
        }
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How often to follow up with a contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cadence {
    Every(Duration),
    Never,
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cadence::Every(d) => d.fmt(f),
            Cadence::Never => f.write_str("never"),
        }
    }
}

impl FromStr for Cadence {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("never") {
            Ok(Cadence::Never)
        } else {
            s.parse().map(Cadence::Every)
        }
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
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
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
            ("0d", None),
            ("3", None),
            ("3m", None),
            ("w", None),
            ("-3d", None),
            ("3 weeks", None),
            ("", None),
            ("99999999999d", None),
        ];
        for (input, want) in cases {
            assert_eq!(input.parse::<Duration>().ok(), want, "input {input:?}");
        }
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
    }

    #[test]
    fn displays_round_trip() {
        for s in ["3d", "2w", "6mo", "1y"] {
            assert_eq!(s.parse::<Duration>().unwrap().to_string(), s);
        }
    }
}
