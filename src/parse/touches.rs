//! The touch log: dated headings (ATX or setext, any level, not inside code blocks) found with
//! pulldown-cmark, their notes, and `Next:` lines in those notes.

use chrono::{NaiveDate, NaiveTime};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{DatePrefix, date_prefix, parse_next_step, split_channel, time_prefix};
use crate::model::{Channel, Channels, Touch};
use crate::problem::{Kind, Problem};

struct Heading {
    level: usize,
    text: String,
    start: usize,
    end: usize,
    line: usize,
}

/// Stands in for a form feed or vertical tab while pulldown-cmark reads the body.
const PLAIN: &str = "\x1a";

/// Every heading of `body` with its level, plain text, byte range and file line.
fn headings(body: &str, body_line: usize) -> Vec<Heading> {
    // pulldown-cmark takes a form feed or vertical tab for a space where CommonMark (and
    // commonmark.js, markdown-it) take it for text: after `#`, after a setext underline, as
    // indentation, after a list or quote marker. It reads a copy where they are an ordinary
    // character, so it finds the headings CommonMark finds; the byte offsets stay the same.
    let substituted = body.contains(['\x0b', '\x0c']);
    let plain;
    let source = if substituted {
        plain = body.replace(['\x0b', '\x0c'], PLAIN);
        plain.as_str()
    } else {
        body
    };
    let mut out = Vec::new();
    let mut current: Option<Heading> = None;
    // Lines are counted incrementally: recounting from the start per heading is quadratic.
    let (mut counted_to, mut line) = (0, body_line);
    for (event, range) in Parser::new_ext(source, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                line += super::bytecount_newlines(&body.as_bytes()[counted_to..range.start]);
                counted_to = range.start;
                current = Some(Heading {
                    level: level as usize,
                    text: String::new(),
                    start: range.start,
                    end: range.end,
                    line,
                });
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = current.as_mut() {
                    h.text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(h) = current.as_mut() {
                    h.text.push(' ');
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(mut h) = current.take() {
                    // Inside a heading's text they are white space, as Rust and SPEC 3 see it.
                    if substituted {
                        h.text = h.text.replace(PLAIN, " ");
                    }
                    out.push(h);
                }
            }
            _ => {}
        }
    }
    out
}

/// Where a heading sits in the body, for edits: level, byte range (`start` is the start of
/// its line), and the date when it is a touch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadingSpan {
    pub level: usize,
    pub start: usize,
    pub end: usize,
    pub date: Option<NaiveDate>,
}

/// Every heading of `body` with its span; touches carry their date.
pub fn heading_spans(body: &str) -> Vec<HeadingSpan> {
    headings(body, 1)
        .into_iter()
        .map(|h| {
            let line_start = body[..h.start].rfind('\n').map_or(0, |i| i + 1);
            let date = match heading_date(&h.text) {
                HeadingDate::Touch(date, _, _) => Some(date),
                _ => None,
            };
            HeadingSpan {
                level: h.level,
                start: line_start,
                end: h.end,
                date,
            }
        })
        .collect()
}

/// What a heading's text makes of it (SPEC 3): a touch, an ordinary heading, or a problem; a
/// heading with a bad date or time is a problem and never also a touch.
enum HeadingDate<'a> {
    NotATouch,
    /// The date, the time if any, and the text after them.
    Touch(NaiveDate, Option<NaiveTime>, &'a str),
    Bad(Kind),
}

fn heading_date(text: &str) -> HeadingDate<'_> {
    let (date, rest) = match date_prefix(text.trim()) {
        DatePrefix::None => return HeadingDate::NotATouch,
        DatePrefix::Invalid(bad) => return HeadingDate::Bad(Kind::HeadingDate(bad.into())),
        DatePrefix::Valid(date, rest) => (date, rest),
    };
    match time_prefix(rest) {
        Ok(Some((time, rest))) => HeadingDate::Touch(date, Some(time), rest),
        Ok(None) => HeadingDate::Touch(date, None, rest),
        Err(bad) => HeadingDate::Bad(Kind::HeadingTime(bad.into())),
    }
}

/// The plain text of the first level-1 heading that is not a touch: a contact's name when its
/// front matter has none (SPEC 10).
pub fn first_title(body: &str) -> Option<String> {
    if !body.contains('#') && !body.contains("\n=") {
        return None;
    }
    headings(body, 1)
        .into_iter()
        .filter(|h| h.level == 1 && matches!(heading_date(&h.text), HeadingDate::NotATouch))
        .map(|h| h.text.trim().to_string())
        .find(|t| !t.is_empty())
        // A wikilink in the heading names by its shown text, as Obsidian shows it and as a
        // note's title reads (`# [[Jane Doe|Jane]] Roe` is `Jane Roe`).
        .map(|t| {
            if t.contains("[[") {
                crate::links::scan_body(&format!("# {t}\n"), 1)
                    .title
                    .unwrap_or(t)
            } else {
                t
            }
        })
}

/// The touches in `body`, which starts on file line `body_line`. Problems (bad dates, bad
/// `Next:` lines) are pushed to `problems`; the touch is then left out or kept without its next
/// step. Touches come back sorted by date, time and line.
pub fn parse_touches(
    body: &str,
    body_line: usize,
    channels: &Channels,
    path: &str,
    problems: &mut Vec<Problem>,
) -> Vec<Touch> {
    // Cheap pre-check: a file with no digit at the start of any heading-ish line has no touches.
    if !body.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    let heads = headings(body, body_line);
    let mut touches = Vec::new();
    for (i, h) in heads.iter().enumerate() {
        let (date, time, rest) = match heading_date(&h.text) {
            HeadingDate::NotATouch => continue,
            HeadingDate::Bad(kind) => {
                problems.push(Problem::new(path, Some(h.line), kind));
                continue;
            }
            HeadingDate::Touch(date, time, rest) => (date, time, rest),
        };
        let (channel, word, text) = split_channel(rest, channels);
        let notes_end = heads[i + 1..]
            .iter()
            .find(|n| n.level <= h.level)
            .map_or(body.len(), |n| n.start);
        let notes = &body[h.end.min(notes_end)..notes_end];
        let notes_line =
            h.line + super::bytecount_newlines(&body.as_bytes()[h.start..h.end.min(notes_end)]);
        touches.push(Touch {
            date,
            time,
            channel: channel.unwrap_or(Channel::Other),
            word,
            text: text.to_string(),
            line: h.line,
            next: next_line(notes, notes_line, channels, path, problems),
            is_met: false,
            origin: crate::model::Origin::Heading,
        });
    }
    touches.sort_by_key(|t| (t.date, t.time, t.line));
    touches
}

/// The last `Next: YYYY-MM-DD ...` line in a touch's notes.
fn next_line(
    notes: &str,
    first_line: usize,
    channels: &Channels,
    path: &str,
    problems: &mut Vec<Problem>,
) -> Option<crate::model::NextStep> {
    let mut found = None;
    for (n, raw) in notes.lines().enumerate() {
        let l = raw.trim_start();
        let l = l
            .strip_prefix("- ")
            .or_else(|| l.strip_prefix("* "))
            .unwrap_or(l);
        let l = l.trim_start_matches("**").trim_start_matches('_');
        let Some(rest) = l
            .get(..5)
            .filter(|p| p.eq_ignore_ascii_case("next:"))
            .map(|_| &l[5..])
        else {
            continue;
        };
        let rest = rest.trim_start_matches("**").trim_start_matches('_').trim();
        match parse_next_step(rest, channels) {
            Some(step) => found = Some(step),
            // `Next: call her in spring` is a note, not a scheduled step; a broken date is a problem.
            None if rest.starts_with(|c: char| c.is_ascii_digit()) => problems.push(Problem::new(
                path,
                Some(first_line + n),
                Kind::NextLine(rest.to_string()),
            )),
            None => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_title_names_a_wikilink_by_its_shown_text() {
        for (body, name) in [
            ("# **Jane** [[Doe]]\n", "Jane Doe"),
            ("# [[People/Jane Roe|Jane]] Roe\n", "Jane Roe"),
            ("# Jane [Roe\n", "Jane [Roe"),
        ] {
            assert_eq!(super::first_title(body).as_deref(), Some(name), "{body:?}");
        }
    }

    use super::*;

    fn touches(body: &str) -> (Vec<Touch>, Vec<Problem>) {
        let mut problems = Vec::new();
        let t = parse_touches(body, 10, &Channels::default(), "c.md", &mut problems);
        (t, problems)
    }

    fn summary(t: &[Touch]) -> Vec<(String, Channel, String, usize)> {
        t.iter()
            .map(|t| (t.date.to_string(), t.channel, t.text.clone(), t.line))
            .collect()
    }

    #[test]
    fn finds_dated_headings_at_any_level_and_style() {
        let body = "# Jane\n\nnotes\n\n## 2026-11-20 call - proposal\nwants pricing\n\n### 2026-11-02 coffee\n\n2026-10-01 Email\n---------\n\n#### 2026-09-01 bumped into her\n";
        let (t, p) = touches(body);
        assert_eq!(p, vec![]);
        assert_eq!(
            summary(&t),
            vec![
                (
                    "2026-09-01".into(),
                    Channel::Other,
                    "bumped into her".into(),
                    22
                ),
                ("2026-10-01".into(), Channel::Email, String::new(), 19),
                ("2026-11-02".into(), Channel::Meeting, String::new(), 17),
                ("2026-11-20".into(), Channel::Call, "proposal".into(), 14),
            ]
        );
    }

    #[test]
    fn ignores_code_blocks_and_undated_headings() {
        let body = "```\n## 2026-11-20 call\n```\n\n    ## 2026-11-21 call\n\n## Notes 2026-11-22\n## 2026 goals\n";
        let (t, p) = touches(body);
        assert_eq!((t.len(), p.len()), (0, 0));
    }

    #[test]
    fn headings_in_lists_and_quotes_count() {
        let (t, _) = touches("> ## 2026-11-20 call\n\n- ## 2026-11-21 email\n");
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn next_lines_belong_to_their_touch() {
        let body = "## 2026-11-20 call\nNext: 2026-12-01 call - send the pricing sheet\n### detail\nmore\n## 2026-11-02 coffee\n- **Next:** 2026-11-10 email\nNext: call her in spring\n";
        let (t, p) = touches(body);
        assert_eq!(p, vec![]);
        let n = t[1].next.as_ref().unwrap();
        assert_eq!(
            (n.date.to_string(), n.channel, n.text.as_str()),
            (
                "2026-12-01".into(),
                Some(Channel::Call),
                "send the pricing sheet"
            )
        );
        let n = t[0].next.as_ref().unwrap();
        assert_eq!(
            (n.date.to_string(), n.channel),
            ("2026-11-10".into(), Some(Channel::Email))
        );
    }

    #[test]
    fn bad_dates_are_problems_with_lines() {
        let body = "## 2026-02-30 call\n\n## 2026-11-20 call\nNext: 2026-13-01 call\n\n## 2026-11-21 25:61 call\n";
        let (t, p) = touches(body);
        let shown: Vec<String> = p.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            vec![
                "c.md:10: invalid date \"2026-02-30\" in a touch heading",
                "c.md:13: invalid `Next:` line \"2026-13-01 call\": expected `Next: YYYY-MM-DD [channel] [- text]`",
                "c.md:15: invalid time \"25:61\" in a touch heading",
            ]
        );
        assert_eq!(t.len(), 1);
        assert!(t[0].next.is_none());
    }

    #[test]
    fn a_heading_with_a_bad_date_or_time_is_a_problem_and_never_a_touch() {
        let body = "## 2026-01-02 25:99 call\n## 2026-02-30 call\n## 2026-01-03 9:75 email\n## 2026-01-04 09:30 call\n";
        let (t, p) = touches(body);
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!(
            summary(&t),
            vec![("2026-01-04".into(), Channel::Call, String::new(), 13)]
        );
        // The edits see the same touches.
        let dated: Vec<_> = heading_spans(body).iter().map(|h| h.date).collect();
        assert_eq!(
            dated,
            vec![None, None, None, NaiveDate::from_ymd_opt(2026, 1, 4)]
        );
    }

    /// The headings CommonMark finds, as commonmark.js 0.31 and markdown-it 14 report them:
    /// a form feed or vertical tab is text, not a space, except inside a heading's text.
    #[test]
    fn form_feeds_and_vertical_tabs_make_headings_only_where_commonmark_does() {
        let cases: [(&str, &[(usize, &str)]); 22] = [
            ("#\x0c2026-01-02 call\n", &[]),
            ("#\x0b2026-01-02 call\n", &[]),
            ("#\t2026-01-02 call\n", &[(1, "2026-01-02 call")]),
            ("\x0c# 2026-01-02 call\n", &[]),
            ("   #\x0c2026\n", &[]),
            ("#\x0c\n", &[]),
            ("2026-01-02 call\n---\x0c\n", &[]),
            ("2026-01-02 call\n---\x0b\n", &[]),
            ("2026-01-02 call\n===\x0c\n", &[]),
            ("2026-01-02 call\n\x0c---\n", &[]),
            ("2026-01-02 call\n---\t\n", &[(2, "2026-01-02 call")]),
            ("> #\x0c2026-01-02 call\n", &[]),
            (">\x0c## 2026-01-02 q\n", &[]),
            ("- #\x0c2026-01-02 call\n", &[]),
            ("-\x0c## 2026-01-02 call\n", &[]),
            ("1.\x0c## 2026-01-02 q\n", &[]),
            ("    \x0c## x\n", &[]),
            ("#\x0c2026\n===\n", &[(1, "# 2026")]),
            ("## 2026-01-02\x0ccall\n", &[(2, "2026-01-02 call")]),
            ("## a\x0c#\n", &[(2, "a #")]),
            ("\x0c\n## 2026-01-02 a\n", &[(2, "2026-01-02 a")]),
            ("2026-01-02\n- - -\x0c\n", &[]),
        ];
        for (body, want) in cases {
            let got: Vec<(usize, String)> = headings(body, 1)
                .into_iter()
                .map(|h| (h.level, h.text))
                .collect();
            let want: Vec<(usize, String)> =
                want.iter().map(|(l, t)| (*l, (*t).to_string())).collect();
            assert_eq!(got, want, "{body:?}");
            // The edits see the same headings.
            assert_eq!(heading_spans(body).len(), want.len(), "{body:?}");
        }
        let (t, p) =
            touches("## 2026-11-20 call\n#\x0c2026-11-21 call\n2026-11-22 call\n---\x0c\n");
        assert_eq!((t.len(), p.len()), (1, 0));
    }

    #[test]
    fn times_order_touches_on_one_day() {
        let (t, _) = touches("## 2026-11-20 15:00 email\n## 2026-11-20 09:30 call\n");
        assert_eq!(t[0].channel, Channel::Call);
        assert!(t[0].time.is_some());
    }

    #[test]
    fn crlf_bodies() {
        let (t, _) = touches("## 2026-11-20 call - x\r\nNext: 2026-12-01 email\r\n");
        assert_eq!(t[0].text, "x");
        assert!(t[0].next.is_some());
    }
}
