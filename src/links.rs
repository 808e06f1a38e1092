//! Links in notes, for touches from notes (SPEC 10): the links a note's body makes (not those in
//! unchecked tasks, block quotes, code, HTML or embeds), its title, a front-matter value read as
//! a link, and where a link leads among the contacts, resolved as Obsidian resolves it. Pure: no
//! disk, no config, no clock; which notes count and on what date is the caller's business.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use percent_encoding::percent_decode_str;
use pulldown_cmark::{Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use unicode_normalization::UnicodeNormalization;

/// What a note's body says for touches: its first level-1 heading's plain text, and its links.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NoteBody {
    pub title: Option<String>,
    pub links: Vec<Link>,
}

/// One link of a note's body.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    pub target: Target,
    /// 1-based file line
    pub line: usize,
}

/// Where a link points, as written.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Target {
    /// A wikilink's target: the text before `#` / `^` / `|`, trimmed (`[[Jane Doe#Call|Jane]]`
    /// -> `Jane Doe`; `[[People/Jane Doe.md]]` -> `People/Jane Doe.md`). Also a plain name.
    Wiki(String),
    /// A Markdown link's destination: percent-decoded (`%20` -> space), without `#fragment` or
    /// `?query`, as written (relative to the note's folder, or starting with `/` for the vault
    /// root). Links with a URL scheme (`https:`, `mailto:`, `obsidian:`) are not links to notes
    /// and are never returned; an empty path (`#heading` only) is not returned either.
    Path(String),
}

const OPTIONS: Options = Options::ENABLE_WIKILINKS.union(Options::ENABLE_TASKLISTS);

/// The title and the links of a note's body (the text after the front matter), whose first
/// line is file line `body_line`.
///
/// Links do not count inside unchecked task items, block quotes (any depth, also in lists and
/// callouts), code spans, code blocks, HTML blocks and comments, Obsidian comments (`%% ... %%`,
/// to the end of the note when unclosed), and embeds (`![[...]]`, `![alt](x.md)`, and whatever
/// an image's alt text holds). For tasks, the innermost task item around a link decides: a checked `- [x]` item counts, also below an unchecked one (that step
/// was done), and a plain sub-item of an unchecked task does not count (it is part of the task).
/// Obsidian's other task statuses (`- [-]` cancelled, `- [/]` in progress, `- [>]` deferred, any
/// one character but `x`/`X`) are not done, like `- [ ]`.
///
/// The title is the plain text of the first non-empty level-1 heading (ATX or setext) outside
/// block quotes, inline markup removed and links' text kept, white space collapsed.
///
/// Wikilinks that span lines are not links (Obsidian does not link across lines). Never panics.
pub fn scan_body(body: &str, body_line: usize) -> NoteBody {
    let mut out = NoteBody::default();
    // Neither a link nor a heading is possible without one of these.
    if !body.contains(['[', '#', '=']) {
        return out;
    }
    let mut quotes = 0usize;
    let mut images = 0usize;
    let mut code_block = false;
    // Inside an Obsidian comment, `%% ... %%` (inline or over several blocks).
    let mut comment = false;
    // Per open list item: Some(done) for a task item, None for a plain one.
    let mut items: Vec<Option<bool>> = Vec::new();
    let mut title: Option<String> = None;
    // Lines are counted incrementally: recounting from the start per link is quadratic.
    let (mut counted_to, mut line) = (0, body_line);
    for (event, range) in Parser::new_ext(body, OPTIONS).into_offset_iter() {
        match event {
            Event::Start(Tag::BlockQuote(_)) => quotes += 1,
            Event::End(TagEnd::BlockQuote(_)) => quotes = quotes.saturating_sub(1),
            Event::Start(Tag::Item) => items.push(other_task_status(body, range.start)),
            Event::End(TagEnd::Item) => {
                items.pop();
            }
            Event::TaskListMarker(done) => {
                if let Some(top) = items.last_mut() {
                    *top = Some(done);
                }
            }
            Event::Start(Tag::Image { .. }) => images += 1,
            Event::End(TagEnd::Image) => images = images.saturating_sub(1),
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if out.title.is_none() && quotes == 0 && !comment => title = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(text) = title.take() {
                    let plain = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !plain.is_empty() {
                        out.title = Some(plain);
                    }
                }
            }
            Event::Start(Tag::CodeBlock(_)) => code_block = true,
            Event::End(TagEnd::CodeBlock) => code_block = false,
            Event::Text(t) if !code_block && t.contains("%%") => {
                comment ^= t.matches("%%").count() % 2 == 1;
                if let Some(text) = title.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(text) = title.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(text) = title.as_mut() {
                    text.push(' ');
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                if quotes > 0 || images > 0 || comment || in_open_task(&items) {
                    continue;
                }
                let Some(target) = link_target(link_type, &dest_url) else {
                    continue;
                };
                if let Some(between) = body.as_bytes().get(counted_to..range.start) {
                    line += crate::parse::bytecount_newlines(between);
                    counted_to = range.start;
                }
                out.links.push(Link { target, line });
            }
            _ => {}
        }
    }
    out
}

/// Whether the innermost task item around the current event is not done.
fn in_open_task(items: &[Option<bool>]) -> bool {
    items.iter().rev().find_map(|t| *t) == Some(false)
}

/// An Obsidian task status pulldown-cmark does not know (`- [-] x`, `1. [/] x`): the list item
/// starting at byte `start` is then a task, done only for `x`/`X` (which pulldown-cmark reports
/// itself). None for anything else.
fn other_task_status(body: &str, start: usize) -> Option<bool> {
    // A list item may be indented up to three spaces; its range may start before the marker.
    let rest = body.get(start..)?.trim_start_matches([' ', '\t']);
    let after_marker = match rest.as_bytes().first()? {
        b'-' | b'*' | b'+' => &rest[1..],
        b'0'..=b'9' => rest
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .strip_prefix(['.', ')'])?,
        _ => return None,
    };
    let spaced = after_marker.trim_start_matches([' ', '\t']);
    if spaced.len() == after_marker.len() {
        return None;
    }
    let mut chars = spaced.strip_prefix('[')?.chars();
    let status = chars.next()?;
    let after = chars.as_str().strip_prefix(']')?;
    let ends = after.is_empty() || after.starts_with([' ', '\t', '\n', '\r']);
    if !ends || status.is_whitespace() || status == ']' {
        return None;
    }
    Some(matches!(status, 'x' | 'X'))
}

/// A link's target, or None when it leads nowhere in the vault.
fn link_target(link_type: LinkType, dest: &str) -> Option<Target> {
    match link_type {
        LinkType::WikiLink { .. } => wiki_target(dest),
        // `<jane@example.com>`: an address, not a file.
        LinkType::Email => None,
        _ => path_target(dest),
    }
}

/// The target of a wikilink's inside (`Jane Doe#Call|Jane` -> `Jane Doe`).
fn wiki_target(inside: &str) -> Option<Target> {
    if inside.contains(['\n', '\r']) {
        return None;
    }
    let end = inside.find(['#', '^', '|']).unwrap_or(inside.len());
    // In a table, Obsidian writes the pipe escaped: `[[Jane Doe\|Jane]]`.
    let target = inside[..end].trim().trim_end_matches('\\').trim_end();
    (!target.is_empty()).then(|| Target::Wiki(target.to_string()))
}

/// The note path of a Markdown link's destination, or None for a URL or an empty path.
fn path_target(dest: &str) -> Option<Target> {
    let end = dest.find(['#', '?']).unwrap_or(dest.len());
    let path = dest[..end].trim();
    if path.is_empty() || has_scheme(path) {
        return None;
    }
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    let decoded = decoded.trim();
    (!decoded.is_empty()).then(|| Target::Path(decoded.to_string()))
}

/// Whether `s` starts with a URL scheme (`https:`, `mailto:`): 2 to 32 characters, a letter
/// then letters, digits, `+`, `-` or `.`, then `:` (CommonMark's autolink schemes).
fn has_scheme(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(colon) = bytes.iter().position(|&b| b == b':') else {
        return false;
    };
    (2..=32).contains(&colon)
        && bytes[0].is_ascii_alphabetic()
        && bytes[1..colon]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// A front-matter value of a link key as a target: `[[Jane Doe]]` / `[[Jane Doe|J]]` ->
/// Wiki("Jane Doe"); `[Jane](People/Jane%20Doe.md)` -> Path("People/Jane Doe.md"); plain
/// `Jane Doe` -> Wiki("Jane Doe"); empty -> None.
///
/// A value that is a link to nothing in the vault (`[[#Heading]]`, `[site](https://x.y)`) is
/// None too. A value that starts with a Markdown link but holds more is read as plain text.
pub fn value_target(value: &str) -> Option<Target> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if let Some(inside) = value.strip_prefix("[[").and_then(|v| v.strip_suffix("]]")) {
        return wiki_target(inside);
    }
    if value.starts_with('[') {
        let first_link = Parser::new_ext(value, Options::empty())
            .into_offset_iter()
            .find_map(|(event, range)| match event {
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }) => Some((link_type, dest_url, range)),
                _ => None,
            });
        if let Some((link_type, dest, range)) = first_link
            && range == (0..value.len())
        {
            return link_target(link_type, &dest);
        }
    }
    Some(Target::Wiki(value.to_string()))
}

/// The targets of a front-matter value of a link key: its `value_target`, or each link of a
/// text that holds several (`"[[Jane]], [[Bob]]"`, typed into one text property).
pub fn value_targets(value: &str) -> Vec<Target> {
    let v = value.trim();
    if v.starts_with('[') {
        let links = scan_body(v, 1).links;
        if links.len() > 1 {
            return links.into_iter().map(|l| l.target).collect();
        }
    }
    value_target(v).into_iter().collect()
}

/// Resolves targets to contacts. Built once from every contact: (vault-relative path with `/`
/// separators, ending in `.md`; its name; its aliases).
///
/// Keys are compared in Unicode lowercase and NFC, so a name typed on one system finds a file
/// named on another (macOS file names come decomposed).
pub struct Resolver {
    paths: Vec<String>,
    /// The path without `.md`.
    by_path: HashMap<String, Slot>,
    /// Every tail of the path (without `.md`) after a `/` that still holds a `/`.
    by_suffix: HashMap<String, Slot>,
    /// The file name without `.md`.
    by_stem: HashMap<String, Slot>,
    by_alias: HashMap<String, Slot>,
    by_name: HashMap<String, Slot>,
}

/// Where a target leads: one contact's path, nothing, or several contacts' paths (sorted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved<'a> {
    Contact(&'a str),
    Nothing,
    Ambiguous(Vec<&'a str>),
}

impl Resolver {
    pub fn new<'a>(
        contacts: impl IntoIterator<Item = (&'a str, &'a str, &'a [String])>,
    ) -> Resolver {
        let contacts = contacts.into_iter();
        let n = contacts.size_hint().0;
        let mut r = Resolver {
            paths: Vec::with_capacity(n),
            by_path: HashMap::with_capacity(n),
            by_suffix: HashMap::new(),
            by_stem: HashMap::with_capacity(n),
            by_alias: HashMap::new(),
            by_name: HashMap::with_capacity(n),
        };
        for (path, name, aliases) in contacts {
            let i = r.paths.len();
            r.paths.push(path.to_string());
            let full = key(crate::parse::strip_md(path));
            for (at, _) in full.match_indices('/') {
                let tail = &full[at + 1..];
                if tail.contains('/') {
                    add(&mut r.by_suffix, tail.to_string(), i);
                }
            }
            let stem = full.rsplit('/').next().unwrap_or(&full).to_string();
            add(&mut r.by_stem, stem, i);
            add(&mut r.by_path, full, i);
            for alias in aliases {
                add(&mut r.by_alias, key(alias.trim()), i);
            }
            add(&mut r.by_name, key(name.trim()), i);
        }
        r
    }

    /// Where `target`, found in the note at vault-relative `from`, leads.
    ///
    /// A wikilink target is tried, in turn, as a path from the vault root (or, with `/`, as the
    /// tail of a path), a file stem, an alias, and a contact's `name`; the first rule that finds
    /// any contact decides. A wikilink written as a relative path (`[[../People/Jane Doe]]`) and
    /// a Markdown link's path are resolved from the note's folder, then from the vault root.
    pub fn resolve(&self, from: &str, target: &Target) -> Resolved<'_> {
        match target {
            Target::Wiki(t) => {
                let t = crate::parse::strip_md(t.trim());
                if t.starts_with("./") || t.starts_with("../") {
                    return self.resolve_path(from, t);
                }
                let k = key(t.trim_start_matches('/'));
                if k.is_empty() {
                    return Resolved::Nothing;
                }
                let found = self
                    .by_path
                    .get(&k)
                    .or_else(|| k.contains('/').then(|| self.by_suffix.get(&k)).flatten())
                    .or_else(|| self.by_stem.get(&k))
                    .or_else(|| self.by_alias.get(&k))
                    .or_else(|| self.by_name.get(&k));
                self.answer(found)
            }
            Target::Path(p) => self.resolve_path(from, p),
        }
    }

    fn resolve_path(&self, from: &str, path: &str) -> Resolved<'_> {
        let folder = from.rfind('/').map_or("", |i| &from[..i]);
        let lookup = |base: &str| {
            let joined = join(base, path)?;
            self.by_path.get(&key(crate::parse::strip_md(&joined)))
        };
        let found = lookup(folder).or_else(|| {
            (!folder.is_empty() && !path.starts_with('/'))
                .then(|| lookup(""))
                .flatten()
        });
        self.answer(found)
    }

    fn answer(&self, found: Option<&Slot>) -> Resolved<'_> {
        let Some(slot) = found else {
            return Resolved::Nothing;
        };
        let path = |i: usize| self.paths.get(i).map_or("", String::as_str);
        if slot.more.is_empty() {
            return Resolved::Contact(path(slot.first));
        }
        let mut paths: Vec<&str> = std::iter::once(slot.first)
            .chain(slot.more.iter().copied())
            .map(path)
            .collect();
        paths.sort_unstable();
        paths.dedup();
        match paths.as_slice() {
            [one] => Resolved::Contact(one),
            _ => Resolved::Ambiguous(paths),
        }
    }
}

/// The contacts (indexes into `Resolver::paths`) that one key finds: nearly always one, so
/// the others go in a `Vec` that stays unallocated.
struct Slot {
    first: usize,
    more: Vec<usize>,
}

fn add(map: &mut HashMap<String, Slot>, k: String, i: usize) {
    if k.is_empty() {
        return;
    }
    match map.entry(k) {
        Entry::Occupied(mut slot) => {
            let slot = slot.get_mut();
            // A contact adds all its keys before the next one starts: a repeat is the last one.
            if slot.more.last().unwrap_or(&slot.first) != &i {
                slot.more.push(i);
            }
        }
        Entry::Vacant(slot) => {
            slot.insert(Slot {
                first: i,
                more: Vec::new(),
            });
        }
    }
}

/// The comparison key: Unicode lowercase, NFC.
fn key(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let lower = s.to_lowercase();
    match unicode_normalization::is_nfc_quick(lower.chars()) {
        unicode_normalization::IsNormalized::Yes => lower,
        _ => lower.nfc().collect(),
    }
}

/// `path` joined to the folder `base` (from the vault root when it starts with `/`), with `.`
/// and `..` resolved; None when it climbs above the vault root or is empty.
fn join(base: &str, path: &str) -> Option<String> {
    let (base, path) = match path.strip_prefix('/') {
        Some(rooted) => ("", rooted),
        None => (base, path),
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in base.split('/').chain(path.split('/')) {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            s => segments.push(s),
        }
    }
    (!segments.is_empty()).then(|| segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wiki(s: &str) -> Target {
        Target::Wiki(s.to_string())
    }

    fn path(s: &str) -> Target {
        Target::Path(s.to_string())
    }

    /// The targets `scan_body` finds in `body`, in order.
    fn targets(body: &str) -> Vec<Target> {
        scan_body(body, 1)
            .links
            .into_iter()
            .map(|l| l.target)
            .collect()
    }

    #[test]
    fn exclusions() {
        let cases: &[(&str, &str)] = &[
            ("unchecked task", "- [ ] call [[Jane]]\n"),
            ("unchecked ordered task", "1. [ ] call [[Jane]]\n"),
            (
                "plain sub-item of an unchecked task",
                "- [ ] call\n  - ask [[Jane]]\n",
            ),
            ("lazy line of an unchecked task", "- [ ] call\n  [[Jane]]\n"),
            ("cancelled task", "- [-] call [[Jane]]\n"),
            ("in-progress task", "* [/] call [[Jane]]\n"),
            ("indented cancelled task", "   - [-] call [[Jane]]\n"),
            ("indented ordered task", "  1. [/] call [[Jane]]\n"),
            ("indented second task", " - [x] a\n - [-] call [[Jane]]\n"),
            (
                "unchecked sub-task of a checked task",
                "- [x] met\n  - [ ] call [[Jane]]\n",
            ),
            ("block quote", "> met [[Jane]]\n"),
            ("nested quote", "> a\n>> met [[Jane]]\n"),
            ("quote in a list", "- a\n  > met [[Jane]]\n"),
            ("callout", "> [!note] About\n> met [[Jane]]\n"),
            ("code span", "met `[[Jane]]`\n"),
            ("double code span", "met ``x [[Jane]] y``\n"),
            ("fenced code", "```\n[[Jane]]\n```\n"),
            ("tilde fence", "~~~md\n[Jane](Jane.md)\n~~~\n"),
            ("indented code", "text\n\n    [[Jane]]\n"),
            ("html comment", "<!-- met [[Jane]] -->\n"),
            ("inline html comment", "a <!-- met [[Jane]] --> b\n"),
            ("multi-line inline comment", "a <!--\n[[Jane]]\n--> b\n"),
            ("html block", "<div>\n[[Jane]]\n</div>\n"),
            ("obsidian comment", "met %% [[Jane]] %% today\n"),
            (
                "obsidian comment block",
                "%%\nmet [[Jane]]\n\nand [Jane](Jane.md)\n%%\n",
            ),
            ("unclosed obsidian comment", "a %% b\n\n[[Jane]]\n"),
            ("wiki embed", "![[Jane]]\n"),
            ("image embed", "![Jane](Jane.md)\n"),
            ("link in alt text", "![see [Jane](Jane.md)](photo.png)\n"),
            ("url", "[site](https://example.com/Jane.md)\n"),
            ("mailto", "[mail](mailto:jane@example.com)\n"),
            ("obsidian uri", "[o](obsidian://open?vault=v&file=Jane)\n"),
            ("autolink", "<https://example.com>\n"),
            ("email autolink", "<jane@example.com>\n"),
            ("fragment only", "[up](#Top)\n"),
            ("empty destination", "[x]()\n"),
            ("wikilink to a heading here", "[[#Top]]\n"),
            ("wikilink to a block here", "[[#^abc]]\n"),
            ("empty wikilink", "[[]] [[ ]]\n"),
            ("wikilink over two lines", "[[Jane\nDoe]]\n"),
            ("escaped", "\\[[Jane]]\n"),
        ];
        for (what, body) in cases {
            assert_eq!(targets(body), Vec::<Target>::new(), "{what}: {body:?}");
        }
    }

    #[test]
    fn links_that_count() {
        let cases: &[(&str, &str, &[Target])] = &[
            ("plain", "met [[Jane]]", &[wiki("Jane")]),
            ("checked task", "- [x] called [[Jane]]", &[wiki("Jane")]),
            (
                "checked task, capital X",
                "- [X] called [[Jane]]",
                &[wiki("Jane")],
            ),
            (
                "checked sub-task of an unchecked task",
                "- [ ] follow up [[Bob]]\n  - [x] called [[Jane]]",
                &[wiki("Jane")],
            ),
            ("plain list item", "- met [[Jane]]", &[wiki("Jane")]),
            (
                "after a quote",
                "> [[Bob]]\n\nmet [[Jane]]",
                &[wiki("Jane")],
            ),
            (
                "after an unchecked task",
                "- [ ] [[Bob]]\n\nmet [[Jane]]",
                &[wiki("Jane")],
            ),
            ("after code", "`[[Bob]]` and [[Jane]]", &[wiki("Jane")]),
            ("after a comment", "%% [[Bob]] %% [[Jane]]", &[wiki("Jane")]),
            (
                "after a comment block",
                "%%\n[[Bob]]\n%%\n\n[[Jane]]",
                &[wiki("Jane")],
            ),
            (
                "%% in code is no comment",
                "`%%` [[Jane]]\n\n```\n%%\n```\n[[Bob]]",
                &[wiki("Jane"), wiki("Bob")],
            ),
            ("pipe", "[[Jane Doe|Jane]]", &[wiki("Jane Doe")]),
            ("heading", "[[Jane Doe#Call notes]]", &[wiki("Jane Doe")]),
            (
                "heading and pipe",
                "[[Jane Doe#Call|Jane]]",
                &[wiki("Jane Doe")],
            ),
            ("block", "[[Jane Doe#^a1b2]]", &[wiki("Jane Doe")]),
            (
                "escaped pipe in a table",
                "| [[Jane Doe\\|Jane]] |",
                &[wiki("Jane Doe")],
            ),
            ("md extension", "[[Jane Doe.md]]", &[wiki("Jane Doe.md")]),
            ("path", "[[People/Jane Doe]]", &[wiki("People/Jane Doe")]),
            ("spaces trimmed", "[[ Jane Doe ]]", &[wiki("Jane Doe")]),
            ("non-ascii", "[[José Núñez]]", &[wiki("José Núñez")]),
            (
                "non-ascii, piped",
                "[[Zoë|Z]] and [[東京]]",
                &[wiki("Zoë"), wiki("東京")],
            ),
            ("in a heading", "## Call with [[Jane]]", &[wiki("Jane")]),
            ("in emphasis", "*met [[Jane]]*", &[wiki("Jane")]),
            ("in inline html", "<span>[[Jane]]</span>", &[wiki("Jane")]),
            ("markdown", "[Jane](Jane.md)", &[path("Jane.md")]),
            (
                "percent",
                "[Jane](People/Jane%20Doe.md)",
                &[path("People/Jane Doe.md")],
            ),
            (
                "percent, non-ascii",
                "[J](Jos%C3%A9.md)",
                &[path("José.md")],
            ),
            (
                "angle brackets",
                "[Jane](<People/Jane Doe.md>)",
                &[path("People/Jane Doe.md")],
            ),
            (
                "fragment",
                "[Jane](Jane%20Doe.md#Call)",
                &[path("Jane Doe.md")],
            ),
            ("query", "[Jane](Jane.md?x=1)", &[path("Jane.md")]),
            ("title", "[Jane](Jane.md \"her file\")", &[path("Jane.md")]),
            (
                "up a folder",
                "[Jane](../People/Jane.md)",
                &[path("../People/Jane.md")],
            ),
            (
                "from the root",
                "[Jane](/People/Jane.md)",
                &[path("/People/Jane.md")],
            ),
            ("no extension", "[Jane](Jane%20Doe)", &[path("Jane Doe")]),
            (
                "reference",
                "[Jane][j]\n\n[j]: People/Jane%20Doe.md",
                &[path("People/Jane Doe.md")],
            ),
            (
                "several, in order",
                "[[A]] [b](B.md)\n\n- [[C]]\n",
                &[wiki("A"), path("B.md"), wiki("C")],
            ),
            ("same twice", "[[A]] [[A]]", &[wiki("A"), wiki("A")]),
        ];
        for (what, body, expected) in cases {
            assert_eq!(targets(body), expected.to_vec(), "{what}: {body:?}");
        }
    }

    #[test]
    fn line_numbers() {
        let lines = |body: &str, first: usize| -> Vec<usize> {
            scan_body(body, first)
                .links
                .iter()
                .map(|l| l.line)
                .collect()
        };
        let cases: &[(&str, usize, &[usize])] = &[
            ("[[A]]", 1, &[1]),
            ("[[A]]", 5, &[5]),
            ("x\n[[A]] [[B]]\n\n[c](c.md)\n", 1, &[2, 2, 4]),
            ("x\r\n[[A]]\r\n\r\n[c](c.md)\r\n", 3, &[4, 6]),
            ("> [[Q]]\n```\n[[C]]\n```\n\n# T\n\ntext [[A]]\n", 10, &[17]),
            ("é\nü\n東\n[[A]]", 1, &[4]),
            ("line\nline\n- [ ] [[X]]\n- [x] [[A]]\n", 2, &[5]),
        ];
        for (body, first, expected) in cases {
            assert_eq!(
                lines(body, *first),
                expected.to_vec(),
                "{body:?} from {first}"
            );
        }
    }

    #[test]
    fn title() {
        let cases: &[(&str, Option<&str>)] = &[
            ("# Call with Jane\n", Some("Call with Jane")),
            ("# Call with **Jane**\n", Some("Call with Jane")),
            ("# Call with [[Jane Doe|Jane]]\n", Some("Call with Jane")),
            (
                "# Call with [Jane](Jane.md) and `code`\n",
                Some("Call with Jane and code"),
            ),
            ("# Call   with\tJane #\n", Some("Call with Jane")),
            ("Meeting with Bob\n===\n", Some("Meeting with Bob")),
            ("Meeting\nwith Bob\n===\n", Some("Meeting with Bob")),
            ("## Not a title\n\n# Title\n\n# Second\n", Some("Title")),
            ("#\n\n# Title\n", Some("Title")),
            ("> # Quoted\n\n# Title\n", Some("Title")),
            ("%%\n# Hidden\n%%\n\n# Title\n", Some("Title")),
            ("```\n# Code\n```\n", None),
            ("no heading [[Jane]]\n", None),
            ("## Only level two\n", None),
            ("#hashtag\n", None),
        ];
        for (body, expected) in cases {
            let got = scan_body(body, 1).title;
            assert_eq!(got.as_deref(), *expected, "{body:?}");
        }
    }

    #[test]
    fn a_title_heading_is_also_scanned_for_links() {
        let note = scan_body("# Lunch with [[Jane]]\n", 1);
        assert_eq!(note.title.as_deref(), Some("Lunch with Jane"));
        assert_eq!(
            note.links,
            vec![Link {
                target: wiki("Jane"),
                line: 1
            }]
        );
    }

    #[test]
    fn front_matter_values() {
        let cases: &[(&str, Option<Target>)] = &[
            ("[[Jane Doe]]", Some(wiki("Jane Doe"))),
            ("[[Jane Doe|J]]", Some(wiki("Jane Doe"))),
            (" [[Jane Doe#Call]] ", Some(wiki("Jane Doe"))),
            ("[[People/Jane Doe.md]]", Some(wiki("People/Jane Doe.md"))),
            ("[[José Núñez]]", Some(wiki("José Núñez"))),
            (
                "[Jane](People/Jane%20Doe.md)",
                Some(path("People/Jane Doe.md")),
            ),
            (
                "[Jane](<People/Jane Doe.md>)",
                Some(path("People/Jane Doe.md")),
            ),
            ("[site](https://example.com)", None),
            ("Jane Doe", Some(wiki("Jane Doe"))),
            ("  Jane Doe  ", Some(wiki("Jane Doe"))),
            ("[Jane] Doe", Some(wiki("[Jane] Doe"))),
            ("[[#Heading]]", None),
            ("[[]]", None),
            ("", None),
            ("   ", None),
        ];
        for (value, expected) in cases {
            assert_eq!(value_target(value), *expected, "{value:?}");
        }
    }

    #[test]
    fn front_matter_values_with_several_links() {
        let cases: &[(&str, &[Target])] = &[
            ("[[Jane]], [[Bob]]", &[wiki("Jane"), wiki("Bob")]),
            (
                "[[Jane|J]] and [[People/Bob]]",
                &[wiki("Jane"), wiki("People/Bob")],
            ),
            (
                "[J](Jane.md), [B](Bob.md)",
                &[path("Jane.md"), path("Bob.md")],
            ),
            ("[[Jane]]", &[wiki("Jane")]),
            ("Jane Doe", &[wiki("Jane Doe")]),
            ("[[#Heading]]", &[]),
        ];
        for (value, expected) in cases {
            assert_eq!(value_targets(value), expected.to_vec(), "{value:?}");
        }
    }

    fn contacts() -> Vec<(&'static str, &'static str, Vec<String>)> {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        vec![
            ("People/Jane Doe.md", "Jane Doe", v(&["JD", "Janie"])),
            ("Archive/People/Jane Doe.md", "Jane Doe (old)", v(&[])),
            ("People/bob-smith.md", "Bob Smith", v(&["Bobby"])),
            ("Work/Clients/Acme/Carol.md", "Carol King", v(&["CK"])),
            ("Team/Carol.md", "Carol Ng", v(&[])),
            ("José Núñez.md", "José Núñez", v(&[])),
            ("Dan.md", "Daniel", v(&["Smithy"])),
            ("Others/Smithy.md", "Eve", v(&[])),
            ("Janie.md", "Someone", v(&[])),
            ("Frank.md", "Bobby", v(&[])),
            ("Gus.md", "Twin", v(&["Twins"])),
            ("Hal.md", "Twin", v(&["Twins"])),
        ]
    }

    #[test]
    fn resolver() {
        let owned = contacts();
        let r = Resolver::new(owned.iter().map(|(p, n, a)| (*p, *n, a.as_slice())));
        use Resolved::{Ambiguous, Contact, Nothing};
        let cases: &[(&str, &str, Target, Resolved)] = &[
            // Path from the vault root, with or without `.md`, any case.
            (
                "path",
                "n.md",
                wiki("People/Jane Doe"),
                Contact("People/Jane Doe.md"),
            ),
            (
                "path .md",
                "n.md",
                wiki("People/Jane Doe.md"),
                Contact("People/Jane Doe.md"),
            ),
            (
                "path case",
                "n.md",
                wiki("people/JANE DOE.MD"),
                Contact("People/Jane Doe.md"),
            ),
            (
                "path rooted",
                "n.md",
                wiki("/People/Jane Doe"),
                Contact("People/Jane Doe.md"),
            ),
            // The tail of a path.
            (
                "suffix",
                "n.md",
                wiki("Acme/Carol"),
                Contact("Work/Clients/Acme/Carol.md"),
            ),
            (
                "longer suffix",
                "n.md",
                wiki("Clients/Acme/Carol.md"),
                Contact("Work/Clients/Acme/Carol.md"),
            ),
            ("suffix, not mid-name", "n.md", wiki("cme/Carol"), Nothing),
            // A path beats a suffix: `People/Jane Doe` is also a tail of the archived one.
            (
                "path over suffix",
                "n.md",
                wiki("People/Jane Doe"),
                Contact("People/Jane Doe.md"),
            ),
            // Stem.
            (
                "stem",
                "n.md",
                wiki("bob-smith"),
                Contact("People/bob-smith.md"),
            ),
            (
                "stem case",
                "n.md",
                wiki("BOB-SMITH.md"),
                Contact("People/bob-smith.md"),
            ),
            (
                "stem, ambiguous",
                "n.md",
                wiki("Jane Doe"),
                Ambiguous(vec!["Archive/People/Jane Doe.md", "People/Jane Doe.md"]),
            ),
            (
                "stem, ambiguous folders",
                "n.md",
                wiki("carol"),
                Ambiguous(vec!["Team/Carol.md", "Work/Clients/Acme/Carol.md"]),
            ),
            // Aliases, and a stem beats an alias.
            ("alias", "n.md", wiki("jd"), Contact("People/Jane Doe.md")),
            (
                "stem over alias",
                "n.md",
                wiki("Janie"),
                Contact("Janie.md"),
            ),
            (
                "stem over alias 2",
                "n.md",
                wiki("Smithy"),
                Contact("Others/Smithy.md"),
            ),
            (
                "alias, ambiguous",
                "n.md",
                wiki("twins"),
                Ambiguous(vec!["Gus.md", "Hal.md"]),
            ),
            // Names, and an alias beats a name.
            (
                "name",
                "n.md",
                wiki("Bob Smith"),
                Contact("People/bob-smith.md"),
            ),
            (
                "name case",
                "n.md",
                wiki("carol king"),
                Contact("Work/Clients/Acme/Carol.md"),
            ),
            (
                "alias over name",
                "n.md",
                wiki("Bobby"),
                Contact("People/bob-smith.md"),
            ),
            (
                "name, ambiguous",
                "n.md",
                wiki("Twin"),
                Ambiguous(vec!["Gus.md", "Hal.md"]),
            ),
            ("nothing", "n.md", wiki("Zed"), Nothing),
            ("empty", "n.md", wiki(" "), Nothing),
            // Unicode: lowercase, and decomposed (as macOS names files) equals composed.
            (
                "non-ascii",
                "n.md",
                wiki("JOSÉ NÚÑEZ"),
                Contact("José Núñez.md"),
            ),
            (
                "decomposed",
                "n.md",
                wiki("Jose\u{301} Nu\u{301}n\u{303}ez"),
                Contact("José Núñez.md"),
            ),
            // Markdown paths: from the note's folder, then from the vault root.
            (
                "md relative",
                "People/n.md",
                path("bob-smith.md"),
                Contact("People/bob-smith.md"),
            ),
            (
                "md no .md",
                "People/n.md",
                path("bob-smith"),
                Contact("People/bob-smith.md"),
            ),
            (
                "md case",
                "people/n.md",
                path("BOB-smith.md"),
                Contact("People/bob-smith.md"),
            ),
            (
                "md up",
                "Daily/n.md",
                path("../People/bob-smith.md"),
                Contact("People/bob-smith.md"),
            ),
            (
                "md dot",
                "n.md",
                path("./People/./bob-smith.md"),
                Contact("People/bob-smith.md"),
            ),
            (
                "md rooted",
                "Daily/n.md",
                path("/People/bob-smith.md"),
                Contact("People/bob-smith.md"),
            ),
            (
                "md from root",
                "Daily/n.md",
                path("People/bob-smith.md"),
                Contact("People/bob-smith.md"),
            ),
            (
                "md note's folder first",
                "Archive/n.md",
                path("People/Jane Doe.md"),
                Contact("Archive/People/Jane Doe.md"),
            ),
            (
                "md above the root",
                "n.md",
                path("../People/bob-smith.md"),
                Nothing,
            ),
            (
                "md far above the root",
                "Daily/n.md",
                path("../../Dan.md"),
                Nothing,
            ),
            (
                "md rooted above the root",
                "Daily/n.md",
                path("/../Dan.md"),
                Nothing,
            ),
            ("md not a stem", "Daily/n.md", path("bob-smith.md"), Nothing),
            ("md not a name", "n.md", path("Bob Smith"), Nothing),
            ("md empty", "n.md", path("."), Nothing),
            // A wikilink written as a relative path.
            (
                "wiki relative",
                "Daily/n.md",
                wiki("../People/bob-smith"),
                Contact("People/bob-smith.md"),
            ),
            ("wiki relative above", "n.md", wiki("../Dan"), Nothing),
        ];
        for (what, from, target, expected) in cases {
            assert_eq!(
                &r.resolve(from, target),
                expected,
                "{what}: {target:?} from {from}"
            );
        }
    }

    #[test]
    fn resolver_with_no_contacts_finds_nothing() {
        let r = Resolver::new(std::iter::empty());
        assert_eq!(r.resolve("n.md", &wiki("Jane")), Resolved::Nothing);
        assert_eq!(r.resolve("n.md", &path("Jane.md")), Resolved::Nothing);
    }

    #[test]
    fn a_contact_found_twice_in_one_rule_is_one_contact() {
        let aliases = vec!["J".to_string(), "j".to_string()];
        let r = Resolver::new([("Jane.md", "Jane", aliases.as_slice())]);
        assert_eq!(r.resolve("n.md", &wiki("J")), Resolved::Contact("Jane.md"));
    }

    proptest::proptest! {
        #[test]
        fn scan_body_never_panics(body in "[\\[\\]()!#|*>` \n\r\t\\-a-zA-Z0-9.:/%<x~=éü東😀\u{301}]{0,200}") {
            let note = scan_body(&body, 1);
            let lines = body.matches('\n').count() + 1;
            for link in &note.links {
                proptest::prop_assert!(link.line >= 1 && link.line <= lines);
            }
            let _ = value_target(&body);
            let r = Resolver::new([("a/b.md", "b", &[][..])]);
            for link in &note.links {
                let _ = r.resolve("x/y.md", &link.target);
            }
        }
    }
}
