//! From file text to model: front matter, touch log, dates and channels. Pure: takes text,
//! returns a contact and the problems found, with 1-based line numbers. The caller supplies the
//! vault-relative path; nothing here reads files, the clock or the environment.

mod front;
pub mod reading;
mod touches;

use chrono::{NaiveDate, NaiveTime};

use crate::model::{Channel, Channels, Contact, NextStep, Note};
use crate::problem::{Kind, Problem};
use reading::Reading;

pub use front::{Format, Front, Split, read_front_matter, split_front_matter};
pub(crate) use front::{Loose, parse_yearly, top_level_values};
pub use touches::{HeadingSpan, heading_spans};

/// The result of parsing one file: a contact (or `None` for a note or an unreadable file) and
/// every problem found. A contact may come with problems: what could be read is kept.
#[derive(Debug, Default)]
pub struct Parsed {
    pub contact: Option<Contact>,
    /// A dated note that links somewhere, when touches come from notes (SPEC 10). Boxed: most
    /// files are not.
    pub note: Option<Box<Note>>,
    pub problems: Vec<Problem>,
}

/// Parse one file's bytes as touchbase's own format (SPEC 2), with no `[contacts]`,
/// `[fields]` or `[touches]` settings.
pub fn parse_contact(path: &str, bytes: &[u8], channels: &Channels) -> Parsed {
    parse_file(path, bytes, channels, &Reading::default())
}

/// Parse one file's bytes. `path` is the vault-relative path used in the contact and problems;
/// `reading` says which files are contacts and which keys of other tools stand for touchbase's.
pub fn parse_file(path: &str, bytes: &[u8], channels: &Channels, reading: &Reading) -> Parsed {
    // UTF-16 is reported rather than read: touchbase writes UTF-8, and an edit must not turn
    // half a file into another encoding. A UTF-16 note stays a note.
    if let Some(text) = utf16_text(bytes) {
        let decoded = parse_utf8(path, text.as_bytes(), channels, reading);
        return if decoded.contact.is_some() || !decoded.problems.is_empty() {
            Parsed::problem(path, None, Kind::Utf16)
        } else {
            Parsed::default()
        };
    }
    parse_utf8(path, bytes, channels, reading)
}

fn parse_utf8(path: &str, bytes: &[u8], channels: &Channels, reading: &Reading) -> Parsed {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let in_folder = reading.in_folder(path);
    let looks_like_contact = in_folder
        || bytes.starts_with(b"---")
        || bytes.starts_with(b"+++")
        || bytes.starts_with(b"<<<<<<<");
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) if looks_like_contact => {
            let line = 1 + bytecount_newlines(&bytes[..e.valid_up_to()]);
            return Parsed::problem(path, Some(line), Kind::InvalidUtf8);
        }
        Err(_) => return Parsed::default(),
    };
    let lf_text;
    let text = if has_lone_cr(text) {
        lf_text = lone_cr_to_lf(text);
        &lf_text
    } else {
        text
    };
    if looks_like_contact && let Some(line) = conflict_marker_line(text) {
        return Parsed::problem(path, Some(line), Kind::ConflictMarkers);
    }
    let split = match split_front_matter(text) {
        Ok(split) => split,
        Err((line, kind)) => return Parsed::problem(path, Some(line), kind),
    };
    let mut problems = Vec::new();
    let (body, body_line) = split.as_ref().map_or((text, 1), |s| (s.body, s.body_line));
    let front = match &split {
        Some(split) => front::read_front_matter(split, path, channels, reading, &mut problems),
        None if in_folder => front::Front::Contact(Box::default(), None),
        None => front::Front::Note(front::NoteFront::default()),
    };
    let (mut contact, last) = match front {
        front::Front::Contact(contact, last) => (*contact, last),
        front::Front::Note(note) => {
            return Parsed {
                contact: None,
                note: reading
                    .notes
                    .then(|| read_note(path, note, body, body_line, channels))
                    .flatten()
                    .map(Box::new),
                problems,
            };
        }
        front::Front::Unreadable => {
            return Parsed {
                contact: None,
                note: None,
                problems,
            };
        }
    };
    contact.path = path.to_string();
    if contact.stage.is_empty() {
        contact.stage = crate::model::DEFAULT_STAGE.to_string();
    }
    contact.touches = touches::parse_touches(body, body_line, channels, path, &mut problems);
    if contact.name.is_empty() {
        contact.name = touches::first_title(body).unwrap_or_else(|| file_stem(path).to_string());
    }
    if let Some(last) = last
        && !contact.touches.iter().any(|t| t.date >= last.date)
    {
        // Other tools keep only the latest contact's date: one touch on that day (SPEC 10).
        contact.touches.push(crate::model::Touch {
            date: last.date,
            time: None,
            channel: Channel::Other,
            // Shown where a touch's channel word is: "last: contacted on 2026-10-20".
            word: "contacted".to_string(),
            text: String::new(),
            line: last.line,
            next: None,
            is_met: false,
            origin: crate::model::Origin::Field(last.key.into()),
        });
    }
    contact.index_next_steps();
    Parsed {
        contact: Some(contact),
        note: None,
        problems,
    }
}

/// A note's touch, when it has a date (its `date:` key, else a file stem that starts with one)
/// and links; `None` otherwise.
fn read_note(
    path: &str,
    front: front::NoteFront,
    body: &str,
    body_line: usize,
    channels: &Channels,
) -> Option<Note> {
    let stem = file_stem(path);
    let (date, stem_rest) = match date_prefix(stem) {
        DatePrefix::Valid(date, rest) => (Some(date), skip_separator(rest).trim()),
        _ => (None, stem),
    };
    let date = front.date.or(date)?;
    let scanned = crate::links::scan_body(body, body_line);
    if scanned.links.is_empty() && front.keyed.is_empty() {
        return None;
    }
    let title = scanned.title.unwrap_or_else(|| stem_rest.to_string());
    let channel = front
        .channel
        .or_else(|| first_channel_word(&title, channels));
    Some(Note {
        date,
        channel,
        title,
        keyed: front.keyed,
        links: scanned.links,
    })
}

/// The first word of `title` that names a channel (`Coffee with Bob` -> meeting, "coffee").
fn first_channel_word(title: &str, channels: &Channels) -> Option<(Channel, String)> {
    title
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .find_map(|w| {
            let word = w.to_lowercase();
            channels.lookup(&word).map(|ch| (ch, word))
        })
}

/// The file name of a vault-relative path without its `.md`.
pub fn file_stem(path: &str) -> &str {
    strip_md(path.rsplit('/').next().unwrap_or(path))
}

/// `s` without a final `.md` (any case).
pub fn strip_md(s: &str) -> &str {
    match s.len().checked_sub(3) {
        Some(cut) if s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(".md") => &s[..cut],
        _ => s,
    }
}

impl Parsed {
    fn problem(path: &str, line: Option<usize>, kind: Kind) -> Self {
        Parsed {
            contact: None,
            note: None,
            problems: vec![Problem::new(path, line, kind)],
        }
    }
}

/// The text of a UTF-16 file (LE or BE, with or without a byte order mark), decoded; `None` for
/// anything else. Without a mark, UTF-16 is recognised by the zero byte that every ASCII
/// character has in it, which UTF-8 text does not contain.
fn utf16_text(bytes: &[u8]) -> Option<String> {
    let (little, body) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (true, rest),
        [0xFE, 0xFF, rest @ ..] => (false, rest),
        _ => {
            let units: Vec<&[u8]> = bytes.chunks_exact(2).take(32).collect();
            let le = units.iter().filter(|u| u[0] != 0 && u[1] == 0).count();
            let be = units.iter().filter(|u| u[0] == 0 && u[1] != 0).count();
            match (le, be) {
                (n, 0) if n >= 2 && n * 2 >= units.len() => (true, bytes),
                (0, n) if n >= 2 && n * 2 >= units.len() => (false, bytes),
                _ => return None,
            }
        }
    };
    let units = body.chunks_exact(2).map(|u| {
        let pair = [u[0], u[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

/// A carriage return not followed by a line feed: an old Mac line ending, which CommonMark and
/// YAML read as a line break.
pub fn has_lone_cr(text: &str) -> bool {
    text.match_indices('\r')
        .any(|(i, _)| !text[i + 1..].starts_with('\n'))
}

/// Each lone CR made a LF: the same length, so offsets stay right, and lines count by `\n`.
fn lone_cr_to_lf(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push(if rest[i + 1..].starts_with('\n') {
            '\r'
        } else {
            '\n'
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out
}

pub(crate) fn bytecount_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// The 1-based line of the first git conflict marker (`<<<<<<<` at the start of a line).
fn conflict_marker_line(text: &str) -> Option<usize> {
    let at = if text.starts_with("<<<<<<<") {
        0
    } else {
        text.find("\n<<<<<<<")? + 1
    };
    // Only a real marker: `<<<<<<<` followed by a space or the end of the line.
    let after = text[at + 7..].chars().next();
    if matches!(after, Some(' ' | '\r' | '\n') | None) {
        Some(1 + bytecount_newlines(&text.as_bytes()[..at]))
    } else {
        None
    }
}

/// What a string begins with, date-wise.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DatePrefix<'a> {
    /// Does not start with something shaped like `YYYY-MM-DD`.
    None,
    /// A valid date, and the rest of the string after it.
    Valid(NaiveDate, &'a str),
    /// Shaped like a date but not one (`2026-02-30`); holds the ten characters.
    Invalid(&'a str),
}

/// Split a leading `YYYY-MM-DD` (exactly that shape, followed by the end, white space or a
/// separator) from `s`.
pub(crate) fn date_prefix(s: &str) -> DatePrefix<'_> {
    let b = s.as_bytes();
    let shaped = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    if !shaped {
        return DatePrefix::None;
    }
    let rest = &s[10..];
    // A time may follow after a `T` (`2026-12-01T09:00`, Obsidian's Date & time property).
    let t_time = rest.starts_with('T') && rest[1..].starts_with(|c: char| c.is_ascii_digit());
    if let Some(c) = rest.chars().next()
        && !(c.is_whitespace() || is_separator(c) || t_time)
    {
        return DatePrefix::None;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let year = i32::try_from(num(0..4)).unwrap_or(0);
    match NaiveDate::from_ymd_opt(year, num(5..7), num(8..10)) {
        Some(date) => DatePrefix::Valid(date, rest),
        None => DatePrefix::Invalid(&s[..10]),
    }
}

/// A whole string that must be exactly one date.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    match date_prefix(s.trim()) {
        DatePrefix::Valid(date, "") => Some(date),
        _ => None,
    }
}

/// A date that may carry a time (`2026-12-01 09:00`, `2026-12-01T09:00`: Obsidian's Date & time
/// property), and nothing else; the time is not kept.
pub(crate) fn parse_date_time(s: &str) -> Option<NaiveDate> {
    match date_prefix(s.trim()) {
        DatePrefix::Valid(date, "") => Some(date),
        DatePrefix::Valid(date, rest) => match time_prefix(rest) {
            Ok(Some((_, rest))) if rest.trim().is_empty() => Some(date),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn is_separator(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | ':' | '·' | '|')
}

/// Drop leading white space, one separator, and the white space after it.
pub(crate) fn skip_separator(s: &str) -> &str {
    let s = s.trim_start();
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if is_separator(c) => chars.as_str().trim_start(),
        _ => s,
    }
}

/// A leading `HH:MM` time, and the rest. `Err` holds a time-shaped word that is not a time.
pub(crate) fn time_prefix(s: &str) -> Result<Option<(NaiveTime, &str)>, &str> {
    let s = s.trim_start();
    // Right after a date, `T09:00` is a time too.
    let s = s
        .strip_prefix('T')
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(s);
    let word_end = s.find(char::is_whitespace).unwrap_or(s.len());
    let word = &s[..word_end];
    let b = word.as_bytes();
    let shaped = matches!(b.len(), 4 | 5)
        && b[b.len() - 3] == b':'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == b.len() - 3 || c.is_ascii_digit());
    if !shaped {
        return Ok(None);
    }
    match NaiveTime::parse_from_str(word, "%H:%M") {
        Ok(time) => Ok(Some((time, &s[word_end..]))),
        Err(_) => Err(word),
    }
}

/// After the date: `[separator] [channel word] [separator] text`. Returns the channel (if the
/// first word names one), the word as written (lowercased), and the remaining text.
pub(crate) fn split_channel<'a>(
    s: &'a str,
    channels: &Channels,
) -> (Option<Channel>, String, &'a str) {
    let s = skip_separator(s);
    let word_end = s.find(char::is_whitespace).unwrap_or(s.len());
    let word = s[..word_end].trim_end_matches([',', ':', ';', '.', '!', '?']);
    match channels.lookup(word) {
        Some(channel) => (
            Some(channel),
            word.to_lowercase(),
            skip_separator(&s[word_end..]).trim_end(),
        ),
        None => (None, String::new(), s.trim_end()),
    }
}

/// `YYYY-MM-DD [channel] [- text]`, as in the `next` key and `Next:` lines.
pub(crate) fn parse_next_step(s: &str, channels: &Channels) -> Option<NextStep> {
    match date_prefix(s.trim()) {
        DatePrefix::Valid(date, rest) => {
            // A time may follow, after a space or a `T` (Obsidian's Date & time property).
            let (time, rest) = match time_prefix(rest) {
                Ok(Some((time, rest))) => (Some(time), rest),
                Ok(None) => (None, rest),
                Err(_) => return None,
            };
            let (channel, _, text) = split_channel(rest, channels);
            Some(NextStep {
                date,
                time,
                channel,
                text: text.to_string(),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn date_prefixes() {
        let cases = [
            (
                "2026-11-20 call",
                DatePrefix::Valid(d("2026-11-20"), " call"),
            ),
            ("2026-11-20", DatePrefix::Valid(d("2026-11-20"), "")),
            ("2026-11-20: x", DatePrefix::Valid(d("2026-11-20"), ": x")),
            ("2026-11-20—x", DatePrefix::Valid(d("2026-11-20"), "—x")),
            ("2026-02-30 call", DatePrefix::Invalid("2026-02-30")),
            ("2026-13-01", DatePrefix::Invalid("2026-13-01")),
            ("2026-11-20abc", DatePrefix::None),
            ("2026-5-1 call", DatePrefix::None),
            ("26-11-20", DatePrefix::None),
            ("Notes", DatePrefix::None),
            ("", DatePrefix::None),
        ];
        for (input, want) in cases {
            assert_eq!(date_prefix(input), want, "input {input:?}");
        }
    }

    #[test]
    fn channel_words_and_text() {
        let channels = Channels::with_extra([(Channel::Meeting, "Golf")]);
        let cases = [
            (
                " call - went through the proposal",
                Some(Channel::Call),
                "call",
                "went through the proposal",
            ),
            (" coffee", Some(Channel::Meeting), "coffee", ""),
            (
                " - Email: sent deck",
                Some(Channel::Email),
                "email",
                "sent deck",
            ),
            (" · VOICEMAIL", Some(Channel::Call), "voicemail", ""),
            (" thank-you card", Some(Channel::Card), "thank-you", "card"),
            (" golf with Bob", Some(Channel::Meeting), "golf", "with Bob"),
            (
                " e-mail | pricing",
                Some(Channel::Email),
                "e-mail",
                "pricing",
            ),
            (
                " linkedin, liked post",
                Some(Channel::Social),
                "linkedin",
                "liked post",
            ),
            (" bumped into him", None, "", "bumped into him"),
            (" callback later", None, "", "callback later"),
            ("", None, "", ""),
        ];
        for (input, channel, word, text) in cases {
            let got = split_channel(input, &channels);
            assert_eq!(got, (channel, word.to_string(), text), "input {input:?}");
        }
    }

    #[test]
    fn next_steps() {
        let ch = Channels::default();
        let got = parse_next_step("2026-12-01 call - send the pricing sheet", &ch).unwrap();
        assert_eq!(got.date, d("2026-12-01"));
        assert_eq!(got.channel, Some(Channel::Call));
        assert_eq!(got.text, "send the pricing sheet");
        let got = parse_next_step("2026-12-01 - decide on the renewal", &ch).unwrap();
        assert_eq!(got.channel, None);
        assert_eq!(got.text, "decide on the renewal");
        assert!(parse_next_step("soon", &ch).is_none());
        assert!(parse_next_step("2026-12-32 call", &ch).is_none());
    }

    #[test]
    fn times() {
        assert_eq!(
            time_prefix(" 09:30 call"),
            Ok(Some((NaiveTime::from_hms_opt(9, 30, 0).unwrap(), " call")))
        );
        assert_eq!(time_prefix(" call"), Ok(None));
        assert_eq!(time_prefix(" 25:00 call"), Err("25:00"));
    }

    fn utf16(text: &str, little: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for unit in (if bom { "\u{feff}" } else { "" })
            .encode_utf16()
            .chain(text.encode_utf16())
        {
            out.extend(if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    }

    #[test]
    fn old_mac_line_endings_are_line_endings() {
        let text = "---\rname: Mac\rcadence: 2w\r---\r# Mac\r\r## 2026-11-20 call\rNext: 2026-12-01 email\r\r## 2026-02-30 call\r";
        let parsed = parse_contact("mac.md", text.as_bytes(), &Channels::default());
        let c = parsed.contact.expect("a contact");
        assert_eq!(c.name, "Mac");
        assert_eq!(c.touches.len(), 1);
        assert_eq!(c.touches[0].line, 7);
        assert_eq!(
            c.touches[0].next.as_ref().map(|n| n.date),
            Some(d("2026-12-01"))
        );
        let shown: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["mac.md:10: invalid date \"2026-02-30\" in a touch heading"]
        );
        // A stray CR inside a CRLF file is a line ending too, as CommonMark reads it.
        let mixed = "---\r\nname: Mixed\r\n---\r\nx\r## 2026-11-20 call\r\n## 2026-02-30 x\r\n";
        let parsed = parse_contact("m.md", mixed.as_bytes(), &Channels::default());
        assert_eq!(parsed.contact.unwrap().touches[0].line, 5);
        assert_eq!(parsed.problems[0].line, Some(6));
    }

    #[test]
    fn utf16_contacts_are_a_problem_and_utf16_notes_stay_notes() {
        let contact = "---\nname: Zoë\n---\n## 2026-11-20 call\n";
        for (little, bom) in [(true, true), (false, true), (true, false), (false, false)] {
            let bytes = utf16(contact, little, bom);
            let parsed = parse_contact("z.md", &bytes, &Channels::default());
            let shown: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
            assert_eq!(
                (parsed.contact.is_some(), shown),
                (
                    false,
                    vec!["z.md: UTF-16 text: save the file as UTF-8".to_string()]
                ),
                "little endian {little}, BOM {bom}"
            );
            for note in [
                "# Meeting notes\n\nNothing here.\n",
                "---\ntitle: Notes\n---\n",
            ] {
                let parsed = parse_contact("n.md", &utf16(note, little, bom), &Channels::default());
                assert!(
                    parsed.contact.is_none() && parsed.problems.is_empty(),
                    "{note:?}"
                );
            }
        }
        // UTF-8 with a name in a script far from ASCII is still UTF-8.
        let parsed = parse_contact(
            "t.md",
            "---\nname: 田中太郎\n---\n".as_bytes(),
            &Channels::default(),
        );
        assert_eq!(parsed.contact.unwrap().name, "田中太郎");
    }

    #[test]
    fn conflict_markers() {
        assert_eq!(
            conflict_marker_line("---\n<<<<<<< HEAD\nname: a\n"),
            Some(2)
        );
        assert_eq!(conflict_marker_line("<<<<<<< ours\n"), Some(1));
        assert_eq!(conflict_marker_line("---\nx: <<<<<<< not\n"), None);
        assert_eq!(conflict_marker_line("a\n<<<<<<<<<<\n"), None);
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use crate::config::Config;
    use proptest::prelude::*;

    /// Markdown-and-front-matter-shaped lines, so random files reach deep into the parsers.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("---".to_string()),
            Just("+++".to_string()),
            Just("```".to_string()),
            Just("name: A".to_string()),
            Just("name = \"A\"".to_string()),
            Just("<<<<<<< HEAD".to_string()),
            Just("=====".to_string()),
            Just("> ".to_string()),
            "(## |### |- |    )?20[0-9]{2}-[0-1][0-9]-[0-3][0-9]( [0-2][0-9]:[0-6][0-9])?( [a-z]{0,8})?( - .{0,10})?",
            "(Next|next|\\*\\*Next:\\*\\*): ?20[0-9]{2}-[0-9]{2}-[0-9]{2}.{0,8}",
            "(next|met|snooze|birthday|cadence|stage|interests|dates|referred_by): .{0,16}",
            "[ \t]*[\\[\\]{}&*!|>'\"#:,-]{0,6}.{0,12}",
            ".{0,20}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn parsing_and_scheduling_never_panic(
            lines in prop::collection::vec(fragment(), 0..24),
            eol in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
            bom in any::<bool>(),
        ) {
            let mut text = if bom { "\u{feff}".to_string() } else { String::new() };
            text.push_str(&lines.join(eol));
            let parsed = parse_contact("c.md", text.as_bytes(), &Channels::default());
            // Lines end at LF, CRLF or a lone CR.
            let last_line = 1 + text.replace("\r\n", "\n").matches(['\n', '\r']).count();
            for p in &parsed.problems {
                prop_assert!(p.line.is_none_or(|l| l >= 1 && l <= last_line), "{p} for {text:?}");
            }
            let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
            let contacts: Vec<_> = parsed.contact.into_iter().collect();
            let agenda = crate::schedule::agenda(&contacts, parsed.problems, today, &Config::default());
            let _ = crate::render::render_due(&agenda, crate::config::Links::Markdown);
            let _ = crate::render::render_json(&agenda);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let mut with_fence = b"---\n".to_vec();
            with_fence.extend(&bytes);
            let _ = parse_contact("c.md", &bytes, &Channels::default());
            let _ = parse_contact("c.md", &with_fence, &Channels::default());
        }
    }

    proptest! {
        // 40,000 cases found no panic when this was written; a few hundred guard it.
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn byov_reading_never_panics(
            lines in prop::collection::vec(prop_oneof![
                fragment(),
                "(- \\[.\\] |> |\\d\\. |  )*.{0,4}(\\[\\[|!\\[\\[|\\]\\]|\\[.{0,6}\\]\\(|%%|%[0-9A-F]{2}|\\||#|\\^|\\.\\./|`).{0,8}",
                "(people|with|kind|date|type|title|lc|full): .{0,16}",
                "(people|with):( \\[.{0,12}\\])?",
                Just("  - \"[[J]]\"".to_string()),
            ], 0..24),
            eol in prop_oneof![Just("\n"), Just("\r\n")],
            folder in any::<bool>(),
        ) {
            let text = lines.join(eol);
            let reading = Reading {
                folders: if folder { vec![String::new()] } else { Vec::new() },
                matches: vec![("type".into(), vec!["person".into()])],
                skip: vec![("kind".into(), vec!["company".into()])],
                fields: [("name", "full"), ("last", "lc"), ("company", "title")]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
                    .collect(),
                notes: true,
                ..Reading::default()
            };
            for path in ["2026-11-02 call.md", "People/é.md"] {
                let _ = parse_file(path, text.as_bytes(), &Channels::default(), &reading);
            }
            let _ = crate::links::scan_body(&text, 1);
        }
    }
}
