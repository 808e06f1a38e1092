//! `touchbase due`: write DUE.md (or print it, or print JSON) and a one-line summary.

use anyhow::Result;

use super::{Context, print_stdout};
use crate::cli::DueArgs;
use crate::exit::Code;
use crate::render::{self, plural};
use crate::schedule::{Agenda, Bucket};
use crate::term;
use crate::vault::Written;

pub fn run(ctx: &Context, args: &DueArgs) -> Result<Code> {
    let vault = ctx.open_vault()?;
    let mut cache = ctx.load(&vault);
    if args.json || args.stdout {
        let agenda = vault.agenda_from(&mut cache, ctx.today);
        let text = if args.json {
            vault.fill_actions(&cache, &agenda, &agenda.items.iter().collect::<Vec<_>>());
            render::render_json(&agenda)
        } else {
            vault.fill_actions(&cache, &agenda, &agenda.listed());
            render::render_due(&agenda, vault.config.link_style())
        };
        print_stdout(&text)?;
        exit_without_freeing(cache, agenda);
        return Ok(Code::Success);
    }
    let (agenda, written) = vault.rebuild(&mut cache, ctx.today)?;

    for p in &agenda.problems {
        eprintln!("warning: {}", term::clean(&p.to_string()));
    }
    if !ctx.quiet {
        let status = if written == Written::Unchanged {
            " (unchanged)"
        } else {
            ""
        };
        println!(
            "{} -> {}{status}",
            summary(&agenda),
            term::clean(&vault.config.agenda_file)
        );
        if agenda.contacts == 0 {
            eprintln!("touchbase: {}", render::NO_CONTACTS);
        }
    }
    exit_without_freeing(cache, agenda);
    Ok(Code::Success)
}

/// The process ends right after `due`, and the operating system takes its memory back at once;
/// freeing a large vault's parsed files one by one first took a sixth of a cached run.
fn exit_without_freeing(cache: crate::vault::Cache, agenda: Agenda) {
    std::mem::forget(cache);
    std::mem::forget(agenda);
}

/// `3 overdue, 2 today, 5 upcoming, 2 no next step, 1 going cold, 1 problem`.
pub fn summary(a: &Agenda) -> String {
    let mut parts = vec![
        format!("{} overdue", a.count(Bucket::Overdue)),
        format!("{} today", a.count(Bucket::Today)),
        format!("{} upcoming", a.count(Bucket::Upcoming)),
    ];
    if !a.no_next_step.is_empty() {
        parts.push(format!("{} no next step", a.no_next_step.len()));
    }
    if !a.going_cold.is_empty() {
        parts.push(format!("{} going cold", a.going_cold.len()));
    }
    if !a.dates.is_empty() {
        parts.push(plural(a.dates.len(), "date", "dates"));
    }
    if !a.problems.is_empty() {
        parts.push(plural(a.problems.len(), "problem", "problems"));
    }
    parts.join(", ")
}
