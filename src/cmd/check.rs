//! `touchbase check`: every problem in the vault, with path and line; exit 1 if any.

use anyhow::Result;

use super::Context;
use crate::exit::Code;
use crate::render::plural;

pub fn run(ctx: &Context) -> Result<Code> {
    let vault = ctx.open_vault()?;
    let (contacts, problems) = vault.load();
    let agenda = crate::schedule::agenda(&contacts, problems, ctx.today, &vault.config);
    let mut stages: Vec<(&str, &str)> = contacts
        .iter()
        .filter(|c| !vault.config.knows_stage(&c.stage))
        .map(|c| (c.path.as_str(), c.stage.as_str()))
        .collect();
    stages.sort_unstable();
    for (path, stage) in &stages {
        println!(
            "{path}: warning: stage \"{stage}\" is not defined in {}: the default cadence applies",
            crate::config::FILE_NAME
        );
    }
    for p in &agenda.problems {
        println!("{p}");
    }
    if agenda.problems.is_empty() {
        if !ctx.quiet {
            println!(
                "no problems in {}",
                plural(contacts.len(), "contact", "contacts")
            );
        }
        Ok(Code::Success)
    } else {
        eprintln!(
            "{} in {}",
            plural(agenda.problems.len(), "problem", "problems"),
            plural(contacts.len(), "contact", "contacts")
        );
        Ok(Code::Failure)
    }
}
