//! `touchbase stats`: the persistence figures of the vault (SPEC section 8), as bar charts in a
//! terminal, plain text in a pipe or with `NO_COLOR`, or JSON with `--json`.

use std::io::IsTerminal;

use anyhow::Result;

use super::{Context, Loaded};
use crate::cli::StatsArgs;
use crate::exit::Code;

pub fn run(ctx: &Context, args: &StatsArgs) -> Result<Code> {
    let loaded = Loaded::open(ctx)?;
    let contacts: Vec<&crate::model::Contact> = loaded.cache.contacts().collect();
    let since = match &args.since {
        None => None,
        Some(typed) => Some(crate::typed::date(typed, ctx.today).ok_or_else(|| {
            crate::exit::usage(format!(
                "--since \"{typed}\" is not a date: use {}",
                crate::typed::FORMS
            ))
        })?),
    };
    let s = crate::stats::stats(&contacts, ctx.today, since, &loaded.vault.config);
    if args.json {
        super::print_stdout(&format!("{}\n", serde_json::to_string_pretty(&s)?))?;
        return Ok(Code::Success);
    }
    let color = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    super::print_stdout(&crate::stats::render_terminal(&s, color))?;
    Ok(Code::Success)
}
