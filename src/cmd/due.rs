//! `touchbase due`: write DUE.md (or print it, or print JSON) and a one-line summary.
//! `--owner` narrows what is printed to one person's agenda; what is written is the same for
//! everyone (DUE.md is shared through git, and must not depend on who ran the command).

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
    let owner = crate::owner::Owner::from_arg(args.owner.as_deref());
    let owner = owner.as_ref();
    if let Some(warning) = owner.and_then(|o| crate::owner::unknown(o, cache.contacts())) {
        eprintln!("warning: {}", term::clean(&warning));
    }
    if args.json || args.stdout {
        let agenda = vault.agenda_for(&mut cache, ctx.today, owner);
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
    let rebuilt = vault.rebuild_all(&mut cache, ctx.today)?;
    let mut agenda = rebuilt.agenda;
    // The owner's own file, when there is one; else everyone's DUE.md, which holds theirs.
    let mut shown = (vault.config.agenda_file.clone(), rebuilt.written);
    if let Some(o) = owner {
        agenda = vault.agenda_for(&mut cache, ctx.today, Some(o));
        if let Some((_, file, w)) = rebuilt.owners.iter().find(|(x, ..)| x == o) {
            shown = (file.clone(), *w);
        }
    }

    for p in &agenda.problems {
        eprintln!("warning: {}", term::clean(&p.to_string()));
    }
    if !ctx.quiet {
        let status = |w: Written| {
            if w == Written::Unchanged {
                " (unchanged)"
            } else {
                ""
            }
        };
        let who = owner.map(|o| format!("{}: ", o.key())).unwrap_or_default();
        println!(
            "{who}{} -> {}{}",
            summary(&agenda),
            term::clean(&shown.0),
            status(shown.1)
        );
        if owner.is_none() && !rebuilt.owners.is_empty() {
            let changed = rebuilt
                .owners
                .iter()
                .filter(|(.., w)| *w == Written::Changed)
                .count();
            let agenda_file = &vault.config.agenda_file;
            let stem = agenda_file.strip_suffix(".md").unwrap_or(agenda_file);
            println!(
                "{} -> {}-<owner>.md ({})",
                plural(rebuilt.owners.len(), "owner agenda", "owner agendas"),
                term::clean(stem),
                if changed == 0 {
                    "unchanged".to_string()
                } else {
                    format!("{changed} written")
                }
            );
        }
        for rel in &rebuilt.removed {
            println!("removed {}: no contact has its owner", term::clean(rel));
        }
        // With problems, the files that would be contacts are listed as problems instead.
        if agenda.contacts == 0 && agenda.problems.is_empty() {
            match owner {
                Some(o) if cache.contacts().next().is_some() => eprintln!(
                    "touchbase: no contact has the owner {} or none (owners are matched by name, \
                     ignoring case and accents)",
                    o.key()
                ),
                _ => eprintln!("touchbase: {}", render::NO_CONTACTS),
            }
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
