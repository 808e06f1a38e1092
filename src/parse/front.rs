//! Front matter: find it by byte offsets (YAML between `---`, TOML between `+++`), parse it with
//! limits, and read the contact's keys leniently. gray_matter is not used: it aborts the process
//! on deeply nested YAML, expands alias bombs without limit and gives no byte offsets.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::reading::{self, Reading};
use super::{DatePrefix, bytecount_newlines, date_prefix, parse_date, parse_next_step};
use crate::duration::{Cadence, Reason};
use crate::model::{Channel, Channels, Contact, DEFAULT_STAGE, Yearly};
use crate::problem::{Kind, Problem};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

/// A file cut into front matter and body, with the offsets an editor needs.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    pub format: Format,
    /// The text between the fences.
    pub content: &'a str,
    /// Byte offset of `content` in the text.
    pub content_offset: usize,
    /// 1-based line where `content` starts.
    pub content_line: usize,
    /// Byte offset of the closing fence line in the text.
    pub close_offset: usize,
    /// Everything after the closing fence line.
    pub body: &'a str,
    pub body_offset: usize,
    /// 1-based line where `body` starts.
    pub body_line: usize,
}

/// Lines of `text` with their byte offsets; each line excludes its `\n` (and `\r`).
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str, usize)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= text.len() {
            return None;
        }
        let start = at;
        let end = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
        at = end;
        let line = text[start..end]
            .trim_end_matches('\n')
            .trim_end_matches('\r');
        Some((start, line, end))
    })
}

/// Find the front matter at the very start of `text` (a BOM already removed). `Ok(None)` when
/// the file has none; `Err((line, kind))` when it starts one but is broken.
pub fn split_front_matter(text: &str) -> Result<Option<Split<'_>>, (usize, Kind)> {
    let mut lines = lines_with_offsets(text);
    let Some((_, first, content_offset)) = lines.next() else {
        return Ok(None);
    };
    let (format, closers): (Format, &[&str]) = match first.trim_end() {
        "---" => (Format::Yaml, &["---", "..."]),
        "+++" => (Format::Toml, &["+++"]),
        _ => return check_late_front_matter(text),
    };
    let content_line = 2;
    for (n, (start, line, end)) in lines.by_ref().enumerate() {
        let close_line = content_line + n;
        let line = line.trim_end();
        if closers.contains(&line) {
            if format == Format::Yaml {
                check_second_document(line, text[end..].lines(), close_line)?;
            }
            return Ok(Some(Split {
                format,
                content: &text[content_offset..start],
                content_offset,
                content_line,
                close_offset: start,
                body: &text[end..],
                body_offset: end,
                body_line: close_line + 1,
            }));
        }
        // `--- # comment` or `... # end` starts or ends a YAML document.
        if format == Format::Yaml && is_document_marker(line) {
            return Err((close_line, Kind::MultipleDocuments));
        }
    }
    let fence = if format == Format::Yaml { "---" } else { "+++" };
    Err((1, Kind::UnclosedFrontMatter(fence)))
}

/// A YAML document marker (`---` or `...`) followed by more on its line.
fn is_document_marker(line: &str) -> bool {
    (line.starts_with("---") || line.starts_with("...")) && line[3..].starts_with([' ', '\t'])
}

/// After the closing fence, what would silently turn keys into body text: keys after a `...`
/// (a document end, where the user meant a separator), or a whole second fenced block of keys
/// right below the first. Either is reported at the fence that splits them rather than read as Markdown.
fn check_second_document<'a>(
    fence: &str,
    mut after: impl Iterator<Item = &'a str>,
    fence_line: usize,
) -> Result<(), (usize, Kind)> {
    let second = if fence == "..." {
        after
            .by_ref()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| l.trim_end() == "---" || looks_like_key(l))
    } else {
        // A whole second block: `---`, lines that read as YAML keys (or their indented or
        // listed values), and a closing `---`. A thematic break followed by ordinary text that
        // happens to hold a colon (`Summary: met at the fair`) is Markdown, not a block.
        after.next().is_some_and(|l| l.trim_end() == "---") && {
            let mut keys = 0;
            let mut closed = false;
            for l in after {
                if l.trim_end() == "---" {
                    closed = true;
                    break;
                }
                if looks_like_key(l) {
                    keys += 1;
                } else if !(l.trim().is_empty() || l.starts_with([' ', '\t', '-', '#'])) {
                    break;
                }
            }
            closed && keys > 0
        }
    };
    if second {
        Err((fence_line, Kind::MultipleDocuments))
    } else {
        Ok(())
    }
}

/// `key: value` or `key:` with a plain word key, as a front-matter line begins.
fn looks_like_key(line: &str) -> bool {
    let Some((key, rest)) = line.split_once(':') else {
        return false;
    };
    key.starts_with(|c: char| c.is_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '))
        && (rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
}

/// Front matter that starts after blank lines is not front matter, but losing a contact silently
/// is worse than a message: report it when the block looks like keys.
fn check_late_front_matter(text: &str) -> Result<Option<Split<'_>>, (usize, Kind)> {
    let mut lines = lines_with_offsets(text).enumerate();
    let mut fence_line = None;
    for (n, (_, line, _)) in lines.by_ref() {
        if line.trim().is_empty() {
            continue;
        }
        if n > 0 && line.trim_end() == "---" {
            fence_line = Some(n + 1);
        }
        break;
    }
    if let Some(line) = fence_line
        && let Some((_, next, _)) = lines.next().map(|(_, l)| l)
        && next.starts_with("name:")
    {
        return Err((line, Kind::FrontMatterNotFirst));
    }
    Ok(None)
}

/// A front-matter value, read without caring much about its YAML or TOML type.
#[derive(Clone, Debug, PartialEq)]
pub enum Loose {
    Null,
    Text(String),
    List(Vec<Loose>),
    Map(Vec<(String, Loose)>),
}

impl Loose {
    /// The value as one piece of text: a scalar, or the only item of a one-item list (which is
    /// how YAML reads an unquoted `[[Wiki Link]]`). Wikilink brackets are removed.
    fn text(&self) -> Option<String> {
        match self {
            Loose::Text(s) => Some(strip_wikilink(s.trim()).to_string()),
            Loose::List(items) if items.len() == 1 => items[0].text(),
            _ => None,
        }
    }

    /// The value as a list of texts: a list, or a single scalar standing for a one-item list.
    fn texts(&self) -> Option<Vec<String>> {
        match self {
            Loose::Null => Some(Vec::new()),
            Loose::Text(_) => Some(self.text().into_iter().filter(|s| !s.is_empty()).collect()),
            Loose::List(items) => items
                .iter()
                .filter(|i| **i != Loose::Null)
                .map(Loose::text)
                .collect::<Option<Vec<_>>>()
                .map(|v| v.into_iter().filter(|s| !s.is_empty()).collect()),
            Loose::Map(_) => None,
        }
    }

    /// Every text in the value, lists flattened. An item that YAML read as a one-item list of
    /// text is an unquoted wikilink (`[[Jane Doe]]`) and comes back as one.
    pub(crate) fn leaves(&self, out: &mut Vec<String>) {
        match self {
            Loose::Text(s) => out.push(s.clone()),
            Loose::List(items) => match items.as_slice() {
                [Loose::List(inner)] if matches!(inner.as_slice(), [Loose::Text(_)]) => {
                    if let [Loose::Text(s)] = inner.as_slice() {
                        out.push(format!("[[{s}]]"));
                    }
                }
                _ => items.iter().for_each(|i| i.leaves(out)),
            },
            Loose::Null | Loose::Map(_) => {}
        }
    }

    fn shown(&self) -> String {
        match self {
            Loose::Null => String::new(),
            Loose::Text(s) => s.clone(),
            Loose::List(_) => "(a list)".into(),
            Loose::Map(_) => "(a mapping)".into(),
        }
    }
}

/// `[[Bob Smith]]` or `[[bob-smith|Bob Smith]]` to `Bob Smith`; other text unchanged.
fn strip_wikilink(s: &str) -> &str {
    match s.strip_prefix("[[").and_then(|s| s.strip_suffix("]]")) {
        Some(inner) => inner.rsplit('|').next().unwrap_or(inner).trim(),
        None => s,
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a front-matter value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Loose, E> {
        Ok(Loose::Text(v))
    }
    fn visit_unit<E>(self) -> Result<Loose, E> {
        Ok(Loose::Null)
    }
    fn visit_none<E>(self) -> Result<Loose, E> {
        Ok(Loose::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
        Loose::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Loose::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<Loose, Loose>()? {
            entries.push((k.shown(), v));
        }
        Ok(Loose::Map(entries))
    }
}

/// Key -> (value, 1-based line in the file).
type Values = BTreeMap<String, (Loose, usize)>;

/// The front matter's top-level entries, keyed by lowercased name. `unread` holds the entries
/// whose value could not be read (a `!!binary` image that is not text, a `!!timestamp`), with
/// the reason: they are a problem only if touchbase reads that key (SPEC 2).
#[derive(Debug, Default)]
struct Fields {
    values: Values,
    unread: BTreeMap<String, (usize, Kind)>,
}

fn parse_yaml(text: &str) -> Result<Loose, serde_saphyr::Error> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
    };
    serde_saphyr::from_str_with_options::<Loose>(text, options)
}

fn yaml_fields(split: &Split<'_>) -> Result<Fields, (usize, Kind)> {
    let only_comments = split
        .content
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
    if only_comments {
        return Ok(Fields::default());
    }
    let first = split.content_line;
    let error = match parse_yaml(split.content) {
        Ok(value) => return fields_from(split, value, BTreeMap::new()),
        Err(e) if is_value_error(&e) => e,
        Err(e) => return Err(yaml_error(&e, first)),
    };
    // Some value cannot be read. Find which entries fail on their own (one pass, so it stays
    // linear), then read the document without them, so that anchors and merges across entries
    // still work. An entry whose alias pointed into a dropped one is dropped in turn.
    let lines: Vec<&str> = split.content.split_inclusive('\n').collect();
    let entries = top_level_entries(&lines);
    // Dropped lines are read as empty lines, so that line numbers stay right.
    let mut dropped = vec![false; lines.len()];
    let mut unread = BTreeMap::new();
    for entry in &entries {
        if let Err(e) = parse_yaml(&lines[entry.lines.clone()].concat())
            && is_value_error(&e)
        {
            dropped[entry.lines.clone()].fill(true);
            unread.insert(
                entry.key.to_lowercase(),
                yaml_error(&e, first + entry.lines.start),
            );
        }
    }
    let mut last = yaml_error(&error, first);
    for _ in 0..4 {
        let text: String = lines
            .iter()
            .zip(&dropped)
            .map(|(line, dropped)| if *dropped { "\n" } else { line })
            .collect();
        let e = match parse_yaml(&text) {
            Ok(value) => return fields_from(split, value, unread),
            Err(e) => e,
        };
        last = yaml_error(&e, first);
        let at = last.0 - first;
        match entries.iter().find(|e| e.lines.contains(&at)) {
            Some(entry) if !dropped[at] && (is_value_error(&e) || is_alias_error(&e)) => {
                dropped[entry.lines.clone()].fill(true);
                unread.insert(entry.key.to_lowercase(), last.clone());
            }
            _ => return Err(last),
        }
    }
    Err(last)
}

fn fields_from(
    split: &Split<'_>,
    value: Loose,
    unread: BTreeMap<String, (usize, Kind)>,
) -> Result<Fields, (usize, Kind)> {
    let mut values = match value {
        Loose::Map(entries) => with_lines(split, entries),
        Loose::Null => Values::new(),
        _ => return Err((split.content_line, Kind::NotAMapping)),
    };
    for key in unread.keys() {
        values.remove(key);
    }
    Ok(Fields { values, unread })
}

/// An error in a value that is well-formed YAML but cannot be read as text: a tag touchbase
/// does not know how to read, a `!!binary` that is not text, a non-finite number.
fn is_value_error(e: &serde_saphyr::Error) -> bool {
    use serde_saphyr::Error as E;
    matches!(
        inner_error(e),
        E::BinaryNotUtf8 { .. }
            | E::InvalidBinaryBase64 { .. }
            | E::TaggedScalarCannotDeserializeIntoString { .. }
            | E::InvalidScalar { .. }
            | E::InvalidBooleanStrict { .. }
            | E::UnsupportedTag { .. }
            | E::NonFiniteFloat { .. }
            | E::MergeValueNotMapOrSeqOfMaps { .. }
            | E::DuplicateMappingKey { .. }
            | E::SerdeInvalidType { .. }
    )
}

fn is_alias_error(e: &serde_saphyr::Error) -> bool {
    matches!(inner_error(e), serde_saphyr::Error::UnknownAnchor { .. })
}

fn inner_error(mut e: &serde_saphyr::Error) -> &serde_saphyr::Error {
    while let serde_saphyr::Error::WithSnippet { error, .. }
    | serde_saphyr::Error::AliasError { error, .. } = e
    {
        e = error;
    }
    e
}

/// The file line and kind of a YAML error in text that starts on file line `first`.
fn yaml_error(e: &serde_saphyr::Error, first: usize) -> (usize, Kind) {
    let line = e.location().map_or(first, |l| {
        first + usize::try_from(l.line()).unwrap_or(1).saturating_sub(1)
    });
    use serde_saphyr::{Error as E, budget::BudgetBreach as B};
    // The limits' own messages name the parser's counters (`Nodes { nodes: 250001 }`).
    let kind = match inner_error(e) {
        E::MultipleDocuments { .. } => Kind::MultipleDocuments,
        E::Budget { breach, .. } => Kind::TooComplex(match breach {
            B::Depth { .. } => "nested too deeply",
            B::Aliases { .. } | B::Anchors { .. } => "too many aliases",
            _ => "too many values",
        }),
        E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::AliasReplayCounterOverflow { .. } => Kind::TooComplex("too many aliases"),
        _ => Kind::Yaml(yaml_message(e)),
    };
    (line, kind)
}

/// The first line of a serde-saphyr message, without its location suffix: the caller adds the
/// file's own path and line.
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let full = e.without_snippet().to_string();
    let first = full.lines().next().unwrap_or("").trim();
    let cut = first.find(" at line ").map_or(first, |i| &first[..i]);
    // Drop advice meant for programmers ("set DuplicateKeyPolicy in Options ...").
    let cut = cut.find(", set ").map_or(cut, |i| &cut[..i]);
    cut.trim_end_matches(':').to_string()
}

fn toml_fields(split: &Split<'_>) -> Result<Fields, (usize, Kind)> {
    let first = split.content_line;
    let table: toml::Table = toml::from_str(split.content).map_err(|e| {
        let line = e.span().map_or(first, |s| {
            first + bytecount_newlines(&split.content.as_bytes()[..s.start])
        });
        (line, Kind::Toml(e.message().to_string()))
    })?;
    Ok(Fields {
        values: with_lines(
            split,
            table.into_iter().map(|(k, v)| (k, from_toml(v))).collect(),
        ),
        unread: BTreeMap::new(),
    })
}

/// The key of a top-level entry when `line` starts one (`key:` or `key =` at the start of the
/// line), as found by a scan of the lines: serde-saphyr's spans cost as much as the parse itself.
fn top_level_key(line: &str) -> Option<&str> {
    let c = line.bytes().next()?;
    if matches!(c, b' ' | b'\t' | b'#' | b'-' | b'\r' | b'\n') {
        return None;
    }
    let key_end = line.find([':', '=']).unwrap_or(line.len());
    Some(line[..key_end].trim().trim_matches(['"', '\'']))
}

/// A top-level entry: its key as written and the content lines (0-based) it spans, up to the
/// next entry.
struct Entry<'a> {
    key: &'a str,
    lines: std::ops::Range<usize>,
}

fn top_level_entries<'a>(lines: &[&'a str]) -> Vec<Entry<'a>> {
    let mut entries: Vec<Entry<'a>> = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        if let Some(key) = top_level_key(line) {
            if let Some(last) = entries.last_mut() {
                last.lines.end = n;
            }
            entries.push(Entry {
                key,
                lines: n..lines.len(),
            });
        }
    }
    entries
}

/// Key each top-level entry by its lowercased name, with the file line of its key; a key the
/// scan does not find gets the first line. The lines are looked up by hash: a search per key
/// made 100,000 keys take 16 s.
fn with_lines(split: &Split<'_>, entries: Vec<(String, Loose)>) -> Values {
    let mut starts: HashMap<&str, usize> = HashMap::new();
    for (n, line) in split.content.lines().enumerate() {
        if let Some(key) = top_level_key(line) {
            starts.entry(key).or_insert(split.content_line + n);
        }
    }
    entries
        .into_iter()
        .map(|(k, v)| {
            let line = starts
                .get(k.as_str())
                .copied()
                .unwrap_or(split.content_line);
            (k.to_lowercase(), (v, line))
        })
        .collect()
}

fn from_toml(v: toml::Value) -> Loose {
    match v {
        toml::Value::String(s) => Loose::Text(s),
        toml::Value::Integer(i) => Loose::Text(i.to_string()),
        toml::Value::Float(f) => Loose::Text(f.to_string()),
        toml::Value::Boolean(b) => Loose::Text(b.to_string()),
        toml::Value::Datetime(d) => Loose::Text(d.to_string()),
        toml::Value::Array(a) => Loose::List(a.into_iter().map(from_toml).collect()),
        toml::Value::Table(t) => {
            Loose::Map(t.into_iter().map(|(k, v)| (k, from_toml(v))).collect())
        }
    }
}

/// What a file's front matter makes of it.
#[derive(Debug)]
pub enum Front {
    /// A contact. Its name is empty when the file is a contact by folder or by `match` and has
    /// no `name`: the caller names it from the body or the file stem.
    Contact(Box<Contact>, Option<Last>),
    /// Not a contact. For a note, what touches from notes need (SPEC 10); empty unless
    /// `touches.notes` is set.
    Note(NoteFront),
    /// The front matter cannot be read: the problems say why.
    Unreadable,
}

/// The touchbase key `[fields]` maps other tools' last-contact dates to; not a front-matter key.
const LAST: &str = "last";

/// A `last` date mapped from another tool's key (`last_contacted`): a touch on that date.
#[derive(Debug, PartialEq, Eq)]
pub struct Last {
    pub date: chrono::NaiveDate,
    pub key: String,
    pub line: usize,
}

/// A note's front matter, as far as touches go.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct NoteFront {
    /// The `date` key's date.
    pub date: Option<chrono::NaiveDate>,
    /// The first `channel_keys` value that names a channel, and that word.
    pub channel: Option<(Channel, String)>,
    /// Links in `link_keys` values: the key, and each link with the key's line.
    pub keyed: Vec<(String, crate::links::Link)>,
}

/// Read a file's front matter: a contact (SPEC 2, and SPEC 10's `contacts` and `fields`), a
/// note, or unreadable.
pub fn read_front_matter(
    split: &Split<'_>,
    path: &str,
    channels: &Channels,
    reading: &Reading,
    problems: &mut Vec<Problem>,
) -> Front {
    let fields = match split.format {
        Format::Yaml => yaml_fields(split),
        Format::Toml => toml_fields(split),
    };
    let Fields { values, unread } = match fields {
        Ok(f) => f,
        Err((line, kind)) => {
            problems.push(Problem::new(path, Some(line), kind));
            return Front::Unreadable;
        }
    };
    let rule_values = |key: &str| -> Vec<String> {
        values.get(key).map_or_else(Vec::new, |(v, _)| {
            let mut out = Vec::new();
            v.leaves(&mut out);
            out.iter().flat_map(|s| reading::normals(s)).collect()
        })
    };
    if reading::any_rule(&reading.skip, rule_values) {
        return note_front(&values, channels, reading);
    }
    let mut r = Reader {
        values: &values,
        unread,
        fields: reading,
        path,
        problems,
    };
    let name = match r.text("name") {
        Some(name) if !name.is_empty() => name,
        _ if reading.in_folder(path) || reading::any_rule(&reading.matches, rule_values) => {
            String::new()
        }
        _ => {
            // A `name` that is not text was reported; it is not a note either.
            return if r.problems.is_empty() {
                note_front(&values, channels, reading)
            } else {
                Front::Unreadable
            };
        }
    };
    let mut c = Contact {
        path: path.to_string(),
        name,
        ..Contact::default()
    };
    read_contact_keys(&mut r, &mut c, channels);
    let last = if !reading.aliases_of(LAST).is_empty() {
        r.located(LAST, "expected a date YYYY-MM-DD", super::parse_date_time)
            .map(|(date, key, line)| Last { date, key, line })
    } else {
        None
    };
    Front::Contact(Box::new(c), last)
}

fn read_contact_keys(r: &mut Reader<'_>, c: &mut Contact, channels: &Channels) {
    c.company = r.text("company").filter(|s| !s.is_empty());
    c.title = r.text("title").filter(|s| !s.is_empty());
    c.email = r.text("email").filter(|s| !s.is_empty());
    c.phone = r.text("phone").filter(|s| !s.is_empty());
    c.referred_by = r.text("referred_by").filter(|s| !s.is_empty());
    c.stage = r
        .text("stage")
        .map(|s| s.to_lowercase())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_STAGE.to_string());
    c.cadence = r.parsed_with("cadence", |s| {
        s.parse::<Cadence>().map_err(|e| match e.reason {
            Reason::Form => {
                "expected a duration such as 3w or 2mo, a window such as 3w-6w, or never"
            }
            Reason::TooLong => "over 100 years (for no cadence, write never)",
            reason => reason.expected(),
        })
    });
    c.next = r.parsed("next", "expected YYYY-MM-DD [channel] [- text]", |s| {
        parse_next_step(s, channels)
    });
    c.snooze = r.parsed(
        "snooze",
        "expected a date YYYY-MM-DD",
        super::parse_date_time,
    );
    c.stage_since = r.parsed(
        "stage_since",
        "expected a date YYYY-MM-DD",
        super::parse_date_time,
    );
    c.met = r.parsed("met", "expected YYYY-MM-DD [text]", |s| {
        match date_prefix(s.trim()) {
            DatePrefix::Valid(date, rest) => {
                // A time after the date (Obsidian's Date & time property) is not the text.
                let rest = match super::time_prefix(rest) {
                    Ok(Some((_, rest))) => rest,
                    _ => rest,
                };
                Some((date, super::skip_separator(rest).trim().to_string()))
            }
            _ => None,
        }
    });
    c.birthday = r.parsed("birthday", "expected YYYY-MM-DD or MM-DD", parse_yearly);
    c.dates = r.dates();
    c.interests = r.texts("interests");
    c.tags = r.texts("tags");
    c.aliases = r.texts("aliases");
    c.owner = r.text("owner").filter(|s| !s.is_empty());
}

/// A note's date, channel and keyed links, when touches come from notes. Values that are not
/// what touchbase looks for are passed over silently: a note is the user's, not touchbase's.
fn note_front(values: &Values, channels: &Channels, reading: &Reading) -> Front {
    if !reading.notes {
        return Front::Note(NoteFront::default());
    }
    let text = |key: &str| values.get(key).and_then(|(v, _)| v.text());
    let date = text("date").and_then(|d| super::parse_date_time(&d));
    // As other tools write it: `kind: call`, `type: "[[Meeting]]"`, `kind: [call, follow-up]`.
    // `type: note` (Obsidian, CRM plugins) says the file is a written note, not a card sent.
    let channel = reading.channel_keys.iter().find_map(|key| {
        let (value, _) = values.get(key.as_str())?;
        let mut leaves = Vec::new();
        value.leaves(&mut leaves);
        leaves.iter().find_map(|leaf| {
            let word = reading::normal(leaf);
            (word != "note")
                .then(|| channels.lookup(&word).map(|ch| (ch, word)))
                .flatten()
        })
    });
    let mut keyed = Vec::new();
    for key in &reading.link_keys {
        let Some((value, line)) = values.get(key.as_str()) else {
            continue;
        };
        let mut leaves = Vec::new();
        value.leaves(&mut leaves);
        for leaf in leaves {
            for target in crate::links::value_targets(&leaf) {
                keyed.push((
                    key.clone(),
                    crate::links::Link {
                        target,
                        line: *line,
                    },
                ));
            }
        }
    }
    Front::Note(NoteFront {
        date,
        channel,
        keyed,
    })
}

struct Reader<'a> {
    values: &'a Values,
    /// Other tools' keys for touchbase's (`[fields]`).
    fields: &'a Reading,
    /// Taken out as they are reported, so each is reported once.
    unread: BTreeMap<String, (usize, Kind)>,
    path: &'a str,
    problems: &'a mut Vec<Problem>,
}

impl<'a> Reader<'a> {
    /// A key's value and line; a key whose value could not be read is reported here, when
    /// touchbase reads it, and is then absent.
    fn get(&mut self, key: &str) -> Option<&'a (Loose, usize)> {
        let key = self.actual(key);
        if let Some((line, kind)) = self.unread.remove(key) {
            self.problems
                .push(Problem::new(self.path, Some(line), kind));
        }
        self.values.get(key)
    }

    /// The key that holds touchbase's `key` in this file: `key` itself when it has a value,
    /// else the first of its `[fields]` keys that has one, else `key`. An empty value (`stage:`)
    /// counts as none, so that the other tool's key is read.
    fn actual<'k>(&self, key: &'k str) -> &'k str
    where
        'a: 'k,
    {
        let others: &'a [String] = self.fields.aliases_of(key);
        // `last` is no key of touchbase's own (SPEC 2): a file's own `last:` (a last name, in
        // many people vaults) is never read for it, only the keys `[fields] last` names.
        let own = key != LAST;
        if others.is_empty() {
            return key;
        }
        let present = |k: &str| {
            self.unread.contains_key(k)
                || self.values.get(k).is_some_and(|(v, _)| {
                    *v != Loose::Null && v.text().is_none_or(|t| !t.is_empty())
                })
        };
        if own && present(key) {
            return key;
        }
        let fallback = if own { key } else { others[0].as_str() };
        others
            .iter()
            .map(String::as_str)
            .find(|k| present(k))
            .unwrap_or(fallback)
    }

    fn bad(&mut self, key: &str, value: &Loose, line: usize, expected: &'static str) {
        let key = self.actual(key);
        self.problems.push(Problem::new(
            self.path,
            Some(line),
            Kind::Value {
                key: key.to_string(),
                value: value.shown(),
                expected,
            },
        ));
    }

    /// A text key; `None` when absent or empty (`key:`), a problem when it is not text.
    fn text(&mut self, key: &str) -> Option<String> {
        let (value, line) = self.get(key)?;
        match value {
            Loose::Null => None,
            v => match v.text() {
                Some(s) => Some(s),
                None => {
                    self.bad(key, v, *line, "expected text");
                    None
                }
            },
        }
    }

    fn texts(&mut self, key: &str) -> Vec<String> {
        let Some((value, line)) = self.get(key) else {
            return Vec::new();
        };
        value.texts().unwrap_or_else(|| {
            self.bad(key, value, *line, "expected a list");
            Vec::new()
        })
    }

    /// A text key run through `parse`; a problem naming the key when `parse` rejects it.
    fn parsed<T>(
        &mut self,
        key: &str,
        expected: &'static str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        self.parsed_with(key, |s| parse(s).ok_or(expected))
    }

    /// As `parsed`, with `parse` saying what was expected.
    fn parsed_with<T>(
        &mut self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, &'static str>,
    ) -> Option<T> {
        let (value, line) = self.get(key)?;
        let text = self.text(key)?;
        if text.is_empty() {
            return None;
        }
        parse(&text)
            .map_err(|expected| self.bad(key, value, *line, expected))
            .ok()
    }

    /// As `parsed`, with the key that held the value (touchbase's or another tool's) and its
    /// line.
    fn located<T>(
        &mut self,
        key: &str,
        expected: &'static str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<(T, String, usize)> {
        let line = self.get(key)?.1;
        let actual = self.actual(key).to_string();
        self.parsed(key, expected, parse)
            .map(|value| (value, actual, line))
    }

    fn dates(&mut self) -> Vec<(String, Yearly)> {
        let Some((value, line)) = self.get("dates") else {
            return Vec::new();
        };
        let entries = match value {
            Loose::Null => return Vec::new(),
            Loose::Map(entries) => entries,
            v => {
                self.bad("dates", v, *line, "expected a mapping of label: YYYY-MM-DD");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (label, v) in entries {
            match v.text().as_deref().and_then(parse_yearly) {
                Some(y) => out.push((label.trim().to_string(), y)),
                None if *v == Loose::Null => {}
                None => self.bad(
                    &format!("dates.{label}"),
                    v,
                    *line,
                    "expected YYYY-MM-DD or MM-DD",
                ),
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// `YYYY-MM-DD` or `MM-DD`.
pub(crate) fn parse_yearly(s: &str) -> Option<Yearly> {
    let s = s.trim();
    if let Some(date) = parse_date(s) {
        use chrono::Datelike;
        return Some(Yearly {
            month: date.month(),
            day: date.day(),
            year: Some(date.year()),
        });
    }
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b'-' || !b[..2].iter().chain(&b[3..]).all(u8::is_ascii_digit) {
        return None;
    }
    let month: u32 = s[..2].parse().ok()?;
    let day: u32 = s[3..].parse().ok()?;
    // 2000 is a leap year, so 02-29 is accepted.
    chrono::NaiveDate::from_ymd_opt(2000, month, day)?;
    Some(Yearly {
        month,
        day,
        year: None,
    })
}

/// Every top-level front-matter entry, keyed by lowercased name in name order, read with the
/// same limits as a contact's; `None` when the front matter cannot be parsed. For `init`, which
/// looks at a folder's notes to propose settings.
pub(crate) fn top_level_values(split: &Split<'_>) -> Option<Vec<(String, Loose)>> {
    let fields = match split.format {
        Format::Yaml => yaml_fields(split),
        Format::Toml => toml_fields(split),
    }
    .ok()?;
    Some(
        fields
            .values
            .into_iter()
            .map(|(key, (value, _))| (key, value))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Channel;

    #[test]
    fn a_files_own_last_key_is_not_the_mapped_last_date() {
        let reading = Reading {
            fields: [("last".to_string(), vec!["last_contacted".to_string()])].into(),
            ..Reading::default()
        };
        let last = |text: &str| {
            let split = split_front_matter(text).unwrap().unwrap();
            let mut problems = Vec::new();
            let front = read_front_matter(
                &split,
                "c.md",
                &Channels::default(),
                &reading,
                &mut problems,
            );
            let Front::Contact(_, last) = front else {
                panic!("{text}: not a contact");
            };
            (last.map(|l| (l.date.to_string(), l.key)), problems.len())
        };
        // `last: Doe` is a last name: no problem, and the mapped key is read.
        assert_eq!(
            last("---\nname: Jane\nlast: Doe\nlast_contacted: 2026-11-01\n---\n"),
            (
                Some(("2026-11-01".to_string(), "last_contacted".to_string())),
                0
            )
        );
        assert_eq!(last("---\nname: Bob\nlast: 2026-11-20\n---\n"), (None, 0));
        assert_eq!(last("---\nname: Bob\nlast_contacted:\n---\n"), (None, 0));
        let unmapped = Reading {
            fields: [("last".to_string(), Vec::new())].into(),
            ..Reading::default()
        };
        let split = split_front_matter("---\nname: Bob\nlast: 2026-11-20\n---\n")
            .unwrap()
            .unwrap();
        let front = read_front_matter(
            &split,
            "c.md",
            &Channels::default(),
            &unmapped,
            &mut Vec::new(),
        );
        assert!(matches!(front, Front::Contact(_, None)));
    }

    #[test]
    fn a_notes_channel_key_may_be_a_wikilink_a_tag_or_a_list() {
        let reading = Reading {
            notes: true,
            ..Reading::default()
        };
        let cases: &[(&str, Option<Channel>)] = &[
            ("kind: call", Some(Channel::Call)),
            ("type: \"[[Meeting]]\"", Some(Channel::Meeting)),
            ("kind: \"#email\"", Some(Channel::Email)),
            ("kind: [follow-up, call]", Some(Channel::Call)),
            ("kind: [email, call]", Some(Channel::Email)),
            ("kind: follow-up", None),
        ];
        for (line, expected) in cases {
            let text = format!("---\n{line}\n---\n");
            let split = split_front_matter(&text).unwrap().unwrap();
            let mut problems = Vec::new();
            let front = read_front_matter(
                &split,
                "n.md",
                &Channels::default(),
                &reading,
                &mut problems,
            );
            let Front::Note(note) = front else {
                panic!("{line}: not a note");
            };
            assert_eq!(note.channel.map(|(c, _)| c), *expected, "{line}");
        }
    }

    fn read(text: &str) -> (Option<Contact>, Vec<Problem>) {
        read_with(text, &Reading::default())
    }

    fn read_with(text: &str, reading: &Reading) -> (Option<Contact>, Vec<Problem>) {
        let mut problems = Vec::new();
        let split = match split_front_matter(text) {
            Ok(Some(s)) => s,
            Ok(None) => return (None, problems),
            Err((line, kind)) => {
                problems.push(Problem::new("c.md", Some(line), kind));
                return (None, problems);
            }
        };
        let front = read_front_matter(&split, "c.md", &Channels::default(), reading, &mut problems);
        let c = match front {
            Front::Contact(c, _) => Some(*c),
            Front::Note(_) | Front::Unreadable => None,
        };
        (c, problems)
    }

    fn mapped(pairs: &[(&str, &[&str])]) -> Reading {
        Reading {
            fields: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
                .collect(),
            ..Reading::default()
        }
    }

    /// `[fields]`: another tool's key is read as touchbase's, with the same forms; touchbase's
    /// own key wins when it has a value; among the others the first with a value wins.
    #[test]
    fn fields_are_read_in_order_of_precedence() {
        let reading = mapped(&[
            ("stage", &["relationship_type", "relationship"]),
            ("cadence", &["contact_cadence"]),
            ("next", &["next_contact_due"]),
            ("met", &["first_met"]),
            ("interests", &["hobbies"]),
        ]);
        // (front matter, stage, cadence, next date, met date, interests)
        type Case = (
            &'static str,
            &'static str,
            Option<&'static str>,
            Option<&'static str>,
            Option<&'static str>,
            &'static [&'static str],
        );
        let cases: [Case; 6] = [
            (
                "relationship_type: Client\ncontact_cadence: monthly\nnext_contact_due: 2026-12-18\nfirst_met: 2025-03-01 a fair\nhobbies: [golf]\n",
                "client",
                Some("1mo"),
                Some("2026-12-18"),
                Some("2025-03-01"),
                &["golf"],
            ),
            // touchbase's own key wins over the mapped one
            (
                "stage: partner\nrelationship_type: client\ncadence: 2w\ncontact_cadence: monthly\n",
                "partner",
                Some("2w"),
                None,
                None,
                &[],
            ),
            // an empty own key is no value: the mapped key is read
            (
                "stage:\nrelationship_type: client\n",
                "client",
                None,
                None,
                None,
                &[],
            ),
            // the first mapped key with a value wins
            (
                "relationship: lead\nrelationship_type: client\n",
                "client",
                None,
                None,
                None,
                &[],
            ),
            (
                "relationship_type: \"\"\nrelationship: lead\n",
                "lead",
                None,
                None,
                None,
                &[],
            ),
            // durations other tools write
            (
                "contact_cadence: twice-yearly\n",
                "prospect",
                Some("6mo"),
                None,
                None,
                &[],
            ),
        ];
        for (front, stage, cadence, next, met, interests) in cases {
            let text = format!("---\nname: A\n{front}---\n");
            let (c, problems) = read_with(&text, &reading);
            let c = c.unwrap();
            assert_eq!(problems, vec![], "{front}");
            assert_eq!(c.stage, stage, "{front}");
            assert_eq!(
                c.cadence.map(|c| c.to_string()).as_deref(),
                cadence,
                "{front}"
            );
            assert_eq!(
                c.next.map(|n| n.date.to_string()).as_deref(),
                next,
                "{front}"
            );
            assert_eq!(c.met.map(|m| m.0.to_string()).as_deref(), met, "{front}");
            assert_eq!(c.interests, interests, "{front}");
        }
        // Without the mapping, other tools' keys are ignored.
        let (c, _) = read("---\nname: A\nrelationship_type: client\n---\n");
        assert_eq!(c.unwrap().stage, "prospect");
    }

    /// A bad value in a mapped key is reported under the key the file uses.
    #[test]
    fn a_bad_mapped_value_names_the_files_key() {
        let reading = mapped(&[("cadence", &["contact_cadence"])]);
        let (c, problems) = read_with("---\nname: A\ncontact_cadence: sometimes\n---\n", &reading);
        assert!(c.unwrap().cadence.is_none());
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 1);
        assert!(
            text[0].starts_with("c.md:3: invalid `contact_cadence`"),
            "{text:?}"
        );
    }

    /// A note's channel from `channel_keys`: a channel word, except `note` (a written note, as
    /// Obsidian and CRM plugins use `type: note`, is no card sent).
    #[test]
    fn channel_keys_name_a_channel_but_note_is_no_card() {
        let reading = Reading {
            notes: true,
            ..Reading::default()
        };
        let channel = |front: &str| {
            let text = format!("---\n{front}---\n");
            let split = split_front_matter(&text).unwrap().unwrap();
            let mut problems = Vec::new();
            match read_front_matter(
                &split,
                "n.md",
                &Channels::default(),
                &reading,
                &mut problems,
            ) {
                Front::Note(n) => n.channel.map(|(ch, _)| ch),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(channel("kind: Call\n"), Some(Channel::Call));
        assert_eq!(channel("type: coffee\n"), Some(Channel::Meeting));
        assert_eq!(channel("type: note\n"), None);
        assert_eq!(
            channel("type: note\nchannel: email\n"),
            Some(Channel::Email)
        );
        assert_eq!(channel("type: daily\n"), None);
    }

    /// `contacts.match` and `contacts.skip`: which files are contacts.
    #[test]
    fn match_and_skip_decide_which_files_are_contacts() {
        let reading = Reading {
            matches: vec![
                ("type".into(), vec!["person".into()]),
                ("categories".into(), vec!["people".into()]),
            ],
            skip: vec![("type".into(), vec!["company".into(), "template".into()])],
            ..Reading::default()
        };
        for (front, contact) in [
            ("type: person\n", true),
            ("type: Person\n", true),
            ("categories: [\"[[People]]\"]\n", true),
            ("categories:\n  - \"[[People|folks]]\"\n", true),
            ("categories: [[People]]\n", true),
            ("type: place\n", false),
            ("name: Acme\ntype: company\n", false),
            ("type: [person, template]\n", false),
            ("name: Ann\n", true),
        ] {
            let (c, _) = read_with(&format!("---\n{front}---\n"), &reading);
            assert_eq!(c.is_some(), contact, "{front}");
        }
    }

    #[test]
    fn splits_yaml_toml_crlf_and_detects_unclosed() {
        let s = split_front_matter("---\nname: A\n---\nbody\n")
            .unwrap()
            .unwrap();
        assert_eq!((s.content, s.body, s.body_line), ("name: A\n", "body\n", 4));
        let s = split_front_matter("---\r\nname: A\r\n---\r\n# B\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            (s.content, s.body, s.body_line),
            ("name: A\r\n", "# B\r\n", 4)
        );
        let s = split_front_matter("+++\nname = \"A\"\n+++\n")
            .unwrap()
            .unwrap();
        assert_eq!((s.format, s.body), (Format::Toml, ""));
        assert_eq!(split_front_matter("# Title\n"), Ok(None));
        assert_eq!(split_front_matter(""), Ok(None));
        assert_eq!(
            split_front_matter("---\nname: A\n# no close\n"),
            Err((1, Kind::UnclosedFrontMatter("---")))
        );
        assert_eq!(
            split_front_matter("\n---\nname: A\n---\n"),
            Err((2, Kind::FrontMatterNotFirst))
        );
    }

    #[test]
    fn more_than_one_document_is_one_clear_problem() {
        let cases = [
            ("---\nname: A\n...\ncadence: 2w\n---\n# A\n", 3),
            ("---\nname: A\n...\n\ncadence: 2w\n", 3),
            ("---\nname: A\n...\n---\ncadence: 2w\n---\n", 3),
            ("---\nname: A\n--- # second\ncadence: 2w\n---\n", 3),
            ("---\nname: A\n--- !tag\ncadence: 2w\n---\n", 3),
            ("---\nname: A\n... # end\ncadence: 2w\n---\n", 3),
            ("---\r\nname: A\r\n...\r\ncadence: 2w\r\n---\r\n", 3),
            ("---\nname: A\n---\n---\ncadence: 2w\n---\n", 3),
        ];
        for (text, line) in cases {
            assert_eq!(
                split_front_matter(text),
                Err((line, Kind::MultipleDocuments)),
                "{text:?}"
            );
        }
        let shown = Problem::new("contacts/x.md", Some(3), Kind::MultipleDocuments).to_string();
        assert_eq!(
            shown,
            "contacts/x.md:3: the front matter holds more than one YAML document (\"...\" or \"---\" inside it): keep one"
        );
        // A `...` fence followed by Markdown, and a thematic break further down, are fine.
        for text in [
            "---\nname: A\n...\n# A\n\n---\nnotes\n",
            "---\nname: A\n...\n\nSome notes.\n",
            "---\nname: A\n---\n---\n\nnotes\n",
            "---\nname: A\n---\n# A\n---\nx: y\n",
            "---\nname: Hal Rule\n---\n---\nSummary: met at the fair\n",
            "---\nname: Hal Rule\n---\n---\nSummary: met at the fair\nMore notes.\n---\n",
        ] {
            assert!(
                split_front_matter(text).is_ok_and(|s| s.is_some()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn reads_lenient_front_matter() {
        let (c, problems) = read(
            "---\nName: Jane Doe\nstage: Client\ninterests:\n  - sailing\n  - \"New York Yankees\"\ntags: realtor\nreferred_by: \"[[Bob Smith]]\"\nphone: 0123456789\nbirthday: 02-29\nnext: 2026-12-01 call - send pricing\ncompany:\nunknown_key: {a: 1}\ndates:\n  deal closed: 2025-06-01\n---\n",
        );
        assert_eq!(problems, vec![]);
        let c = c.unwrap();
        assert_eq!(c.name, "Jane Doe");
        assert_eq!(c.stage, "client");
        assert_eq!(c.interests, vec!["sailing", "New York Yankees"]);
        assert_eq!(c.tags, vec!["realtor"]);
        assert_eq!(c.referred_by.as_deref(), Some("Bob Smith"));
        assert_eq!(c.phone.as_deref(), Some("0123456789"));
        assert_eq!(c.company, None);
        assert_eq!(
            c.birthday,
            Some(Yearly {
                month: 2,
                day: 29,
                year: None
            })
        );
        assert_eq!(c.next.as_ref().unwrap().channel, Some(Channel::Call));
        assert_eq!(c.dates[0].0, "deal closed");
        assert_eq!(c.dates[0].1.year, Some(2025));
    }

    #[test]
    fn unquoted_wikilink_and_flow_lists() {
        let (c, p) =
            read("---\nname: A\nreferred_by: [[Bob Smith]]\ninterests: [golf, wine]\n---\n");
        assert_eq!(p, vec![]);
        let c = c.unwrap();
        assert_eq!(c.referred_by.as_deref(), Some("Bob Smith"));
        assert_eq!(c.interests, vec!["golf", "wine"]);
    }

    #[test]
    fn toml_front_matter() {
        let (c, p) =
            read("+++\nname = \"Ann\"\nsnooze = 2026-12-01\ninterests = [\"chess\"]\n+++\n");
        assert_eq!(p, vec![]);
        let c = c.unwrap();
        assert_eq!(c.name, "Ann");
        assert_eq!(c.snooze.unwrap().to_string(), "2026-12-01");
        let (_, p) = read("+++\nname = \"Ann\"\nsnooze = \"soon\"\n+++\n");
        assert_eq!(p[0].line, Some(3));
    }

    #[test]
    fn not_contacts() {
        for text in [
            "---\n---\n",
            "---\ntitle: Meeting notes\n---\n",
            "---\nname: \"  \"\n---\n",
            "---\nname:\n---\n",
            "---\n# just a comment\n---\n",
        ] {
            let (c, p) = read(text);
            assert_eq!((c, p), (None, vec![]), "{text:?}");
        }
    }

    #[test]
    fn problems_carry_file_lines() {
        let cases: [(&str, usize, &str); 11] = [
            ("---\nname: A\ninterests: [a, b\n---\n", 3, "invalid YAML"),
            ("---\n- a\n- b\n---\n", 2, "not a mapping"),
            (
                "---\nname: A\nsnooze: 2026-02-30\n---\n",
                3,
                "invalid `snooze` \"2026-02-30\"",
            ),
            (
                "---\nname: A\n\ncadence: sometimes\n---\n",
                4,
                "invalid `cadence`",
            ),
            ("---\nname: A\nnext: next week\n---\n", 3, "invalid `next`"),
            (
                "---\nname: A\ncadence: 999999y\n---\n",
                3,
                "invalid `cadence` \"999999y\": over 100 years",
            ),
            (
                "---\nname: A\ncadence: 2147483648mo\n---\n",
                3,
                "invalid `cadence` \"2147483648mo\": over 100 years",
            ),
            (
                "---\nname: A\ncadence: 0d\n---\n",
                3,
                "invalid `cadence` \"0d\": a duration must be at least 1 day",
            ),
            (
                "---\nname: A\ncadence: -2w\n---\n",
                3,
                "invalid `cadence` \"-2w\": a duration cannot be negative",
            ),
            ("---\nname: [a, b]\n---\n", 2, "invalid `name`"),
            (
                "---\nname: A\nname: B\n---\n",
                3,
                "invalid YAML: duplicate mapping key: name",
            ),
        ];
        for (text, line, msg) in cases {
            let (_, p) = read(text);
            assert_eq!(p.len(), 1, "{text:?}: {p:?}");
            assert_eq!(p[0].line, Some(line), "{text:?}: {}", p[0]);
            assert!(p[0].to_string().contains(msg), "{text:?}: {}", p[0]);
        }
    }

    #[test]
    fn unknown_keys_never_make_a_problem_whatever_their_type_or_tag() {
        const GIF: &str = "R0lGODlhDAAMAIQAAP//9/X17unp5WZmZgAAAOfn515eXvPz7Y6OjuDg4J+fn5OTk6enp56enmleECcgggoBADs=";
        let cases = [
            format!("canonical: !!binary \"{GIF}\""),
            format!("canonical: !!binary |\n  {GIF}"),
            format!("x: !<tag:yaml.org,2002:binary> {GIF}"),
            "x: !!binary not base64!".into(),
            "x: !!set\n  ? a\n  ? b".into(),
            "x: !!set {a, b}".into(),
            "x: !custom foo".into(),
            "x: !custom {a: 1, b: [2]}".into(),
            "x: !!timestamp 2001-12-14t21:59:43.10-05:00".into(),
            "x: !!timestamp 2001-12-14".into(),
            "x: !!float 1.5".into(),
            "x: !!float abc".into(),
            "x: !!int abc".into(),
            "x: !!bool maybe".into(),
            "x: !!str [a]".into(),
            "x: !!seq abc".into(),
            "x: !!map abc".into(),
            "x: !!omap\n  - a: 1\n  - b: 2".into(),
            "x: .nan".into(),
            "x: -.inf".into(),
            "x: 1e999".into(),
            "x: {<<: 5}".into(),
            "x: {a: 1, a: 2}".into(),
            format!("x:\n  y: !!binary {GIF}\n  z: !custom {{a: !!float x}}"),
            format!("x: &a !!binary {GIF}\ny: *a"),
            format!("!!binary {GIF}: x"),
            "? [a, b]\n: c".into(),
            "x: !!timestamp 2001-12-14\ny: !!int no\nz: !!bool no".into(),
        ];
        for case in cases {
            let text = format!("---\nname: A\n{case}\ncadence: 2w\n---\n");
            let (c, p) = read(&text);
            assert_eq!(p, vec![], "{case:?}");
            let c = c.unwrap_or_else(|| panic!("{case:?}: not a contact"));
            assert_eq!(
                c.cadence,
                Some(Cadence::Every(crate::duration::Duration::Weeks(2)))
            );
        }
    }

    #[test]
    fn an_unreadable_value_touchbase_reads_is_a_problem_on_its_own_line() {
        let cases: [(&str, bool, usize, &str); 5] = [
            (
                "name: A\nx: 1\nsnooze: !!timestamp 2026-12-01\n",
                true,
                4,
                "invalid YAML: cannot deserialize tagged scalar",
            ),
            (
                "name: !!binary /w==\n",
                false,
                2,
                "invalid YAML: !!binary scalar is not valid UTF-8",
            ),
            ("x: &a !!float abc\nname: *a\n", false, 3, "invalid YAML"),
            (
                "name: A\ndates:\n  a: 2020-01-01\n  a: 2021-01-01\n",
                true,
                5,
                "duplicate mapping key",
            ),
            // Broken syntax is not a value: the file is still a problem.
            ("name: A\nx: [a, b\n", false, 3, "invalid YAML"),
        ];
        for (yaml, is_contact, line, msg) in cases {
            let (c, p) = read(&format!("---\n{yaml}---\n"));
            assert_eq!(c.is_some(), is_contact, "{yaml:?}: {p:?}");
            assert_eq!(p.len(), 1, "{yaml:?}: {p:?}");
            assert_eq!(p[0].line, Some(line), "{yaml:?}: {}", p[0]);
            assert!(p[0].to_string().contains(msg), "{yaml:?}: {}", p[0]);
        }
    }

    #[test]
    fn key_lines_are_found_in_linear_time() {
        // Not timed: at this size a search per key (the old code) runs for minutes, while one
        // pass takes well under a second even unoptimised.
        let n = 200_000;
        let mut content = String::new();
        let mut entries = Vec::new();
        for i in 0..n {
            content.push_str(&format!("key{i}: v\n"));
            entries.push((format!("key{i}"), Loose::Null));
        }
        let split = Split {
            format: Format::Yaml,
            content: &content,
            content_offset: 4,
            content_line: 2,
            close_offset: 4 + content.len(),
            body: "",
            body_offset: 8 + content.len(),
            body_line: n + 3,
        };
        let fields = with_lines(&split, entries);
        assert_eq!(fields.len(), n);
        assert_eq!(fields["key0"].1, 2);
        assert_eq!(fields[&format!("key{}", n - 1)].1, n + 1);
    }

    #[test]
    fn yearly_dates() {
        assert_eq!(
            parse_yearly("04-12"),
            Some(Yearly {
                month: 4,
                day: 12,
                year: None
            })
        );
        assert_eq!(parse_yearly("1980-04-12").unwrap().year, Some(1980));
        assert_eq!(parse_yearly("02-30"), None);
        assert_eq!(parse_yearly("4-12"), None);
        assert_eq!(parse_yearly("13-01"), None);
    }

    #[test]
    fn alias_bomb_and_deep_nesting_are_problems_not_hangs() {
        let mut bomb = String::from(
            "---\nname: A\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (i, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
        {
            bomb.push_str(&format!("{i}: &{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        bomb.push_str("---\n");
        let (_, p) = read(&bomb);
        assert!(matches!(p[0].kind, Kind::TooComplex(_)), "{p:?}");
        let deep = format!("---\nname: A\nx: {}\n---\n", "[".repeat(100_000));
        let (_, p) = read(&deep);
        assert!(matches!(p[0].kind, Kind::Yaml(_)), "{p:?}");
        let mut wide = String::from("---\nname: A\n");
        for i in 0..130_000 {
            wide.push_str(&format!("k{i}: v\n"));
        }
        wide.push_str("---\n");
        let (_, p) = read(&wide);
        assert_eq!(
            p[0].to_string(),
            "c.md:125001: front matter is too large to read: too many values"
        );
        let deep_block = format!("---\nname: A\nx:\n{}\n---\n", "- ".repeat(10_000));
        let (_, p) = read(&deep_block);
        assert!(!p.is_empty());
    }
}
