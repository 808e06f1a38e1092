//! `due --json`: the agenda as one JSON object (SPEC section 6).

use serde::Serialize;

use crate::schedule::{Agenda, Item};

#[derive(Serialize)]
struct Out<'a> {
    today: String,
    items: Vec<JsonItem<'a>>,
    dates: Vec<JsonDate<'a>>,
    problems: Vec<JsonProblem<'a>>,
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
}

#[derive(Serialize)]
struct JsonProblem<'a> {
    path: &'a str,
    line: Option<usize>,
    message: String,
}

fn item(i: &Item) -> JsonItem<'_> {
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
        last_touch: i.last_touch.as_ref().map(|t| JsonTouch {
            date: t.date.to_string(),
            channel: t.channel.as_str(),
            text: &t.text,
        }),
        next: i.next.as_ref().map(|n| JsonNext {
            date: n.date.to_string(),
            time: n.time.map(|t| t.format("%H:%M").to_string()),
            channel: n.channel.map(|c| c.as_str()),
            text: &n.text,
        }),
        cadence: i.cadence.to_string(),
        snoozed: i.snoozed,
        suggest: i.suggest.as_str(),
    }
}

/// The agenda as pretty-printed JSON with a final newline.
pub fn render_json(a: &Agenda) -> String {
    let out = Out {
        today: a.today.to_string(),
        items: a.items.iter().map(|i| item(i)).collect(),
        dates: a
            .dates
            .iter()
            .map(|d| JsonDate {
                name: &d.name,
                path: &d.path,
                label: &d.label,
                date: d.date.to_string(),
                in_days: d.in_days,
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
