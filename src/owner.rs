//! Who follows a contact up (its `owner:`): the one rule that says whether a contact is on an
//! owner's agenda, and the name of that owner's agenda file. Pure: no disk, no environment.
//!
//! An owner is known by a key: the name folded as [`crate::lookup::fold`] folds it (case,
//! accents, apostrophes), with every run of other characters than letters and digits made one
//! `-`. `Tina Torres`, `tina torres`, `Tína-Torres` and `tina_torres` are one owner,
//! `tina-torres`, and `DUE-tina-torres.md` is her agenda. A contact with no owner (or one whose
//! name has no letter or digit) is on every owner's agenda: an unassigned lead must not be lost.

use unicode_normalization::UnicodeNormalization;

use crate::model::Contact;

/// The longest key, in characters: an agenda's file name stays far below the 255 bytes most
/// file systems allow, whatever the script.
const MAX_KEY_CHARS: usize = 48;

/// An owner named on the command line (`--owner`, `TOUCHBASE_OWNER`) or in a contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    key: String,
}

impl Owner {
    /// The owner called `name`; `None` when the name has no letter or digit (it names nobody).
    pub fn new(name: &str) -> Option<Owner> {
        let key = key(name);
        (!key.is_empty()).then_some(Owner { key })
    }

    /// The owner a command was given (`--owner`, `TOUCHBASE_OWNER`): `None` for no name or
    /// an empty one (everyone's agenda).
    pub fn from_arg(name: Option<&str>) -> Option<Owner> {
        name.and_then(Owner::new)
    }

    /// The owner whose key (see [`key`]) is `key`; `None` for an empty one.
    pub fn from_key(key: &str) -> Option<Owner> {
        (!key.is_empty()).then(|| Owner {
            key: key.to_string(),
        })
    }

    /// `tina-torres`: the owner's folded name, safe in a file name.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// True when a contact whose `owner:` says `owner` is on this owner's agenda: it is theirs,
    /// or nobody's.
    pub fn owns(&self, owner: Option<&str>) -> bool {
        owner.map(key).is_none_or(|k| k.is_empty() || k == self.key)
    }

    /// True when `contact` is on this owner's agenda.
    pub fn has(&self, contact: &Contact) -> bool {
        self.owns(contact.owner.as_deref())
    }

    /// The owner's agenda, beside the shared one: `DUE-tina-torres.md` for `DUE.md`,
    /// `agenda/Follow-ups-tina-torres.md` for `agenda/Follow-ups.md`.
    pub fn agenda_file(&self, agenda_file: &str) -> String {
        format!("{}-{}.md", stem(agenda_file), self.key)
    }
}

/// Keep only the contacts on `owner`'s agenda (every contact when `owner` is `None`). What
/// `list`, `due --owner` and any command that walks one person's contacts filter with.
pub fn filter<'a>(
    contacts: impl IntoIterator<Item = &'a Contact>,
    owner: Option<&'a Owner>,
) -> impl Iterator<Item = &'a Contact> {
    contacts
        .into_iter()
        .filter(move |c| owner.is_none_or(|o| o.has(c)))
}

/// Every owner the contacts name, each once, in key order.
pub fn owners<'a>(contacts: impl IntoIterator<Item = &'a Contact>) -> Vec<Owner> {
    let mut keys: Vec<String> = contacts
        .into_iter()
        .filter_map(|c| c.owner.as_deref().map(key))
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter().map(|key| Owner { key }).collect()
}

/// A warning when no contact names `owner`: then their agenda holds only the unassigned
/// contacts, which is most often a name typed short (`sam` for Sam Ortiz). Names the owners.
pub fn unknown<'a>(
    owner: &Owner,
    contacts: impl IntoIterator<Item = &'a Contact>,
) -> Option<String> {
    let all = owners(contacts);
    if all.contains(owner) {
        return None;
    }
    let names: Vec<&str> = all.iter().map(Owner::key).collect();
    Some(format!(
        "no contact has the owner \"{}\", so this is only the contacts with no owner; {}",
        owner.key(),
        if names.is_empty() {
            "no contact has an owner".to_string()
        } else {
            format!("the owners are: {}", names.join(", "))
        }
    ))
}

/// True when `rel` (vault-relative) is a name touchbase gives an owner's agenda beside
/// `agenda_file`: `DUE-` and a key (lowercase letters, digits and single inner dashes), then
/// `.md`. Such files are never read as contacts. `DUE-Notes.md` is not one (no key has capitals).
pub fn is_agenda_file(agenda_file: &str, rel: &str) -> bool {
    rel.strip_prefix(stem(agenda_file))
        .and_then(|r| r.strip_prefix('-'))
        .and_then(|r| r.strip_suffix(".md"))
        .is_some_and(|k| !k.is_empty() && key(k) == k)
}

/// The agenda file without its `.md`, as `git setup`'s `DUE-*.md` pattern takes it.
fn stem(agenda_file: &str) -> &str {
    agenda_file.strip_suffix(".md").unwrap_or(agenda_file)
}

/// The owner key of a name (see the module's comment); empty for a name with no letter or
/// digit.
pub fn key(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    let mut chars = 0;
    // Folding decomposes (`é` is `e` and an accent); composing again keeps a Hangul name in
    // syllables rather than letters.
    for c in crate::lookup::fold(name).nfc() {
        if !c.is_alphanumeric() {
            dash = !out.is_empty();
            continue;
        }
        if chars + usize::from(dash) + 1 > MAX_KEY_CHARS {
            break;
        }
        if dash {
            out.push('-');
            chars += 1;
            dash = false;
        }
        out.push(c);
        chars += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_case_accents_and_separators() {
        let cases = [
            ("Tina Torres", "tina-torres"),
            ("  tina   TORRES ", "tina-torres"),
            ("Tína-Torres", "tina-torres"),
            ("tina_torres", "tina-torres"),
            ("O'Brien", "obrien"),
            ("tina.torres@acme.com", "tina-torres-acme-com"),
            ("José Núñez", "jose-nunez"),
            ("김민준", "김민준"),
            ("../../etc/passwd", "etc-passwd"),
            ("a/b\\c:d*e?f\"g<h>i|j", "a-b-c-d-e-f-g-h-i-j"),
            ("Ben\u{1b}[31m", "ben-31m"),
            ("!!!", ""),
            ("", ""),
        ];
        for (name, want) in cases {
            assert_eq!(key(name), want, "{name:?}");
        }
    }

    #[test]
    fn a_long_name_is_cut_to_a_key_of_48_characters_never_ending_in_a_dash() {
        let k = key(&"ab ".repeat(40));
        assert_eq!(k.chars().count(), 47, "{k}");
        assert!(!k.ends_with('-'));
        let k = key(&"김".repeat(100));
        assert_eq!(k.chars().count(), 48);
        assert!(k.len() <= 4 * 48, "far within a file name's 255 bytes");
    }

    #[test]
    fn an_owner_has_their_own_contacts_and_everyone_elses_unassigned_ones() {
        let tina = Owner::new("tina torres").unwrap();
        for (owner, want) in [
            (Some("Tina Torres"), true),
            (Some("TÍNA-torres"), true),
            (None, true),
            (Some(""), true),
            (Some("---"), true),
            (Some("Tina"), false),
            (Some("Tina Torres Jr"), false),
            (Some("Sam Ortiz"), false),
        ] {
            assert_eq!(tina.owns(owner), want, "{owner:?}");
        }
        assert_eq!(Owner::new(" - "), None);
    }

    #[test]
    fn owner_agenda_files_sit_beside_the_agenda() {
        let tina = Owner::new("Tina Torres").unwrap();
        assert_eq!(tina.agenda_file("DUE.md"), "DUE-tina-torres.md");
        assert_eq!(
            tina.agenda_file("agenda/Follow-ups.md"),
            "agenda/Follow-ups-tina-torres.md"
        );
        for (rel, want) in [
            ("DUE-tina-torres.md", true),
            ("DUE-sam.md", true),
            ("DUE-김민준.md", true),
            ("DUE.md", false),
            ("DUE-.md", false),
            ("DUE-Notes.md", false),
            ("DUE-tina--torres.md", false),
            ("DUE-tina-.md", false),
            ("DUE-a/b.md", false),
            ("notes/DUE-sam.md", false),
            ("DUE-sam.txt", false),
        ] {
            assert_eq!(is_agenda_file("DUE.md", rel), want, "{rel}");
        }
        assert!(is_agenda_file("a/TODO.md", "a/TODO-sam.md"));
        assert!(!is_agenda_file("a/TODO.md", "TODO-sam.md"));
    }

    #[test]
    fn owners_are_listed_once_each_in_key_order() {
        let contact = |owner: Option<&str>| Contact {
            owner: owner.map(str::to_string),
            ..Contact::default()
        };
        let all = [
            contact(Some("Sam Ortiz")),
            contact(None),
            contact(Some("tina torres")),
            contact(Some("SAM ORTIZ")),
            contact(Some("?")),
        ];
        let keys: Vec<String> = owners(&all).iter().map(|o| o.key().to_string()).collect();
        assert_eq!(keys, ["sam-ortiz", "tina-torres"]);
        let sam = Owner::new("sam ortiz").unwrap();
        assert_eq!(filter(&all, Some(&sam)).count(), 4);
        assert_eq!(filter(&all, None).count(), 5);
    }
}
