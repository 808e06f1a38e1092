//! `touchbase init [DIR]`: a new vault with a commented config, an example contact, an empty
//! `contacts/` and git settings. Never overwrites anything. In a folder that already holds
//! notes, it looks at them (read-only) and proposes the settings to read them (SPEC 10).

mod survey;

use std::fs;
use std::path::PathBuf;

use anyhow::{Context as _, Result};

use super::Context;
use crate::cli::InitArgs;
use crate::exit::Code;
use crate::vault::create_file;

/// Every setting with its default, commented out (uncomment a line to change it), and the
/// follow-up playbook's suggested sequences, active, each with its reason.
pub const CONFIG: &str = r#"# touchbase settings. A commented line shows the default: uncomment it to change it. The
# settings that are not commented out, under [sequence] and [cards], are the follow-up
# playbook touchbase suggests: change them or delete them. Tables merge with the defaults.
# (The commented client sequence is a suggestion too: read its note first.)

# Globs, relative to the vault, of files that are never read.
# ignore = ["templates/**", "archive/**"]

# Your name, to sign the drafted messages (`touchbase draft`, DUE.md's email links, `today`).
# me = "Tina Torres"

[agenda]
# file = "DUE.md"          # where the agenda is written
# horizon = "7d"           # how far ahead Upcoming looks
# dates_horizon = "14d"    # how far ahead birthdays and other yearly dates look
# links = "markdown"       # or "wiki" for [[Name]] links (Obsidian)
# List at most this many follow-ups under Overdue and Today, those where a follow-up counts
# most first, so that a long list never stops you starting (default: no limit).
# per_day = 10
# An iCalendar copy of the agenda (follow-ups and yearly dates as events) that `due` and
# `watch` keep current, for a calendar app to import or subscribe to (default: none).
# ics = "due.ics"
# A team sharing this vault: also write one agenda per `owner:`, DUE-<owner>.md beside
# DUE.md (DUE-tina-torres.md for Tina Torres); contacts with no owner are on every one.
# per_owner = true

[cadence]
# default = "3w"           # for stages not listed below
# first_follow_up = "2d"   # after `met`, when nothing else has happened
# Never suggest a follow-up sooner than this after the last touch: persistent, not a nuisance.
# min_gap = "2d"
# Set to true to move follow-ups that fall on a Saturday or Sunday to the Monday, when
# offices answer.
# skip_weekends = false
# Stages where you are still after a yes, a no or a next step: DUE.md counts their touches,
# suggests personal touches and lists who has no next step or is going cold.
# open_stages = ["lead", "prospect"]

[cadence.stages]
# lead = "1w"
# prospect = "3w"
# client = "6w"
# past-client = "3mo"
# partner = "1mo"
# lost = "never"

[channels]                 # extra words for each channel, e.g.
# meeting = ["golf"]

# The channels suggested in turn (skipping those of the last two touches), per stage: people
# notice a mix of email, phone, meetings and handwritten cards more than a fifth email.
[rotation]
# default = ["call", "email", "meeting", "card", "social"]

# The follow-ups after each touch, per stage: step k is "INTERVAL [channel] [- text]" after
# the k-th touch (met counts as touch 1; a contact's `stage_since:` date restarts the count),
# and after the last step the stage's cadence goes on. A next step you agreed always wins.
[sequence]
# Most salespeople stop after two or three contacts, while most sales are made on the fifth to
# twelfth: this takes a prospect from meeting to touch #8 in about four months, with gaps
# that grow so it never nags (then every 3 weeks), and touch #4 and #5 name no channel so
# that touchbase can suggest something personal, drawn from the contact's `interests`.
prospect = [
  "2d email - thank them for their time",
  "1w call - answer their questions",
  "2w",
  "2w",
  "3w meeting - coffee or a visit",
  "1mo card - a handwritten note",
  "1mo call - ask for a decision",
]
# After the sale: a handwritten thank-you, check-ins while the work is new, then a referral
# ask once they have seen results. Uncomment it once your clients carry `stage_since:` (the
# day they signed): without it the steps count every touch, so a client of long standing with
# few touches would be sent a thank-you for a sale long past.
# client = ["2d card - thank you", "2w call - check in", "6w meeting - check in", "3mo email - ask for a referral"]

[cards]
# Stages whose birthdays and other yearly dates come with a card to send.
# stages = ["client", "past-client", "partner"]
# How long before the date to mail the card, so that it arrives in time.
# lead = "7d"
# Close clients hear from you by card about seven times a year: DUE.md counts this year's
# cards and suggests one when a client falls behind that pace.
per_year = { client = 7 }

# A yearly date on which every contact of some stages gets a card (none by default).
# [[holiday]]
# date = "12-15"
# label = "holiday cards"
# stages = ["client", "past-client"]

[add]
# folder = "contacts"      # where `touchbase add` creates contacts
# template = "templates/contact.md"   # a Markdown file to start from; {{name}} and {{date}} are filled in

# Drafted messages: a Markdown file of your own (first line: the subject) replaces a built-in
# draft. Placeholders: {{first_name}} {{name}} {{company}} {{interest}} {{last_text}}
# {{next_text}} {{met_text}} {{me}}.
# [templates]
# check_in = "templates/check-in.md"

# Notes kept by another tool (Obsidian, a Markdown CRM) are read as they are with these (none by
# default; see "Bring your own vault" in the README; `touchbase check --explain FILE` shows how
# a file is read).
# [contacts]
# folders = ["People"]                     # every Markdown file below is a contact
# match = { type = "person" }              # a front-matter value that marks a contact
# skip = { type = ["company", "template"] }   # never a contact, even with a name
# [fields]
# last = ["last_contacted"]                # other tools' keys, read as touchbase's own
# [touches]
# notes = true                             # dated notes that link to a contact are touches
"#;

const EXAMPLE: &str = "---
name: Jane Example
company: Example Realty
email: jane@example.com
stage: prospect
next: {next} call - send the pricing sheet
birthday: 04-12
interests: [sailing, New York Yankees]
met: {met} Chamber of Commerce mixer
---
# Jane Example

An example contact: edit it, or delete it once you have your own. Every heading that starts
with a date is a touch; the first word after the date is the channel.

## {last} call - went through the proposal
Wants pricing for 3 offices.
Next: {next} call - send the pricing sheet

## {first} coffee
Loves the Yankees. Two kids. Sails on weekends.
";

const GITIGNORE: &str =
    "# touchbase's temp files (renamed into place at once; a killed run's are removed
# by the next run), its write lock, and editors' own files.
.*.touchbase-tmp
.touchbase.lock
.obsidian/workspace*.json
";

const GITATTRIBUTES: &str =
    "# DUE.md is generated by touchbase. In a git clone, `touchbase git setup` makes merges keep
# it conflict-free and regenerate it after a pull.
DUE.md linguist-generated=true
/DUE-*.md linguist-generated=true
";

pub fn run(ctx: &Context, args: &InitArgs) -> Result<Code> {
    let dir: PathBuf = args.dir.clone().unwrap_or_else(|| ctx.vault_dir.clone());
    let day = |days: i64| ctx.today + chrono::Duration::days(days);
    let example = EXAMPLE
        .replace("{met}", &day(-30).to_string())
        .replace("{first}", &day(-20).to_string())
        .replace("{last}", &day(-4).to_string())
        .replace("{next}", &day(3).to_string());
    let existed = dir.is_dir();
    // A folder that already holds notes gets no example contact.
    let has_notes = existed
        && walkdir::WalkDir::new(&dir)
            .max_depth(3)
            .into_iter()
            .filter_map(Result::ok)
            .any(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"));
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let root = fs::canonicalize(&dir).with_context(|| format!("cannot open {}", dir.display()))?;
    // Look before writing anything: the survey sees the notes as the user left them.
    let (proposals, templates) = if has_notes {
        let (survey, templates) = look(&root)?;
        (Some(survey).filter(|s| !s.is_empty()), templates)
    } else {
        (None, Vec::new())
    };
    let had_config = fs::symlink_metadata(root.join("touchbase.toml")).is_ok();
    // With proposals for this folder, they stand in for the config's general example of these
    // settings: uncommenting both would name the same tables twice.
    let mut config = match &proposals {
        Some(s) => {
            let base = CONFIG.find(BYOV_EXAMPLE).map_or(CONFIG, |at| &CONFIG[..at]);
            format!("{base}{}", s.commented())
        }
        None => CONFIG.to_string(),
    };
    // Note templates hold placeholders (`name: "{{title}}"`), never people: a new config ignores
    // their folders from the start.
    let ignore = ignore_line(&templates);
    if let Some(line) = &ignore {
        config = config.replacen(IGNORE_DEFAULT, line, 1);
    }
    let mut added: Vec<String> = Vec::new();
    let mut create = |name: &str, text: &str| -> Result<()> {
        if fs::symlink_metadata(root.join(name)).is_err() {
            create_file(&root, &root.join(name), text.as_bytes())?;
            added.push(name.to_string());
        }
        Ok(())
    };
    create("touchbase.toml", &config)?;
    if !has_notes {
        create("example-contact.md", &example)?;
    }
    // A folder of notes keeps its own layout: `add` makes its folder when it first needs it.
    if !has_notes && !root.join("contacts").exists() {
        fs::create_dir(root.join("contacts")).context("cannot create contacts/")?;
        added.push("contacts/".to_string());
    }
    for (name, text) in [(".gitignore", GITIGNORE), (".gitattributes", GITATTRIBUTES)] {
        if let Some(what) = ensure_lines(&root, name, text, "touchbase init")? {
            added.push(what);
        }
    }
    // In a git clone, set it up for sync as `touchbase git setup` does.
    let git_report = if root.join(".git").exists() {
        Some(super::git::setup(&root, false)?)
    } else {
        None
    };
    if !ctx.quiet {
        let shown = crate::term::clean(&dir.display().to_string()).into_owned();
        if added.is_empty() {
            println!("{shown} is already a touchbase vault: nothing to add");
            if let Some(s) = &proposals {
                print_proposals(s, &shown, had_config);
            }
            return Ok(Code::Success);
        }
        let what = if existed {
            "added to"
        } else {
            "created a vault in"
        };
        println!("{what} {shown}: {}", added.join(", "));
        if let Some(line) = &ignore {
            let folders = templates.join(", ");
            if had_config {
                println!(
                    "{}: note templates, never contacts; add to touchbase.toml: {}",
                    crate::term::clean(&folders),
                    crate::term::clean(line.lines().last().unwrap_or_default())
                );
            } else {
                println!(
                    "{}: note templates, never contacts: touchbase.toml ignores them",
                    crate::term::clean(&folders)
                );
            }
        }
        if proposals.is_none() {
            println!(
                "next: touchbase --vault {shown} add \"Your First Contact\" --met \"{} where you met\"",
                ctx.today
            );
            println!("then: touchbase --vault {shown} due");
        }
    }
    if let Some(report) = git_report
        && !ctx.quiet
    {
        super::git::print_report(&report);
    }
    if let Some(s) = &proposals
        && !ctx.quiet
    {
        let shown = crate::term::clean(&dir.display().to_string()).into_owned();
        print_proposals(s, &shown, had_config);
    }
    Ok(Code::Success)
}

/// Read the vault's notes (at most [`survey::MAX_NOTES`], sampled evenly in path order) and
/// propose settings. Read-only; walks and reads only inside the vault. A note that cannot be
/// read or parsed is left out.
/// Where the config's general example of the settings for another tool's vault begins.
const BYOV_EXAMPLE: &str = "\n# Notes kept by another tool";

/// The default's commented `ignore` line in [`CONFIG`], which a folder of templates replaces.
const IGNORE_DEFAULT: &str = "# ignore = [\"templates/**\", \"archive/**\"]";

/// The `ignore` setting for these template folders, with its reason; `None` for none.
fn ignore_line(templates: &[String]) -> Option<String> {
    if templates.is_empty() {
        return None;
    }
    let globs: Vec<String> = templates
        .iter()
        .map(|t| crate::edit::quoted(&format!("{t}/**")))
        .collect();
    Some(format!(
        "# Note templates (init found them): placeholders such as {{{{title}}}}, never people.\n\
         ignore = [{}]",
        globs.join(", ")
    ))
}

/// A folder of note templates: one named `Templates` (any case, at any depth), as Obsidian's
/// Templates and Templater plugins suggest, or the folder `.obsidian/templates.json` names.
fn is_template_folder(folder: &str, configured: Option<&str>) -> bool {
    let last = folder.rsplit('/').next().unwrap_or(folder);
    last.eq_ignore_ascii_case("templates")
        || last.eq_ignore_ascii_case("template")
        || configured.is_some_and(|c| c.trim_matches('/') == folder)
}

/// The survey of the notes (templates left out), and the template folders found.
fn look(root: &std::path::Path) -> Result<(survey::Survey, Vec<String>)> {
    let vault = crate::vault::Vault::with_config(root, crate::config::Config::default())?;
    let (mut files, _) = vault.scan();
    let configured: Option<String> =
        crate::vault::read_text_inside(&vault.canon, &vault.canon.join(".obsidian/templates.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v["folder"].as_str().map(str::to_string));
    let mut templates: Vec<String> = Vec::new();
    files.retain(|(rel, _)| {
        let mut folder = rel.as_str();
        while let Some((up, _)) = folder.rsplit_once('/') {
            if is_template_folder(up, configured.as_deref()) {
                if !templates.iter().any(|t| t == up) {
                    templates.push(up.to_string());
                }
                return false;
            }
            folder = up;
        }
        true
    });
    templates.sort();
    // A folder inside another template folder is covered by it.
    let outer: Vec<String> = templates
        .iter()
        .filter(|t| {
            !templates
                .iter()
                .any(|o| o != *t && t.starts_with(&format!("{o}/")))
        })
        .cloned()
        .collect();
    let found = files.len();
    let take = found.min(survey::MAX_NOTES);
    let picked = (0..take).map(|i| &files[i * found / take]);
    let notes: Vec<survey::Note> = picked
        .filter_map(|(rel, path)| {
            let text = crate::vault::read_text_inside(&vault.canon, path).ok()?;
            survey::Note::read(rel, &text)
        })
        .collect();
    Ok((survey::survey(&notes, found), outer))
}

fn print_proposals(s: &survey::Survey, shown: &str, had_config: bool) {
    for line in s.summary() {
        println!("{line}");
    }
    let note = s.example().map_or_else(
        || "<a note>".to_string(),
        |n| crate::term::clean(n).into_owned(),
    );
    if had_config {
        println!("touchbase.toml exists and is left as it is; to read these notes, add to it:");
        for line in s.settings().lines() {
            if line.is_empty() {
                println!();
            } else {
                println!("  {}", crate::term::clean(line));
            }
        }
        println!("then run touchbase --vault {shown} check --explain \"{note}\"");
    } else {
        println!(
            "edit touchbase.toml, uncomment the proposals, then run touchbase --vault {shown} check --explain \"{note}\""
        );
    }
}

/// Make sure the file `name` at the vault's root holds every line of `text` (comments aside):
/// a missing file is created with `text`; an existing one keeps every line and gets the lines it
/// lacks at its end, under a comment naming `who`. Returns what was done, if anything.
pub(crate) fn ensure_lines(
    root: &std::path::Path,
    name: &str,
    text: &str,
    who: &str,
) -> Result<Option<String>> {
    let path = root.join(name);
    if fs::symlink_metadata(&path).is_err() {
        create_file(root, &path, text.as_bytes())?;
        return Ok(Some(name.to_string()));
    }
    let current = crate::vault::read_text_inside(root, &path)
        .with_context(|| format!("cannot read {name}"))?;
    let have: Vec<&str> = current.lines().map(str::trim).collect();
    let missing: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !have.contains(&l.trim()))
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let addition = format!("# Added by {who}\n{}\n", missing.join("\n"));
    if current.is_empty() {
        // (The safe edit waits for a file that is not empty.)
        fs::write(&path, &addition).with_context(|| format!("cannot write {name}"))?;
        return Ok(Some(name.to_string()));
    }
    crate::vault::edit_file(root, &path, |bytes| {
        let mut out = bytes.to_vec();
        if !out.is_empty() && !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.extend_from_slice(addition.as_bytes());
        Ok(out)
    })?;
    Ok(Some(format!(
        "{} to {name}",
        crate::render::plural(missing.len(), "line", "lines")
    )))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_commented_config_parses_to_the_defaults() {
        let c = crate::config::Config::from_toml(super::CONFIG).unwrap();
        let d = crate::config::Config::default();
        assert_eq!(
            (
                &c.ignore,
                &c.agenda_file,
                c.horizon,
                c.dates_horizon,
                c.links,
                c.default_cadence
            ),
            (
                &d.ignore,
                &d.agenda_file,
                d.horizon,
                d.dates_horizon,
                d.links,
                d.default_cadence
            )
        );
        assert_eq!(
            (c.first_follow_up, &c.stages, &c.add_folder, &c.add_template),
            (d.first_follow_up, &d.stages, &d.add_folder, &d.add_template)
        );
        assert_eq!(c.channels.words_by_channel(), d.channels.words_by_channel());
        // Uncommented, every line is valid and says the same.
        let uncommented: String = super::CONFIG
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| r.contains(" = ") || r.starts_with('['))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let u = crate::config::Config::from_toml(&uncommented).unwrap();
        assert_eq!(u.agenda_file, d.agenda_file);
        assert_eq!(u.stages, d.stages);
        assert_eq!(u.add_folder, d.add_folder);
        assert_eq!(
            (u.min_gap, u.skip_weekends, &u.open_stages, &u.rotation),
            (d.min_gap, d.skip_weekends, &d.open_stages, &d.rotation)
        );
        assert_eq!(
            (&u.card_stages, u.card_lead, &u.cards_per_year),
            (&d.card_stages, d.card_lead, &d.cards_per_year)
        );
        // The two examples that are not defaults: a day's work and a holiday.
        assert_eq!((c.per_day, u.per_day), (None, Some(10)));
        assert_eq!((c.holidays.len(), u.holidays.len()), (0, 1));
        assert_eq!(u.holidays[0].stages, ["client", "past-client"]);
        // And the settings for another tool's vault.
        assert_eq!(c.reading, d.reading);
        assert_eq!(u.reading.folders, ["People"]);
        assert!(u.reading.notes);
        assert_eq!(u.reading.fields["last"], ["last_contacted"]);
    }

    /// The playbook that `init` suggests follows the material: a prospect is followed up to
    /// touch 5 and beyond over a few months, never sooner than `min_gap` and with gaps that
    /// grow, over several channels; a new client gets a card, check-ins and a referral ask;
    /// clients get seven cards a year.
    #[test]
    fn the_suggested_playbook_follows_the_material() {
        use crate::model::Channel;
        let c = crate::config::Config::from_toml(super::CONFIG).unwrap();
        let prospect = &c.sequence["prospect"];
        // Step k is the follow-up after the k-th touch (met counts as touch 1): touch #k+1.
        let met = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let mut day = met;
        let mut when = Vec::new();
        for (k, step) in prospect.iter().enumerate() {
            let next = step.interval.after(day).unwrap();
            let gap = (next - day).num_days();
            assert!(next >= c.min_gap.after(day).unwrap(), "step {}", k + 1);
            if let Some(&(_, previous)) = when.last() {
                // (Calendar months differ by up to three days.)
                assert!(
                    gap + 3 >= previous,
                    "step {} is sooner than the one before",
                    k + 1
                );
            }
            when.push((k + 2, gap));
            day = next;
        }
        let touch = |n: usize| {
            when.iter()
                .take_while(|(t, _)| *t <= n)
                .map(|(_, g)| g)
                .sum::<i64>()
        };
        assert!(when.len() + 1 >= 8, "the sequence reaches touch #8");
        // Touch #5 within about five weeks of meeting; the whole sequence in a few months.
        assert!(
            (28..=42).contains(&touch(5)),
            "touch #5 on day {}",
            touch(5)
        );
        let span = (day - met).num_days();
        assert!((90..=150).contains(&span), "the sequence spans {span} days");
        // Touch #4 and #5 (steps 3 and 4) leave the channel to the personal touch.
        assert_eq!((prospect[2].channel, prospect[3].channel), (None, None));
        let channels: std::collections::BTreeSet<Channel> =
            prospect.iter().filter_map(|s| s.channel).collect();
        for ch in [
            Channel::Email,
            Channel::Call,
            Channel::Meeting,
            Channel::Card,
        ] {
            assert!(channels.contains(&ch), "{ch:?}");
        }
        // The client sequence is suggested commented out (it needs `stage_since`).
        assert!(!c.sequence.contains_key("client"));
        let uncommented: String = super::CONFIG
            .lines()
            .map(|l| {
                l.strip_prefix("# client = ")
                    .map_or(l.to_string(), |r| format!("client = {r}"))
            })
            .collect::<Vec<_>>()
            .join("\n");
        let u = crate::config::Config::from_toml(&uncommented).unwrap();
        let client = &u.sequence["client"];
        assert_eq!(client[0].channel, Some(Channel::Card));
        assert!(client[1..].iter().any(|s| s.text.contains("check in")));
        assert!(client.last().unwrap().text.contains("referral"));
        assert_eq!(c.card_target("client"), Some(7));
        // Every stage the playbook names is one the config knows.
        for stage in c.sequence.keys() {
            assert!(c.stages.contains_key(stage), "{stage}");
        }
    }
}
