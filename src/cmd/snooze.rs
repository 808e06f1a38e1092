//! `touchbase snooze CONTACT DATE`: set `snooze:` in a contact's front matter, with the same safe
//! edit as `log` (the write lock, a settled read, an atomic switch that keeps another program's
//! save).

use anyhow::{Context as _, Result, bail};

use super::{Context, Loaded, say_due};
use crate::cli::SnoozeArgs;
use crate::edit;
use crate::exit::{Code, usage};
use crate::parse;
use crate::term::clean;
use crate::vault;

pub fn run(ctx: &Context, args: &SnoozeArgs) -> Result<Code> {
    let typed = args.date.join(" ");
    let Some(until) = crate::typed::date(&typed, ctx.today) else {
        return Err(usage(format!(
            "\"{typed}\" is not a date: use {}",
            crate::typed::FORMS
        )));
    };
    if until <= ctx.today {
        return Err(usage(format!(
            "{until} is not after today ({}): snooze until a later date",
            ctx.today
        )));
    }
    let loaded = Loaded::open(ctx)?;
    let config = &loaded.vault.config;
    let contact = loaded.find(&args.contact)?;
    let rel = contact.path.clone();
    let mut updated = None;
    vault::edit_file(
        &loaded.vault.canon,
        &loaded.vault.canon.join(&rel),
        |original| {
            let (bom, text) = super::log::split_bom(original)
                .with_context(|| format!("{rel} is not UTF-8 text"))?;
            if parse::has_lone_cr(text) {
                bail!("{rel} has old Mac line endings: touchbase reads it but does not edit it");
            }
            let new_text = edit::set_key(text, "snooze", &until.to_string())
                .map_err(|e| anyhow::anyhow!("{rel}: {e}"))?
                .apply(text);
            let mut bytes = bom.to_vec();
            bytes.extend_from_slice(new_text.as_bytes());
            let parsed = config.parse(&rel, &bytes);
            match parsed.contact {
                Some(c) if c.snooze == Some(until) => updated = Some(c),
                _ => bail!("{rel}: the file would not read back as intended: nothing was written"),
            }
            Ok(bytes)
        },
    )?;
    let Some(updated) = updated else {
        bail!("{rel}: nothing was written");
    };
    if !ctx.quiet {
        println!("{}: snooze: {until}", clean(&rel));
        say_due(&loaded.cache.with_notes(updated), ctx.today, config);
    }
    Ok(Code::Success)
}
