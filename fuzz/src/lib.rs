//! The invariants the fuzz targets check, one function per target, each taking the raw fuzz
//! input. The targets in `fuzz_targets/` only call these, and the stable test
//! `tests/cli/fuzz_corpus.rs` includes this same file to replay the committed corpora, so the
//! fuzzer and CI check exactly the same things. A broken invariant panics.

use arbitrary::{Arbitrary, Unstructured};
use chrono::NaiveDate;
use touchbase::config::Config;
use touchbase::edit::{self, Entry};
use touchbase::model::{Channels, Contact};
use touchbase::parse;

/// The vault-relative path every fuzzed file is parsed under.
pub const PATH: &str = "contacts/fuzz.md";

/// A file's lines as problems count them: 1-based, one more than its line breaks (after a
/// BOM), where a lone `\r` (an old Mac line ending) is a line break too, as touchbase reads it.
fn line_count(bytes: &[u8]) -> usize {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    1 + bytes.iter().filter(|&&b| b == b'\n').count() + lone_crs(bytes)
}

/// How many `\r`s are not followed by `\n`.
fn lone_crs(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
        .count()
}

/// `parse_contact` on any bytes: no panic, and what it returns keeps the promises of
/// `parse`, `model` and `problem`.
pub fn check_parse_contact(data: &[u8]) {
    check_parsed(data, &Channels::default());
}

fn check_parsed(data: &[u8], channels: &Channels) {
    let parsed = parse::parse_contact(PATH, data, channels);
    let lines = line_count(data);
    for p in &parsed.problems {
        assert_eq!(p.path, PATH, "problem path: {p}");
        // `problem::Problem`: the line is 1-based, and it points into the file.
        if let Some(line) = p.line {
            assert!((1..=lines).contains(&line), "line {line} of {lines}: {p}");
        }
        let _ = p.to_string();
    }
    if let Some(c) = &parsed.contact {
        assert_eq!(c.path, PATH);
        // SPEC 1: a contact is a file whose front matter has a non-empty `name`.
        assert!(!c.name.is_empty(), "a contact without a name");
        for t in &c.touches {
            assert!(
                (1..=lines).contains(&t.line),
                "touch line {} of {lines}",
                t.line
            );
            assert!(!t.is_met, "the `met` touch is not among the headings");
        }
        // `model::Contact::touches`: sorted by date, then time, then line.
        assert!(
            c.touches
                .windows(2)
                .all(|w| (w[0].date, w[0].time, w[0].line) <= (w[1].date, w[1].time, w[1].line)),
            "touches out of order"
        );
        // `model::Contact::with_next`: the ascending indexes of the touches with a `Next:` line.
        let with_next: Vec<usize> = (0..c.touches.len())
            .filter(|&i| c.touches[i].next.is_some())
            .collect();
        assert_eq!(c.with_next, with_next, "with_next");
    }
    // Output is deterministic: the same bytes parse the same way again.
    let again = parse::parse_contact(PATH, data, channels);
    assert_eq!(again.contact, parsed.contact, "second parse differs");
    assert_eq!(again.problems, parsed.problems, "second parse differs");
}

/// `Config::from_toml` on any text (invalid UTF-8 replaced): no panic, an error's line points
/// into the text, and a config that loads can parse a contact with its channel words.
pub fn check_config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match Config::from_toml(&text) {
        Ok(config) => {
            let _ = config.stage_cadence("lead");
            let _ = config.channels.words_by_channel();
            let sample = b"---\nname: A\nnext: 2026-12-01 call\n---\n## 2026-11-20 lunch\nNext: 2026-11-30 golf\n";
            check_parsed(sample, &config.channels);
        }
        Err(e) => {
            if let Some(line) = e.line {
                let lines = 1 + text.matches('\n').count();
                assert!((1..=lines).contains(&line), "line {line} of {lines}: {e}");
            }
            let _ = e.to_string();
        }
    }
}

/// How many leading bytes of a `log_edit` input describe the entry; the rest is the file. A
/// fixed split keeps seeds simple (that many zero bytes, then a contact file) and lets the
/// corpus files stay readable.
pub const ENTRY_BYTES: usize = 128;

/// What `touchbase log` passes to the edits, as the fuzzer varies it.
#[derive(Arbitrary, Debug)]
struct LogInput {
    /// Days from 2026-11-24 (as an `i32`, folded to about ±11,000 years).
    day: u32,
    word: Word,
    text: String,
    notes: Vec<String>,
    next: NextInput,
}

#[derive(Arbitrary, Debug)]
enum Word {
    /// One of the built-in channel words, as `log` accepts them.
    Known(u8),
    /// Any text, which `log` would refuse: only the byte-for-byte promise applies.
    Any(String),
}

/// A `--next` step: `DATE [WORD] [- TEXT]`.
#[derive(Arbitrary, Debug)]
struct NextInput {
    day: u32,
    word: Option<u8>,
    text: String,
}

fn date(day: u32) -> NaiveDate {
    let base = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
    // Read as signed, the offset reaches the past as well as the future.
    let offset = i64::from(day.cast_signed()) % 4_000_000;
    base.checked_add_signed(chrono::TimeDelta::days(offset))
        .unwrap_or(base)
}

fn known_word(channels: &Channels, i: u8) -> String {
    let table = channels.table();
    table[usize::from(i) % table.len()].0.clone()
}

/// Split a `log_edit` input into the entry and the file text (invalid UTF-8 replaced).
fn log_input(data: &[u8]) -> Option<(LogInput, String)> {
    let (head, file) = data.split_at(data.len().min(ENTRY_BYTES));
    let input = LogInput::arbitrary(&mut Unstructured::new(head)).ok()?;
    Some((input, String::from_utf8_lossy(file).into_owned()))
}

/// A touch as `log` compares them: everything but the line, which an insertion above moves.
/// `edit::insert_touch` and `edit::set_key("next")` on any contact text: every original byte
/// is kept, and for an entry `log` accepts, the file reads back as `log`'s own check
/// (`cmd/log.rs`, `check_result`) demands: the same contact, every old touch, one new one.
pub fn check_log_edit(data: &[u8]) {
    let Some((input, file)) = log_input(data) else {
        return;
    };
    // `log` works on the text after a BOM, and keeps the BOM aside.
    let text = file.strip_prefix('\u{feff}').unwrap_or(&file);
    let channels = Channels::default();
    let (word, known) = match &input.word {
        Word::Known(i) => (known_word(&channels, *i), true),
        Word::Any(s) => (s.clone(), false),
    };
    let entry = Entry {
        date: date(input.day),
        word,
        text: input.text.clone(),
        notes: input.notes.clone(),
    };
    let old = parse::parse_contact(PATH, text.as_bytes(), &channels).contact;
    if let Ok(insert) = edit::insert_touch(text, &entry) {
        check_insert(text, &insert, &entry, known, old.as_ref(), &channels);
    }
    check_set_next(text, &input.next, &channels);
}

fn check_insert(
    text: &str,
    insert: &edit::Edit,
    entry: &Entry,
    known: bool,
    old: Option<&Contact>,
    channels: &Channels,
) {
    let at = insert.range.start;
    assert!(
        insert.range.is_empty(),
        "an insertion replaced {:?}",
        insert.range
    );
    // A file without front matter is all body (a contact by `contacts.folders`).
    let body_offset = parse::split_front_matter(text)
        .ok()
        .flatten()
        .map_or(0, |split| split.body_offset);
    assert!(
        (body_offset..=text.len()).contains(&at),
        "insertion at {at}, outside the body {body_offset}..{}",
        text.len()
    );
    let new = insert.apply(text);
    assert_eq!(new[..at], text[..at], "bytes before the insertion changed");
    assert_eq!(
        new[at + insert.text.len()..],
        text[at..],
        "bytes after the insertion changed"
    );
    if !known {
        return;
    }
    // The entry uses the file's line ending, and only it.
    let eol = edit::line_ending(text);
    assert!(
        insert.text.split(eol).all(|l| !l.contains(['\r', '\n'])),
        "mixed line endings in {:?}",
        insert.text
    );
    let Some(old) = old else {
        return;
    };
    // A lone `\r` (an old Mac line ending), which CommonMark reads as a line break: edits find
    // lines by `\n` only, so the insertion point can land a line early
    // (`fuzz/regressions/log_edit/lone-cr-before-heading`). `log` refuses such files before
    // editing, so only their read-back is skipped here; every byte is still checked above.
    if lone_crs(&text.as_bytes()[body_offset..]) > 0 {
        return;
    }
    let parsed = parse::parse_contact(PATH, new.as_bytes(), channels);
    let now = parsed
        .contact
        .unwrap_or_else(|| panic!("no longer a contact after logging {entry:?}"));
    assert_eq!(now.name, old.name, "the name changed, logging {entry:?}");
    // The same comparison `log` makes before it writes (`check_result` in src/cmd/log.rs).
    let added = edit::added_touches(&old.touches, &now.touches)
        .unwrap_or_else(|| panic!("an old touch lost or changed, logging {entry:?}"));
    assert!(
        matches!(added.as_slice(), [t]
            if t.date == entry.date && Some(t.channel) == channels.lookup(&entry.word)),
        "not exactly the one new touch, logging {entry:?}: {added:?}"
    );
}

fn check_set_next(text: &str, next: &NextInput, channels: &Channels) {
    let mut step = date(next.day).to_string();
    if let Some(i) = next.word {
        step = format!("{step} {}", known_word(channels, i));
    }
    if !next.text.is_empty() {
        step = format!("{step} - {}", next.text);
    }
    let Ok(set) = edit::set_key(text, "next", step.trim()) else {
        return;
    };
    let Some(split) = parse::split_front_matter(text).ok().flatten() else {
        // A file without front matter gets a block of its own at the top, and nothing else.
        assert_eq!(
            set.range,
            0..0,
            "an edit of a file without front matter replaced bytes"
        );
        let new = set.apply(text);
        assert_eq!(
            &new[set.text.len()..],
            text,
            "bytes after the new block changed"
        );
        return;
    };
    let (start, end) = (set.range.start, set.range.end);
    // Whole lines of the front matter, and nothing of the fences or the body.
    assert!(
        split.content_offset <= start && start <= end && end <= split.close_offset,
        "range {start}..{end} outside the front matter {}..{}",
        split.content_offset,
        split.close_offset
    );
    let line_start = |i: usize| i == split.content_offset || text.as_bytes()[i - 1] == b'\n';
    assert!(
        line_start(start) && line_start(end),
        "range {start}..{end} cuts a line"
    );
    let new = set.apply(text);
    assert_eq!(new[..start], text[..start], "bytes before the key changed");
    assert_eq!(
        new[start + set.text.len()..],
        text[end..],
        "bytes after the key changed"
    );
}
