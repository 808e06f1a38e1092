//! One module per subcommand: glue between the command line, the vault and the pure core.

pub mod add;
pub mod check;
pub mod completions;
pub mod draft;
pub mod due;
pub mod explain;
pub mod git;
pub mod ics;
pub mod import;
pub mod init;
pub mod list;
pub mod log;
pub mod merge_file;
pub mod show;
pub mod snooze;
pub mod stats;
pub mod today;
pub mod watch;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::NaiveDate;

use crate::cli::Global;
use crate::vault::{Cache, Vault};

/// Settings resolved once from flags, environment and defaults.
pub struct Context {
    /// `--vault` or `TOUCHBASE_VAULT`, else the current folder (where `init` makes a vault).
    pub vault_dir: PathBuf,
    /// True when `--vault` or `TOUCHBASE_VAULT` named the vault.
    pub vault_given: bool,
    pub today: NaiveDate,
    /// True when `--today` or `TOUCHBASE_TODAY` fixed the date.
    pub today_fixed: bool,
    pub quiet: bool,
    pub verbose: bool,
    /// Where the parse cache is kept between runs; `None` with `--no-cache` or when the user
    /// has no cache folder.
    pub cache_dir: Option<PathBuf>,
}

impl Context {
    pub fn from_global(g: &Global) -> Context {
        Context {
            vault_dir: g.vault.clone().unwrap_or_else(|| PathBuf::from(".")),
            vault_given: g.vault.is_some(),
            // The shell is the only place that reads the clock.
            today: g.today.unwrap_or_else(|| chrono::Local::now().date_naive()),
            today_fixed: g.today.is_some(),
            quiet: g.quiet,
            verbose: g.verbose,
            cache_dir: if g.no_cache { None } else { cache_dir() },
        }
    }

    pub fn open_vault(&self) -> Result<Vault> {
        Vault::open(&self.vault_root()?)
    }

    /// The vault: as given, else the nearest folder at or above the current one that holds a
    /// `touchbase.toml` (as git finds its repository). Never a folder by accident: with none,
    /// the command stops and says how to make one.
    pub fn vault_root(&self) -> Result<PathBuf> {
        if self.vault_given {
            return Ok(self.vault_dir.clone());
        }
        let here = std::env::current_dir()?;
        here.ancestors()
            .find(|dir| dir.join(crate::config::FILE_NAME).is_file())
            .map(Path::to_path_buf)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "no vault here: no {} in {} or any folder above it; run `touchbase init` to \
                     make this folder a vault, or name one with --vault DIR (or \
                     TOUCHBASE_VAULT)",
                    crate::config::FILE_NAME,
                    crate::term::clean(&here.display().to_string())
                )
            })
    }

    /// The vault's files, parsed: unchanged ones from the cache, the others read now; then the
    /// cache is saved for the next run. A cache that cannot be written costs speed, not
    /// correctness, so it is reported only with `--verbose`.
    pub fn load(&self, vault: &Vault) -> Cache {
        let mut cache = vault.load(self.cache_dir.as_deref());
        let saved = cache.save();
        if self.verbose {
            let from_cache = cache.len() - cache.reads();
            let store = cache
                .store_path()
                .map_or_else(|| "no cache".to_string(), |p| p.display().to_string());
            eprintln!(
                "touchbase: {} files: {} read, {from_cache} from the cache ({store})",
                cache.len(),
                cache.reads()
            );
            match saved {
                Ok(Some(n)) => eprintln!("touchbase: cache saved: {n} files"),
                Ok(None) => {}
                Err(e) => eprintln!("touchbase: cannot write the cache: {e}"),
            }
        }
        cache
    }
}

/// `TOUCHBASE_CACHE_DIR`, else `touchbase` in the user's cache folder.
fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("TOUCHBASE_CACHE_DIR") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::cache_dir().map(|d| d.join("touchbase")),
    }
}

/// The vault read in full, for commands that look a contact up.
pub struct Loaded {
    pub vault: Vault,
    pub cache: Cache,
}

impl Loaded {
    pub fn open(ctx: &Context) -> Result<Loaded> {
        let vault = ctx.open_vault()?;
        let cache = ctx.load(&vault);
        Ok(Loaded { vault, cache })
    }

    /// The contact `query` names; an unknown or ambiguous name is an error listing candidates.
    pub fn find(&self, query: &str) -> Result<&crate::model::Contact> {
        let contacts: Vec<&crate::model::Contact> = self.cache.contacts().collect();
        crate::lookup::find(&contacts, query).map_err(|mut e| {
            use crate::lookup::LookupError;
            // The candidates are listed one per line: a newline or an escape sequence in a name
            // must neither split a line nor reach the terminal.
            let candidates = match &mut e {
                LookupError::Empty => return anyhow::Error::new(crate::exit::Usage(e.to_string())),
                LookupError::Unknown { candidates, .. }
                | LookupError::Ambiguous { candidates, .. } => candidates,
            };
            for c in candidates {
                *c = crate::term::clean(c).into_owned();
            }
            let broken = self.cache.problems().len();
            if broken > 0 && matches!(e, LookupError::Unknown { .. }) {
                let files = crate::render::plural(broken, "file has", "files have");
                anyhow::anyhow!(
                    "{e}\n({files} problems and {} not searched: run `touchbase check`)",
                    if broken == 1 { "is" } else { "are" }
                )
            } else {
                anyhow::anyhow!("{e}")
            }
        })
    }
}

/// A refusal when any of these command-line values holds a control character (an escape
/// sequence, a tab, a line break inside an argument): it would go into a contact file as it is.
pub fn control_characters<'a>(
    values: impl IntoIterator<Item = (&'a str, &'a String)>,
) -> Option<String> {
    values.into_iter().find_map(|(what, text)| {
        text.chars().find(|c| c.is_control()).map(|c| {
            format!(
                "{what} holds a control character ({}): touchbase writes only printable text \
                 into contact files; nothing was written",
                c.escape_unicode()
            )
        })
    })
}

/// Print `Name: due …` for a contact a command has just written.
pub fn say_due(c: &crate::model::Contact, today: NaiveDate, config: &crate::config::Config) {
    let status = crate::schedule::status(c, today, config);
    println!(
        "{}: {}",
        crate::term::clean(&c.name),
        due_words(&status, today)
    );
}

/// The due date of a contact and why, and how to follow up, in the words DUE.md uses: `due Tue
/// 1 Dec 2026 (in 7 days): next step: call - send the pricing sheet · touch #4`. Text from the
/// vault in it is shown with `term::clean`.
pub fn due_words(s: &crate::schedule::Status<'_>, today: NaiveDate) -> String {
    use crate::render::words::{self, FollowUp};
    let Some(due) = s.due else {
        return "not scheduled (cadence never, no pending next step)".to_string();
    };
    let days = (due - today).num_days();
    let when = match days {
        0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        -1 => "1 day overdue".to_string(),
        d if d < 0 => format!("{} days overdue", -d),
        d => format!("in {d} days"),
    };
    let snoozed = if s.snoozed { ", snoozed" } else { "" };
    let clean = |out: &mut String, text: &str| out.push_str(&crate::term::clean(text));
    let f = FollowUp::of_status(s, today);
    let mut out = format!("due {} ({when}{snoozed}): ", due.format("%a %-d %b %Y"));
    words::why_into(&mut out, &f, &clean);
    out.push_str(&format!(" · touch #{}", s.touches + 1));
    words::how_into(&mut out, &f, " · ", &clean);
    out
}

/// Write to stdout; a closed pipe (`touchbase due --stdout | head`) is not an error.
pub fn print_stdout(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// What commands print about a contact's follow-up: the same words as DUE.md.
    #[test]
    fn due_words_say_why_and_how() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let seq = "[sequence]\nprospect = [\"2d email - thanks\", \"1w call\", \"2w\"]\n";
        // (config, front matter, body, words)
        let cases = [
            (
                "",
                "next: 2026-12-01 call - the quote\n",
                "## 2026-11-20 call\n",
                "due Tue 1 Dec 2026 (in 7 days): next step: call - the quote · touch #2",
            ),
            (
                "",
                "next: 2026-11-20 - the quote\n",
                "## 2026-11-10 call\n",
                "due Fri 20 Nov 2026 (4 days overdue): you said you would follow up on 2026-11-20 - the quote · touch #2 · try: email",
            ),
            (
                "",
                "cadence: 1w-2w\n",
                "## 2026-11-01 call\n",
                "due Sun 8 Nov 2026 (16 days overdue): every 1w-2w, late (over 2w) · touch #2 · try: email",
            ),
            (
                seq,
                "",
                "## 2026-11-20 call\n",
                "due Sun 22 Nov 2026 (2 days overdue): step 1 of 3: email - thanks · touch #2",
            ),
            (
                seq,
                "",
                "## 2026-11-01 call\n## 2026-11-05 email\n## 2026-11-08 email\n",
                "due Sun 22 Nov 2026 (2 days overdue): step 3 of 3 (2w after the last touch) · touch #4 · try: call",
            ),
            (
                seq,
                "next: 2026-12-01 - the quote\n",
                "## 2026-11-20 call\n",
                "due Tue 1 Dec 2026 (in 7 days): next step: the quote · touch #2 · try: email (step 1 of 3)",
            ),
            (
                "",
                "stage: client\n",
                "## 2026-10-01 call\n",
                "due Thu 12 Nov 2026 (12 days overdue): every 6w · touch #2 · try: card · cards this year 0/7",
            ),
            (
                "",
                "interests: [sailing]\n",
                "## 2026-10-01 call\n## 2026-10-10 email\n## 2026-10-20 call\n",
                "due Tue 10 Nov 2026 (14 days overdue): every 3w · touch #4 · try: meeting, with something personal: sailing",
            ),
        ];
        for (toml, front, body, want) in cases {
            let config = Config::from_toml(toml).unwrap();
            let text = format!("---\nname: T\n{front}---\n{body}");
            let c = crate::parse::parse_contact("t.md", text.as_bytes(), &config.channels)
                .contact
                .unwrap();
            let s = crate::schedule::status(&c, today, &config);
            assert_eq!(due_words(&s, today), want, "{front:?} {body:?}");
        }
    }
}
