//! Dates as people type them on the command line (SPEC 8): `2026-12-01`, `today`, `yesterday`,
//! `tomorrow`, a weekday (`fri`, `friday`: the next one after today; `last fri`: the one before),
//! `+3d`, `+2w`, `+1mo`, `+1y`, `in 3 days`, `in 2 weeks`. What is written to a file is always the
//! resolved `YYYY-MM-DD`. Pure: `today` is a parameter.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// The date at the start of `text`, resolved against `today`, and the rest of the text (its
/// leading white space trimmed). `None` when the text does not start with a date.
pub fn date_prefix(text: &str, today: NaiveDate) -> Option<(NaiveDate, &str)> {
    let text = text.trim_start();
    let words: Vec<&str> = text.split_whitespace().take(3).collect();
    let rest_after = |n: usize| {
        let mut rest = text;
        for _ in 0..n {
            rest = rest.trim_start();
            rest = &rest[rest.find(char::is_whitespace).unwrap_or(rest.len())..];
        }
        rest.trim_start()
    };
    let first = words.first()?.to_lowercase();
    // `YYYY-MM-DD`, exactly (a time may follow after a space or a `T`).
    if let Some(date) = text
        .get(..10)
        .filter(|d| d.len() == 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-')
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    {
        let rest = &text[10..];
        if rest.is_empty() || rest.starts_with([' ', '\t', 'T']) {
            return Some((date, rest.trim_start()));
        }
        return None;
    }
    let one = match first.as_str() {
        "today" => Some(today),
        "yesterday" => today.checked_sub_days(Days::new(1)),
        "tomorrow" => today.checked_add_days(Days::new(1)),
        w => {
            if let Some(day) = weekday(w) {
                Some(next_weekday(today, day))
            } else if let Some(offset) = w.strip_prefix('+') {
                add(today, offset)
            } else {
                None
            }
        }
    };
    if let Some(date) = one {
        return Some((date, rest_after(1)));
    }
    match (first.as_str(), words.get(1), words.get(2)) {
        ("last", Some(w), _) => {
            let day = weekday(&w.to_lowercase())?;
            Some((last_weekday(today, day), rest_after(2)))
        }
        ("in", Some(n), Some(unit)) => {
            let n: u32 = n.parse().ok()?;
            let unit = match unit.to_lowercase().trim_end_matches('s') {
                "day" => "d",
                "week" => "w",
                "month" => "mo",
                "year" => "y",
                _ => return None,
            };
            Some((add(today, &format!("{n}{unit}"))?, rest_after(3)))
        }
        _ => None,
    }
}

/// One date, and nothing after it.
pub fn date(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    match date_prefix(text, today)? {
        (date, "") => Some(date),
        _ => None,
    }
}

/// The forms a typed date may take, for error messages.
pub const FORMS: &str =
    "YYYY-MM-DD, today, yesterday, tomorrow, a weekday (fri, last fri), +3d, +2w, +1mo, in 2 weeks";

fn weekday(word: &str) -> Option<Weekday> {
    let word = word.trim_end_matches('.');
    let days = [
        (Weekday::Mon, "monday"),
        (Weekday::Tue, "tuesday"),
        (Weekday::Wed, "wednesday"),
        (Weekday::Thu, "thursday"),
        (Weekday::Fri, "friday"),
        (Weekday::Sat, "saturday"),
        (Weekday::Sun, "sunday"),
    ];
    days.iter()
        .find(|(_, name)| word.len() >= 3 && name.starts_with(word))
        .map(|(day, _)| *day)
}

/// The first `day` after `today` (a week on, when today is that day).
fn next_weekday(today: NaiveDate, day: Weekday) -> NaiveDate {
    let ahead = (day.num_days_from_monday() + 7 - today.weekday().num_days_from_monday()) % 7;
    today + Days::new(u64::from(if ahead == 0 { 7 } else { ahead }))
}

/// The last `day` before `today`.
fn last_weekday(today: NaiveDate, day: Weekday) -> NaiveDate {
    let back = (today.weekday().num_days_from_monday() + 7 - day.num_days_from_monday()) % 7;
    today - Days::new(u64::from(if back == 0 { 7 } else { back }))
}

/// `today` plus `3d`, `2w`, `1mo` or `1y` (months clamp to the month's end).
fn add(today: NaiveDate, offset: &str) -> Option<NaiveDate> {
    let split = offset.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = offset.split_at(split);
    let n: u32 = n.parse().ok()?;
    match unit {
        "d" => today.checked_add_days(Days::new(u64::from(n))),
        "w" => today.checked_add_days(Days::new(u64::from(n) * 7)),
        "mo" => today.checked_add_months(Months::new(n)),
        "y" => today.checked_add_months(Months::new(n.checked_mul(12)?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_dates() {
        // Tuesday 24 November 2026.
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let cases = [
            ("2026-12-01", Some(("2026-12-01", ""))),
            (
                "2026-12-01 10:00 call - demo",
                Some(("2026-12-01", "10:00 call - demo")),
            ),
            ("2026-12-01T10:00", Some(("2026-12-01", "T10:00"))),
            ("today", Some(("2026-11-24", ""))),
            ("Yesterday", Some(("2026-11-23", ""))),
            (
                "tomorrow email - send it",
                Some(("2026-11-25", "email - send it")),
            ),
            ("fri", Some(("2026-11-27", ""))),
            ("friday call", Some(("2026-11-27", "call"))),
            ("tue", Some(("2026-12-01", ""))),
            ("last fri", Some(("2026-11-20", ""))),
            ("last tuesday lunch", Some(("2026-11-17", "lunch"))),
            ("+3d", Some(("2026-11-27", ""))),
            ("+2w call", Some(("2026-12-08", "call"))),
            ("+1mo", Some(("2026-12-24", ""))),
            ("+1y", Some(("2027-11-24", ""))),
            ("in 3 days", Some(("2026-11-27", ""))),
            ("in 2 weeks email", Some(("2026-12-08", "email"))),
            ("in 1 month", Some(("2026-12-24", ""))),
            ("2026-5-1", None),
            ("2026-02-30", None),
            ("soon", None),
            ("fr", None),
            ("+3x", None),
            ("in a week", None),
            ("", None),
        ];
        for (text, want) in cases {
            let got = date_prefix(text, today).map(|(d, rest)| (d.to_string(), rest.to_string()));
            let want = want.map(|(d, rest)| (d.to_string(), rest.to_string()));
            assert_eq!(got, want, "{text:?}");
        }
        let jan31 = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        assert_eq!(date("+1mo", jan31), NaiveDate::from_ymd_opt(2026, 2, 28));
        assert_eq!(date("fri x", today), None, "nothing may follow a lone date");
    }
}
