//! Find a contact by what the user typed: an exact file stem or name (case-insensitive) first,
//! then a unique prefix or substring of either. Pure.

use crate::model::Contact;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error(
        "no contact matches \"{query}\"{}",
        list(candidates, "; the closest names are")
    )]
    Unknown {
        query: String,
        candidates: Vec<String>,
    },
    #[error("\"{query}\" matches {} contacts{}", candidates.len(), list(candidates, ":"))]
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

fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md")
        .or_else(|| name.strip_suffix(".MD"))
        .unwrap_or(name)
}

fn shown(c: &Contact) -> String {
    format!("{} ({})", c.name, c.path)
}

/// The contact `query` names.
pub fn find<'a>(contacts: &[&'a Contact], query: &str) -> Result<&'a Contact, LookupError> {
    let q = query.trim().to_lowercase();
    let all = || contacts.iter().copied();
    let pick = |matches: Vec<&'a Contact>| -> Option<Result<&'a Contact, LookupError>> {
        match matches.len() {
            0 => None,
            1 => Some(Ok(matches[0])),
            _ => Some(Err(LookupError::Ambiguous {
                query: query.to_string(),
                candidates: matches.iter().map(|c| shown(c)).collect(),
            })),
        }
    };
    let exact: Vec<&Contact> = all()
        .filter(|c| stem(&c.path).to_lowercase() == q || c.name.to_lowercase() == q)
        .collect();
    if let Some(r) = pick(exact) {
        return r;
    }
    let prefix: Vec<&Contact> = all()
        .filter(|c| {
            stem(&c.path).to_lowercase().starts_with(&q) || c.name.to_lowercase().starts_with(&q)
        })
        .collect();
    if let Some(r) = pick(prefix) {
        return r;
    }
    let partial: Vec<&Contact> = all()
        .filter(|c| stem(&c.path).to_lowercase().contains(&q) || c.name.to_lowercase().contains(&q))
        .collect();
    if let Some(r) = pick(partial) {
        return r;
    }
    // Nothing matched: list the closest names.
    let mut scored: Vec<(usize, &Contact)> = all()
        .map(|c| (distance(&q, &c.name.to_lowercase()), c))
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    Err(LookupError::Unknown {
        query: query.to_string(),
        candidates: scored.iter().take(5).map(|(_, c)| shown(c)).collect(),
    })
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
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
}
