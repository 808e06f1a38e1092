//! Contacts + today + config -> agenda: due dates, buckets, reasons, yearly dates. Pure: `today`
//! is a parameter, nothing is read or printed.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use crate::config::Config;
use crate::duration::Cadence;
use crate::model::{Channel, Contact, NextStep, Touch, Yearly};
use crate::problem::{self, Kind, Problem};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bucket {
    Overdue,
    Today,
    Upcoming,
}

impl Bucket {
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Overdue => "overdue",
            Bucket::Today => "today",
            Bucket::Upcoming => "upcoming",
        }
    }
}

/// Why a contact is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// A pending next step.
    Next,
    /// The first follow-up after `met`.
    Met,
    /// No touch at all yet.
    New,
    /// The cadence since the last touch.
    Cadence,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Next => "next",
            Reason::Met => "met",
            Reason::New => "new",
            Reason::Cadence => "cadence",
        }
    }
}

/// Everything the rules say about one contact, due or not. It borrows from the contact: the
/// agenda copies only what it lists.
#[derive(Clone, Debug)]
pub struct Status<'a> {
    /// Touches so far: past and present headings, plus `met` when it counts as touch 1.
    pub touches: usize,
    pub last: Option<Cow<'a, Touch>>,
    /// The pending next step, if any.
    pub next: Option<&'a NextStep>,
    pub cadence: Cadence,
    /// `None` when the contact is not scheduled (cadence `never`, no pending next step).
    pub due: Option<NaiveDate>,
    pub reason: Reason,
    /// True when `snooze` moved the due date.
    pub snoozed: bool,
    pub suggest: Channel,
}

const ROTATION: [Channel; 5] = [
    Channel::Call,
    Channel::Email,
    Channel::Meeting,
    Channel::Card,
    Channel::Social,
];

/// The `met` entry as a touch, when it counts: on or before today and earlier than every
/// heading that is.
fn met_touch(c: &Contact, past: &[Touch], today: NaiveDate) -> Option<Touch> {
    let (met, text) = c.met.as_ref()?;
    if *met > today || past.first().is_some_and(|t| t.date <= *met) {
        return None;
    }
    Some(Touch {
        date: *met,
        time: None,
        channel: Channel::Meeting,
        word: "met".into(),
        text: text.clone(),
        line: 0,
        next: None,
        is_met: true,
    })
}

/// The headings dated up to `today`: a prefix, since touches are sorted by date.
fn past_touches(c: &Contact, today: NaiveDate) -> &[Touch] {
    let n = c.touches.partition_point(|t| t.date <= today);
    &c.touches[..n]
}

/// Every touch that counts, oldest first: `met` (when it counts) and the headings up to today.
pub fn timeline(c: &Contact, today: NaiveDate) -> Vec<Touch> {
    let past = past_touches(c, today);
    met_touch(c, past, today)
        .into_iter()
        .chain(past.iter().cloned())
        .collect()
}

/// Apply the due rules (SPEC section 5) to one contact.
pub fn status<'a>(c: &'a Contact, today: NaiveDate, config: &Config) -> Status<'a> {
    let past = past_touches(c, today);
    let met = met_touch(c, past, today);
    let touches = past.len() + usize::from(met.is_some());
    let last = past.last().or(met.as_ref());
    // SPEC 5.2: the front matter's `next` if it is pending (later than the last touch), else
    // the latest `Next:` line if it is pending and no later touch went through the channel it
    // promised. So a stale `next:` never hides a newer `Next:` line.
    let pending = |n: &&'a NextStep| last.is_none_or(|l| n.date > l.date);
    let next = c.next.as_ref().filter(pending).or_else(|| {
        // Only the few touches with a `Next:` line are visited (see `Contact::with_next`).
        let i = *c.with_next.iter().rev().find(|&&i| i < past.len())?;
        let holder = &c.touches[i];
        let line = holder.next.as_ref()?;
        let settled = line.channel.is_some_and(|promised| {
            past.iter()
                .any(|t| t.date > holder.date && t.channel == promised)
        });
        Some(line).filter(|_| !settled).filter(pending)
    });
    let cadence = c.cadence.unwrap_or_else(|| config.stage_cadence(&c.stage));
    let (due, reason) = match (&next, last) {
        (Some(n), _) => (Some(n.date), Reason::Next),
        (None, None) => (Some(today), Reason::New),
        (None, Some(l)) if l.is_met => (config.first_follow_up.after(l.date), Reason::Met),
        (None, Some(l)) => match cadence {
            Cadence::Every(d) => (d.after(l.date), Reason::Cadence),
            Cadence::Never => (None, Reason::Cadence),
        },
    };
    let snoozed = matches!((due, c.snooze), (Some(d), Some(s)) if s > d);
    let due = if snoozed { c.snooze } else { due };
    let recent: Vec<Channel> = past
        .iter()
        .rev()
        .chain(met.iter())
        .take(2)
        .map(|t| t.channel)
        .collect();
    let suggest = suggest(next, &recent);
    let last = match (past.last(), met) {
        (Some(t), _) => Some(Cow::Borrowed(t)),
        (None, met) => met.map(Cow::Owned),
    };
    Status {
        touches,
        last,
        next,
        cadence,
        due,
        reason,
        snoozed,
        suggest,
    }
}

/// The promised channel, else the first rotation channel not used in the last two touches
/// (`recent`, newest first).
fn suggest(next: Option<&NextStep>, recent: &[Channel]) -> Channel {
    if let Some(ch) = next.and_then(|n| n.channel) {
        return ch;
    }
    ROTATION
        .into_iter()
        .find(|ch| !recent.contains(ch))
        .unwrap_or(Channel::Call)
}

/// One follow-up in the agenda.
#[derive(Clone, Debug)]
pub struct Item {
    pub name: String,
    /// The name in lower case, for sorting (computed once per contact and date).
    pub sort_name: String,
    pub path: String,
    pub company: Option<String>,
    pub stage: String,
    pub due: NaiveDate,
    pub bucket: Bucket,
    pub reason: Reason,
    pub days_overdue: i64,
    /// Touches so far (`met` included); this follow-up is touch number `touches + 1`.
    pub touches: usize,
    pub last_touch: Option<Touch>,
    pub next: Option<NextStep>,
    pub cadence: Cadence,
    pub snoozed: bool,
    pub suggest: Channel,
    /// The item's DUE.md line and the link style it was made with, filled in by the renderer
    /// the first time (the line depends only on the item and the link style).
    pub rendered: std::sync::OnceLock<(crate::config::LinkStyle, String)>,
}

/// A yearly date coming up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateItem {
    pub name: String,
    pub path: String,
    pub label: String,
    pub date: NaiveDate,
    pub in_days: i64,
    /// Years since the original date, when its year is known.
    pub years: Option<i32>,
}

#[derive(Clone, Debug)]
pub struct Agenda {
    pub today: NaiveDate,
    pub items: Vec<Arc<Item>>,
    pub dates: Vec<DateItem>,
    pub problems: Vec<Problem>,
    /// How many contacts were read.
    pub contacts: usize,
}

impl Agenda {
    pub fn count(&self, bucket: Bucket) -> usize {
        self.items.iter().filter(|i| i.bucket == bucket).count()
    }
}

/// What one contact puts in the agenda for one date: its follow-up (if due within the
/// horizon), its yearly dates, and its future-dated touches as problems. Watch keeps these per
/// file and recomputes them only when the file or the date changes.
#[derive(Clone, Debug, Default)]
pub struct Entries {
    pub item: Option<Arc<Item>>,
    pub dates: Vec<DateItem>,
    pub problems: Vec<Problem>,
}

/// The agenda entries of one contact. Pure.
pub fn entries(c: &Contact, today: NaiveDate, config: &Config) -> Entries {
    let horizon_end = config.horizon.after(today).unwrap_or(today);
    let dates_end = config.dates_horizon.after(today).unwrap_or(today);
    // Touches are sorted by date: the future ones are a suffix.
    let problems = c.touches[past_touches(c, today).len()..]
        .iter()
        .map(|t| Problem::new(&c.path, Some(t.line), Kind::FutureTouch(t.date.to_string())))
        .collect();
    let s = status(c, today, config);
    let item = s.due.filter(|d| *d <= horizon_end).map(|due| {
        let bucket = match due.cmp(&today) {
            std::cmp::Ordering::Less => Bucket::Overdue,
            std::cmp::Ordering::Equal => Bucket::Today,
            std::cmp::Ordering::Greater => Bucket::Upcoming,
        };
        Arc::new(Item {
            name: c.name.clone(),
            sort_name: c.name.to_lowercase(),
            path: c.path.clone(),
            company: c.company.clone(),
            stage: c.stage.clone(),
            due,
            bucket,
            reason: s.reason,
            days_overdue: (today - due).num_days().max(0),
            touches: s.touches,
            last_touch: s.last.map(Cow::into_owned),
            next: s.next.cloned(),
            cadence: s.cadence,
            snoozed: s.snoozed,
            suggest: s.suggest,
            rendered: std::sync::OnceLock::new(),
        })
    });
    let yearly = c
        .birthday
        .iter()
        .map(|y| ("birthday", y))
        .chain(c.dates.iter().map(|(l, y)| (l.as_str(), y)));
    let mut dates = Vec::new();
    for (label, y) in yearly {
        let Some(date) = next_occurrence(*y, today).filter(|d| *d <= dates_end) else {
            continue;
        };
        dates.push(DateItem {
            name: c.name.clone(),
            path: c.path.clone(),
            label: label.to_string(),
            date,
            in_days: (date - today).num_days(),
            years: y.year.map(|year| date.year() - year).filter(|n| *n > 0),
        });
    }
    Entries {
        item,
        dates,
        problems,
    }
}

/// Build the agenda. `problems` are those found while reading; future-dated touches add more.
pub fn agenda<'a>(
    contacts: impl IntoIterator<Item = &'a Contact>,
    problems: Vec<Problem>,
    today: NaiveDate,
    config: &Config,
) -> Agenda {
    let all: Vec<Entries> = contacts
        .into_iter()
        .map(|c| entries(c, today, config))
        .collect();
    assemble(&all, problems, today)
}

/// Put contacts' entries together: sort the follow-ups, the dates and the problems. Items are
/// shared, not copied.
pub fn assemble<'a>(
    all: impl IntoIterator<Item = &'a Entries>,
    mut problems: Vec<Problem>,
    today: NaiveDate,
) -> Agenda {
    let mut items = Vec::new();
    let mut dates = Vec::new();
    let mut contacts = 0;
    for e in all {
        contacts += 1;
        items.extend(e.item.iter().cloned());
        dates.extend(e.dates.iter().cloned());
        problems.extend(e.problems.iter().cloned());
    }
    items.sort_unstable_by(|a, b| {
        (a.due.cmp(&b.due))
            .then_with(|| a.sort_name.cmp(&b.sort_name))
            .then_with(|| a.path.cmp(&b.path))
    });
    dates.sort_by(|a, b| {
        (a.date.cmp(&b.date))
            .then_with(|| caseless(&a.name, &b.name))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.label.cmp(&b.label))
    });
    problem::sort(&mut problems);
    Agenda {
        today,
        items,
        dates,
        problems,
        contacts,
    }
}

/// Compare case-insensitively without allocating.
fn caseless(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        a.chars()
            .flat_map(char::to_lowercase)
            .cmp(b.chars().flat_map(char::to_lowercase))
    }
}

/// The first occurrence of a yearly date on or after `today`. 29 February falls on 28 February
/// in other years.
pub fn next_occurrence(y: Yearly, today: NaiveDate) -> Option<NaiveDate> {
    let on = |year: i32| {
        NaiveDate::from_ymd_opt(year, y.month, y.day)
            .or_else(|| NaiveDate::from_ymd_opt(year, y.month, y.day.saturating_sub(1)))
    };
    let this_year = on(today.year())?;
    if this_year >= today {
        Some(this_year)
    } else {
        on(today.year() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duration::Duration;
    use crate::model::Channels;
    use crate::parse::parse_contact;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn contact(front: &str, body: &str) -> Contact {
        let text = format!("---\nname: Test\n{front}---\n{body}");
        let parsed = parse_contact("t.md", text.as_bytes(), &Channels::default());
        assert_eq!(parsed.problems, vec![], "{text}");
        parsed.contact.unwrap()
    }

    /// (front matter, body, expected due, reason, touches)
    #[test]
    fn due_rules() {
        let today = d("2026-11-24");
        let cases: [(&str, &str, Option<&str>, Reason, usize); 18] = [
            // new: no touch at all
            ("", "", Some("2026-11-24"), Reason::New, 0),
            // met only: met + 2d
            (
                "met: 2026-11-20 mixer\n",
                "",
                Some("2026-11-22"),
                Reason::Met,
                1,
            ),
            // met earlier than headings counts as touch 1; cadence from the last heading
            (
                "met: 2026-10-01\n",
                "## 2026-11-01 call\n",
                Some("2026-11-22"),
                Reason::Cadence,
                2,
            ),
            // met on the same day as a heading does not count twice
            (
                "met: 2026-11-01\n",
                "## 2026-11-01 call\n",
                Some("2026-11-22"),
                Reason::Cadence,
                1,
            ),
            // cadence from the stage
            (
                "stage: client\n",
                "## 2026-11-01 call\n",
                Some("2026-12-13"),
                Reason::Cadence,
                1,
            ),
            // contact cadence beats stage
            (
                "stage: client\ncadence: 1w\n",
                "## 2026-11-01 call\n",
                Some("2026-11-08"),
                Reason::Cadence,
                1,
            ),
            // unknown stage uses the default 3w
            (
                "stage: vip\n",
                "## 2026-11-01 call\n",
                Some("2026-11-22"),
                Reason::Cadence,
                1,
            ),
            // month clamping
            (
                "cadence: 1mo\n",
                "## 2026-01-31 call\n",
                Some("2026-02-28"),
                Reason::Cadence,
                1,
            ),
            // never: not scheduled
            (
                "stage: lost\n",
                "## 2026-11-01 call\n",
                None,
                Reason::Cadence,
                1,
            ),
            // never, but a pending next step still schedules
            (
                "stage: lost\nnext: 2026-12-01 email\n",
                "## 2026-11-01 call\n",
                Some("2026-12-01"),
                Reason::Next,
                1,
            ),
            // Next: line of the latest touch that has one
            (
                "",
                "## 2026-11-01 call\nNext: 2026-11-10 email\n## 2026-11-05 call\n",
                Some("2026-11-10"),
                Reason::Next,
                2,
            ),
            // ... settled by a later touch through the promised channel (SPEC 5.2)
            (
                "",
                "## 2026-11-01 call\nNext: 2026-11-10 email\n## 2026-11-05 email\n",
                Some("2026-11-26"),
                Reason::Cadence,
                2,
            ),
            // a stale front matter `next` does not hide a newer, pending Next: line
            (
                "next: 2026-11-03 call\n",
                "## 2026-11-05 call\nNext: 2026-12-01 email - send the quote\n",
                Some("2026-12-01"),
                Reason::Next,
                1,
            ),
            // a next step not later than the last touch is done, not pending
            (
                "",
                "## 2026-11-01 call\nNext: 2026-11-05 email\n## 2026-11-05 email\n",
                Some("2026-11-26"),
                Reason::Cadence,
                2,
            ),
            // front matter next beats Next: lines
            (
                "next: 2026-12-03 call\n",
                "## 2026-11-01 call\nNext: 2026-11-10 email\n",
                Some("2026-12-03"),
                Reason::Next,
                1,
            ),
            // snooze later than due wins
            (
                "snooze: 2026-12-15\n",
                "## 2026-11-01 call\n",
                Some("2026-12-15"),
                Reason::Cadence,
                1,
            ),
            // snooze earlier than due changes nothing
            (
                "snooze: 2026-11-02\n",
                "## 2026-11-01 call\n",
                Some("2026-11-22"),
                Reason::Cadence,
                1,
            ),
            // future touches do not count
            (
                "",
                "## 2026-11-01 call\n## 2026-12-25 gift\n",
                Some("2026-11-22"),
                Reason::Cadence,
                1,
            ),
        ];
        let config = Config::default();
        for (front, body, due, reason, touches) in cases {
            let c = contact(front, body);
            let s = status(&c, today, &config);
            assert_eq!(s.due, due.map(d), "{front:?} {body:?}");
            assert_eq!(s.reason, reason, "{front:?} {body:?}");
            assert_eq!(s.touches, touches, "{front:?} {body:?}");
            assert_eq!(timeline(&contact(front, body), today).len(), touches);
        }
    }

    #[test]
    fn first_follow_up_comes_from_config() {
        let config = Config::from_toml("[cadence]\nfirst_follow_up = \"1w\"\n").unwrap();
        let c = contact("met: 2026-11-20\n", "");
        let s = status(&c, d("2026-11-24"), &config);
        assert_eq!(s.due, Some(d("2026-11-27")));
    }

    #[test]
    fn suggestions() {
        let today = d("2026-11-24");
        let config = Config::default();
        let cases = [
            ("", Channel::Call),
            ("## 2026-11-01 call\n", Channel::Email),
            (
                "## 2026-10-01 email\n## 2026-11-01 call\n",
                Channel::Meeting,
            ),
            ("## 2026-11-01 call\nNext: 2026-12-01 text\n", Channel::Text),
        ];
        for (body, want) in cases {
            assert_eq!(
                status(&contact("", body), today, &config).suggest,
                want,
                "{body:?}"
            );
        }
    }

    #[test]
    fn buckets_horizon_sorting_and_future_problems() {
        let today = d("2026-11-24");
        let mk = |name: &str, body: &str| {
            let mut c = contact("", body);
            c.name = name.into();
            c.path = format!("{}.md", name.to_lowercase());
            c
        };
        let contacts = vec![
            mk("zed", "## 2026-11-03 call\n"), // due 11-24: today
            mk("Amy", "## 2026-11-03 call\n"), // due 11-24: today, sorts first
            mk("Bob", "## 2026-10-01 call\n"), // due 10-22: overdue 33
            mk("Cy", "## 2026-11-10 call\n"),  // due 12-01: upcoming (7d)
            mk("Di", "## 2026-11-11 call\n"),  // due 12-02: beyond the horizon
            mk("Ed", "## 2026-11-20 call\n## 2026-11-30 call\n"),
        ];
        let a = agenda(&contacts, vec![], today, &Config::default());
        let got: Vec<(&str, Bucket, i64)> = a
            .items
            .iter()
            .map(|i| (i.name.as_str(), i.bucket, i.days_overdue))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Bob", Bucket::Overdue, 33),
                ("Amy", Bucket::Today, 0),
                ("zed", Bucket::Today, 0),
                ("Cy", Bucket::Upcoming, 0),
            ]
        );
        assert_eq!(a.problems.len(), 1);
        assert_eq!(
            a.problems[0].to_string(),
            "ed.md:5: touch dated in the future (2026-11-30): not counted"
        );
    }

    #[test]
    fn yearly_dates_and_leap_days() {
        let y = |m, d, year| Yearly {
            month: m,
            day: d,
            year,
        };
        let cases = [
            (y(2, 29, None), "2027-02-20", "2027-02-28"),
            (y(2, 29, None), "2028-02-20", "2028-02-29"),
            (y(11, 24, None), "2026-11-24", "2026-11-24"),
            (y(11, 23, None), "2026-11-24", "2027-11-23"),
            (y(1, 2, None), "2026-12-30", "2027-01-02"),
        ];
        for (yearly, today, want) in cases {
            assert_eq!(
                next_occurrence(yearly, d(today)),
                Some(d(want)),
                "{yearly:?} from {today}"
            );
        }
        let c = contact(
            "birthday: 1980-12-01\ndates:\n  deal closed: 2025-12-08\n  signed: 2025-12-09\n",
            "",
        );
        let config = Config {
            dates_horizon: Duration::Days(14),
            ..Config::default()
        };
        let a = agenda(&[c], vec![], d("2026-11-24"), &config);
        let got: Vec<(&str, i64, Option<i32>)> = a
            .dates
            .iter()
            .map(|x| (x.label.as_str(), x.in_days, x.years))
            .collect();
        assert_eq!(
            got,
            vec![("birthday", 7, Some(46)), ("deal closed", 14, Some(1))]
        );
    }
}
