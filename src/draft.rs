//! Drafted messages (SPEC 11): which draft fits a follow-up, and the text it makes from a
//! template (built-in, or the vault's own under `[templates]`). Pure: the vault's templates come
//! in already read (see `Vault::open`), and nothing here prints.
//!
//! A template is plain text with placeholders (`{{first_name}}`) and, for values that may be
//! missing, Mustache-style sections: `{{#company}} at {{company}}{{/company}}` is kept only when
//! the contact has a company, `{{^company}}...{{/company}}` only when it has none. After filling,
//! spaces are tidied, so that a missing value never leaves a double space or a space before a
//! full stop.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::model::{Channel, Contact};
use crate::schedule::Status;

/// Which message a follow-up calls for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DraftKind {
    FirstFollowUp,
    CheckIn,
    Promised,
    Personal,
    ThankYou,
    Referral,
}

impl DraftKind {
    pub const ALL: [DraftKind; 6] = [
        DraftKind::FirstFollowUp,
        DraftKind::CheckIn,
        DraftKind::Promised,
        DraftKind::Personal,
        DraftKind::ThankYou,
        DraftKind::Referral,
    ];

    /// The draft's key under `[templates]`.
    pub fn key(self) -> &'static str {
        match self {
            DraftKind::FirstFollowUp => "first_follow_up",
            DraftKind::CheckIn => "check_in",
            DraftKind::Promised => "promised",
            DraftKind::Personal => "personal",
            DraftKind::ThankYou => "thank_you",
            DraftKind::Referral => "referral",
        }
    }

    /// The built-in template: the subject line, then the body.
    fn builtin(self) -> &'static str {
        match self {
            DraftKind::FirstFollowUp => FIRST_FOLLOW_UP,
            DraftKind::CheckIn => CHECK_IN,
            DraftKind::Promised => PROMISED,
            DraftKind::Personal => PERSONAL,
            DraftKind::ThankYou => THANK_YOU,
            DraftKind::Referral => REFERRAL,
        }
    }
}

/// A drafted message: a subject line and a body of plain-text lines joined by `\n`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub kind: DraftKind,
    pub subject: String,
    pub body: String,
}

const FIRST_FOLLOW_UP: &str = "\
{{#met_text}}Following up from the {{met_text}}{{/met_text}}{{^met_text}}Great to meet you{{/met_text}}
Hi {{first_name}},

Great to meet you{{#met_text}} at the {{met_text}}{{/met_text}}. I enjoyed hearing about \
{{#company}}{{company}}{{/company}}{{^company}}what you are working on{{/company}}, and I would \
like to keep the conversation going.

Would you have 15 minutes this week or next for a quick call?

Best,
{{me}}
";

const CHECK_IN: &str = "\
Checking in{{#company}} on {{company}}{{/company}}
Hi {{first_name}},

I wanted to check in and see how things are going{{#company}} at {{company}}{{/company}}. \
I hope all is well.

If anything has changed on your side, or there is something I can help with, I would be glad to \
hear from you.

Best,
{{me}}
";

const PROMISED: &str = "\
Following up, as promised
Hi {{first_name}},

As promised, I am following up on our last conversation.
{{#next_text}}
[{{next_text}}]
{{/next_text}}
Let me know if you have any questions, or if a quick call would be easier.

Best,
{{me}}
";

const PERSONAL: &str = "\
{{#interest}}Thought of you ({{interest}}){{/interest}}{{^interest}}Thought of you{{/interest}}
Hi {{first_name}},

{{#interest}}I saw something about {{interest}} the other day and thought of you. {{/interest}}\
How have you been?

No agenda on my side, I just wanted to say hello. I hope all is well\
{{#company}} at {{company}}{{/company}}.

Best,
{{me}}
";

const THANK_YOU: &str = "\
Thank you
Dear {{first_name}},

Just a quick note to say thank you. I appreciate your time and your trust, and it is a pleasure \
working with you{{#company}} and the team at {{company}}{{/company}}.

Warm regards,
{{me}}
";

const REFERRAL: &str = "\
A quick question
Hi {{first_name}},

I hope all is well{{#company}} at {{company}}{{/company}}. It has been a pleasure working with \
you.

Most of my best clients come from introductions, so I wanted to ask: do you know anyone who \
could use the same kind of help? I would take good care of them.

Thanks either way,
{{me}}
";

/// The values a template can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    FirstName,
    Name,
    Company,
    Interest,
    LastText,
    NextText,
    MetText,
    Me,
}

impl Key {
    const ALL: [Key; 8] = [
        Key::FirstName,
        Key::Name,
        Key::Company,
        Key::Interest,
        Key::LastText,
        Key::NextText,
        Key::MetText,
        Key::Me,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Key::FirstName => "first_name",
            Key::Name => "name",
            Key::Company => "company",
            Key::Interest => "interest",
            Key::LastText => "last_text",
            Key::NextText => "next_text",
            Key::MetText => "met_text",
            Key::Me => "me",
        }
    }

    fn parse(s: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Value(Key),
    /// Kept when the value is there (`{{#key}}`), or when it is not (`{{^key}}`, `inverted`).
    Section {
        key: Key,
        inverted: bool,
        parts: Vec<Part>,
    },
}

/// A template read and checked: its subject line and its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    subject: Vec<Part>,
    body: Vec<Part>,
}

/// What is wrong with a template: the 1-based line and what.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct TemplateError {
    pub line: usize,
    pub message: String,
}

impl Template {
    /// Read a template: the first line is the subject (a leading Markdown `#` heading mark is
    /// dropped), the rest the body (blank lines around it dropped). Unknown placeholders and
    /// unclosed sections are errors, so a typo shows when the vault is opened, not in a message
    /// sent to a client.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let text = text.replace("\r\n", "\n");
        let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
        let heading = first.trim_start_matches('#');
        let subject = if heading.len() < first.len() && heading.starts_with(' ') {
            heading.trim()
        } else {
            first.trim()
        };
        if subject.is_empty() {
            return Err(TemplateError {
                line: 1,
                message: "the first line is the subject, and it is empty".into(),
            });
        }
        Ok(Template {
            subject: parts(subject, 1)?,
            body: parts(rest, 2)?,
        })
    }

    fn fill(&self, values: &BTreeMap<Key, String>) -> (String, String) {
        let mut subject = String::new();
        fill_into(&mut subject, &self.subject, values);
        let mut body = String::new();
        fill_into(&mut body, &self.body, values);
        (tidy(&subject).replace('\n', " "), tidy(&body))
    }
}

/// Parse a template's text into parts. `first_line` is the line the text starts on, for errors.
fn parts(text: &str, first_line: usize) -> Result<Vec<Part>, TemplateError> {
    // A stack of open sections: (key, inverted, parts so far, line it opened on).
    let mut stack: Vec<(Key, bool, Vec<Part>, usize)> = Vec::new();
    let mut out: Vec<Part> = Vec::new();
    let mut rest = text;
    let line_of = |rest: &str| first_line + text[..text.len() - rest.len()].matches('\n').count();
    let current =
        |stack: &mut Vec<(Key, bool, Vec<Part>, usize)>, out: &mut Vec<Part>, p: Part| match stack
            .last_mut()
        {
            Some((_, _, parts, _)) => parts.push(p),
            None => out.push(p),
        };
    while let Some(at) = rest.find("{{") {
        if at > 0 {
            current(&mut stack, &mut out, Part::Text(rest[..at].to_string()));
        }
        let line = line_of(&rest[at..]);
        let after = &rest[at + 2..];
        let Some(end) = after.find("}}").filter(|e| !after[..*e].contains('\n')) else {
            return Err(TemplateError {
                line,
                message: "`{{` is not closed by `}}` on the same line".into(),
            });
        };
        let tag = after[..end].trim();
        rest = &after[end + 2..];
        let (sigil, name) = match tag.chars().next() {
            Some(c @ ('#' | '^' | '/')) => (Some(c), tag[1..].trim()),
            _ => (None, tag),
        };
        let key = Key::parse(name).ok_or_else(|| TemplateError {
            line,
            message: format!(
                "unknown placeholder `{{{{{tag}}}}}`; the placeholders are {}",
                Key::ALL
                    .iter()
                    .map(|k| format!("{{{{{}}}}}", k.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
        match sigil {
            None => current(&mut stack, &mut out, Part::Value(key)),
            Some(open @ ('#' | '^')) => stack.push((key, open == '^', Vec::new(), line)),
            Some(_) => match stack.pop() {
                Some((open, inverted, parts, _)) if open == key => {
                    current(
                        &mut stack,
                        &mut out,
                        Part::Section {
                            key,
                            inverted,
                            parts,
                        },
                    );
                }
                Some((open, ..)) => {
                    return Err(TemplateError {
                        line,
                        message: format!(
                            "`{{{{/{}}}}}` closes a section opened as `{{{{#{}}}}}`",
                            key.as_str(),
                            open.as_str()
                        ),
                    });
                }
                None => {
                    return Err(TemplateError {
                        line,
                        message: format!("`{{{{/{}}}}}` closes no open section", key.as_str()),
                    });
                }
            },
        }
    }
    if let Some((key, _, _, line)) = stack.pop() {
        return Err(TemplateError {
            line,
            message: format!(
                "the section `{{{{#{}}}}}` is not closed by `{{{{/{}}}}}`",
                key.as_str(),
                key.as_str()
            ),
        });
    }
    if !rest.is_empty() {
        out.push(Part::Text(rest.to_string()));
    }
    Ok(out)
}

fn fill_into(out: &mut String, parts: &[Part], values: &BTreeMap<Key, String>) {
    for p in parts {
        match p {
            Part::Text(t) => out.push_str(t),
            Part::Value(k) => {
                if let Some(v) = values.get(k) {
                    out.push_str(v);
                }
            }
            Part::Section {
                key,
                inverted,
                parts,
            } => {
                if values.contains_key(key) != *inverted {
                    fill_into(out, parts, values);
                }
            }
        }
    }
}

/// Tidy filled text: runs of spaces inside a line become one (indentation is kept), no space
/// before `.`, `,`, `;`, `:`, `!`, `?` or `)`, none at a line's end, at most one blank line in a
/// row, none at either end.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let mut tidied = String::with_capacity(line.len());
        tidied.push_str(&line[..indent]);
        for c in line[indent..].chars() {
            let space = c == ' ' || c == '\t';
            if space && (tidied.ends_with(' ') || tidied.len() == indent) {
                continue;
            }
            if matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | ')')
                && tidied.len() > indent
                && tidied.ends_with(' ')
            {
                tidied.pop();
            }
            tidied.push(if space { ' ' } else { c });
        }
        let tidied = tidied.trim_end();
        if tidied.is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(tidied);
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// The vault's own templates, by kind (read by `Vault::open` from `[templates]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Templates(BTreeMap<DraftKind, Template>);

impl Templates {
    pub fn insert(&mut self, kind: DraftKind, template: Template) {
        self.0.insert(kind, template);
    }

    pub fn get(&self, kind: DraftKind) -> Option<&Template> {
        self.0.get(&kind)
    }
}

/// Which draft fits, in this order: a pending promised next step; the first follow-up when the
/// only touch is `met`; a personal touch; a card; a referral ask; else a check-in.
pub fn kind(c: &Contact, s: &Status<'_>, config: &Config, channel: Option<Channel>) -> DraftKind {
    let channel = channel.unwrap_or(s.suggest);
    if s.next.is_some() {
        DraftKind::Promised
    } else if s.last.as_ref().is_some_and(|t| t.is_met) {
        DraftKind::FirstFollowUp
    } else if s.personal.is_some() {
        DraftKind::Personal
    } else if channel == Channel::Card {
        DraftKind::ThankYou
    } else if asks_for_referral(c, s, config) {
        DraftKind::Referral
    } else {
        DraftKind::CheckIn
    }
}

/// True when `text` names a referral or an introduction (`ask for a referral`, `referrals`,
/// `intro`), as a word of its own.
fn mentions_referral(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .any(|w| {
            matches!(
                w.as_str(),
                "refer" | "referral" | "referrals" | "introduction" | "introductions"
            )
        })
}

/// A referral ask: when the sequence step says so, or for a client of long standing. The
/// latter is a contact in a card-sending stage (`cards.stages`: client, past-client, partner by
/// default, the relationships one keeps) whose touches span a year or more, with no touch in the
/// year up to the last one that mentions a referral: at most one ask a year, and never before
/// the relationship has lasted one.
fn asks_for_referral(c: &Contact, s: &Status<'_>, config: &Config) -> bool {
    if s.step
        .as_ref()
        .is_some_and(|st| mentions_referral(&st.text))
    {
        return true;
    }
    let Some(last) = s.last.as_ref() else {
        return false;
    };
    let first = c
        .touches
        .first()
        .map(|t| t.date)
        .into_iter()
        .chain(c.met.as_ref().map(|(d, _)| *d))
        .min();
    let Some(first) = first else {
        return false;
    };
    let Some(year_before) = last.date.checked_sub_months(chrono::Months::new(12)) else {
        return false;
    };
    config.sends_cards(&c.stage)
        && first <= year_before
        && !c.touches.iter().any(|t| {
            t.date > year_before
                && t.date <= last.date
                && mentions_referral(&format!("{} {}", t.word, t.text))
        })
}

/// The first name: the name's first word (after the comma in `Lee, Ann`).
fn first_name(name: &str) -> &str {
    let name = name.trim();
    let given = match name.split_once(',') {
        Some((_, given)) if !given.trim().is_empty() => given,
        _ => name,
    };
    given.split_whitespace().next().unwrap_or(name)
}

/// Where the contact was met, as a place to name after "at the": the `met` text up to its first
/// comma, semicolon or dash separator (`Small Business Expo, stopped at our booth` is the Small
/// Business Expo), without a leading `at` or `the`.
fn met_place(text: &str) -> &str {
    let mut place = text;
    for sep in [",", ";", " - ", " – ", " — "] {
        if let Some((head, _)) = place.split_once(sep) {
            place = head;
        }
    }
    // A sentence names the place after its last "at": `Gina introduced us at the BNI
    // breakfast` was the BNI breakfast.
    if let Some(at) = place.rfind(" at ") {
        place = &place[at + 4..];
    }
    let mut place = place.trim();
    for word in ["at ", "the "] {
        // `get`: the text may start with a letter of several bytes.
        if place.len() > word.len()
            && place
                .get(..word.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(word))
        {
            place = place[word.len()..].trim_start();
        }
    }
    place
}

/// The placeholders' values for one contact; a missing or empty value is left out.
pub fn values(c: &Contact, s: &Status<'_>, config: &Config) -> BTreeMap<Key, String> {
    // Values are one line each, so a value cannot add lines (or a subject line) to the message.
    let one_line = |v: &str| v.split_whitespace().collect::<Vec<_>>().join(" ");
    let interest = s
        .personal
        .or_else(|| c.interests.first().map(String::as_str));
    [
        (Key::FirstName, Some(first_name(&c.name))),
        (Key::Name, Some(c.name.as_str())),
        (Key::Company, c.company.as_deref()),
        (Key::Interest, interest),
        (Key::LastText, s.last.as_ref().map(|t| t.text.as_str())),
        (Key::NextText, s.next.map(|n| n.text.as_str())),
        (Key::MetText, c.met.as_ref().map(|(_, t)| met_place(t))),
        // On a team, the contact's owner writes to them; else the vault's `me`.
        (Key::Me, c.owner.as_deref().or(config.me.as_deref())),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, one_line(v?))).filter(|(_, v)| !v.is_empty()))
    .collect()
}

/// The draft for following up `c` now, as `s` (its schedule status) says, through `channel`
/// (`None`: the suggested channel).
pub fn draft(c: &Contact, s: &Status<'_>, config: &Config, channel: Option<Channel>) -> Draft {
    let kind = kind(c, s, config, channel);
    let values = values(c, s, config);
    let (subject, body) = match config.drafts.get(kind) {
        Some(t) => t.fill(&values),
        None => builtin(kind).fill(&values),
    };
    Draft {
        kind,
        subject,
        body,
    }
}

/// The built-in templates, parsed once. A test checks that each parses, so none is ever
/// empty; an empty one would stand in if one failed.
static BUILTINS: std::sync::LazyLock<BTreeMap<DraftKind, Template>> =
    std::sync::LazyLock::new(|| {
        DraftKind::ALL
            .into_iter()
            .filter_map(|k| Some((k, Template::parse(k.builtin()).ok()?)))
            .collect()
    });

fn builtin(kind: DraftKind) -> &'static Template {
    static EMPTY: Template = Template {
        subject: Vec::new(),
        body: Vec::new(),
    };
    BUILTINS.get(&kind).unwrap_or(&EMPTY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_file;
    use chrono::NaiveDate;

    const TODAY: &str = "2026-11-24";

    fn today() -> NaiveDate {
        NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap()
    }

    fn contact(text: &str) -> Contact {
        let parsed = parse_file(
            "contacts/x.md",
            text.as_bytes(),
            &crate::model::Channels::default(),
            &crate::parse::reading::Reading::default(),
        );
        parsed.contact.unwrap()
    }

    fn config(toml: &str) -> Config {
        Config::from_toml(toml).unwrap()
    }

    fn draft_of(text: &str, toml: &str, channel: Option<Channel>) -> Draft {
        let c = contact(text);
        let config = config(toml);
        let s = crate::schedule::status(&c, today(), &config);
        draft(&c, &s, &config, channel)
    }

    fn shown(d: &Draft) -> String {
        format!("{:?}\n{}\n\n{}\n", d.kind, d.subject, d.body)
    }

    #[test]
    fn the_builtin_templates_parse() {
        for kind in DraftKind::ALL {
            assert!(Template::parse(kind.builtin()).is_ok(), "{kind:?}");
        }
    }

    const JANE: &str = "---\nname: Jane Doe\ncompany: Acme Realty\nmet: 2026-11-20 Chamber of \
                        Commerce mixer\ninterests: [sailing]\n---\n";
    const BARE: &str = "---\nname: Jane Doe\nmet: 2026-11-20\n---\n";

    #[test]
    fn first_follow_up_with_and_without_company_me_and_met_text() {
        insta::assert_snapshot!(
            "first_follow_up_full",
            shown(&draft_of(JANE, "me = \"Tina Torres\"", None))
        );
        insta::assert_snapshot!("first_follow_up_bare", shown(&draft_of(BARE, "", None)));
    }

    #[test]
    fn check_in_with_and_without_company_and_me() {
        let full =
            "---\nname: Jane Doe\ncompany: Acme Realty\n---\n## 2026-10-01 call - caught up\n";
        let bare = "---\nname: Jane Doe\n---\n## 2026-10-01 call - caught up\n";
        insta::assert_snapshot!(
            "check_in_full",
            shown(&draft_of(full, "me = \"Tina Torres\"", None))
        );
        insta::assert_snapshot!("check_in_bare", shown(&draft_of(bare, "", None)));
    }

    #[test]
    fn promised_uses_the_promise() {
        let full = "---\nname: Jane Doe\ncompany: Acme Realty\nnext: 2026-11-23 email - send \
                    the pricing sheet\n---\n## 2026-11-20 call - went through the proposal\n";
        let bare = "---\nname: Jane Doe\nnext: 2026-11-23\n---\n## 2026-11-20 call\n";
        insta::assert_snapshot!(
            "promised_full",
            shown(&draft_of(full, "me = \"Tina Torres\"", None))
        );
        insta::assert_snapshot!("promised_bare", shown(&draft_of(bare, "", None)));
    }

    #[test]
    fn personal_names_the_interest() {
        // Touch #4 of an open stage with no personal touch yet.
        let full = "---\nname: Jane Doe\ncompany: Acme Realty\ninterests: [sailing, golf]\n---\n\
                    ## 2026-09-01 call\n## 2026-09-20 email\n## 2026-10-10 call\n";
        let bare = "---\nname: Jane Doe\ninterests: [sailing]\n---\n\
                    ## 2026-09-01 call\n## 2026-09-20 email\n## 2026-10-10 call\n";
        let d = draft_of(full, "me = \"Tina Torres\"", None);
        assert!(d.body.contains("sailing"), "{}", d.body);
        insta::assert_snapshot!("personal_full", shown(&d));
        insta::assert_snapshot!("personal_bare", shown(&draft_of(bare, "", None)));
    }

    #[test]
    fn thank_you_for_a_card() {
        let full = "---\nname: Jane Doe\ncompany: Acme Realty\nstage: client\n---\n\
                    ## 2026-10-01 call\n";
        let bare = "---\nname: Jane Doe\nstage: client\n---\n## 2026-10-01 call\n";
        let d = draft_of(full, "me = \"Tina Torres\"", Some(Channel::Card));
        insta::assert_snapshot!("thank_you_full", shown(&d));
        insta::assert_snapshot!(
            "thank_you_bare",
            shown(&draft_of(bare, "", Some(Channel::Card)))
        );
    }

    #[test]
    fn referral_for_a_step_that_asks_and_for_a_client_of_long_standing() {
        let step = "---\nname: Jane Doe\ncompany: Acme Realty\nstage: client\n---\n\
                    ## 2026-10-01 call\n";
        let toml =
            "me = \"Tina Torres\"\n[sequence]\nclient = [\"1w email - ask for a referral\"]\n";
        let d = draft_of(step, toml, None);
        assert_eq!(d.kind, DraftKind::Referral);
        insta::assert_snapshot!("referral_full", shown(&d));
        // A partner (a card-sending stage) for over a year: a referral ask, unless one was
        // made in that year. (A client behind on its yearly cards is suggested a card, and gets
        // the thank-you note first.)
        let long = "---\nname: Jane Doe\nstage: partner\n---\n## 2025-06-01 meeting\n\
                    ## 2026-10-01 call\n";
        let d = draft_of(long, "", None);
        assert_eq!(d.kind, DraftKind::Referral);
        insta::assert_snapshot!("referral_bare", shown(&d));
        let asked = "---\nname: Jane Doe\nstage: partner\n---\n## 2025-06-01 meeting\n\
                     ## 2026-03-01 email - asked for a referral\n## 2026-10-01 call\n";
        assert_eq!(draft_of(asked, "", None).kind, DraftKind::CheckIn);
        // Under a year, or a prospect: a check-in.
        let young = "---\nname: Jane Doe\nstage: partner\n---\n## 2026-01-01 meeting\n\
                     ## 2026-10-01 call\n";
        assert_eq!(draft_of(young, "", None).kind, DraftKind::CheckIn);
        let prospect = "---\nname: Jane Doe\nstage: past-lead\n---\n## 2025-06-01 meeting\n\
                        ## 2026-10-01 call\n";
        assert_eq!(draft_of(prospect, "", None).kind, DraftKind::CheckIn);
    }

    #[test]
    fn which_draft_comes_first() {
        // A promise beats a first follow-up and a card.
        let promised = "---\nname: A\nmet: 2026-11-20 fair\nnext: 2026-11-23 call\n---\n";
        assert_eq!(
            draft_of(promised, "", Some(Channel::Card)).kind,
            DraftKind::Promised
        );
        // The first follow-up beats a card.
        assert_eq!(
            draft_of(BARE, "", Some(Channel::Card)).kind,
            DraftKind::FirstFollowUp
        );
    }

    #[test]
    fn missing_values_leave_no_gaps() {
        for (text, channel) in [
            (BARE, None),
            ("---\nname: Ann\n---\n## 2026-10-01 call\n", None),
            (
                "---\nname: Ann\n---\n## 2026-10-01 call\n",
                Some(Channel::Card),
            ),
            (
                "---\nname: Ann\nnext: 2026-11-23\n---\n## 2026-10-01 call\n",
                None,
            ),
        ] {
            let d = draft_of(text, "", channel);
            for t in [&d.subject, &d.body] {
                assert!(!t.contains("  "), "{t:?}");
                assert!(!t.contains(" ."), "{t:?}");
                assert!(!t.contains(" ,"), "{t:?}");
                assert!(!t.contains("at the"), "{t:?}");
                assert!(!t.contains("{{"), "{t:?}");
                assert!(!t.ends_with('\n'), "{t:?}");
            }
        }
    }

    #[test]
    fn a_vault_template_replaces_a_builtin() {
        let c = contact(JANE);
        let mut config = config("me = \"Tina\"");
        let t = Template::parse(
            "# Hello {{first_name}}\r\n\r\nSee you at the {{met_text}}{{#company}} with {{company}}{{/company}}, {{me}}.\r\n",
        )
        .unwrap();
        config.drafts.insert(DraftKind::FirstFollowUp, t);
        let s = crate::schedule::status(&c, today(), &config);
        let d = draft(&c, &s, &config, None);
        assert_eq!(d.subject, "Hello Jane");
        assert_eq!(
            d.body,
            "See you at the Chamber of Commerce mixer with Acme Realty, Tina."
        );
    }

    #[test]
    fn template_errors_name_the_line() {
        for (text, line, words) in [
            ("\nbody", 1, "subject"),
            (
                "Hi\n\n{{firstname}}",
                3,
                "unknown placeholder `{{firstname}}`",
            ),
            ("Hi\n{{#company}} x", 2, "not closed"),
            ("Hi\nx {{/company}}", 2, "closes no open section"),
            ("Hi {{#me}}\n{{/me}}", 1, "not closed"),
            ("Hi\n{{#me}}{{/company}}", 2, "closes a section opened as"),
            ("Hi\n{{me", 2, "not closed by `}}`"),
        ] {
            let e = Template::parse(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.message.contains(words), "{text:?}: {e}");
        }
    }

    /// On a team, the contact's owner signs the drafts to them; else the vault's `me`.
    #[test]
    fn the_owner_signs_else_me() {
        let me = "me = \"Tina Torres\"";
        let sign = |front: &str, toml: &str| {
            let d = draft_of(&format!("---\nname: Jane Doe\n{front}---\n"), toml, None);
            d.body.lines().last().unwrap_or_default().to_string()
        };
        assert_eq!(sign("", me), "Tina Torres");
        assert_eq!(sign("owner: Sam Ortiz\n", me), "Sam Ortiz");
        assert_eq!(sign("owner: Sam Ortiz\n", ""), "Sam Ortiz");
        assert_eq!(sign("", ""), "Best,");
    }

    #[test]
    fn names_and_places() {
        for (name, first) in [("Jane Doe", "Jane"), ("Lee, Ann", "Ann"), ("Cher", "Cher")] {
            assert_eq!(first_name(name), first);
        }
        for (met, place) in [
            ("Chamber of Commerce mixer", "Chamber of Commerce mixer"),
            (
                "Small Business Expo, stopped at our booth",
                "Small Business Expo",
            ),
            ("the Rotary lunch - great chat", "Rotary lunch"),
            ("at the fair", "fair"),
            // A sentence: the place after its last "at".
            ("Gina introduced us at the BNI breakfast", "BNI breakfast"),
            ("met at Acme at the trade fair, booth 4", "trade fair"),
            ("𖼀", "𖼀"),
            ("日本語のイベント", "日本語のイベント"),
        ] {
            assert_eq!(met_place(met), place);
        }
    }

    #[test]
    fn values_stay_on_one_line() {
        let c = Contact {
            name: "Ann\nSubject: hi".into(),
            company: Some("  ".into()),
            ..Contact::default()
        };
        let config = Config::default();
        let s = crate::schedule::status(&c, today(), &config);
        let v = values(&c, &s, &config);
        assert_eq!(
            v.get(&Key::Name).map(String::as_str),
            Some("Ann Subject: hi")
        );
        assert_eq!(v.get(&Key::Company), None);
    }

    mod property {
        use super::super::*;
        use proptest::prelude::*;

        fn template_text() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                Just("{{".to_string()),
                Just("}}".to_string()),
                Just("{{#company}}".to_string()),
                Just("{{^company}}".to_string()),
                Just("{{/company}}".to_string()),
                Just("{{me}}".to_string()),
                Just("{{# me }}".to_string()),
                Just("{{/me}}".to_string()),
                Just("{{first_name}}".to_string()),
                Just("\n".to_string()),
                Just("\r\n".to_string()),
                Just(" . ".to_string()),
                Just("# ".to_string()),
                "\\PC{0,6}",
            ];
            prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            /// Any template text is read or refused, never a panic; one that reads fills with
            /// or without values, and the result has no double space or trailing space.
            #[test]
            fn templates_never_panic_and_fill_tidily(
                text in template_text(),
                me in proptest::option::of("\\PC{0,8}"),
                company in proptest::option::of("\\PC{0,8}"),
            ) {
                if let Ok(t) = Template::parse(&text) {
                    let mut values = BTreeMap::new();
                    values.insert(Key::FirstName, "Ann".to_string());
                    if let Some(me) = me { values.insert(Key::Me, me); }
                    if let Some(c) = company { values.insert(Key::Company, c); }
                    let (subject, body) = t.fill(&values);
                    prop_assert!(!subject.contains('\n'));
                    for line in body.lines().chain([subject.as_str()]) {
                        prop_assert!(!line.ends_with(' '), "{line:?}");
                        prop_assert!(!line.trim_start().contains("  "), "{line:?}");
                    }
                }
            }

            #[test]
            fn names_and_places_never_panic(text in "\\PC{0,12}") {
                let _ = first_name(&text);
                let place = met_place(&text);
                prop_assert!(text.contains(place));
            }
        }
    }
}
