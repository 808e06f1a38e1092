//! `due --json`: the agenda as one JSON object (SPEC section 6).

use serde::Serialize;

use crate::model::Touch;
use crate::schedule::{Agenda, Item};

#[derive(Serialize)]
struct Out<'a> {
    today: String,
    items: Vec<JsonItem<'a>>,
    dates: Vec<JsonDate<'a>>,
    no_next_step: Vec<JsonNoNextStep<'a>>,
    going_cold: Vec<JsonCold<'a>>,
    problems: Vec<JsonProblem<'a>>,
}

#[derive(Serialize)]
struct JsonNoNextStep<'a> {
    name: &'a str,
    path: &'a str,
    last_touch: JsonTouch<'a>,
}

#[derive(Serialize)]
struct JsonCold<'a> {
    name: &'a str,
    path: &'a str,
    touches: usize,
    days_overdue: i64,
}

#[derive(Serialize)]
struct JsonCards {
    this_year: usize,
    target: u32,
    behind: bool,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    name: &'a str,
    path: &'a str,
    company: Option<&'a str>,
    stage: &'a str,
    due: String,
    bucket: &'static str,
    reason: &'static str,
    days_overdue: i64,
    touches: usize,
    last_touch: Option<JsonTouch<'a>>,
    next: Option<JsonNext<'a>>,
    cadence: String,
    snoozed: bool,
    suggest: &'static str,
    suggest_reason: &'static str,
    /// The follow-up's touch number (`touches + 1`).
    touch: usize,
    open: bool,
    step: Option<[usize; 2]>,
    late: bool,
    personal: Option<&'a str>,
    cards: Option<JsonCards>,
    /// Place in the day's work (overdue and today items); `null` for upcoming ones.
    rank: Option<usize>,
    /// The links to act on it (SPEC 11), the suggested channel's first.
    actions: Vec<JsonAction<'a>>,
}

#[derive(Serialize)]
struct JsonAction<'a> {
    kind: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct JsonTouch<'a> {
    date: String,
    channel: &'static str,
    text: &'a str,
}

#[derive(Serialize)]
struct JsonNext<'a> {
    date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<String>,
    channel: Option<&'static str>,
    text: &'a str,
}

#[derive(Serialize)]
struct JsonDate<'a> {
    name: &'a str,
    path: &'a str,
    label: &'a str,
    date: String,
    in_days: i64,
    suggest: Option<&'static str>,
    mail_by: Option<String>,
}

#[derive(Serialize)]
struct JsonProblem<'a> {
    path: &'a str,
    line: Option<usize>,
    message: String,
}

fn touch(t: &Touch) -> JsonTouch<'_> {
    JsonTouch {
        date: t.date.to_string(),
        channel: t.channel.as_str(),
        text: &t.text,
    }
}

fn item(i: &Item, rank: Option<usize>) -> JsonItem<'_> {
    JsonItem {
        name: &i.name,
        path: &i.path,
        company: i.company.as_deref(),
        stage: &i.stage,
        due: i.due.to_string(),
        bucket: i.bucket.as_str(),
        reason: i.reason.as_str(),
        days_overdue: i.days_overdue,
        touches: i.touches,
        last_touch: i.last_touch.as_ref().map(touch),
        next: i.next.as_ref().map(|n| JsonNext {
            date: n.date.to_string(),
            time: n.time.map(|t| t.format("%H:%M").to_string()),
            channel: n.channel.map(|c| c.as_str()),
            text: &n.text,
        }),
        cadence: i.cadence.to_string(),
        snoozed: i.snoozed,
        suggest: i.suggest.as_str(),
        suggest_reason: i.suggest_reason.as_str(),
        touch: i.touches + 1,
        open: i.open,
        step: i.step.as_ref().map(|s| [s.k, s.n]),
        late: i.late,
        personal: i.personal.as_deref(),
        cards: i.cards.map(|c| JsonCards {
            this_year: c.sent,
            target: c.target,
            behind: c.behind,
        }),
        rank,
        actions: (i.actions.get().map_or(&[][..], Vec::as_slice).iter())
            .map(|a| JsonAction {
                kind: a.kind.as_str(),
                url: &a.url,
            })
            .collect(),
    }
}

/// The agenda as pretty-printed JSON with a final newline.
pub fn render_json(a: &Agenda) -> String {
    let out = Out {
        today: a.today.to_string(),
        items: a
            .items
            .iter()
            .zip(a.ranks())
            .map(|(i, r)| item(i, r))
            .collect(),
        dates: a
            .dates
            .iter()
            .map(|d| JsonDate {
                name: &d.name,
                path: &d.path,
                label: &d.label,
                date: d.date.to_string(),
                in_days: d.in_days,
                suggest: d.mail_by.map(|_| "card"),
                mail_by: d.mail_by.map(|m| m.to_string()),
            })
            .collect(),
        no_next_step: a
            .no_next_step
            .iter()
            .map(|n| JsonNoNextStep {
                name: &n.name,
                path: &n.path,
                last_touch: touch(&n.last_touch),
            })
            .collect(),
        going_cold: a
            .going_cold
            .iter()
            .map(|c| JsonCold {
                name: &c.name,
                path: &c.path,
                touches: c.touches,
                days_overdue: c.days_overdue,
            })
            .collect(),
        problems: a
            .problems
            .iter()
            .map(|p| JsonProblem {
                path: &p.path,
                line: p.line,
                message: p.kind.to_string(),
            })
            .collect(),
    };
    // Serializing plain structs of strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
    s.push('\n');
    s
}
