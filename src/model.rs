//! Plain data: contacts, touches, channels and next steps, as parsed from a vault.
//! Nothing here reads files or the clock.

use std::collections::HashMap;
use std::fmt;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::duration::Cadence;

/// How a touch happened. `Other` is any heading whose first word is not a known channel word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Call,
    Email,
    Text,
    Meeting,
    Card,
    Gift,
    Social,
    Newsletter,
    Other,
}

impl Channel {
    /// Every channel a user can name, in the order the docs list them.
    pub const NAMED: [Channel; 8] = [
        Channel::Call,
        Channel::Email,
        Channel::Text,
        Channel::Meeting,
        Channel::Card,
        Channel::Gift,
        Channel::Social,
        Channel::Newsletter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Call => "call",
            Channel::Email => "email",
            Channel::Text => "text",
            Channel::Meeting => "meeting",
            Channel::Card => "card",
            Channel::Gift => "gift",
            Channel::Social => "social",
            Channel::Newsletter => "newsletter",
            Channel::Other => "other",
        }
    }

    fn builtin_words(self) -> &'static [&'static str] {
        match self {
            Channel::Call => &["call", "phone", "called", "voicemail"],
            Channel::Email => &["email", "e-mail", "mail"],
            Channel::Text => &["text", "sms", "message", "whatsapp", "imessage"],
            Channel::Meeting => &[
                "meeting",
                "meet",
                "coffee",
                "lunch",
                "dinner",
                "breakfast",
                "drinks",
                "visit",
                "zoom",
                "video",
                "event",
            ],
            Channel::Card => &["card", "postcard", "letter", "note", "thank-you"],
            Channel::Gift => &["gift"],
            Channel::Social => &[
                "social",
                "linkedin",
                "facebook",
                "instagram",
                "twitter",
                "comment",
                "dm",
            ],
            Channel::Newsletter => &["newsletter"],
            Channel::Other => &[],
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The words that name each channel: the built-in table plus the config's extra words.
#[derive(Clone, Debug)]
pub struct Channels {
    words: HashMap<String, Channel>,
}

impl Default for Channels {
    fn default() -> Self {
        Self::with_extra(std::iter::empty())
    }
}

impl Channels {
    /// The built-in words plus `extra` (channel, word) pairs. Matching is case-insensitive.
    pub fn with_extra<'a>(extra: impl IntoIterator<Item = (Channel, &'a str)>) -> Self {
        let mut words = HashMap::new();
        for channel in Channel::NAMED {
            for word in channel.builtin_words() {
                words.insert((*word).to_string(), channel);
            }
        }
        for (channel, word) in extra {
            words.insert(word.trim().to_lowercase(), channel);
        }
        Channels { words }
    }

    /// Each named channel with its words, sorted, for messages.
    pub fn words_by_channel(&self) -> Vec<(Channel, Vec<&str>)> {
        Channel::NAMED
            .iter()
            .map(|ch| {
                let mut words: Vec<&str> = self
                    .words
                    .iter()
                    .filter(|(_, c)| *c == ch)
                    .map(|(w, _)| w.as_str())
                    .collect();
                words.sort_unstable();
                (*ch, words)
            })
            .collect()
    }

    /// Every word and its channel, sorted: what parsing depends on, as a cache key.
    pub fn table(&self) -> Vec<(String, Channel)> {
        let mut table: Vec<(String, Channel)> =
            self.words.iter().map(|(w, c)| (w.clone(), *c)).collect();
        table.sort_unstable();
        table
    }

    /// The channel a single word names, if any.
    pub fn lookup(&self, word: &str) -> Option<Channel> {
        if word.bytes().all(|b| !b.is_ascii_uppercase()) {
            self.words.get(word).copied()
        } else {
            self.words.get(&word.to_lowercase()).copied()
        }
    }
}

/// One dated heading in a contact's touch log (or the `met` entry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touch {
    #[serde(with = "day_number")]
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
    pub channel: Channel,
    /// The channel word as the user wrote it, lowercased ("lunch"), empty when there was none.
    pub word: String,
    /// The heading's text after the channel word.
    pub text: String,
    /// 1-based line of the heading in the file (0 for `met`, which lives in front matter).
    pub line: usize,
    /// The `Next:` line in this touch's notes, if any.
    pub next: Option<NextStep>,
    /// True for the touch that comes from the `met` front-matter key.
    pub is_met: bool,
    /// Where the touch was recorded, when not as a heading of the contact's own file.
    pub origin: Origin,
}

/// Where a touch comes from (SPEC 10): a dated heading (or `met`) in the contact's file, a date
/// key of another tool mapped to `last`, or a dated note that links to the contact.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    #[default]
    Heading,
    /// The front-matter key that holds the date (`last_contacted`).
    Field(Box<str>),
    /// The note's vault-relative path.
    Note(Box<str>),
}

impl Touch {
    /// The word to show for this touch: what the user wrote, else the channel name.
    pub fn label(&self) -> &str {
        if self.word.is_empty() {
            self.channel.as_str()
        } else {
            &self.word
        }
    }
}

/// A dated note, as far as touches go (SPEC 10): its date, its channel if it names one, its
/// title, and the links that may lead to contacts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    #[serde(with = "day_number")]
    pub date: NaiveDate,
    /// The channel and the word that named it, from a `channel_keys` value or the title.
    pub channel: Option<(Channel, String)>,
    /// The first level-1 heading, else the file stem without its date.
    pub title: String,
    /// Links in `link_keys` values: the key, and the link with the key's line.
    pub keyed: Vec<(String, crate::links::Link)>,
    /// Links in the body that count (SPEC 10's exclusions applied).
    pub links: Vec<crate::links::Link>,
}

/// An agreed next step: when, optionally how, and what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextStep {
    #[serde(with = "day_number")]
    pub date: NaiveDate,
    /// The time agreed, if any (`2026-11-30 10:00 call`).
    pub time: Option<chrono::NaiveTime>,
    pub channel: Option<Channel>,
    pub text: String,
}

/// A yearly reminder date. `year` is known when the user gave a full date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Yearly {
    pub month: u32,
    pub day: u32,
    pub year: Option<i32>,
}

/// A contact as read from one Markdown file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Vault-relative path with `/` separators.
    pub path: String,
    pub name: String,
    pub company: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Lowercased stage; `prospect` when the file names none.
    pub stage: String,
    pub cadence: Option<Cadence>,
    /// The front matter's `next` key.
    pub next: Option<NextStep>,
    pub snooze: Option<NaiveDate>,
    /// When the contact entered its current stage: a stage's sequence counts touches from it.
    pub stage_since: Option<NaiveDate>,
    pub met: Option<(NaiveDate, String)>,
    pub birthday: Option<Yearly>,
    /// Labelled yearly dates, sorted by label.
    pub dates: Vec<(String, Yearly)>,
    pub interests: Vec<String>,
    pub tags: Vec<String>,
    /// Other names the contact is found by (Obsidian's `aliases` property).
    pub aliases: Vec<String>,
    /// Who on a team follows this contact up.
    pub owner: Option<String>,
    pub referred_by: Option<String>,
    /// Dated headings, sorted by date then time then line; `met` is not among them. With
    /// touches from notes (SPEC 10), those too, merged in by the cache; they are never stored
    /// in the parse cache, which keeps what the file itself says.
    #[serde(serialize_with = "own_touches")]
    pub touches: Vec<Touch>,
    /// Indexes (ascending) of the touches that have a `Next:` line. Derived from `touches` once
    /// when the file is read, so that scheduling does not walk every touch of every contact on
    /// each rebuild (measured: a third of a watcher's rebuild on 10,000 contacts). Not cached:
    /// it is derived again when a contact is read back.
    #[serde(skip)]
    pub with_next: Vec<usize>,
}

impl Contact {
    /// Derive `with_next` from `touches`.
    pub fn index_next_steps(&mut self) {
        self.with_next = (0..self.touches.len())
            .filter(|&i| self.touches[i].next.is_some())
            .collect();
    }
}

pub const DEFAULT_STAGE: &str = "prospect";

/// The touches a contact's own file holds: every one that does not come from a note.
fn own_touches<S: serde::Serializer>(touches: &[Touch], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let own = |t: &&Touch| !matches!(t.origin, Origin::Note(_));
    let mut seq = s.serialize_seq(Some(touches.iter().filter(own).count()))?;
    for t in touches.iter().filter(own) {
        seq.serialize_element(t)?;
    }
    seq.end()
}

/// A date stored as its day number (days since 1 January of year 1), for the parse cache:
/// reading back a number is far cheaper than parsing a date string, and the cache holds one
/// per touch.
mod day_number {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(date.num_days_from_ce())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let days = i32::deserialize(d)?;
        NaiveDate::from_num_days_from_ce_opt(days).ok_or_else(|| D::Error::custom("bad day"))
    }
}
