//! `touchbase.toml`: parsed from a string into settings merged with the defaults. Reading the
//! file is the caller's job (vault.rs). Unknown keys and bad values are errors naming the key.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::duration::{Cadence, Duration};
use crate::model::{Channel, Channels};

pub const FILE_NAME: &str = "touchbase.toml";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Links {
    #[default]
    Markdown,
    Wiki,
}

/// How DUE.md links to contacts: the link kind, and how many folders deep the agenda file is
/// (a relative link from `agenda/DUE.md` starts with `../`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkStyle {
    pub links: Links,
    pub depth: usize,
}

impl From<Links> for LinkStyle {
    fn from(links: Links) -> LinkStyle {
        LinkStyle { links, depth: 0 }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Raw {
    ignore: Vec<String>,
    agenda: RawAgenda,
    cadence: RawCadence,
    channels: BTreeMap<Channel, Vec<String>>,
    add: RawAdd,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawAdd {
    folder: Option<String>,
    template: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawAgenda {
    file: Option<String>,
    horizon: Option<Duration>,
    dates_horizon: Option<Duration>,
    links: Option<Links>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawCadence {
    default: Option<Cadence>,
    first_follow_up: Option<Duration>,
    stages: BTreeMap<String, Cadence>,
}

/// Resolved settings: the defaults with the file's values on top.
#[derive(Clone, Debug)]
pub struct Config {
    pub ignore: Vec<String>,
    pub agenda_file: String,
    pub horizon: Duration,
    pub dates_horizon: Duration,
    pub links: Links,
    pub default_cadence: Cadence,
    pub first_follow_up: Duration,
    /// Cadence per stage (lowercase), defaults merged with the file's.
    pub stages: BTreeMap<String, Cadence>,
    pub channels: Channels,
    /// Where `add` creates contacts, relative to the vault.
    pub add_folder: String,
    /// A Markdown file `add` starts from, relative to the vault (`None`: the built-in one).
    pub add_template: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self::from_raw(Raw::default())
    }
}

/// A config error: the 1-based line (when known) and a message that names the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct ConfigError {
    pub line: Option<usize>,
    pub message: String,
}

pub fn default_stages() -> BTreeMap<String, Cadence> {
    [
        ("lead", Cadence::Every(Duration::Weeks(1))),
        ("prospect", Cadence::Every(Duration::Weeks(3))),
        ("client", Cadence::Every(Duration::Weeks(6))),
        ("past-client", Cadence::Every(Duration::Months(3))),
        ("partner", Cadence::Every(Duration::Months(1))),
        ("lost", Cadence::Never),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

impl Config {
    /// How the agenda links to contacts, from where it is written.
    pub fn link_style(&self) -> LinkStyle {
        let depth = std::path::Path::new(&self.agenda_file)
            .components()
            .filter(|c| matches!(c, std::path::Component::Normal(_)))
            .count()
            .saturating_sub(1);
        LinkStyle {
            links: self.links,
            depth,
        }
    }

    /// Parse the text of a `touchbase.toml`.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| 1 + crate::parse::bytecount_newlines(&text.as_bytes()[..s.start]));
            let key = line.and_then(|l| key_at(text, l));
            let message = e.message().trim().to_string();
            let message = match key {
                Some(key)
                    if !message
                        .contains(&format!("`{}`", key.rsplit('.').next().unwrap_or(&key))) =>
                {
                    format!("`{key}`: {message}")
                }
                Some(key) => format!(
                    "in `{}`: {message}",
                    key.rsplit_once('.').map_or("the top level", |(t, _)| t)
                ),
                None => message,
            };
            ConfigError { line, message }
        })?;
        for (key, value) in [
            ("agenda.file", &raw.agenda.file),
            ("add.folder", &raw.add.folder),
            ("add.template", &raw.add.template),
        ] {
            if let Some(v) = value
                && !is_inside(v)
            {
                let leaf = key.rsplit('.').next().unwrap_or(key);
                return Err(ConfigError {
                    line: line_of(text, leaf, v),
                    message: if v.trim().is_empty() {
                        format!("`{key}` is empty: give a file name inside the vault")
                    } else {
                        format!("`{key}`: \"{v}\" must be a path inside the vault")
                    },
                });
            }
        }
        // Where touchbase writes: never a dot-entry (`.git/`, `.obsidian/`, its own lock file),
        // which it never reads either; and the agenda is a Markdown file.
        for (key, value) in [
            ("agenda.file", &raw.agenda.file),
            ("add.folder", &raw.add.folder),
        ] {
            let Some(v) = value else { continue };
            let hidden = v
                .split(['/', '\\'])
                .any(|part| part.starts_with('.') && part != ".");
            let not_md = key == "agenda.file" && !v.to_ascii_lowercase().ends_with(".md");
            if hidden || not_md {
                let leaf = key.rsplit('.').next().unwrap_or(key);
                return Err(ConfigError {
                    line: line_of(text, leaf, v),
                    message: if hidden {
                        format!(
                            "`{key}`: \"{v}\" is inside a hidden (dot) folder or file, which touchbase never writes"
                        )
                    } else {
                        format!("`{key}`: \"{v}\" must be a Markdown file (ending in .md)")
                    },
                });
            }
        }
        Ok(Self::from_raw(raw))
    }

    fn from_raw(raw: Raw) -> Config {
        let mut stages = default_stages();
        stages.extend(
            raw.cadence
                .stages
                .into_iter()
                .map(|(k, v)| (k.to_lowercase(), v)),
        );
        let extra: Vec<(Channel, String)> = raw
            .channels
            .into_iter()
            .flat_map(|(ch, words)| words.into_iter().map(move |w| (ch, w)))
            .collect();
        Config {
            ignore: raw.ignore,
            // Kept in one spelling (`a/./DUE.md` is `a/DUE.md`), so that the walk knows it.
            agenda_file: raw.agenda.file.map_or_else(
                || "DUE.md".to_string(),
                |f| {
                    f.split('/')
                        .filter(|p| !p.is_empty() && *p != ".")
                        .collect::<Vec<_>>()
                        .join("/")
                },
            ),
            horizon: raw.agenda.horizon.unwrap_or(Duration::Days(7)),
            dates_horizon: raw.agenda.dates_horizon.unwrap_or(Duration::Days(14)),
            links: raw.agenda.links.unwrap_or_default(),
            default_cadence: raw
                .cadence
                .default
                .unwrap_or(Cadence::Every(Duration::Weeks(3))),
            first_follow_up: raw.cadence.first_follow_up.unwrap_or(Duration::Days(2)),
            stages,
            channels: Channels::with_extra(extra.iter().map(|(c, w)| (*c, w.as_str()))),
            add_folder: raw.add.folder.unwrap_or_else(|| "contacts".to_string()),
            add_template: raw.add.template,
        }
    }

    /// The cadence for a stage: the config's (or built-in) stage cadence, else the default.
    pub fn stage_cadence(&self, stage: &str) -> Cadence {
        self.stages
            .get(stage)
            .copied()
            .unwrap_or(self.default_cadence)
    }

    pub fn knows_stage(&self, stage: &str) -> bool {
        self.stages.contains_key(stage)
    }

    /// The stages the config knows (its own and the built-in ones), in name order.
    pub fn stage_names(&self) -> Vec<&str> {
        self.stages.keys().map(String::as_str).collect()
    }
}

/// The 1-based line that sets `leaf` to `value`.
fn line_of(text: &str, leaf: &str, value: &str) -> Option<usize> {
    text.lines()
        .position(|l| l.trim_start().starts_with(leaf) && l.contains(value))
        .map(|n| n + 1)
}

/// A relative path that stays inside the vault: no root, no drive, no `..`.
fn is_inside(path: &str) -> bool {
    let p = std::path::Path::new(path);
    !path.is_empty()
        && p.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
}

/// The dotted key defined on 1-based `line` of a TOML text: `[table]` headers above it plus the
/// key before `=` on that line (or the header itself).
fn key_at(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let here = lines.get(line.checked_sub(1)?)?.trim();
    let table = lines[..line - 1]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(['[', ']']).trim().to_string());
    if here.starts_with('[') {
        return Some(here.trim_matches(['[', ']']).trim().to_string());
    }
    let key = here.split('=').next()?.trim().trim_matches('"');
    if key.is_empty() {
        return table;
    }
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let c = Config::from_toml("").unwrap();
        assert_eq!(c.agenda_file, "DUE.md");
        let c = Config::from_toml("[agenda]\nfile = \"./a/./DUE.md\"\n").unwrap();
        assert_eq!(c.agenda_file, "a/DUE.md");
        assert_eq!(c.horizon, Duration::Days(7));
        assert_eq!(
            c.stage_cadence("client"),
            Cadence::Every(Duration::Weeks(6))
        );
        assert_eq!(c.stage_cadence("lost"), Cadence::Never);
        assert_eq!(
            c.stage_cadence("nobody-defined"),
            Cadence::Every(Duration::Weeks(3))
        );
        assert_eq!(c.links, Links::Markdown);
    }

    #[test]
    fn tables_merge_with_defaults() {
        let c = Config::from_toml(
            "[cadence.stages]\npartner = \"10d\"\nvip = \"2w\"\n[channels]\nmeeting = [\"golf\"]\n",
        )
        .unwrap();
        assert_eq!(
            c.stage_cadence("partner"),
            Cadence::Every(Duration::Days(10))
        );
        assert_eq!(
            c.stage_cadence("client"),
            Cadence::Every(Duration::Weeks(6))
        );
        assert_eq!(c.stage_cadence("vip"), Cadence::Every(Duration::Weeks(2)));
        assert_eq!(c.channels.lookup("golf"), Some(Channel::Meeting));
        assert_eq!(c.channels.lookup("coffee"), Some(Channel::Meeting));
    }

    #[test]
    fn errors_name_the_key_and_line() {
        let cases = [
            ("[agenda]\nhorizon = \"7x\"\n", Some(2), "agenda.horizon"),
            (
                "[agenda]\nfile = \"DUE.md\"\nhorizn = \"7d\"\n",
                Some(3),
                "horizn",
            ),
            ("colour = true\n", Some(1), "colour"),
            (
                "[cadence.stages]\nlead = \"often\"\n",
                Some(2),
                "cadence.stages.lead",
            ),
            ("[channels]\nfax = [\"fax\"]\n", Some(2), "fax"),
            ("[agenda]\nlinks = \"html\"\n", Some(2), "agenda.links"),
            ("[agenda\n", Some(1), ""),
            ("[add]\nfolder = \"../outside\"\n", Some(2), "add.folder"),
            ("[add]\nfolder = \"/etc\"\n", Some(2), "add.folder"),
            ("[agenda]\nfile = \"\"\n", Some(2), "`agenda.file` is empty"),
            ("[agenda]\nfile = \"../x.md\"\n", Some(2), "agenda.file"),
            ("[agenda]\nfile = \"/tmp/x.md\"\n", Some(2), "agenda.file"),
            (
                "[agenda]\nfile = \".touchbase.lock\"\n",
                Some(2),
                "hidden (dot)",
            ),
            (
                "[agenda]\nfile = \".git/hooks/DUE.md\"\n",
                Some(2),
                "hidden (dot)",
            ),
            ("[agenda]\nfile = \".\"\n", Some(2), "agenda.file"),
            ("[agenda]\nfile = \"agenda\"\n", Some(2), "ending in .md"),
            ("[add]\nfolder = \".obsidian\"\n", Some(2), "hidden (dot)"),
        ];
        for (text, line, key) in cases {
            let e = Config::from_toml(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.to_string().contains(key), "{text:?}: {e}");
        }
    }
}
