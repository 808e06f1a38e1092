//! `touchbase check --explain PATH`: how one file is read (SPEC 10): whether it is a contact
//! and why, where its name and its touches come from, or what kind of note it is and which
//! contacts it makes a touch for.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Result, bail};

use super::{Context, Loaded, due_words};
use crate::exit::Code;
use crate::model::{Contact, Origin};
use crate::parse::reading::{Why, normals};
use crate::term;
use crate::vault::Vault;

pub fn run(ctx: &Context, arg: &Path) -> Result<Code> {
    let loaded = Loaded::open(ctx)?;
    let rel = vault_path(&loaded.vault, arg)?;
    // The vault's own folder: shown as `.`, never as an empty name.
    let rel = if rel.is_empty() { ".".to_string() } else { rel };
    let Some(text) = explain(&loaded, &rel, ctx.today) else {
        bail!("{}: no such Markdown file in the vault", term::clean(&rel));
    };
    // Names and paths come from the vault: each line is cleaned for the terminal.
    let shown: String = text
        .lines()
        .map(|line| format!("{}\n", term::clean(line)))
        .collect();
    super::print_stdout(&shown)?;
    Ok(Code::Success)
}

/// The vault-relative path `arg` names: a path from the current folder when it leads to a file
/// inside the vault, else a path from the vault's root. Never a file outside the vault.
fn vault_path(vault: &Vault, arg: &Path) -> Result<String> {
    if let Ok(real) = std::fs::canonicalize(arg) {
        return match real.strip_prefix(&vault.canon) {
            Ok(rel) => Ok(crate::vault::relative(Path::new(""), rel)),
            Err(_) => bail!(
                "{} is not inside the vault {}",
                term::clean(&arg.display().to_string()),
                term::clean(&vault.root.display().to_string())
            ),
        };
    }
    let rel = arg.to_string_lossy().replace('\\', "/");
    let parts: Vec<&str> = rel
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") || arg.is_absolute() {
        bail!(
            "{} is not inside the vault",
            term::clean(&arg.display().to_string())
        );
    }
    Ok(parts.join("/"))
}

/// The explanation, line by line; `None` when the vault has no such file.
fn explain(loaded: &Loaded, rel: &str, today: chrono::NaiveDate) -> Option<String> {
    let vault = &loaded.vault;
    let reading = &vault.config.reading;
    let mut out = String::new();
    if !rel.to_ascii_lowercase().ends_with(".md") {
        return Some(format!(
            "{rel}: not read: touchbase reads Markdown files (*.md) only\n"
        ));
    }
    if rel.split('/').any(|p| p.starts_with('.')) {
        return Some(format!(
            "{rel}: not read: touchbase never reads files in dot folders or dot files\n"
        ));
    }
    if *rel == vault.config.agenda_file {
        return Some(format!(
            "{rel}: not read: it is the agenda touchbase writes\n"
        ));
    }
    if vault.is_excluded(rel) {
        return Some(format!(
            "{rel}: not read: an `ignore` glob in touchbase.toml matches it\n"
        ));
    }
    let parsed = loaded.cache.parsed(rel)?;
    // The front matter again, for the reasons: which key named it, which rule held.
    let bytes =
        crate::vault::read_text_inside(&vault.canon, &vault.canon.join(rel)).unwrap_or_default();
    let text = bytes.strip_prefix('\u{feff}').unwrap_or(&bytes);
    let values: Vec<(String, crate::parse::Loose)> = crate::parse::split_front_matter(text)
        .ok()
        .flatten()
        .and_then(|split| crate::parse::top_level_values(&split))
        .unwrap_or_default();
    let get = |key: &str| -> Vec<String> {
        let mut leaves = Vec::new();
        for (_, v) in values.iter().filter(|(k, _)| k == key) {
            v.leaves(&mut leaves);
        }
        leaves
    };
    let name_key = std::iter::once("name")
        .chain(reading.aliases_of("name").iter().map(String::as_str))
        .find(|k| get(k).iter().any(|v| !v.trim().is_empty()))
        .map(String::from);
    let why = reading.why(rel, name_key, |k| {
        get(k).iter().flat_map(|v| normals(v)).collect()
    });
    let contact = loaded.cache.contacts().find(|c| c.path == rel);
    match (contact, &why) {
        (Some(c), _) => {
            let because = match &why {
                Why::Name(key) => format!("its front matter has `{key}`"),
                Why::Folder(f) if f.is_empty() => {
                    "every file in the vault is (contacts.folders = [\".\"])".to_string()
                }
                Why::Folder(f) => format!("it is below {f}/ (contacts.folders)"),
                Why::Match { key, value } => {
                    format!("its `{key}` is \"{value}\" (contacts.match)")
                }
                Why::Skip { .. } | Why::Nothing => "its front matter has a name".to_string(),
            };
            let _ = writeln!(out, "{rel}: a contact, because {because}");
            contact_lines(&mut out, c, &why, &get, &vault.config, today);
        }
        (None, _) if !parsed.problems.is_empty() => {
            let _ = writeln!(
                out,
                "{rel}: not read: it has problems (run `touchbase check`)"
            );
        }
        (None, Why::Skip { key, value }) => {
            let _ = writeln!(
                out,
                "{rel}: not a contact, because its `{key}` is \"{value}\" (contacts.skip)"
            );
        }
        (None, _) => {
            let mut rules = vec!["its front matter has no `name`".to_string()];
            if !reading.folders.is_empty() {
                rules.push(format!(
                    "it is not below {} (contacts.folders)",
                    reading.folders.join(", ")
                ));
            }
            if !reading.matches.is_empty() {
                rules.push("no contacts.match rule holds".to_string());
            }
            let _ = writeln!(out, "{rel}: not a contact: {}", rules.join(", "));
        }
    }
    for p in &parsed.problems {
        let _ = writeln!(out, "  problem: {p}");
    }
    if contact.is_none() && parsed.problems.is_empty() {
        // The date a note would be touched on: its `date:` key, else its file name.
        let dated = get("date")
            .first()
            .and_then(|d| crate::parse::parse_date_time(d))
            .or(
                match crate::parse::date_prefix(crate::parse::file_stem(rel)) {
                    crate::parse::DatePrefix::Valid(date, _) => Some(date),
                    _ => None,
                },
            );
        note_lines(&mut out, loaded, rel, dated);
    }
    Some(out)
}

/// A contact's name, the keys read from other tools, and each touch with where it comes from.
fn contact_lines(
    out: &mut String,
    c: &Contact,
    why: &Why,
    get: &dyn Fn(&str) -> Vec<String>,
    config: &crate::config::Config,
    today: chrono::NaiveDate,
) {
    let reading = &config.reading;
    let from = match why {
        Why::Name(key) => format!("`{key}`"),
        _ if crate::parse::file_stem(&c.path) == c.name => "the file name".to_string(),
        _ => "the first heading".to_string(),
    };
    let _ = writeln!(out, "  name: {} (from {from})", c.name);
    let mapped: Vec<String> = reading
        .fields
        .iter()
        .filter_map(|(ours, others)| {
            // `last` is no key of a touchbase file: only the mapped keys are read for it.
            let own = ours != "last" && get(ours).iter().any(|v| !v.trim().is_empty());
            let used = others
                .iter()
                .find(|k| get(k).iter().any(|v| !v.trim().is_empty()))?;
            (!own).then(|| format!("{ours} from `{used}`"))
        })
        .collect();
    if !mapped.is_empty() {
        let _ = writeln!(
            out,
            "  read from other keys ([fields]): {}",
            mapped.join(", ")
        );
    }
    let touches = crate::schedule::timeline(c, today);
    if touches.is_empty() {
        let _ = writeln!(out, "  no touches yet");
    } else {
        let _ = writeln!(
            out,
            "  {}:",
            crate::render::plural(touches.len(), "touch", "touches")
        );
    }
    for t in touches.iter().rev() {
        let source = match &t.origin {
            Origin::Heading if t.is_met => "`met` in the front matter".to_string(),
            Origin::Heading => format!("heading on line {}", t.line),
            Origin::Field(key) => format!("`{key}` on line {} ([fields] last)", t.line),
            Origin::Note(path) => format!("the note {path}"),
        };
        let _ = writeln!(out, "    {}  {:<10} from {source}", t.date, t.label());
    }
    let status = crate::schedule::status(c, today, config);
    let _ = writeln!(out, "  {}", due_words(&status, today));
}

/// What a file that is not a contact is for touches from notes.
fn note_lines(out: &mut String, loaded: &Loaded, rel: &str, dated: Option<chrono::NaiveDate>) {
    let reading = &loaded.vault.config.reading;
    if !reading.notes {
        let _ = writeln!(
            out,
            "  a note; touches from notes are off (set `notes = true` under [touches])"
        );
        return;
    }
    let Some(note) = loaded.cache.parsed(rel).and_then(|p| p.note.as_ref()) else {
        let _ = match dated {
            Some(date) => writeln!(
                out,
                "  a note dated {date}, not a touch: none of its links counts (links in \
                 unchecked tasks, quotes, code and embeds do not)"
            ),
            None => writeln!(
                out,
                "  a note, not a touch: it has no date (a file name that starts with \
                 YYYY-MM-DD, or a `date:` key)"
            ),
        };
        return;
    };
    let targets = loaded.cache.note_targets(rel);
    let channel = note.channel.as_ref().map_or("other", |(ch, _)| ch.as_str());
    if targets.is_empty() {
        let _ = writeln!(
            out,
            "  a note dated {}, but none of its links leads to a contact",
            note.date
        );
    } else {
        let _ = writeln!(
            out,
            "  a note dated {}: one touch ({channel}) for each of {}",
            note.date,
            targets.join(", ")
        );
    }
    for u in loaded.cache.unresolved_links() {
        if u.note == rel {
            let _ = writeln!(
                out,
                "  line {}: {}: \"{}\" leads to no single contact",
                u.line, u.key, u.target
            );
        }
    }
}
