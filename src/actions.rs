//! Action links (SPEC 11): the `mailto:`, `tel:` and `sms:` links a contact can be reached by,
//! with the drafted message in them. Pure and deterministic: the same contact and draft give the
//! same bytes. Nothing here reads the disk or prints.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::draft::Draft;
use crate::model::{Channel, Contact};

/// How an action reaches the contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Email,
    Call,
    Text,
}

impl Kind {
    /// The link's text in DUE.md and its `kind` in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Call => "call",
            Kind::Text => "text",
        }
    }
}

/// One link: what it does and its URL (only unreserved ASCII characters are left unencoded in
/// its parts, so it holds no space, bracket, parenthesis or quote).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub kind: Kind,
    pub url: String,
}

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) is percent-encoded,
/// as RFC 6068 asks of a `mailto:` header value; spaces become `%20`, never `+`.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The address part: the same, but `@` stays as it is (every mail client reads it so).
const ADDRESS: &AsciiSet = &NOT_UNRESERVED.remove(b'@');

/// Append `text` percent-encoded with `set`, its lines joined by `line_break` (already encoded):
/// no intermediate strings, since every due item with an email or a phone gets its links.
fn encode_lines_into(out: &mut String, text: &str, set: &'static AsciiSet, line_break: &str) {
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push_str(line_break);
        }
        out.extend(utf8_percent_encode(line, set));
    }
}

/// The address of an `email` value: trimmed, from `Name <address>` when written so, with a
/// `mailto:` the user typed dropped. `None` unless it is one address: one `@` with text on both
/// sides, no space, comma or semicolon.
fn address(email: &str) -> Option<&str> {
    let mut a = email.trim();
    if let (Some(open), true) = (a.rfind('<'), a.ends_with('>')) {
        a = a[open + 1..a.len() - 1].trim();
    }
    // `get`: the value may start with a letter of several bytes.
    if a.get(..7)
        .is_some_and(|m| m.eq_ignore_ascii_case("mailto:"))
    {
        a = &a[7..];
    }
    let (local, domain) = a.split_once('@')?;
    let ok = !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !a.contains(|c: char| c.is_whitespace() || c == ',' || c == ';' || c.is_control());
    ok.then_some(a)
}

/// `mailto:ADDRESS?subject=...&body=...` (RFC 6068): every character of the subject and body
/// but the unreserved ones percent-encoded as UTF-8, line breaks in the body as `%0D%0A`.
pub fn mailto(address: &str, subject: &str, body: &str) -> String {
    let mut url = String::with_capacity(32 + 3 * (address.len() + subject.len() + body.len()));
    url.push_str("mailto:");
    url.extend(utf8_percent_encode(address, ADDRESS));
    url.push_str("?subject=");
    // One line: line breaks and runs of spaces become one space.
    for (i, word) in subject.split_whitespace().enumerate() {
        if i > 0 {
            url.push_str("%20");
        }
        url.extend(utf8_percent_encode(word, NOT_UNRESERVED));
    }
    url.push_str("&body=");
    encode_lines_into(&mut url, body, NOT_UNRESERVED, "%0D%0A");
    url
}

/// The number to dial: the digits of a phone value, with its leading `+`, up to an extension
/// (`ext`, `x`, `#`, `,` or `;`, which a dialer would take as more digits). `None` when it has
/// no digit.
pub fn number(phone: &str) -> Option<String> {
    let phone = phone.trim();
    let main = phone
        .split(|c: char| c.is_ascii_alphabetic() || matches!(c, '#' | ',' | ';'))
        .next()
        .unwrap_or("");
    let digits: String = main.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    Some(if phone.starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    })
}

/// `tel:NUMBER` (RFC 3966), when the phone has digits.
pub fn tel(phone: &str) -> Option<String> {
    number(phone).map(|n| format!("tel:{n}"))
}

/// `sms:NUMBER?body=...` (RFC 5724), the body encoded as in [`mailto`] with `%0A` between
/// lines (a text message is not mail), when the phone has digits.
pub fn sms(phone: &str, body: &str) -> Option<String> {
    let n = number(phone)?;
    let mut url = String::with_capacity(16 + n.len() + 3 * body.len());
    url.push_str("sms:");
    url.push_str(&n);
    url.push_str("?body=");
    encode_lines_into(&mut url, body, NOT_UNRESERVED, "%0A");
    Some(url)
}

/// The links to follow `c` up on `today`, carrying its draft (none without an email or a phone,
/// and then no draft is made).
pub fn for_contact(
    c: &Contact,
    today: chrono::NaiveDate,
    config: &crate::config::Config,
) -> Vec<Action> {
    if c.email.is_none() && c.phone.is_none() {
        return Vec::new();
    }
    let s = crate::schedule::status(c, today, config);
    let draft = crate::draft::draft(c, &s, config, None);
    actions(c, s.suggest, &draft)
}

/// The links `c` can be reached by, carrying `draft`: email when it has an address, call and
/// text when it has a phone with digits. The suggested channel's link comes first (email for
/// email, call for call, text for text), then the others as email, call, text.
pub fn actions(c: &Contact, suggest: Channel, draft: &Draft) -> Vec<Action> {
    let mut out = Vec::with_capacity(3);
    if let Some(a) = c.email.as_deref().and_then(address) {
        out.push(Action {
            kind: Kind::Email,
            url: mailto(a, &draft.subject, &draft.body),
        });
    }
    if let Some(phone) = c.phone.as_deref() {
        out.extend(tel(phone).map(|url| Action {
            kind: Kind::Call,
            url,
        }));
        out.extend(sms(phone, &draft.body).map(|url| Action {
            kind: Kind::Text,
            url,
        }));
    }
    let first = match suggest {
        Channel::Email => Some(Kind::Email),
        Channel::Call => Some(Kind::Call),
        Channel::Text => Some(Kind::Text),
        _ => None,
    };
    // A stable sort: the others keep their order.
    out.sort_by_key(|a| Some(a.kind) != first);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::DraftKind;

    /// The query pairs of a URL, decoded by an independent parser.
    fn query(url: &str) -> Vec<(String, String)> {
        let parsed = url::Url::parse(url).unwrap();
        parsed
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    const HARD: &str = "Price & terms? #1 at 100% + tax, café ☕ / a=b;c";

    #[test]
    fn mailto_round_trips_through_a_url_parser() {
        let body = "Hi José,\n\nLine two & more?\n#3 at 50% + 1\n";
        let url = mailto("jane+crm@acme.example", HARD, body);
        let parsed = url::Url::parse(&url).unwrap();
        assert_eq!(parsed.scheme(), "mailto");
        assert_eq!(parsed.path(), "jane%2Bcrm@acme.example");
        assert_eq!(
            percent_encoding::percent_decode_str(parsed.path())
                .decode_utf8()
                .unwrap(),
            "jane+crm@acme.example"
        );
        assert_eq!(parsed.fragment(), None, "a # must not end the query");
        assert_eq!(
            query(&url),
            vec![
                ("subject".to_string(), HARD.to_string()),
                (
                    "body".to_string(),
                    "Hi José,\r\n\r\nLine two & more?\r\n#3 at 50% + 1".to_string()
                ),
            ]
        );
    }

    #[test]
    fn mailto_encoding_is_exact() {
        // `url` decodes `+` as a space in a query, so a `+` must be sent encoded: checked above.
        // Here the bytes: `%20` for spaces, `%0D%0A` for line breaks, UTF-8 for the rest.
        for (subject, body, expected) in [
            (
                "a b",
                "x\ny",
                "mailto:a@b.example?subject=a%20b&body=x%0D%0Ay",
            ),
            (
                "&?#%+",
                "é",
                "mailto:a@b.example?subject=%26%3F%23%25%2B&body=%C3%A9",
            ),
            (
                "keep-._~",
                "r\r\nn",
                "mailto:a@b.example?subject=keep-._~&body=r%0D%0An",
            ),
        ] {
            assert_eq!(mailto("a@b.example", subject, body), expected);
        }
    }

    #[test]
    fn no_url_holds_what_could_end_a_markdown_link() {
        let nasty = "a) [x](javascript:y) <b> \\ ; &amp; \" '\t\u{202e}";
        for url in [
            mailto("a)(b@x.example", nasty, nasty),
            sms("+1 555", nasty).unwrap(),
        ] {
            assert!(
                !url.contains(|c: char| "()[]<> \\;\"'\t".contains(c) || !c.is_ascii()),
                "{url}"
            );
        }
    }

    #[test]
    fn sms_round_trips_and_tel_is_digits() {
        let url = sms("+1 (555) 010-0144", "Hi & bye?\n#2 50% + é").unwrap();
        assert!(url.starts_with("sms:+15550100144?body="), "{url}");
        assert_eq!(
            query(&url),
            vec![("body".to_string(), "Hi & bye?\n#2 50% + é".to_string())]
        );
        for (phone, expected) in [
            ("+1 555 0144", Some("tel:+15550144")),
            ("555.010.0100", Some("tel:5550100100")),
            ("+44 (0)20 7946 0000 ext. 12", Some("tel:+4402079460000")),
            ("555-0100 x7", Some("tel:5550100")),
            ("555-0100;ext=7", Some("tel:5550100")),
            ("call me", None),
            ("+", None),
            ("", None),
        ] {
            assert_eq!(tel(phone).as_deref(), expected, "{phone:?}");
        }
        assert_eq!(sms("none", "x"), None);
    }

    fn contact(email: Option<&str>, phone: Option<&str>) -> Contact {
        Contact {
            name: "Jane".into(),
            email: email.map(str::to_string),
            phone: phone.map(str::to_string),
            ..Contact::default()
        }
    }

    fn kinds(c: &Contact, suggest: Channel) -> Vec<&'static str> {
        let d = Draft {
            kind: DraftKind::CheckIn,
            subject: "s".into(),
            body: "b".into(),
        };
        actions(c, suggest, &d)
            .iter()
            .map(|a| a.kind.as_str())
            .collect()
    }

    #[test]
    fn the_suggested_channel_comes_first() {
        let both = contact(Some("j@a.example"), Some("+1 555 0100"));
        for (suggest, expected) in [
            (Channel::Email, vec!["email", "call", "text"]),
            (Channel::Call, vec!["call", "email", "text"]),
            (Channel::Text, vec!["text", "email", "call"]),
            (Channel::Meeting, vec!["email", "call", "text"]),
            (Channel::Card, vec!["email", "call", "text"]),
        ] {
            assert_eq!(kinds(&both, suggest), expected, "{suggest:?}");
        }
        assert_eq!(
            kinds(&contact(Some("j@a.example"), None), Channel::Call),
            vec!["email"]
        );
        assert_eq!(
            kinds(&contact(None, Some("555 0100")), Channel::Email),
            vec!["call", "text"]
        );
        assert_eq!(
            kinds(&contact(None, Some("n/a")), Channel::Call),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn only_one_plain_address_makes_an_email_link() {
        for (email, expected) in [
            ("jane@acme.example", Some("jane@acme.example")),
            ("  Jane Doe <jane@acme.example> ", Some("jane@acme.example")),
            ("mailto:jane@acme.example", Some("jane@acme.example")),
            ("jane@a.example, tom@a.example", None),
            ("jane at acme", None),
            ("@acme.example", None),
            ("jane@", None),
            ("a@b@c", None),
            ("日本語@example.jp", Some("日本語@example.jp")),
        ] {
            assert_eq!(address(email), expected, "{email:?}");
        }
    }

    mod property {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            /// Any subject and body come back exactly (line breaks as CRLF) through an
            /// independent URL parser; any email and phone value gives a link or none, never a
            /// panic.
            #[test]
            fn any_text_round_trips(
                subject in "\\PC{0,20}",
                body in "(\\PC{0,10}\n?){0,4}",
                email in "\\PC{0,12}",
                phone in "\\PC{0,12}",
            ) {
                let url = mailto("a@b.example", &subject, &body);
                let parsed = url::Url::parse(&url).unwrap();
                let pairs: Vec<(String, String)> = parsed
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
                let body = body.lines().collect::<Vec<_>>().join("\r\n");
                prop_assert_eq!(pairs, vec![("subject".to_string(), subject), ("body".to_string(), body)]);
                let _ = address(&email);
                if let Some(t) = tel(&phone) {
                    prop_assert!(t[4..].trim_start_matches('+').bytes().all(|b| b.is_ascii_digit()));
                }
            }
        }
    }
}
