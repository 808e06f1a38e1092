//! The only module that touches the filesystem: find the vault, load its config, scan and read
//! its files, and write the agenda atomically. `rebuild` is the one function that turns a vault
//! into DUE.md; `due` and `watch` both call it.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::{self, Config};
use crate::model::Contact;
use crate::owner::{self, Owner};
use crate::parse::{self, Parsed};
use crate::problem::{Kind, MAX_FILE_BYTES, Problem};
use crate::render;
use crate::schedule::{self, Agenda};

mod link;
mod safe;
mod store;

pub use link::Unresolved;

pub use safe::{Edited, Written, create_file, edit_file};

/// What the agenda's iCalendar file lacks when touchbase did not write it.
pub const ICS_NOT_OURS: &str = "it does not start with BEGIN:VCALENDAR and touchbase's PRODID";

/// A vault folder and its resolved configuration.
#[derive(Clone, Debug)]
pub struct Vault {
    pub root: PathBuf,
    /// The root with every symbolic link resolved: what "inside the vault" is checked against.
    pub canon: PathBuf,
    pub config: Config,
    ignore: GlobSet,
}

/// A config error names the file: `touchbase.toml:3: ...`.
#[derive(Debug, thiserror::Error)]
#[error("{}:{}", path.display(), match error.line { Some(l) => format!("{l}: {}", error.message), None => format!(" {}", error.message) })]
pub struct ConfigFileError {
    pub path: PathBuf,
    pub error: config::ConfigError,
}

impl Vault {
    /// Open a vault: the folder must exist; `touchbase.toml` is read if present.
    pub fn open(root: &Path) -> Result<Vault> {
        let meta = fs::metadata(root)
            .with_context(|| format!("cannot open the vault {}", root.display()))?;
        if !meta.is_dir() {
            bail!("the vault {} is not a folder", root.display());
        }
        let config_path = root.join(config::FILE_NAME);
        let canon = fs::canonicalize(root)
            .with_context(|| format!("cannot open the vault {}", root.display()))?;
        safe::check_support(&canon)?;
        let config = match read_text_inside(&canon, &config_path) {
            Ok(text) => Config::from_toml(&text).map_err(|error| ConfigFileError {
                path: config_path.clone(),
                error,
            })?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Config::default(),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read {}", config_path.display()));
            }
        };
        let config = read_drafts(root, &canon, config)?;
        Vault::with_config(root, config)
    }

    pub fn with_config(root: &Path, config: Config) -> Result<Vault> {
        let mut globs = GlobSetBuilder::new();
        for pattern in &config.ignore {
            let glob = Glob::new(pattern.trim_end_matches('/')).with_context(|| {
                format!("{}: invalid `ignore` glob \"{pattern}\"", config::FILE_NAME)
            })?;
            globs.add(glob);
        }
        Ok(Vault {
            root: root.to_path_buf(),
            canon: fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            ignore: globs.build().context("building the `ignore` globs")?,
            config,
        })
    }

    /// True for vault-relative paths that touchbase never reads: dot-entries, ignored globs and
    /// its own agendas (DUE.md, and the per-owner `DUE-<owner>.md` beside it whether or not
    /// `agenda.per_owner` is on now).
    pub fn is_excluded(&self, rel: &str) -> bool {
        rel.split('/').any(|part| part.starts_with('.'))
            || self.ignore.is_match(rel)
            || rel == self.config.agenda_file
            || owner::is_agenda_file(&self.config.agenda_file, rel)
    }

    /// Every Markdown file that may be a contact, as (vault-relative path, absolute path), in
    /// a stable order; plus problems met while walking (symlink loops, unreadable folders).
    pub fn scan(&self) -> (Vec<(String, PathBuf)>, Vec<Problem>) {
        let (files, problems, _) = self.walk();
        (files, problems)
    }

    /// [`Vault::scan`], plus touchbase's own temp files seen on the way (never read; a killed
    /// run may have left them).
    ///
    /// Links are never followed by path. Each real folder is walked once: the vault's own
    /// folders under their own names first; then a folder reached only through a link (one in
    /// an ignored place, say), under the link's name. A link to a folder that holds it is a
    /// loop. A folder swapped for a link while the walk runs may be listed from outside, but what
    /// it lists is never read (files are opened inside the vault or not at all), no folder below
    /// it is entered, and a problem is reported only for a name that is inside the vault when
    /// checked through open folders.
    fn walk(&self) -> (Vec<(String, PathBuf)>, Vec<Problem>, Vec<PathBuf>) {
        let root = &self.canon;
        let problems = std::cell::RefCell::new(Vec::new());
        let report = |rel: String, path: &Path, kind: Kind| {
            if safe::exists_inside(root, path) {
                problems.borrow_mut().push(Problem::new(rel, None, kind));
            }
        };
        let mut temps = Vec::new();
        let mut files = Vec::new();
        let mut walked: HashSet<PathBuf> = HashSet::new();
        let is_md = |name: &std::ffi::OsStr| {
            name.to_str()
                .is_some_and(|n| n.len() > 3 && n[n.len() - 3..].eq_ignore_ascii_case(".md"))
        };
        // Folders to walk: the name they are shown under and their real path. Links found on
        // the way wait for the next round, taken in name order.
        let mut round = vec![(String::new(), root.clone())];
        while !round.is_empty() {
            let mut links: Vec<(String, PathBuf)> = Vec::new();
            for (prefix, dir) in round {
                if !walked.insert(dir.clone()) {
                    continue;
                }
                let join = |rel: String| {
                    if prefix.is_empty() {
                        rel
                    } else {
                        format!("{prefix}/{rel}")
                    }
                };
                let walker = WalkDir::new(&dir).into_iter().filter_entry(|e| {
                    if e.depth() == 0 {
                        return true;
                    }
                    let rel = join(relative(&dir, e.path()));
                    if self.is_excluded(&rel) {
                        if e.file_name().to_str().is_some_and(safe::is_temp_name) {
                            temps.push(e.path().to_path_buf());
                        }
                        return false;
                    }
                    if e.file_type().is_dir() {
                        // Entered only if it is still where it was listed, inside the vault.
                        let real = fs::canonicalize(e.path()).ok();
                        return real.is_some_and(|r| r.starts_with(root) && walked.insert(r));
                    }
                    if !e.path_is_symlink() {
                        return true;
                    }
                    match fs::canonicalize(e.path()) {
                        Ok(target) if !target.starts_with(root) => false,
                        Ok(target) if target.is_dir() => {
                            let holder = e.path().parent().unwrap_or(&dir);
                            if holder.starts_with(&target) {
                                report(rel, e.path(), Kind::SymlinkLoop);
                            } else {
                                links.push((rel, target));
                            }
                            false
                        }
                        // A link to a file the walk reads anyway is that file: one contact,
                        // under the real file's path. A link to a file in an ignored place is
                        // read under the link's name (checked again when it is opened).
                        Ok(target) => {
                            let real = relative(root, &target);
                            self.is_excluded(&real) || !is_md(target.as_os_str())
                        }
                        Err(err) if err.raw_os_error() == Some(ELOOP) => {
                            report(rel, e.path(), Kind::SymlinkLoop);
                            false
                        }
                        Err(err) => {
                            if is_md(e.file_name()) {
                                report(rel, e.path(), Kind::Read(err.to_string()));
                            }
                            false
                        }
                    }
                });
                for entry in walker {
                    match entry {
                        Ok(e) => {
                            let file = e.file_type().is_file()
                                || (e.path_is_symlink()
                                    && fs::metadata(e.path()).is_ok_and(|m| m.is_file()));
                            if file && is_md(e.file_name()) {
                                files.push((join(relative(&dir, e.path())), e.into_path()));
                            }
                        }
                        Err(err) => {
                            let Some(path) = err.path() else { continue };
                            let rel = join(relative(&dir, path));
                            if self.is_excluded(&rel) {
                                continue;
                            }
                            if rel.to_ascii_lowercase().ends_with(".md") || path.is_dir() {
                                let reason = err
                                    .io_error()
                                    .map_or_else(|| err.to_string(), ToString::to_string);
                                report(rel, path, Kind::Read(reason));
                            }
                        }
                    }
                }
            }
            links.sort();
            round = links;
        }
        // Sorted here rather than by the walker, which compares file names far more slowly.
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut problems = problems.into_inner();
        problems.sort_by(|a, b| a.path.cmp(&b.path));
        (files, problems, temps)
    }

    /// Bring `cache` up to date with the whole vault: walk it, re-read files whose size or
    /// modification time changed (all of them for an empty cache), drop files that are gone.
    /// The walk's own problems are kept in the cache. Returns the paths that changed.
    pub fn sync(&self, cache: &mut Cache) -> Vec<String> {
        let survey = self.survey();
        self.sync_with(cache, survey)
    }

    /// The cache for `dir` (see `cache`), brought up to date with the whole vault (see `sync`).
    /// Loading the cache file and walking the vault overlap.
    pub fn load(&self, dir: Option<&Path>) -> Cache {
        let (mut cache, survey) = rayon::join(|| self.cache(dir), || self.survey());
        self.sync_with(&mut cache, survey);
        cache
    }

    /// Every file the walk finds, each with its stamp (taken in parallel), and the walk's
    /// problems.
    fn survey(&self) -> Survey {
        let (files, problems, temps) = self.walk();
        let files = files
            .into_par_iter()
            .map(|(rel, abs)| {
                let stamp = Stamp::of(&abs);
                (rel, abs, stamp)
            })
            .collect();
        Survey {
            files,
            problems,
            temps,
        }
    }

    fn sync_with(&self, cache: &mut Cache, survey: Survey) -> Vec<String> {
        let mut changed: Vec<String> = {
            let seen: HashSet<&str> = survey.files.iter().map(|(rel, ..)| rel.as_str()).collect();
            cache
                .files
                .keys()
                .filter(|k| !seen.contains(k.as_str()))
                .cloned()
                .collect()
        };
        for rel in &changed {
            cache.files.remove(rel);
        }
        cache.links.dirty.extend(changed.iter().cloned());
        let stale: Vec<(String, PathBuf)> = survey
            .files
            .into_iter()
            .filter(|(rel, _, stamp)| cache.files.get(rel).is_none_or(|c| c.stamp != *stamp))
            .map(|(rel, abs, _)| (rel, abs))
            .collect();
        changed.extend(stale.iter().map(|(rel, _)| rel.clone()));
        self.read_into(cache, stale);
        cache.walk_problems = survey.problems;
        cache.temps = survey.temps;
        cache
            .links
            .update(&mut cache.files, self.config.reading.notes);
        changed.sort();
        changed
    }

    /// Re-read just these vault-relative paths: a file that is gone (or now excluded) leaves
    /// the cache. No walk: this is what a watcher does for the paths an event named.
    pub fn refresh(&self, cache: &mut Cache, rels: &[String]) {
        let mut stale = Vec::new();
        for rel in rels {
            let abs = self.root.join(rel);
            let meta = fs::metadata(&abs).ok().filter(fs::Metadata::is_file);
            match meta {
                Some(m) if !self.is_excluded(rel) => {
                    let stamp = Stamp::from_metadata(&m);
                    if cache.files.get(rel).is_none_or(|c| c.stamp != Some(stamp)) {
                        stale.push((rel.clone(), abs));
                    }
                }
                _ => {
                    if cache.files.remove(rel).is_some() {
                        cache.links.dirty.insert(rel.clone());
                    }
                }
            }
        }
        self.read_into(cache, stale);
        cache
            .links
            .update(&mut cache.files, self.config.reading.notes);
    }

    fn read_into(&self, cache: &mut Cache, files: Vec<(String, PathBuf)>) {
        if files.is_empty() {
            return;
        }
        cache
            .first_read
            .get_or_insert_with(std::time::SystemTime::now);
        cache.reads += files.len();
        let config = &self.config;
        let parsed: Vec<(String, Cached)> = files
            .into_par_iter()
            .map(|(rel, abs)| {
                let (stamp, parsed) = read_stamped(&self.canon, &rel, &abs, config);
                let cached = Cached {
                    stamp,
                    parsed,
                    scheduled: None,
                    stored: false,
                };
                (rel, cached)
            })
            .collect();
        cache
            .links
            .dirty
            .extend(parsed.iter().map(|(rel, _)| rel.clone()));
        cache.files.extend(parsed);
    }

    /// A cache for this vault. With `dir`, it is kept on disk in that folder between runs
    /// (see `Cache::save`), and what is stored there for this vault is loaded now.
    fn cache(&self, dir: Option<&Path>) -> Cache {
        let mut cache = Cache::default();
        let store = dir.and_then(|d| {
            store::Store::new(d, &self.root, &self.config.channels, &self.config.reading)
        });
        if let Some(store) = store {
            let entries = store.load();
            cache.on_disk = entries.len();
            // Stored in path order, so the map is built in bulk rather than key by key.
            cache.files = entries.into_iter().collect();
            cache.store = Some(store);
        }
        cache
    }

    /// Scan, parse and schedule.
    pub fn agenda(&self, today: NaiveDate) -> Agenda {
        let mut cache = Cache::default();
        self.sync(&mut cache);
        self.agenda_from(&mut cache, today)
    }

    /// Schedule what the cache holds.
    ///
    /// Each contact is scheduled once per date and file version: a watcher that re-read one file
    /// reschedules one contact, then only sorts. A cache belongs to one vault and its config
    /// (the watcher starts a new cache when the config changes).
    pub fn agenda_from(&self, cache: &mut Cache, today: NaiveDate) -> Agenda {
        self.agenda_for(cache, today, None)
    }

    /// [`Vault::agenda_from`] for one owner: their contacts and those with no owner (see
    /// [`crate::owner`]), with the problems of those files and of files that are no contact.
    /// `None`: everyone's agenda.
    pub fn agenda_for(&self, cache: &mut Cache, today: NaiveDate, owner: Option<&Owner>) -> Agenda {
        self.schedule(cache, today);
        self.assemble(cache, today, owner)
    }

    /// Schedule every contact whose entries are not yet for `today` (in parallel).
    fn schedule(&self, cache: &mut Cache, today: NaiveDate) {
        cache.schedules += cache
            .files
            .par_iter_mut()
            .map(|(_, c)| {
                let Some(contact) = c.contact() else {
                    return 0;
                };
                if c.scheduled.as_ref().is_none_or(|(date, _)| *date != today) {
                    c.scheduled = Some((today, schedule::entries(contact, today, &self.config)));
                    return 1;
                }
                0
            })
            .sum::<usize>();
    }

    /// The agenda of what `cache` holds, scheduled for `today`, for `owner` or everyone.
    fn assemble(&self, cache: &Cache, today: NaiveDate, owner: Option<&Owner>) -> Agenda {
        match owner {
            None => {
                let entries = cache
                    .files
                    .values()
                    .filter_map(|c| c.scheduled.as_ref().map(|(_, e)| e));
                schedule::assemble(entries, cache.problems(), today, self.config.per_day)
            }
            Some(o) => {
                self.assemble_where(cache, today, |_, c| c.contact().is_none_or(|k| o.has(k)))
            }
        }
    }

    /// The agenda of the files `keep` keeps (given each file's index in the cache's order):
    /// their entries and problems, and the walk's problems.
    fn assemble_where(
        &self,
        cache: &Cache,
        today: NaiveDate,
        keep: impl Fn(usize, &Cached) -> bool,
    ) -> Agenda {
        let entries = cache
            .files
            .values()
            .enumerate()
            .filter(|(i, c)| keep(*i, c))
            .filter_map(|(_, c)| c.scheduled.as_ref().map(|(_, e)| e));
        let problems = cache.problems_where(&keep);
        schedule::assemble(entries, problems, today, self.config.per_day)
    }

    /// The one rebuild, shared by `due` and `watch`: schedule what `cache` holds, render, and
    /// write DUE.md if its content changed. The caller brings the cache up to date first
    /// (`sync` for everything, `refresh` for known paths).
    pub fn rebuild(&self, cache: &mut Cache, today: NaiveDate) -> Result<(Agenda, Written)> {
        let r = self.rebuild_all(cache, today)?;
        Ok((r.agenda, r.written))
    }

    /// [`Vault::rebuild`], saying also what it did with the per-owner agendas.
    pub fn rebuild_all(&self, cache: &mut Cache, today: NaiveDate) -> Result<Rebuilt> {
        let agenda = self.agenda_from(cache, today);
        self.fill_actions(cache, &agenda, &agenda.listed());
        let text = render::render_due(&agenda, self.config.link_style());
        let written = self.write_agenda(text.as_bytes())?;
        if let Some(ics) = &self.config.agenda_ics {
            let text = self.render_ics(cache, &agenda);
            self.write_ics(&self.canon.join(ics), text.as_bytes(), "agenda.ics")?;
        }
        let (owners, removed) = if self.config.per_owner {
            self.write_owner_agendas(cache, today)?
        } else {
            (Vec::new(), Vec::new())
        };
        safe::remove_stale(&self.canon, &std::mem::take(&mut cache.temps));
        Ok(Rebuilt {
            agenda,
            written,
            owners,
            removed,
        })
    }

    /// `agenda.per_owner`: write `DUE-<owner>.md` for each owner the contacts name, when its
    /// content changed, and remove those touchbase wrote for owners no contact names any more.
    /// Every owner's file is tried; the first error is returned after.
    #[expect(
        clippy::type_complexity,
        reason = "a private helper's two lists, named at once by its caller"
    )]
    fn write_owner_agendas(
        &self,
        cache: &Cache,
        today: NaiveDate,
    ) -> Result<(Vec<(Owner, String, Written)>, Vec<String>)> {
        let agenda_file = &self.config.agenda_file;
        // Each file's owner key, folded once (not once per owner): empty for everyone's.
        let keys: Vec<String> = cache
            .files
            .par_iter()
            .map(|(_, c)| {
                c.contact()
                    .and_then(|k| k.owner.as_deref())
                    .map(owner::key)
                    .unwrap_or_default()
            })
            .collect();
        let mut owners: Vec<Owner> = keys.iter().filter_map(|k| Owner::from_key(k)).collect();
        owners.sort_unstable_by(|a, b| a.key().cmp(b.key()));
        owners.dedup();
        let texts: Vec<(Owner, String)> = owners
            .into_par_iter()
            .map(|o| {
                let agenda = self.assemble_where(cache, today, |i, _| {
                    keys[i].is_empty() || keys[i] == o.key()
                });
                let text = render::render_due(&agenda, self.config.link_style());
                (o, text)
            })
            .collect();
        let mut first_error = None;
        let mut written = Vec::new();
        for (o, text) in texts {
            let rel = o.agenda_file(agenda_file);
            match safe::write_generated_as(
                &self.canon,
                &self.canon.join(&rel),
                &|old| old.starts_with(render::HEADER.as_bytes()),
                "it does not start with touchbase's header",
                // Another agenda file name gives the owners' files another stem too.
                "agenda.file",
                text.as_bytes(),
            ) {
                Ok(w) => written.push((o, rel, w)),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        let folder = Path::new(agenda_file).parent().unwrap_or(Path::new(""));
        let mut gone: Vec<String> = fs::read_dir(self.canon.join(folder))
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .map(|name| relative(Path::new(""), &folder.join(name)))
            .filter(|rel| owner::is_agenda_file(agenda_file, rel))
            .filter(|rel| !written.iter().any(|(_, w, _)| w == rel))
            .collect();
        gone.sort();
        let mut removed = Vec::new();
        for rel in gone {
            match safe::remove_generated(&self.canon, &self.canon.join(&rel), render::HEADER) {
                Ok(true) => removed.push(rel),
                Ok(false) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok((written, removed)),
        }
    }

    /// Fill in the action links (SPEC 11) of `items` (of `agenda`, made from `cache`), those
    /// not filled yet: each once, since a watcher's items live on between rebuilds.
    pub fn fill_actions(&self, cache: &Cache, agenda: &Agenda, items: &[&Arc<schedule::Item>]) {
        items.par_iter().for_each(|item| {
            if item.actions.get().is_some() {
                return;
            }
            let Some(contact) = cache.files.get(&item.path).and_then(Cached::contact) else {
                return;
            };
            item.actions
                .get_or_init(|| crate::actions::for_contact(contact, agenda.today, &self.config));
        });
    }

    /// The agenda as an iCalendar file, with each follow-up's contact details from `cache`.
    pub fn render_ics(&self, cache: &Cache, agenda: &Agenda) -> String {
        let contacts: std::collections::HashMap<&str, &Contact> =
            cache.contacts().map(|c| (c.path.as_str(), c)).collect();
        render::ics::render_ics(agenda, |path| contacts.get(path).copied())
    }

    /// Write an iCalendar file at `path` (canonical, inside the vault) if its content changed,
    /// never replacing one that touchbase did not write; `key` names where the path came from.
    pub fn write_ics(&self, path: &Path, text: &[u8], key: &str) -> Result<Written> {
        safe::write_generated_as(
            &self.canon,
            path,
            &render::ics::is_ours,
            ICS_NOT_OURS,
            key,
            text,
        )
    }

    /// Write the agenda file if its content changed. It must stay inside the vault, and a file
    /// there that touchbase did not generate is never replaced.
    pub fn write_agenda(&self, text: &[u8]) -> Result<Written> {
        safe::write_generated(
            &self.canon,
            &self.canon.join(&self.config.agenda_file),
            render::HEADER,
            text,
        )
    }
}

/// What a rebuild did: everyone's agenda and whether DUE.md changed; with `agenda.per_owner`,
/// each owner's agenda file (vault-relative) and whether it changed, and the owner agendas it
/// removed (no contact names their owner any more).
#[derive(Debug)]
pub struct Rebuilt {
    pub agenda: Agenda,
    pub written: Written,
    pub owners: Vec<(Owner, String, Written)>,
    pub removed: Vec<String>,
}

/// What identifies a version of a file cheaply: its size and modification time, and on Unix
/// also its inode and status-change time, which no tool can set back (a restored modification
/// time, or a save by rename that keeps size and time, still changes the stamp).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Stamp {
    size: u64,
    /// Seconds and nanoseconds since the Unix epoch.
    modified: (i64, u32),
    changed: (i64, u32),
    inode: u64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        fs::metadata(path).ok().map(|m| Stamp::from_metadata(&m))
    }

    #[cfg(unix)]
    fn from_metadata(m: &fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        let nanos = |n: i64| u32::try_from(n).unwrap_or(0);
        Stamp {
            size: m.len(),
            modified: (m.mtime(), nanos(m.mtime_nsec())),
            changed: (m.ctime(), nanos(m.ctime_nsec())),
            inode: m.ino(),
        }
    }

    #[cfg(not(unix))]
    fn from_metadata(m: &fs::Metadata) -> Stamp {
        let modified = m.modified().map_or((0, 0), since_epoch);
        Stamp {
            size: m.len(),
            modified,
            changed: modified,
            inode: 0,
        }
    }

    /// The later of the modification and status-change times.
    fn newest(&self) -> (i64, u32) {
        self.modified.max(self.changed)
    }
}

/// Seconds and nanoseconds since the Unix epoch; (0, 0) for earlier times.
fn since_epoch(t: std::time::SystemTime) -> (i64, u32) {
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    (
        i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        d.subsec_nanos(),
    )
}

/// What a walk found: vault-relative path, absolute path and stamp of each file, and problems.
struct Survey {
    files: Vec<(String, PathBuf, Option<Stamp>)>,
    problems: Vec<Problem>,
    temps: Vec<PathBuf>,
}

impl Cached {
    /// The contact with its touches from notes.
    fn contact(&self) -> Option<&Contact> {
        self.parsed.contact.as_ref()
    }
}

#[derive(Debug)]
struct Cached {
    stamp: Option<Stamp>,
    parsed: Parsed,
    /// The contact's agenda entries and the date they are for; recomputed when the date differs.
    scheduled: Option<(NaiveDate, schedule::Entries)>,
    /// True when this version is in the cache file on disk.
    stored: bool,
}

/// Parsed files keyed by vault-relative path. `due` starts from an empty one; `watch` keeps one
/// for its whole life and re-reads only what changed.
#[derive(Debug, Default)]
pub struct Cache {
    files: std::collections::BTreeMap<String, Cached>,
    walk_problems: Vec<Problem>,
    /// touchbase's temp files the last walk saw; stale ones are removed at the next rebuild.
    temps: Vec<PathBuf>,
    /// How many files were read (not taken from the cache) since the cache was made.
    reads: usize,
    /// When the first of those reads began; `None` before any.
    first_read: Option<std::time::SystemTime>,
    /// The cache file on disk, if this cache is kept between runs.
    store: Option<store::Store>,
    /// How many entries the cache file on disk holds.
    on_disk: usize,
    /// Touches from notes, and which files changed since they were brought up to date.
    links: link::Links,
    /// How many times a contact was scheduled since the cache was made.
    schedules: usize,
}

impl Cache {
    /// The contacts, in path order, each with its touches from notes.
    pub fn contacts(&self) -> impl Iterator<Item = &Contact> {
        self.files.values().filter_map(Cached::contact)
    }

    /// The `link_keys` links in notes that lead to no contact, or to several.
    pub fn unresolved_links(&self) -> Vec<Unresolved> {
        self.links.unresolved(&self.files)
    }

    /// A contact just read from its file (by a command that wrote it), with the touches notes
    /// make for it.
    pub fn with_notes(&self, c: Contact) -> Contact {
        self.links.with_notes(c)
    }

    /// The contacts a note makes a touch for (none for a file that is not a dated note).
    pub fn note_targets(&self, note: &str) -> &[String] {
        self.links.targets_of(note)
    }

    /// What parsing a file gave: its contact (with its touches from notes merged in, as
    /// `contacts` gives it), its note and its problems, for `check --explain`.
    pub fn parsed(&self, rel: &str) -> Option<&Parsed> {
        self.files.get(rel).map(|c| &c.parsed)
    }

    /// The walk's problems, and those of the files `keep` keeps.
    fn problems_where(&self, keep: impl Fn(usize, &Cached) -> bool) -> Vec<Problem> {
        let mut problems = self.walk_problems.clone();
        problems.extend(
            self.files
                .values()
                .enumerate()
                .filter(|(i, c)| keep(*i, c))
                .flat_map(|(_, c)| c.parsed.problems.iter().cloned()),
        );
        problems
    }

    /// Every problem: the walk's and each file's.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = self.walk_problems.clone();
        problems.extend(
            self.files
                .values()
                .flat_map(|c| c.parsed.problems.iter().cloned()),
        );
        problems
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// How many files were read rather than taken from the cache.
    pub fn reads(&self) -> usize {
        self.reads
    }

    /// The cache file on disk, if this cache is kept between runs.
    pub fn store_path(&self) -> Option<&Path> {
        self.store.as_ref().map(|s| s.path.as_path())
    }

    /// Write the cache to disk if it is kept there and has learned something since it was
    /// loaded or last saved. Returns how many files the cache file now holds, or `None` when
    /// nothing was written.
    pub fn save(&mut self) -> io::Result<Option<usize>> {
        let Some(store) = &self.store else {
            return Ok(None);
        };
        let limit = store::racy_limit(self.first_read);
        let stored = self.files.values().filter(|c| c.stored).count();
        let learned = self
            .files
            .values()
            .any(|c| !c.stored && store::storable(c, limit));
        if !learned && stored == self.on_disk {
            return Ok(None);
        }
        self.on_disk = store.save(&mut self.files, limit)?;
        Ok(Some(self.on_disk))
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(target_os = "linux")]
const ELOOP: i32 = 40;
#[cfg(not(target_os = "linux"))]
const ELOOP: i32 = 62;

/// `path` relative to `root`, with `/` separators.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    // The common case, a clean Unix path, needs no splitting into components.
    if cfg!(unix)
        && let Some(s) = rel.to_str()
        && s.split('/').all(|p| !p.is_empty() && p != "." && p != "..")
    {
        return s.to_string();
    }
    let parts: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

/// Read and parse one file, with the stamp it had when it was opened. A file that vanished
/// since it was listed (a save by rename, a delete) is simply gone: no contact, no problem. Stamping before reading
/// means a save during the read leaves the cache entry stale, so the next sync reads it again.
fn read_stamped(root: &Path, rel: &str, abs: &Path, config: &Config) -> (Option<Stamp>, Parsed) {
    let reading = &config.reading;
    match read_limited(root, abs, reading.in_folder(rel)) {
        Ok((stamp, Some(bytes))) => (
            Some(stamp),
            parse::parse_file(rel, &bytes, &config.channels, reading),
        ),
        Ok((stamp, None)) => (Some(stamp), Parsed::default()),
        Err(kind) => (
            None,
            Parsed {
                contact: None,
                note: None,
                problems: vec![Problem::new(rel, None, kind)],
            },
        ),
    }
}

/// The file's stamp and bytes; no bytes for an over-size file that is not a contact anyway.
/// The buffer is sized from one `fstat`: growing it while reading cost nine `read` calls a file.
///
/// The file is opened inside the vault or not at all (see `safe::open_inside`): a link that
/// leads out of the vault by the time it is opened is skipped, as the walk skips it.
fn read_limited(
    root: &Path,
    abs: &Path,
    contact_by_folder: bool,
) -> Result<(Stamp, Option<Vec<u8>>), Kind> {
    let read_err = |e: io::Error| Kind::Read(e.to_string());
    let (mut file, meta) = match safe::open_inside(root, abs) {
        Ok(opened) => opened,
        Err(e) if e.kind() == io::ErrorKind::NotFound || safe::is_outside(&e) => {
            return Ok((Stamp::default(), None));
        }
        Err(e) => return Err(read_err(e)),
    };
    let stamp = Stamp::from_metadata(&meta);
    if stamp.size > MAX_FILE_BYTES {
        let mut head = [0u8; 6];
        let n = file.read(&mut head).map_err(read_err)?;
        let head = head[..n]
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&head[..n]);
        return if contact_by_folder || head.starts_with(b"---") || head.starts_with(b"+++") {
            Err(Kind::TooLarge(stamp.size))
        } else {
            Ok((stamp, None))
        };
    }
    // The size is at most 4 MiB, so it fits. A file that grows while being read is cut at the
    // limit and reported, like any other large file.
    let mut bytes = Vec::with_capacity(usize::try_from(stamp.size).unwrap_or(0) + 1);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Kind::TooLarge(bytes.len() as u64));
    }
    Ok((stamp, Some(bytes)))
}

/// Read the vault's own drafts (`[templates]`) into the config. A file that is missing, out of
/// the vault or not a valid template is a config error that names the key and the file.
fn read_drafts(root: &Path, canon: &Path, mut config: Config) -> Result<Config> {
    for (kind, rel) in &config.templates {
        let key = format!("templates.{}", kind.key());
        let text = read_text_inside(canon, &root.join(rel)).map_err(|e| {
            let why = if e.kind() == io::ErrorKind::NotFound {
                "no such file in the vault".to_string()
            } else {
                e.to_string()
            };
            anyhow::anyhow!(
                "{}: `{key}`: cannot read the template \"{rel}\": {why}",
                config::FILE_NAME
            )
        })?;
        let template = crate::draft::Template::parse(&text).map_err(|e| {
            anyhow::anyhow!(
                "{}: `{key}`: the template \"{rel}\", {e}",
                config::FILE_NAME
            )
        })?;
        config.drafts.insert(*kind, template);
    }
    Ok(config)
}

/// A text file inside the vault (the config, a template): a link out of it is refused.
pub fn read_text_inside(root: &Path, path: &Path) -> io::Result<String> {
    let mut text = String::new();
    safe::open_inside(root, path)?
        .0
        .take(MAX_FILE_BYTES)
        .read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_vanished_before_the_read_is_gone_not_a_problem() {
        let dir = tempfile::TempDir::new().unwrap();
        let (_, parsed) = read_stamped(
            dir.path(),
            "gone.md",
            &dir.path().join("gone.md"),
            &Config::default(),
        );
        assert!(parsed.contact.is_none());
        assert_eq!(parsed.problems, vec![]);
    }

    #[test]
    fn action_links_are_filled_for_the_listed_items_and_then_rendered() {
        let dir = tempfile::TempDir::new().unwrap();
        fs::write(dir.path().join("touchbase.toml"), "[agenda]\nper_day = 1\n").unwrap();
        for (file, name, days) in [("a.md", "Ann", "01"), ("b.md", "Bea", "10")] {
            fs::write(
                dir.path().join(file),
                format!(
                    "---\nname: {name}\nemail: {file}@x.example\n---\n## 2026-10-{days} call\n"
                ),
            )
            .unwrap();
        }
        let vault = Vault::open(dir.path()).unwrap();
        let mut cache = vault.cache(None);
        vault.sync(&mut cache);
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let agenda = vault.agenda_from(&mut cache, today);
        // Rendered before the links are filled in: none, and the line is not kept so.
        assert!(!render::render_due(&agenda, vault.config.links).contains("mailto:"));
        let listed = agenda.listed();
        assert_eq!(listed.len(), 1);
        vault.fill_actions(&cache, &agenda, &listed);
        let due = render::render_due(&agenda, vault.config.links);
        assert_eq!(due.matches("](mailto:").count(), 1, "{due}");
        assert!(
            due.contains("[email](mailto:a.md@x.example?subject="),
            "{due}"
        );
        // The one not listed (per_day = 1) was never drafted.
        let unlisted = agenda.items.iter().find(|i| i.name == "Bea").unwrap();
        assert!(unlisted.actions.get().is_none());
    }

    #[test]
    fn files_changed_just_before_they_were_read_are_not_stored() {
        let dir = tempfile::TempDir::new().unwrap();
        let store = tempfile::TempDir::new().unwrap();
        fs::write(dir.path().join("a.md"), "---\nname: Ann\n---\n").unwrap();
        fs::write(dir.path().join("b.md"), "---\nname: Bea\n---\n").unwrap();
        let vault = Vault::open(dir.path()).unwrap();
        let mut cache = vault.cache(Some(store.path()));
        vault.sync(&mut cache);
        // Both were written within the last 3 seconds: a second save in the same clock tick
        // could keep their stamps, so they are read again next time rather than trusted.
        assert_eq!(cache.save().unwrap(), None);
        let again = vault.cache(Some(store.path()));
        assert_eq!(again.len(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn links_between_folders_are_walked_once_and_loops_end() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::TempDir::new().unwrap();
        let v = dir.path();
        fs::create_dir_all(v.join("a")).unwrap();
        fs::create_dir_all(v.join("b")).unwrap();
        fs::write(v.join("a/ann.md"), "---\nname: Ann\n---\n").unwrap();
        fs::write(v.join("b/bea.md"), "---\nname: Bea\n---\n").unwrap();
        symlink("../b", v.join("a/to-b")).unwrap();
        symlink("../a", v.join("b/to-a")).unwrap();
        symlink("..", v.join("a/up")).unwrap();
        let vault = Vault::open(v).unwrap();
        let (files, problems) = vault.scan();
        let rels: Vec<&str> = files.iter().map(|(r, _)| r.as_str()).collect();
        // Each folder is walked once, under its own name.
        assert_eq!(rels, vec!["a/ann.md", "b/bea.md"]);
        let loops: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            loops
                .iter()
                .any(|l| l.starts_with("a/up: symbolic link loop")),
            "{loops:?}"
        );
        assert_eq!(
            loops.len(),
            1,
            "links to folders already walked are no loop: {loops:?}"
        );
    }

    /// A config that reads People/ as contacts and dated notes as touches (SPEC 10).
    const PEOPLE_AND_NOTES: &str = "[contacts]\nfolders = [\"People\"]\n[touches]\nnotes = true\n";

    /// Write `text` to the vault-relative `name` below `v`, making its folders.
    fn write_in(v: &Path, name: &str, text: &str) {
        let path = v.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// Touches from notes follow each note: an edit, a delete or a rename of a note re-resolves
    /// that note and schedules again exactly the contacts it touched before or touches now.
    #[test]
    fn a_note_edit_delete_or_rename_reschedules_exactly_the_contacts_it_touches() {
        let dir = tempfile::TempDir::new().unwrap();
        let v = dir.path();
        let write = |name: &str, text: &str| write_in(v, name, text);
        write("touchbase.toml", PEOPLE_AND_NOTES);
        write("People/Ann.md", "# Ann\n");
        write("People/Bea.md", "---\nname: Bea\n---\n## 2026-11-01 call\n");
        write("People/Cy.md", "Cy's notes\n");
        write("Daily/2026-11-10.md", "Lunch with [[Ann]].\n");
        write("Daily/2026-11-12.md", "Met [[Bea]] and [[Nobody]].\n");
        write("Daily/2026-11-14.md", "Coffee with [[Cyrus]].\n");
        let vault = Vault::open(v).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let mut cache = Cache::default();
        vault.sync(&mut cache);
        vault.agenda_from(&mut cache, today);
        assert_eq!(cache.schedules, 3);
        // (contact path, its touches as date, channel and where from)
        let touches = |cache: &Cache, path: &str| -> Vec<String> {
            let c = cache.contacts().find(|c| c.path == path).unwrap();
            c.touches
                .iter()
                .map(|t| match &t.origin {
                    crate::model::Origin::Note(n) => format!("{} {} {n}", t.date, t.channel),
                    _ => format!("{} {}", t.date, t.channel),
                })
                .collect()
        };
        assert_eq!(
            touches(&cache, "People/Ann.md"),
            ["2026-11-10 other Daily/2026-11-10.md"]
        );
        assert_eq!(
            touches(&cache, "People/Bea.md"),
            ["2026-11-01 call", "2026-11-12 other Daily/2026-11-12.md"]
        );
        assert_eq!(touches(&cache, "People/Cy.md"), Vec::<String>::new());

        // Edit: the note now links to Bea instead of Ann; Ann and Bea are scheduled again.
        write("Daily/2026-11-10.md", "Lunch with [[Bea]], at last.\n");
        vault.refresh(&mut cache, &["Daily/2026-11-10.md".to_string()]);
        vault.agenda_from(&mut cache, today);
        assert_eq!(cache.schedules, 3 + 2);
        assert_eq!(touches(&cache, "People/Ann.md"), Vec::<String>::new());
        assert_eq!(
            touches(&cache, "People/Bea.md"),
            [
                "2026-11-01 call",
                "2026-11-10 other Daily/2026-11-10.md",
                "2026-11-12 other Daily/2026-11-12.md"
            ]
        );

        // Delete: Bea alone.
        fs::remove_file(v.join("Daily/2026-11-12.md")).unwrap();
        vault.refresh(&mut cache, &["Daily/2026-11-12.md".to_string()]);
        vault.agenda_from(&mut cache, today);
        assert_eq!(cache.schedules, 5 + 1);
        assert_eq!(
            touches(&cache, "People/Bea.md"),
            ["2026-11-01 call", "2026-11-10 other Daily/2026-11-10.md"]
        );

        // Rename: the touch keeps its contact and takes the new note's path and title channel.
        fs::create_dir_all(v.join("Meetings")).unwrap();
        fs::rename(
            v.join("Daily/2026-11-10.md"),
            v.join("Meetings/2026-11-10 call.md"),
        )
        .unwrap();
        vault.refresh(
            &mut cache,
            &[
                "Daily/2026-11-10.md".to_string(),
                "Meetings/2026-11-10 call.md".to_string(),
            ],
        );
        vault.agenda_from(&mut cache, today);
        assert_eq!(cache.schedules, 6 + 1);
        assert_eq!(
            touches(&cache, "People/Bea.md"),
            [
                "2026-11-01 call",
                "2026-11-10 call Meetings/2026-11-10 call.md"
            ]
        );

        // Editing a contact schedules it alone, and keeps its touches from notes.
        write(
            "People/Bea.md",
            "---\nname: Bea\nstage: client\n---\n## 2026-11-01 call\n",
        );
        vault.refresh(&mut cache, &["People/Bea.md".to_string()]);
        vault.agenda_from(&mut cache, today);
        assert_eq!(cache.schedules, 7 + 1);
        assert_eq!(touches(&cache, "People/Bea.md").len(), 2);

        // A contact renamed so that a link finds it: links are resolved again.
        fs::rename(v.join("People/Cy.md"), v.join("People/Cyrus.md")).unwrap();
        vault.refresh(
            &mut cache,
            &["People/Cy.md".to_string(), "People/Cyrus.md".to_string()],
        );
        vault.agenda_from(&mut cache, today);
        assert_eq!(cache.schedules, 8 + 1);
        assert_eq!(
            touches(&cache, "People/Cyrus.md"),
            ["2026-11-14 other Daily/2026-11-14.md"]
        );
        // And a full read of the vault agrees with every step taken.
        let mut fresh = Cache::default();
        vault.sync(&mut fresh);
        for path in ["People/Ann.md", "People/Bea.md", "People/Cyrus.md"] {
            assert_eq!(touches(&cache, path), touches(&fresh, path), "{path}");
        }
    }

    #[test]
    fn sync_rereads_only_what_changed() {
        let dir = tempfile::TempDir::new().unwrap();
        let write = |name: &str, text: &str| fs::write(dir.path().join(name), text).unwrap();
        write("a.md", "---\nname: Ann\n---\n");
        write("b.md", "---\nname: Bea\n---\n");
        let vault = Vault::open(dir.path()).unwrap();
        let mut cache = Cache::default();
        assert_eq!(vault.sync(&mut cache), vec!["a.md", "b.md"]);
        assert_eq!(vault.sync(&mut cache), Vec::<String>::new());
        write("b.md", "---\nname: Beatrice\n---\n");
        assert_eq!(vault.sync(&mut cache), vec!["b.md"]);
        fs::remove_file(dir.path().join("a.md")).unwrap();
        assert_eq!(vault.sync(&mut cache), vec!["a.md"]);
        let names: Vec<&str> = cache.contacts().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["Beatrice"]);
    }
}
