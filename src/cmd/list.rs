//! `touchbase list`: every contact on one line (name, stage, touches, last touch, due date),
//! sorted by name; `--json` for scripts.

use anyhow::Result;
use serde::Serialize;

use super::{Context, Loaded};
use crate::cli::ListArgs;
use crate::exit::Code;
use crate::lookup::fold;
use crate::term::clean;

#[derive(Serialize)]
struct Row {
    name: String,
    path: String,
    stage: String,
    owner: Option<String>,
    touches: usize,
    last_touch: Option<Last>,
    due: Option<String>,
}

#[derive(Serialize)]
struct Last {
    date: String,
    channel: &'static str,
}

pub fn run(ctx: &Context, args: &ListArgs) -> Result<Code> {
    let loaded = Loaded::open(ctx)?;
    let config = &loaded.vault.config;
    let stage = args.stage.as_deref().map(fold);
    let tag = args.tag.as_deref().map(fold);
    let owner = crate::owner::Owner::from_arg(args.owner.as_deref());
    if let Some(warning) = owner
        .as_ref()
        .and_then(|o| crate::owner::unknown(o, loaded.cache.contacts()))
    {
        eprintln!("warning: {}", clean(&warning));
    }
    let mut contacts: Vec<&crate::model::Contact> =
        crate::owner::filter(loaded.cache.contacts(), owner.as_ref())
            .filter(|c| stage.as_ref().is_none_or(|s| fold(&c.stage) == *s))
            .filter(|c| {
                tag.as_ref()
                    .is_none_or(|t| c.tags.iter().any(|x| fold(x) == *t))
            })
            .collect();
    contacts.sort_by(|a, b| {
        fold(&a.name)
            .cmp(&fold(&b.name))
            .then_with(|| a.path.cmp(&b.path))
    });
    let rows: Vec<Row> = contacts
        .iter()
        .map(|c| {
            let s = crate::schedule::status(c, ctx.today, config);
            Row {
                name: c.name.clone(),
                path: c.path.clone(),
                stage: c.stage.clone(),
                owner: c.owner.clone(),
                touches: s.touches,
                last_touch: s.last.as_ref().map(|t| Last {
                    date: t.date.to_string(),
                    channel: t.channel.as_str(),
                }),
                due: s.due.map(|d| d.to_string()),
            }
        })
        .collect();
    if args.json {
        super::print_stdout(&format!("{}\n", serde_json::to_string_pretty(&rows)?))?;
        return Ok(Code::Success);
    }
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                clean(&r.name).into_owned(),
                clean(&r.stage).into_owned(),
                r.touches.to_string(),
                r.last_touch
                    .as_ref()
                    .map_or_else(|| "-".to_string(), |l| format!("{} {}", l.date, l.channel)),
                r.due.clone().unwrap_or_else(|| "not scheduled".to_string()),
            ]
        })
        .collect();
    let header = ["name", "stage", "touches", "last touch", "due"].map(String::from);
    let width = |i: usize| {
        std::iter::once(&header)
            .chain(&cells)
            .map(|row| row[i].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..5).map(width).collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&cells) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    // A closed pipe (`touchbase list | head`) is not an error.
    super::print_stdout(&out)?;
    if rows.is_empty() && !ctx.quiet {
        eprintln!("no contacts match");
    }
    Ok(Code::Success)
}
