//! `touchbase show CONTACT`: the card, the timeline newest first, the due date and reason.

use std::fmt::Write as _;

use anyhow::Result;

use super::{Context, Loaded, due_words};
use crate::cli::ShowArgs;
use crate::exit::Code;
use crate::model::Contact;
use crate::schedule::{Outcome, Status, promises, status, timeline};
use crate::term;

pub fn run(ctx: &Context, args: &ShowArgs) -> Result<Code> {
    let loaded = Loaded::open(ctx)?;
    let contact = loaded.find(&args.contact)?;
    let s = status(contact, ctx.today, &loaded.vault.config);
    let all: Vec<&Contact> = loaded.cache.contacts().collect();
    let referred = crate::stats::referrals_of(&all, contact);
    let mut text = card(contact, &s, ctx.today, &referred);
    let problems: Vec<String> = loaded
        .cache
        .problems()
        .iter()
        .filter(|p| p.path == contact.path)
        .map(|p| term::clean(&p.to_string()).into_owned())
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

/// The text `show` prints. Pure, for tests. Every value from the contact's file goes through
/// [`term::clean`], so it stays on its line and cannot drive the terminal. `referred` are the
/// contacts whose `referred_by` names this one.
pub fn card(
    c: &Contact,
    s: &Status<'_>,
    today: chrono::NaiveDate,
    referred: &[&Contact],
) -> String {
    let t = term::clean;
    let mut out = String::new();
    let mut title = vec![t(&c.name)];
    title.extend(c.title.as_deref().map(t));
    title.extend(c.company.as_deref().map(t));
    let _ = writeln!(out, "{}", title.join(" · "));
    let _ = writeln!(out, "{}", t(&c.path));
    let _ = writeln!(out, "stage: {} · cadence: {}", t(&c.stage), s.cadence);
    for (label, value) in [
        ("email", &c.email),
        ("phone", &c.phone),
        ("referred by", &c.referred_by),
    ] {
        if let Some(v) = value {
            let _ = writeln!(out, "{label}: {}", t(v));
        }
    }
    if !referred.is_empty() {
        let names: Vec<_> = referred.iter().map(|r| t(&r.name)).collect();
        let _ = writeln!(out, "referred: {}", names.join(", "));
    }
    let list = |items: &[String]| items.iter().map(|i| t(i)).collect::<Vec<_>>().join(", ");
    if !c.interests.is_empty() {
        let _ = writeln!(out, "interests: {}", list(&c.interests));
    }
    if !c.tags.is_empty() {
        let _ = writeln!(out, "tags: {}", list(&c.tags));
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
                format!(" - {}", t(&n.text))
            };
            let _ = writeln!(out, "next step: {}{ch}{text}", n.date);
        }
        None => {
            let _ = writeln!(out, "next step: none agreed");
        }
    }
    let _ = writeln!(out, "{}", t(&due_words(s, today)));
    promises_into(&mut out, c, today);
    let touches = timeline(c, today);
    match touches.len() {
        0 => out.push_str("\nno touches yet\n"),
        1 => out.push_str("\n1 touch:\n"),
        n => {
            let _ = writeln!(out, "\n{n} touches (newest first):");
        }
    }
    for touch in touches.iter().rev() {
        let time = touch
            .time
            .map(|t| format!(" {}", t.format("%H:%M")))
            .unwrap_or_default();
        // Where a touch comes from when it is not a heading of this file (SPEC 10).
        let from = match &touch.origin {
            crate::model::Origin::Heading => String::new(),
            crate::model::Origin::Field(key) => format!("(front matter: {})", t(key)),
            crate::model::Origin::Note(path) => format!("(from {})", t(path)),
        };
        let text = match (touch.text.is_empty(), from.is_empty()) {
            (_, true) => t(&touch.text).into_owned(),
            (true, false) => from,
            (false, false) => format!("{} {from}", t(&touch.text)),
        };
        let _ = writeln!(
            out,
            "  {}{time}  {:<10} {text}",
            touch.date,
            t(touch.label()),
        );
    }
    // Trailing spaces from empty texts are noise in a terminal.
    out.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The promises section: each next step agreed, oldest first, and whether it was kept on time
/// and by the promised channel (SPEC section 9).
fn promises_into(out: &mut String, c: &Contact, today: chrono::NaiveDate) {
    let all = promises(c, today);
    if all.is_empty() {
        return;
    }
    let kept = all
        .iter()
        .filter(|p| matches!(p.outcome, Outcome::Kept(_)))
        .count();
    let broken = all
        .iter()
        .filter(|p| matches!(p.outcome, Outcome::Broken { .. }))
        .count();
    let _ = writeln!(
        out,
        "\npromises: {kept} kept, {broken} broken, {} open",
        all.len() - kept - broken
    );
    for p in &all {
        let step = &p.step;
        let mut what = step.date.to_string();
        if let Some(time) = step.time {
            let _ = write!(what, " {}", time.format("%H:%M"));
        }
        if let Some(ch) = step.channel {
            let _ = write!(what, " {ch}");
        }
        if !step.text.is_empty() {
            let _ = write!(what, " - {}", term::clean(&step.text));
        }
        let verdict = match &p.outcome {
            Outcome::Pending => match (step.date - today).num_days() {
                0 => "due today".to_string(),
                1 => "due tomorrow".to_string(),
                -1 => "not kept yet: 1 day overdue".to_string(),
                d if d < 0 => format!("not kept yet: {} days overdue", -d),
                d => format!("due in {d} days"),
            },
            Outcome::Kept(t) => format!("kept: {} on {}", term::clean(t.label()), t.date),
            Outcome::Broken {
                touch,
                late_days,
                other_channel,
            } => {
                let mut why = Vec::new();
                if *late_days > 0 {
                    why.push(if *late_days == 1 {
                        "1 day late".to_string()
                    } else {
                        format!("{late_days} days late")
                    });
                }
                if *other_channel {
                    why.push(format!("by {} instead", term::clean(touch.label())));
                }
                format!(
                    "broken: {} on {} ({})",
                    term::clean(touch.label()),
                    touch.date,
                    why.join(", ")
                )
            }
        };
        let made = p.made.as_ref().map_or_else(
            || "set in the front matter".to_string(),
            |m| format!("agreed {}", m.date),
        );
        let _ = writeln!(out, "  {what}: {verdict} ({made})");
    }
}
