//! Agenda -> iCalendar (RFC 5545): one event per follow-up and per yearly date. Pure and
//! deterministic: `DTSTAMP` is the agenda's day, UIDs come from the vault-relative path and the
//! kind of entry, so a subscribed calendar updates its events instead of adding new ones.
//!
//! Written here rather than with a calendar crate: the whole format needed is a dozen
//! properties, and the points that matter (TEXT escaping, folding at 75 octets on character
//! boundaries, CRLF) are a few lines each and tested below.

use std::fmt::Write;

use chrono::NaiveDate;

use super::words::{self, FollowUp};
use crate::hash::fnv1a;
use crate::model::{Channel, Contact};
use crate::schedule::{Agenda, Bucket, DateItem, Item, Reason};

/// How an iCalendar file touchbase wrote begins, and the product id that marks it as ours.
pub const BEGIN: &str = "BEGIN:VCALENDAR\r\n";
pub const PRODID: &str = "PRODID:-//touchbase//";

/// True for a file touchbase may replace: empty, or an iCalendar file it wrote.
pub fn is_ours(old: &[u8]) -> bool {
    old.is_empty()
        || (old.starts_with(BEGIN.as_bytes())
            && old.windows(PRODID.len()).any(|w| w == PRODID.as_bytes()))
}

/// Render the calendar. `contact` gives a follow-up's contact by its vault-relative path, for
/// the details in the description.
pub fn render_ics<'c>(a: &Agenda, contact: impl Fn(&str) -> Option<&'c Contact>) -> String {
    let mut out = String::with_capacity(1024 + 400 * (a.items.len() + a.dates.len()));
    let stamp = format!("{}T000000Z", ymd(a.today));
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//touchbase//touchbase agenda//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "X-WR-CALNAME:touchbase follow-ups");
    for i in &a.items {
        followup(&mut out, i, a.today, &stamp, contact(&i.path));
    }
    for d in &a.dates {
        date_events(&mut out, d, a.today, &stamp, contact(&d.path));
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// When an event happens: a whole day, or half an hour from a time (floating local time).
enum When {
    Day(NaiveDate),
    At(chrono::NaiveDateTime),
}

struct Event<'a> {
    uid: String,
    stamp: &'a str,
    when: When,
    summary: String,
    description: String,
}

fn event(out: &mut String, e: &Event<'_>) {
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{}", e.uid));
    line(out, &format!("DTSTAMP:{}", e.stamp));
    match e.when {
        When::Day(d) => {
            line(out, &format!("DTSTART;VALUE=DATE:{}", ymd(d)));
            let end = d.succ_opt().unwrap_or(d);
            line(out, &format!("DTEND;VALUE=DATE:{}", ymd(end)));
            line(out, "TRANSP:TRANSPARENT");
        }
        When::At(t) => {
            line(out, &format!("DTSTART:{}", t.format("%Y%m%dT%H%M%S")));
            let end = t + chrono::Duration::minutes(30);
            line(out, &format!("DTEND:{}", end.format("%Y%m%dT%H%M%S")));
        }
    }
    line(out, &format!("SUMMARY:{}", escape(&e.summary)));
    if !e.description.is_empty() {
        line(out, &format!("DESCRIPTION:{}", escape(&e.description)));
    }
    line(out, "END:VEVENT");
}

fn followup(out: &mut String, i: &Item, today: NaiveDate, stamp: &str, c: Option<&Contact>) {
    let plain = |out: &mut String, text: &str| out.push_str(text);
    let f = FollowUp::of_item(i);
    // What to do: the promised or suggested channel as a verb, then the step's own words.
    let text = match i.reason {
        Reason::Next => i.next.as_ref().map(|n| n.text.as_str()),
        Reason::Sequence => i.step.as_ref().map(|s| s.text.as_str()),
        _ => None,
    }
    .filter(|t| !t.is_empty());
    let mut summary = action(i.suggest, &i.name);
    if let Some(t) = text {
        summary.push_str(" - ");
        summary.push_str(t);
    }
    let mut description = String::new();
    if i.bucket == Bucket::Overdue {
        let _ = writeln!(
            description,
            "Overdue since {} ({}).",
            i.due,
            super::plural(usize::try_from(i.days_overdue).unwrap_or(0), "day", "days")
        );
    }
    words::why_into(&mut description, &f, &plain);
    words::how_into(&mut description, &f, "\n", &plain);
    details(&mut description, i.company.as_deref(), c, &i.path);
    let timed = i.next.as_ref().filter(|_| i.reason == Reason::Next);
    let when = match timed.and_then(|n| n.time.map(|t| n.date.and_time(t))) {
        Some(at) if i.bucket != Bucket::Overdue => When::At(at),
        _ if i.bucket == Bucket::Overdue => When::Day(today),
        _ => When::Day(i.due),
    };
    event(
        out,
        &Event {
            uid: format!("followup-{:016x}@touchbase", fnv1a(i.path.as_bytes())),
            stamp,
            when,
            summary,
            description,
        },
    );
}

/// A yearly date's event on its day; with a card to mail, a second event on the mail-by day
/// (today when that has passed).
fn date_events(out: &mut String, d: &DateItem, today: NaiveDate, stamp: &str, c: Option<&Contact>) {
    let key = format!("{}-{:016x}", slug(&d.label), fnv1a(key_bytes(d).as_bytes()));
    let what = match d.years {
        Some(n) if d.label == "birthday" => format!("turns {n}"),
        Some(n) => super::plural(usize::try_from(n).unwrap_or(0), "year", "years"),
        None => String::new(),
    };
    let mut description = format!("{} on {}", d.label, d.date);
    if !what.is_empty() {
        let _ = write!(description, " ({what})");
    }
    if let Some(by) = d.mail_by {
        let _ = write!(description, "\nmail a card by {by}");
    }
    details(&mut description, None, c, &d.path);
    event(
        out,
        &Event {
            uid: format!("date-{key}@touchbase"),
            stamp,
            when: When::Day(d.date),
            summary: format!("{}: {}", capitalized(&d.label), d.name),
            description: description.clone(),
        },
    );
    if let Some(by) = d.mail_by {
        event(
            out,
            &Event {
                uid: format!("card-{key}@touchbase"),
                stamp,
                when: When::Day(by.max(today)),
                summary: format!("Mail a card: {} ({})", d.name, d.label),
                description,
            },
        );
    }
}

fn key_bytes(d: &DateItem) -> String {
    format!("{}\0{}", d.path, d.label)
}

/// `Call Jane Doe`, `Email Uma Udall`, `Send a card to Kate King`.
fn action(channel: Channel, name: &str) -> String {
    match channel {
        Channel::Call => format!("Call {name}"),
        Channel::Email => format!("Email {name}"),
        Channel::Text => format!("Text {name}"),
        Channel::Meeting => format!("Meet {name}"),
        Channel::Card => format!("Send a card to {name}"),
        Channel::Gift => format!("Send a gift to {name}"),
        Channel::Social => format!("Reach out to {name} on social media"),
        Channel::Newsletter => format!("Send the newsletter to {name}"),
        Channel::Other => format!("Follow up with {name}"),
    }
}

/// The contact's company, email and phone, and its file, one per line.
fn details(out: &mut String, company: Option<&str>, c: Option<&Contact>, path: &str) {
    let company = company.or_else(|| c.and_then(|c| c.company.as_deref()));
    let fields = [
        ("Company", company),
        ("Email", c.and_then(|c| c.email.as_deref())),
        ("Phone", c.and_then(|c| c.phone.as_deref())),
        ("File", Some(path)),
    ];
    for (what, value) in fields {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            let _ = write!(out, "\n{what}: {v}");
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A label as a UID part: lowercase ASCII letters and digits, `-` between words.
fn slug(label: &str) -> String {
    let mut out = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "date".to_string()
    } else {
        out.to_string()
    }
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, a line break as
/// `\n`; other control characters (which TEXT cannot hold) become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Append a content line, folded (RFC 5545 3.1): no line longer than 75 octets before its
/// CRLF, a continuation starting with one space, and never a fold inside a UTF-8 character.
pub fn line(out: &mut String, content: &str) {
    let mut room = 75;
    let mut used = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if used + n > room {
            out.push_str("\r\n ");
            // The leading space counts.
            room = 74;
            used = 0;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_values() {
        assert_eq!(escape("a,b;c\\d"), "a\\,b\\;c\\\\d");
        assert_eq!(
            escape("one\ntwo\r\nthree\rfour"),
            "one\\ntwo\\nthree\\nfour"
        );
        assert_eq!(escape("tab\there\u{1b}[31m"), "tab here [31m");
        assert_eq!(escape("plain: text"), "plain: text");
    }

    /// Every physical line is at most 75 octets; unfolding gives the content back.
    fn check_folded(content: &str) -> String {
        let mut out = String::new();
        line(&mut out, content);
        assert!(out.ends_with("\r\n"));
        let physical: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        for (k, l) in physical.iter().enumerate() {
            assert!(l.len() <= 75, "line {k} is {} octets: {l:?}", l.len());
            if k > 0 {
                assert!(l.starts_with(' '));
            }
        }
        assert_eq!(out.trim_end_matches("\r\n").replace("\r\n ", ""), content);
        out
    }

    #[test]
    fn folds_at_75_octets() {
        let short = "x".repeat(75);
        assert_eq!(check_folded(&short), format!("{short}\r\n"));
        let long = "x".repeat(76);
        assert_eq!(check_folded(&long), format!("{}\r\n x\r\n", "x".repeat(75)));
        // Continuation lines hold 74 octets after their space.
        let longer = "y".repeat(75 + 74 + 1);
        let out = check_folded(&longer);
        assert_eq!(out.matches("\r\n ").count(), 2);
    }

    #[test]
    fn folds_between_multibyte_characters() {
        // 74 ASCII then a 2-byte character: 76 octets, so the character moves whole.
        let content = format!("{}é", "a".repeat(74));
        assert_eq!(
            check_folded(&content),
            format!("{}\r\n é\r\n", "a".repeat(74))
        );
        // A 4-byte character straddling the boundary at any offset.
        for pad in 70..76 {
            let content = format!("{}😀😀 and ü", "b".repeat(pad));
            check_folded(&content);
        }
        check_folded(&"日本語".repeat(60));
    }

    #[test]
    fn ours_needs_the_begin_line_and_prodid() {
        assert!(is_ours(b""));
        assert!(is_ours(
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//touchbase//x//EN\r\n"
        ));
        assert!(!is_ours(b"BEGIN:VCALENDAR\r\nPRODID:-//other//x//EN\r\n"));
        assert!(!is_ours(b"my notes PRODID:-//touchbase//"));
    }

    #[test]
    fn slugs_and_hashes_are_stable() {
        assert_eq!(slug("Holiday cards!"), "holiday-cards");
        assert_eq!(slug("日本"), "date");
        assert_eq!(fnv1a(b"people/jane.md"), fnv1a(b"people/jane.md"));
        assert_ne!(fnv1a(b"people/jane.md"), fnv1a(b"people/john.md"));
        assert_eq!(capitalized("birthday"), "Birthday");
    }
}
