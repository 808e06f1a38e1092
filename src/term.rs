//! Text from the vault, made safe to print to a terminal. Pure: it only changes strings; the
//! commands print them.
//!
//! A file name or a front-matter value can hold anything: an escape sequence that sets the
//! terminal's title or clears the screen, a carriage return that overwrites what was printed, a
//! newline that splits one warning into two, a right-to-left override that shows `gpj.exe` as
//! `exe.jpg`. Every piece of vault text that touchbase prints goes through [`clean`], which
//! shows such characters as visible escapes instead (like `ls -b` and git's path quoting).

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// True for the characters that must never reach a terminal (or DUE.md) raw: control
/// characters (C0 with tab, newline, CR and ESC; DEL; C1), Unicode format characters (general
/// category Cf: bidirectional overrides, isolates and marks, zero-width spaces and joiners, the
/// byte order mark, U+061C) and the line and paragraph separators U+2028 and U+2029.
pub fn is_hidden(c: char) -> bool {
    if c.is_ascii() {
        // The first format character is U+00AD: ASCII needs no table lookup.
        return c.is_ascii_control();
    }
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}')
        || c.general_category() == GeneralCategory::Format
}

/// Append the visible form of a hidden character: `\t`, `\n`, `\r`, `\e` (ESC), else
/// `\u{hex}` (`\u{7}` for BEL, `\u{202e}` for a right-to-left override).
pub fn push_escape(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\u{1b}' => out.push_str("\\e"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// Make vault text (a contact's name, a front-matter value, a path, a problem message) safe to
/// print: every control, format and separator character (see [`is_hidden`]) is replaced by its
/// visible escape, so `Ann\x1b]0;owned\x07` prints as `Ann\e]0;owned\u{7}` and a name with a
/// newline stays on one line. Other text, including backslashes, is returned as it is, without
/// copying.
///
/// Call it on each piece of vault text at the place it is printed (or on a whole line that
/// touchbase built); for a message with several lines of touchbase's own, see [`clean_lines`].
pub fn clean(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(is_hidden) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if is_hidden(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`clean`] for a message whose line breaks are touchbase's own (an error with its causes, a
/// list of candidates): each line is cleaned and the `\n` between them kept. touchbase's own
/// further lines are indented or in parentheses, so a line break followed by anything else came
/// from the vault (a file name holding one) and is shown as `\n`: a name cannot forge a line
/// that looks like touchbase's (`touchbase: error: ...`).
pub fn clean_lines(text: &str) -> Cow<'_, str> {
    let ours = |rest: &str| rest.starts_with("  ") || rest.starts_with('(');
    let forged = text.match_indices('\n').any(|(i, _)| !ours(&text[i + 1..]));
    if !forged && !text.contains(|c: char| c != '\n' && is_hidden(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str(if ours(line) { "\n" } else { "\\n" });
        }
        out.push_str(&clean(line));
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_shown_as_escapes() {
        let cases = [
            ("Jane Doe", "Jane Doe"),
            ("José Núñez 李", "José Núñez 李"),
            ("C:\\path\\x", "C:\\path\\x"),
            ("a\tb", "a\\tb"),
            ("a\nb", "a\\nb"),
            ("a\r\nb", "a\\r\\nb"),
            ("\u{1b}]0;owned\u{7}", "\\e]0;owned\\u{7}"),
            ("\u{1b}[2J\u{1b}[H", "\\e[2J\\e[H"),
            ("nul\0", "nul\\u{0}"),
            ("del\u{7f}", "del\\u{7f}"),
            ("csi\u{9b}31m", "csi\\u{9b}31m"),
            ("nel\u{85}", "nel\\u{85}"),
            ("gpj\u{202e}exe.md", "gpj\\u{202e}exe.md"),
            (
                "\u{202a}\u{202b}\u{202c}\u{202d}",
                "\\u{202a}\\u{202b}\\u{202c}\\u{202d}",
            ),
            ("\u{2066}x\u{2069}", "\\u{2066}x\\u{2069}"),
            ("\u{2067}\u{2068}", "\\u{2067}\\u{2068}"),
            (
                "zw\u{200b}\u{200c}\u{200d}",
                "zw\\u{200b}\\u{200c}\\u{200d}",
            ),
            ("\u{200e}\u{200f}", "\\u{200e}\\u{200f}"),
            ("line\u{2028}para\u{2029}", "line\\u{2028}para\\u{2029}"),
            ("\u{feff}bom", "\\u{feff}bom"),
            ("alm\u{61c}", "alm\\u{61c}"),
            ("soft\u{ad}hyphen", "soft\\u{ad}hyphen"),
            ("tag\u{e0041}", "tag\\u{e0041}"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "{input:?}");
        }
    }

    #[test]
    fn clean_text_is_not_copied() {
        assert!(matches!(clean("Jane Doe · Acme"), Cow::Borrowed(_)));
        assert!(matches!(clean_lines("a\n  b"), Cow::Borrowed(_)));
    }

    #[test]
    fn clean_lines_keeps_line_breaks_only() {
        assert_eq!(
            clean_lines("no contact matches\n  Ann\u{1b}[2J (a\tb.md)\n  Bo\u{202e}b"),
            "no contact matches\n  Ann\\e[2J (a\\tb.md)\n  Bo\\u{202e}b"
        );
        assert_eq!(clean_lines("a\r\n  b"), "a\\r\n  b");
        // A line break that is not touchbase's own cannot start a line of its own.
        assert_eq!(
            clean_lines("cannot open nina\ntouchbase: error: FAKE.md\n(1 file)"),
            "cannot open nina\\ntouchbase: error: FAKE.md\n(1 file)"
        );
    }
}
