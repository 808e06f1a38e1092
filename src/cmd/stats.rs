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
    let color = use_color(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    super::print_stdout(&crate::stats::render_terminal(&s, color))?;
    Ok(Code::Success)
}

/// Colour only in a terminal, and only when `NO_COLOR` is unset or empty (no-color.org).
fn use_color(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::use_color;
    use std::ffi::OsStr;

    #[test]
    fn colour_in_a_terminal_unless_no_color_is_set() {
        assert!(use_color(true, None));
        assert!(use_color(true, Some(OsStr::new(""))));
        assert!(!use_color(true, Some(OsStr::new("1"))));
        assert!(!use_color(false, None));
    }
}
