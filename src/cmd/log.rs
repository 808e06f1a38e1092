//! `touchbase log CONTACT CHANNEL [TEXT]`: add a touch heading to a contact's file.

use anyhow::{Context as _, Result, bail};

use super::{Context, Loaded, say_due};
use crate::cli::LogArgs;
use crate::edit::{self, Entry};
use crate::exit::Code;
use crate::model::{Channel, Contact};
use crate::parse;
use crate::term::clean;
use crate::vault;

pub fn run(ctx: &Context, args: &LogArgs) -> Result<Code> {
    let texts = [("the channel", &args.channel)]
        .into_iter()
        .chain(args.text.iter().map(|t| ("the text", t)))
        .chain(args.notes.iter().map(|n| ("--note", n)))
        .chain(args.next.iter().map(|n| ("--next", n)));
    if let Some(refusal) = super::control_characters(texts) {
        eprintln!("touchbase: error: {refusal}");
        return Ok(Code::Usage);
    }
    let loaded = Loaded::open(ctx)?;
    let config = &loaded.vault.config;
    // Any word is a channel word, as in a heading, written as typed; one a typo away from a
    // known word is refused unless --as-typed says it is meant.
    let word = args.channel.trim().to_string();
    if word.is_empty() || word.contains(char::is_whitespace) {
        return Err(crate::exit::usage(format!(
            "the channel \"{word}\" must be one word (call, email, coffee...)"
        )));
    }
    if config.channels.lookup(&word.to_lowercase()).is_none()
        && !args.as_typed
        && let Some(known) = typo_of(&word.to_lowercase(), config)
    {
        return Err(crate::exit::usage(format!(
            "unknown channel \"{word}\": did you mean \"{known}\"? Log it as written with \
             --as-typed, or add the word to a channel under [channels] in touchbase.toml. The \
             channels and their words:{}",
            channel_list(config)
        )));
    }
    let date = match &args.date {
        None => ctx.today,
        Some(typed) => crate::typed::date(typed, ctx.today).ok_or_else(|| {
            crate::exit::usage(format!(
                "--date \"{typed}\" is not a date: use {}",
                crate::typed::FORMS
            ))
        })?,
    };
    if date > ctx.today {
        return Err(crate::exit::usage(format!(
            "{date} is after today ({}): log touches that happened; use --next for plans",
            ctx.today
        )));
    }
    let next = match &args.next {
        None => None,
        Some(typed) => {
            // The file gets the resolved date, whatever form it was typed in.
            let step = match crate::typed::date_prefix(typed, ctx.today) {
                Some((date, rest)) => format!("{date} {rest}").trim_end().to_string(),
                None => typed.trim().to_string(),
            };
            let Some(n) = parse::parse_next_step(&step, &config.channels) else {
                return Err(crate::exit::usage(format!(
                    "--next \"{step}\" is not a next step: expected \"YYYY-MM-DD [channel] [- text]\""
                )));
            };
            if n.date <= date {
                return Err(crate::exit::usage(format!(
                    "--next {} is not after the touch ({date}): a next step is a later date",
                    n.date
                )));
            }
            Some(step)
        }
    };
    let contact = loaded.find(&args.contact)?;
    let rel = contact.path.clone();
    // The promise is also written under the touch that made it, so that its history stays in
    // the file (`show` judges it by the touch that follows) after `next:` goes.
    let mut notes = args.notes.clone();
    notes.extend(next.as_ref().map(|step| format!("Next: {step}")));
    let entry = Entry {
        date,
        word: word.clone(),
        text: args.text.join(" "),
        notes,
    };
    // The edit is made under the vault's write lock on the file as it is then, and made again
    // if another program saves the file while it is being written.
    let mut done = None;
    let mut repeated = false;
    let mut fulfilled: Option<crate::model::NextStep> = None;
    // Whether `next:` was set in the front matter (a file without front matter keeps the step
    // as the touch's `Next:` line only).
    let mut set_next = false;
    let edited = vault::edit_file(
        &loaded.vault.canon,
        &loaded.vault.canon.join(&rel),
        |original| {
            let (bom, text) =
                split_bom(original).with_context(|| format!("{rel} is not UTF-8 text"))?;
            if parse::has_lone_cr(text) {
                bail!(
                    "{rel} has old Mac line endings (a carriage return alone): touchbase reads it \
                     but does not edit it; save it with LF or CRLF line endings, then log again"
                );
            }
            let Some(current) = config.parse(&rel, original).contact else {
                bail!(
                    "{rel} is no longer a contact (no `name` in its front matter?): nothing was written"
                );
            };
            // The same touch twice: two voicemails in a day are real, so another touch of the
            // same day and channel is kept (with a note); the very same text too is most
            // likely a command run twice, so it needs --again.
            let channel = config
                .channels
                .lookup(&entry.word.to_lowercase())
                .unwrap_or(Channel::Other);
            let text_line = entry.text.split_whitespace().collect::<Vec<_>>().join(" ");
            let same_day: Vec<&crate::model::Touch> = current
                .touches
                .iter()
                .filter(|t| t.date == entry.date && t.channel == channel)
                .collect();
            if !args.again && same_day.iter().any(|t| t.text.trim() == text_line) {
                bail!(
                    "{rel} already has this touch ({} {}{}): nothing was written; add --again to \
                     log it once more",
                    entry.date,
                    entry.word,
                    if text_line.is_empty() {
                        String::new()
                    } else {
                        format!(" - {text_line}")
                    }
                );
            }
            repeated = !same_day.is_empty();
            let insert =
                edit::insert_touch(text, &entry).map_err(|e| anyhow::anyhow!("{rel}: {e}"))?;
            let mut new_text = insert.apply(text);
            // A file with no front matter (a contact by `contacts.folders`) keeps none: the
            // promise is the `Next:` line under the touch. A promise read from another tool's
            // key (`[fields] next`) is that tool's to change: `next:` goes only when it is ours.
            let own_next = parse::split_front_matter(text)
                .ok()
                .flatten()
                .and_then(|split| parse::top_level_values(&split))
                .map(|values| values.iter().any(|(k, _)| k == "next"));
            if let Some(step) = &next {
                set_next = own_next.is_some();
                if set_next {
                    new_text = edit::set_key(&new_text, "next", step)
                        .map_err(|e| anyhow::anyhow!("{rel}: {e}"))?
                        .apply(&new_text);
                }
            } else if !args.keep_next
                && own_next == Some(true)
                && let Some(promise) = kept_promise(&current, channel)
            {
                // SPEC 5.2: a touch through the promised channel keeps the front matter's
                // pending promise, so `next:` goes rather than going stale.
                new_text = edit::remove_key(&new_text, "next")
                    .map_err(|e| anyhow::anyhow!("{rel}: {e}"))?
                    .apply(&new_text);
                fulfilled = Some(promise);
            }
            let updated = check_result(&current, &new_text, &entry, next.as_deref(), config)?;
            if fulfilled.is_some() && updated.next.is_some() {
                bail!(
                    "{rel}: the file would not read back as intended (`next` would stay): nothing was written"
                );
            }
            let mut bytes = bom.to_vec();
            bytes.extend_from_slice(new_text.as_bytes());
            done = Some((insert, updated));
            Ok(bytes)
        },
    )?;
    let Some((insert, updated)) = done else {
        bail!("{rel}: nothing was written");
    };
    let shown = clean(&rel);
    if repeated {
        let word = clean(&word);
        // "an email", "a call"
        let a = if word.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
            "an"
        } else {
            "a"
        };
        eprintln!(
            "note: {shown} already had {a} {word} touch on {date}: this one is logged as another"
        );
    }
    if edited.redone > 0 {
        eprintln!(
            "note: another program saved {shown} while touchbase was writing it: its save was \
             kept and the touch added to it"
        );
    }

    if !ctx.quiet {
        let heading = insert
            .text
            .lines()
            .find(|l| l.starts_with('#'))
            .unwrap_or_default();
        println!("{shown}: {}", clean(heading));
        for note in insert
            .text
            .lines()
            .skip_while(|l| !l.starts_with('#'))
            .skip(1)
            .filter(|l| !l.is_empty())
        {
            println!("{shown}: {}", clean(note));
        }
        if let Some(promise) = &fulfilled {
            let late = (entry.date - promise.date).num_days();
            let how = match late {
                1 => ", 1 day late".to_string(),
                n if n > 1 => format!(", {n} days late"),
                _ => String::new(),
            };
            println!(
                "{shown}: removed `next: {}` (this touch keeps that promise{how}; --keep-next keeps the line)",
                clean(&promise_text(promise))
            );
        }
        if let Some(step) = next.as_ref().filter(|_| set_next) {
            println!("{shown}: next: {}", clean(step));
        }
        say_due(&loaded.cache.with_notes(updated), ctx.today, config);
    }
    Ok(Code::Success)
}

/// Split a UTF-8 byte order mark from the text; edits work on the text and the mark is kept.
pub fn split_bom(bytes: &[u8]) -> Result<(&[u8], &str)> {
    let (bom, rest) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (&bytes[..3], rest),
        None => (&bytes[..0], bytes),
    };
    Ok((bom, std::str::from_utf8(rest)?))
}

/// Parse the edited text and make sure the edit did exactly what was meant: the same contact,
/// every old touch, the new one, and the next step. Anything else is refused before writing.
fn check_result(
    old: &Contact,
    new_text: &str,
    entry: &Entry,
    next: Option<&str>,
    config: &crate::config::Config,
) -> Result<Contact> {
    let channels = &config.channels;
    let parsed = config.parse(&old.path, new_text.as_bytes());
    let refuse = |why: &str| -> anyhow::Error {
        anyhow::anyhow!(
            "{}: the file would not read back as intended ({why}): nothing was written",
            old.path
        )
    };
    let Some(new) = parsed.contact else {
        return Err(refuse("it would no longer be a contact"));
    };
    if new.name != old.name {
        return Err(refuse("the name changed"));
    }
    let expected = channels
        .lookup(&entry.word.to_lowercase())
        .unwrap_or(Channel::Other);
    // Headings only: a date from another tool's key (`[fields] last`) stops counting once a
    // heading is dated on or after it.
    let headings = |c: &Contact| -> Vec<crate::model::Touch> {
        c.touches
            .iter()
            .filter(|t| t.origin == crate::model::Origin::Heading)
            .cloned()
            .collect()
    };
    let (before, after) = (headings(old), headings(&new));
    let added = edit::added_touches(&before, &after);
    let right_touch = matches!(
        added.as_deref(),
        Some([t]) if t.date == entry.date && t.channel == expected
    );
    if !right_touch {
        return Err(refuse("the touch log would change in other ways"));
    }
    if let Some(step) = next {
        let step = parse::parse_next_step(step, channels);
        // Without front matter, the `Next:` line under the new touch holds the step.
        let held = match parse::split_front_matter(new_text) {
            Ok(Some(_)) => new.next.clone(),
            _ => added.and_then(|a| a[0].next.clone()),
        };
        if held != step {
            return Err(refuse("`next` would not hold the new step"));
        }
    }
    Ok(new)
}

/// The front matter's `next`, when it is pending (later than every touch so far) and a touch
/// through `channel` keeps it: it names that channel, or none.
fn kept_promise(c: &Contact, channel: Channel) -> Option<crate::model::NextStep> {
    let promise = c.next.as_ref()?;
    let last = c
        .touches
        .iter()
        .map(|t| t.date)
        .chain(c.met.as_ref().map(|(d, _)| *d))
        .max();
    let pending = last.is_none_or(|l| promise.date > l);
    let same_channel = promise.channel.is_none_or(|p| p == channel);
    (pending && same_channel).then(|| promise.clone())
}

/// A next step as it is written: `2026-12-01 10:00 call - text`.
fn promise_text(n: &crate::model::NextStep) -> String {
    let mut out = n.date.to_string();
    if let Some(t) = n.time {
        out.push_str(&t.format(" %H:%M").to_string());
    }
    if let Some(c) = n.channel {
        out.push_str(&format!(" {c}"));
    }
    if !n.text.is_empty() {
        out.push_str(&format!(" - {}", n.text));
    }
    out
}

/// The known channel word `word` is most likely a typo of: within two edits (a swap of two
/// letters is one), and less than half the word.
fn typo_of(word: &str, config: &crate::config::Config) -> Option<String> {
    config
        .channels
        .words_by_channel()
        .into_iter()
        .flat_map(|(_, words)| words)
        .map(|known| (strsim::osa_distance(word, known), known))
        .filter(|(d, _)| *d >= 1 && *d <= 2 && d * 2 < word.chars().count())
        .min()
        .map(|(_, known)| known.to_string())
}

/// Every channel with its words, one per line.
fn channel_list(config: &crate::config::Config) -> String {
    let mut out = String::new();
    for (channel, words) in config.channels.words_by_channel() {
        out.push_str(&format!("\n  {channel}: {}", words.join(", ")));
    }
    out
}
