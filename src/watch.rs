//! The watch loop: keep DUE.md current while files change and when the date rolls over.
//!
//! [`Session`] holds the state (the vault, its parsed-file cache, today's date) and does one
//! step at a time: start, a batch of changed paths, a timer tick. It never sleeps and never reads
//! the clock itself; it asks the [`Clock`] it was given, so tests drive it directly. [`run`] wires
//! it to notify's debouncer, Ctrl-C and SIGTERM.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow};
use chrono::NaiveDate;
use notify_debouncer_full::notify::{
    self, EventKind, PollWatcher, RecommendedWatcher, RecursiveMode,
};
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, Debouncer, NoCache, new_debouncer_opt,
};

use crate::config;
use crate::owner::Owner;
use crate::problem::Problem;
use crate::schedule::Agenda;
use crate::term;
use crate::vault::{self, Cache, Vault, Written};

/// Where "today" comes from.
pub trait Clock {
    fn today(&self) -> NaiveDate;
}

/// The local date, read from the system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn today(&self) -> NaiveDate {
        chrono::Local::now().date_naive()
    }
}

/// Always the same date (`watch --today D`).
pub struct FixedClock(pub NaiveDate);

impl Clock for FixedClock {
    fn today(&self) -> NaiveDate {
        self.0
    }
}

/// What one changed path means to the watcher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A Markdown file that may be a contact (vault-relative path).
    File(String),
    /// `touchbase.toml`: reload the config and rescan everything.
    Config,
    /// Something that is not Markdown but may hold some (a folder created, moved or removed):
    /// walk the vault.
    Walk,
}

/// Classify a path from a file-system event; `None` for what touchbase never reads: paths
/// outside the vault, dot-entries (editor swap files, `.git/`, its own temp files), ignored
/// globs, the agenda file, and other non-Markdown files.
pub fn classify(vault: &Vault, path: &Path) -> Option<Change> {
    let rel = path.strip_prefix(&vault.root).ok()?;
    let rel = vault::relative(Path::new(""), rel);
    if rel.is_empty() {
        return None;
    }
    if rel == config::FILE_NAME {
        return Some(Change::Config);
    }
    if vault.is_excluded(&rel) {
        return None;
    }
    let is_md = rel.len() > 3 && rel[rel.len() - 3..].eq_ignore_ascii_case(".md");
    if is_md {
        return Some(Change::File(rel));
    }
    // A path with an extension is some other file; one without may be a folder.
    let name = rel.rsplit('/').next().unwrap_or(&rel);
    if name.contains('.') && !path.is_dir() {
        return None;
    }
    Some(Change::Walk)
}

/// The `.git` folder of the repository holding `root`, if any (a `.git` file, as in worktrees
/// and submodules, points to it).
pub fn git_dir(root: &Path) -> Option<PathBuf> {
    let root = std::fs::canonicalize(root).ok()?;
    for dir in root.ancestors() {
        let dot_git = dir.join(".git");
        if dot_git.is_dir() {
            return Some(dot_git);
        }
        if let Ok(text) = std::fs::read_to_string(&dot_git)
            && let Some(target) = text.trim().strip_prefix("gitdir:")
        {
            return Some(dir.join(target.trim()));
        }
    }
    None
}

/// True while git is changing the work tree: writing DUE.md then makes git refuse to finish.
pub fn git_busy(git_dir: Option<&Path>) -> bool {
    git_dir.is_some_and(|g| {
        ["index.lock", "MERGE_HEAD", "rebase-merge", "rebase-apply"]
            .iter()
            .any(|marker| g.join(marker).exists())
    })
}

/// What a rebuild did, for the one line the watcher prints.
#[derive(Debug)]
pub struct Report {
    pub why: String,
    /// Everyone's agenda, or with `--owner` that owner's.
    pub agenda: Agenda,
    /// The file the line names (DUE.md, or the owner's own agenda) and whether it changed.
    pub file: String,
    pub written: Written,
    /// The `--owner` the agenda is for.
    pub owner: Option<Owner>,
    pub elapsed: Duration,
    /// Problems not reported by the previous rebuild.
    pub new_problems: Vec<Problem>,
}

impl Report {
    /// The line to print. The reason names changed files and the agenda file comes from the
    /// config: both are cleaned for the terminal.
    pub fn line(&self) -> String {
        let status = if self.written == Written::Unchanged {
            " (unchanged)"
        } else {
            ""
        };
        let who = self
            .owner
            .as_ref()
            .map(|o| format!("{}: ", o.key()))
            .unwrap_or_default();
        format!(
            "{}: {who}{} -> {}{status} in {} ms",
            term::clean(&self.why),
            crate::cmd::due::summary(&self.agenda),
            term::clean(&self.file),
            self.elapsed.as_millis()
        )
    }
}

/// The watcher's state, one step at a time.
pub struct Session<C: Clock> {
    pub vault: Vault,
    cache: Cache,
    clock: C,
    today: NaiveDate,
    git_dir: Option<PathBuf>,
    /// Changes seen while git was busy, or a failed write: rebuild when possible.
    pending: Option<String>,
    reported: BTreeSet<String>,
    /// `--owner`: whose agenda the reports are about (every file is still written).
    owner: Option<Owner>,
}

impl<C: Clock> Session<C> {
    /// Open the vault, read everything (unchanged files from the cache kept in `cache_dir`,
    /// which is then saved), and write DUE.md (unless git is busy).
    pub fn start(
        root: &Path,
        clock: C,
        cache_dir: Option<&Path>,
    ) -> Result<(Self, Option<Report>)> {
        Self::start_for(root, clock, cache_dir, None)
    }

    /// [`Session::start`] for one owner: each report is about their agenda (see
    /// [`crate::owner`]); what is written is the same for everyone.
    pub fn start_for(
        root: &Path,
        clock: C,
        cache_dir: Option<&Path>,
        owner: Option<Owner>,
    ) -> Result<(Self, Option<Report>)> {
        let started = Instant::now();
        let vault = Vault::open(root)?;
        let today = clock.today();
        let mut s = Session {
            git_dir: git_dir(&vault.root),
            cache: vault.load(cache_dir),
            vault,
            clock,
            today,
            pending: None,
            reported: BTreeSet::new(),
            owner,
        };
        // A cache that cannot be saved only makes the next start slower.
        let _ = s.cache.save();
        let why = match s.cache.len() - s.cache.reads() {
            0 => format!("read {} files", s.cache.reads()),
            cached => format!("read {} files, {cached} from the cache", s.cache.reads()),
        };
        let report = s.write(why, started)?;
        Ok((s, report))
    }

    /// A batch of changes from the debouncer. Known paths are re-read and DUE.md is written;
    /// then a cheap walk (stat only) catches files the events missed, and if it finds any,
    /// DUE.md is written again. The walk comes second so that a save reaches DUE.md without
    /// waiting for it. A config change or a rescan request re-reads everything.
    pub fn on_changes(&mut self, changes: &[Change], rescan: bool) -> Result<Option<Report>> {
        let started = Instant::now();
        self.today = self.clock.today();
        if rescan || changes.contains(&Change::Config) {
            // A broken config is reported and the last good one is kept.
            match Vault::open(&self.vault.root) {
                Ok(v) => self.vault = v,
                Err(e) => {
                    return Err(e.context("touchbase.toml changed; keeping the previous settings"));
                }
            }
            self.cache = Cache::default();
            self.vault.sync(&mut self.cache);
            let why = if rescan {
                "full rescan"
            } else {
                "settings changed"
            };
            return self.write(why.to_string(), started);
        }
        let files: BTreeSet<String> = changes
            .iter()
            .filter_map(|c| match c {
                Change::File(rel) => Some(rel.clone()),
                _ => None,
            })
            .collect();
        let mut changed = files.clone();
        let walked = changes.contains(&Change::Walk);
        if walked {
            // A folder came or went: only the walk knows what is in it.
            changed.extend(self.vault.sync(&mut self.cache));
        } else {
            self.vault
                .refresh(&mut self.cache, &files.into_iter().collect::<Vec<_>>());
        }
        let first = self.write(describe(&changed), started)?;
        if walked {
            return Ok(first);
        }
        let missed = self.vault.sync(&mut self.cache);
        if missed.is_empty() {
            return Ok(first);
        }
        changed.extend(missed);
        self.write(describe(&changed), started)
    }

    /// The timer: a new day, or the end of a git operation that held back a write.
    pub fn on_tick(&mut self) -> Result<Option<Report>> {
        let started = Instant::now();
        let today = self.clock.today();
        if today != self.today {
            self.today = today;
            return self.write(format!("new day {today}"), started);
        }
        match self.pending.take() {
            Some(why) => self.write(why, started),
            None => Ok(None),
        }
    }

    /// Rebuild and write, unless git is busy: then remember to do it later.
    fn write(&mut self, why: String, started: Instant) -> Result<Option<Report>> {
        if git_busy(self.git_dir.as_deref()) {
            self.pending = Some(match self.pending.take() {
                Some(p) if p != why => format!("{p}; {why}"),
                _ => why,
            });
            return Ok(None);
        }
        let rebuilt = match self.vault.rebuild_all(&mut self.cache, self.today) {
            Ok(r) => r,
            Err(e) => {
                self.pending = Some(why);
                return Err(e);
            }
        };
        let (agenda, file, written) = match &self.owner {
            None => (
                rebuilt.agenda,
                self.vault.config.agenda_file.clone(),
                rebuilt.written,
            ),
            Some(o) => {
                let agenda = self.vault.agenda_for(&mut self.cache, self.today, Some(o));
                match rebuilt.owners.into_iter().find(|(x, ..)| x == o) {
                    Some((_, file, w)) => (agenda, file, w),
                    None => (
                        agenda,
                        self.vault.config.agenda_file.clone(),
                        rebuilt.written,
                    ),
                }
            }
        };
        let now: BTreeSet<String> = agenda.problems.iter().map(ToString::to_string).collect();
        let new_problems = agenda
            .problems
            .iter()
            .filter(|p| !self.reported.contains(&p.to_string()))
            .cloned()
            .collect();
        self.reported = now;
        Ok(Some(Report {
            why,
            agenda,
            file,
            written,
            owner: self.owner.clone(),
            elapsed: started.elapsed(),
            new_problems,
        }))
    }

    /// True while a write is held back (git busy or a failed write).
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }
}

/// `contacts/jane.md changed`, `3 files changed`.
fn describe(changed: &BTreeSet<String>) -> String {
    match changed.len() {
        0 => "no contact changed".to_string(),
        1 => format!(
            "{} changed",
            changed.iter().next().map_or("", String::as_str)
        ),
        n => format!("{n} files changed"),
    }
}

/// How the loop hears about changes.
pub struct Options {
    pub debounce: Duration,
    /// Poll every this often instead of using native events (network and synced folders).
    pub poll: Option<Duration>,
    pub quiet: bool,
    /// Where the parse cache is kept between runs, if anywhere.
    pub cache_dir: Option<PathBuf>,
    /// `--owner`: print this owner's summary after each rebuild.
    pub owner: Option<Owner>,
}

enum Msg {
    Fs(DebounceEventResult),
    Stop,
}

/// Either kind of debouncer; kept alive for as long as the loop runs.
#[expect(
    dead_code,
    reason = "held only to keep watching: dropping it stops the watcher"
)]
enum Guard {
    Native(Debouncer<RecommendedWatcher, NoCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

/// A watcher start-up error in words, with a hint where one helps.
fn start_error(root: &Path, e: &notify::Error) -> anyhow::Error {
    if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) {
        anyhow!(
            "too many folders to watch: the inotify watch limit is reached.\n\
             Raise it with `sudo sysctl fs.inotify.max_user_watches=524288` (add the setting to \
             /etc/sysctl.d/ to keep it), or run `touchbase watch --poll`."
        )
    } else {
        anyhow!("cannot watch {}: {e}", root.display())
    }
}

fn start_watcher(root: &Path, opts: &Options, tx: mpsc::Sender<Msg>) -> Result<Guard> {
    // The debouncer checks for due events every tick: a short tick keeps a save's delay close to
    // the debounce time itself (notify's default tick is a quarter of it).
    let tick = Some((opts.debounce / 4).min(Duration::from_millis(10)));
    let handler = move |r: DebounceEventResult| {
        let _ = tx.send(Msg::Fs(r));
    };
    let watch_err = |e: notify::Error| start_error(root, &e);
    Ok(match opts.poll {
        Some(interval) => {
            let config = notify::Config::default()
                .with_poll_interval(interval)
                .with_follow_symlinks(false);
            let mut d = new_debouncer_opt::<_, PollWatcher, NoCache>(
                opts.debounce,
                None,
                handler,
                NoCache,
                config,
            )
            .map_err(watch_err)?;
            d.watch(root, RecursiveMode::Recursive).map_err(watch_err)?;
            Guard::Poll(d)
        }
        None => {
            let mut d = new_debouncer_opt::<_, RecommendedWatcher, NoCache>(
                opts.debounce,
                tick,
                handler,
                NoCache,
                // A link to a folder outside the vault is not watched (nor anything under it).
                notify::Config::default().with_follow_symlinks(false),
            )
            .map_err(watch_err)?;
            d.watch(root, RecursiveMode::Recursive).map_err(watch_err)?;
            Guard::Native(d)
        }
    })
}

/// Turn a debounced batch into changes. Reads (`Access`) are ignored: they are what the watcher
/// itself does. Returns the changes and whether a full rescan was asked for.
pub fn changes_from(vault: &Vault, events: &[DebouncedEvent]) -> (Vec<Change>, bool) {
    let mut changes = Vec::new();
    let mut rescan = false;
    for e in events {
        if e.need_rescan() {
            rescan = true;
            continue;
        }
        if matches!(e.kind, EventKind::Access(_)) {
            continue;
        }
        for path in &e.paths {
            if let Some(c) = classify(vault, path)
                && !changes.contains(&c)
            {
                changes.push(c);
            }
        }
    }
    (changes, rescan)
}

/// The changes in one or more debounced batches.
#[derive(Debug, Default)]
struct Batch {
    changes: Vec<Change>,
    rescan: bool,
}

impl Batch {
    /// Watcher errors (such as an event queue overflow) ask for a full rescan.
    fn from_result(vault: &Vault, result: DebounceEventResult) -> Batch {
        match result {
            Ok(events) => {
                let (changes, rescan) = changes_from(vault, &events);
                Batch { changes, rescan }
            }
            Err(errors) => {
                for e in errors {
                    eprintln!("touchbase: watch error: {}", term::clean(&e.to_string()));
                }
                Batch {
                    changes: Vec::new(),
                    rescan: true,
                }
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.changes.is_empty() && !self.rescan
    }

    fn merge(&mut self, other: Batch) {
        self.rescan |= other.rescan;
        for c in other.changes {
            if !self.changes.contains(&c) {
                self.changes.push(c);
            }
        }
    }
}

/// Print what a step did, or its error; either way the loop goes on.
fn print_step(result: Result<Option<Report>>, say: &impl Fn(Option<Report>)) {
    match result {
        Ok(r) => say(r),
        Err(e) => eprintln!("touchbase: error: {}", term::clean_lines(&format!("{e:#}"))),
    }
}

/// How long to wait for events before checking the date and git again.
const TICK: Duration = Duration::from_secs(1);

/// Run the watcher until Ctrl-C or SIGTERM. Start-up errors are returned; errors while
/// rebuilding are printed and the loop goes on.
pub fn run<C: Clock>(root: &Path, clock: C, opts: &Options) -> Result<()> {
    let (tx, rx) = mpsc::channel();
    let stop = tx.clone();
    ctrlc::set_handler(move || {
        let _ = stop.send(Msg::Stop);
    })
    .context("cannot install the Ctrl-C handler")?;
    // Watch before the first read, so nothing saved during start-up is missed.
    let root = std::fs::canonicalize(root)
        .with_context(|| format!("cannot open the vault {}", root.display()))?;
    let guard = start_watcher(&root, opts, tx)?;
    let (mut session, first) =
        Session::start_for(&root, clock, opts.cache_dir.as_deref(), opts.owner.clone())?;
    let say = |report: Option<Report>| {
        if let Some(r) = report {
            for p in &r.new_problems {
                eprintln!("warning: {}", term::clean(&p.to_string()));
            }
            if !opts.quiet {
                println!("{}", r.line());
            }
        }
    };
    say(first);
    if !opts.quiet {
        let how = match opts.poll {
            Some(i) => format!("polling every {} ms", i.as_millis()),
            None => "watching".to_string(),
        };
        let root = root.display().to_string();
        println!("{how} {} (Ctrl-C to stop)", term::clean(&root));
    }
    let mut last_rebuild = Instant::now();
    let mut stopping = false;
    while !stopping {
        let msg = match rx.recv_timeout(TICK) {
            Ok(msg) => Some(msg),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let mut batch = match msg {
            Some(Msg::Stop) => break,
            Some(Msg::Fs(result)) => Batch::from_result(&session.vault, result),
            None => Batch::default(),
        };
        if batch.is_empty() {
            // Reads (including our own) and ignored paths: only the timer's checks.
            print_step(session.on_tick(), &say);
            continue;
        }
        // A burst (git, a sync tool, a folder copied in) arrives as a batch per debouncer tick.
        // The first change after a quiet spell is rebuilt at once; one that follows a rebuild
        // closely waits until changes stop for half the debounce time. Batches of reads do not
        // count as activity.
        if last_rebuild.elapsed() < opts.debounce {
            let mut quiet_until = Instant::now() + opts.debounce / 2;
            loop {
                let wait = quiet_until.saturating_duration_since(Instant::now());
                match rx.recv_timeout(wait) {
                    Ok(Msg::Fs(result)) => {
                        let more = Batch::from_result(&session.vault, result);
                        if !more.is_empty() {
                            batch.merge(more);
                            quiet_until = Instant::now() + opts.debounce / 2;
                        }
                    }
                    Ok(Msg::Stop) => {
                        stopping = true;
                        break;
                    }
                    Err(_) => break,
                }
            }
        }
        print_step(session.on_changes(&batch.changes, batch.rescan), &say);
        last_rebuild = Instant::now();
    }
    drop(guard);
    if !opts.quiet {
        println!("stopped");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::fs;

    struct TestClock(Cell<NaiveDate>);

    impl Clock for &TestClock {
        fn today(&self) -> NaiveDate {
            self.0.get()
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn vault_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::TempDir::new().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        dir
    }

    #[test]
    fn the_watch_limit_error_says_how_to_raise_it() {
        let e = notify::Error::new(notify::ErrorKind::MaxFilesWatch);
        let text = start_error(Path::new("/v"), &e).to_string();
        assert!(text.contains("fs.inotify.max_user_watches"), "{text}");
        assert!(text.contains("--poll"), "{text}");
        let other = notify::Error::path_not_found().add_path(PathBuf::from("/v"));
        assert!(
            start_error(Path::new("/v"), &other)
                .to_string()
                .starts_with("cannot watch /v")
        );
    }

    #[test]
    fn classifies_event_paths() {
        let dir = vault_with(&[
            ("touchbase.toml", "ignore = [\"archive/**\"]\n"),
            ("notes/x.txt", ""),
        ]);
        let root = fs::canonicalize(dir.path()).unwrap();
        let vault = Vault::open(&root).unwrap();
        let cases = [
            (
                "contacts/jane.md",
                Some(Change::File("contacts/jane.md".into())),
            ),
            ("Jane.MD", Some(Change::File("Jane.MD".into()))),
            ("touchbase.toml", Some(Change::Config)),
            ("DUE.md", None),
            ("DUE-tina-torres.md", None),
            ("DUE-Notes.md", Some(Change::File("DUE-Notes.md".into()))),
            (".DUE.md.a1b2c3", None),
            ("contacts/.jane.md.swp", None),
            ("contacts/.#jane.md", None),
            (".git/index.lock", None),
            (".obsidian/workspace.json", None),
            ("archive/old.md", None),
            ("notes/x.txt", None),
            ("contacts/jane.md~", None),
            ("contacts/4913", Some(Change::Walk)),
            ("new-folder", Some(Change::Walk)),
        ];
        for (rel, want) in cases {
            assert_eq!(classify(&vault, &root.join(rel)), want, "{rel}");
        }
        assert_eq!(classify(&vault, Path::new("/elsewhere/x.md")), None);
    }

    #[test]
    fn an_owners_watch_reports_their_agenda_and_keeps_every_file_current() {
        let dir = vault_with(&[
            ("touchbase.toml", "[agenda]\nper_owner = true\n"),
            (
                "ann.md",
                "---\nname: Ann\nowner: Tina Torres\n---\n## 2026-11-03 call\n",
            ),
            (
                "bea.md",
                "---\nname: Bea\nowner: Sam\n---\n## 2026-11-03 call\n",
            ),
            ("cy.md", "---\nname: Cy\n---\n## 2026-11-03 call\n"),
        ]);
        let clock = TestClock(Cell::new(d("2026-11-24")));
        let tina = Owner::new("tína torres");
        let (mut s, report) = Session::start_for(dir.path(), &clock, None, tina).unwrap();
        let r = report.unwrap();
        assert_eq!(r.file, "DUE-tina-torres.md");
        assert_eq!(r.written, Written::Changed);
        let names: Vec<&str> = r.agenda.items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["Ann", "Cy"]);
        assert!(
            r.line().contains(": tina-torres: 0 overdue, 2 today,"),
            "{}",
            r.line()
        );
        let read = |name: &str| fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(read("DUE.md").contains("[Bea]"));
        assert!(read("DUE-sam.md").contains("[Bea]"));
        assert!(!read("DUE-tina-torres.md").contains("[Bea]"));
        // Bea passes to Tina: both owners' files follow, Sam's goes.
        fs::write(
            dir.path().join("bea.md"),
            "---\nname: Bea\nowner: tina torres\n---\n## 2026-11-03 call\n",
        )
        .unwrap();
        let r = s
            .on_changes(&[Change::File("bea.md".into())], false)
            .unwrap()
            .unwrap();
        assert_eq!(r.agenda.items.len(), 3);
        assert!(read("DUE-tina-torres.md").contains("[Bea]"));
        assert!(!dir.path().join("DUE-sam.md").exists());
    }

    #[test]
    fn the_date_rolls_over_at_midnight_without_file_changes() {
        let dir = vault_with(&[("a.md", "---\nname: Ann\n---\n## 2026-11-03 call\n")]);
        let clock = TestClock(Cell::new(d("2026-11-24")));
        let (mut s, report) = Session::start(dir.path(), &clock, None).unwrap();
        assert!(report.is_some());
        let due = || fs::read_to_string(dir.path().join("DUE.md")).unwrap();
        assert!(due().contains("# Follow-ups for Tuesday 24 November 2026"));
        assert!(due().contains("## Today"));
        // Same day: a tick does nothing.
        assert!(s.on_tick().unwrap().is_none());
        clock.0.set(d("2026-11-25"));
        let r = s.on_tick().unwrap().unwrap();
        assert_eq!(r.why, "new day 2026-11-25");
        assert!(due().contains("# Follow-ups for Wednesday 25 November 2026"));
        assert!(due().contains("1 day overdue"), "{}", due());
    }

    #[test]
    fn a_restart_takes_unchanged_files_from_the_cache() {
        let dir = vault_with(&[
            ("a.md", "---\nname: Ann\n---\n## 2026-11-03 call\n"),
            ("b.md", "---\nname: Bea\n---\n"),
        ]);
        let cache = tempfile::TempDir::new().unwrap();
        // Files changed in the last 3 seconds are not cached.
        std::thread::sleep(std::time::Duration::from_millis(3100));
        let clock = TestClock(Cell::new(d("2026-11-24")));
        let (_, first) = Session::start(dir.path(), &clock, Some(cache.path())).unwrap();
        assert_eq!(first.unwrap().why, "read 2 files");
        let due = fs::read_to_string(dir.path().join("DUE.md")).unwrap();
        fs::remove_file(dir.path().join("DUE.md")).unwrap();
        let (_, second) = Session::start(dir.path(), &clock, Some(cache.path())).unwrap();
        assert_eq!(second.unwrap().why, "read 0 files, 2 from the cache");
        assert_eq!(fs::read_to_string(dir.path().join("DUE.md")).unwrap(), due);
    }

    #[test]
    fn writes_wait_for_git_operations_to_end() {
        let dir = vault_with(&[
            ("a.md", "---\nname: Ann\n---\n"),
            (".git/HEAD", "ref: refs/heads/main\n"),
        ]);
        let clock = TestClock(Cell::new(d("2026-11-24")));
        let (mut s, _) = Session::start(dir.path(), &clock, None).unwrap();
        let before = fs::read_to_string(dir.path().join("DUE.md")).unwrap();
        for marker in [
            "index.lock",
            "MERGE_HEAD",
            "rebase-merge/x",
            "rebase-apply/x",
        ] {
            let m = dir.path().join(".git").join(marker);
            fs::create_dir_all(m.parent().unwrap()).unwrap();
            fs::write(&m, "").unwrap();
            fs::write(
                dir.path().join("b.md"),
                format!("---\nname: Bea {}\n---\n", marker.len()),
            )
            .unwrap();
            let r = s.on_changes(&[Change::File("b.md".into())], false).unwrap();
            assert!(r.is_none(), "wrote during {marker}");
            assert!(s.is_pending());
            assert!(s.on_tick().unwrap().is_none(), "wrote during {marker}");
            assert_eq!(
                fs::read_to_string(dir.path().join("DUE.md")).unwrap(),
                before
            );
            fs::remove_dir_all(dir.path().join(".git/rebase-merge")).ok();
            fs::remove_dir_all(dir.path().join(".git/rebase-apply")).ok();
            fs::remove_file(&m).ok();
            let r = s.on_tick().unwrap().unwrap();
            assert!(r.why.contains("b.md changed"), "{}", r.why);
            let after = fs::read_to_string(dir.path().join("DUE.md")).unwrap();
            assert!(after.contains("Bea"), "{after}");
            assert!(!s.is_pending());
            fs::write(dir.path().join("DUE.md"), &before).unwrap();
        }
    }

    #[test]
    fn a_changed_path_is_reread_and_missed_files_are_caught() {
        let dir = vault_with(&[("a.md", "---\nname: Ann\n---\n")]);
        let clock = TestClock(Cell::new(d("2026-11-24")));
        let (mut s, _) = Session::start(dir.path(), &clock, None).unwrap();
        // An event for a.md, and a file nobody told us about (as when inotify misses a file
        // written right after its folder was made).
        fs::write(dir.path().join("a.md"), "---\nname: Anna\n---\n").unwrap();
        fs::create_dir_all(dir.path().join("new")).unwrap();
        fs::write(dir.path().join("new/b.md"), "---\nname: Bob\n---\n").unwrap();
        let r = s
            .on_changes(&[Change::File("a.md".into())], false)
            .unwrap()
            .unwrap();
        assert_eq!(r.why, "2 files changed");
        let names: Vec<&str> = r.agenda.items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, vec!["Anna", "Bob"]);
        // A deleted file goes away.
        fs::remove_file(dir.path().join("a.md")).unwrap();
        let r = s
            .on_changes(&[Change::File("a.md".into())], false)
            .unwrap()
            .unwrap();
        assert_eq!(r.agenda.items.len(), 1);
    }

    #[test]
    fn a_broken_config_keeps_the_previous_settings() {
        let dir = vault_with(&[("a.md", "---\nname: Ann\n---\n")]);
        let clock = TestClock(Cell::new(d("2026-11-24")));
        let (mut s, _) = Session::start(dir.path(), &clock, None).unwrap();
        fs::write(
            dir.path().join("touchbase.toml"),
            "[agenda]\nhorizon = \"soon\"\n",
        )
        .unwrap();
        let e = s.on_changes(&[Change::Config], false).unwrap_err();
        assert!(format!("{e:#}").contains("agenda.horizon"), "{e:#}");
        fs::write(
            dir.path().join("touchbase.toml"),
            "[agenda]\nfile = \"Agenda.md\"\n",
        )
        .unwrap();
        let r = s.on_changes(&[Change::Config], false).unwrap().unwrap();
        assert_eq!(r.why, "settings changed");
        assert!(dir.path().join("Agenda.md").exists());
    }
}
