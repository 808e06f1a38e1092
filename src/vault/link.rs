//! Touches from notes (SPEC 10), kept current as files change: which contacts each dated note
//! links to, and each contact's touches from notes merged into the contact that scheduling,
//! `show` and every other command see.
//!
//! A note is the unit of change: editing, removing or renaming one note re-resolves that note
//! alone, and only the contacts it linked to before or links to now are merged and scheduled
//! again. Every note is resolved again only when the set of names links resolve by changes (a
//! contact added, removed, renamed, or given other aliases).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::Cached;
use crate::links::{Resolved, Resolver, Target};
use crate::model::{Channel, Contact, Note, Origin, Touch};

/// What the last pass found; see the module's text.
#[derive(Default)]
pub struct Links {
    /// Paths read again or dropped since the last pass.
    pub dirty: BTreeSet<String>,
    /// Each contact's name and aliases, as the resolver knows them.
    ids: HashMap<String, (String, Vec<String>)>,
    resolver: Option<Resolver>,
    /// Note path -> the contacts it touches, and the touch it makes for each.
    targets: HashMap<String, (Vec<String>, Touch)>,
    /// Contact path -> the notes that touch it.
    by_contact: HashMap<String, BTreeSet<String>>,
}

impl std::fmt::Debug for Links {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Links")
            .field("dirty", &self.dirty)
            .field("targets", &self.targets)
            .finish_non_exhaustive()
    }
}

impl Links {
    /// Bring note touches up to date with `files` after the paths in `dirty` changed, and
    /// merge them into the contacts they touch (`merge_into`, in place); those contacts are
    /// scheduled again. Does nothing unless touches come from notes.
    pub fn update(&mut self, files: &mut BTreeMap<String, Cached>, notes: bool) {
        let dirty = std::mem::take(&mut self.dirty);
        if !notes {
            return;
        }
        let mut full = self.resolver.is_none();
        let checked = if full { &BTreeSet::new() } else { &dirty };
        for path in checked {
            let id = files
                .get(path)
                .and_then(|c| c.parsed.contact.as_ref())
                .map(|c| (c.name.clone(), c.aliases.clone()));
            let same = match &id {
                Some(id) => self.ids.get(path) == Some(id),
                None => !self.ids.contains_key(path),
            };
            // A contact that appeared, went or changed its names: links may lead elsewhere.
            if !same {
                full = true;
                match id {
                    Some(id) => self.ids.insert(path.clone(), id),
                    None => self.ids.remove(path),
                };
            }
        }
        // Contacts whose merged form must be made again: those read again, and those whose
        // note touches change below.
        let mut affected: BTreeSet<String> = dirty
            .iter()
            .filter(|p| files.get(*p).is_some_and(|c| c.parsed.contact.is_some()))
            .cloned()
            .collect();
        let notes_to_resolve: Vec<String> = if full {
            self.ids = files
                .iter()
                .filter_map(|(p, c)| {
                    let c = c.parsed.contact.as_ref()?;
                    Some((p.clone(), (c.name.clone(), c.aliases.clone())))
                })
                .collect();
            self.resolver = Some(Resolver::new(files.values().filter_map(|c| {
                let c = c.parsed.contact.as_ref()?;
                Some((c.path.as_str(), c.name.as_str(), c.aliases.as_slice()))
            })));
            let old = std::mem::take(&mut self.by_contact);
            let old_targets = std::mem::take(&mut self.targets);
            let all: Vec<String> = files
                .iter()
                .filter(|(_, c)| c.parsed.note.is_some())
                .map(|(p, _)| p.clone())
                .collect();
            self.resolve_notes(files, &all);
            // A note read again may make another touch (date, channel, title) for the same
            // contacts: theirs is merged again although the notes that touch them are the same.
            for note in &dirty {
                for targets in [&old_targets, &self.targets] {
                    if let Some((contacts, _)) = targets.get(note) {
                        affected.extend(contacts.iter().cloned());
                    }
                }
            }
            let changed = old
                .iter()
                .filter(|(c, touches)| self.by_contact.get(*c) != Some(*touches))
                .map(|(c, _)| c.clone())
                .chain(
                    self.by_contact
                        .keys()
                        .filter(|c| !old.contains_key(*c))
                        .cloned(),
                );
            affected.extend(changed);
            Vec::new()
        } else {
            dirty.iter().cloned().collect()
        };
        if !notes_to_resolve.is_empty() {
            for note in &notes_to_resolve {
                let gone = self.targets.remove(note).map(|(c, _)| c);
                for contact in gone.unwrap_or_default() {
                    if let Some(touches) = self.by_contact.get_mut(&contact) {
                        touches.remove(note);
                        if touches.is_empty() {
                            self.by_contact.remove(&contact);
                        }
                    }
                    affected.insert(contact);
                }
            }
            let live: Vec<String> = notes_to_resolve
                .into_iter()
                .filter(|p| files.get(p).is_some_and(|c| c.parsed.note.is_some()))
                .collect();
            self.resolve_notes(files, &live);
            for note in &live {
                if let Some((contacts, _)) = self.targets.get(note) {
                    affected.extend(contacts.iter().cloned());
                }
            }
        }
        for path in affected {
            let Some(cached) = files.get_mut(&path) else {
                continue;
            };
            if let Some(c) = &mut cached.parsed.contact {
                merge_into(c, self.note_touches(&path));
            }
            cached.scheduled = None;
        }
    }

    /// The touches notes make for the contact at `path`, in note path order.
    fn note_touches<'s>(&'s self, path: &str) -> impl Iterator<Item = &'s Touch> + 's {
        self.by_contact
            .get(path)
            .into_iter()
            .flatten()
            .filter_map(|note| self.targets.get(note).map(|(_, touch)| touch))
    }

    /// Resolve these notes' links and record the touches they make.
    fn resolve_notes(&mut self, files: &BTreeMap<String, Cached>, notes: &[String]) {
        let Some(resolver) = &self.resolver else {
            return;
        };
        for path in notes {
            let Some(note) = files.get(path).and_then(|c| c.parsed.note.as_ref()) else {
                continue;
            };
            let contacts = note_contacts(resolver, path, note);
            if contacts.is_empty() {
                continue;
            }
            for contact in &contacts {
                self.by_contact
                    .entry(contact.clone())
                    .or_default()
                    .insert(path.clone());
            }
            self.targets
                .insert(path.clone(), (contacts, note_touch(path, note)));
        }
    }

    /// The `link_keys` links that lead to no contact, or to several: (note path, line, key,
    /// what was written, the contacts it could mean). For `check`.
    pub fn unresolved(&self, files: &BTreeMap<String, Cached>) -> Vec<Unresolved> {
        let Some(resolver) = &self.resolver else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (path, cached) in files {
            let Some(note) = &cached.parsed.note else {
                continue;
            };
            for (key, link) in &note.keyed {
                let candidates = match resolver.resolve(path, &link.target) {
                    Resolved::Contact(_) => continue,
                    Resolved::Nothing => Vec::new(),
                    Resolved::Ambiguous(paths) => paths.into_iter().map(String::from).collect(),
                };
                out.push(Unresolved {
                    note: path.clone(),
                    line: link.line,
                    key: key.clone(),
                    target: match &link.target {
                        Target::Wiki(t) | Target::Path(t) => t.clone(),
                    },
                    candidates,
                });
            }
        }
        out
    }

    /// `c` as read from its file, with the touches notes make for it.
    pub fn with_notes(&self, mut c: Contact) -> Contact {
        let path = c.path.clone();
        merge_into(&mut c, self.note_touches(&path));
        c
    }

    /// The contacts a note touches, for `check --explain`.
    pub fn targets_of(&self, note: &str) -> &[String] {
        self.targets.get(note).map_or(&[], |(c, _)| c.as_slice())
    }
}

/// A `link_keys` link that resolves to no single contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub note: String,
    pub line: usize,
    pub key: String,
    pub target: String,
    /// Empty when it names no contact; else the contacts it could mean.
    pub candidates: Vec<String>,
}

/// The contacts `note` links to, each once, in path order.
fn note_contacts(resolver: &Resolver, path: &str, note: &Note) -> Vec<String> {
    let links = note.keyed.iter().map(|(_, l)| l).chain(&note.links);
    let mut out: Vec<String> = links
        .filter_map(|l| match resolver.resolve(path, &l.target) {
            Resolved::Contact(c) if c != path => Some(c.to_string()),
            _ => None,
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn note_touch(path: &str, note: &Note) -> Touch {
    let (channel, word) = note
        .channel
        .clone()
        .unwrap_or((Channel::Other, String::new()));
    Touch {
        date: note.date,
        time: None,
        channel,
        word,
        text: note.title.clone(),
        line: 0,
        next: None,
        is_met: false,
        origin: Origin::Note(path.into()),
    }
}

/// Give `c` the touches from `notes` in place of those it had: one touch per day (SPEC 10).
/// The contact's own file wins a day (a heading, or a mapped `last` date), and of two notes
/// the first by path. Done in place, so that a contact is never held twice; the touches of its
/// own file are those whose origin is not a note (the parse cache stores only those).
pub fn merge_into<'t>(c: &mut Contact, notes: impl Iterator<Item = &'t Touch>) {
    let had = c.touches.len();
    c.touches.retain(|t| !matches!(t.origin, Origin::Note(_)));
    let own = c.touches.len();
    let mut days: BTreeSet<chrono::NaiveDate> = c.touches.iter().map(|t| t.date).collect();
    for touch in notes {
        if days.insert(touch.date) {
            c.touches.push(touch.clone());
        }
    }
    if c.touches.len() == own && own == had {
        return;
    }
    // Notes have no time or line: on one day they come after the file's own touches.
    c.touches
        .sort_by_key(|t| (t.date, t.time, matches!(t.origin, Origin::Note(_)), t.line));
    c.index_next_steps();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Channels;
    use crate::parse::{parse_file, reading::Reading};

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, Cached> {
        let reading = Reading {
            notes: true,
            ..Reading::default()
        };
        list.iter()
            .map(|(path, text)| {
                let parsed = parse_file(path, text.as_bytes(), &Channels::default(), &reading);
                let cached = Cached {
                    stamp: None,
                    parsed,
                    scheduled: None,
                    stored: false,
                };
                (path.to_string(), cached)
            })
            .collect()
    }

    /// The touch dates the contact at `path` has, after the merge.
    fn dates(files: &BTreeMap<String, Cached>, path: &str) -> Vec<String> {
        let c = files[path].parsed.contact.as_ref().unwrap();
        c.touches.iter().map(|t| t.date.to_string()).collect()
    }

    #[test]
    fn a_note_edited_in_the_same_pass_as_a_contact_rename_moves_its_touch() {
        let jane = ("Jane.md", "---\nname: Jane\n---\n");
        let mut links = Links::default();
        let mut now = files(&[
            jane,
            ("Bob.md", "---\nname: Bob\n---\n"),
            ("n.md", "---\ndate: 2026-11-01\n---\nmet [[Jane]]\n"),
        ]);
        links.dirty.extend(now.keys().cloned());
        links.update(&mut now, true);
        assert_eq!(dates(&now, "Jane.md"), ["2026-11-01"]);
        // One batch: the note is dated again (still linking Jane) and Bob is renamed, which
        // makes every note resolve again.
        let edited = files(&[
            ("Bob.md", "---\nname: Robert\n---\n"),
            ("n.md", "---\ndate: 2026-11-10\n---\nmet [[Jane]]\n"),
        ]);
        for (path, cached) in edited {
            links.dirty.insert(path.clone());
            now.insert(path, cached);
        }
        links.update(&mut now, true);
        let fresh = {
            let mut again = files(&[
                jane,
                ("Bob.md", "---\nname: Robert\n---\n"),
                ("n.md", "---\ndate: 2026-11-10\n---\nmet [[Jane]]\n"),
            ]);
            let mut l = Links::default();
            l.update(&mut again, true);
            dates(&again, "Jane.md")
        };
        assert_eq!(fresh, ["2026-11-10"]);
        assert_eq!(dates(&now, "Jane.md"), fresh);
    }
}
