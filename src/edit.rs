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
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A note line that Markdown would read as something else (a heading, a setext underline, a
/// fence, front matter) gets a leading backslash, which renders as the text itself.
fn safe_note(line: &str) -> String {
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
    let split = parse::split_front_matter(text)
        .map_err(|(_, kind)| EditError::BadFrontMatter(kind.to_string()))?
        .ok_or(EditError::NoFrontMatter)?;
    let body = split.body;
    let base = split.body_offset;
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
    if !before.is_empty() && !before.ends_with('\n') {
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
    Ok(Edit {
        range: base + at..base + at,
        text: block,
    })
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
fn quoted(s: &str) -> String {
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
    let split = parse::split_front_matter(text)
        .map_err(|(_, kind)| EditError::BadFrontMatter(kind.to_string()))?
        .ok_or(EditError::NoFrontMatter)?;
    let eol = line_ending(text);
    let (sep, rendered) = match split.format {
        Format::Yaml => (": ", yaml_string(value)),
        Format::Toml => (" = ", quoted(value)),
    };
    let content = split.content;
    let base = split.content_offset;
    let mut at = 0;
    let mut found: Option<(usize, usize, &str)> = None; // (line start, key end, original key)
    let mut end_of_found = None;
    for line in content.split_inclusive('\n') {
        let start = at;
        at += line.len();
        if let Some((_, _, _)) = found {
            if end_of_found.is_none() {
                let continues = line.starts_with([' ', '\t'])
                    || (split.format == Format::Yaml && line.starts_with("- "));
                if continues {
                    continue;
                }
                end_of_found = Some(start);
            }
            continue;
        }
        let key_end = line.find([':', '=']).unwrap_or(0);
        let written = line[..key_end].trim_end().trim_matches(['"', '\'']);
        let is_key =
            key_end > 0 && !line.starts_with([' ', '\t', '#']) && written.eq_ignore_ascii_case(key);
        if is_key {
            found = Some((start, key_end, &line[..line[..key_end].trim_end().len()]));
        }
    }
    match found {
        Some((start, _, original_key)) => {
            // Replace up to the end of the key's last line, keeping that line's ending.
            let stop = end_of_found.unwrap_or(content.len());
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
        "contact".to_string()
    } else if reserved.contains(&out.as_str()) {
        format!("{out}-contact")
    } else {
        out
    }
}

/// What `add` writes: front matter in touchbase's style (two-space block lists, quoted
/// `"[[links]]"`), then a title.
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

pub fn new_contact_text(c: &NewContact) -> String {
    let mut out = String::from("---\n");
    let _ = writeln!(out, "name: {}", yaml_string(&one_line(&c.name)));
    for (key, value) in [
        ("stage", &c.stage),
        ("company", &c.company),
        ("email", &c.email),
        ("phone", &c.phone),
        ("met", &c.met),
    ] {
        if let Some(v) = value {
            let _ = writeln!(out, "{key}: {}", yaml_string(&one_line(v)));
        }
    }
    if !c.interests.is_empty() {
        out.push_str("interests:\n");
        for i in &c.interests {
            let _ = writeln!(out, "  - {}", yaml_string(&one_line(i)));
        }
    }
    out.push_str("---\n");
    let _ = writeln!(out, "# {}\n", one_line(&c.name));
    out
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
    }

    #[test]
    fn ignores_dated_headings_in_code_blocks() {
        let text = "---\nname: A\n---\n## 2026-11-10 call\n\n```\n## 2026-11-20 call\n```\n";
        let out = logged(text);
        assert!(out.ends_with("```\n## 2026-11-20 call\n```\n\n## 2026-11-24 call - went through the proposal\nWants pricing for 3 offices.\n\n"), "{out}");
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
        let text = new_contact_text(&c);
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
        assert!(text.contains("interests:\n  - sailing\n"));
    }
}
