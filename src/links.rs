//! PLACEHOLDER: replaced by the full module from the links branch.

use std::collections::HashMap;

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NoteBody {
    pub title: Option<String>,
    pub links: Vec<Link>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    pub target: Target,
    pub line: usize,
}

#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Target {
    Wiki(String),
    Path(String),
}

pub fn scan_body(body: &str, body_line: usize) -> NoteBody {
    let mut out = NoteBody::default();
    for (n, line) in body.lines().enumerate() {
        if out.title.is_none()
            && let Some(t) = line.strip_prefix("# ")
        {
            out.title = Some(t.trim().to_string());
        }
        if line.trim_start().starts_with("- [ ]") || line.trim_start().starts_with('>') {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("[[") {
            let embed = i > 0 && rest.as_bytes()[i - 1] == b'!';
            rest = &rest[i + 2..];
            if let Some(j) = rest.find("]]") {
                if !embed && let Some(t) = value_target(&format!("[[{}]]", &rest[..j])) {
                    out.links.push(Link {
                        target: t,
                        line: body_line + n,
                    });
                }
                rest = &rest[j + 2..];
            }
        }
    }
    out
}

pub fn value_target(value: &str) -> Option<Target> {
    let v = value.trim();
    let inner = v
        .strip_prefix("[[")
        .and_then(|s| s.strip_suffix("]]"))
        .unwrap_or(v);
    let t = inner.split(['|', '#', '^']).next().unwrap_or("").trim();
    (!t.is_empty()).then(|| Target::Wiki(t.to_string()))
}

pub struct Resolver {
    keys: Vec<HashMap<String, Vec<String>>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved<'a> {
    Contact(&'a str),
    Nothing,
    Ambiguous(Vec<&'a str>),
}

impl Resolver {
    pub fn new<'a>(
        contacts: impl IntoIterator<Item = (&'a str, &'a str, &'a [String])>,
    ) -> Resolver {
        let mut keys = vec![HashMap::new(); 4];
        for (path, name, aliases) in contacts {
            let bare = path.strip_suffix(".md").unwrap_or(path).to_lowercase();
            let stem = bare.rsplit('/').next().unwrap_or(&bare).to_string();
            let mut add = |i: usize, k: String| {
                keys[i]
                    .entry(k)
                    .or_insert_with(Vec::new)
                    .push(path.to_string())
            };
            add(0, bare.clone());
            add(1, stem);
            for a in aliases {
                add(2, a.to_lowercase());
            }
            add(3, name.to_lowercase());
        }
        Resolver { keys }
    }

    pub fn resolve(&self, _from: &str, target: &Target) -> Resolved<'_> {
        let Target::Wiki(t) = target else {
            return Resolved::Nothing;
        };
        let t = t.to_lowercase();
        let t = t.strip_suffix(".md").unwrap_or(&t);
        for map in &self.keys {
            if let Some(paths) = map.get(t) {
                return match paths.as_slice() {
                    [one] => Resolved::Contact(one),
                    many => Resolved::Ambiguous(many.iter().map(String::as_str).collect()),
                };
            }
        }
        Resolved::Nothing
    }
}
