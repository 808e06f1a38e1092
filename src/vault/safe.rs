//! Safe file access inside a vault: open only files that are really inside it, serialise
//! touchbase's writers, replace a file without losing a save that lands at the same moment, and
//! clean up temp files a killed run left behind. Everything that writes into a vault goes
//! through here.
//!
//! Whether something is inside the vault is decided on what was actually opened (its real path
//! as the system names it), never on a path checked earlier: a symbolic link can be flipped in
//! between. Writes go through an open handle on the folder (a [`Folder`]), checked to be inside
//! the vault once it is open; every name is then created, renamed or removed relative to that
//! handle, so a link changed on the way afterwards cannot lead them anywhere else.
//!
//! What is guaranteed (and what is not) is written down in the README, "When two programs write
//! at once".

use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use rustix::fs::{self as sys, AtFlags, Mode, OFlags};
use rustix::io::Errno;

use crate::problem::MAX_FILE_BYTES;

/// Temp files end with this; nothing else names files so, which is what makes it safe to
/// remove stale ones. They start with a dot, so no scan or watcher ever reads them.
pub const TEMP_SUFFIX: &str = ".touchbase-tmp";

/// The lock every touchbase writer takes, in the vault's root.
pub const LOCK_FILE: &str = ".touchbase.lock";

/// A temp file older than this belongs to a run that was killed: a live run renames its temp
/// file within milliseconds of making it.
pub const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// A file changed less than this long ago may be in the middle of an editor's save (truncate,
/// then write in pieces): it is read again once it has been quiet this long.
const SETTLE: Duration = Duration::from_millis(100);

/// An empty file unchanged this long is empty, not truncated by a save in progress. Shorter
/// than `SETTLE_WAIT`, so a file emptied just before a command is waited for, not refused.
const EMPTY_SETTLE: Duration = Duration::from_secs(2);

/// How long to wait for a file that keeps changing to settle before giving up.
const SETTLE_WAIT: Duration = Duration::from_secs(3);

/// How long to wait for another touchbase writer before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// How many times an edit is made again on a newer version that was saved while it was being
/// written.
const ATTEMPTS: usize = 5;

/// A path that leads out of the vault when it is opened.
#[derive(Debug, thiserror::Error)]
#[error("{} leads out of the vault (a symbolic link?): touchbase does not follow it", .0.display())]
pub struct Outside(pub PathBuf);

/// True when an I/O error is an [`Outside`].
pub fn is_outside(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Outside>())
}

fn outside(path: &Path) -> io::Error {
    io::Error::other(Outside(path.to_path_buf()))
}

/// Where an open file or folder really is, as the system names it.
fn real_path(fd: impl AsFd) -> Option<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        fs::read_link(format!("/proc/self/fd/{}", fd.as_fd().as_raw_fd())).ok()
    }
    #[cfg(target_os = "macos")]
    {
        use std::os::unix::ffi::OsStrExt;
        sys::getpath(fd)
            .ok()
            .map(|c| PathBuf::from(OsStr::from_bytes(c.as_bytes())))
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    {
        // No way to ask: nothing counts as inside.
        let _ = fd;
        None
    }
}

/// Make sure this system can say where an open file is (on Linux, `/proc` must be mounted):
/// without that, nothing could be checked to be inside the vault, and touchbase refuses to
/// run rather than read nothing or anything.
pub fn check_support(root: &Path) -> Result<()> {
    let fd = sys::open(
        root,
        OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(io::Error::from)
    .with_context(|| format!("cannot open the vault {}", root.display()))?;
    if real_path(&fd).is_none() {
        bail!(
            "touchbase cannot tell where an open file really is on this system (on Linux, /proc \
             must be mounted), so it cannot make sure it stays inside the vault: nothing was \
             read"
        );
    }
    Ok(())
}

/// True when the open `fd` is inside `root` (a canonical path).
fn is_inside(root: &Path, fd: impl AsFd) -> bool {
    real_path(fd).is_some_and(|p| p.starts_with(root))
}

/// Open a file for reading and make sure that the file actually opened is inside `root` (a
/// canonical path). Opening never blocks (a FIFO named `x.md`), and anything but a regular file
/// is refused.
pub fn open_inside(root: &Path, path: &Path) -> io::Result<(File, fs::Metadata)> {
    let fd = sys::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    if !is_inside(root, &fd) {
        return Err(outside(path));
    }
    let file = File::from(fd);
    let meta = file.metadata()?;
    if meta.is_file() {
        Ok((file, meta))
    } else {
        Err(not_regular())
    }
}

fn not_regular() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "not a regular file")
}

/// The file, if it is a regular file.
fn regular(file: File) -> io::Result<File> {
    if file.metadata()?.is_file() {
        Ok(file)
    } else {
        Err(not_regular())
    }
}

/// An open folder inside the vault. Names are made, renamed and removed relative to it.
struct Folder {
    fd: OwnedFd,
    /// For messages.
    path: PathBuf,
}

impl Folder {
    /// Open `folder` (below `root`, canonical), one level at a time, each level checked to be
    /// inside the vault once it is open; with `create`, missing levels are made on the way.
    fn open(root: &Path, folder: &Path, create: bool) -> io::Result<Folder> {
        let rel = folder.strip_prefix(root).map_err(|_| outside(folder))?;
        let dir_flags = OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC;
        let mut fd = sys::open(root, dir_flags, Mode::empty())?;
        if !is_inside(root, &fd) {
            return Err(outside(folder));
        }
        for part in rel.components() {
            let part = match part {
                Component::Normal(p) => p,
                Component::CurDir => continue,
                _ => return Err(outside(folder)),
            };
            if create {
                match sys::mkdirat(&fd, part, Mode::from_raw_mode(0o755)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            let next = sys::openat(&fd, part, dir_flags, Mode::empty())?;
            if !is_inside(root, &next) {
                return Err(outside(folder));
            }
            fd = next;
        }
        Ok(Folder {
            fd,
            path: folder.to_path_buf(),
        })
    }

    /// The folder holding `path` (below `root`), and the name in it.
    fn of(root: &Path, path: &Path, create: bool) -> io::Result<(Folder, OsString)> {
        let name = path
            .file_name()
            .ok_or_else(|| outside(path))?
            .to_os_string();
        let folder = Folder::open(root, path.parent().unwrap_or(root), create)?;
        Ok((folder, name))
    }

    fn shown(&self, name: &OsStr) -> String {
        self.path.join(name).display().to_string()
    }

    /// What stands at `name`, links not followed.
    fn stat(&self, name: &OsStr) -> io::Result<Version> {
        Ok(Version::of_stat(&sys::statat(
            &self.fd,
            name,
            AtFlags::SYMLINK_NOFOLLOW,
        )?))
    }

    /// Open the regular file `name` for reading; a link is not followed.
    fn open_file(&self, name: &OsStr) -> io::Result<File> {
        let fd = sys::openat(
            &self.fd,
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        regular(File::from(fd))
    }

    /// A temp file in this folder, named after `name`, holding `content`, flushed to disk. It
    /// gets `mode` and (where allowed) the given owner when it replaces a file; a new file's mode
    /// is what the user's umask makes of 0666, as for any file they create. Its name is
    /// `.NAME.XXXXXX.touchbase-tmp`, with NAME cut short enough for the system's limit.
    fn temp(
        &self,
        name: &OsStr,
        mode: Option<u32>,
        owner: Option<(u32, u32)>,
        content: &[u8],
    ) -> io::Result<OsString> {
        let full = name.to_string_lossy();
        let mut cut = full.len().min(200);
        while !full.is_char_boundary(cut) {
            cut -= 1;
        }
        let stem = &full[..cut];
        loop {
            let random: String = std::iter::repeat_with(fastrand::alphanumeric)
                .take(6)
                .collect();
            let temp = OsString::from(format!(".{stem}.{random}{TEMP_SUFFIX}"));
            let fd = match sys::openat(
                &self.fd,
                &temp,
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_raw_mode(if mode.is_some() { 0o600 } else { 0o666 }),
            ) {
                Ok(fd) => fd,
                Err(Errno::EXIST) => continue,
                Err(e) => return Err(e.into()),
            };
            let mut file = File::from(fd);
            let written = (|| -> io::Result<()> {
                // A replacement keeps the mode of what it replaces, whatever the umask.
                if let Some(mode) = mode {
                    sys::fchmod(&file, Mode::from_raw_mode(mode))?;
                }
                if let Some((uid, gid)) = owner {
                    // Only root may give a file away; anyone else keeps their own file anyway.
                    let _ = std::os::unix::fs::fchown(&file, Some(uid), Some(gid));
                }
                file.write_all(content)?;
                file.sync_all()
            })();
            if let Err(e) = written {
                self.remove(&temp);
                return Err(e);
            }
            return Ok(temp);
        }
    }

    fn rename(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        sys::renameat(&self.fd, from, &self.fd, to).map_err(io::Error::from)
    }

    /// Swap two names atomically.
    fn exchange(&self, a: &OsStr, b: &OsStr) -> io::Result<()> {
        #[cfg(test)]
        if NO_EXCHANGE.with(std::cell::Cell::get) {
            return Err(io::Error::from(io::ErrorKind::Unsupported));
        }
        #[cfg(any(target_os = "linux", target_os = "macos"))]
        {
            sys::renameat_with(&self.fd, a, &self.fd, b, sys::RenameFlags::EXCHANGE)
                .map_err(io::Error::from)
        }
        #[cfg(not(any(target_os = "linux", target_os = "macos")))]
        {
            let _ = (a, b);
            Err(io::Error::from(io::ErrorKind::Unsupported))
        }
    }

    fn remove(&self, name: &OsStr) {
        let _ = sys::unlinkat(&self.fd, name, AtFlags::empty());
    }

    /// Flush the folder, so that a rename survives a power cut.
    fn sync(&self) {
        let _ = sys::fsync(&self.fd);
    }
}

/// What tells one version of a file from another: the same file (device and inode), size,
/// modification and status-change times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Version {
    dev: u64,
    ino: u64,
    size: u64,
    modified: (i64, i64),
    changed: (i64, i64),
    mode: u32,
}

impl Version {
    fn of(m: &fs::Metadata) -> Version {
        Version {
            dev: m.dev(),
            ino: m.ino(),
            size: m.len(),
            modified: (m.mtime(), m.mtime_nsec()),
            changed: (m.ctime(), m.ctime_nsec()),
            mode: m.mode(),
        }
    }

    // The field types differ between systems (and between Linux's two back ends): the casts
    // are needless on some and needed on others.
    #[allow(
        clippy::cast_sign_loss,
        clippy::cast_possible_wrap,
        clippy::useless_conversion,
        clippy::unnecessary_cast
    )]
    fn of_stat(s: &sys::Stat) -> Version {
        Version {
            dev: s.st_dev as u64,
            ino: s.st_ino as u64,
            size: s.st_size as u64,
            modified: (s.st_mtime as i64, s.st_mtime_nsec as i64),
            changed: (s.st_ctime as i64, s.st_ctime_nsec as i64),
            mode: u32::from(s.st_mode),
        }
    }

    fn same_file(&self, other: &Version) -> bool {
        self.dev == other.dev && self.ino == other.ino
    }

    fn is_file(&self) -> bool {
        sys::FileType::from_raw_mode(self.mode as _) == sys::FileType::RegularFile
    }

    fn is_symlink(&self) -> bool {
        sys::FileType::from_raw_mode(self.mode as _) == sys::FileType::Symlink
    }
}

/// Held while a touchbase command writes to the vault: one writer at a time, whatever the
/// process. The lock is the operating system's (`flock`), so it is released when the process
/// ends, however it ends; the lock file itself stays.
#[derive(Debug)]
pub struct WriteLock {
    _file: File,
}

/// The lock file, opened (made if missing); never through a link.
fn lock_file(root: &Path) -> Result<(File, PathBuf)> {
    let path = root.join(LOCK_FILE);
    let file = sys::open(
        &path,
        OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o644),
    )
    .map_err(io::Error::from)
    .and_then(|fd| regular(File::from(fd)))
    .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    Ok((file, path))
}

/// The vault's write lock if no other touchbase writer holds it now; `None` otherwise (or when
/// it cannot be taken at all). For chores that can wait for the next run.
fn lock_if_free(root: &Path) -> Option<WriteLock> {
    let (file, _) = lock_file(root).ok()?;
    file.try_lock().ok()?;
    Some(WriteLock { _file: file })
}

/// Take the vault's write lock, waiting for another touchbase writer to finish.
fn lock(root: &Path) -> Result<WriteLock> {
    let (file, path) = lock_file(root)?;
    let start = Instant::now();
    let mut said = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(WriteLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => {
                if start.elapsed() > LOCK_WAIT {
                    bail!(
                        "another touchbase command has been writing to this vault for {} s (it \
                         holds {}): nothing was written; try again when it has finished",
                        LOCK_WAIT.as_secs(),
                        path.display()
                    );
                }
                if !said && start.elapsed() > Duration::from_secs(1) {
                    eprintln!("touchbase: waiting for another touchbase command to finish writing");
                    said = true;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
    }
}

/// A file as it was read for an edit: its folder, its name, the open file, its version and
/// every byte.
struct Snapshot {
    folder: Folder,
    name: OsString,
    file: File,
    version: Version,
    bytes: Vec<u8>,
}

/// What an edit did.
#[derive(Debug)]
pub struct Edited {
    /// How many times a save by another program landed while the edit was being written, so
    /// that the edit was made again on the newer version.
    pub redone: usize,
}

/// Replace the file at `path` (below `root`, canonical) with `edit` of its current bytes.
///
/// Under the vault's write lock: the file is read once it has settled (an editor's save in
/// pieces is never read half-way), `edit` makes the new bytes, they go to a temp file beside
/// it, and the temp file takes the file's place atomically. If another program saved the file
/// in the meantime, that save is put back in place and the edit is made again on it (up to a
/// few times); an error says so if it keeps happening. `edit` may refuse with an error, and
/// then nothing is written.
pub fn edit_file<F>(root: &Path, path: &Path, mut edit: F) -> Result<Edited>
where
    F: FnMut(&[u8]) -> Result<Vec<u8>>,
{
    let _lock = lock(root)?;
    for redone in 0..ATTEMPTS {
        let original = read_settled(root, path)?;
        // Root may write anything, but a file its owner may not write is the user's word.
        let mode = original.version.mode;
        let writable = mode & 0o200 != 0
            && sys::accessat(
                &original.folder.fd,
                &original.name,
                sys::Access::WRITE_OK,
                AtFlags::empty(),
            )
            .is_ok();
        if !writable {
            bail!(
                "{} is read-only (mode {:o}): touchbase does not change it; make it writable \
                 (chmod u+w) and run the command again",
                path.display(),
                mode & 0o7777
            );
        }
        let new = edit(&original.bytes)?;
        if commit(&original, &new)? {
            return Ok(Edited { redone });
        }
    }
    bail!(
        "{} kept changing while touchbase was editing it (another program saving it again and \
         again?): nothing was written; run the command again",
        path.display()
    )
}

/// Read a file for an edit once it is quiet: the same version before and after the read, not
/// empty (an editor's save truncates first), and last changed at least `SETTLE` ago.
fn read_settled(root: &Path, path: &Path) -> Result<Snapshot> {
    let target =
        fs::canonicalize(path).with_context(|| format!("cannot open {}", path.display()))?;
    let (folder, name) = Folder::of(root, &target, false)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let start = Instant::now();
    loop {
        let mut file = folder
            .open_file(&name)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let before = Version::of(&file.metadata()?);
        if before.size > MAX_FILE_BYTES {
            bail!(
                "{} is larger than {} MiB: touchbase does not edit it",
                path.display(),
                MAX_FILE_BYTES >> 20
            );
        }
        let mut bytes = Vec::with_capacity(usize::try_from(before.size).unwrap_or(0));
        (&mut file)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let meta = file.metadata()?;
        let after = Version::of(&meta);
        let age = meta
            .modified()
            .ok()
            .and_then(|m| SystemTime::now().duration_since(m).ok());
        // An empty file is an editor's save half done, unless it has stayed empty for long: a
        // contact by `contacts.folders` may be an empty file (SPEC 10), named by its stem.
        let steady = before == after
            && bytes.len() as u64 == after.size
            && (!bytes.is_empty() || age.is_none_or(|age| age >= EMPTY_SETTLE));
        let quiet = age.is_none_or(|age| age >= SETTLE);
        if steady && quiet {
            return Ok(Snapshot {
                folder,
                name,
                file,
                version: after,
                bytes,
            });
        }
        if start.elapsed() > SETTLE_WAIT {
            bail!(
                "{} is {} (an editor saving it?): nothing was written; run the command again",
                path.display(),
                if bytes.is_empty() {
                    "empty"
                } else {
                    "being written by another program"
                }
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The original is still exactly what was read: the same file at its name, untouched since.
fn untouched(original: &Snapshot) -> bool {
    let at_name = original.folder.stat(&original.name);
    let open = original.file.metadata().map(|m| Version::of(&m));
    matches!((at_name, open), (Ok(n), Ok(o)) if n == original.version && o == original.version)
}

/// The original's content, read again through the open file: an editor that writes in place
/// writes into it even after it has lost its name.
fn content_now(original: &Snapshot) -> Option<Vec<u8>> {
    let len = original.file.metadata().ok()?.len();
    if len > MAX_FILE_BYTES {
        return None;
    }
    let mut buf = vec![0; usize::try_from(len).ok()?];
    original.file.read_exact_at(&mut buf, 0).ok()?;
    Some(buf)
}

/// Points in `commit` where tests play another program saving at the worst moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Moment {
    /// After the last check, before the switch.
    BeforeSwitch,
    /// After a switch that found another program's save, before it is put back.
    BeforePutBack,
}

/// What a test does at a [`Moment`].
#[cfg(test)]
type Hook = Box<dyn FnMut(Moment)>;

#[cfg(test)]
thread_local! {
    static AT_MOMENT: std::cell::RefCell<Option<Hook>> = const { std::cell::RefCell::new(None) };
    static NO_EXCHANGE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn moment(m: Moment) {
    #[cfg(test)]
    AT_MOMENT.with(|hook| {
        if let Some(f) = hook.borrow_mut().as_mut() {
            f(m);
        }
    });
    let _ = m;
}

/// Put `new` in place of `original`. True when done; false when another program saved the file
/// since it was read (its save is then what the file holds, and nothing of `new` is).
fn commit(original: &Snapshot, new: &[u8]) -> Result<bool> {
    let dir = &original.folder;
    let name = original.name.as_os_str();
    let shown = dir.shown(name);
    let v = original.version;
    let temp = dir
        .temp(
            name,
            Some(v.mode & 0o7777),
            Some(owner(&original.file)),
            new,
        )
        .with_context(|| format!("cannot write {shown}"))?;
    let new_version = dir
        .stat(&temp)
        .with_context(|| format!("cannot write {shown}"))?;
    // The last look before the switch; the switch itself tells what it replaced.
    if !untouched(original) {
        dir.remove(&temp);
        return Ok(false);
    }
    moment(Moment::BeforeSwitch);
    match dir.exchange(&temp, name) {
        Ok(()) => {
            // `temp` now names what stood at the file's name a moment ago.
            let was_original = dir.stat(&temp).is_ok_and(|out| out.same_file(&v));
            if was_original && content_now(original).as_deref() == Some(&original.bytes[..]) {
                dir.remove(&temp);
                dir.sync();
                return Ok(true);
            }
            // Another program saved in between: its version goes back in place, untouched.
            moment(Moment::BeforePutBack);
            if let Err(e) = dir.exchange(&temp, name) {
                let kept = keep_aside(dir, &temp, name)?;
                return Err(e).with_context(|| {
                    format!(
                        "another program saved {shown} while touchbase was writing it, and its \
                         version could not be put back: it is kept as {kept}"
                    )
                });
            }
            if dir
                .stat(&temp)
                .is_ok_and(|back| back.same_file(&new_version))
            {
                dir.remove(&temp);
                return Ok(false);
            }
            // Yet another save landed in the moment between the two switches: keep every
            // version rather than guess which one matters.
            let kept = keep_aside(dir, &temp, name)?;
            bail!(
                "{shown} was saved by other programs several times while touchbase was writing \
                 it: nothing of this command was written, and one of their versions was kept as \
                 {kept}"
            );
        }
        Err(e) if exchange_unsupported(&e) => {
            // No atomic exchange here: a plain rename, right after the check above.
            dir.rename(&temp, name)
                .with_context(|| format!("cannot write {shown}"))?;
            dir.sync();
            // A save written into the old file in place is still readable through it: put it
            // back, so that it is not lost, and make the edit again on it.
            match content_now(original) {
                Some(now) if now != original.bytes => {
                    let back = dir.temp(
                        name,
                        Some(v.mode & 0o7777),
                        Some(owner(&original.file)),
                        &now,
                    )?;
                    dir.rename(&back, name)
                        .with_context(|| format!("cannot put back a version of {shown}"))?;
                    Ok(false)
                }
                _ => Ok(true),
            }
        }
        Err(e) => {
            dir.remove(&temp);
            Err(e).with_context(|| format!("cannot write {shown}"))
        }
    }
}

/// The owner and group of an open file.
fn owner(file: &File) -> (u32, u32) {
    file.metadata().map_or((0, 0), |m| (m.uid(), m.gid()))
}

/// The file system (or system) cannot exchange two names.
fn exchange_unsupported(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Unsupported
        || [Errno::INVAL, Errno::NOSYS, Errno::NOTSUP, Errno::OPNOTSUPP]
            .iter()
            .any(|n| e.raw_os_error() == Some(n.raw_os_error()))
}

/// Rename a temp file that holds someone's save to a name nothing cleans up.
fn keep_aside(dir: &Folder, temp: &OsStr, name: &OsStr) -> Result<String> {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let kept = OsString::from(format!(
        ".{}.saved-{secs}-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    dir.rename(temp, &kept)
        .with_context(|| format!("cannot keep {}", dir.shown(temp)))?;
    Ok(dir.shown(&kept))
}

/// Create a new file with `content` at `path` (below `root`, canonical), never replacing
/// anything: the content goes to a temp file beside it, which is then linked to its name (a
/// link fails if the name exists). Missing folders are made, inside the vault only.
pub fn create_file(root: &Path, path: &Path, content: &[u8]) -> Result<()> {
    let _lock = lock(root)?;
    let shown = path.display();
    let (dir, name) =
        Folder::of(root, path, true).with_context(|| format!("cannot create {shown}"))?;
    let exists = || anyhow::anyhow!("{shown} already exists: touchbase does not overwrite files");
    if dir.stat(&name).is_ok() {
        return Err(exists());
    }
    let temp = dir
        .temp(&name, None, None, content)
        .with_context(|| format!("cannot create {shown}"))?;
    let linked = match sys::linkat(&dir.fd, &temp, &dir.fd, &name, AtFlags::empty()) {
        Err(Errno::EXIST) => Err(Errno::EXIST),
        // Some file systems have no hard links: fall back to a rename, checked just before.
        Err(_) if dir.stat(&name).is_err() => sys::renameat(&dir.fd, &temp, &dir.fd, &name),
        other => other,
    };
    dir.remove(&temp);
    match linked {
        Ok(()) => {
            dir.sync();
            Ok(())
        }
        Err(Errno::EXIST) => Err(exists()),
        Err(e) => Err(io::Error::from(e)).with_context(|| format!("cannot create {shown}")),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    Changed,
    Unchanged,
}

/// Write a file that touchbase generates (the agenda) at `path` (below `root`, canonical),
/// atomically and only when its content changed. A file is replaced only if touchbase made it:
/// it is empty or starts with `header`. A symbolic link in its place is replaced by a regular
/// file (never followed to write elsewhere). A new file gets the mode the umask gives (0644
/// with the usual 022); a replaced one keeps its mode.
pub fn write_generated(root: &Path, path: &Path, header: &str, content: &[u8]) -> Result<Written> {
    write_generated_as(
        root,
        path,
        &|old| old.starts_with(header.as_bytes()),
        "it does not start with touchbase's header",
        "agenda.file",
        content,
    )
}

/// [`write_generated`] for a file whose own kind of check (`ours`, given its current bytes,
/// says touchbase made it; `why_not` says what it lacks) tells whether it may be replaced;
/// `key` is the setting that names the file.
pub fn write_generated_as(
    root: &Path,
    path: &Path,
    ours: &dyn Fn(&[u8]) -> bool,
    why_not: &str,
    key: &str,
    content: &[u8],
) -> Result<Written> {
    let shown = path.display();
    let (dir, name) =
        Folder::of(root, path, true).with_context(|| format!("cannot write {shown}"))?;
    let not_ours = || {
        anyhow::anyhow!(
            "{shown} exists and was not generated by touchbase ({why_not}): touchbase does not \
             replace it; move it away or set another `{key}`"
        )
    };
    let mode = match dir.stat(&name) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {shown}")),
        Ok(v) if v.is_file() || v.is_symlink() => {
            let old = read_old(root, &dir, &name, v.is_symlink())
                .with_context(|| format!("cannot read {shown}"))?;
            if v.is_file() && old == content {
                return Ok(Written::Unchanged);
            }
            // (An empty file holds nothing to lose: `touch DUE.md` is fine.)
            if !old.is_empty() && !ours(&old) {
                return Err(not_ours());
            }
            v.is_file().then_some(v.mode & 0o7777)
        }
        Ok(_) => return Err(not_ours()),
    };
    let temp = dir
        .temp(&name, mode, None, content)
        .with_context(|| format!("cannot write {shown}"))?;
    if let Err(e) = dir.rename(&temp, &name) {
        dir.remove(&temp);
        return Err(e).with_context(|| format!("cannot write {shown}"));
    }
    dir.sync();
    Ok(Written::Changed)
}

/// Remove a file touchbase generated at `path` (below `root`, canonical): only a regular file
/// inside the vault that starts with `header`. Anything else (a user's file, a link, a folder,
/// nothing at all) is left alone and `false` returned.
pub fn remove_generated(root: &Path, path: &Path, header: &str) -> Result<bool> {
    let shown = path.display();
    let Ok((dir, name)) = Folder::of(root, path, false) else {
        return Ok(false);
    };
    if !dir.stat(&name).is_ok_and(|v| v.is_file()) {
        return Ok(false);
    }
    let old = read_old(root, &dir, &name, false).with_context(|| format!("cannot read {shown}"))?;
    if !old.starts_with(header.as_bytes()) {
        return Ok(false);
    }
    sys::unlinkat(&dir.fd, &name, AtFlags::empty())
        .with_context(|| format!("cannot remove {shown}"))?;
    dir.sync();
    Ok(true)
}

/// What a generated file holds now (at most the size limit). Through a link only to a file
/// inside the vault: a link to nothing, or out of the vault, holds nothing of ours to keep.
fn read_old(root: &Path, dir: &Folder, name: &OsStr, link: bool) -> io::Result<Vec<u8>> {
    let file = if link {
        let fd = match sys::openat(
            &dir.fd,
            name,
            OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(fd) => fd,
            Err(Errno::NOENT | Errno::LOOP) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        if !is_inside(root, &fd) {
            return Ok(Vec::new());
        }
        regular(File::from(fd))?
    } else {
        dir.open_file(name)?
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// True when `path` (below `root`, canonical) names something inside the vault, checked
/// through open folders (a link at the end is not followed).
pub fn exists_inside(root: &Path, path: &Path) -> bool {
    Folder::of(root, path, false).is_ok_and(|(dir, name)| dir.stat(&name).is_ok())
}

/// True for the name of one of touchbase's temp files: `.NAME.XXXXXX.touchbase-tmp`.
pub fn is_temp_name(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|n| n.strip_suffix(TEMP_SUFFIX))
        .and_then(|n| n.rsplit_once('.'))
        .is_some_and(|(stem, random)| {
            !stem.is_empty()
                && random.len() == 6
                && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Remove touchbase's temp files among `paths` (below `root`, canonical) that are older than
/// [`STALE_AFTER`] (left by a run that was killed). Anything else is left alone, and nothing
/// outside the vault is touched. Returns how many were removed.
pub fn remove_stale(root: &Path, paths: &[PathBuf]) -> usize {
    if !paths.iter().any(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_temp_name)
    }) {
        return 0;
    }
    // A writer's temp file may briefly hold the old version of a file under its temp name:
    // cleaning up waits until no writer is at work (the next run will do it).
    let Some(_lock) = lock_if_free(root) else {
        return 0;
    };
    let now = SystemTime::now();
    let stale = |v: &Version| {
        let modified = SystemTime::UNIX_EPOCH
            + Duration::new(
                u64::try_from(v.modified.0).unwrap_or(0),
                u32::try_from(v.modified.1).unwrap_or(0),
            );
        v.is_file()
            && now
                .duration_since(modified)
                .is_ok_and(|age| age > STALE_AFTER)
    };
    paths
        .iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_temp_name)
        })
        .filter(|p| {
            let Ok((dir, name)) = Folder::of(root, p, false) else {
                return false;
            };
            let old = dir.stat(&name).is_ok_and(|v| stale(&v));
            old && sys::unlinkat(&dir.fd, &name, AtFlags::empty()).is_ok()
        })
        .count()
}

#[cfg(test)]
mod tests {
    use std::fs::OpenOptions;
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn vault() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::TempDir::new().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        (dir, root)
    }

    /// Write a file and make it look settled (changed a second ago).
    fn put(path: &Path, text: &str) {
        fs::write(path, text).unwrap();
        age(path, Duration::from_secs(1));
    }

    fn age(path: &Path, by: Duration) {
        let f = File::options().write(true).open(path).unwrap();
        f.set_modified(SystemTime::now() - by).unwrap();
    }

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn append(bytes: &[u8]) -> Result<Vec<u8>> {
        let mut v = bytes.to_vec();
        v.extend_from_slice(b"+edit");
        Ok(v)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn an_edit_replaces_the_file_and_keeps_its_mode() {
        let (_d, root) = vault();
        let path = root.join("a.md");
        put(&path, "old");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let edited = edit_file(&root, &path, append).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"old+edit");
        assert_eq!(edited.redone, 0);
        assert_eq!(mode(&path), 0o640);
        assert_eq!(names(&root), vec![LOCK_FILE, "a.md"], "no temp file left");
    }

    #[test]
    fn a_save_by_rename_during_the_edit_is_kept_and_edited() {
        let (_d, root) = vault();
        let path = root.join("a.md");
        put(&path, "old");
        let mut calls = 0;
        let edited = edit_file(&root, &path, |bytes| {
            calls += 1;
            if calls == 1 {
                // An editor saves (temp file, then rename) while touchbase is editing.
                let tmp = root.join("a.md.swp");
                fs::write(&tmp, "saved by the editor").unwrap();
                age(&tmp, Duration::from_secs(1));
                fs::rename(&tmp, &path).unwrap();
            }
            append(bytes)
        })
        .unwrap();
        assert_eq!(edited.redone, 1);
        assert_eq!(fs::read(&path).unwrap(), b"saved by the editor+edit");
    }

    #[test]
    fn a_save_in_place_during_the_edit_is_kept_and_edited() {
        let (_d, root) = vault();
        let path = root.join("a.md");
        put(&path, "old");
        let mut calls = 0;
        edit_file(&root, &path, |bytes| {
            calls += 1;
            if calls == 1 {
                // Truncate and write, as Node's writeFile and several editors do.
                put(&path, "saved in place, longer");
            }
            append(bytes)
        })
        .unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"saved in place, longer+edit");
    }

    /// Run `edit_file` with `hook` playing another program at the given moments of the write.
    fn edit_with_hook(
        root: &Path,
        path: &Path,
        exchange: bool,
        hook: impl FnMut(Moment) + 'static,
    ) -> Result<Edited> {
        AT_MOMENT.with(|h| *h.borrow_mut() = Some(Box::new(hook)));
        NO_EXCHANGE.with(|n| n.set(!exchange));
        let result = edit_file(root, path, append);
        AT_MOMENT.with(|h| *h.borrow_mut() = None);
        NO_EXCHANGE.with(|n| n.set(false));
        result
    }

    fn save_by_rename(path: &Path, text: &str) {
        let tmp = path.with_file_name("editor.swp");
        fs::write(&tmp, text).unwrap();
        age(&tmp, Duration::from_secs(1));
        fs::rename(&tmp, path).unwrap();
    }

    #[test]
    fn a_save_landing_just_before_the_switch_is_put_back_and_edited() {
        for (exchange, in_place) in [(true, false), (true, true), (false, true)] {
            let (_d, root) = vault();
            let path = root.join("a.md");
            put(&path, "old");
            let (p, mut first) = (path.clone(), true);
            let edited = edit_with_hook(&root, &path, exchange, move |m| {
                if m == Moment::BeforeSwitch && std::mem::take(&mut first) {
                    if in_place {
                        put(&p, "saved in place");
                    } else {
                        save_by_rename(&p, "saved by rename");
                    }
                }
            })
            .unwrap();
            let want = if in_place {
                "saved in place"
            } else {
                "saved by rename"
            };
            assert_eq!(edited.redone, 1, "{exchange} {in_place}");
            assert_eq!(fs::read_to_string(&path).unwrap(), format!("{want}+edit"));
            assert_eq!(names(&root), vec![LOCK_FILE, "a.md"], "no temp file left");
        }
    }

    #[test]
    fn two_saves_during_one_write_are_both_kept() {
        let (_d, root) = vault();
        let path = root.join("a.md");
        put(&path, "old");
        let p = path.clone();
        let err = edit_with_hook(&root, &path, true, move |m| match m {
            Moment::BeforeSwitch => save_by_rename(&p, "first save"),
            Moment::BeforePutBack => save_by_rename(&p, "second save"),
        })
        .unwrap_err();
        assert!(err.to_string().contains("was kept as"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "first save");
        let kept: Vec<String> = names(&root)
            .into_iter()
            .filter(|n| n.starts_with(".a.md.saved-"))
            .collect();
        assert_eq!(kept.len(), 1, "{:?}", names(&root));
        assert_eq!(
            fs::read_to_string(root.join(&kept[0])).unwrap(),
            "second save"
        );
    }

    #[test]
    fn a_file_that_keeps_changing_is_left_as_the_other_program_saved_it() {
        let (_d, root) = vault();
        let path = root.join("a.md");
        put(&path, "old");
        let mut n = 0;
        let err = edit_file(&root, &path, |bytes| {
            n += 1;
            put(&path, &format!("save {n}"));
            append(bytes)
        })
        .unwrap_err();
        assert!(err.to_string().contains("kept changing"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), format!("save {n}"));
        assert_eq!(names(&root), vec![LOCK_FILE, "a.md"]);
    }

    #[test]
    fn a_file_being_written_is_read_only_once_it_has_settled() {
        let (_d, root) = vault();
        let path = root.join("a.md");
        // Just written: an editor may still be writing its second half.
        fs::write(&path, "first half").unwrap();
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(30));
                let mut f = OpenOptions::new().append(true).open(&path).unwrap();
                f.write_all(b" and second half").unwrap();
            })
        };
        edit_file(&root, &path, append).unwrap();
        writer.join().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"first half and second half+edit");
    }

    #[test]
    fn a_symlinked_contact_is_edited_through_the_link() {
        let (_d, root) = vault();
        put(&root.join("real.md"), "old");
        std::os::unix::fs::symlink("real.md", root.join("link.md")).unwrap();
        edit_file(&root, &root.join("link.md"), append).unwrap();
        assert_eq!(fs::read(root.join("real.md")).unwrap(), b"old+edit");
        assert!(
            fs::symlink_metadata(root.join("link.md"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn nothing_outside_the_vault_is_read_or_written() {
        let (_d, root) = vault();
        let (_o, outside) = vault();
        put(&outside.join("secret.md"), "secret");
        std::os::unix::fs::symlink(outside.join("secret.md"), root.join("link.md")).unwrap();
        let err = edit_file(&root, &root.join("link.md"), append).unwrap_err();
        assert!(
            format!("{err:#}").contains("leads out of the vault"),
            "{err:#}"
        );
        assert_eq!(fs::read(outside.join("secret.md")).unwrap(), b"secret");
        let err = open_inside(&root, &root.join("link.md")).unwrap_err();
        assert!(is_outside(&err));
        // A link inside the vault is fine.
        put(&root.join("real.md"), "real");
        std::os::unix::fs::symlink("real.md", root.join("in.md")).unwrap();
        assert!(open_inside(&root, &root.join("in.md")).is_ok());
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let (_d, root) = vault();
        let path = root.join("pipe.md");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &path,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o644),
            0,
        )
        .unwrap();
        let err = open_inside(&root, &path).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
    }

    #[test]
    fn a_read_only_file_is_refused_even_for_root() {
        let (_d, root) = vault();
        let path = root.join("a.md");
        put(&path, "old");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
        let err = edit_file(&root, &path, append).unwrap_err();
        assert!(err.to_string().contains("read-only (mode 444)"), "{err}");
        assert_eq!(fs::read(&path).unwrap(), b"old");
    }

    #[test]
    fn writers_take_turns() {
        let (_d, root) = vault();
        let held = lock(&root).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let other = {
            let root = root.clone();
            std::thread::spawn(move || {
                let _l = lock(&root).unwrap();
                tx.send(()).unwrap();
            })
        };
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
        drop(held);
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        other.join().unwrap();
    }

    #[test]
    fn create_file_never_overwrites() {
        let (_d, root) = vault();
        let path = root.join("new/b.md");
        create_file(&root, &path, b"one").unwrap();
        let err = create_file(&root, &path, b"two").unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(fs::read(&path).unwrap(), b"one");
        assert_eq!(mode(&path), 0o644);
        assert_eq!(names(&root.join("new")), vec!["b.md"], "no temp file left");
    }

    #[test]
    fn nothing_is_created_beyond_a_link_out_of_the_vault() {
        let (_d, root) = vault();
        let (_o, outside) = vault();
        std::os::unix::fs::symlink(&outside, root.join("link")).unwrap();
        let err = create_file(&root, &root.join("link/sub/x.md"), b"x").unwrap_err();
        assert!(
            format!("{err:#}").contains("leads out of the vault"),
            "{err:#}"
        );
        assert!(!outside.join("sub").exists());
        let err = write_generated(&root, &root.join("link/sub/DUE.md"), "h", b"h").unwrap_err();
        assert!(
            format!("{err:#}").contains("leads out of the vault"),
            "{err:#}"
        );
        assert!(!outside.join("sub").exists());
        // Inside, missing folders are made.
        create_file(&root, &root.join("a/b/x.md"), b"x").unwrap();
        assert_eq!(fs::read(root.join("a/b/x.md")).unwrap(), b"x");
    }

    const HEADER: &str = "<!-- generated -->";

    #[test]
    fn only_a_generated_file_inside_the_vault_is_removed() {
        let (_d, root) = vault();
        put(&root.join("DUE-sam.md"), &format!("{HEADER}\nagenda\n"));
        put(&root.join("DUE-bea.md"), "My own notes\n");
        put(&root.join("DUE-cy.md"), "");
        let outside = tempfile::TempDir::new().unwrap();
        put(&outside.path().join("x.md"), &format!("{HEADER}\n"));
        std::os::unix::fs::symlink(outside.path().join("x.md"), root.join("DUE-link.md")).unwrap();
        fs::create_dir(root.join("DUE-dir.md")).unwrap();
        assert!(remove_generated(&root, &root.join("DUE-sam.md"), HEADER).unwrap());
        assert!(!root.join("DUE-sam.md").exists());
        for kept in [
            "DUE-bea.md",
            "DUE-cy.md",
            "DUE-link.md",
            "DUE-dir.md",
            "DUE-none.md",
        ] {
            assert!(
                !remove_generated(&root, &root.join(kept), HEADER).unwrap(),
                "{kept}"
            );
        }
        assert_eq!(
            names(&root),
            ["DUE-bea.md", "DUE-cy.md", "DUE-dir.md", "DUE-link.md"]
        );
        assert!(outside.path().join("x.md").exists());
    }

    #[test]
    fn a_generated_file_replaces_only_its_own_kind() {
        let (_d, root) = vault();
        let path = root.join("DUE.md");
        let body = format!("{HEADER}\nagenda\n");
        assert_eq!(
            write_generated(&root, &path, HEADER, body.as_bytes()).unwrap(),
            Written::Changed
        );
        assert_eq!(mode(&path), 0o644);
        assert_eq!(
            write_generated(&root, &path, HEADER, body.as_bytes()).unwrap(),
            Written::Unchanged
        );
        // A replaced file keeps its mode.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        write_generated(&root, &path, HEADER, format!("{HEADER}\nnew\n").as_bytes()).unwrap();
        assert_eq!(mode(&path), 0o600);
        // A contact in its place is never replaced.
        let contact = root.join("good1.md");
        fs::write(&contact, "---\nname: Good\n---\n").unwrap();
        let err = write_generated(&root, &contact, HEADER, body.as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains("not generated by touchbase"),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(&contact).unwrap(),
            "---\nname: Good\n---\n"
        );
    }

    #[test]
    fn a_symlinked_generated_file_becomes_a_regular_file() {
        let (_d, root) = vault();
        let (_o, outside) = vault();
        let target = outside.join("elsewhere.md");
        fs::write(&target, format!("{HEADER}\nold\n")).unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o777)).unwrap();
        let path = root.join("DUE.md");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        write_generated(&root, &path, HEADER, format!("{HEADER}\nnew\n").as_bytes()).unwrap();
        let meta = fs::symlink_metadata(&path).unwrap();
        assert!(meta.is_file());
        assert_eq!(mode(&path), 0o644);
        assert_eq!(
            fs::read_to_string(&target).unwrap(),
            format!("{HEADER}\nold\n")
        );
        // A folder that leads out of the vault is refused.
        std::os::unix::fs::symlink(&outside, root.join("out")).unwrap();
        let err = write_generated(&root, &root.join("out/DUE.md"), HEADER, b"x").unwrap_err();
        assert!(
            format!("{err:#}").contains("leads out of the vault"),
            "{err:#}"
        );
        assert!(!outside.join("DUE.md").exists());
    }

    #[test]
    fn only_stale_temp_files_of_our_own_are_removed() {
        let (_d, root) = vault();
        let old = root.join(".a.md.Xy12Zq.touchbase-tmp");
        let fresh = root.join(".b.md.Ab34Cd.touchbase-tmp");
        let other = root.join(".a.md.swp");
        for p in [&old, &fresh, &other] {
            fs::write(p, "x").unwrap();
        }
        age(&old, STALE_AFTER + Duration::from_secs(60));
        age(&other, STALE_AFTER + Duration::from_secs(60));
        assert_eq!(
            remove_stale(&root, &[old.clone(), fresh.clone(), other.clone()]),
            1
        );
        assert!(!old.exists());
        assert!(fresh.exists() && other.exists());
    }
}
