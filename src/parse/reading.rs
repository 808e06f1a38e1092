//! How a vault's own conventions are read (SPEC 10): which files are contacts, which keys of
//! other tools stand for touchbase's, and which notes are touches. Set by `[contacts]`,
//! `[fields]` and `[touches]` in `touchbase.toml`; the default reads touchbase's format only.

use std::collections::BTreeMap;

use serde::Serialize;

/// The touchbase keys that `[fields]` may map other keys to: every front-matter key, and
/// `last` (a date that counts as a touch).
pub const MAPPABLE: [&str; 19] = [
    "name",
    "company",
    "title",
    "email",
    "phone",
    "referred_by",
    "stage",
    "cadence",
    "next",
    "snooze",
    "stage_since",
    "met",
    "birthday",
    "dates",
    "interests",
    "tags",
    "aliases",
    "owner",
    "last",
];

/// The `link_keys` and `channel_keys` used when the config names none.
pub const DEFAULT_LINK_KEYS: [&str; 4] = ["people", "contacts", "attendees", "with"];
pub const DEFAULT_CHANNEL_KEYS: [&str; 4] = ["kind", "channel", "medium", "type"];

/// The settings that decide how a file is read. Part of the parse cache's key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reading {
    /// Vault-relative folders (no trailing `/`) whose Markdown files are all contacts.
    pub folders: Vec<String>,
    /// Front-matter key (lowercase) and the values (compared as `normal` makes them) that mark
    /// a contact; any one is enough.
    pub matches: Vec<(String, Vec<String>)>,
    /// As `matches`, for files that are never contacts.
    pub skip: Vec<(String, Vec<String>)>,
    /// Touchbase key -> other tools' keys (lowercase), tried in order.
    pub fields: BTreeMap<String, Vec<String>>,
    /// Dated notes that link to contacts are touches.
    pub notes: bool,
    pub link_keys: Vec<String>,
    pub channel_keys: Vec<String>,
}

impl Default for Reading {
    fn default() -> Self {
        Reading {
            folders: Vec::new(),
            matches: Vec::new(),
            skip: Vec::new(),
            fields: BTreeMap::new(),
            notes: false,
            link_keys: DEFAULT_LINK_KEYS.map(String::from).to_vec(),
            channel_keys: DEFAULT_CHANNEL_KEYS.map(String::from).to_vec(),
        }
    }
}

impl Reading {
    /// True when `path` is below one of `folders`.
    pub fn in_folder(&self, path: &str) -> bool {
        self.folders.iter().any(|f| below(f, path))
    }

    /// The other keys that stand for `key`, in order.
    pub fn aliases_of(&self, key: &str) -> &[String] {
        self.fields.get(key).map_or(&[], Vec::as_slice)
    }
}

/// Why a file is, or is not, a contact (SPEC 10), for `check --explain`.
#[derive(Debug, PartialEq, Eq)]
pub enum Why {
    /// A `contacts.skip` rule holds: never a contact.
    Skip { key: String, value: String },
    /// Its front matter has a `name` (or a key `[fields]` maps to it).
    Name(String),
    /// It is below this `contacts.folders` folder.
    Folder(String),
    /// A `contacts.match` rule holds.
    Match { key: String, value: String },
    /// No rule makes it a contact.
    Nothing,
}

impl Reading {
    /// Why the file at `path` is or is not a contact, in the order the rules apply. `values`
    /// gives a front-matter key's values made `normal`; `name` the key that names it, if any.
    pub fn why(
        &self,
        path: &str,
        name: Option<String>,
        values: impl Fn(&str) -> Vec<String>,
    ) -> Why {
        let first = |rules: &[(String, Vec<String>)]| {
            rules.iter().find_map(|(key, wanted)| {
                values(key)
                    .into_iter()
                    .find(|v| wanted.contains(v))
                    .map(|value| (key.clone(), value))
            })
        };
        if let Some((key, value)) = first(&self.skip) {
            return Why::Skip { key, value };
        }
        if let Some(key) = name {
            return Why::Name(key);
        }
        if let Some(folder) = self.folders.iter().find(|f| below(f, path)) {
            return Why::Folder(folder.clone());
        }
        match first(&self.matches) {
            Some((key, value)) => Why::Match { key, value },
            None => Why::Nothing,
        }
    }
}

/// True when `path` is below `folder`; every path is below `""` (`folders = ["."]`, the whole
/// vault).
fn below(folder: &str, path: &str) -> bool {
    folder.is_empty()
        || path
            .strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A value as `match` and `skip` compare it: trimmed, lowercased, a wikilink by its target
/// (`[[People|folks]]` is `people`), a tag without its `#`.
pub fn normal(value: &str) -> String {
    let v = value.trim();
    let v = v
        .strip_prefix("[[")
        .and_then(|s| s.strip_suffix("]]"))
        .map_or(v, |inner| {
            inner.split(['|', '#']).next().unwrap_or(inner).trim()
        });
    v.strip_prefix('#').unwrap_or(v).to_lowercase()
}

/// The values one front-matter text stands for, each made `normal`: a text with several
/// wikilinks (`"[[People]], [[Friends]]"`, typed into one text property) is each of them.
pub fn normals(value: &str) -> Vec<String> {
    let v = value.trim();
    if v.starts_with("[[") && v.matches("[[").count() > 1 {
        let links: Vec<String> = crate::links::scan_body(v, 1)
            .links
            .into_iter()
            .filter_map(|l| match l.target {
                crate::links::Target::Wiki(t) => Some(normal(&format!("[[{t}]]"))),
                crate::links::Target::Path(_) => None,
            })
            .collect();
        if !links.is_empty() {
            return links;
        }
    }
    vec![normal(v)]
}

/// True when any (key, values) rule holds for `get`: the key's value equals one of the values,
/// or is a list that contains one. `get` gives a key's values already made `normal`.
pub fn any_rule(rules: &[(String, Vec<String>)], get: impl Fn(&str) -> Vec<String>) -> bool {
    rules.iter().any(|(key, wanted)| {
        let have = get(key);
        have.iter().any(|h| wanted.contains(h))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_compare_by_wikilink_target_case_and_tag() {
        for (a, b) in [
            ("[[People]]", "people"),
            (" [[People|folks]] ", "people"),
            ("[[People#Friends]]", "people"),
            ("#Person", "person"),
            ("Person", "person"),
        ] {
            assert_eq!(normal(a), b, "{a}");
        }
    }

    #[test]
    fn a_text_with_several_wikilinks_is_each_of_them() {
        assert_eq!(normals("[[People]], [[Friends|f]]"), ["people", "friends"]);
        assert_eq!(normals(" [[People]] "), ["people"]);
        assert_eq!(normals("#Person"), ["person"]);
    }

    #[test]
    fn folders_match_whole_path_segments() {
        let r = Reading {
            folders: vec!["People".into(), "Work/Clients".into()],
            ..Reading::default()
        };
        assert!(r.in_folder("People/Jane.md"));
        assert!(r.in_folder("People/Old/Jane.md"));
        assert!(r.in_folder("Work/Clients/Acme.md"));
        assert!(!r.in_folder("PeopleOld/Jane.md"));
        assert!(!r.in_folder("People.md"));
        assert!(!r.in_folder("Work/Jane.md"));
    }

    /// `check --explain` gives the rule that made a file a contact: `folders = ["."]` (kept
    /// as `""`) is the whole vault, for `why` as for `in_folder`.
    #[test]
    fn why_names_the_folder_that_makes_a_contact() {
        let none = |_: &str| Vec::new();
        for (folder, path, holds) in [
            ("People", "People/Jane.md", true),
            ("People", "PeopleOld/Jane.md", false),
            ("", "Jane.md", true),
            ("", "Daily/2026-11-02.md", true),
        ] {
            let r = Reading {
                folders: vec![folder.to_string()],
                ..Reading::default()
            };
            let expected = if holds {
                Why::Folder(folder.to_string())
            } else {
                Why::Nothing
            };
            assert_eq!(r.in_folder(path), holds, "{folder} {path}");
            assert_eq!(r.why(path, None, none), expected, "{folder} {path}");
        }
    }

    #[test]
    fn why_and_in_folder_agree_on_the_whole_vault_as_a_folder() {
        // `folders = ["."]` is read as "": every file is below it.
        let r = Reading {
            folders: vec![String::new()],
            ..Reading::default()
        };
        for path in ["Jane.md", "sub/x.md"] {
            assert!(r.in_folder(path), "{path}");
            assert_eq!(
                r.why(path, None, |_| Vec::new()),
                Why::Folder(String::new())
            );
        }
    }

    #[test]
    fn any_rule_matches_a_value_or_a_list_item() {
        let rules = vec![
            ("type".to_string(), vec!["person".to_string()]),
            ("tags".to_string(), vec!["client".to_string()]),
        ];
        let get = |pairs: &'static [(&'static str, &'static [&'static str])]| {
            move |k: &str| {
                pairs
                    .iter()
                    .filter(|(key, _)| *key == k)
                    .flat_map(|(_, v)| v.iter().map(|s| normal(s)))
                    .collect::<Vec<_>>()
            }
        };
        assert!(any_rule(&rules, get(&[("type", &["Person"])])));
        assert!(any_rule(&rules, get(&[("tags", &["lead", "#client"])])));
        assert!(!any_rule(&rules, get(&[("type", &["company"])])));
        assert!(!any_rule(&rules, get(&[])));
    }
}
