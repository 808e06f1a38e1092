//! Contacts + today + config -> agenda: due dates, buckets, reasons, the follow-up playbook
//! (SPEC section 9: sequences, suggestions, promises, cards, a day's work) and yearly dates.
//! Pure: `today` is a parameter, nothing is read or printed.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::config::{Config, Step};
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
    /// A step of the stage's sequence.
    Sequence,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Next => "next",
            Reason::Met => "met",
            Reason::New => "new",
            Reason::Cadence => "cadence",
            Reason::Sequence => "sequence",
        }
    }
}

/// An entry's DUE.md line and the link style it was made with, filled in by the renderer the
/// first time: entries are shared between a watcher's rebuilds, so each line is made once. A
/// cache, not part of the value: every two compare equal, and a clone starts empty.
#[derive(Default)]
pub struct LineCache(std::sync::OnceLock<(crate::config::LinkStyle, String)>);

impl LineCache {
    /// The line for `style`, made by `make` the first time (and every time for another style).
    pub fn get(
        &self,
        style: crate::config::LinkStyle,
        make: impl Fn(&mut String),
    ) -> std::borrow::Cow<'_, str> {
        let (made, line) = self.0.get_or_init(|| {
            let mut line = String::with_capacity(160);
            make(&mut line);
            (style, line)
        });
        if *made == style {
            Cow::Borrowed(line)
        } else {
            let mut line = String::new();
            make(&mut line);
            Cow::Owned(line)
        }
    }
}

impl Clone for LineCache {
    fn clone(&self) -> Self {
        LineCache::default()
    }
}

impl PartialEq for LineCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for LineCache {}

impl std::fmt::Debug for LineCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LineCache")
    }
}

/// Which rule chose the suggested channel (SPEC section 9, first rule that applies).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suggest {
    Promised,
    Sequence,
    Personal,
    Cards,
    Rotation,
}

impl Suggest {
    pub fn as_str(self) -> &'static str {
        match self {
            Suggest::Promised => "promised",
            Suggest::Sequence => "sequence",
            Suggest::Personal => "personal",
            Suggest::Cards => "cards",
            Suggest::Rotation => "rotation",
        }
    }
}

/// The current step of a stage's sequence: step `k` of `n`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepAt {
    pub k: usize,
    pub n: usize,
    pub channel: Option<Channel>,
    pub text: String,
}

/// Cards sent this calendar year against the stage's yearly target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cards {
    pub sent: usize,
    pub target: u32,
    /// Below the pace that reaches the target by the year's end.
    pub behind: bool,
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
    pub suggest_reason: Suggest,
    /// The stage is open: the user is still after a yes, a no or a next step.
    pub open: bool,
    /// The sequence step this follow-up is, when the stage has a sequence and one is current.
    pub step: Option<StepAt>,
    /// Past the late edge of a window cadence (`3w-6w`).
    pub late: bool,
    /// The interest to use for a personal touch, when one is called for.
    pub personal: Option<&'a str>,
    /// Cards this year, for stages with a yearly card target.
    pub cards: Option<Cards>,
    /// An open-stage contact whose latest touch was a conversation with no next step agreed.
    pub no_next_step: bool,
}

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

/// The nuisance guard (SPEC section 9): a computed due date is never earlier than the last
/// touch plus `min_gap`, and with `skip_weekends` a Saturday or Sunday moves to the Monday.
fn guard(due: NaiveDate, last: NaiveDate, config: &Config) -> NaiveDate {
    let due = config.min_gap.after(last).map_or(due, |gap| due.max(gap));
    let monday = match due.weekday() {
        Weekday::Sat if config.skip_weekends => due.succ_opt().and_then(|d| d.succ_opt()),
        Weekday::Sun if config.skip_weekends => due.succ_opt(),
        _ => None,
    };
    monday.unwrap_or(due)
}

/// True when `word` appears in `text` as a whole word (or words), ignoring case.
fn mentions(text: &str, word: &str) -> bool {
    let word = word.trim();
    if word.is_empty() {
        return false;
    }
    let (text, word) = (text.to_lowercase(), word.to_lowercase());
    text.match_indices(&word).any(|(at, m)| {
        let before = text[..at].chars().next_back();
        let after = text[at + m.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// A touch is personal when its heading names the word `personal` or one of the contact's
/// interests. The `met` entry is not a heading.
fn is_personal(t: &Touch, interests: &[String]) -> bool {
    if t.is_met {
        return false;
    }
    let heading = format!("{} {}", t.word, t.text);
    mentions(&heading, "personal") || interests.iter().any(|i| mentions(&heading, i))
}

/// Apply the due rules (SPEC sections 5 and 9) to one contact.
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
    let open = config.is_open(&c.stage);
    // The sequence step: k touches since the stage began (all of them without `stage_since`).
    let step = config.sequence.get(&c.stage).and_then(|steps| {
        let k = match c.stage_since {
            Some(since) => {
                past.len() - past.partition_point(|t| t.date < since)
                    + usize::from(met.as_ref().is_some_and(|m| m.date >= since))
            }
            None => touches,
        };
        let Step { channel, text, .. } = steps.get(k.checked_sub(1)?)?;
        Some(StepAt {
            k,
            n: steps.len(),
            channel: *channel,
            text: text.clone(),
        })
    });
    let (due, reason) = match (&next, last) {
        (Some(n), _) => (Some(n.date), Reason::Next),
        (None, None) => (Some(today), Reason::New),
        (None, Some(l)) => {
            let (due, reason) = match &step {
                Some(s) => (
                    config.sequence[&c.stage][s.k - 1].interval.after(l.date),
                    Reason::Sequence,
                ),
                None if l.is_met => (config.first_follow_up.after(l.date), Reason::Met),
                None => (
                    cadence.interval().and_then(|d| d.after(l.date)),
                    Reason::Cadence,
                ),
            };
            (due.map(|d| guard(d, l.date, config)), reason)
        }
    };
    let snoozed = matches!((due, c.snooze), (Some(d), Some(s)) if s > d);
    let due = if snoozed { c.snooze } else { due };
    let late = reason == Reason::Cadence
        && due.is_some_and(|d| d <= today)
        && last.is_some_and(|l| {
            cadence
                .late_after()
                .and_then(|late| late.after(l.date))
                .is_some_and(|edge| today > edge)
        });
    // SPEC 9: on the third and fourth follow-up (touch #4 and #5) of an open stage, with no
    // personal touch yet, send something personal.
    let personal = (open && matches!(touches + 1, 4 | 5))
        .then(|| {
            let personal: Vec<&Touch> = past
                .iter()
                .filter(|t| is_personal(t, &c.interests))
                .collect();
            if !personal.is_empty() {
                return None;
            }
            c.interests
                .iter()
                .find(|i| !personal.iter().any(|t| mentions(&t.text, i)))
                .map(String::as_str)
        })
        .flatten();
    let cards = config.card_target(&c.stage).map(|target| {
        let sent = past
            .iter()
            .filter(|t| t.channel == Channel::Card && t.date.year() == today.year())
            .count();
        let days_in_year = if today.leap_year() { 366 } else { 365 };
        let pace = u64::from(target) * u64::from(today.ordinal()) / days_in_year;
        Cards {
            sent,
            target,
            behind: (sent as u64) < pace,
        }
    });
    let recent: Vec<Channel> = past
        .iter()
        .rev()
        .chain(met.iter())
        .take(2)
        .map(|t| t.channel)
        .collect();
    let rotation = config.rotation(&c.stage);
    let rotated = rotation
        .iter()
        .copied()
        .find(|ch| !recent.contains(ch))
        .or_else(|| rotation.first().copied())
        .unwrap_or(Channel::Call);
    let (suggest, suggest_reason) = if let Some(ch) = next.and_then(|n| n.channel) {
        (ch, Suggest::Promised)
    } else if let Some(ch) = step.as_ref().and_then(|s| s.channel) {
        (ch, Suggest::Sequence)
    } else if personal.is_some() {
        let ch = if rotated == Channel::Meeting {
            Channel::Meeting
        } else {
            Channel::Email
        };
        (ch, Suggest::Personal)
    } else if cards.is_some_and(|c| c.behind) {
        (Channel::Card, Suggest::Cards)
    } else {
        (rotated, Suggest::Rotation)
    };
    let no_next_step = open
        && next.is_none()
        && past
            .last()
            .is_some_and(|t| matches!(t.channel, Channel::Call | Channel::Meeting));
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
        suggest_reason,
        open,
        step,
        late,
        personal,
        cards,
        no_next_step,
    }
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
    pub suggest_reason: Suggest,
    pub open: bool,
    pub step: Option<StepAt>,
    pub late: bool,
    pub personal: Option<String>,
    pub cards: Option<Cards>,
    /// The contact has a yearly date in the Dates section.
    pub has_date: bool,
    /// Its DUE.md line (it depends only on the item and the link style).
    pub line: LineCache,
}

impl Item {
    /// An overdue promise: the next step's date has passed with no touch.
    pub fn breaking_promise(&self) -> bool {
        self.bucket == Bucket::Overdue && self.reason == Reason::Next
    }
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
    /// For a contact in a card-sending stage (and every holiday): mail the card by this date.
    pub mail_by: Option<NaiveDate>,
    pub line: LineCache,
}

/// An open-stage contact whose latest touch was a conversation with no next step agreed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoNextStep {
    pub name: String,
    pub path: String,
    pub last_touch: Touch,
    pub line: LineCache,
}

/// An open-stage contact with 1 to 4 touches, overdue by at least one full cadence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cold {
    pub name: String,
    pub path: String,
    pub touches: usize,
    pub days_overdue: i64,
    pub due: NaiveDate,
    pub line: LineCache,
}

#[derive(Clone, Debug)]
pub struct Agenda {
    pub today: NaiveDate,
    /// Follow-ups in the order of SPEC section 5.
    pub items: Vec<Arc<Item>>,
    /// Indexes into `items` of the overdue and today items, in the ranking of a day's work.
    pub ranked: Vec<usize>,
    pub dates: Vec<Arc<DateItem>>,
    pub no_next_step: Vec<Arc<NoNextStep>>,
    pub going_cold: Vec<Arc<Cold>>,
    pub problems: Vec<Problem>,
    /// How many contacts were read.
    pub contacts: usize,
    /// How many overdue and today items DUE.md lists (`agenda.per_day`; `None`: all).
    pub per_day: Option<usize>,
}

impl Agenda {
    pub fn count(&self, bucket: Bucket) -> usize {
        self.items.iter().filter(|i| i.bucket == bucket).count()
    }

    /// The 1-based rank of each item (`None` for upcoming ones), indexed like `items`.
    pub fn ranks(&self) -> Vec<Option<usize>> {
        let mut ranks = vec![None; self.items.len()];
        for (rank, &i) in self.ranked.iter().enumerate() {
            ranks[i] = Some(rank + 1);
        }
        ranks
    }
}

/// What one contact puts in the agenda for one date: its follow-up (if due within the
/// horizon), its yearly dates, its playbook lists, and its future-dated touches as problems.
/// Watch keeps these per file and recomputes them only when the file or the date changes.
#[derive(Clone, Debug, Default)]
pub struct Entries {
    pub item: Option<Arc<Item>>,
    pub dates: Vec<Arc<DateItem>>,
    pub no_next_step: Option<Arc<NoNextStep>>,
    pub going_cold: Option<Arc<Cold>>,
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
    let dates = yearly_dates(c, today, dates_end, config);
    let s = status(c, today, config);
    let days_overdue = |due: NaiveDate| (today - due).num_days().max(0);
    let going_cold = s
        .due
        .filter(|_| s.open && (1..=4).contains(&s.touches))
        .filter(|due| {
            s.cadence
                .interval()
                .and_then(|d| d.after(*due))
                .is_some_and(|cold| cold <= today)
        })
        .map(|due| Cold {
            name: c.name.clone(),
            path: c.path.clone(),
            touches: s.touches,
            days_overdue: days_overdue(due),
            due,
            line: LineCache::default(),
        })
        .map(Arc::new);
    let no_next_step = s
        .last
        .as_ref()
        .filter(|_| s.no_next_step)
        .map(|t| NoNextStep {
            name: c.name.clone(),
            path: c.path.clone(),
            last_touch: t.clone().into_owned(),
            line: LineCache::default(),
        })
        .map(Arc::new);
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
            days_overdue: days_overdue(due),
            touches: s.touches,
            last_touch: s.last.map(Cow::into_owned),
            next: s.next.cloned(),
            cadence: s.cadence,
            snoozed: s.snoozed,
            suggest: s.suggest,
            suggest_reason: s.suggest_reason,
            open: s.open,
            step: s.step,
            late: s.late,
            personal: s.personal.map(str::to_string),
            cards: s.cards,
            has_date: !dates.is_empty(),
            line: LineCache::default(),
        })
    });
    Entries {
        item,
        dates,
        no_next_step,
        going_cold,
        problems,
    }
}

/// The contact's birthday, labelled dates and holidays that fall between today and `end`.
fn yearly_dates(
    c: &Contact,
    today: NaiveDate,
    end: NaiveDate,
    config: &Config,
) -> Vec<Arc<DateItem>> {
    let cards = config.sends_cards(&c.stage);
    let own = c
        .birthday
        .iter()
        .map(|y| ("birthday", y, cards))
        .chain(c.dates.iter().map(|(l, y)| (l.as_str(), y, cards)));
    let holidays = config
        .holidays
        .iter()
        .filter(|h| h.stages.contains(&c.stage))
        .map(|h| (h.label.as_str(), &h.date, true));
    let mut dates = Vec::new();
    for (label, y, card) in own.chain(holidays) {
        let Some(date) = next_occurrence(*y, today).filter(|d| *d <= end) else {
            continue;
        };
        dates.push(Arc::new(DateItem {
            name: c.name.clone(),
            path: c.path.clone(),
            label: label.to_string(),
            date,
            in_days: (date - today).num_days(),
            years: y.year.map(|year| date.year() - year).filter(|n| *n > 0),
            mail_by: card.then(|| before(date, config.card_lead)),
            line: LineCache::default(),
        }));
    }
    dates
}

/// `date` minus a duration (clamped to the calendar's start).
fn before(date: NaiveDate, d: crate::duration::Duration) -> NaiveDate {
    use crate::duration::Duration;
    let back = match d {
        Duration::Days(n) => date.checked_sub_days(chrono::Days::new(n.into())),
        Duration::Weeks(n) => date.checked_sub_days(chrono::Days::new(u64::from(n) * 7)),
        Duration::Months(n) => date.checked_sub_months(chrono::Months::new(n)),
        Duration::Years(n) => n
            .checked_mul(12)
            .and_then(|m| date.checked_sub_months(chrono::Months::new(m))),
    };
    back.unwrap_or(NaiveDate::MIN)
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
    assemble(&all, problems, today, config.per_day)
}

/// The group a due item falls in for a day's work (SPEC section 9), lowest first: broken
/// promises in the making, promises due today, open-stage contacts at touch #2 to #5 (where
/// most people give up), card and date suggestions, then the rest.
fn rank_group(i: &Item) -> u8 {
    if i.breaking_promise() {
        0
    } else if i.bucket == Bucket::Today && i.reason == Reason::Next {
        1
    } else if i.open && (2..=5).contains(&(i.touches + 1)) {
        2
    } else if i.suggest == Channel::Card || i.has_date {
        3
    } else {
        4
    }
}

/// Put contacts' entries together: sort the follow-ups, the lists, the dates and the problems,
/// and rank the day's work. Items are shared, not copied.
pub fn assemble<'a>(
    all: impl IntoIterator<Item = &'a Entries>,
    mut problems: Vec<Problem>,
    today: NaiveDate,
    per_day: Option<usize>,
) -> Agenda {
    let mut items = Vec::new();
    let mut dates = Vec::new();
    let mut no_next_step = Vec::new();
    let mut going_cold = Vec::new();
    let mut contacts = 0;
    for e in all {
        contacts += 1;
        items.extend(e.item.iter().cloned());
        dates.extend(e.dates.iter().cloned());
        no_next_step.extend(e.no_next_step.iter().cloned());
        going_cold.extend(e.going_cold.iter().cloned());
        problems.extend(e.problems.iter().cloned());
    }
    items.sort_unstable_by(|a, b| {
        (a.due.cmp(&b.due))
            .then_with(|| a.sort_name.cmp(&b.sort_name))
            .then_with(|| a.path.cmp(&b.path))
    });
    let mut ranked: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].bucket != Bucket::Upcoming)
        .collect();
    // Stable: ties keep the order of section 5.
    ranked.sort_by_key(|&i| {
        let group = rank_group(&items[i]);
        let overdue = if group == 4 { items[i].days_overdue } else { 0 };
        (group, std::cmp::Reverse(overdue))
    });
    dates.sort_by(|a, b| {
        (a.date.cmp(&b.date))
            .then_with(|| caseless(&a.name, &b.name))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.label.cmp(&b.label))
    });
    // The conversation just had first: that is where a next step is easiest to set.
    no_next_step.sort_by(|a, b| {
        (b.last_touch.date.cmp(&a.last_touch.date))
            .then_with(|| caseless(&a.name, &b.name))
            .then_with(|| a.path.cmp(&b.path))
    });
    going_cold.sort_by(|a, b| {
        (a.due.cmp(&b.due))
            .then_with(|| caseless(&a.name, &b.name))
            .then_with(|| a.path.cmp(&b.path))
    });
    problem::sort(&mut problems);
    Agenda {
        today,
        items,
        ranked,
        dates,
        no_next_step,
        going_cold,
        problems,
        contacts,
        per_day,
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

/// What became of a promise (a next step), SPEC section 9.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// No touch since it was made.
    Pending,
    /// The next touch came on or before the promised date, by the promised channel (or the
    /// promise named none).
    Kept(Touch),
    /// The next touch came late, or by another channel.
    Broken {
        touch: Touch,
        late_days: i64,
        other_channel: bool,
    },
}

/// A next step that was agreed, and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Promise {
    pub step: NextStep,
    /// The touch whose notes hold the `Next:` line (`None` for the front matter's `next`).
    pub made: Option<Touch>,
    pub outcome: Outcome,
}

/// Every promise in a contact's file, oldest first: each touch's `Next:` line, judged by the
/// first touch after the one that holds it, and the front matter's `next` when it is pending.
pub fn promises(c: &Contact, today: NaiveDate) -> Vec<Promise> {
    let past = past_touches(c, today);
    let mut out: Vec<Promise> = Vec::new();
    for (i, holder) in past.iter().enumerate() {
        let Some(step) = &holder.next else { continue };
        let after = past[i + 1..].iter().find(|t| t.date > holder.date);
        let outcome = match after {
            None => Outcome::Pending,
            Some(t) => {
                let late_days = (t.date - step.date).num_days().max(0);
                let other_channel = step.channel.is_some_and(|ch| ch != t.channel);
                if late_days == 0 && !other_channel {
                    Outcome::Kept(t.clone())
                } else {
                    Outcome::Broken {
                        touch: t.clone(),
                        late_days,
                        other_channel,
                    }
                }
            }
        };
        out.push(Promise {
            step: step.clone(),
            made: Some(holder.clone()),
            outcome,
        });
    }
    // The front matter's pending `next`, unless it repeats a `Next:` line still open.
    if let Some(next) = &c.next
        && past.last().is_none_or(|l| next.date > l.date)
        && !out.iter().any(|p| {
            p.outcome == Outcome::Pending
                && p.step.date == next.date
                && p.step.channel == next.channel
        })
    {
        out.push(Promise {
            step: next.clone(),
            made: None,
            outcome: Outcome::Pending,
        });
    }
    out
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
