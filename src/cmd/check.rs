//! `touchbase check`: every problem in the vault, with path and line; exit 1 if any.

use anyhow::Result;

use super::{Context, Loaded};
use crate::cli::CheckArgs;
use crate::exit::Code;
use crate::render::plural;
use crate::term;

/// A line of `check`'s report, kept until the end: a closed pipe (`check | head`) is no error.
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

pub fn run(ctx: &Context, args: &CheckArgs) -> Result<Code> {
    if let Some(path) = &args.explain {
        return super::explain::run(ctx, path);
    }
    let mut loaded = Loaded::open(ctx)?;
    let mut out = String::new();
    let agenda = loaded.vault.agenda_from(&mut loaded.cache, ctx.today);
    let mut stages: Vec<(&str, &str)> = loaded
        .cache
        .contacts()
        .filter(|c| !loaded.vault.config.knows_stage(&c.stage))
        .map(|c| (c.path.as_str(), c.stage.as_str()))
        .collect();
    stages.sort_unstable();
    for (path, stage) in &stages {
        outln!(
            out,
            "{}: warning: stage \"{}\" is not defined in {}: the default cadence applies",
            term::clean(path),
            term::clean(stage),
            crate::config::FILE_NAME
        );
    }
    // A `contacts.folders` entry that names no folder is most often a typo (or the wrong case).
    for folder in &loaded.vault.config.reading.folders {
        if !folder.is_empty() && !loaded.vault.canon.join(folder).is_dir() {
            outln!(
                out,
                "{}: warning: contacts.folders names \"{}\", which is not a folder in the vault",
                crate::config::FILE_NAME,
                term::clean(folder)
            );
        }
    }
    // A link in a note's `link_keys` that finds no contact is most often a typo in a name.
    for u in loaded.cache.unresolved_links() {
        let why = if u.candidates.is_empty() {
            "leads to no contact: the touch is not counted".to_string()
        } else {
            format!(
                "could be any of {}: link to one by its path; the touch is not counted",
                u.candidates.join(", ")
            )
        };
        outln!(
            out,
            "{}",
            term::clean(&format!(
                "{}:{}: warning: {}: \"{}\" {why}",
                u.note, u.line, u.key, u.target
            ))
        );
    }
    for p in &agenda.problems {
        outln!(out, "{}", term::clean(&p.to_string()));
    }
    let contacts = plural(agenda.contacts, "contact", "contacts");
    if agenda.problems.is_empty() && !ctx.quiet {
        outln!(out, "no problems in {contacts}");
    }
    super::print_stdout(&out)?;
    if agenda.problems.is_empty() {
        Ok(Code::Success)
    } else {
        eprintln!(
            "{} in {contacts}",
            plural(agenda.problems.len(), "problem", "problems")
        );
        Ok(Code::Failure)
    }
}
