//! Three-way merge of one contact file, for git's merge driver (`touchbase merge-file`): when
//! both sides only added touch entries and changed different front-matter keys, the result keeps
//! both; anything else is refused with a [`Fallback`] that says why, so that git's own merge can
//! show ordinary conflict markers. Pure: text in, text out; no files, no processes, no clock.
//! Work is done on the text, so every byte a side wrote is kept as that side wrote it.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;

use chrono::NaiveDate;

use crate::model::{Channels, Touch};
use crate::parse::{self, Format};
use crate::problem::Kind;

/// One side of a merge, as git names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Ours,
    Theirs,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Ours => "ours",
            Side::Theirs => "theirs",
        })
    }
}

/// Why a merge is left to git's own three-way merge. Displayed after the path:
/// `touchbase: alice.md: both sides changed next:; left to git's merge`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Fallback {
    #[error("not UTF-8 text")]
    NotUtf8,
    #[error("a byte order mark in some versions only")]
    Bom,
    #[error("the versions use different line endings")]
    LineEndings,
    #[error("mixed line endings")]
    MixedLineEndings,
    #[error("conflict markers already in the {0} version")]
    ConflictMarkers(&'static str),
    #[error("the {0} version is not a contact")]
    NotAContact(&'static str),
    #[error("both sides changed {0}:")]
    SameKey(String),
    #[error("both sides changed the front matter, and {0}")]
    Shape(&'static str),
    #[error("{0} changed the body in another way than adding touch entries")]
    BodyChanged(Side),
    #[error("the merged file failed its check ({0})")]
    Check(&'static str),
}

const BOM: char = '\u{feff}';
const NAMES: [&str; 3] = ["base", "ours", "theirs"];

/// `Some(merged)` when the three versions merge cleanly by the rules in docs/format.md
/// ("Merging contact files"), `None` to leave the merge to git.
pub fn merge_contact(base: &str, ours: &str, theirs: &str, channels: &Channels) -> Option<String> {
    merge(base, ours, theirs, channels).ok()
}

/// A merge that is clean but for front matter keys both sides changed differently: the text
/// holds git-style conflict markers around those keys only (ours, then theirs), and
/// everything else is merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflicted {
    pub text: String,
    /// The keys in conflict, as written.
    pub keys: Vec<String>,
}

/// [`merge`], except that front matter keys both sides changed differently do not send the
/// whole file to git's merge: when everything else merges, the keys get conflict markers of
/// their own (`Err(Ok(conflicted))`). `Err(Err(why))` is left to git, as with [`merge`].
pub fn merge_marking(
    base: &str,
    ours: &str,
    theirs: &str,
    channels: &Channels,
) -> Result<String, Result<Conflicted, Fallback>> {
    // Each key in conflict takes ours' lines in a copy of theirs; once the rest merges, ours'
    // lines in the result are replaced by both sides' between markers. A key one side removed
    // is taken out of both copies, and its markers go at the end of the front matter. So the
    // merge and its check are the ordinary ones, on versions with no conflict left.
    let mut ours_now = ours.to_string();
    let mut theirs_now = theirs.to_string();
    let mut conflicts: Vec<(String, String, String)> = Vec::new();
    let mut removed: Vec<(String, String, String)> = Vec::new();
    loop {
        match merge(base, &ours_now, &theirs_now, channels) {
            Ok(text) if conflicts.is_empty() && removed.is_empty() => return Ok(text),
            Ok(mut text) => {
                let mut front_end = front_end(&text);
                for (_, o, t) in &conflicts {
                    let Some(at) = line_start_of(&text[..front_end], o) else {
                        return Err(Err(Fallback::Check("a key in conflict is missing")));
                    };
                    let block = format!("<<<<<<< ours\n{o}=======\n{t}>>>>>>> theirs\n");
                    text.replace_range(at..at + o.len(), &block);
                    front_end += block.len() - o.len();
                }
                for (_, o, t) in &removed {
                    let Some(close) = parse::split_front_matter(&text)
                        .ok()
                        .flatten()
                        .map(|s| s.close_offset)
                    else {
                        return Err(Err(Fallback::Check("the front matter is gone")));
                    };
                    let block = format!("<<<<<<< ours\n{o}=======\n{t}>>>>>>> theirs\n");
                    text.insert_str(close, &block);
                }
                let keys = conflicts
                    .into_iter()
                    .chain(removed)
                    .map(|(k, _, _)| k)
                    .collect();
                return Err(Ok(Conflicted { text, keys }));
            }
            Err(Fallback::SameKey(key)) if conflicts.len() + removed.len() < 32 => {
                let o = key_block(&ours_now, &key).map(str::to_string);
                let t = key_block(&theirs_now, &key).map(str::to_string);
                if [&o, &t]
                    .iter()
                    .any(|b| b.as_ref().is_some_and(|b| !b.ends_with('\n')))
                {
                    return Err(Err(Fallback::SameKey(key)));
                }
                match (o, t) {
                    (Some(o), Some(t)) => {
                        let Some(at) = line_start_of(&theirs_now[..front_end(&theirs_now)], &t)
                        else {
                            return Err(Err(Fallback::SameKey(key)));
                        };
                        theirs_now.replace_range(at..at + t.len(), &o);
                        conflicts.push((key, o, t));
                    }
                    (o, t) => {
                        // One side removed it: out of both, back as markers.
                        for (now, block) in [(&mut ours_now, &o), (&mut theirs_now, &t)] {
                            let Some(block) = block else { continue };
                            let Some(at) = line_start_of(&now[..front_end(now)], block) else {
                                return Err(Err(Fallback::SameKey(key)));
                            };
                            now.replace_range(at..at + block.len(), "");
                        }
                        removed.push((key, o.unwrap_or_default(), t.unwrap_or_default()));
                    }
                }
            }
            Err(why) => return Err(Err(why)),
        }
    }
}

/// Where the body starts: the end of the front matter and its closing fence.
fn front_end(text: &str) -> usize {
    parse::split_front_matter(text)
        .ok()
        .flatten()
        .map_or(0, |s| s.body_offset)
}

/// Where `block` (whole lines) starts in `text`, at the start of a line.
fn line_start_of(text: &str, block: &str) -> Option<usize> {
    text.match_indices(block)
        .map(|(at, _)| at)
        .find(|&at| at == 0 || text.as_bytes()[at - 1] == b'\n')
}

/// The raw lines of the front matter key `key` (as written) in an LF YAML contact.
fn key_block<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    if text.contains('\r') || text.starts_with(BOM) {
        return None;
    }
    let split = parse::split_front_matter(text).ok().flatten()?;
    if split.format != Format::Yaml {
        return None;
    }
    let keys = keys(split.content).ok()?;
    keys.get(&key.to_lowercase())
}

/// [`merge_contact`], saying why when it cannot merge.
pub fn merge(
    base: &str,
    ours: &str,
    theirs: &str,
    channels: &Channels,
) -> Result<String, Fallback> {
    if ours == theirs || theirs == base {
        return Ok(ours.to_string());
    }
    if ours == base {
        return Ok(theirs.to_string());
    }
    let texts = [base, ours, theirs];
    let bom = texts.map(|t| t.starts_with(BOM));
    if bom.iter().any(|&b| b != bom[0]) {
        return Err(Fallback::Bom);
    }
    let texts = texts.map(|t| t.strip_prefix(BOM).unwrap_or(t));
    // The merge works on LF text; CRLF files are turned back exactly, since they hold no bare LF.
    let mut crlf = None;
    for text in texts {
        let this = match endings(text) {
            Endings::NoBreak => continue,
            Endings::Mixed => return Err(Fallback::MixedLineEndings),
            Endings::Lf => false,
            Endings::Crlf => true,
        };
        if crlf.replace(this).is_some_and(|before| before != this) {
            return Err(Fallback::LineEndings);
        }
    }
    let crlf = crlf == Some(true);
    let lf: [Cow<'_, str>; 3] = texts.map(|t| {
        if crlf {
            Cow::Owned(t.replace("\r\n", "\n"))
        } else {
            Cow::Borrowed(t)
        }
    });
    let merged = merge_lf([&*lf[0], &*lf[1], &*lf[2]], channels)?;
    let mut out = String::with_capacity(merged.len() + 3);
    if bom[0] {
        out.push(BOM);
    }
    if crlf {
        out.push_str(&merged.replace('\n', "\r\n"));
    } else {
        out.push_str(&merged);
    }
    Ok(out)
}

enum Endings {
    NoBreak,
    Lf,
    Crlf,
    Mixed,
}

fn endings(text: &str) -> Endings {
    let lf = text.matches('\n').count();
    let crlf = text.matches("\r\n").count();
    if parse::has_lone_cr(text) || (crlf > 0 && crlf < lf) {
        Endings::Mixed
    } else if lf == 0 {
        Endings::NoBreak
    } else if crlf == 0 {
        Endings::Lf
    } else {
        Endings::Crlf
    }
}

/// A git conflict marker at the start of a line.
fn has_conflict_markers(text: &str) -> bool {
    text.lines().any(|l| {
        ["<<<<<<<", "|||||||", ">>>>>>>"].iter().any(|m| {
            l.strip_prefix(m)
                .is_some_and(|r| r.is_empty() || r.starts_with(' '))
        })
    })
}

/// One version of the file, parsed.
struct Version<'a> {
    text: &'a str,
    split: parse::Split<'a>,
    touches: Vec<Touch>,
    problems: Vec<Kind>,
}

impl<'a> Version<'a> {
    fn read(text: &'a str, name: &'static str, channels: &Channels) -> Result<Self, Fallback> {
        if has_conflict_markers(text) {
            return Err(Fallback::ConflictMarkers(name));
        }
        let parsed = parse::parse_contact(name, text.as_bytes(), channels);
        let contact = parsed.contact.ok_or(Fallback::NotAContact(name))?;
        let split = parse::split_front_matter(text)
            .ok()
            .flatten()
            .ok_or(Fallback::NotAContact(name))?;
        Ok(Version {
            text,
            split,
            touches: contact.touches,
            problems: parsed.problems.into_iter().map(|p| p.kind).collect(),
        })
    }

    /// The front matter with its fences: everything before the body.
    fn front(&self) -> &'a str {
        &self.text[..self.split.body_offset]
    }

    fn body(&self) -> &'a str {
        self.split.body
    }
}

/// The usual three-way rule on one part: a side that left it alone takes the other's; both sides
/// that made the same change agree. `None` when both changed it differently.
fn three_way<T: PartialEq + Copy>(base: T, ours: T, theirs: T) -> Option<T> {
    if ours == theirs || theirs == base {
        Some(ours)
    } else if ours == base {
        Some(theirs)
    } else {
        None
    }
}

fn merge_lf(texts: [&str; 3], channels: &Channels) -> Result<String, Fallback> {
    let [base, ours, theirs] = [0, 1, 2].map(|i| Version::read(texts[i], NAMES[i], channels));
    let (base, ours, theirs) = (base?, ours?, theirs?);
    let front = merge_front(&base, &ours, &theirs)?;
    let body = merge_body(&base, &ours, &theirs)?;
    let mut text = front;
    if !text.is_empty() && !text.ends_with('\n') && !body.text.is_empty() {
        text.push('\n');
    }
    text.push_str(&body.text);
    check(&text, [&base, &ours, &theirs], &body, channels)?;
    Ok(text)
}

// ---------------------------------------------------------------------------------------------
// Front matter

/// YAML front matter cut into its top-level keys: each key's raw lines (with the comment and
/// blank lines just above it), in file order, and the comment and blank lines after the last.
struct Keys<'a> {
    /// (lowercased key, key as written, raw lines)
    entries: Vec<(String, &'a str, &'a str)>,
    trailer: &'a str,
}

impl<'a> Keys<'a> {
    fn get(&self, key: &str) -> Option<&'a str> {
        self.entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, raw)| *raw)
    }

    /// Keys also in `other`, in this order.
    fn order_among(&self, other: &Keys<'_>) -> Vec<&str> {
        let theirs: HashSet<&str> = other.entries.iter().map(|(k, _, _)| k.as_str()).collect();
        self.entries
            .iter()
            .map(|(k, _, _)| k.as_str())
            .filter(|k| theirs.contains(k))
            .collect()
    }
}

/// More keys than this in front matter changed on both sides is left to git: the key-by-key
/// merge is quadratic in them, and no contact has that many.
const MAX_KEYS: usize = 1000;

/// Cut YAML front matter into keys, or say why it cannot be done safely.
fn keys(content: &str) -> Result<Keys<'_>, &'static str> {
    let mut starts: Vec<(String, &str, usize)> = Vec::new();
    // Where the comment and blank lines waiting for an owner start.
    let mut pending: Option<usize> = None;
    let mut at = 0;
    for line in content.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let t = line.trim_end_matches('\n');
        if has_anchor(t) {
            return Err("it uses anchors or aliases");
        }
        if t.trim().is_empty() || t.starts_with('#') {
            pending.get_or_insert(start);
            continue;
        }
        // An indented line or a block-list item continues the value above it, and so do the
        // comment and blank lines before it.
        if t.starts_with([' ', '\t']) || t == "-" || t.starts_with("- ") {
            if starts.is_empty() {
                return Err("a value comes before the first key");
            }
            pending = None;
            continue;
        }
        let (key, value) = key_line(t).ok_or("a line is not a `key: value`")?;
        if key == "<<" {
            return Err("it uses a merge key (<<)");
        }
        if value.starts_with(['[', '{']) && !flow_closed(value) {
            return Err("a flow list or map runs across lines");
        }
        if value.starts_with(['"', '\'']) && closing_quote(value).is_none() {
            return Err("a quoted value runs across lines");
        }
        starts.push((key.to_lowercase(), key, pending.take().unwrap_or(start)));
    }
    if starts.len() > MAX_KEYS {
        return Err("it has too many keys");
    }
    let trailer_at = pending.unwrap_or(content.len());
    let mut seen = HashSet::new();
    let mut entries = Vec::with_capacity(starts.len());
    for (n, (key, written, from)) in starts.iter().enumerate() {
        if !seen.insert(key.as_str()) {
            return Err("a key is written twice");
        }
        let to = starts.get(n + 1).map_or(trailer_at, |s| s.2);
        entries.push((key.clone(), *written, &content[*from..to]));
    }
    Ok(Keys {
        entries,
        trailer: &content[trailer_at..],
    })
}

/// `key: value` at the start of a line: the key (quotes removed) and the value, trimmed.
fn key_line(t: &str) -> Option<(&str, &str)> {
    let (key, rest) = if t.starts_with(['"', '\'']) {
        let close = closing_quote(t)?;
        let rest = t[close + 1..].trim_start_matches([' ', '\t']);
        (&t[1..close], rest.strip_prefix(':')?)
    } else {
        if t.starts_with([
            '?', '&', '*', '!', '[', ']', '{', '}', '|', '>', '%', '@', '`', ',', '-', ':',
        ]) {
            return None;
        }
        let colon = t
            .match_indices(':')
            .map(|(i, _)| i)
            .find(|&i| t[i + 1..].is_empty() || t[i + 1..].starts_with([' ', '\t']))?;
        (t[..colon].trim_end(), &t[colon + 1..])
    };
    if key.is_empty() || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((key, rest.trim()))
}

/// The byte index of the quote that closes the one `s` starts with.
fn closing_quote(s: &str) -> Option<usize> {
    let quote = s.chars().next()?;
    let mut chars = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if quote == '"' && c == '\\' {
            chars.next();
        } else if c == quote {
            // `''` inside single quotes is a quote.
            if quote == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                chars.next();
            } else {
                return Some(i);
            }
        }
    }
    None
}

/// Whether the flow collection `value` starts is closed on its line.
fn flow_closed(value: &str) -> bool {
    let mut depth = 0i32;
    let mut rest = value;
    let mut after_space = true;
    while let Some(c) = rest.chars().next() {
        if c == '"' || c == '\'' {
            let Some(close) = closing_quote(rest) else {
                return false;
            };
            rest = &rest[close + 1..];
            after_space = false;
            continue;
        }
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            '#' if after_space => break,
            _ => {}
        }
        after_space = c == ' ' || c == '\t';
        rest = &rest[c.len_utf8()..];
    }
    depth == 0
}

/// An anchor (`&name`) or alias (`*name`) where YAML would read one. Text such as `*bold*` in a
/// value is taken for one too: that only sends the merge to git.
fn has_anchor(line: &str) -> bool {
    if line.trim_start().starts_with('#') {
        return false;
    }
    let b = line.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        (c == b'&' || c == b'*')
            && (i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'[' | b'{' | b',' | b':'))
            && b.get(i + 1)
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == b'_')
    })
}

fn merge_front(
    base: &Version<'_>,
    ours: &Version<'_>,
    theirs: &Version<'_>,
) -> Result<String, Fallback> {
    if let Some(front) = three_way(base.front(), ours.front(), theirs.front()) {
        return Ok(front.to_string());
    }
    let versions = [base, ours, theirs];
    if versions.iter().any(|v| v.split.format != Format::Yaml) {
        return Err(Fallback::Shape("it is not YAML"));
    }
    let fences = versions.map(|v| {
        (
            &v.text[..v.split.content_offset],
            &v.text[v.split.close_offset..v.split.body_offset],
        )
    });
    let open = three_way(fences[0].0, fences[1].0, fences[2].0);
    let close = three_way(fences[0].1, fences[1].1, fences[2].1);
    let (Some(open), Some(close)) = (open, close) else {
        return Err(Fallback::Shape("both changed its fences"));
    };
    let [kb, ko, kt] = versions.map(|v| keys(v.split.content));
    let (kb, ko, kt) = (
        kb.map_err(Fallback::Shape)?,
        ko.map_err(Fallback::Shape)?,
        kt.map_err(Fallback::Shape)?,
    );
    let trailer = three_way(kb.trailer, ko.trailer, kt.trailer)
        .ok_or(Fallback::Shape("both changed the lines after its last key"))?;

    // Each key's lines, by the three-way rule; `None` for a key that is gone.
    let mut chosen: HashMap<&str, Option<&str>> = HashMap::new();
    for (key, written, _) in kb.entries.iter().chain(&ko.entries).chain(&kt.entries) {
        if chosen.contains_key(key.as_str()) {
            continue;
        }
        let pick = three_way(kb.get(key), ko.get(key), kt.get(key))
            .ok_or_else(|| Fallback::SameKey((*written).to_string()))?;
        chosen.insert(key.as_str(), pick);
    }

    // Key order: as ours has it, unless only theirs reordered the keys; keys that only the other
    // side added go after the key they follow there.
    let reordered = |side: &Keys<'_>| side.order_among(&kb) != kb.order_among(side);
    let (first, second) = match (reordered(&ko), reordered(&kt)) {
        (true, true) => return Err(Fallback::Shape("both reordered its keys")),
        (false, true) => (&kt, &ko),
        _ => (&ko, &kt),
    };
    let mut order: Vec<&str> = first
        .entries
        .iter()
        .map(|(k, _, _)| k.as_str())
        .filter(|k| chosen[k].is_some())
        .collect();
    for (n, (key, _, _)) in second.entries.iter().enumerate() {
        if chosen[key.as_str()].is_none() || order.contains(&key.as_str()) {
            continue;
        }
        let at = second.entries[..n]
            .iter()
            .rev()
            .find_map(|(before, _, _)| order.iter().position(|k| *k == before.as_str()))
            .map_or(0, |i| i + 1);
        order.insert(at, key.as_str());
    }

    let mut out = String::from(open);
    for key in order {
        out.push_str(chosen[key].unwrap_or_default());
    }
    out.push_str(trailer);
    out.push_str(close);
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Body

/// The merged body, and what the check needs to know about how it was made.
struct Body {
    text: String,
    /// Touches that theirs added and that were kept once because ours added the same entry
    /// (negative when both made the same removal).
    duplicate_touches: isize,
    /// Lines of entries kept once, when both sides' entries were merged (else `None`).
    duplicate_lines: Option<HashMap<String, usize>>,
}

/// A touch entry of a side's body: a touch heading and its notes up to the next heading of the
/// same or a higher level, as line indices.
#[derive(Clone)]
struct Entry {
    lines: Range<usize>,
    date: NaiveDate,
    /// Touch headings in it (a nested `### date` heading is one more).
    touches: usize,
    /// Blank lines at its end.
    trailing: usize,
}

/// A side's entry inserted before base line `at`, after the blank lines `lead`.
#[derive(Clone)]
struct Insert {
    at: usize,
    lead: Range<usize>,
    entry: Entry,
}

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

fn content(line: &str) -> &str {
    line.strip_suffix('\n').unwrap_or(line)
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The touch entries of `body`, by the line where each starts.
fn entries(body: &str, lines: &[&str]) -> Vec<Option<Entry>> {
    let mut starts = Vec::with_capacity(lines.len());
    let mut at = 0;
    for line in lines {
        starts.push(at);
        at += line.len();
    }
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset).saturating_sub(1);
    let spans = parse::heading_spans(body);
    let span_lines: Vec<usize> = spans.iter().map(|h| line_of(h.start)).collect();
    let mut out = vec![None; lines.len()];
    for (n, h) in spans.iter().enumerate() {
        let Some(date) = h.date else { continue };
        let end = spans[n + 1..]
            .iter()
            .zip(&span_lines[n + 1..])
            .find(|(s, _)| s.level <= h.level)
            .map_or(lines.len(), |(_, &line)| line);
        let start = span_lines[n];
        let touches = spans[n..]
            .iter()
            .zip(&span_lines[n..])
            .take_while(|&(_, &line)| line < end)
            .filter(|(s, _)| s.date.is_some())
            .count();
        if start < end && out[start].is_none() {
            let trailing = lines[start + 1..end]
                .iter()
                .rev()
                .take_while(|l| is_blank(l))
                .count();
            out[start] = Some(Entry {
                lines: start..end,
                date,
                touches,
                trailing,
            });
        }
    }
    out
}

/// `side` as `base` with whole touch entries inserted: the insertions, in order, or `None` when
/// it is not. A depth-first search over (base line, side line) that prefers matching lines; an
/// entry may come after blank lines, and may leave its trailing blank lines to match the base's
/// blank lines. States that failed once are not tried again, and a budget bounds the work on
/// hostile input.
fn decompose(base: &[&str], side: &[&str], entries: &[Option<Entry>]) -> Option<Vec<Insert>> {
    let (nb, ns) = (base.len(), side.len());
    // The first line at or after each one that is not blank, in the side; the blank lines
    // starting at each line, in the base.
    let mut filled = vec![ns; ns + 1];
    for j in (0..ns).rev() {
        filled[j] = if is_blank(side[j]) { filled[j + 1] } else { j };
    }
    let mut blanks = vec![0; nb + 1];
    for i in (0..nb).rev() {
        blanks[i] = if is_blank(base[i]) {
            blanks[i + 1] + 1
        } else {
            0
        };
    }
    // The `n`th way on from (i, j), best first: the matching line, then the entry after the
    // blank lines at j, whole, then without 1, 2... of its trailing blank lines, as many as the
    // base has blank lines here to match them.
    let option = |i: usize, j: usize, n: usize| -> Option<(usize, usize, Option<Insert>)> {
        let matches = i < nb && j < ns && content(base[i]) == content(side[j]);
        let n = match (matches, n) {
            (true, 0) => return Some((i + 1, j + 1, None)),
            (true, n) => n - 1,
            (false, n) => n,
        };
        let k = filled[j];
        let entry = entries.get(k)?.as_ref()?;
        if n > entry.trailing.min(blanks[i]) {
            return None;
        }
        let end = entry.lines.end - n;
        let insert = Insert {
            at: i,
            lead: j..k,
            entry: Entry {
                lines: k..end,
                ..entry.clone()
            },
        };
        Some((i, end, Some(insert)))
    };
    struct Frame {
        i: usize,
        j: usize,
        /// The option to try next.
        next: usize,
    }
    let mut budget = 8 * (nb + ns) + 10_000;
    let mut dead: HashSet<(usize, usize)> = HashSet::new();
    let mut stack = vec![Frame {
        i: 0,
        j: 0,
        next: 0,
    }];
    loop {
        let top = stack.last_mut()?;
        if top.i == nb && top.j == ns {
            break;
        }
        if let Some((i, j, _)) = option(top.i, top.j, top.next) {
            top.next += 1;
            if dead.contains(&(i, j)) {
                continue;
            }
            budget = budget.checked_sub(1)?;
            stack.push(Frame { i, j, next: 0 });
        } else {
            dead.insert((top.i, top.j));
            stack.pop();
        }
    }
    let path = &stack[..stack.len() - 1];
    Some(
        path.iter()
            .filter_map(|f| option(f.i, f.j, f.next - 1).and_then(|(_, _, insert)| insert))
            .collect(),
    )
}

/// Whether the file lists touches newest first: decided by base's dated headings (the first
/// later than the last), else by ours', else by theirs'; oldest first when none can tell.
fn newest_first(bodies: [&str; 3]) -> bool {
    for body in bodies {
        let dates: Vec<NaiveDate> = parse::heading_spans(body)
            .into_iter()
            .filter_map(|h| h.date)
            .collect();
        if let (Some(first), Some(last)) = (dates.first(), dates.last())
            && first != last
        {
            return first > last;
        }
    }
    false
}

/// An inserted entry, ready to be written.
struct Item<'a> {
    lead: String,
    text: String,
    date: NaiveDate,
    touches: usize,
    /// Its lines without the trailing blank ones, to recognise the same entry on both sides.
    same: Vec<&'a str>,
}

fn item<'a>(side: &[&'a str], insert: &Insert) -> Item<'a> {
    let lines = &side[insert.entry.lines.clone()];
    let kept = lines.len() - lines.iter().rev().take_while(|l| is_blank(l)).count();
    Item {
        lead: side[insert.lead.clone()].concat(),
        text: lines.concat(),
        date: insert.entry.date,
        touches: insert.entry.touches,
        same: lines[..kept].iter().map(|l| content(l)).collect(),
    }
}

fn merge_body(
    base: &Version<'_>,
    ours: &Version<'_>,
    theirs: &Version<'_>,
) -> Result<Body, Fallback> {
    let (bb, bo, bt) = (base.body(), ours.body(), theirs.body());
    let count = |v: &Version<'_>| v.touches.len().cast_signed();
    if bo == bt || bt == bb || bo == bb {
        let (text, duplicate_touches) = if bo == bt {
            (bo, count(theirs) - count(base))
        } else if bt == bb {
            (bo, 0)
        } else {
            (bt, 0)
        };
        return Ok(Body {
            text: text.to_string(),
            duplicate_touches,
            duplicate_lines: None,
        });
    }
    let base_lines = lines(bb);
    let side_lines = [lines(bo), lines(bt)];
    let inserts = |body: &str, lines: &[&str], side: Side| {
        decompose(&base_lines, lines, &entries(body, lines)).ok_or(Fallback::BodyChanged(side))
    };
    let inserts_o = inserts(bo, &side_lines[0], Side::Ours)?;
    let inserts_t = inserts(bt, &side_lines[1], Side::Theirs)?;
    let newest_first = newest_first([bb, bo, bt]);

    let mut out = String::with_capacity(bo.len() + bt.len());
    let mut duplicates = Duplicates::default();
    let (mut io, mut it) = (0, 0);
    let mut last_is_base = false;
    for p in 0..=base_lines.len() {
        let run_o: Vec<Item<'_>> = inserts_o[io..]
            .iter()
            .take_while(|ins| ins.at == p)
            .map(|ins| item(&side_lines[0], ins))
            .collect();
        let run_t: Vec<Item<'_>> = inserts_t[it..]
            .iter()
            .take_while(|ins| ins.at == p)
            .map(|ins| item(&side_lines[1], ins))
            .collect();
        io += run_o.len();
        it += run_t.len();
        if !run_o.is_empty() || !run_t.is_empty() {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            write_run(&mut out, run_o, run_t, newest_first, &mut duplicates);
            last_is_base = false;
        }
        if let Some(line) = base_lines.get(p) {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(line);
            last_is_base = true;
        }
    }
    // The final line break of a file that ends on a base line, by the three-way rule.
    if last_is_base {
        let ends = three_way(bb.ends_with('\n'), bo.ends_with('\n'), bt.ends_with('\n'));
        match ends {
            Some(true) if !out.ends_with('\n') => out.push('\n'),
            Some(false) if out.ends_with('\n') => {
                out.pop();
            }
            _ => {}
        }
    }
    Ok(Body {
        text: out,
        duplicate_touches: duplicates.touches.cast_signed(),
        duplicate_lines: Some(duplicates.lines),
    })
}

#[derive(Default)]
struct Duplicates {
    touches: usize,
    lines: HashMap<String, usize>,
}

impl Duplicates {
    fn add(&mut self, item: &Item<'_>) {
        self.touches += item.touches;
        for line in item.text.lines() {
            *self.lines.entry(line.to_string()).or_default() += 1;
        }
    }
}

/// Write both sides' entries inserted at one place: one side's as they are; both sides' in date
/// order (the file's order; ours first on the same date), an entry both added kept once, with a
/// blank line between entries.
fn write_run(
    out: &mut String,
    ours: Vec<Item<'_>>,
    theirs: Vec<Item<'_>>,
    newest_first: bool,
    duplicates: &mut Duplicates,
) {
    let verbatim = |out: &mut String, items: &[Item<'_>]| {
        for item in items {
            out.push_str(&item.lead);
            out.push_str(&item.text);
        }
    };
    let mut used = vec![false; ours.len()];
    let mut kept = Vec::with_capacity(theirs.len());
    for item in theirs {
        let twin = (0..ours.len()).find(|&n| !used[n] && ours[n].same == item.same);
        if let Some(n) = twin {
            used[n] = true;
            duplicates.add(&item);
        } else {
            kept.push(item);
        }
    }
    if kept.is_empty() || ours.is_empty() {
        verbatim(out, &ours);
        verbatim(out, &kept);
        return;
    }
    let lead = [&ours[0].lead, &kept[0].lead]
        .into_iter()
        .max_by_key(|l| l.len())
        .cloned()
        .unwrap_or_default();
    out.push_str(&lead);
    let mut ours = ours.into_iter().peekable();
    let mut theirs = kept.into_iter().peekable();
    let mut first = true;
    loop {
        let take_ours = match (ours.peek(), theirs.peek()) {
            (Some(o), Some(t)) => {
                if newest_first {
                    o.date >= t.date
                } else {
                    o.date <= t.date
                }
            }
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let Some(item) = (if take_ours {
            ours.next()
        } else {
            theirs.next()
        }) else {
            break;
        };
        if !first {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            if !ends_with_blank_line(out) {
                out.push('\n');
            }
        }
        first = false;
        out.push_str(&item.text);
    }
}

fn ends_with_blank_line(text: &str) -> bool {
    text.strip_suffix('\n')
        .is_some_and(|t| t.rsplit('\n').next().is_some_and(is_blank) && t.contains('\n'))
}

// ---------------------------------------------------------------------------------------------
// The check

/// Lines of `text`, counted.
fn line_counts(text: &str) -> HashMap<&str, usize> {
    let mut counts = HashMap::new();
    for line in text.lines() {
        *counts.entry(line).or_default() += 1;
    }
    counts
}

/// Check a merged text against the three versions, independently of how it was made: it is a
/// contact with no problem that no version had; its touches are ours plus theirs (less base and
/// the entries kept once); no line of either side is missing unless the other side removed it.
fn check(
    text: &str,
    [base, ours, theirs]: [&Version<'_>; 3],
    body: &Body,
    channels: &Channels,
) -> Result<(), Fallback> {
    let parsed = parse::parse_contact("merged", text.as_bytes(), channels);
    let merged = parsed.contact.ok_or(Fallback::Check("not a contact"))?;
    let known: Vec<&Kind> = [base, ours, theirs]
        .iter()
        .flat_map(|v| &v.problems)
        .collect();
    if parsed.problems.iter().any(|p| !known.contains(&&p.kind)) {
        return Err(Fallback::Check("a problem no version has"));
    }
    let has_all = |side: &Version<'_>| crate::edit::added_touches(&side.touches, &merged.touches);
    if has_all(ours).is_none() || has_all(theirs).is_none() {
        return Err(Fallback::Check("a touch is missing"));
    }
    let count = |v: &Version<'_>| v.touches.len().cast_signed();
    let expected = count(ours) + count(theirs) - count(base) - body.duplicate_touches;
    if merged.touches.len().cast_signed() != expected {
        return Err(Fallback::Check("a touch too many"));
    }

    let [cb, co, ct, cm] = [base.text, ours.text, theirs.text, text].map(line_counts);
    let get = |c: &HashMap<&str, usize>, l: &str| c.get(l).copied().unwrap_or(0);
    for (side, other) in [(&co, &ct), (&ct, &co)] {
        for (line, &n) in side {
            // A line the other side removed may go; every other one must be there.
            let removed = get(&cb, line).saturating_sub(get(other, line));
            if get(&cm, line) < n.saturating_sub(removed) {
                return Err(Fallback::Check("a line of one side is missing"));
            }
        }
    }
    // Where both sides' entries were merged, the body is exactly base plus both insertions, less
    // the entries kept once: count every line that is not blank.
    if let Some(dups) = &body.duplicate_lines {
        let [cb, co, ct, cm] =
            [base.body(), ours.body(), theirs.body(), body.text.as_str()].map(line_counts);
        let lines: HashSet<&str> = cm
            .keys()
            .chain(co.keys())
            .chain(ct.keys())
            .copied()
            .collect();
        for line in lines.into_iter().filter(|l| !is_blank(l)) {
            let n = |c: &HashMap<&str, usize>| get(c, line).cast_signed();
            let dup = dups.get(line).copied().unwrap_or(0).cast_signed();
            if n(&cm) != n(&co) + n(&ct) - n(&cb) - dup {
                return Err(Fallback::Check("the body's lines do not add up"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {

    /// Keys both sides changed differently get markers of their own; the rest merges.
    #[test]
    fn clashing_keys_are_marked_and_the_rest_merged() {
        let base = "---\nname: Al\nnext: 2026-11-20 call\nstage: lead\ncadence: 1w\n---\n## 2026-11-01 call\n";
        let ours = "---\nname: Al\nnext: 2026-12-01 email\nstage: prospect\ncadence: 1w\n---\n## 2026-11-01 call\n\n## 2026-11-20 call - a\n";
        let theirs = "---\nname: Al\nnext: 2026-12-02 call\nstage: client\ncadence: 2w\n---\n## 2026-11-01 call\n\n## 2026-11-21 email - b\n";
        let channels = Channels::default();
        let Err(Ok(c)) = merge_marking(base, ours, theirs, &channels) else {
            panic!("{:?}", merge_marking(base, ours, theirs, &channels));
        };
        assert_eq!(c.keys, ["next", "stage"]);
        assert_eq!(
            c.text,
            "---\nname: Al\n<<<<<<< ours\nnext: 2026-12-01 email\n=======\nnext: 2026-12-02 call\n>>>>>>> theirs\n<<<<<<< ours\nstage: prospect\n=======\nstage: client\n>>>>>>> theirs\ncadence: 2w\n---\n## 2026-11-01 call\n\n## 2026-11-20 call - a\n\n## 2026-11-21 email - b\n"
        );
        // No clash: the ordinary merge.
        assert_eq!(
            merge_marking(base, ours, base, &channels),
            Ok(ours.to_string())
        );
        // A key removed on one side (a promise kept) and changed on the other (a new one):
        // markers at the end of the front matter, the rest merged.
        let kept = "---\nname: Al\nstage: lead\ncadence: 1w\n---\n## 2026-11-01 call\n\n## 2026-11-20 call - kept\n";
        let renewed = "---\nname: Al\nnext: 2026-12-02 call\nstage: lead\ncadence: 1w\n---\n## 2026-11-01 call\n\n## 2026-11-21 email - b\n";
        let Err(Ok(c)) = merge_marking(base, kept, renewed, &channels) else {
            panic!("{:?}", merge_marking(base, kept, renewed, &channels));
        };
        assert_eq!(c.keys, ["next"]);
        assert_eq!(
            c.text,
            "---\nname: Al\nstage: lead\ncadence: 1w\n<<<<<<< ours\n=======\nnext: 2026-12-02 call\n>>>>>>> theirs\n---\n## 2026-11-01 call\n\n## 2026-11-20 call - kept\n\n## 2026-11-21 email - b\n"
        );
        // And the other way round.
        let Err(Ok(c)) = merge_marking(base, renewed, kept, &channels) else {
            panic!("{:?}", merge_marking(base, renewed, kept, &channels));
        };
        assert!(
            c.text
                .contains("<<<<<<< ours\nnext: 2026-12-02 call\n=======\n>>>>>>> theirs\n---\n"),
            "{}",
            c.text
        );
    }

    use super::*;

    const FRONT: &str = "---\nname: Alice Archer\nstage: prospect\nnext: 2026-11-20 call - the quote\ntags:\n  - realtor\n---\n";
    const LOG: &str = "# Alice\n\n## 2026-11-10 call - intro\nTalked.\n\n";

    fn merged(base: &str, ours: &str, theirs: &str) -> Result<String, Fallback> {
        merge(base, ours, theirs, &Channels::default())
    }

    /// (what, base, ours, theirs, merged or why not)
    #[test]
    fn merges_added_entries_and_different_keys() {
        let base = format!("{FRONT}{LOG}");
        let with = |front: &str, log: &str| format!("{front}{log}");
        let add = |entry: &str| format!("{FRONT}{LOG}{entry}");
        let newest = "# Alice\n\n## 2026-11-10 call - b\n\n## 2026-11-05 email - a\n\n";
        let nested = "## 2026-11-10 call - intro\nTalked.\n### details\nThree offices.\n\n";
        let preamble = "# Alice\n\nMet at the fair.\nLikes golf.\n\n## 2026-11-10 call\n";
        let next_moved = FRONT.replace(
            "2026-11-20 call - the quote",
            "2026-12-01 email - the contract",
        );
        let next_other = FRONT.replace("2026-11-20 call - the quote", "2026-12-02 call - the demo");
        let no_next = FRONT.replace("next: 2026-11-20 call - the quote\n", "");
        let client = FRONT.replace("stage: prospect", "stage: client");
        let vip = FRONT.replace("  - realtor\n", "  - realtor\n  - vip\n");
        let snoozed = FRONT.replace("  - realtor\n---", "  - realtor\nsnooze: 2026-12-10\n---");
        let owner = FRONT.replace("  - realtor\n---", "  - realtor\nowner: bob\n---");
        type Case = (
            &'static str,
            String,
            String,
            String,
            Result<String, Fallback>,
        );
        let cases: Vec<Case> = vec![
            (
                "both append, different days: in date order",
                base.clone(),
                add("## 2026-11-20 call - proposal\nWent through it.\n\n"),
                add("## 2026-11-18 email - sent the deck\n\n"),
                Ok(add("## 2026-11-18 email - sent the deck\n\n## 2026-11-20 call - proposal\nWent through it.\n\n")),
            ),
            (
                "both append the same day: ours first",
                base.clone(),
                add("## 2026-11-20 email - b\n\n"),
                add("## 2026-11-20 call - a\n\n"),
                Ok(add("## 2026-11-20 email - b\n\n## 2026-11-20 call - a\n\n")),
            ),
            (
                "appended without blank lines: kept apart",
                format!("{FRONT}## 2026-11-10 call\nTalked."),
                format!("{FRONT}## 2026-11-10 call\nTalked.\n## 2026-11-20 call - b"),
                format!("{FRONT}## 2026-11-10 call\nTalked.\n## 2026-11-12 text - a\n"),
                Ok(format!("{FRONT}## 2026-11-10 call\nTalked.\n## 2026-11-12 text - a\n\n## 2026-11-20 call - b")),
            ),
            (
                "newest first: above the newest, in the file's order",
                with(FRONT, newest),
                with(FRONT, &newest.replace("## 2026-11-10", "## 2026-11-20 call - c\nNotes.\n\n## 2026-11-10")),
                with(FRONT, &newest.replace("## 2026-11-10", "## 2026-11-22 lunch - d\n\n## 2026-11-10")),
                Ok(with(FRONT, &newest.replace("## 2026-11-10", "## 2026-11-22 lunch - d\n\n## 2026-11-20 call - c\nNotes.\n\n## 2026-11-10"))),
            ),
            (
                "ours sets next: and logs, theirs logs",
                base.clone(),
                with(&next_moved, &format!("{LOG}## 2026-11-20 call - the quote\n\n")),
                add("## 2026-11-19 email - a question\n\n"),
                Ok(with(&next_moved, &format!("{LOG}## 2026-11-19 email - a question\n\n## 2026-11-20 call - the quote\n\n"))),
            ),
            (
                "both set next: differently",
                base.clone(),
                with(&next_moved, &format!("{LOG}## 2026-11-20 call - x\n\n")),
                with(&next_other, &format!("{LOG}## 2026-11-21 call - y\n\n")),
                Err(Fallback::SameKey("next".into())),
            ),
            (
                "both set next: the same",
                base.clone(),
                with(&next_moved, &format!("{LOG}## 2026-11-20 call - x\n\n")),
                with(&next_moved, &format!("{LOG}## 2026-11-21 call - y\n\n")),
                Ok(with(&next_moved, &format!("{LOG}## 2026-11-20 call - x\n\n## 2026-11-21 call - y\n\n"))),
            ),
            (
                "different keys on each side",
                base.clone(),
                with(&next_moved, LOG),
                with(&client, &format!("{LOG}## 2026-11-21 call - y\n\n")),
                Ok(with(
                    &next_moved.replace("stage: prospect", "stage: client"),
                    &format!("{LOG}## 2026-11-21 call - y\n\n"),
                )),
            ),
            (
                "a key added on each side: each after the key it follows",
                base.clone(),
                with(&owner, LOG),
                with(&snoozed, LOG),
                Ok(with(
                    &FRONT.replace("  - realtor\n---", "  - realtor\nsnooze: 2026-12-10\nowner: bob\n---"),
                    LOG,
                )),
            ),
            (
                "ours removes next:, theirs logs",
                base.clone(),
                with(&no_next, LOG),
                add("## 2026-11-21 call - y\n\n"),
                Ok(with(&no_next, &format!("{LOG}## 2026-11-21 call - y\n\n"))),
            ),
            (
                "a block list changed on one side, another key on the other",
                base.clone(),
                with(&vip, &format!("{LOG}## 2026-11-20 call - x\n\n")),
                with(&client, &format!("{LOG}## 2026-11-21 call - y\n\n")),
                Ok(with(
                    &vip.replace("stage: prospect", "stage: client"),
                    &format!("{LOG}## 2026-11-20 call - x\n\n## 2026-11-21 call - y\n\n"),
                )),
            ),
            (
                "ours edits an entry",
                base.clone(),
                with(FRONT, &LOG.replace("Talked.", "Talked about pricing.")),
                add("## 2026-11-21 call - y\n\n"),
                Err(Fallback::BodyChanged(Side::Ours)),
            ),
            (
                "theirs removes an entry's line",
                base.clone(),
                add("## 2026-11-21 call - y\n\n"),
                with(FRONT, &LOG.replace("Talked.\n", "")),
                Err(Fallback::BodyChanged(Side::Theirs)),
            ),
            (
                "both add the same entry: kept once",
                base.clone(),
                add("## 2026-11-20 call - same\nNotes.\n\n"),
                add("## 2026-11-20 call - same\nNotes.\n\n## 2026-11-21 email - more\n\n"),
                Ok(add("## 2026-11-20 call - same\nNotes.\n\n## 2026-11-21 email - more\n\n")),
            ),
            (
                "nested headings inside touches",
                with(FRONT, nested),
                with(FRONT, &format!("{nested}## 2026-11-20 meeting - demo\n### agenda\n- pricing\n\n")),
                with(FRONT, &format!("{nested}## 2026-11-12 call\n### 2026-11-13 email - sub-touch\nSent.\n\n")),
                Ok(with(FRONT, &format!("{nested}## 2026-11-12 call\n### 2026-11-13 email - sub-touch\nSent.\n\n## 2026-11-20 meeting - demo\n### agenda\n- pricing\n\n"))),
            ),
            (
                "a touch nested into an existing entry, and an appended one",
                with(FRONT, nested),
                with(FRONT, &nested.replace("### details", "### 2026-11-11 email - recap\n\n### details")),
                with(FRONT, &format!("{nested}## 2026-11-12 call\n")),
                Ok(with(FRONT, &format!("{}## 2026-11-12 call\n", nested.replace("### details", "### 2026-11-11 email - recap\n\n### details")))),
            ),
            (
                "notes before the first touch",
                with(FRONT, preamble),
                with(FRONT, &format!("{preamble}\n## 2026-11-20 call - x\n")),
                with(FRONT, &format!("{preamble}\n## 2026-11-21 call - y\n")),
                Ok(with(FRONT, &format!("{preamble}\n## 2026-11-20 call - x\n\n## 2026-11-21 call - y\n"))),
            ),
            (
                "a backdated touch in the middle and one at the end",
                with(FRONT, "## 2026-11-01 call\n\n## 2026-11-10 call\n\n"),
                with(FRONT, "## 2026-11-01 call\n\n## 2026-11-05 email - x\n\n## 2026-11-10 call\n\n"),
                with(FRONT, "## 2026-11-01 call\n\n## 2026-11-10 call\n\n## 2026-11-21 call - y\n\n"),
                Ok(with(FRONT, "## 2026-11-01 call\n\n## 2026-11-05 email - x\n\n## 2026-11-10 call\n\n## 2026-11-21 call - y\n\n")),
            ),
            (
                "an entry inserted before a blank line",
                with(FRONT, "## 2026-11-01 call\nx\n\n## Other\n"),
                with(FRONT, "## 2026-11-01 call\nx\n## 2026-11-05 email - y\n\n## Other\n"),
                with(FRONT, "## 2026-11-01 call\nx\n\n## 2026-11-06 call - z\n\n## Other\n"),
                Ok(with(FRONT, "## 2026-11-01 call\nx\n## 2026-11-05 email - y\n\n## 2026-11-06 call - z\n\n## Other\n")),
            ),
            (
                "ours removes a touch, theirs changes a key",
                add("## 2026-11-20 call - x\n\n"),
                base.clone(),
                with(&client, &format!("{LOG}## 2026-11-20 call - x\n\n")),
                Err(Fallback::Check("a touch is missing")),
            ),
            (
                "both edit the same entry",
                base.clone(),
                with(FRONT, &LOG.replace("Talked.", "Talked about pricing.")),
                with(FRONT, &LOG.replace("Talked.", "Talked about dates.")),
                Err(Fallback::BodyChanged(Side::Ours)),
            ),
            (
                "a heading that is not a touch added",
                base.clone(),
                add("## Family\nTwo kids.\n"),
                add("## 2026-11-21 call - y\n\n"),
                Err(Fallback::BodyChanged(Side::Ours)),
            ),
            (
                "a note, not a contact",
                "# Notes\n\n## 2026-11-10 call\n".into(),
                "# Notes\n\n## 2026-11-10 call\n## 2026-11-11 call\n".into(),
                "# Notes\n\n## 2026-11-10 call\n## 2026-11-12 call\n".into(),
                Err(Fallback::NotAContact("base")),
            ),
            (
                "one side unchanged: the other, whatever it is",
                "# Notes\n".into(),
                "# Notes\n".into(),
                "# Notes, edited\n".into(),
                Ok("# Notes, edited\n".into()),
            ),
            (
                "conflict markers",
                base.clone(),
                add("<<<<<<< ours\n## 2026-11-20 call\n=======\n## 2026-11-21 call\n>>>>>>> theirs\n"),
                add("## 2026-11-21 call - y\n\n"),
                Err(Fallback::ConflictMarkers("ours")),
            ),
            (
                "CRLF on one side only",
                base.clone(),
                add("## 2026-11-20 call - x\n\n").replace('\n', "\r\n"),
                add("## 2026-11-21 call - y\n\n"),
                Err(Fallback::LineEndings),
            ),
            (
                "a BOM on one side only",
                base.clone(),
                format!("\u{feff}{}", add("## 2026-11-20 call - x\n\n")),
                add("## 2026-11-21 call - y\n\n"),
                Err(Fallback::Bom),
            ),
            (
                "TOML front matter changed on both sides",
                "+++\nname = \"A\"\nstage = \"lead\"\n+++\n".into(),
                "+++\nname = \"A\"\nstage = \"client\"\n+++\n## 2026-11-20 call\n".into(),
                "+++\nname = \"A\"\nstage = \"lead\"\nnext = \"2026-12-01\"\n+++\n## 2026-11-21 call\n".into(),
                Err(Fallback::Shape("it is not YAML")),
            ),
            (
                "TOML front matter changed on one side",
                "+++\nname = \"A\"\n+++\n".into(),
                "+++\nname = \"A\"\nstage = \"client\"\n+++\n## 2026-11-20 call\n".into(),
                "+++\nname = \"A\"\n+++\n## 2026-11-21 call\n".into(),
                Ok("+++\nname = \"A\"\nstage = \"client\"\n+++\n## 2026-11-20 call\n\n## 2026-11-21 call\n".into()),
            ),
            (
                "anchors, front matter changed on both sides",
                "---\nname: A\nx: &a 1\ny: *a\n---\n".into(),
                "---\nname: A\nx: &a 1\ny: *a\nstage: client\n---\n".into(),
                "---\nname: A\nx: &a 1\ny: *a\nnext: 2026-12-01\n---\n".into(),
                Err(Fallback::Shape("it uses anchors or aliases")),
            ),
            (
                "a flow list across lines, front matter changed on both sides",
                "---\nname: A\ntags: [a,\n  b]\n---\n".into(),
                "---\nname: A\ntags: [a,\n  b]\nstage: client\n---\n".into(),
                "---\nname: A\ntags: [a,\n  b]\nnext: 2026-12-01\n---\n".into(),
                Err(Fallback::Shape("a flow list or map runs across lines")),
            ),
            (
                "comments stay with the key below them",
                "---\n# who\nname: A\n# how often\ncadence: 2w\nstage: lead # for now\n---\n".into(),
                "---\n# who\nname: A\n# how often\ncadence: 3w\nstage: lead # for now\n---\n".into(),
                "---\n# who\nname: A\n# how often\ncadence: 2w\nstage: client # for now\n---\n".into(),
                Ok("---\n# who\nname: A\n# how often\ncadence: 3w\nstage: client # for now\n---\n".into()),
            ),
            (
                "a key both removed, a quoted key changed on one side",
                "---\nname: A\n\"my key\": 1\nsnooze: 2026-11-01\n---\n".into(),
                "---\nname: A\n\"my key\": 2\n---\n".into(),
                "---\nname: A\n\"my key\": 1\nstage: client\n---\n".into(),
                Ok("---\nname: A\n\"my key\": 2\nstage: client\n---\n".into()),
            ),
        ];
        for (what, base, ours, theirs, want) in cases {
            assert_eq!(merged(&base, &ours, &theirs), want, "{what}");
            // The merge is symmetric in what it keeps: swapping the sides merges too.
            if want.is_ok() {
                assert!(
                    merged(&base, &theirs, &ours).is_ok(),
                    "{what}, sides swapped"
                );
            }
        }
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let crlf = |s: &str| s.replace('\n', "\r\n");
        let base = crlf(&format!("{FRONT}{LOG}"));
        let ours = crlf(&format!("{FRONT}{LOG}## 2026-11-20 call - x\n\n"));
        let theirs = crlf(&format!(
            "{}{LOG}## 2026-11-21 call - y\n\n",
            FRONT.replace("prospect", "client")
        ));
        let want = crlf(&format!(
            "{}{LOG}## 2026-11-20 call - x\n\n## 2026-11-21 call - y\n\n",
            FRONT.replace("prospect", "client")
        ));
        assert_eq!(merged(&base, &ours, &theirs), Ok(want.clone()));
        // With a BOM on every side, it stays too.
        let bom = |s: &str| format!("\u{feff}{s}");
        assert_eq!(
            merged(&bom(&base), &bom(&ours), &bom(&theirs)),
            Ok(bom(&want))
        );
    }

    #[test]
    fn fallback_says_why() {
        assert_eq!(
            Fallback::SameKey("next".into()).to_string(),
            "both sides changed next:"
        );
        assert_eq!(
            Fallback::BodyChanged(Side::Ours).to_string(),
            "ours changed the body in another way than adding touch entries"
        );
        assert_eq!(
            merge_contact("a", "b", "c", &Channels::default()),
            None,
            "three different notes"
        );
    }

    #[test]
    fn hostile_bodies_stay_bounded() {
        // Many identical lines make many ways to match: the search stays linear-ish.
        let blanks = "\n".repeat(3000);
        let base = format!("{FRONT}{blanks}");
        let ours = format!("{FRONT}{blanks}## 2026-11-20 call\n{blanks}");
        let theirs = format!("{FRONT}{blanks}## 2026-11-21 call\n{blanks}");
        let started = std::time::Instant::now();
        let out = merged(&base, &ours, &theirs);
        assert!(started.elapsed().as_secs() < 10);
        if let Ok(text) = out {
            assert!(text.contains("## 2026-11-20 call") && text.contains("## 2026-11-21 call"));
        }
    }

    mod property {
        use super::super::*;
        use proptest::prelude::*;

        /// An entry to write: day of November, text, note lines, a `### sub` heading, and
        /// whether a blank line closes it.
        type Spec = (u32, Vec<String>, bool, bool);

        fn spec() -> impl Strategy<Value = Spec> {
            (
                1u32..29,
                prop::collection::vec("[a-z][a-z ]{0,12}", 0..3),
                any::<bool>(),
                any::<bool>(),
            )
        }

        fn entry((day, notes, sub, blank): &Spec, text: &str) -> String {
            let mut out = format!("## 2026-11-{day:02} call - {text}\n");
            for note in notes {
                out.push_str(note);
                out.push('\n');
            }
            if *sub {
                out.push_str("### details\n- more\n");
            }
            if *blank {
                out.push('\n');
            }
            out
        }

        /// The body: a preamble, then base's entries with each side's inserted before entry
        /// `at` (or at the end).
        fn body(
            preamble: bool,
            base: &[String],
            inserts: &[(usize, String)],
            final_newline: bool,
        ) -> String {
            let mut out = String::new();
            if preamble {
                out.push_str("# Pat\n\nMet at the fair.\n\n");
            }
            for k in 0..=base.len() {
                for (_, text) in inserts.iter().filter(|(at, _)| *at == k) {
                    if !out.is_empty() && !out.ends_with('\n') {
                        out.push('\n');
                    }
                    out.push_str(text);
                }
                if let Some(entry) = base.get(k) {
                    out.push_str(entry);
                }
            }
            if !final_newline && inserts.iter().all(|(at, _)| *at < base.len()) {
                out.truncate(out.trim_end_matches('\n').len());
            }
            out
        }

        fn key(t: &Touch) -> (NaiveDate, String) {
            (t.date, t.text.clone())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(500))]
            #[test]
            fn added_entries_on_both_sides_always_merge(
                front in prop::sample::subsequence(vec![
                    "stage: prospect\n",
                    "company: Acme\n",
                    "tags:\n  - a\n  - b\n",
                    "# a comment\n",
                    "cadence: 3w\n",
                ], 0..4),
                preamble in any::<bool>(),
                newest_first in any::<bool>(),
                base_specs in prop::collection::vec(spec(), 0..5),
                ours_specs in prop::collection::vec((0usize..6, spec()), 0..4),
                theirs_specs in prop::collection::vec((0usize..6, spec()), 0..4),
                final_newline in any::<bool>(),
                ours_next in any::<bool>(),
                theirs_stage in any::<bool>(),
                crlf in any::<bool>(),
            ) {
                let mut base_specs = base_specs;
                base_specs.sort_by_key(|s| s.0);
                if newest_first {
                    base_specs.reverse();
                }
                let base_entries: Vec<String> = base_specs
                    .iter()
                    .enumerate()
                    .map(|(n, s)| entry(s, &format!("base {n}")))
                    .collect();
                let n = base_entries.len();
                let side = |specs: &[(usize, Spec)], name: &str| -> Vec<(usize, String)> {
                    let mut out: Vec<(usize, String)> = specs
                        .iter()
                        .enumerate()
                        .map(|(i, (at, s))| ((*at).min(n), entry(s, &format!("{name} {i}"))))
                        .collect();
                    out.sort_by_key(|(at, _)| *at);
                    out
                };
                let front = format!("---\nname: Pat\n{}---\n", front.concat());
                let base = format!("{front}{}", body(preamble, &base_entries, &[], final_newline));
                let mut ours = format!("{front}{}", body(preamble, &base_entries, &side(&ours_specs, "ours"), final_newline));
                let mut theirs = format!("{front}{}", body(preamble, &base_entries, &side(&theirs_specs, "theirs"), final_newline));
                if ours_next {
                    ours = crate::edit::set_key(&ours, "next", "2026-12-09 email - send it").unwrap().apply(&ours);
                }
                if theirs_stage {
                    theirs = crate::edit::set_key(&theirs, "stage", "client").unwrap().apply(&theirs);
                }
                let eol = |s: &str| if crlf { s.replace('\n', "\r\n") } else { s.to_string() };
                let (base, ours, theirs) = (eol(&base), eol(&ours), eol(&theirs));

                let channels = Channels::default();
                let out = merge(&base, &ours, &theirs, &channels);
                prop_assert!(out.is_ok(), "{:?}\nbase:\n{}\nours:\n{}\ntheirs:\n{}", out, base, ours, theirs);
                let out = out.unwrap();

                // Every line of both sides is there, but base's `next:` and `stage:` lines where
                // a side changed them; the body lines of each side in their order.
                let changed = |l: &str| l.starts_with("next:") || l.starts_with("stage:");
                for side in [&ours, &theirs] {
                    for line in side.lines().filter(|l| !changed(l)) {
                        prop_assert!(out.lines().any(|l| l == line), "{:?} missing from\n{}", line, out);
                    }
                    let body_of = |t: &str| t.splitn(3, "---").nth(2).unwrap_or_default().lines().map(String::from).collect::<Vec<_>>();
                    let mut merged = body_of(&out).into_iter();
                    for line in body_of(side) {
                        prop_assert!(merged.any(|l| l == line), "{:?} out of order in\n{}", line, out);
                    }
                }
                prop_assert_eq!(out.contains("next: 2026-12-09"), ours_next);
                prop_assert_eq!(out.contains("stage: client"), theirs_stage);
                prop_assert_eq!(out.contains("\r\n"), crlf);

                // Its touches are the union of both sides'.
                let touches = |t: &str| -> Vec<(NaiveDate, String)> {
                    let mut keys: Vec<_> = parse::parse_contact("p.md", t.as_bytes(), &channels)
                        .contact
                        .unwrap()
                        .touches
                        .iter()
                        .map(key)
                        .collect();
                    keys.sort();
                    keys
                };
                let mut want = touches(&ours);
                want.extend(touches(&theirs).into_iter().filter(|t| !t.1.starts_with("base")));
                want.sort();
                prop_assert_eq!(touches(&out), want);
            }
        }

        fn line() -> impl Strategy<Value = String> {
            prop_oneof![
                Just(String::new()),
                Just("---".to_string()),
                Just("name: Pat".to_string()),
                Just("next: 2026-12-01 call".to_string()),
                Just("tags:".to_string()),
                Just("  - a".to_string()),
                Just("# c".to_string()),
                Just("```".to_string()),
                Just("<!--".to_string()),
                "#{1,3} 2026-11-(0[1-9]|1[0-9]) (call|email)( [a-z]{1,5})?",
                "#{1,3} [A-Za-z]{1,6}",
                "[a-z :*&\\[\\]{}\"']{0,12}",
            ]
        }

        /// Lines `edits` applies to `base`: (where, remove one line, insert these).
        fn edited(base: &[String], edits: &[(usize, bool, Vec<String>)]) -> Vec<String> {
            let mut out = base.to_vec();
            for (at, remove, insert) in edits {
                let at = (*at).min(out.len());
                if *remove && at < out.len() {
                    out.remove(at);
                }
                for (n, l) in insert.iter().enumerate() {
                    out.insert(at + n, l.clone());
                }
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]
            #[test]
            fn any_edits_merge_without_losing_lines_or_are_refused(
                head in prop::collection::vec(line(), 0..4),
                rest in prop::collection::vec(line(), 0..12),
                ours_edits in prop::collection::vec((0usize..20, any::<bool>(), prop::collection::vec(line(), 0..3)), 0..3),
                theirs_edits in prop::collection::vec((0usize..20, any::<bool>(), prop::collection::vec(line(), 0..3)), 0..3),
            ) {
                let mut base: Vec<String> = vec!["---".into(), "name: Pat".into()];
                base.extend(head);
                base.push("---".into());
                base.extend(rest);
                let join = |lines: &[String]| lines.iter().map(|l| format!("{l}\n")).collect::<String>();
                let ours = edited(&base, &ours_edits);
                let theirs = edited(&base, &theirs_edits);
                let (b, o, t) = (join(&base), join(&ours), join(&theirs));
                let channels = Channels::default();
                let Ok(out) = merge(&b, &o, &t, &channels) else { return Ok(()) };
                // A line that a side added is in the result.
                let count = |text: &str, line: &str| text.lines().filter(|l| *l == line).count();
                for side in [&o, &t] {
                    for line in side.lines() {
                        let added = count(side, line).saturating_sub(count(&b, line));
                        prop_assert!(count(&out, line) >= added, "{:?} lost:\n{}\n--- base\n{}--- ours\n{}--- theirs\n{}", line, out, b, o, t);
                    }
                }
                // The merge of a contact is a contact (git's trivial cases aside).
                if o != b && t != b && o != t {
                    prop_assert!(parse::parse_contact("p.md", out.as_bytes(), &channels).contact.is_some());
                }
            }
        }
    }
}
