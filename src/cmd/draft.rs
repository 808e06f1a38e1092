//! `touchbase draft CONTACT [--channel C]`: print the drafted message for following up a
//! contact now (SPEC 11): the subject, a blank line, the body.

use anyhow::Result;

use super::{Context, Loaded};
use crate::cli::DraftArgs;
use crate::exit::Code;
use crate::schedule::status;
use crate::term;

pub fn run(ctx: &Context, args: &DraftArgs) -> Result<Code> {
    let loaded = Loaded::open(ctx)?;
    let config = &loaded.vault.config;
    let channel = match &args.channel {
        None => None,
        Some(word) => Some(
            config
                .channels
                .lookup(&word.trim().to_lowercase())
                .ok_or_else(|| {
                    crate::exit::usage(format!(
                        "--channel \"{}\" is not a channel word: call, email, text, meeting, card, \
                     gift, social, newsletter, or a word under [channels] in touchbase.toml",
                        term::clean(word)
                    ))
                })?,
        ),
    };
    let contact = loaded.find(&args.contact)?;
    let s = status(contact, ctx.today, config);
    let d = crate::draft::draft(contact, &s, config, channel);
    // The draft holds text from the contact's file: cleaned line by line, so that no escape
    // sequence reaches the terminal and the lines stay as written.
    let mut text = String::with_capacity(d.subject.len() + d.body.len() + 3);
    text.push_str(&term::clean(&d.subject));
    text.push_str("\n\n");
    for line in d.body.lines() {
        text.push_str(&term::clean(line));
        text.push('\n');
    }
    super::print_stdout(&text)?;
    Ok(Code::Success)
}
