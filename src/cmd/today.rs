//! `touchbase today`: a guided follow-up session in the terminal (SPEC 11). One due contact at a
//! time, in the agenda's order: its card, its last touches, the suggestion and a drafted
//! message; then one key records what happened. Every write goes through `log` and `snooze`
//! themselves, so a session writes exactly as those commands do.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, bail};
use console::{Key, Term};

use super::{Context, Loaded, due_words};
use crate::cli::{LogArgs, SnoozeArgs, TodayArgs};
use crate::exit::Code;
use crate::model::Contact;
use crate::schedule::{status, timeline};
use crate::term::clean;

/// The keys, as the session shows them.
const KEYS: &str =
    "d done · v voicemail · n next step · s snooze · o open · e edit · k skip · q quit";

/// What the session did, for its summary, and the channel of the link opened with `o` for the
/// contact on the screen (`d` and `n` log it).
#[derive(Debug, Default)]
struct Tally {
    opened: Option<&'static str>,
    logged: usize,
    with_next: usize,
    snoozed: usize,
    skipped: usize,
}

/// What one key asks for.
enum Step {
    /// Go on to the next contact.
    Next,
    /// Show the same contact again (after an edit, an opened link, a failed write).
    Again,
    Quit,
}

pub fn run(ctx: &Context, args: &TodayArgs) -> Result<Code> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        bail!(
            "touchbase today is an interactive session and needs a terminal; without one, read \
             the agenda with `touchbase due --stdout` and record touches with `touchbase log`"
        );
    }
    let term = Term::stdout();
    // The cursor and the terminal's mode come back whatever happens, Ctrl-C included: keys are
    // read in raw mode, where Ctrl-C is a key (it quits), and console restores the mode itself.
    // A Ctrl-C at another moment (while a touch is written) ends the session after that write.
    let _restore = Restore(term.clone());
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    let paths = due_paths(ctx, args)?;
    let mut tally = Tally::default();
    let total = paths.len();
    if total == 0 {
        term.write_line("Nothing due today: no one to follow up. Well done.")?;
        return Ok(Code::Success);
    }
    let mut done = 0;
    'contacts: for (n, path) in paths.iter().enumerate() {
        tally.opened = None;
        loop {
            // Read again each time: a write or an edit changes what the card says.
            let loaded = Loaded::open(ctx)?;
            let Some(c) = loaded.cache.contacts().find(|c| &c.path == path) else {
                break;
            };
            let s = status(c, ctx.today, &loaded.vault.config);
            let draft = crate::draft::draft(c, &s, &loaded.vault.config, None);
            term.write_line(&card(c, &s, &draft, ctx.today, n + 1, total))?;
            term.write_line(KEYS)?;
            if INTERRUPTED.load(Ordering::SeqCst) {
                break 'contacts;
            }
            let key = match term.read_key() {
                Ok(key) => key,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Key::CtrlC,
                Err(e) => return Err(e.into()),
            };
            let step = act(ctx, &term, c, &s, &draft, key, &mut tally)?;
            match step {
                Step::Next => {
                    done = n + 1;
                    break;
                }
                Step::Again => {}
                Step::Quit => break 'contacts,
            }
        }
    }
    term.write_line(&summary(&tally, total - done))?;
    Ok(Code::Success)
}

/// The paths of the contacts to follow up today, in the agenda's order: with `agenda.per_day`,
/// the day's ranked list; without it, overdue (broken promises first) then today.
fn due_paths(ctx: &Context, args: &TodayArgs) -> Result<Vec<String>> {
    let mut loaded = Loaded::open(ctx)?;
    // With an owner, theirs and the unassigned ones, as `due --owner` lists them.
    let owner = crate::owner::Owner::from_arg(args.owner.as_deref());
    if let Some(warning) = owner
        .as_ref()
        .and_then(|o| crate::owner::unknown(o, loaded.cache.contacts()))
    {
        println!("warning: {}", clean(&warning));
    }
    let agenda = loaded
        .vault
        .agenda_for(&mut loaded.cache, ctx.today, owner.as_ref());
    Ok(agenda
        .due_now()
        .into_iter()
        .map(|i| i.path.clone())
        .collect())
}

/// Do what `key` says for contact `c`.
fn act(
    ctx: &Context,
    term: &Term,
    c: &Contact,
    s: &crate::schedule::Status<'_>,
    draft: &crate::draft::Draft,
    key: Key,
    tally: &mut Tally,
) -> Result<Step> {
    let log = |channel: &str, text: &str, next: Option<String>| LogArgs {
        contact: c.path.clone(),
        channel: channel.to_string(),
        text: if text.is_empty() {
            Vec::new()
        } else {
            vec![text.to_string()]
        },
        date: None,
        notes: Vec::new(),
        as_typed: true,
        again: false,
        keep_next: false,
        next,
    };
    // Done through the link just opened (an email written, a number dialled), else the
    // suggested channel.
    let suggested = tally.opened.unwrap_or(s.suggest.as_str());
    let outcome = match key {
        Key::Char('d') => written(super::log::run(ctx, &log(suggested, &draft.subject, None)))
            .map(|()| tally.logged += 1),
        Key::Char('v') => written(super::log::run(ctx, &log("call", "voicemail", None)))
            .map(|()| tally.logged += 1),
        Key::Char('n') => {
            let Some(next) = ask(
                term,
                "Next step (DATE [channel] [- text], e.g. fri call - the quote)",
            )?
            else {
                return Ok(Step::Again);
            };
            written(super::log::run(
                ctx,
                &log(suggested, &draft.subject, Some(next)),
            ))
            .map(|()| {
                tally.logged += 1;
                tally.with_next += 1;
            })
        }
        Key::Char('s') => {
            let Some(date) = ask(term, "Snooze until (DATE: fri, +2w, 2026-12-01)")? else {
                return Ok(cancelled());
            };
            let args = SnoozeArgs {
                contact: c.path.clone(),
                date: vec![date],
            };
            written(super::snooze::run(ctx, &args)).map(|()| tally.snoozed += 1)
        }
        Key::Char('o') => {
            tally.opened = open(term, c, s, draft)?.or(tally.opened);
            return Ok(Step::Again);
        }
        Key::Char('e') => {
            edit(term, ctx, c)?;
            return Ok(Step::Again);
        }
        Key::Char('k') => {
            tally.skipped += 1;
            Ok(())
        }
        Key::Char('q') | Key::Escape | Key::CtrlC => return Ok(Step::Quit),
        _ => return Ok(Step::Again),
    };
    match outcome {
        Ok(()) => Ok(Step::Next),
        Err(e) => {
            // A refused write (the file changed, a bad date) is said, and the contact stays.
            term.write_line(&format!("touchbase: {}", clean(&format!("{e:#}"))))?;
            Ok(Step::Again)
        }
    }
}

/// After a prompt left empty (the contact again) or cut short by Ctrl-C (the session ends).
fn cancelled() -> Step {
    if INTERRUPTED.load(Ordering::SeqCst) {
        Step::Quit
    } else {
        Step::Again
    }
}

/// Set by Ctrl-C (SIGINT) outside a key read.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// A command's result as a write that happened or an error that says why not.
fn written(result: Result<Code>) -> Result<()> {
    match result? {
        Code::Success => Ok(()),
        _ => bail!("nothing was written"),
    }
}

/// A line typed by the user; `None` when it is left empty or the prompt is cancelled.
fn ask(term: &Term, prompt: &str) -> Result<Option<String>> {
    let answer = dialoguer::Input::<String>::new()
        .with_prompt(prompt)
        .allow_empty(true)
        .interact_text_on(term);
    match answer {
        Ok(text) if text.trim().is_empty() => Ok(None),
        Ok(text) => Ok(Some(text.trim().to_string())),
        Err(dialoguer::Error::IO(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
            INTERRUPTED.store(true, Ordering::SeqCst);
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Open the suggested channel's action link with the system's opener (`TOUCHBASE_OPENER`, else
/// `open` on macOS, `xdg-open` elsewhere). Returns the channel of the link opened.
fn open(
    term: &Term,
    c: &Contact,
    s: &crate::schedule::Status<'_>,
    draft: &crate::draft::Draft,
) -> Result<Option<&'static str>> {
    let Some(action) = crate::actions::actions(c, s.suggest, draft)
        .into_iter()
        .next()
    else {
        term.write_line("no link to open: the contact has no email or phone")?;
        return Ok(None);
    };
    let opener = std::env::var("TOUCHBASE_OPENER").unwrap_or_else(|_| {
        if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        }
        .to_string()
    });
    match std::process::Command::new(&opener)
        .arg(&action.url)
        .status()
    {
        Ok(status) if status.success() => {
            term.write_line(&format!(
                "opened {} (d logs it as {})",
                clean(&action.url),
                action.kind.as_str()
            ))?;
            return Ok(Some(action.kind.as_str()));
        }
        Ok(status) => term.write_line(&format!("{opener} failed ({status})"))?,
        Err(e) => term.write_line(&format!("cannot run {opener}: {e}"))?,
    }
    Ok(None)
}

/// Open the contact's file in `$VISUAL` or `$EDITOR` (else `vi`), and wait for it.
fn edit(term: &Term, ctx: &Context, c: &Contact) -> Result<()> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".to_string());
    let root = ctx.vault_root()?;
    let path = root.join(&c.path);
    // The editor's command may hold arguments (`code --wait`).
    let mut words = editor.split_whitespace();
    let Some(program) = words.next() else {
        return Ok(());
    };
    if let Err(e) = std::process::Command::new(program)
        .args(words)
        .arg(&path)
        .status()
    {
        term.write_line(&format!("cannot run {program}: {e}"))?;
    }
    Ok(())
}

/// The card: who, why now, how, the last touches and the draft. Text from the vault is cleaned.
fn card(
    c: &Contact,
    s: &crate::schedule::Status<'_>,
    draft: &crate::draft::Draft,
    today: chrono::NaiveDate,
    n: usize,
    total: usize,
) -> String {
    let mut out = String::new();
    let mut title = vec![clean(&c.name)];
    title.extend(c.company.as_deref().map(clean));
    let _ = writeln!(
        out,
        "\n[{n}/{total}] {} · {}",
        title.join(" · "),
        clean(&c.stage)
    );
    for (label, value) in [("email", &c.email), ("phone", &c.phone)] {
        if let Some(v) = value {
            let _ = writeln!(out, "  {label}: {}", clean(v));
        }
    }
    let _ = writeln!(out, "  {}", due_words(s, today));
    let touches = timeline(c, today);
    for t in touches.iter().rev().take(3) {
        let _ = writeln!(
            out,
            "  {}  {:<10} {}",
            t.date,
            clean(t.label()),
            clean(&t.text)
        );
    }
    let _ = writeln!(out, "  draft: {}", clean(&draft.subject));
    for line in draft.body.lines() {
        let _ = writeln!(out, "  | {}", clean(line));
    }
    out
}

/// `today: 3 touches logged (1 with a next step), 1 snoozed, 1 skipped; 2 not reached`.
fn summary(t: &Tally, not_reached: usize) -> String {
    let plural = crate::render::plural;
    let mut parts = vec![plural(t.logged, "touch logged", "touches logged")];
    if t.with_next > 0 {
        parts[0].push_str(&format!(" ({} with a next step)", t.with_next));
    }
    parts.push(format!("{} snoozed", t.snoozed));
    parts.push(format!("{} skipped", t.skipped));
    let mut line = format!("today: {}", parts.join(", "));
    if not_reached > 0 {
        line.push_str(&format!(
            "; {not_reached} not reached (run touchbase today again)"
        ));
    }
    line
}

/// Shows the cursor again when the session ends, however it ends.
struct Restore(Term);

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = self.0.show_cursor();
    }
}
