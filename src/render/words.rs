//! The words of one follow-up, shared by DUE.md and the terminal (`show`, and what `log`, `add`
//! and `snooze` print): why it is due and how to follow up. Pure. Text from the vault goes
//! through the caller's escaper (Markdown escaping for DUE.md, `term::clean` for a terminal).

use std::fmt::Write;

use chrono::NaiveDate;

use crate::duration::Cadence;
use crate::model::{Channel, NextStep};
use crate::schedule::{Cards, Item, Reason, Status, StepAt, Suggest};

/// Appends text from the vault to the output, escaped for where it goes.
pub type Escape<'e> = &'e dyn Fn(&mut String, &str);

/// What the words of a follow-up are made from: the same for an agenda item and a status.
pub struct FollowUp<'a> {
    pub reason: Reason,
    /// Due before today.
    pub overdue: bool,
    pub next: Option<&'a NextStep>,
    pub step: Option<&'a StepAt>,
    pub cadence: Cadence,
    pub late: bool,
    /// The day of `met`, when the follow-up is the first one after it.
    pub met: Option<NaiveDate>,
    pub suggest: Channel,
    pub suggest_reason: Suggest,
    pub personal: Option<&'a str>,
    pub cards: Option<Cards>,
}

impl<'a> FollowUp<'a> {
    pub fn of_item(i: &'a Item) -> FollowUp<'a> {
        FollowUp {
            reason: i.reason,
            overdue: i.bucket == crate::schedule::Bucket::Overdue,
            next: i.next.as_ref(),
            step: i.step.as_ref(),
            cadence: i.cadence,
            late: i.late,
            met: i.last_touch.as_ref().filter(|t| t.is_met).map(|t| t.date),
            suggest: i.suggest,
            suggest_reason: i.suggest_reason,
            personal: i.personal.as_deref(),
            cards: i.cards,
        }
    }

    pub fn of_status(s: &'a Status<'_>, today: NaiveDate) -> FollowUp<'a> {
        FollowUp {
            reason: s.reason,
            overdue: s.due.is_some_and(|d| d < today),
            next: s.next,
            step: s.step.as_ref(),
            cadence: s.cadence,
            late: s.late,
            met: s.last.as_ref().filter(|t| t.is_met).map(|t| t.date),
            suggest: s.suggest,
            suggest_reason: s.suggest_reason,
            personal: s.personal,
            cards: s.cards,
        }
    }

    /// True when the reason already names the suggested channel (a promise or a step that
    /// names it), so that no `try:` repeats it.
    pub fn reason_names_channel(&self) -> bool {
        match self.suggest_reason {
            Suggest::Promised => self.reason == Reason::Next,
            Suggest::Sequence => self.reason == Reason::Sequence,
            _ => false,
        }
    }
}

/// What you said you would do, as a verb: `call`, `meet`, `send a card`.
fn promise_verb(channel: Channel) -> &'static str {
    match channel {
        Channel::Call => "call",
        Channel::Email => "email",
        Channel::Text => "text",
        Channel::Meeting => "meet",
        Channel::Card => "send a card",
        Channel::Gift => "send a gift",
        Channel::Social => "reach out on social media",
        Channel::Newsletter => "send the newsletter",
        Channel::Other => "follow up",
    }
}

/// `call at 10:00 - send the pricing sheet`: a channel, a time and a text, each when present.
fn step_words(
    out: &mut String,
    channel: Option<Channel>,
    time: Option<String>,
    text: &str,
    esc: Escape,
) {
    let mut parts = Vec::new();
    parts.extend(channel.map(|c| c.as_str().to_string()));
    parts.extend(time.map(|t| format!("at {t}")));
    out.push_str(&parts.join(" "));
    if !text.is_empty() {
        if !parts.is_empty() {
            out.push_str(" - ");
        }
        esc(out, text);
    }
}

/// Why the follow-up is due: `you said you would call on 2026-11-18 - the demo` (an overdue
/// promise), `next step: call - ...`, `step 2 of 7: call - ...`, `first follow-up since you met
/// on 2026-11-21`, `new contact: make the first touch`, `every 3w`, `every 3w-6w, late (over
/// 6w)`.
pub fn why_into(out: &mut String, f: &FollowUp<'_>, esc: Escape) {
    match (f.reason, f.next) {
        (Reason::Next, Some(n)) => {
            let time = n.time.map(|t| t.format("%H:%M").to_string());
            if f.overdue {
                // A broken promise in the making, worded as the promise.
                let how = n.channel.map_or("follow up", promise_verb);
                let _ = write!(out, "you said you would {how} on {}", n.date);
                if let Some(t) = time {
                    let _ = write!(out, " at {t}");
                }
                if !n.text.is_empty() {
                    out.push_str(" - ");
                    esc(out, &n.text);
                }
                return;
            }
            out.push_str("next step");
            if n.channel.is_some() || time.is_some() || !n.text.is_empty() {
                out.push_str(": ");
                step_words(out, n.channel, time, &n.text, esc);
            }
        }
        (Reason::Next, None) => out.push_str("next step"),
        (Reason::Sequence, _) => match f.step {
            Some(step) if step.channel.is_none() && step.text.is_empty() => {
                let _ = write!(
                    out,
                    "step {} of {} ({} after the last touch)",
                    step.k, step.n, step.interval
                );
            }
            Some(step) => {
                let _ = write!(out, "step {} of {}: ", step.k, step.n);
                step_words(out, step.channel, None, &step.text, esc);
            }
            None => out.push_str("sequence"),
        },
        (Reason::Met, _) => {
            out.push_str("first follow-up since you met");
            if let Some(met) = f.met {
                let _ = write!(out, " on {met}");
            }
        }
        (Reason::New, _) => out.push_str("new contact: make the first touch"),
        (Reason::Cadence, _) => {
            let _ = write!(out, "every {}", f.cadence);
            if f.late
                && let Some(late) = f.cadence.late_after()
            {
                let _ = write!(out, ", late (over {late})");
            }
        }
    }
}

/// How to follow up, each part after `sep`: `try: email, with something personal: sailing`
/// (the channel unless the reason names it; what to send when a personal touch is called
/// for), then `cards this year 1/7` for a stage with a card target, `(behind)` when behind
/// its pace and the suggestion is not already a card.
pub fn how_into(out: &mut String, f: &FollowUp<'_>, sep: &str, esc: Escape) {
    let named = f.reason_names_channel();
    if !named {
        let _ = write!(out, "{sep}try: {}", f.suggest);
        if let (Suggest::Sequence, Some(step)) = (f.suggest_reason, f.step) {
            let _ = write!(out, " (step {} of {})", step.k, step.n);
        }
    }
    if let Some(interest) = f.personal {
        out.push_str(if named { sep } else { ", with " });
        out.push_str("something personal: ");
        esc(out, interest);
    }
    if let Some(c) = f.cards {
        let _ = write!(out, "{sep}cards this year {}/{}", c.sent, c.target);
        if c.behind && f.suggest != Channel::Card {
            out.push_str(" (behind)");
        }
    }
}
