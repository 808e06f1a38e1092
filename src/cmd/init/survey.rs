//! What `init` sees in a folder that already holds notes, and the settings (SPEC 10) it proposes
//! to read them as they are. Pure: takes each note's path and text and returns the proposals;
//! `init` reads the files (read-only, inside the vault) and writes or prints the result.

use std::collections::{BTreeMap, BTreeSet};

use crate::parse::{Loose, split_front_matter, top_level_values};
use crate::term::clean;

/// At most this many notes are read: enough to see a vault's conventions, few enough that
/// `init` stays quick in a vault of any size. A larger vault is sampled evenly, in path order.
pub(crate) const MAX_NOTES: usize = 3000;

/// A group of notes (a folder, or a shared `categories` / `type` / `tags` value) is proposed
/// as people when it holds at least this many notes without a `name` ...
const MIN_UNNAMED: usize = 3;
/// ... which are at least this share (in percent) of the group.
const MOST: usize = 60;

/// Folder names and `categories` / `type` / `tags` values that say "these are people".
const PEOPLE_WORDS: &[&str] = &[
    "people",
    "person",
    "persons",
    "contact",
    "contacts",
    "client",
    "clients",
    "customer",
    "customers",
    "lead",
    "leads",
    "prospect",
    "prospects",
    "network",
    "relationships",
];

/// Keys that mark a note about a person, whatever its folder is called.
const PERSON_KEYS: &[&str] = &[
    "email",
    "phone",
    "mobile",
    "company",
    "organization",
    "organisation",
    "birthday",
    "linkedin",
];

/// `type` values of notes that sit next to people in a CRM vault but are never people.
const SKIP_TYPES: &[&str] = &[
    "company",
    "organization",
    "organisation",
    "org",
    "deal",
    "template",
];

/// Keys other tools write, by the touchbase key they stand for. Collected from published
/// Obsidian people-note and CRM templates (Templater / Dataview "People" and "Contact" notes,
/// Markdown CRM plugins' contact templates): what they call the last and next contact, the
/// keep-in-touch interval, the relationship and the dates. Short on purpose: a key not listed
/// here can still be mapped by hand under `[fields]`.
const FIELDS: &[(&str, &[&str])] = &[
    ("stage", &["relationship_type", "relationship", "relation"]),
    (
        "cadence",
        &["contact_cadence", "contact_frequency", "keep_in_touch"],
    ),
    (
        "last",
        &[
            "last_contacted",
            "last_contact",
            "last_contact_date",
            "last_chatted",
            "last_interaction",
        ],
    ),
    (
        "next",
        &[
            "next_contact_due",
            "next_contact",
            "next_follow_up",
            "follow_up",
        ],
    ),
    ("met", &["first_met", "met_on", "date_met"]),
    ("birthday", &["birth_date", "birthdate", "dob"]),
    ("company", &["organization", "organisation", "employer"]),
];

/// Front-matter keys whose wikilinks name a kind of note, not a person met.
const NOT_LINK_KEYS: &[&str] = &[
    "categories",
    "category",
    "tags",
    "tag",
    "type",
    "aliases",
    "cssclasses",
];

/// One note as `init` sees it: its vault-relative path, its front matter's top-level entries
/// (lowercased keys) and whether its body links to another note.
#[derive(Debug)]
pub(crate) struct Note {
    rel: String,
    fields: Vec<(String, Loose)>,
    body_links: bool,
}

impl Note {
    /// `None` when the note's front matter is broken: such a note is left out, not guessed at.
    pub(crate) fn read(rel: &str, text: &str) -> Option<Note> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (fields, body) = match split_front_matter(text) {
            Ok(Some(split)) => (top_level_values(&split)?, split.body),
            Ok(None) => (Vec::new(), text),
            Err(_) => return None,
        };
        Some(Note {
            rel: rel.to_string(),
            fields,
            body_links: has_link(body),
        })
    }

    fn get(&self, key: &str) -> Option<&Loose> {
        self.fields
            .iter()
            .find(|(k, v)| k == key && *v != Loose::Null)
            .map(|(_, v)| v)
    }

    fn has_name(&self) -> bool {
        self.get("name")
            .is_some_and(|v| items(v).iter().any(|i| !i.text.is_empty()))
    }

    fn values(&self, key: &str) -> Vec<Item> {
        self.get(key).map(items).unwrap_or_default()
    }

    fn skip_type(&self) -> Option<String> {
        self.values("type")
            .into_iter()
            .map(|i| i.norm)
            .find(|t| SKIP_TYPES.contains(&t.as_str()))
    }

    fn is_person_like(&self) -> bool {
        self.fields.iter().any(|(k, v)| {
            *v != Loose::Null
                && (PERSON_KEYS.contains(&k.as_str())
                    || FIELDS.iter().any(|(_, keys)| keys.contains(&k.as_str())))
        })
    }

    /// A daily note or a dated meeting note: its file stem starts with `YYYY-MM-DD`, or its
    /// front matter has a `date:`.
    fn is_dated(&self) -> bool {
        let stem = self.rel.rsplit('/').next().unwrap_or(&self.rel);
        starts_with_date(stem)
            || self
                .values("date")
                .first()
                .is_some_and(|i| starts_with_date(&i.text))
    }

    /// Keys whose values are wikilinks (`people: ["[[Jane Doe]]"]`).
    fn link_keys(&self) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .filter(|(k, v)| {
                !NOT_LINK_KEYS.contains(&k.as_str()) && items(v).iter().any(|i| i.link)
            })
            .map(|(k, _)| k.as_str())
    }

    fn folders(&self) -> impl Iterator<Item = &str> {
        self.rel.match_indices('/').map(|(i, _)| &self.rel[..i])
    }
}

fn starts_with_date(s: &str) -> bool {
    s.get(..10)
        .is_some_and(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
}

/// A wikilink (not an embed, `![[...]]`) or a Markdown link to a note. One pass: an opening
/// `[[` is a link when a `]]` comes after it.
fn has_link(body: &str) -> bool {
    let last_close = body.rfind("]]");
    let wikilink = last_close.is_some_and(|close| {
        body.match_indices("[[")
            .take_while(|(i, _)| *i < close)
            .any(|(i, _)| !body[..i].ends_with('!'))
    });
    wikilink || body.contains(".md)")
}

/// One value of a front-matter entry: as written (wikilinks with their brackets), as compared
/// (a wikilink's target, no `#` before a tag, lowercased), and whether it is a wikilink.
#[derive(Clone, Debug)]
struct Item {
    text: String,
    norm: String,
    link: bool,
}

fn item(s: &str) -> Item {
    let s = s.trim();
    let (norm, link) = match s.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")) {
        Some(inner) => (inner.split(['|', '#']).next().unwrap_or(inner), true),
        None => (s.strip_prefix('#').unwrap_or(s), false),
    };
    Item {
        text: s.to_string(),
        norm: norm.trim().to_lowercase(),
        link,
    }
}

/// The values of an entry. YAML reads an unquoted `[[People]]` as a list holding a list
/// holding `People`: that is a wikilink.
fn items(v: &Loose) -> Vec<Item> {
    match v {
        Loose::Text(s) => vec![item(s)],
        Loose::List(xs) => match xs.as_slice() {
            [Loose::List(inner)] if matches!(inner.as_slice(), [Loose::Text(_)]) => inner
                .iter()
                .map(|t| item(&format!("[[{}]]", text_of(t))))
                .collect(),
            _ => xs.iter().flat_map(items).collect(),
        },
        Loose::Null | Loose::Map(_) => Vec::new(),
    }
}

fn text_of(v: &Loose) -> &str {
    match v {
        Loose::Text(t) => t.trim(),
        _ => "",
    }
}

fn is_people_word(s: &str) -> bool {
    s.split('/')
        .any(|part| PEOPLE_WORDS.contains(&part.trim().to_lowercase().as_str()))
}

/// Counts for one group of notes.
#[derive(Clone, Debug, Default)]
struct Group {
    members: usize,
    unnamed: usize,
    person_like: usize,
    /// The group's unnamed notes, by index.
    unnamed_notes: Vec<usize>,
}

impl Group {
    fn add(&mut self, at: usize, note: &Note) {
        self.members += 1;
        if !note.has_name() {
            self.unnamed += 1;
            self.unnamed_notes.push(at);
        }
        if note.is_person_like() {
            self.person_like += 1;
        }
    }

    /// Mostly notes without a name, and people by their label or by their keys.
    fn is_people(&self, label: &str) -> bool {
        self.unnamed >= MIN_UNNAMED
            && self.unnamed * 100 >= MOST * self.members
            && (is_people_word(label) || self.person_like * 100 >= MOST * self.members)
    }
}

/// What `init` proposes for a folder of notes.
#[derive(Debug, Default)]
pub(crate) struct Survey {
    /// Notes read, and Markdown files found.
    looked_at: usize,
    found: usize,
    folders: Vec<(String, Group)>,
    /// (key, value as written, group)
    matches: Vec<(String, String, Group)>,
    /// `type` values to skip, and how many notes carry them.
    skip: Vec<(String, usize)>,
    /// (touchbase key, [(other key, notes)])
    fields: Vec<(&'static str, Vec<(String, usize)>)>,
    /// Dated notes that link to another note.
    dated_linking: usize,
    link_keys: Vec<(String, usize)>,
    /// A note the proposals would make a contact, for `check --explain`.
    example: Option<String>,
}

/// Look at `notes` (read from `found` Markdown files) and propose settings.
pub(crate) fn survey(notes: &[Note], found: usize) -> Survey {
    let mut s = Survey {
        looked_at: notes.len(),
        found,
        ..Survey::default()
    };
    // Dated notes are touches and companies are companies: they take no part in the groups.
    let undated = || {
        notes
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.is_dated() && n.skip_type().is_none())
    };

    let mut by_folder: BTreeMap<&str, Group> = BTreeMap::new();
    for (at, note) in undated() {
        for folder in note.folders() {
            by_folder.entry(folder).or_default().add(at, note);
        }
    }
    let people: Vec<(&str, Group)> = by_folder
        .into_iter()
        .filter(|(folder, g)| g.is_people(folder.rsplit('/').next().unwrap_or(folder)))
        .collect();
    // The outermost folder that holds people covers the folders below it.
    s.folders = people
        .iter()
        .filter(|(folder, _)| {
            !people.iter().any(|(other, _)| {
                folder
                    .strip_prefix(other)
                    .is_some_and(|r| r.starts_with('/'))
            })
        })
        .map(|(folder, g)| ((*folder).to_string(), g.clone()))
        .collect();
    let in_folders: BTreeSet<usize> = s
        .folders
        .iter()
        .flat_map(|(_, g)| g.unnamed_notes.iter().copied())
        .collect();

    for key in ["categories", "type", "tags"] {
        // Grouped by the compared value; shown as its most common spelling.
        let mut by_value: BTreeMap<String, (Group, BTreeMap<String, usize>)> = BTreeMap::new();
        for (at, note) in undated() {
            let seen: BTreeMap<String, String> = note
                .values(key)
                .into_iter()
                .filter(|i| !i.norm.is_empty())
                .map(|i| (i.norm, i.text))
                .collect();
            for (norm, text) in seen {
                let (group, spellings) = by_value.entry(norm).or_default();
                group.add(at, note);
                *spellings.entry(text).or_default() += 1;
            }
        }
        let best = by_value
            .into_iter()
            .filter(|(norm, (g, _))| {
                g.is_people(norm) && g.unnamed_notes.iter().any(|n| !in_folders.contains(n))
            })
            // The value that marks the most notes; the first in order on a tie.
            .fold(None::<(Group, String)>, |best, (_, (g, spellings))| {
                let text = spellings
                    .iter()
                    .fold(None::<(&String, usize)>, |b, (t, &n)| match b {
                        Some((_, bn)) if bn >= n => b,
                        _ => Some((t, n)),
                    })
                    .map(|(t, _)| t.clone())
                    .unwrap_or_default();
                match best {
                    Some((ref b, _)) if b.members >= g.members => best,
                    _ => Some((g, text)),
                }
            });
        if let Some((g, text)) = best {
            s.matches.push((key.to_string(), text, g));
        }
    }

    let covered: BTreeSet<usize> = in_folders
        .iter()
        .copied()
        .chain(
            s.matches
                .iter()
                .flat_map(|(_, _, g)| g.unnamed_notes.iter().copied()),
        )
        .collect();
    s.example = covered.iter().map(|&at| &notes[at].rel).min().cloned();

    let mut skip: BTreeMap<String, (usize, bool)> = BTreeMap::new();
    for note in notes {
        if let Some(t) = note.skip_type() {
            let e = skip.entry(t).or_default();
            e.0 += 1;
            e.1 |= note.has_name();
        }
    }
    let proposes_people = !s.folders.is_empty() || !s.matches.is_empty();
    s.skip = skip
        .into_iter()
        .filter(|(_, (_, named))| proposes_people || *named)
        .map(|(t, (n, _))| (t, n))
        .collect();

    // Other tools' keys, in the notes that are (or would be) contacts.
    let people_notes: Vec<&Note> = notes
        .iter()
        .enumerate()
        .filter(|(at, n)| (n.has_name() || covered.contains(at)) && n.skip_type().is_none())
        .map(|(_, n)| n)
        .collect();
    for (ours, theirs) in FIELDS {
        let seen: Vec<(String, usize)> = theirs
            .iter()
            .map(|k| {
                (
                    *k,
                    people_notes.iter().filter(|n| n.get(k).is_some()).count(),
                )
            })
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k.to_string(), n))
            .collect();
        if !seen.is_empty() {
            s.fields.push((ours, seen));
        }
    }

    let mut link_keys: BTreeMap<&str, usize> = BTreeMap::new();
    for (at, note) in notes.iter().enumerate() {
        if note.has_name() || covered.contains(&at) || !note.is_dated() {
            continue;
        }
        let keys: Vec<&str> = note.link_keys().collect();
        if note.body_links || !keys.is_empty() {
            s.dated_linking += 1;
        }
        for k in keys {
            *link_keys.entry(k).or_default() += 1;
        }
    }
    s.link_keys = link_keys
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    s
}

fn toml_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.map(crate::edit::quoted).collect();
    format!("[{}]", items.join(", "))
}

/// Vault text in a comment or on the terminal: on one line, nothing hidden.
fn shown(s: &str) -> String {
    clean(s).into_owned()
}

fn counted(seen: &[(String, usize)]) -> String {
    seen.iter()
        .map(|(k, n)| format!("{} ({n})", shown(k)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Survey {
    pub(crate) fn is_empty(&self) -> bool {
        self.folders.is_empty()
            && self.matches.is_empty()
            && self.skip.is_empty()
            && self.fields.is_empty()
            && self.dated_linking == 0
    }

    /// A note the proposals would make a contact, to try `check --explain` on.
    pub(crate) fn example(&self) -> Option<&str> {
        self.example.as_deref()
    }

    /// What was seen, one line per proposal.
    pub(crate) fn summary(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (folder, g) in &self.folders {
            lines.push(format!(
                "{}/: {} of {} notes have no name; proposed [contacts] folders",
                shown(folder),
                g.unnamed,
                g.members
            ));
        }
        for (key, value, g) in &self.matches {
            lines.push(format!(
                "{key} {}: {} of {} notes have no name; proposed [contacts] match",
                shown(value),
                g.unnamed,
                g.members
            ));
        }
        if !self.skip.is_empty() {
            lines.push(format!(
                "type {}: not people; proposed [contacts] skip",
                counted(&self.skip)
            ));
        }
        if !self.fields.is_empty() {
            let all: Vec<(String, usize)> = self
                .fields
                .iter()
                .flat_map(|(_, seen)| seen.iter().cloned())
                .collect();
            lines.push(format!(
                "keys other tools write: {}; proposed [fields]",
                counted(&all)
            ));
        }
        if self.dated_linking > 0 {
            let keys = if self.link_keys.is_empty() {
                String::new()
            } else {
                format!(" and link_keys {}", counted(&self.link_keys))
            };
            lines.push(format!(
                "{}; proposed [touches] notes = true{keys}",
                self.dated_linking_text()
            ));
        }
        lines
    }

    /// The proposed settings as TOML, each with a comment saying why.
    pub(crate) fn settings(&self) -> String {
        let mut out = String::new();
        let mut contacts = Vec::new();
        if !self.folders.is_empty() {
            for (folder, g) in &self.folders {
                contacts.push(format!(
                    "# {}/: {} of {} notes have no name",
                    shown(folder),
                    g.unnamed,
                    g.members
                ));
            }
            contacts.push(format!(
                "folders = {}",
                toml_list(self.folders.iter().map(|(f, _)| f.as_str()))
            ));
        }
        if !self.matches.is_empty() {
            let mut pairs = Vec::new();
            for (key, value, g) in &self.matches {
                contacts.push(format!(
                    "# {key} {}: {} of {} notes have no name",
                    shown(value),
                    g.unnamed,
                    g.members
                ));
                pairs.push(format!("{key} = {}", crate::edit::quoted(value)));
            }
            contacts.push(format!("match = {{ {} }}", pairs.join(", ")));
        }
        if !self.skip.is_empty() {
            contacts.push(format!(
                "skip = {{ type = {} }}",
                toml_list(self.skip.iter().map(|(t, _)| t.as_str()))
            ));
        }
        if !contacts.is_empty() {
            out.push_str("[contacts]\n");
            for line in contacts {
                out.push_str(&line);
                out.push('\n');
            }
        }
        if !self.fields.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str("[fields]\n");
            for (ours, seen) in &self.fields {
                out.push_str(&format!(
                    "{ours} = {}\n",
                    toml_list(seen.iter().map(|(k, _)| k.as_str()))
                ));
            }
        }
        if self.dated_linking > 0 {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!(
                "[touches]\n# {}\nnotes = true\n",
                self.dated_linking_text()
            ));
            if !self.link_keys.is_empty() {
                out.push_str(&format!(
                    "link_keys = {}\n",
                    toml_list(self.link_keys.iter().map(|(k, _)| k.as_str()))
                ));
            }
        }
        out
    }

    fn dated_linking_text(&self) -> String {
        let verb = if self.dated_linking == 1 {
            "links"
        } else {
            "link"
        };
        format!(
            "{} {verb} to other notes",
            crate::render::plural(self.dated_linking, "dated note", "dated notes")
        )
    }

    /// The proposals, commented out, for the end of a new `touchbase.toml`.
    pub(crate) fn commented(&self) -> String {
        let notes = if self.looked_at < self.found {
            format!("{} of the {} notes", self.looked_at, self.found)
        } else {
            crate::render::plural(self.looked_at, "note", "notes")
        };
        let mut out = format!(
            "\n# touchbase init looked at {notes} here and proposes the settings below to read\n\
             # them as they are (otherwise only a file with a `name` is a contact). Uncomment them\n\
             # to use them, then run `touchbase check --explain <a note>` to see how a note is read.\n#\n"
        );
        for line in self.settings().lines() {
            if line.is_empty() {
                out.push_str("#\n");
            } else {
                out.push_str("# ");
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes(files: &[(&str, &str)]) -> Vec<Note> {
        files
            .iter()
            .filter_map(|(rel, text)| Note::read(rel, text))
            .collect()
    }

    fn propose(files: &[(&str, &str)]) -> Survey {
        let notes = notes(files);
        survey(&notes, files.len())
    }

    /// The settings, uncommented, are valid TOML; the commented block is the same lines.
    fn valid(s: &Survey) -> toml::Table {
        let settings = s.settings();
        let block = s.commented();
        let uncommented: String = block
            .lines()
            .skip_while(|l| !l.starts_with("# [") && !l.starts_with("# #"))
            .map(|l| {
                let l = l.strip_prefix("# ").or(l.strip_prefix('#')).unwrap_or(l);
                format!("{l}\n")
            })
            .collect();
        assert_eq!(uncommented, settings);
        assert!(
            block.lines().all(|l| l.starts_with('#') || l.is_empty()),
            "{block}"
        );
        let full = format!("{}{block}", super::super::CONFIG);
        assert!(full.parse::<toml::Table>().is_ok());
        settings.parse::<toml::Table>().unwrap()
    }

    #[test]
    fn a_people_folder_without_names() {
        let mut files: Vec<(String, String)> = (0..4)
            .map(|i| {
                (
                    format!("People/Person {i}.md"),
                    "---\nemail: a@example.com\n---\n# Someone\n".to_string(),
                )
            })
            .collect();
        files.push(("People/Named.md".into(), "---\nname: Ann\n---\n".into()));
        files.push(("Projects/a.md".into(), "---\nstatus: open\n---\n".into()));
        files.push(("Projects/b.md".into(), "no front matter\n".into()));
        files.push(("Projects/c.md".into(), "# c\n".into()));
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let s = propose(&files);
        assert_eq!(
            s.summary(),
            ["People/: 4 of 5 notes have no name; proposed [contacts] folders"]
        );
        assert_eq!(
            s.settings(),
            "[contacts]\n# People/: 4 of 5 notes have no name\nfolders = [\"People\"]\n"
        );
        assert_eq!(s.example(), Some("People/Person 0.md"));
        valid(&s);
        // Two notes are not enough; nor is a folder whose notes mostly have names.
        assert!(propose(&files[..2]).is_empty());
        let named: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, _)| (*p, "---\nname: X\nemail: x@example.com\n---\n"))
            .collect();
        assert!(propose(&named).is_empty());
    }

    #[test]
    fn a_folder_of_other_notes_is_not_people_unless_its_notes_look_like_people() {
        let files = [
            ("Projects/a.md", "---\nstatus: open\n---\n"),
            ("Projects/b.md", "---\nstatus: open\n---\n"),
            ("Projects/c.md", "# c\n"),
            ("Team/x.md", "---\nphone: 1\n---\n"),
            ("Team/y.md", "---\nemail: y@example.com\n---\n"),
            ("Team/z.md", "---\nlinkedin: z\n---\n"),
        ];
        let s = propose(&files);
        assert_eq!(
            s.folders
                .iter()
                .map(|(f, _)| f.as_str())
                .collect::<Vec<_>>(),
            ["Team"]
        );
        // Nested people folders: the outer one is proposed.
        let files = [
            ("People/Clients/a.md", "# a\n"),
            ("People/Clients/b.md", "# b\n"),
            ("People/Leads/c.md", "# c\n"),
            ("People/Leads/d.md", "# d\n"),
            ("People/Leads/e.md", "# e\n"),
        ];
        let s = propose(&files);
        assert_eq!(
            s.folders
                .iter()
                .map(|(f, _)| f.as_str())
                .collect::<Vec<_>>(),
            ["People"]
        );
    }

    #[test]
    fn a_shared_category_of_people() {
        let files = [
            ("Jane Doe.md", "---\ncategories:\n  - \"[[People]]\"\n---\n"),
            ("Bob.md", "---\ncategories: [\"[[People|people]]\"]\n---\n"),
            ("Carl.md", "---\ncategories: [[People]]\n---\n"),
            (
                "Dee.md",
                "---\ncategories:\n  - \"[[People]]\"\n  - \"[[Authors]]\"\n---\n",
            ),
            ("Book.md", "---\ncategories:\n  - \"[[Books]]\"\n---\n"),
        ];
        let s = propose(&files);
        assert_eq!(
            s.summary(),
            ["categories [[People]]: 4 of 4 notes have no name; proposed [contacts] match"]
        );
        let t = valid(&s);
        assert_eq!(
            t["contacts"]["match"]["categories"].as_str(),
            Some("[[People]]")
        );
        assert_eq!(s.example(), Some("Bob.md"));
    }

    #[test]
    fn type_person_with_companies_next_to_it() {
        let files = [
            ("crm/a.md", "---\ntype: person\n---\n"),
            ("crm/b.md", "---\ntype: person\n---\n"),
            ("crm/c.md", "---\ntype: Person\n---\n"),
            ("crm/acme.md", "---\ntype: company\nname: Acme\n---\n"),
            ("crm/globex.md", "---\ntype: company\n---\n"),
            ("crm/big-deal.md", "---\ntype: deal\n---\n"),
            ("crm/tmpl.md", "---\ntype: meeting\n---\n"),
        ];
        let s = propose(&files);
        // `crm` is not a people word and most of its notes are not people: no folder.
        assert!(s.folders.is_empty());
        let t = valid(&s);
        assert_eq!(t["contacts"]["match"]["type"].as_str(), Some("person"));
        assert_eq!(
            t["contacts"]["skip"]["type"].as_array().unwrap().len(),
            2,
            "{}",
            s.settings()
        );
        assert!(
            s.settings()
                .contains("skip = { type = [\"company\", \"deal\"] }\n")
        );
        // Out of the `crm` folder, the type alone still proposes the match and the skip.
        let flat: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.trim_start_matches("crm/"), *t))
            .collect();
        let s = propose(&flat);
        assert!(s.folders.is_empty());
        assert_eq!(s.matches.len(), 1);
        assert_eq!(s.skip.len(), 2);
        // A company with a name is a contact today: skip is proposed even with no people.
        let s = propose(&[("acme.md", "---\ntype: company\nname: Acme\n---\n")]);
        assert_eq!(
            s.settings(),
            "[contacts]\nskip = { type = [\"company\"] }\n"
        );
    }

    #[test]
    fn other_tools_keys_in_people_notes() {
        let files = [
            (
                "People/a.md",
                "---\nlast_contacted: 2026-01-02\ncontact_cadence: 30\nrelationship_type: client\n---\n",
            ),
            ("People/b.md", "---\nlast_contact: 2026-01-02\n---\n"),
            (
                "People/c.md",
                "---\nbirth_date: 1980-04-12\nlast_contacted: 2026-02-03\n---\n",
            ),
            // A named contact's keys count too; a project's do not.
            (
                "Ann.md",
                "---\nname: Ann\nnext_contact_due: 2026-05-01\n---\n",
            ),
            ("Projects/p.md", "---\nfirst_met: 2020-01-01\n---\n"),
        ];
        let s = propose(&files);
        assert_eq!(
            s.settings(),
            "[contacts]\n# People/: 3 of 3 notes have no name\nfolders = [\"People\"]\n\n\
             [fields]\nstage = [\"relationship_type\"]\ncadence = [\"contact_cadence\"]\n\
             last = [\"last_contacted\", \"last_contact\"]\nnext = [\"next_contact_due\"]\n\
             birthday = [\"birth_date\"]\n"
        );
        assert!(s.summary()[1].starts_with(
            "keys other tools write: relationship_type (1), contact_cadence (1), last_contacted (2)"
        ));
        valid(&s);
    }

    #[test]
    fn daily_notes_with_links() {
        let files = [
            ("Daily/2026-01-05.md", "Lunch with [[Jane Doe]].\n"),
            ("Daily/2026-01-06.md", "Nothing today. ![[chart.png]]\n"),
            (
                "Meetings/Kickoff.md",
                "---\ndate: 2026-01-07\nattendees:\n  - \"[[Jane Doe]]\"\ncategories: [[Meetings]]\n---\n",
            ),
            (
                "Meetings/Review.md",
                "---\ndate: 2026-01-08\npeople: [[Bob]]\n---\nsee [notes](notes.md)\n",
            ),
            ("Undated.md", "[[Jane Doe]]\n"),
        ];
        let s = propose(&files);
        assert_eq!(
            s.settings(),
            "[touches]\n# 3 dated notes link to other notes\nnotes = true\n\
             link_keys = [\"attendees\", \"people\"]\n"
        );
        assert_eq!(
            s.summary(),
            [
                "3 dated notes link to other notes; proposed [touches] notes = true and link_keys attendees (1), people (1)"
            ]
        );
        valid(&s);
    }

    #[test]
    fn nothing_to_propose_in_a_touchbase_vault() {
        let files = [
            (
                "contacts/jane.md",
                "---\nname: Jane\nemail: j@example.com\nstage: prospect\n---\n## 2026-01-02 call\n",
            ),
            ("contacts/bob.md", "---\nname: Bob\ncompany: Acme\n---\n"),
            ("contacts/carl.md", "---\nname: Carl\nphone: 1\n---\n"),
            ("contacts/dee.md", "---\nname: Dee\n---\nknows [[Carl]]\n"),
            ("notes.md", "ideas\n"),
        ];
        let s = propose(&files);
        assert!(s.is_empty(), "{}", s.settings());
        assert_eq!(s.settings(), "");
        assert!(s.summary().is_empty());
    }

    #[test]
    fn broken_or_hostile_notes_are_left_out_not_a_panic() {
        let bomb = format!("---\na: &a [{}]\n---\n", "*a,".repeat(50));
        let deep = format!("---\nx: {}\n---\n", "[".repeat(10_000));
        let files = [
            ("People/a.md", "---\nname: [unclosed\n---\n"),
            ("People/b.md", "---\nno closing fence\n"),
            ("People/c.md", bomb.as_str()),
            ("People/d.md", deep.as_str()),
            ("People/é.md", "---\ntags: \"#person\"\n---\n"),
            ("2026-01-0é.md", "[[x]]"),
            ("People/f\nx.md", "---\ntype: \"per\u{1b}son\"\n---\n"),
        ];
        let read = notes(&files);
        assert!(read.len() < files.len());
        let s = survey(&read, files.len());
        assert!(s.is_empty(), "{}", s.settings());
    }

    #[test]
    fn links_are_found_in_one_pass() {
        // Not timed: at this size a search for `]]` after each `[[` runs for minutes.
        let many = "[[".repeat(300_000);
        assert!(!has_link(&many));
        assert!(has_link(&format!("{many}]]")));
        assert!(!has_link(&format!("{}]]", "![[".repeat(300_000))));
        assert!(has_link("see [[Jane]] and ![[x.png]]"));
        assert!(!has_link("![[x.png]] then [[ unclosed"));
        assert!(has_link("[notes](notes.md)"));
    }

    #[test]
    fn toml_front_matter_is_read_too() {
        let files = [
            ("People/a.md", "+++\nlast_contacted = 2026-01-02\n+++\n"),
            ("People/b.md", "+++\nemail = \"b@example.com\"\n+++\n"),
            ("People/c.md", "+++\ntags = [\"person\"]\n+++\n"),
            ("People/d.md", "+++\nname = \"Dee\"\n+++\n"),
        ];
        let s = propose(&files);
        assert_eq!(
            s.summary(),
            [
                "People/: 3 of 4 notes have no name; proposed [contacts] folders",
                "keys other tools write: last_contacted (1); proposed [fields]"
            ]
        );
    }

    #[test]
    fn odd_names_stay_valid_toml_and_on_one_line() {
        let files = [
            ("Peo\"ple\n#x/a.md", "---\nemail: a\n---\n"),
            ("Peo\"ple\n#x/b.md", "---\nemail: a\n---\n"),
            ("Peo\"ple\n#x/c.md", "---\nemail: a\n---\n"),
        ];
        let s = propose(&files);
        let t = valid(&s);
        assert_eq!(t["contacts"]["folders"][0].as_str(), Some("Peo\"ple\n#x"));
        assert!(
            s.summary()[0].starts_with("Peo\"ple\\n#x/: 3 of 3"),
            "{:?}",
            s.summary()
        );
    }

    #[test]
    fn the_same_notes_give_the_same_bytes_in_any_order() {
        let files = [
            (
                "People/a.md",
                "---\ntags: [person]\nlast_contact: 2026-01-01\n---\n",
            ),
            ("People/b.md", "---\ntags: [\"#person\"]\n---\n"),
            ("x/c.md", "---\ntags: person\n---\n"),
            ("x/d.md", "---\ntags: [person, friend]\n---\n"),
            ("2026-01-01 call.md", "---\nwith: \"[[a]]\"\n---\n"),
        ];
        let a = propose(&files);
        let mut reversed = files;
        reversed.reverse();
        let b = propose(&reversed);
        assert_eq!(a.commented(), b.commented());
        assert_eq!(a.summary(), b.summary());
        assert!(
            a.settings().contains("match = { tags = \"person\" }"),
            "{}",
            a.settings()
        );
    }
}
