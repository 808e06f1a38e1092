//! Text edits for `log` and `add`: insert a touch entry, set one front-matter key. Pure: each
//! edit is an explicit insertion or replacement at byte offsets of the original text, so every
//! byte outside it is kept by construction (line endings, BOM, comments, key order included).
//! Nothing here reads or writes files.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::parse::{self, Format};

/// Replace `range` of a text with `text` (an insertion when the range is empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: std::ops::Range<usize>,
    pub text: String,
}

impl Edit {
    pub fn apply(&self, original: &str) -> String {
        let mut out = String::with_capacity(original.len() + self.text.len());
        out.push_str(&original[..self.range.start]);
        out.push_str(&self.text);
        out.push_str(&original[self.range.end..]);
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("the file has no front matter")]
    NoFrontMatter,
    #[error("the front matter cannot be read: {0}")]
    BadFrontMatter(String),
    #[error(
        "a new heading there would not be read as a touch (inside an unclosed code block or HTML \
         block?): close it, then log again"
    )]
    WouldBeHidden,
    #[error(
        "the entry would hide what comes after it (a note that opens an HTML comment `<!--`, \
         an HTML block or a code fence without closing it): close it in the note, then log again"
    )]
    WouldHideTheRest,
}

/// A touch to add: `## DATE WORD - TEXT`, then note lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub date: NaiveDate,
    /// The channel word as the user typed it (`call`, `coffee`).
    pub word: String,
    pub text: String,
    pub notes: Vec<String>,
}

/// The file's line ending: CRLF if it uses any, else LF.
pub fn line_ending(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// One line of user text: line breaks folded to spaces, ends trimmed.
pub fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A note line that Markdown would read as something else (a heading, a setext underline, a
/// fence, front matter) gets a leading backslash, which renders as the text itself.
pub fn safe_note(line: &str) -> String {
    let line = one_line(line);
    let t = line.trim_start();
    let looks_special = t.starts_with('#')
        || t.starts_with("```")
        || t.starts_with("~~~")
        || (!t.is_empty()
            && (t.chars().all(|c| c == '-' || c == ' ')
                || t.chars().all(|c| c == '=' || c == ' ')));
    if looks_special {
        format!("\\{line}")
    } else {
        line
    }
}

/// Where and how to add `entry` to a contact file's text (after any BOM).
///
/// Touches that run newest-first get the entry above the newest; otherwise it goes after the
/// last touch's notes (before the next heading of the same or a higher level), or at the end.
/// It uses the heading level the file already uses for touches (default `##`), the file's line
/// ending, and leaves a blank line after the entry so that a later append merges cleanly under
/// git with an edit to this one.
pub fn insert_touch(text: &str, entry: &Entry) -> Result<Edit, EditError> {
    // A file with no front matter is all body: a contact by `contacts.folders` (SPEC 10).
    let (body, base) = match parse::split_front_matter(text)
        .map_err(|(_, kind)| EditError::BadFrontMatter(kind.to_string()))?
    {
        Some(split) => (split.body, split.body_offset),
        None => (text, 0),
    };
    let eol = line_ending(text);
    let heads = parse::heading_spans(body);
    let touches: Vec<&parse::HeadingSpan> = heads.iter().filter(|h| h.date.is_some()).collect();
    let level = touches.first().map_or(2, |h| h.level);
    let newest_first = match (touches.first(), touches.last()) {
        (Some(first), Some(last)) => first.date > last.date,
        _ => false,
    };
    let at = if newest_first {
        touches[0].start
    } else if let Some(last) = touches.last() {
        heads
            .iter()
            .find(|h| h.start > last.start && h.level <= last.level)
            .map_or(body.len(), |h| h.start)
    } else {
        body.len()
    };
    let before = &body[..at];
    let mut block = String::new();
    // Start on a line of its own, also when the file ends right after the closing fence.
    let before_all = &text[..base + at];
    if !before_all.is_empty() && !before_all.ends_with('\n') {
        block.push_str(eol);
    }
    // A blank line before the entry, unless there is one (or the body starts here).
    let blank_before = before.is_empty() || before.ends_with("\n\n") || before.ends_with("\n\r\n");
    if !blank_before {
        block.push_str(eol);
    }
    let hashes = "#".repeat(level);
    let _ = write!(block, "{hashes} {} {}", entry.date, entry.word);
    let text_line = one_line(&entry.text);
    if !text_line.is_empty() {
        let _ = write!(block, " - {text_line}");
    }
    block.push_str(eol);
    for note in &entry.notes {
        block.push_str(&safe_note(note));
        block.push_str(eol);
    }
    block.push_str(eol);
    // Make sure the heading will be read as a touch where it lands (an unclosed code fence or
    // HTML block above the insertion point would swallow it), and that the entry closes
    // whatever it opens: a heading placed right after it must still be a heading, and every
    // heading that follows must still be there. Otherwise a note such as `<!-- aside` would
    // silently hide every touch typed below it.
    let heading_at = at + block.find('#').unwrap_or(0);
    let probe_at = at + block.len();
    let probe = format!("# touchbase-probe{eol}");
    let probed = format!("{}{block}{probe}{}", &body[..at], &body[at..]);
    let spans = parse::heading_spans(&probed);
    let seen = spans
        .iter()
        .any(|h| h.start == heading_at && h.date == Some(entry.date) && h.level == level);
    if !seen {
        return Err(EditError::WouldBeHidden);
    }
    let closed = spans.iter().any(|h| h.start == probe_at) && spans.len() == heads.len() + 2;
    if !closed {
        return Err(EditError::WouldHideTheRest);
    }
    Ok(Edit {
        range: base + at..base + at,
        text: block,
    })
}

/// What an edit added to a touch log: the touches of `new` left once every touch of `old` is
/// taken out (compared without line numbers, which an entry above them shifts; an entry
/// identical to an old one, such as a second voicemail that day, is still one addition).
/// `None` when an old touch is missing or changed.
pub fn added_touches<'a>(
    old: &[crate::model::Touch],
    new: &'a [crate::model::Touch],
) -> Option<Vec<&'a crate::model::Touch>> {
    let same = |a: &crate::model::Touch, b: &crate::model::Touch| {
        (a.date, a.time, a.channel, &a.word, &a.text, &a.next)
            == (b.date, b.time, b.channel, &b.word, &b.text, &b.next)
    };
    let mut added: Vec<&crate::model::Touch> = new.iter().collect();
    for t in old {
        let i = added.iter().position(|n| same(n, t))?;
        added.remove(i);
    }
    Some(added)
}

/// YAML for a plain string value: bare when that reads back as the same string, else quoted.
pub fn yaml_string(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && s.trim() == s
        && !s.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`',
        ])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.contains(['\n', '\r', '\t'])
        && s.parse::<f64>().is_err()
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off"
        );
    if plain_ok { s.to_string() } else { quoted(s) }
}

/// A double-quoted string, valid in both YAML and TOML.
pub(crate) fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Set a top-level front-matter key to a string value: replace its line (and any indented
/// continuation lines) if present, else add a line before the closing fence. The rest of the
/// front matter, comments and key order included, is untouched.
pub fn set_key(text: &str, key: &str, value: &str) -> Result<Edit, EditError> {
    set_value(text, key, &Value::Text(value))
}

/// Set a top-level key to a list, written as a two-space block list (YAML) or an array (TOML).
pub fn set_list(text: &str, key: &str, items: &[String]) -> Result<Edit, EditError> {
    set_value(text, key, &Value::List(items))
}

enum Value<'a> {
    Text(&'a str),
    List(&'a [String]),
    /// No value: the key and its value's lines go.
    Remove,
}

/// Remove a top-level key and its value's lines (nothing, if the key is not there).
pub fn remove_key(text: &str, key: &str) -> Result<Edit, EditError> {
    set_value(text, key, &Value::Remove)
}

fn set_value(text: &str, key: &str, value: &Value<'_>) -> Result<Edit, EditError> {
    let eol = line_ending(text);
    let split = match parse::split_front_matter(text)
        .map_err(|(_, kind)| EditError::BadFrontMatter(kind.to_string()))?
    {
        Some(split) => split,
        // A file with no front matter (a contact by `contacts.folders`) gets a block of its
        // own at the top for a value; the rest of the file follows it unchanged.
        None => {
            return match value {
                Value::Remove => Ok(Edit {
                    range: 0..0,
                    text: String::new(),
                }),
                Value::Text(v) => Ok(Edit {
                    range: 0..0,
                    text: format!("---{eol}{key}: {}{eol}---{eol}", yaml_string(v)),
                }),
                Value::List(_) => Err(EditError::NoFrontMatter),
            };
        }
    };
    let (sep, rendered) = match (split.format, value) {
        (Format::Yaml, Value::Text(v)) => (": ", yaml_string(v)),
        (Format::Toml, Value::Text(v)) => (" = ", quoted(v)),
        (Format::Yaml, Value::List(items)) => (
            ":",
            items
                .iter()
                .map(|i| format!("{eol}  - {}", yaml_string(&one_line(i))))
                .collect(),
        ),
        (Format::Toml, Value::List(items)) => (
            " = ",
            format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| quoted(&one_line(i)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        (_, Value::Remove) => ("", String::new()),
    };
    let content = split.content;
    let base = split.content_offset;
    let mut lines = Vec::new();
    let mut at = 0;
    for line in content.split_inclusive('\n') {
        lines.push((at, line));
        at += line.len();
    }
    let key_end = |line: &str| line.find([':', '=']).map(|i| line[..i].trim_end().len());
    let is_key = |line: &str| {
        !line.starts_with([' ', '\t', '#'])
            && key_end(line).is_some_and(|e| {
                e > 0
                    && line[..e]
                        .trim_matches(['"', '\''])
                        .eq_ignore_ascii_case(key)
            })
    };
    // A value's continuation lines (indented, or YAML block-list items) belong to its key.
    let continues = |line: &str| {
        line.starts_with([' ', '\t']) || (split.format == Format::Yaml && line.starts_with("- "))
    };
    let found = lines.iter().position(|(_, line)| is_key(line)).map(|i| {
        let (start, line) = lines[i];
        let stop = lines[i + 1..]
            .iter()
            .find(|(_, l)| !continues(l))
            .map_or(content.len(), |(s, _)| *s);
        (start, &line[..key_end(line).unwrap_or(0)], stop)
    });
    match found {
        Some((start, _, stop)) if matches!(value, Value::Remove) => Ok(Edit {
            range: base + start..base + stop,
            text: String::new(),
        }),
        None if matches!(value, Value::Remove) => Ok(Edit {
            range: split.close_offset..split.close_offset,
            text: String::new(),
        }),
        Some((start, original_key, stop)) => {
            // Replace up to the end of the key's last line, keeping that line's ending.
            let kept_eol = if content[..stop].ends_with("\r\n") {
                "\r\n"
            } else if content[..stop].ends_with('\n') {
                "\n"
            } else {
                ""
            };
            Ok(Edit {
                range: base + start..base + stop,
                text: format!("{original_key}{sep}{rendered}{kept_eol}"),
            })
        }
        None => {
            // Before the closing fence; the content may lack a final line break.
            let needs_break = !content.is_empty() && !content.ends_with('\n');
            let lead = if needs_break { eol } else { "" };
            Ok(Edit {
                range: split.close_offset..split.close_offset,
                text: format!("{lead}{key}{sep}{rendered}{eol}"),
            })
        }
    }
}

/// A file name for a contact: lower case, words joined by hyphens, Unicode letters and digits
/// kept, everything else dropped; never empty, never a name Windows reserves, at most 80 bytes.
pub fn file_stem(name: &str) -> String {
    let mut out = String::new();
    let mut hyphen = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if hyphen && !out.is_empty() {
                out.push('-');
            }
            hyphen = false;
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() || matches!(c, '-' | '_' | '.' | '/' | '\\' | '&' | '+' | ',') {
            hyphen = true;
        }
    }
    while out.len() > 80 {
        out.pop();
    }
    let out = out.trim_end_matches('-').to_string();
    let reserved = [
        "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
        "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    ];
    if out.is_empty() {
        // No letter or digit to name the file by (an emoji-only name): its characters' code
        // points, so that different names still get different files.
        let points: Vec<String> = name
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation())
            .take(8)
            .map(|c| format!("{:x}", u32::from(c)))
            .collect();
        if points.is_empty() {
            "contact".to_string()
        } else {
            format!("contact-{}", points.join("-"))
        }
    } else if reserved.contains(&out.as_str()) {
        format!("{out}-contact")
    } else {
        out
    }
}

/// What `add` fills in.
#[derive(Clone, Debug, Default)]
pub struct NewContact {
    pub name: String,
    pub stage: Option<String>,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub met: Option<String>,
    pub interests: Vec<String>,
}

/// The template `add` uses when the config names none.
pub const DEFAULT_TEMPLATE: &str = "---\n---\n# {{name}}\n\n";

/// A new contact file from a template: `{{name}}` and `{{date}}` are replaced in the body, and
/// each given field is set in the front matter (two-space block lists for interests); whatever
/// else the template's front matter holds is kept.
pub fn fill_template(
    template: &str,
    c: &NewContact,
    today: NaiveDate,
) -> Result<String, EditError> {
    let split = parse::split_front_matter(template)
        .map_err(|(_, kind)| EditError::BadFrontMatter(kind.to_string()))?
        .ok_or(EditError::NoFrontMatter)?;
    let name = one_line(&c.name);
    let body = split
        .body
        .replace("{{name}}", &name)
        .replace("{{date}}", &today.to_string());
    let mut text = format!("{}{body}", &template[..split.body_offset]);
    let fields = [
        ("name", Some(&name)),
        ("stage", c.stage.as_ref()),
        ("company", c.company.as_ref()),
        ("email", c.email.as_ref()),
        ("phone", c.phone.as_ref()),
        ("met", c.met.as_ref()),
    ];
    for (key, value) in fields {
        if let Some(v) = value {
            text = set_key(&text, key, &one_line(v))?.apply(&text);
        }
    }
    if !c.interests.is_empty() {
        text = set_list(&text, "interests", &c.interests)?.apply(&text);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn entry() -> Entry {
        Entry {
            date: d("2026-11-24"),
            word: "call".into(),
            text: "went through the proposal".into(),
            notes: vec!["Wants pricing for 3 offices.".into()],
        }
    }

    fn logged(text: &str) -> String {
        insert_touch(text, &entry()).unwrap().apply(text)
    }

    #[test]
    fn appends_after_the_last_touch_of_an_oldest_first_log() {
        let text = "---\nname: A\n---\n# A\n\n## 2026-11-01 email\nhi\n\n## 2026-11-10 call\nok\n\n## Notes\nkeep\n";
        assert_eq!(
            logged(text),
            "---\nname: A\n---\n# A\n\n## 2026-11-01 email\nhi\n\n## 2026-11-10 call\nok\n\n## 2026-11-24 call - went through the proposal\nWants pricing for 3 offices.\n\n## Notes\nkeep\n"
        );
    }

    #[test]
    fn inserts_above_the_newest_of_a_newest_first_log() {
        let text = "---\nname: A\n---\n# A\n\nintro\n\n### 2026-11-10 call\nok\n\n### 2026-11-01 email\nhi\n";
        assert_eq!(
            logged(text),
            "---\nname: A\n---\n# A\n\nintro\n\n### 2026-11-24 call - went through the proposal\nWants pricing for 3 offices.\n\n### 2026-11-10 call\nok\n\n### 2026-11-01 email\nhi\n"
        );
    }

    #[test]
    fn keeps_crlf_bom_and_adds_a_missing_final_newline() {
        let text = "---\r\nname: A\r\n---\r\n## 2026-11-10 call\r\nok";
        assert_eq!(
            logged(text),
            "---\r\nname: A\r\n---\r\n## 2026-11-10 call\r\nok\r\n\r\n## 2026-11-24 call - went through the proposal\r\nWants pricing for 3 offices.\r\n\r\n"
        );
        let empty_body = "---\nname: A\n---\n";
        assert_eq!(
            logged(empty_body),
            "---\nname: A\n---\n## 2026-11-24 call - went through the proposal\nWants pricing for 3 offices.\n\n"
        );
        // The file ends right after the closing fence: the entry starts on a line of its own.
        assert_eq!(
            logged("---\nname: A\n---"),
            "---\nname: A\n---\n## 2026-11-24 call - went through the proposal\nWants pricing for 3 offices.\n\n"
        );
    }

    #[test]
    fn ignores_dated_headings_in_code_blocks() {
        let text = "---\nname: A\n---\n## 2026-11-10 call\n\n```\n## 2026-11-20 call\n```\n";
        let out = logged(text);
        assert!(out.ends_with("```\n## 2026-11-20 call\n```\n\n## 2026-11-24 call - went through the proposal\nWants pricing for 3 offices.\n\n"), "{out}");
    }

    #[test]
    fn refuses_to_insert_into_an_unclosed_code_block() {
        let text = "---\nname: A\n---\n## 2026-11-10 call\n\n```\nunclosed\n";
        assert_eq!(insert_touch(text, &entry()), Err(EditError::WouldBeHidden));
    }

    #[test]
    fn notes_cannot_become_headings() {
        let e = Entry {
            notes: vec!["# not a heading".into(), "---".into(), "two\nlines".into()],
            ..entry()
        };
        let text = "---\nname: A\n---\n";
        let out = insert_touch(text, &e).unwrap().apply(text);
        assert!(
            out.contains("\n\\# not a heading\n\\---\ntwo lines\n"),
            "{out}"
        );
    }

    #[test]
    fn notes_that_would_hide_what_follows_are_refused() {
        let text = "---\nname: A\n---\n## 2026-01-01 call\n\n## 2026-02-01 email\n";
        for note in [
            "<!-- aside",
            "<pre>",
            "<script>",
            "<style>",
            "<textarea>",
            "<?php",
        ] {
            let e = Entry {
                notes: vec![note.into()],
                ..entry()
            };
            assert_eq!(
                insert_touch(text, &e),
                Err(EditError::WouldHideTheRest),
                "{note}"
            );
            // Newest-first: the entry goes above older touches, which it must not swallow.
            let newest_first = "---\nname: A\n---\n## 2026-02-01 email\n\n## 2026-01-01 call\n";
            assert_eq!(
                insert_touch(newest_first, &e),
                Err(EditError::WouldHideTheRest),
                "{note}"
            );
        }
        // Closed on the same line, or blocks that a blank line ends, are fine.
        for note in ["<!-- aside -->", "<div>box", "<b>bold</b>"] {
            let e = Entry {
                notes: vec![note.into()],
                ..entry()
            };
            assert!(insert_touch(text, &e).is_ok(), "{note}");
        }
    }

    #[test]
    fn removes_a_front_matter_key_and_nothing_else() {
        let text =
            "---\r\nname: A\r\nnext: 2026-12-01 call\r\n# keep\r\nstage: lead\r\n---\r\nbody\r\n";
        let out = remove_key(text, "next").unwrap().apply(text);
        assert_eq!(
            out,
            "---\r\nname: A\r\n# keep\r\nstage: lead\r\n---\r\nbody\r\n"
        );
        assert_eq!(remove_key(&out, "next").unwrap().apply(&out), out);
    }

    #[test]
    fn sets_or_replaces_a_front_matter_key() {
        let cases = [
            (
                "---\nname: A\n---\n",
                "---\nname: A\nnext: 2026-12-01 call\n---\n",
            ),
            (
                "---\nname: A\nnext: 2026-11-01 email # old\nstage: lead\n---\n",
                "---\nname: A\nnext: 2026-12-01 call\nstage: lead\n---\n",
            ),
            (
                "---\n# comment\nName:   A\nNext:   x\n---\n",
                "---\n# comment\nName:   A\nNext: 2026-12-01 call\n---\n",
            ),
            (
                "---\r\nname: A\r\n---\r\n",
                "---\r\nname: A\r\nnext: 2026-12-01 call\r\n---\r\n",
            ),
            (
                "---\nname: A\nnext:\n  - a\n  - b\nz: 1\n---\n",
                "---\nname: A\nnext: 2026-12-01 call\nz: 1\n---\n",
            ),
            (
                "+++\nname = \"A\"\n+++\n",
                "+++\nname = \"A\"\nnext = \"2026-12-01 call\"\n+++\n",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(
                set_key(text, "next", "2026-12-01 call")
                    .unwrap()
                    .apply(text),
                want,
                "{text:?}"
            );
        }
    }

    #[test]
    fn yaml_strings_round_trip() {
        for s in [
            "2026-12-01 call - send pricing",
            "a: b",
            "#hash",
            "- dash",
            "yes",
            "3.5",
            "say \"hi\"",
            "[[Bob]]",
            "x #y",
            "O'Brien",
            "tab\there",
        ] {
            let yaml = format!("k: {}\n", yaml_string(s));
            let back: std::collections::BTreeMap<String, String> =
                serde_saphyr::from_str(&yaml).unwrap();
            assert_eq!(back["k"], s, "{yaml}");
        }
    }

    #[test]
    fn file_stems_are_safe() {
        let cases = [
            ("Jane Doe", "jane-doe"),
            ("José Ñúñez", "josé-ñúñez"),
            ("../../etc/passwd", "etc-passwd"),
            ("a/b\\c", "a-b-c"),
            ("Bob & Sons, Inc.", "bob-sons-inc"),
            ("ctrl\u{7}char", "ctrlchar"),
            ("CON", "con-contact"),
            ("...", "contact"),
            ("🎉🎉", "contact-1f389-1f389"),
            ("🎉 🌊", "contact-1f389-1f30a"),
            ("  O'Brien  ", "obrien"),
            ("李小龍", "李小龍"),
        ];
        for (name, want) in cases {
            assert_eq!(file_stem(name), want, "{name:?}");
        }
        assert!(file_stem(&"x".repeat(500)).len() <= 80);
    }

    #[test]
    fn new_contacts_parse_back() {
        let c = NewContact {
            name: "Jane: Doe".into(),
            stage: Some("lead".into()),
            company: Some("Acme #1".into()),
            met: Some("2026-11-24 mixer".into()),
            interests: vec!["sailing".into(), "yes".into()],
            ..NewContact::default()
        };
        let text = fill_template(DEFAULT_TEMPLATE, &c, d("2026-11-24")).unwrap();
        assert_eq!(
            text,
            "---\nname: \"Jane: Doe\"\nstage: lead\ncompany: \"Acme #1\"\nmet: 2026-11-24 mixer\ninterests:\n  - sailing\n  - \"yes\"\n---\n# Jane: Doe\n\n"
        );
        let parsed = crate::parse::parse_contact(
            "x.md",
            text.as_bytes(),
            &crate::model::Channels::default(),
        );
        assert_eq!(parsed.problems, vec![]);
        let got = parsed.contact.unwrap();
        assert_eq!(
            (got.name.as_str(), got.company.as_deref()),
            ("Jane: Doe", Some("Acme #1"))
        );
        assert_eq!(got.interests, vec!["sailing", "yes"]);
    }

    #[test]
    fn user_templates_keep_their_own_keys() {
        let template = "---\n# my template\nstage: prospect\ntags: [realtor]\n---\n# {{name}}\n\nAdded {{date}}.\n\n## Touches\n";
        let c = NewContact {
            name: "Ann".into(),
            stage: Some("lead".into()),
            ..NewContact::default()
        };
        let text = fill_template(template, &c, d("2026-11-24")).unwrap();
        assert_eq!(
            text,
            "---\n# my template\nstage: lead\ntags: [realtor]\nname: Ann\n---\n# Ann\n\nAdded 2026-11-24.\n\n## Touches\n"
        );
        let toml = "+++\n+++\n# {{name}}\n";
        let c = NewContact {
            name: "Bo".into(),
            interests: vec!["chess".into()],
            ..NewContact::default()
        };
        assert_eq!(
            fill_template(toml, &c, d("2026-11-24")).unwrap(),
            "+++\nname = \"Bo\"\ninterests = [\"chess\"]\n+++\n# Bo\n"
        );
    }

    mod property {
        use super::super::*;
        use crate::model::{Channels, Touch};
        use crate::parse::parse_contact;
        use proptest::prelude::*;

        fn front_line() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("stage: prospect".to_string()),
                Just("# a comment".to_string()),
                Just("company:   Acme  ".to_string()),
                Just("interests:".to_string()),
                Just("  - sailing".to_string()),
                Just("next: 2026-11-30 call - old step".to_string()),
                Just("tags: [a, b]".to_string()),
                "[a-z]{1,8}: [a-z0-9 ]{0,12}",
            ]
        }

        fn body_line() -> impl Strategy<Value = String> {
            prop_oneof![
                "(#{1,4}) 20(1[0-9]|2[0-6])-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]) (call|email|coffee|card|other words)( - [a-z ]{0,10})?",
                "(#{1,4}) [A-Za-z ]{1,12}",
                Just("```".to_string()),
                Just(String::new()),
                Just("Next: 2026-12-05 email - later".to_string()),
                Just("- a list item".to_string()),
                Just("> a quote".to_string()),
                "[A-Za-z ,.]{0,30}",
            ]
        }

        /// A touch without its line number, which an insertion above it changes.
        fn key(t: &Touch) -> (chrono::NaiveDate, crate::model::Channel, String, String) {
            (t.date, t.channel, t.text.clone(), t.word.clone())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]
            #[test]
            fn log_adds_exactly_its_entry_and_keeps_every_other_byte(
                front in prop::collection::vec(front_line(), 0..6),
                body in prop::collection::vec(body_line(), 0..16),
                crlf in any::<bool>(),
                final_newline in any::<bool>(),
                notes in prop::collection::vec("[A-Za-z0-9 .,:]{1,20}", 0..3),
                with_next in any::<bool>(),
            ) {
                let eol = if crlf { "\r\n" } else { "\n" };
                let mut text = format!("---{eol}name: Pat{eol}{}{}---{eol}", front.join(eol), if front.is_empty() { "" } else { eol });
                text.push_str(&body.join(eol));
                if final_newline && !body.is_empty() {
                    text.push_str(eol);
                }
                let channels = Channels::default();
                let before = parse_contact("p.md", text.as_bytes(), &channels);
                // Only files that parse cleanly: the property is about files touchbase accepts.
                prop_assume!(before.problems.is_empty());
                let Some(old) = before.contact else { return Ok(()) };
                let entry = Entry {
                    date: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
                    word: "call".into(),
                    text: "new touch".into(),
                    notes: notes.clone(),
                };
                let insert = match insert_touch(&text, &entry) {
                    Ok(i) => i,
                    Err(EditError::WouldBeHidden) => {
                        // Refusing is right only when a heading really would be swallowed.
                        let naive = format!("{text}{eol}## 2026-11-24 call - new touch{eol}");
                        let seen = parse_contact("p.md", naive.as_bytes(), &channels)
                            .contact
                            .is_some_and(|c| c.touches.len() > old.touches.len());
                        prop_assert!(!seen, "refused a file where the heading would be read: {}", text);
                        return Ok(());
                    }
                    Err(e) => return Err(TestCaseError::fail(e.to_string())),
                };
                let mut new = insert.apply(&text);

                // The inserted text is the heading, the notes, and blank lines: nothing else.
                let inserted: Vec<&str> = insert.text.split(eol).filter(|l| !l.is_empty()).collect();
                let mut expected = vec!["## 2026-11-24 call - new touch".to_string()];
                expected.extend(notes.iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()));
                prop_assert_eq!(inserted.iter().map(|l| l.trim_start_matches('#').trim_start()).collect::<Vec<_>>(),
                    expected.iter().map(|l| l.trim_start_matches('#').trim_start()).collect::<Vec<_>>());
                prop_assert!(insert.text.split(eol).all(|l| !l.contains(['\r', '\n'])), "mixed line endings");
                // Every other byte is kept: the original is the new text minus the insertion.
                let at = insert.range.start;
                prop_assert_eq!(&new[..at], &text[..at]);
                prop_assert_eq!(&new[at + insert.text.len()..], &text[at..]);

                if with_next {
                    let set = set_key(&new, "next", "2026-12-09 email - send it").unwrap();
                    let after = set.apply(&new);
                    // Only the `next` line (and its continuation lines) changed in the front matter.
                    let other = |s: &str| -> Vec<String> {
                        let fm_end = s[3..].find("---").unwrap() + 3;
                        s[..fm_end].split(eol).filter(|l| !l.to_lowercase().starts_with("next")).map(String::from).collect()
                    };
                    let mut before_lines = other(&new);
                    // A block value under `next:` is replaced along with it.
                    before_lines.retain(|l| !(l.starts_with("  - ") && new.contains(&format!("next:{eol}{l}"))));
                    let after_lines = other(&after);
                    prop_assert!(after_lines.iter().all(|l| before_lines.contains(l)), "{:?} vs {:?}", before_lines, after_lines);
                    prop_assert_eq!(&after[set.range.start + set.text.len()..], &new[set.range.end..]);
                    new = after;
                }

                let parsed = parse_contact("p.md", new.as_bytes(), &channels);
                let now = parsed.contact.expect("still a contact");
                let mut old_keys: Vec<_> = old.touches.iter().map(key).collect();
                old_keys.push((entry.date, crate::model::Channel::Call, "new touch".into(), "call".into()));
                old_keys.sort();
                let mut new_keys: Vec<_> = now.touches.iter().map(key).collect();
                new_keys.sort();
                prop_assert_eq!(new_keys, old_keys, "{}", new);
                if with_next {
                    prop_assert_eq!(now.next.map(|n| n.date.to_string()), Some("2026-12-09".to_string()));
                }
                prop_assert_eq!(now.name, old.name);
            }
        }
    }
}
