//! `touchbase show CONTACT`: the card, the timeline newest first, the due date and reason.

use std::fmt::Write as _;

use anyhow::Result;

use super::{Context, Loaded, due_words};
use crate::cli::ShowArgs;
use crate::exit::Code;
use crate::model::Contact;
use crate::schedule::{Status, status, timeline};

pub fn run(ctx: &Context, args: &ShowArgs) -> Result<Code> {
    let loaded = Loaded::open(ctx)?;
    let contact = loaded.find(&args.contact)?;
    let s = status(contact, ctx.today, &loaded.vault.config);
    let mut text = card(contact, &s, ctx.today);
    let problems: Vec<String> = loaded
        .cache
        .problems()
        .iter()
        .filter(|p| p.path == contact.path)
        .map(ToString::to_string)
        .collect();
    if !problems.is_empty() {
        text.push_str("\nProblems:\n");
        for p in problems {
            let _ = writeln!(text, "  {p}");
        }
    }
    super::print_stdout(&text)?;
    Ok(Code::Success)
}

/// The text `show` prints. Pure, for tests.
pub fn card(c: &Contact, s: &Status<'_>, today: chrono::NaiveDate) -> String {
    let mut out = String::new();
    let mut title = vec![c.name.clone()];
    title.extend(c.title.clone());
    title.extend(c.company.clone());
    let _ = writeln!(out, "{}", title.join(" · "));
    let _ = writeln!(out, "{}", c.path);
    let _ = writeln!(out, "stage: {} · cadence: {}", c.stage, s.cadence);
    for (label, value) in [
        ("email", &c.email),
        ("phone", &c.phone),
        ("referred by", &c.referred_by),
    ] {
        if let Some(v) = value {
            let _ = writeln!(out, "{label}: {v}");
        }
    }
    if !c.interests.is_empty() {
        let _ = writeln!(out, "interests: {}", c.interests.join(", "));
    }
    if !c.tags.is_empty() {
        let _ = writeln!(out, "tags: {}", c.tags.join(", "));
    }
    if let Some(b) = c.birthday {
        let _ = writeln!(out, "birthday: {:02}-{:02}", b.month, b.day);
    }
    match s.next {
        Some(n) => {
            let ch = n.channel.map(|c| format!(" {c}")).unwrap_or_default();
            let text = if n.text.is_empty() {
                String::new()
            } else {
                format!(" - {}", n.text)
            };
            let _ = writeln!(out, "next step: {}{ch}{text}", n.date);
        }
        None => {
            let _ = writeln!(out, "next step: none agreed");
        }
    }
    let _ = writeln!(out, "{}", due_words(s, today));
    let touches = timeline(c, today);
    let _ = writeln!(
        out,
        "\n{} (newest first):",
        crate::render::plural(touches.len(), "touch", "touches")
    );
    for t in touches.iter().rev() {
        let time = t
            .time
            .map(|t| format!(" {}", t.format("%H:%M")))
            .unwrap_or_default();
        let _ = writeln!(out, "  {}{time}  {:<10} {}", t.date, t.label(), t.text).map(|()| ());
    }
    // Trailing spaces from empty texts are noise in a terminal.
    out.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
