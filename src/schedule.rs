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
    pub interval: crate::duration::Duration,
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
        origin: crate::model::Origin::Heading,
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

/// The nuisance guard (SPEC section 9): a cadence or sequence due date is never earlier than
/// the last touch plus `min_gap` (`gap`; the first follow-up after `met` keeps the user's own
/// `first_follow_up`), and with `skip_weekends` a computed date on a Saturday or Sunday moves to
/// the Monday.
fn guard(due: NaiveDate, last: NaiveDate, gap: bool, config: &Config) -> NaiveDate {
    let due = match config.min_gap.after(last) {
        Some(earliest) if gap => due.max(earliest),
        _ => due,
    };
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

/// A call or a meeting, unless its heading says nobody answered (`call - voicemail`, which is
/// what `today` logs for no answer, or `call - no answer`): there was no one to agree a next
/// step with.
fn is_conversation(t: &Touch) -> bool {
    matches!(t.channel, Channel::Call | Channel::Meeting) && {
        let heading = format!("{} {}", t.word, t.text);
        !["voicemail", "no answer", "no reply", "left a message"]
            .iter()
            .any(|w| mentions(&heading, w))
    }
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
        // A promise that named no channel is kept by any later touch (as `log` treats the
        // front matter's `next`).
        let settled = past.iter().any(|t| {
            t.date > holder.date && line.channel.is_none_or(|promised| t.channel == promised)
        });
        Some(line).filter(|_| !settled).filter(pending)
    });
    let cadence = c.cadence.unwrap_or_else(|| config.stage_cadence(&c.stage));
    let open = config.is_open(&c.stage);
    // The sequence step: k touches since the stage began (all of them without `stage_since`).
    // A contact's own `cadence:` beats its stage's sequence, as it beats the stage's cadence.
    let steps = config
        .sequence
        .get(&c.stage)
        .filter(|_| c.cadence.is_none());
    let step = steps.and_then(|steps| {
        let k = match c.stage_since {
            Some(since) => {
                past.len() - past.partition_point(|t| t.date < since)
                    + usize::from(met.as_ref().is_some_and(|m| m.date >= since))
            }
            None => touches,
        };
        let Step {
            interval,
            channel,
            text,
        } = steps.get(k.checked_sub(1)?)?;
        Some(StepAt {
            k,
            n: steps.len(),
            interval: *interval,
            channel: *channel,
            text: text.clone(),
        })
    });
    let (due, reason) = match (&next, last) {
        (Some(n), _) => (Some(n.date), Reason::Next),
        (None, None) => (Some(today), Reason::New),
        (None, Some(l)) => {
            let (due, reason) = match &step {
                Some(s) => (s.interval.after(l.date), Reason::Sequence),
                None if l.is_met => (config.first_follow_up.after(l.date), Reason::Met),
                None => (
                    cadence.interval().and_then(|d| d.after(l.date)),
                    Reason::Cadence,
                ),
            };
            let gap = reason != Reason::Met;
            (due.map(|d| guard(d, l.date, gap, config)), reason)
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
    // SPEC 9: on the third and fourth follow-up (touch #4 and #5) of an open stage, with no
    // personal touch yet, send something personal: the first interest (with no personal touch
    // yet, none has been used).
    let personal = c
        .interests
        .first()
        .filter(|_| open && matches!(touches + 1, 4 | 5))
        .filter(|_| !past.iter().any(|t| is_personal(t, &c.interests)))
        .map(String::as_str);
    let cards = config.card_target(&c.stage).map(|target| {
        let sent = past
            .iter()
            .filter(|t| t.channel == Channel::Card && t.date.year() == today.year())
            .count();
        let days_in_year = if today.leap_year() { 366 } else { 365 };
        // The pace runs from 1 January, or from the day the contact entered the stage when
        // that was this year: a client since yesterday is not behind on a year's cards.
        let start = c
            .stage_since
            .filter(|s| s.year() == today.year() && *s <= today)
            .map_or(1, |s| s.ordinal());
        let elapsed = u64::from(today.ordinal() + 1 - start);
        let pace = u64::from(target) * elapsed / days_in_year;
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
    let no_next_step = open && next.is_none() && past.last().is_some_and(is_conversation);
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
    /// Due so far ahead that its day needs the year to read right (a horizon over months).
    pub far_ahead: bool,
    /// The links to act on it (SPEC 11), the suggested channel's first, carrying the draft.
    /// Filled on demand (`Vault::fill_actions`), for the items that are shown: drafting every
    /// due contact's message took as long as the rest of scheduling, and DUE.md lists only some.
    pub actions: std::sync::OnceLock<Vec<crate::actions::Action>>,
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
    /// The follow-ups DUE.md lists: with `per_day`, the first that many of the day's ranking
    /// and every upcoming one; without it, all.
    pub fn listed(&self) -> Vec<&Arc<Item>> {
        match self.per_day {
            None => self.items.iter().collect(),
            Some(cap) => (self.ranked.iter().take(cap).map(|&i| &self.items[i]))
                .chain(self.items.iter().filter(|i| i.bucket == Bucket::Upcoming))
                .collect(),
        }
    }

    pub fn count(&self, bucket: Bucket) -> usize {
        self.items.iter().filter(|i| i.bucket == bucket).count()
    }

    /// The follow-ups for now, as DUE.md lists them under Overdue and Today: with `per_day`, the
    /// first that many of the day's ranking, in rank order; without it, every overdue and today
    /// item in the order of SPEC section 5, except that broken promises in the making come first
    /// within Overdue.
    pub fn due_now(&self) -> Vec<&Item> {
        match self.per_day {
            Some(cap) => self
                .ranked
                .iter()
                .take(cap)
                .map(|&i| &*self.items[i])
                .collect(),
            None => {
                let mut now: Vec<&Item> = self
                    .items
                    .iter()
                    .map(|i| &**i)
                    .filter(|i| i.bucket != Bucket::Upcoming)
                    .collect();
                now.sort_by_key(|i| (i.bucket, !i.breaking_promise()));
                now
            }
        }
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
    // A note dated later (a meeting planned) is not a touch yet, and no mistake either.
    let problems = c.touches[past_touches(c, today).len()..]
        .iter()
        .filter(|t| !matches!(t.origin, crate::model::Origin::Note(_)))
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
            far_ahead: (due - today).num_days() > 300,
            actions: std::sync::OnceLock::new(),
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
    // A date with a card to mail is listed from its mail-by day, even when the card's lead is
    // longer than the dates horizon.
    let card_end = config.card_lead.after(today).map_or(end, |e| e.max(end));
    let mut dates = Vec::new();
    for (label, y, card) in own.chain(holidays) {
        let until = if card { card_end } else { end };
        let Some(date) = next_occurrence(*y, today).filter(|d| *d <= until) else {
            continue;
        };
        dates.push(Arc::new(DateItem {
            name: c.name.clone(),
            path: c.path.clone(),
            label: label.to_string(),
            date,
            in_days: (date - today).num_days(),
            years: y.year.map(|year| date.year() - year).filter(|n| *n > 0),
            mail_by: card.then(|| config.card_lead.before(date).unwrap_or(NaiveDate::MIN)),
            line: LineCache::default(),
        }));
    }
    dates
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

/// The groups of a day's work (SPEC section 9), in rank order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    /// Broken promises in the making.
    BrokenPromise,
    /// Promises due today.
    PromiseToday,
    /// Open-stage contacts at touch #2 to #5, where most people give up.
    EarlyTouch,
    /// Card and date suggestions.
    CardOrDate,
    /// The rest, most days overdue first.
    Rest,
}

fn rank_group(i: &Item) -> Group {
    if i.breaking_promise() {
        Group::BrokenPromise
    } else if i.bucket == Bucket::Today && i.reason == Reason::Next {
        Group::PromiseToday
    } else if i.open && (2..=5).contains(&(i.touches + 1)) {
        Group::EarlyTouch
    } else if i.suggest == Channel::Card || i.has_date {
        Group::CardOrDate
    } else {
        Group::Rest
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
    // Each key computed once; the index breaks ties, which keeps the order of section 5.
    let mut keyed: Vec<(Group, std::cmp::Reverse<i64>, usize)> = (0..items.len())
        .filter(|&i| items[i].bucket != Bucket::Upcoming)
        .map(|i| {
            let group = rank_group(&items[i]);
            let overdue = if group == Group::Rest {
                items[i].days_overdue
            } else {
                0
            };
            (group, std::cmp::Reverse(overdue), i)
        })
        .collect();
    keyed.sort_unstable();
    let ranked: Vec<usize> = keyed.into_iter().map(|(_, _, i)| i).collect();
    // Unstable sorts: the keys end with the path, so no two entries of these lists compare
    // equal unless they are alike.
    dates.sort_unstable_by(|a, b| {
        (a.date.cmp(&b.date))
            .then_with(|| caseless(&a.name, &b.name))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.label.cmp(&b.label))
    });
    // The conversation just had first: that is where a next step is easiest to set.
    no_next_step.sort_unstable_by(|a, b| {
        (b.last_touch.date.cmp(&a.last_touch.date))
            .then_with(|| caseless(&a.name, &b.name))
            .then_with(|| a.path.cmp(&b.path))
    });
    going_cold.sort_unstable_by(|a, b| {
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
    // The last touch as scheduling sees it: `met` counts when it is the only touch.
    let last = past
        .last()
        .map(|t| t.date)
        .or_else(|| met_touch(c, past, today).map(|m| m.date));
    let mut out: Vec<Promise> = Vec::new();
    for (i, holder) in past.iter().enumerate() {
        let Some(step) = &holder.next else { continue };
        // Judged by the first touch after it; a promise for the very day it was made can be
        // kept by a later touch that day.
        let after = past[i + 1..]
            .iter()
            .find(|t| t.date > holder.date || (step.date <= holder.date && t.date == holder.date));
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
        && last.is_none_or(|l| next.date > l)
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

    fn cfg(toml: &str) -> Config {
        Config::from_toml(toml).unwrap()
    }

    /// Personal touches (SPEC 9): on touch #4 and #5 of an open stage with interests and no
    /// personal touch yet.
    #[test]
    fn personal_touches() {
        let today = d("2026-11-24");
        let i = "interests: [New York Yankees, sailing]\n";
        let im = "interests: [New York Yankees, sailing]\nmet: 2026-06-01 sailing club\n";
        // The last two touches are email and meeting: the rotation's next channel is call.
        let t2 = "## 2026-10-01 email\n## 2026-11-01 meeting\n";
        let t3 = "## 2026-09-01 call\n## 2026-10-01 email\n## 2026-11-01 meeting\n";
        let t4 =
            "## 2026-08-01 call\n## 2026-09-01 call\n## 2026-10-01 email\n## 2026-11-01 meeting\n";
        let t5 = "## 2026-07-01 call\n## 2026-08-01 call\n## 2026-09-01 call\n## 2026-10-01 email\n## 2026-11-01 meeting\n";
        let yankees = Some("New York Yankees");
        let (email, call) = (Channel::Email, Channel::Call);
        let (personal, rotation) = (Suggest::Personal, Suggest::Rotation);
        // (config, front matter, body, personal, suggest, suggest_reason)
        let cases = [
            // touch #3, #4, #5, #6
            ("", i, t2, None, call, rotation),
            ("", i, t3, yankees, email, personal),
            ("", i, t4, yankees, email, personal),
            ("", i, t5, None, call, rotation),
            // `met` counts as touch 1, and is never a personal touch
            ("", im, t2, yankees, email, personal),
            // no interests
            ("", "", t3, None, call, rotation),
            ("", "interests: []\n", t3, None, call, rotation),
            // the first interest
            (
                "",
                "interests: [sailing, golf]\n",
                t3,
                Some("sailing"),
                email,
                personal,
            ),
            // a personal touch already sent: the word `personal`, or an interest in a heading
            (
                "",
                i,
                "## 2026-09-01 call - personal: congratulations on the boat\n## 2026-10-01 email\n## 2026-11-01 meeting\n",
                None,
                call,
                rotation,
            ),
            (
                "",
                i,
                "## 2026-09-01 Personal\n## 2026-10-01 email\n## 2026-11-01 meeting\n",
                None,
                call,
                rotation,
            ),
            (
                "",
                i,
                "## 2026-09-01 call - saw the Sailing regatta\n## 2026-10-01 email\n## 2026-11-01 meeting\n",
                None,
                call,
                rotation,
            ),
            (
                "",
                i,
                "## 2026-09-01 call\n## 2026-10-01 email - tickets for the new york yankees\n## 2026-11-01 meeting\n",
                None,
                call,
                rotation,
            ),
            // whole words only: `personalised`, `sailings` are not personal touches
            (
                "",
                i,
                "## 2026-09-01 call - personalised pricing for sailings\n## 2026-10-01 email\n## 2026-11-01 meeting\n",
                yankees,
                email,
                personal,
            ),
            // a touch dated after today does not count, neither as a touch nor as personal
            (
                "",
                i,
                "## 2026-09-01 call\n## 2026-10-01 email\n## 2026-11-01 meeting\n## 2026-12-01 email - personal\n",
                yankees,
                email,
                personal,
            ),
            // not an open stage (and no card target)
            (
                "",
                "stage: partner\ninterests: [sailing]\n",
                t3,
                None,
                call,
                rotation,
            ),
            // open stages from the config
            (
                "[cadence]\nopen_stages = [\"partner\"]\n",
                "stage: partner\ninterests: [sailing]\n",
                t3,
                Some("sailing"),
                email,
                personal,
            ),
            (
                "[cadence]\nopen_stages = [\"partner\"]\n",
                i,
                t3,
                None,
                call,
                rotation,
            ),
            // the channel is meeting when the rotation's next channel is meeting
            (
                "",
                i,
                "## 2026-09-01 meeting\n## 2026-10-01 call\n## 2026-11-01 email\n",
                yankees,
                Channel::Meeting,
                personal,
            ),
            // an earlier rule picks the channel; `personal` is still set
            (
                "",
                i,
                "## 2026-09-01 call\n## 2026-10-01 email\n## 2026-11-01 meeting\nNext: 2026-12-01 text - send the article\n",
                yankees,
                Channel::Text,
                Suggest::Promised,
            ),
            (
                "[sequence]\nprospect = [\"1d call\", \"1d call\", \"1w gift\"]\n",
                i,
                t3,
                yankees,
                Channel::Gift,
                Suggest::Sequence,
            ),
        ];
        for (toml, front, body, want, suggest, reason) in cases {
            let c = contact(front, body);
            let s = status(&c, today, &cfg(toml));
            let got = (s.personal, s.suggest, s.suggest_reason);
            assert_eq!(got, (want, suggest, reason), "{toml:?} {front:?} {body:?}");
        }
    }

    /// The suggestion chain (SPEC 9): promised > sequence > personal > cards > rotation, each
    /// rule applying when the earlier ones are absent.
    #[test]
    fn suggestion_precedence() {
        let seq = "[sequence]\nprospect = [\"2d email\", \"1w - something useful\", \"2w text\", \"3w\"]\n";
        let cards = "[cards]\nper_year = { prospect = 12 }\n";
        let all = format!("{seq}{cards}");
        let i = "interests: [sailing]\n";
        // Three touches: sequence step 3 (`2w text`); touch #4 (personal); rotation: call.
        let t3 = "## 2026-09-01 call\n## 2026-10-01 email\n## 2026-11-01 meeting\n";
        let promised = "## 2026-09-01 call\n## 2026-10-01 email\n## 2026-11-01 meeting\nNext: 2026-12-01 gift\n";
        let unnamed = "## 2026-09-01 call\n## 2026-10-01 email\n## 2026-11-01 meeting\nNext: 2026-12-01 - send it\n";
        let late = "2026-11-24";
        // (config, front matter, body, today, suggest, suggest_reason)
        let cases = [
            ("", "", "", late, Channel::Call, Suggest::Rotation),
            (
                all.as_str(),
                i,
                promised,
                late,
                Channel::Gift,
                Suggest::Promised,
            ),
            // the next step names no channel: the sequence
            (&all, i, unnamed, late, Channel::Text, Suggest::Sequence),
            (&all, i, t3, late, Channel::Text, Suggest::Sequence),
            // no sequence, or a step with no channel (step 2 of 4): personal
            (cards, i, t3, late, Channel::Email, Suggest::Personal),
            (
                &all,
                "interests: [sailing]\nstage_since: 2026-10-01\n",
                t3,
                late,
                Channel::Email,
                Suggest::Personal,
            ),
            // past the last step (k = 5 > n = 4): the later rules
            (
                &all,
                i,
                "## 2026-07-01 call\n## 2026-08-01 call\n## 2026-09-01 call\n## 2026-10-01 email\n## 2026-11-01 meeting\n",
                late,
                Channel::Card,
                Suggest::Cards,
            ),
            // no interests: cards, when behind pace
            (cards, "", t3, late, Channel::Card, Suggest::Cards),
            (cards, "", unnamed, late, Channel::Card, Suggest::Cards),
            // on pace early in the year, or no card target: the rotation
            (
                cards,
                "",
                t3,
                "2027-01-20",
                Channel::Call,
                Suggest::Rotation,
            ),
            ("", "", t3, late, Channel::Call, Suggest::Rotation),
        ];
        for (toml, front, body, today, suggest, reason) in cases {
            let c = contact(front, body);
            let s = status(&c, d(today), &cfg(toml));
            assert_eq!(
                (s.suggest, s.suggest_reason),
                (suggest, reason),
                "{toml:?} {front:?} {body:?} {today}"
            );
        }
    }

    /// Cards sent this calendar year against floor(target x day-of-year / days-in-year).
    #[test]
    fn card_pace() {
        let cards =
            |dates: &[&str]| -> String { dates.iter().map(|d| format!("## {d} card\n")).collect() };
        // (stage, card touches, today, cards sent, behind)
        let cases = [
            // day 10: pace 0
            ("client", cards(&[]), "2026-01-10", 0, false),
            // the year's target met early in the year (day 60: pace 1)
            (
                "client",
                cards(&[
                    "2026-01-02",
                    "2026-01-09",
                    "2026-01-16",
                    "2026-01-23",
                    "2026-02-06",
                    "2026-02-13",
                    "2026-02-20",
                ]),
                "2026-03-01",
                7,
                false,
            ),
            // day 52: 7 x 52 / 365 = 0.997; day 53: 1.016
            ("client", cards(&[]), "2026-02-21", 0, false),
            ("client", cards(&[]), "2026-02-22", 0, true),
            // late in the year: 7 x 328 / 365 = 6.29
            (
                "client",
                cards(&[
                    "2026-01-05",
                    "2026-02-05",
                    "2026-03-05",
                    "2026-04-05",
                    "2026-05-05",
                    "2026-06-05",
                ]),
                "2026-11-24",
                6,
                false,
            ),
            (
                "client",
                cards(&[
                    "2026-01-05",
                    "2026-02-05",
                    "2026-03-05",
                    "2026-04-05",
                    "2026-05-05",
                ]),
                "2026-11-24",
                5,
                true,
            ),
            // last year's cards do not count
            (
                "client",
                cards(&["2025-10-05", "2025-11-05", "2025-12-05"]),
                "2026-11-24",
                0,
                true,
            ),
            // gifts are not cards
            (
                "client",
                "## 2026-01-05 gift\n## 2026-02-05 gift\n".to_string(),
                "2026-03-01",
                0,
                true,
            ),
            // day 209: 7 x 209 / 366 = 3.997 in a leap year, 7 x 209 / 365 = 4.008 in others
            (
                "client",
                cards(&["2028-01-05", "2028-02-05", "2028-03-05"]),
                "2028-07-27",
                3,
                false,
            ),
            (
                "client",
                cards(&["2026-01-05", "2026-02-05", "2026-03-05"]),
                "2026-07-28",
                3,
                true,
            ),
            // the pace runs from `stage_since` when that is this year: a client since
            // yesterday is not behind; since 1 June (177 days: 3.39) with none sent, behind;
            // since 1 September (85 days: 1.63) with one sent, on pace
            (
                "client\nstage_since: 2026-11-23",
                cards(&[]),
                "2026-11-24",
                0,
                false,
            ),
            (
                "client\nstage_since: 2026-06-01",
                cards(&[]),
                "2026-11-24",
                0,
                true,
            ),
            (
                "client\nstage_since: 2026-09-01",
                cards(&["2026-10-01"]),
                "2026-11-24",
                1,
                false,
            ),
            // a stage entered last year: from 1 January as before
            (
                "client\nstage_since: 2025-06-01",
                cards(&[]),
                "2026-02-22",
                0,
                true,
            ),
        ];
        let config = Config::default();
        for (stage, body, today, sent, behind) in cases {
            let c = contact(&format!("stage: {stage}\n"), &body);
            let s = status(&c, d(today), &config);
            let want = Cards {
                sent,
                target: 7,
                behind,
            };
            assert_eq!(s.cards, Some(want), "{body:?} {today}");
            assert_eq!(
                s.suggest_reason == Suggest::Cards,
                behind,
                "{body:?} {today}"
            );
        }
        // No target for the stage: no card count and no card suggestion.
        let c = contact("stage: partner\n", "");
        let s = status(&c, d("2026-11-24"), &config);
        assert_eq!((s.cards, s.suggest_reason), (None, Suggest::Rotation));
    }

    /// `3w-6w`: due 3 weeks after the last touch, late only on the day after the 6 weeks,
    /// and only when due with reason cadence.
    #[test]
    fn windows() {
        let w = "cadence: 3w-6w\n";
        // last touch 2026-10-01: due 2026-10-22, late edge 2026-11-12
        let last = "## 2026-10-01 call\n";
        // (config, front matter, today, due, reason, late)
        let cases = [
            ("", w, "2026-10-21", "2026-10-22", Reason::Cadence, false),
            ("", w, "2026-10-22", "2026-10-22", Reason::Cadence, false),
            ("", w, "2026-11-12", "2026-10-22", Reason::Cadence, false),
            ("", w, "2026-11-13", "2026-10-22", Reason::Cadence, true),
            // a plain cadence is never late
            (
                "",
                "cadence: 3w\n",
                "2027-01-13",
                "2026-10-22",
                Reason::Cadence,
                false,
            ),
            // a pending next step past the edge is a broken promise, not late
            (
                "",
                "cadence: 3w-6w\nnext: 2026-10-20 call\n",
                "2026-11-13",
                "2026-10-20",
                Reason::Next,
                false,
            ),
            // snoozed: late only once the snooze is over
            (
                "",
                "cadence: 3w-6w\nsnooze: 2026-11-20\n",
                "2026-11-13",
                "2026-11-20",
                Reason::Cadence,
                false,
            ),
            (
                "",
                "cadence: 3w-6w\nsnooze: 2026-11-10\n",
                "2026-11-13",
                "2026-11-10",
                Reason::Cadence,
                true,
            ),
            // a window as the stage's cadence
            (
                "[cadence.stages]\nprospect = \"1w-2w\"\n",
                "",
                "2026-10-15",
                "2026-10-08",
                Reason::Cadence,
                false,
            ),
            (
                "[cadence.stages]\nprospect = \"1w-2w\"\n",
                "",
                "2026-10-16",
                "2026-10-08",
                Reason::Cadence,
                true,
            ),
        ];
        for (toml, front, today, due, reason, late) in cases {
            let c = contact(front, last);
            let s = status(&c, d(today), &cfg(toml));
            assert_eq!(
                (s.due, s.reason, s.late),
                (Some(d(due)), reason, late),
                "{toml:?} {front:?} {today}"
            );
        }
    }

    /// The nuisance guard: computed due dates (cadence, sequence, the first follow-up after
    /// `met`) are never earlier than last + min_gap and, with skip_weekends, not on a weekend.
    /// An explicit next step, a snooze and a new contact keep their dates.
    #[test]
    fn nuisance_guard() {
        let skip = "[cadence]\nskip_weekends = true\n";
        // 2026-11-24 is a Tuesday; 28 and 29 November a Saturday and a Sunday.
        // (config, front matter, body, today, due, reason)
        let cases = [
            // min_gap with a cadence of 1d
            (
                "",
                "cadence: 1d\n",
                "## 2026-11-20 call\n",
                "2026-11-24",
                "2026-11-22",
                Reason::Cadence,
            ),
            (
                "[cadence]\nmin_gap = \"5d\"\n",
                "cadence: 1d\n",
                "## 2026-11-20 call\n",
                "2026-11-24",
                "2026-11-25",
                Reason::Cadence,
            ),
            // a Saturday and a Sunday, without and with skip_weekends
            (
                "",
                "",
                "## 2026-11-07 call\n",
                "2026-11-24",
                "2026-11-28",
                Reason::Cadence,
            ),
            (
                skip,
                "",
                "## 2026-11-07 call\n",
                "2026-11-24",
                "2026-11-30",
                Reason::Cadence,
            ),
            (
                "",
                "",
                "## 2026-11-08 call\n",
                "2026-11-24",
                "2026-11-29",
                Reason::Cadence,
            ),
            (
                skip,
                "",
                "## 2026-11-08 call\n",
                "2026-11-24",
                "2026-11-30",
                Reason::Cadence,
            ),
            (
                skip,
                "",
                "## 2026-11-06 call\n",
                "2026-11-24",
                "2026-11-27",
                Reason::Cadence,
            ),
            // min_gap first, then the weekend: Thursday + 1d -> Saturday -> Monday
            (
                skip,
                "cadence: 1d\n",
                "## 2026-11-26 call\n",
                "2026-11-27",
                "2026-11-30",
                Reason::Cadence,
            ),
            // the first follow-up after `met`
            (
                skip,
                "met: 2026-11-26\n",
                "",
                "2026-11-27",
                "2026-11-30",
                Reason::Met,
            ),
            // `first_follow_up` is the user's own gap after meeting: min_gap does not raise it
            (
                "[cadence]\nfirst_follow_up = \"1d\"\n",
                "met: 2026-11-20\n",
                "",
                "2026-11-24",
                "2026-11-21",
                Reason::Met,
            ),
            // sequence steps
            (
                "[sequence]\nprospect = [\"1d call\"]\n",
                "met: 2026-11-20\n",
                "",
                "2026-11-24",
                "2026-11-22",
                Reason::Sequence,
            ),
            (
                "[cadence]\nskip_weekends = true\n[sequence]\nprospect = [\"3d call\"]\n",
                "met: 2026-11-26\n",
                "",
                "2026-11-27",
                "2026-11-30",
                Reason::Sequence,
            ),
            // never: an explicit next step (front matter or `Next:`), a snooze, a new contact
            (
                skip,
                "next: 2026-11-28 call\n",
                "## 2026-11-20 call\n",
                "2026-11-24",
                "2026-11-28",
                Reason::Next,
            ),
            (
                skip,
                "",
                "## 2026-11-20 call\nNext: 2026-11-29 call\n",
                "2026-11-24",
                "2026-11-29",
                Reason::Next,
            ),
            (
                "",
                "next: 2026-11-21 call\n",
                "## 2026-11-20 call\n",
                "2026-11-24",
                "2026-11-21",
                Reason::Next,
            ),
            (
                skip,
                "snooze: 2026-12-05\n",
                "## 2026-11-07 call\n",
                "2026-11-24",
                "2026-12-05",
                Reason::Cadence,
            ),
            (skip, "", "", "2026-11-28", "2026-11-28", Reason::New),
        ];
        for (toml, front, body, today, due, reason) in cases {
            let c = contact(front, body);
            let s = status(&c, d(today), &cfg(toml));
            assert_eq!(
                (s.due, s.reason),
                (Some(d(due)), reason),
                "{toml:?} {front:?} {body:?}"
            );
        }
    }

    /// A contact's own `cadence:` beats its stage's sequence, as it beats the stage's cadence.
    #[test]
    fn own_cadence_opts_out_of_the_sequence() {
        let config = cfg("[sequence]\nprospect = [\"2d email\", \"2w call\"]\n");
        let today = d("2026-11-24");
        let cases = [
            ("", Some("2026-11-22"), Reason::Sequence),
            ("cadence: 1w\n", Some("2026-11-27"), Reason::Cadence),
            ("cadence: never\n", None, Reason::Cadence),
        ];
        for (front, due, reason) in cases {
            let c = contact(front, "## 2026-11-20 call\n");
            let s = status(&c, today, &config);
            assert_eq!((s.due, s.reason), (due.map(d), reason), "{front:?}");
            assert_eq!(s.step.is_some(), reason == Reason::Sequence, "{front:?}");
        }
    }

    /// Sequences: step k of n, with k the touches on or after `stage_since` (all of them
    /// without it); k = 0 or k > n: the rules of section 5.
    #[test]
    fn sequences() {
        let config = cfg(
            "[sequence]\nprospect = [\"2d email - thanks for meeting\", \"1w call\", \"2w - something useful\", \"10d meeting\"]\n",
        );
        let today = d("2026-11-24");
        let four =
            "## 2026-10-01 call\n## 2026-10-15 call\n## 2026-11-01 call\n## 2026-11-10 call\n";
        let five = "## 2026-09-01 call\n## 2026-10-01 call\n## 2026-10-15 call\n## 2026-11-01 call\n## 2026-11-10 call\n";
        let step = |k: usize, channel, text: &str| {
            use crate::duration::Duration;
            let intervals = [
                Duration::Days(2),
                Duration::Weeks(1),
                Duration::Weeks(2),
                Duration::Days(10),
            ];
            Some(StepAt {
                k,
                n: 4,
                interval: intervals[k - 1],
                channel,
                text: text.to_string(),
            })
        };
        // (front matter, body, step, due, reason)
        let cases = [
            // without stage_since: k = 0, 1 (met, or a heading), n, n + 1
            ("", "", None, "2026-11-24", Reason::New),
            (
                "met: 2026-11-20 mixer\n",
                "",
                step(1, Some(Channel::Email), "thanks for meeting"),
                "2026-11-22",
                Reason::Sequence,
            ),
            (
                "",
                "## 2026-11-20 call\n",
                step(1, Some(Channel::Email), "thanks for meeting"),
                "2026-11-22",
                Reason::Sequence,
            ),
            (
                "met: 2026-11-01\n",
                "## 2026-11-20 call\n",
                step(2, Some(Channel::Call), ""),
                "2026-11-27",
                Reason::Sequence,
            ),
            (
                "",
                four,
                step(4, Some(Channel::Meeting), ""),
                "2026-11-20",
                Reason::Sequence,
            ),
            ("", five, None, "2026-12-01", Reason::Cadence),
            // a touch after today does not count
            (
                "",
                "## 2026-11-20 call\n## 2026-12-20 call\n",
                step(1, Some(Channel::Email), "thanks for meeting"),
                "2026-11-22",
                Reason::Sequence,
            ),
            // with stage_since: k = 0 (no touch since), 1 (a touch on the day), n, n + 1
            (
                "stage_since: 2026-11-11\n",
                four,
                None,
                "2026-12-01",
                Reason::Cadence,
            ),
            (
                "stage_since: 2026-11-10\n",
                four,
                step(1, Some(Channel::Email), "thanks for meeting"),
                "2026-11-12",
                Reason::Sequence,
            ),
            (
                "stage_since: 2026-10-20\n",
                four,
                step(2, Some(Channel::Call), ""),
                "2026-11-17",
                Reason::Sequence,
            ),
            (
                "stage_since: 2026-10-01\n",
                five,
                step(4, Some(Channel::Meeting), ""),
                "2026-11-20",
                Reason::Sequence,
            ),
            (
                "stage_since: 2026-09-01\n",
                five,
                None,
                "2026-12-01",
                Reason::Cadence,
            ),
            // `met` counts when it is on or after stage_since
            (
                "stage_since: 2026-11-01\nmet: 2026-11-02\n",
                "## 2026-11-10 call\n",
                step(2, Some(Channel::Call), ""),
                "2026-11-17",
                Reason::Sequence,
            ),
            (
                "stage_since: 2026-11-05\nmet: 2026-11-02\n",
                "## 2026-11-10 call\n",
                step(1, Some(Channel::Email), "thanks for meeting"),
                "2026-11-12",
                Reason::Sequence,
            ),
            // a step with no channel
            (
                "met: 2026-10-20\n",
                "## 2026-10-25 call\n## 2026-11-01 call\n",
                step(3, None, "something useful"),
                "2026-11-15",
                Reason::Sequence,
            ),
            // only where the config defines a sequence
            (
                "stage: client\n",
                "## 2026-11-20 call\n",
                None,
                "2027-01-01",
                Reason::Cadence,
            ),
        ];
        for (front, body, want, due, reason) in cases {
            let c = contact(front, body);
            let s = status(&c, today, &config);
            assert_eq!(
                (&s.step, s.due, s.reason),
                (&want, Some(d(due)), reason),
                "{front:?} {body:?}"
            );
        }
        // A pending next step still wins over a step.
        let c = contact("next: 2026-12-03 call\n", "## 2026-11-20 call\n");
        let s = status(&c, today, &config);
        assert_eq!((s.due, s.reason), (Some(d("2026-12-03")), Reason::Next));
    }

    /// Which next step is pending (SPEC 5.2).
    #[test]
    fn next_step_candidates() {
        let today = d("2026-11-24");
        // (front matter, body, due, reason)
        let cases = [
            // a stale front matter `next` beside a newer `Next:` line
            (
                "next: 2026-11-03 call\n",
                "## 2026-11-05 call\nNext: 2026-12-01 email - send the quote\n",
                "2026-12-01",
                Reason::Next,
            ),
            (
                "next: 2026-11-03 call\n",
                "## 2026-11-05 call\n",
                "2026-11-26",
                Reason::Cadence,
            ),
            // a pending front matter `next` beats a `Next:` line
            (
                "next: 2026-12-03 call\n",
                "## 2026-11-05 call\nNext: 2026-12-10 email\n",
                "2026-12-03",
                Reason::Next,
            ),
            // a promise settled by the promised channel before its date
            (
                "",
                "## 2026-11-01 call\nNext: 2026-12-01 email - send the quote\n## 2026-11-12 email - sent it early\n",
                "2026-12-03",
                Reason::Cadence,
            ),
            // ... but not by another channel
            (
                "",
                "## 2026-11-01 call\nNext: 2026-12-01 email\n## 2026-11-12 call\n",
                "2026-12-01",
                Reason::Next,
            ),
            // ... nor by a touch on the same day as the one that holds the line
            (
                "",
                "## 2026-11-12 email\n## 2026-11-12 call\nNext: 2026-12-01 email\n",
                "2026-12-01",
                Reason::Next,
            ),
            // a `Next:` line that names no channel is kept by any later touch (as `show`
            // judges it, and as `log` treats the front matter's `next`), but not by one
            // on the same day
            (
                "",
                "## 2026-11-01 call\nNext: 2026-12-01 - send it\n## 2026-11-12 email\n",
                "2026-12-03",
                Reason::Cadence,
            ),
            (
                "",
                "## 2026-11-01 call\nNext: 2026-12-01 - send it\n## 2026-11-01 email\n",
                "2026-12-01",
                Reason::Next,
            ),
            // the latest touch that has a `Next:` line
            (
                "",
                "## 2026-11-01 call\nNext: 2026-12-20 call\n## 2026-11-10 call\nNext: 2026-12-05 email\n",
                "2026-12-05",
                Reason::Next,
            ),
        ];
        let config = Config::default();
        for (front, body, due, reason) in cases {
            let c = contact(front, body);
            let s = status(&c, today, &config);
            assert_eq!(
                (s.due, s.reason),
                (Some(d(due)), reason),
                "{front:?} {body:?}"
            );
        }
    }

    /// Who is listed under No next step and Going cold.
    #[test]
    fn no_next_step_and_going_cold() {
        let today = d("2026-11-24");
        let client_open = "[cadence]\nopen_stages = [\"client\"]\n";
        let emails = |dates: &[&str]| -> String {
            dates.iter().map(|d| format!("## {d} email\n")).collect()
        };
        // (config, front matter, body, no next step, going cold: (touches, days overdue))
        let cases = [
            // the latest touch a conversation with no next step agreed
            ("", "", "## 2026-11-20 call\n".to_string(), true, None),
            // nobody answered: no conversation to agree a next step in
            (
                "",
                "",
                "## 2026-11-20 call - voicemail\n".to_string(),
                false,
                None,
            ),
            ("", "", "## 2026-11-20 voicemail\n".to_string(), false, None),
            (
                "",
                "",
                "## 2026-11-20 call - no answer\n".to_string(),
                false,
                None,
            ),
            (
                "",
                "",
                "## 2026-11-20 call - answered at last\n".to_string(),
                true,
                None,
            ),
            (
                "",
                "stage: lead\n",
                "## 2026-11-20 lunch\n".to_string(),
                true,
                None,
            ),
            (
                "",
                "",
                "## 2026-11-20 call\n## 2026-11-21 email\n".to_string(),
                false,
                None,
            ),
            (
                "",
                "",
                "## 2026-11-20 call\nNext: 2026-12-01 call\n".to_string(),
                false,
                None,
            ),
            // a next step not later than the touch is not pending
            (
                "",
                "",
                "## 2026-11-20 call\nNext: 2026-11-20 email\n".to_string(),
                true,
                None,
            ),
            // met only (a meeting) is not listed
            ("", "met: 2026-11-20 lunch\n", String::new(), false, None),
            // not an open stage; open stages from the config
            (
                "",
                "stage: client\n",
                "## 2026-11-20 call\n".to_string(),
                false,
                None,
            ),
            (
                client_open,
                "stage: client\n",
                "## 2026-11-20 call\n".to_string(),
                true,
                None,
            ),
            (
                client_open,
                "",
                "## 2026-11-20 call\n".to_string(),
                false,
                None,
            ),
            // going cold: 1 to 4 touches, overdue by at least one cadence (3w); not 0 touches,
            // even with an old next step
            ("", "", String::new(), false, None),
            ("", "next: 2026-10-01 call\n", String::new(), false, None),
            ("", "", emails(&["2026-10-01"]), false, Some((1, 33))),
            ("", "", emails(&["2026-10-13"]), false, Some((1, 21))),
            ("", "", emails(&["2026-10-14"]), false, None),
            ("", "met: 2026-10-01\n", String::new(), false, Some((1, 52))),
            (
                "",
                "",
                emails(&["2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01"]),
                false,
                Some((4, 33)),
            ),
            (
                "",
                "",
                emails(&[
                    "2026-06-01",
                    "2026-07-01",
                    "2026-08-01",
                    "2026-09-01",
                    "2026-10-01",
                ]),
                false,
                None,
            ),
            // a broken promise goes cold too
            (
                "",
                "",
                "## 2026-10-01 email\nNext: 2026-10-20 email\n".to_string(),
                false,
                Some((1, 35)),
            ),
            ("", "stage: client\n", emails(&["2026-01-01"]), false, None),
            (
                client_open,
                "stage: client\n",
                emails(&["2026-08-01"]),
                false,
                Some((1, 73)),
            ),
        ];
        for (toml, front, body, listed, cold) in cases {
            let c = contact(front, &body);
            let e = entries(&c, today, &cfg(toml));
            assert_eq!(
                e.no_next_step.is_some(),
                listed,
                "{toml:?} {front:?} {body:?}"
            );
            assert_eq!(
                e.going_cold.map(|c| (c.touches, c.days_overdue)),
                cold,
                "{toml:?} {front:?} {body:?}"
            );
        }
    }

    /// A day's work: broken promises in the making, promises due today, open stages at touch
    /// #2 to #5, card and date suggestions, the rest by days overdue; ties in section 5 order.
    #[test]
    fn day_ranking() {
        let today = d("2026-11-24");
        // (name, path, front matter, body)
        let contacts = [
            (
                "Tess",
                "tess.md",
                "stage: partner\n",
                "## 2026-06-01 call\n",
            ),
            ("Uma", "uma.md", "stage: partner\n", "## 2026-09-01 call\n"),
            (
                "amy",
                "b/amy.md",
                "stage: partner\n",
                "## 2026-09-01 email\n",
            ),
            (
                "Amy",
                "a/amy.md",
                "stage: partner\n",
                "## 2026-09-01 call\n",
            ),
            (
                "Sam",
                "sam.md",
                "stage: partner\nbirthday: 12-01\n",
                "## 2026-09-10 call\n",
            ),
            ("Vic", "vic.md", "stage: client\n", "## 2026-09-20 call\n"),
            ("Ray", "ray.md", "", "## 2026-11-03 call\n"),
            (
                "Rex",
                "rex.md",
                "",
                "## 2026-10-01 call\n## 2026-10-05 call\n## 2026-10-10 call\n## 2026-10-20 call\n",
            ),
            (
                "Xena",
                "xena.md",
                "",
                "## 2026-09-01 call\n## 2026-10-01 call\n## 2026-10-05 call\n## 2026-10-10 call\n## 2026-10-20 call\n",
            ),
            ("Walt", "walt.md", "", ""),
            (
                "Quinn",
                "quinn.md",
                "stage: partner\n",
                "## 2026-11-01 call\nNext: 2026-11-24 call\n",
            ),
            (
                "Pat",
                "pat.md",
                "stage: partner\n",
                "## 2026-10-01 call\nNext: 2026-11-20 call\n",
            ),
            (
                "Pia",
                "pia.md",
                "",
                "## 2026-10-01 call\nNext: 2026-11-22 email\n",
            ),
            (
                "Upton",
                "upton.md",
                "stage: partner\n",
                "## 2026-11-01 call\n",
            ),
        ];
        let contacts: Vec<Contact> = contacts
            .into_iter()
            .map(|(name, path, front, body)| {
                let mut c = contact(front, body);
                c.name = name.into();
                c.path = path.into();
                c
            })
            .collect();
        let a = agenda(&contacts, vec![], today, &Config::default());
        let names = |order: &mut dyn Iterator<Item = &Arc<Item>>| -> Vec<String> {
            order.map(|i| format!("{} {}", i.name, i.path)).collect()
        };
        assert_eq!(
            names(&mut a.items.iter()),
            [
                "Tess tess.md",
                "Amy a/amy.md",
                "amy b/amy.md",
                "Uma uma.md",
                "Sam sam.md",
                "Vic vic.md",
                "Rex rex.md",
                "Xena xena.md",
                "Pat pat.md",
                "Pia pia.md",
                "Quinn quinn.md",
                "Ray ray.md",
                "Walt walt.md",
                "Upton upton.md",
            ],
            "section 5 order"
        );
        assert_eq!(
            names(&mut a.ranked.iter().map(|&i| &a.items[i])),
            [
                // broken promises in the making (an open stage at touch #2 too)
                "Pat pat.md",
                "Pia pia.md",
                // promises due today
                "Quinn quinn.md",
                // open stages at touch #2 and #5 (not #1, Walt, nor #6, Xena)
                "Rex rex.md",
                "Ray ray.md",
                // a yearly date listed; a card suggestion
                "Sam sam.md",
                "Vic vic.md",
                // the rest by days overdue; the same days overdue: name, then path
                "Tess tess.md",
                "Amy a/amy.md",
                "amy b/amy.md",
                "Uma uma.md",
                "Xena xena.md",
                "Walt walt.md",
            ],
            "ranked"
        );
        let ranks = a.ranks();
        assert_eq!((ranks[0], ranks[8], ranks[13]), (Some(8), Some(1), None));
    }

    /// Yearly dates: a card-sending stage's dates carry mail_by = date - cards.lead; holidays
    /// list every contact of the stages they name, with mail_by.
    #[test]
    fn card_dates_and_holidays() {
        let holiday = "[[holiday]]\ndate = \"12-15\"\nlabel = \"holiday cards\"\nstages = [\"client\", \"past-client\"]\n[cards]\nlead = \"10d\"\n";
        // (config, front matter, today, dates: label, date, mail by)
        let cases = [
            (
                holiday,
                "stage: client\nbirthday: 12-10\n",
                "2026-12-05",
                vec![
                    ("birthday", "2026-12-10", Some("2026-11-30")),
                    ("holiday cards", "2026-12-15", Some("2026-12-05")),
                ],
            ),
            (
                holiday,
                "stage: past-client\n",
                "2026-12-05",
                vec![("holiday cards", "2026-12-15", Some("2026-12-05"))],
            ),
            // a card stage not named by the holiday
            (
                holiday,
                "stage: partner\nbirthday: 12-10\n",
                "2026-12-05",
                vec![("birthday", "2026-12-10", Some("2026-11-30"))],
            ),
            // not a card stage: no mail-by date
            (
                holiday,
                "birthday: 12-10\ndates:\n  deal closed: 2025-12-12\n",
                "2026-12-05",
                vec![
                    ("birthday", "2026-12-10", None),
                    ("deal closed", "2026-12-12", None),
                ],
            ),
            // beyond dates_horizon (14 days)
            (
                holiday,
                "stage: client\nbirthday: 12-25\n",
                "2026-11-24",
                vec![],
            ),
            // a holiday for a stage that sends no cards still has a mail-by date
            (
                "[[holiday]]\ndate = \"12-18\"\nlabel = \"new year note\"\nstages = [\"prospect\"]\n",
                "",
                "2026-12-05",
                vec![("new year note", "2026-12-18", Some("2026-12-11"))],
            ),
            // the default lead is 7d
            (
                "",
                "stage: client\nbirthday: 12-10\n",
                "2026-12-05",
                vec![("birthday", "2026-12-10", Some("2026-12-03"))],
            ),
        ];
        for (toml, front, today, want) in cases {
            let a = agenda(&[contact(front, "")], vec![], d(today), &cfg(toml));
            let got: Vec<(&str, NaiveDate, Option<NaiveDate>)> = a
                .dates
                .iter()
                .map(|x| (x.label.as_str(), x.date, x.mail_by))
                .collect();
            let want: Vec<(&str, NaiveDate, Option<NaiveDate>)> = want
                .into_iter()
                .map(|(l, date, by)| (l, d(date), by.map(d)))
                .collect();
            assert_eq!(got, want, "{toml:?} {front:?}");
        }
    }

    /// What became of each promise.
    #[test]
    fn a_front_matter_promise_is_pending_as_scheduling_sees_it() {
        // `met` is the last touch: a `next:` before it is stale for both.
        let c = contact("met: 2026-11-20\nnext: 2026-11-18 call\n", "");
        let today = d("2026-11-24");
        assert!(status(&c, today, &Config::default()).next.is_none());
        assert!(promises(&c, today).is_empty());
        let c = contact("met: 2026-11-20\nnext: 2026-11-22 call\n", "");
        assert!(status(&c, today, &Config::default()).next.is_some());
        assert_eq!(promises(&c, today).len(), 1);
    }

    #[test]
    fn promise_outcomes() {
        let today = d("2026-11-24");
        let show = |p: &Promise| {
            let made = p
                .made
                .as_ref()
                .map_or("front matter".to_string(), |t| t.date.to_string());
            let outcome = match &p.outcome {
                Outcome::Pending => "pending".to_string(),
                Outcome::Kept(t) => format!("kept by {} {}", t.channel, t.date),
                Outcome::Broken {
                    touch,
                    late_days,
                    other_channel,
                } => format!(
                    "broken by {} {}: {late_days} days late{}",
                    touch.channel,
                    touch.date,
                    if *other_channel {
                        ", another channel"
                    } else {
                        ""
                    }
                ),
            };
            format!("{} (made {made}): {outcome}", p.step.date)
        };
        let promise = "## 2026-11-01 call\nNext: 2026-11-10 email\n";
        // (front matter, touches after the promise, promises)
        let cases = [
            ("", "", vec!["2026-11-10 (made 2026-11-01): pending"]),
            (
                "",
                "## 2026-11-10 email\n",
                vec!["2026-11-10 (made 2026-11-01): kept by email 2026-11-10"],
            ),
            (
                "",
                "## 2026-11-05 email\n",
                vec!["2026-11-10 (made 2026-11-01): kept by email 2026-11-05"],
            ),
            (
                "",
                "## 2026-11-12 email\n",
                vec!["2026-11-10 (made 2026-11-01): broken by email 2026-11-12: 2 days late"],
            ),
            (
                "",
                "## 2026-11-10 call\n",
                vec![
                    "2026-11-10 (made 2026-11-01): broken by call 2026-11-10: 0 days late, another channel",
                ],
            ),
            (
                "",
                "## 2026-11-13 call\n",
                vec![
                    "2026-11-10 (made 2026-11-01): broken by call 2026-11-13: 3 days late, another channel",
                ],
            ),
            // judged by the first touch after it
            (
                "",
                "## 2026-11-06 call\n## 2026-11-07 email\n",
                vec![
                    "2026-11-10 (made 2026-11-01): broken by call 2026-11-06: 0 days late, another channel",
                ],
            ),
            // a touch on the day the promise was made does not judge it
            (
                "",
                "## 2026-11-01 email\n",
                vec!["2026-11-10 (made 2026-11-01): pending"],
            ),
            // nor does a touch after today
            (
                "",
                "## 2026-12-01 email\n",
                vec!["2026-11-10 (made 2026-11-01): pending"],
            ),
            // each promise by the touch after it
            (
                "",
                "## 2026-11-09 email\nNext: 2026-11-20 call\n## 2026-11-21 call\n",
                vec![
                    "2026-11-10 (made 2026-11-01): kept by email 2026-11-09",
                    "2026-11-20 (made 2026-11-09): broken by call 2026-11-21: 1 days late",
                ],
            ),
            // the front matter's `next` when it is pending, not when it is stale
            (
                "next: 2026-12-01 call\n",
                "## 2026-11-10 email\n",
                vec![
                    "2026-11-10 (made 2026-11-01): kept by email 2026-11-10",
                    "2026-12-01 (made front matter): pending",
                ],
            ),
            (
                "next: 2026-11-05 call\n",
                "## 2026-11-10 email\n",
                vec!["2026-11-10 (made 2026-11-01): kept by email 2026-11-10"],
            ),
        ];
        for (front, after, want) in cases {
            let c = contact(front, &format!("{promise}{after}"));
            let got: Vec<String> = promises(&c, today).iter().map(show).collect();
            assert_eq!(got, want, "{front:?} {after:?}");
        }
        // A promise that names no channel is kept by any channel on time.
        let c = contact(
            "",
            "## 2026-11-01 call\nNext: 2026-11-10 - send it\n## 2026-11-10 text\n",
        );
        assert!(matches!(promises(&c, today)[0].outcome, Outcome::Kept(_)));
    }

    /// The rotation: the first channel not used in the last two touches, else the first.
    #[test]
    fn rotation() {
        let today = d("2026-11-24");
        let partner = "[rotation]\npartner = [\"card\", \"gift\"]\n";
        // (config, front matter, body, suggest)
        let cases = [
            ("", "", "", Channel::Call),
            ("", "", "## 2026-11-01 call\n", Channel::Email),
            (
                "",
                "",
                "## 2026-10-01 email\n## 2026-11-01 call\n",
                Channel::Meeting,
            ),
            // only the last two touches
            (
                "",
                "",
                "## 2026-09-01 meeting\n## 2026-10-01 email\n## 2026-11-01 call\n",
                Channel::Meeting,
            ),
            // every channel used: the first
            (
                "[rotation]\nprospect = [\"email\", \"text\"]\n",
                "",
                "## 2026-10-01 text\n## 2026-11-01 email\n",
                Channel::Email,
            ),
            // `met` is a touch (a meeting)
            (
                "[rotation]\nprospect = [\"call\", \"meeting\", \"email\"]\n",
                "met: 2026-09-01\n",
                "## 2026-10-01 call\n",
                Channel::Email,
            ),
            // per stage, from the config; other stages keep the default rotation
            (
                partner,
                "stage: partner\n",
                "## 2026-11-01 card\n",
                Channel::Gift,
            ),
            (partner, "", "## 2026-11-01 call\n", Channel::Email),
            (
                "[rotation]\ndefault = [\"text\", \"call\"]\n",
                "stage: partner\n",
                "## 2026-11-01 text\n",
                Channel::Call,
            ),
        ];
        for (toml, front, body, want) in cases {
            let c = contact(front, body);
            let s = status(&c, today, &cfg(toml));
            assert_eq!(
                (s.suggest, s.suggest_reason),
                (want, Suggest::Rotation),
                "{toml:?} {front:?} {body:?}"
            );
        }
    }

    // Found by attacking the playbook with bad input: each failed before its fix.

    /// `cadence: never` on a contact means "not scheduled" (SPEC 5.4), and the contact's
    /// `cadence` overrides its stage's; but a stage's sequence schedules the contact anyway:
    /// Nora, a prospect the user set to `never` after two touches, is due by step 2.
    #[test]
    fn a_contacts_cadence_never_is_not_overridden_by_its_stages_sequence() {
        let config =
            cfg("[sequence]\nprospect = [\"2d email - thanks\", \"1w call\", \"2w email\"]\n");
        let c = contact(
            "cadence: never\nmet: 2026-10-01\n",
            "## 2026-10-03 email - thanks for your time\n",
        );
        let s = status(&c, d("2026-11-24"), &config);
        assert_eq!((s.due, s.reason), (None, Reason::Cadence), "{s:?}");
    }

    /// A promise for the same day, kept that day by the promised channel (a call at 09:00
    /// agrees to send the quote this afternoon; the email goes out at 15:00): `show` says
    /// "not kept yet: 4 days overdue" for ever, while `due` rightly sees no pending next step.
    #[test]
    fn a_promise_kept_later_on_the_day_it_was_made_is_kept() {
        let c = contact(
            "",
            "## 2026-11-20 09:00 call - discussed the quote\n\
             Next: 2026-11-20 email - send the quote this afternoon\n\n\
             ## 2026-11-20 15:00 email - sent the quote\n",
        );
        let today = d("2026-11-24");
        assert_eq!(status(&c, today, &Config::default()).next, None);
        let p = promises(&c, today);
        assert!(
            matches!(
                p[..],
                [Promise {
                    outcome: Outcome::Kept(_),
                    ..
                }]
            ),
            "{p:#?}"
        );
    }
}
