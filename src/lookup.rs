//! Find a contact by what the user typed (SPEC 8, "Finding a contact"): its path or file name as
//! typed or tab-completed, its file stem, its name or one of its aliases, compared after
//! [`fold`]ing. An exact match wins, then a unique prefix, then a unique part; two or more is
//! always an error listing them; nothing is an error listing the closest names. Pure.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::model::Contact;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error("no contact given: name one (its name, an alias, or its file)")]
    Empty,
    #[error(
        "no contact matches \"{query}\"{}",
        list(candidates, "; the closest names are")
    )]
    Unknown {
        query: String,
        candidates: Vec<String>,
    },
    #[error(
        "\"{query}\" matches {} contacts{}",
        candidates.len(),
        list(candidates, ":")
    )]
    Ambiguous {
        query: String,
        candidates: Vec<String>,
    },
}

fn list(candidates: &[String], lead: &str) -> String {
    if candidates.is_empty() {
        String::new()
    } else {
        format!("{lead}\n  {}", candidates.join("\n  "))
    }
}

/// Text as lookups compare it: accents dropped whatever the normalisation form (`Zoë`, typed
/// either way, is `zoe`), lower case, apostrophes of every style dropped (`O’Brien` is
/// `obrien`), and dashes of every style, underscores and runs of white space made one space
/// (`marco-rossi` is `marco rossi`).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfd() {
        if c.general_category() == GeneralCategory::NonspacingMark {
            continue;
        }
        let apostrophe = matches!(c, '\'' | '’' | '‘' | 'ʼ' | '′' | '`' | '´' | 'ʹ');
        if apostrophe {
            continue;
        }
        let dash = c == '_' || c.general_category() == GeneralCategory::DashPunctuation;
        if dash || c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The last part of a vault-relative path.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The file name without its `.md`: `people/jane-doe.md` is `jane-doe`.
pub fn stem(path: &str) -> &str {
    crate::parse::file_stem(path)
}

fn shown(c: &Contact) -> String {
    format!("{} ({})", c.name, c.path)
}

/// What a contact is found by, folded: the names (name and aliases), and the file's forms.
struct Keys<'a> {
    contact: &'a Contact,
    names: Vec<String>,
    files: Vec<String>,
}

impl<'a> Keys<'a> {
    fn of(c: &'a Contact) -> Keys<'a> {
        let mut names = vec![fold(&c.name), fold(stem(&c.path))];
        names.extend(c.aliases.iter().map(|a| fold(a)));
        let files = vec![fold(&c.path), fold(file_name(&c.path))];
        Keys {
            contact: c,
            names,
            files,
        }
    }
}

/// The contact `query` names.
pub fn find<'a>(contacts: &[&'a Contact], query: &str) -> Result<&'a Contact, LookupError> {
    let q = fold(query.trim().trim_start_matches("./"));
    if q.is_empty() {
        return Err(LookupError::Empty);
    }
    // A path or file name exactly as it is on disk tells apart even files that fold alike.
    let typed = query.trim().trim_start_matches("./");
    let on_disk: Vec<&'a Contact> = contacts
        .iter()
        .copied()
        .filter(|c| c.path == typed || file_name(&c.path) == typed)
        .collect();
    if let [one] = on_disk.as_slice() {
        return Ok(one);
    }
    let keys: Vec<Keys<'a>> = contacts.iter().map(|c| Keys::of(c)).collect();
    let tiers: [&dyn Fn(&Keys<'_>) -> bool; 3] = [
        &|k| k.names.iter().chain(&k.files).any(|n| *n == q),
        &|k| k.names.iter().any(|n| n.starts_with(&q)),
        &|k| k.names.iter().any(|n| n.contains(&q)),
    ];
    for matches in tiers {
        let found: Vec<&Contact> = keys
            .iter()
            .filter(|k| matches(k))
            .map(|k| k.contact)
            .collect();
        match found.as_slice() {
            [] => {}
            [one] => return Ok(one),
            many => {
                // In the vault's path order, as the contacts come.
                let candidates: Vec<String> = many.iter().map(|c| shown(c)).collect();
                return Err(LookupError::Ambiguous {
                    query: query.to_string(),
                    candidates,
                });
            }
        }
    }
    // Nothing matched: the closest names first, by a similarity that favours a shared start
    // (Jaro-Winkler), the best of each contact's names.
    let mut scored: Vec<(f64, &Contact)> = keys
        .iter()
        .map(|k| {
            let best = k
                .names
                .iter()
                .map(|n| strsim::jaro_winkler(&q, n))
                .fold(0.0, f64::max);
            (best, k.contact)
        })
        .collect();
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.name.cmp(&b.1.name))
            .then_with(|| a.1.path.cmp(&b.1.path))
    });
    Err(LookupError::Unknown {
        query: query.to_string(),
        candidates: scored.iter().take(5).map(|(_, c)| shown(c)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str, path: &str) -> Contact {
        Contact {
            name: name.into(),
            path: path.into(),
            ..Contact::default()
        }
    }

    #[test]
    fn lookups() {
        let contacts = [
            c("Jane Doe", "contacts/jane-doe.md"),
            c("Janet Smith", "contacts/janet.md"),
            c("Bob Baker", "leads/bob.md"),
            c("Bobby Tables", "leads/bobby.md"),
            c("Al", "al.md"),
            c("Alan Alda", "alan.md"),
        ];
        let contacts: Vec<&Contact> = contacts.iter().collect();
        let found = |q: &str| find(&contacts, q).map(|c| c.name.as_str());
        assert_eq!(found("jane-doe"), Ok("Jane Doe"));
        assert_eq!(found("JANE DOE"), Ok("Jane Doe"));
        assert_eq!(found("janet"), Ok("Janet Smith"));
        assert_eq!(
            found("bob"),
            Ok("Bob Baker"),
            "an exact stem beats a prefix"
        );
        assert_eq!(found("al"), Ok("Al"), "an exact name beats a prefix");
        assert_eq!(found("tables"), Ok("Bobby Tables"));
        assert_eq!(found("smith"), Ok("Janet Smith"));
        match find(&contacts, "jan") {
            Err(LookupError::Ambiguous { candidates, .. }) => assert_eq!(candidates.len(), 2),
            other => panic!("{other:?}"),
        }
        match find(&contacts, "bob bakr") {
            Err(e @ LookupError::Unknown { .. }) => {
                assert!(
                    e.to_string()
                        .contains("the closest names are\n  Bob Baker (leads/bob.md)"),
                    "{e}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn folding() {
        let cases = [
            ("Zoë O'Brien", "zoe obrien"),
            ("Zoe\u{308} O’Brien", "zoe obrien"),
            ("ZOË  O‘BRIEN", "zoe obrien"),
            ("marco-rossi", "marco rossi"),
            ("Anne–Marie_Dupont", "anne marie dupont"),
            ("  José  Núñez ", "jose nunez"),
            ("contacts/marco-rossi.md", "contacts/marco rossi.md"),
            ("李小龙", "李小龙"),
        ];
        for (text, want) in cases {
            assert_eq!(fold(text), want, "{text:?}");
        }
    }

    #[test]
    fn folded_names_paths_and_aliases_find_the_contact() {
        let mut zoe = c("Zoë O’Brien", "contacts/zoë-obrien.md");
        zoe.aliases = vec!["Zo".into(), "The Boss".into()];
        let contacts = [
            zoe,
            c("Marco Rossi", "contacts/marco-rossi.md"),
            c("Lena Lind", "people/lena.md"),
            c("Leonard Nimoy", "people/leonard.md"),
        ];
        let contacts: Vec<&Contact> = contacts.iter().collect();
        let found = |q: &str| find(&contacts, q).map(|c| c.name.as_str());
        for q in [
            "zoe obrien",
            "Zoe O'Brien",
            "zoe\u{308}",
            "the boss",
            "contacts/zoë-obrien.md",
            "./contacts/zoe-obrien.md",
            "zoë-obrien.md",
        ] {
            assert_eq!(found(q), Ok("Zoë O’Brien"), "{q:?}");
        }
        for q in [
            "contacts/marco-rossi.md",
            "marco-rossi.md",
            "marco-rossi",
            "rossi",
        ] {
            assert_eq!(found(q), Ok("Marco Rossi"), "{q:?}");
        }
        assert_eq!(find(&contacts, "  "), Err(LookupError::Empty));
        // Closest names: a shared start counts most.
        let closest = |q: &str| match find(&contacts, q) {
            Err(LookupError::Unknown { candidates, .. }) => candidates[0].clone(),
            other => panic!("{q}: {other:?}"),
        };
        assert_eq!(closest("marko"), "Marco Rossi (contacts/marco-rossi.md)");
        assert_eq!(closest("lenna"), "Lena Lind (people/lena.md)");
    }

    #[test]
    fn two_contacts_under_one_folding_are_never_guessed_between() {
        let contacts = [
            c("Zoë O'Brien", "contacts/zoë-obrien.md"),
            c("Zoe OBrien", "contacts/zoe-obrien.md"),
        ];
        let contacts: Vec<&Contact> = contacts.iter().collect();
        for q in ["zoe", "zoe obrien", "obrien"] {
            assert!(
                matches!(find(&contacts, q), Err(LookupError::Ambiguous { .. })),
                "{q}"
            );
        }
        // The file as it is on disk still tells them apart.
        for (q, name) in [
            ("contacts/zoe-obrien.md", "Zoe OBrien"),
            ("zoë-obrien.md", "Zoë O'Brien"),
        ] {
            assert_eq!(find(&contacts, q).map(|c| c.name.as_str()), Ok(name));
        }
    }
}
