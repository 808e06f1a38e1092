//! Safe file access inside a vault: open only files that are really inside it, serialise
//! touchbase's writers, replace a file without losing a save that lands at the same moment, and
//! clean up temp files a killed run left behind. Everything that writes into a vault goes
//! through here.
//!
//! What is guaranteed (and what is not) is written down in the README, "When two programs write
//! at once".

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};

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

/// Open a file for reading and make sure that the file actually opened is inside `root` (a
/// canonical path). Checking the path first and opening it afterwards would let a symbolic link
/// flipped in between lead anywhere; so the check is made on the open file. Opening never
/// blocks (a FIFO named `x.md`), and anything but a regular file is refused.
pub fn open_inside(root: &Path, path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)?;
    if !opened_inside(root, &file, path) {
        return Err(io::Error::other(Outside(path.to_path_buf())));
    }
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

/// Where an open file really is: the kernel's own name for it on Linux. Elsewhere, the
/// canonical form of the path it was opened by, accepted only if that names the very file that
/// is open (so a link flipped between the open and this check is caught).
fn opened_inside(root: &Path, file: &File, path: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        if let Ok(real) = fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) {
            return real.starts_with(root);
        }
    }
    let Ok(canon) = fs::canonicalize(path) else {
        return false;
    };
    canon.starts_with(root)
        && match (file.metadata(), fs::metadata(&canon)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
}

/// Held while a touchbase command writes to the vault: one writer at a time, whatever the
/// process. The lock is the operating system's (`flock`), so it is released when the process
/// ends, however it ends; the lock file itself stays.
#[derive(Debug)]
pub struct WriteLock {
    _file: File,
}

/// Take the vault's write lock, waiting for another touchbase writer to finish.
pub fn lock(root: &Path) -> Result<WriteLock> {
    let path = root.join(LOCK_FILE);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
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

/// A file as it was read for an edit: the open file, its metadata and every byte.
struct Snapshot {
    /// The real file (a symbolic link resolved), inside the vault.
    target: PathBuf,
    file: File,
    meta: fs::Metadata,
    bytes: Vec<u8>,
}

/// What an edit did.
#[derive(Debug)]
pub struct Edited {
    /// The bytes now in the file.
    pub bytes: Vec<u8>,
    /// How many times a save by another program landed while the edit was being written, so
    /// that the edit was made again on the newer version.
    pub redone: usize,
}

/// Replace the file at `path` (inside `root`, canonical) with `edit` of its current bytes.
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
        // Root may write anything, but a file marked read-only is the user's word: respected.
        let writable = !original.meta.permissions().readonly()
            && rustix::fs::access(&original.target, rustix::fs::Access::WRITE_OK).is_ok();
        if !writable {
            bail!(
                "{} is read-only (mode {:o}): touchbase does not change it; make it writable \
                 (chmod u+w) and run the command again",
                path.display(),
                original.meta.permissions().mode() & 0o7777
            );
        }
        let new = edit(&original.bytes)?;
        if commit(&original, &new)? {
            return Ok(Edited { bytes: new, redone });
        }
    }
    bail!(
        "{} kept changing while touchbase was editing it (another program saving it again and \
         again?): nothing was written; run the command again",
        path.display()
    )
}

/// Read a file for an edit once it is quiet: its size and times the same before and after the
/// read, and its last change at least `SETTLE` ago.
fn read_settled(root: &Path, path: &Path) -> Result<Snapshot> {
    let target =
        fs::canonicalize(path).with_context(|| format!("cannot open {}", path.display()))?;
    let start = Instant::now();
    loop {
        let mut file = open_inside(root, &target)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let before = file.metadata()?;
        if before.len() > MAX_FILE_BYTES {
            bail!(
                "{} is larger than {} MiB: touchbase does not edit it",
                path.display(),
                MAX_FILE_BYTES >> 20
            );
        }
        let mut bytes = Vec::with_capacity(usize::try_from(before.len()).unwrap_or(0));
        (&mut file)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let after = file.metadata()?;
        let steady = same_version(&before, &after) && bytes.len() as u64 == after.len();
        let quiet = after
            .modified()
            .ok()
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .is_none_or(|age| age >= SETTLE);
        if steady && quiet {
            return Ok(Snapshot {
                target,
                file,
                meta: after,
                bytes,
            });
        }
        if start.elapsed() > SETTLE_WAIT {
            bail!(
                "{} is being written by another program (an editor saving it?): nothing was \
                 written; run the command again",
                path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Same file, same size, same modification and status-change times.
fn same_version(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.dev() == b.dev()
        && a.ino() == b.ino()
        && a.len() == b.len()
        && (a.mtime(), a.mtime_nsec()) == (b.mtime(), b.mtime_nsec())
        && (a.ctime(), a.ctime_nsec()) == (b.ctime(), b.ctime_nsec())
}

/// The original is still exactly what was read: the same file, untouched since.
fn untouched(original: &Snapshot) -> bool {
    let at_name = fs::symlink_metadata(&original.target);
    let open = original.file.metadata();
    matches!((at_name, open), (Ok(n), Ok(o)) if same_version(&n, &original.meta) && same_version(&o, &original.meta))
}

/// The original's content, read again through the open file: an editor that writes in place
/// writes into it even after it has lost its name.
fn content_now(original: &Snapshot) -> Option<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let len = original.file.metadata().ok()?.len();
    if len > MAX_FILE_BYTES {
        return None;
    }
    let mut buf = vec![0; usize::try_from(len).ok()?];
    original.file.read_exact_at(&mut buf, 0).ok()?;
    Some(buf)
}

/// Put `new` in place of `original`. True when done; false when another program saved the file
/// since it was read (its save is then what the file holds, and nothing of `new` is).
fn commit(original: &Snapshot, new: &[u8]) -> Result<bool> {
    let shown = original.target.display();
    let mode = original.meta.permissions().mode() & 0o7777;
    let temp = temp_file(&original.target, mode, Some(&original.meta), new)
        .with_context(|| format!("cannot write {shown}"))?;
    let new_ino = fs::symlink_metadata(&temp)
        .with_context(|| format!("cannot write {shown}"))?
        .ino();
    // The last look before the switch; the switch itself tells what it replaced.
    if !untouched(original) {
        let _ = fs::remove_file(&temp);
        return Ok(false);
    }
    match exchange(&temp, &original.target) {
        Ok(()) => {
            // `temp` now names what stood at the file's name a moment ago.
            let out = fs::symlink_metadata(&temp);
            let was_original = out
                .as_ref()
                .is_ok_and(|m| m.dev() == original.meta.dev() && m.ino() == original.meta.ino());
            if was_original && content_now(original).as_deref() == Some(&original.bytes[..]) {
                let _ = fs::remove_file(&temp);
                sync_folder(&original.target);
                return Ok(true);
            }
            // Another program saved in between: its version goes back in place, untouched.
            exchange(&temp, &original.target)
                .with_context(|| format!("cannot put back a version of {shown}"))?;
            let back = fs::symlink_metadata(&temp).map(|m| m.ino()).ok();
            if back == Some(new_ino) {
                let _ = fs::remove_file(&temp);
                return Ok(false);
            }
            // Yet another save landed in the moment between the two switches: keep every
            // version rather than guess which one matters.
            let kept = keep_aside(&temp, &original.target)?;
            bail!(
                "{shown} was saved by other programs several times while touchbase was writing \
                 it: nothing of this command was written, and one of their versions was kept as \
                 {}",
                kept.display()
            );
        }
        Err(e) if exchange_unsupported(&e) => {
            // No atomic exchange here: a plain rename, right after the check above.
            fs::rename(&temp, &original.target).with_context(|| format!("cannot write {shown}"))?;
            sync_folder(&original.target);
            // A save written into the old file in place is still readable through it: put it
            // back, so that it is not lost, and make the edit again on it.
            match content_now(original) {
                Some(now) if now == original.bytes => Ok(true),
                Some(now) => {
                    let back = temp_file(&original.target, mode, Some(&original.meta), &now)?;
                    fs::rename(&back, &original.target)
                        .with_context(|| format!("cannot put back a version of {shown}"))?;
                    Ok(false)
                }
                None => Ok(true),
            }
        }
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(e).with_context(|| format!("cannot write {shown}"))
        }
    }
}

/// Swap two names atomically.
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "macos"))]
    {
        rustix::fs::renameat_with(
            rustix::fs::CWD,
            a,
            rustix::fs::CWD,
            b,
            rustix::fs::RenameFlags::EXCHANGE,
        )
        .map_err(io::Error::from)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "macos")))]
    {
        let _ = (a, b);
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}

/// The file system (or system) cannot exchange two names.
fn exchange_unsupported(e: &io::Error) -> bool {
    use rustix::io::Errno;
    e.kind() == io::ErrorKind::Unsupported
        || [Errno::INVAL, Errno::NOSYS, Errno::NOTSUP, Errno::OPNOTSUPP]
            .iter()
            .any(|n| e.raw_os_error() == Some(n.raw_os_error()))
}

/// Rename a temp file that holds someone's save to a name nothing cleans up.
fn keep_aside(temp: &Path, target: &Path) -> Result<PathBuf> {
    let name = target
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let kept = target.with_file_name(format!(".{name}.saved-{secs}-{}", std::process::id()));
    fs::rename(temp, &kept).with_context(|| format!("cannot keep {}", temp.display()))?;
    Ok(kept)
}

/// A temp file beside `target` holding `content`, flushed to disk, with `mode` and (where
/// allowed) the owner of `like`. Its name is `.NAME.RANDOM.touchbase-tmp`.
fn temp_file(
    target: &Path,
    mode: u32,
    like: Option<&fs::Metadata>,
    content: &[u8],
) -> io::Result<PathBuf> {
    let folder = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(TEMP_SUFFIX)
        .rand_bytes(6)
        .tempfile_in(folder)?;
    let file = temp.as_file_mut();
    // Set explicitly: the temp file is made 0600, and the umask must not decide either.
    file.set_permissions(fs::Permissions::from_mode(mode))?;
    if let Some(m) = like {
        // Only root may give a file away; anyone else keeps their own file anyway.
        let _ = std::os::unix::fs::fchown(&*file, Some(m.uid()), Some(m.gid()));
    }
    file.write_all(content)?;
    file.sync_all()?;
    let path = temp.into_temp_path();
    path.keep().map_err(|e| e.error)
}

/// Flush the folder that holds `path`, so that a rename survives a power cut.
fn sync_folder(path: &Path) {
    if let Some(folder) = path.parent()
        && let Ok(f) = File::open(folder)
    {
        let _ = f.sync_all();
    }
}

/// Make sure `folder` exists inside `root`, creating what is missing one level at a time, so
/// that a symbolic link on the way that leads out of the vault is caught before anything is
/// created beyond it.
pub fn create_folder_inside(root: &Path, folder: &Path) -> Result<()> {
    let mut at = PathBuf::new();
    for part in folder.components() {
        at.push(part);
        match fs::canonicalize(&at) {
            Ok(real) if real.starts_with(root) || root.starts_with(&real) => {}
            Ok(_) => bail!("{}", Outside(at)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => match fs::create_dir(&at) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e).with_context(|| format!("cannot create {}", at.display())),
            },
            Err(e) => return Err(e).with_context(|| format!("cannot open {}", at.display())),
        }
    }
    let real =
        fs::canonicalize(folder).with_context(|| format!("cannot open {}", folder.display()))?;
    if !real.starts_with(root) {
        bail!("{}", Outside(folder.to_path_buf()));
    }
    Ok(())
}

/// Create a new file with `content`, never replacing anything: the content goes to a temp file
/// beside it, which is then linked to its name (a link fails if the name exists).
pub fn create_file(root: &Path, path: &Path, content: &[u8]) -> Result<()> {
    let _lock = lock(root)?;
    let folder = path.parent().unwrap_or(Path::new("."));
    create_folder_inside(root, folder)?;
    let exists = || {
        anyhow::anyhow!(
            "{} already exists: touchbase does not overwrite files",
            path.display()
        )
    };
    if fs::symlink_metadata(path).is_ok() {
        return Err(exists());
    }
    let temp = temp_file(path, 0o644, None, content)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let linked = match fs::hard_link(&temp, path) {
        // Some file systems have no hard links: fall back to a rename, checked just before.
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists && !path.exists() => {
            fs::rename(&temp, path)
        }
        other => other,
    };
    let _ = fs::remove_file(&temp);
    match linked {
        Ok(()) => {
            sync_folder(path);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(exists()),
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    Changed,
    Unchanged,
}

/// Write a file that touchbase generates (the agenda) at `path` inside `root`, atomically and
/// only when its content changed. A file is replaced only if touchbase made it: it is empty or
/// starts with `header`. A symbolic link in its place is replaced by a regular file (never
/// followed to write elsewhere). A new file gets mode 0644; a replaced one keeps its mode.
pub fn write_generated(root: &Path, path: &Path, header: &str, content: &[u8]) -> Result<Written> {
    let shown = path.display();
    create_folder_inside(root, path.parent().unwrap_or(Path::new(".")))?;
    let not_ours = || {
        anyhow::anyhow!(
            "{shown} exists and was not generated by touchbase (it does not start with \
             touchbase's header): touchbase does not replace it; move it away or set another \
             `agenda.file`"
        )
    };
    let mode = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => 0o644,
        Err(e) => return Err(e).with_context(|| format!("cannot read {shown}")),
        Ok(m) if m.is_file() || m.file_type().is_symlink() => {
            let old = read_inside(root, path).with_context(|| format!("cannot read {shown}"))?;
            if m.is_file() && old == content {
                return Ok(Written::Unchanged);
            }
            if !old.is_empty() && !old.starts_with(header.as_bytes()) {
                // (An empty file holds nothing to lose: `touch DUE.md` is fine.)
                return Err(not_ours());
            }
            if m.is_file() {
                m.permissions().mode() & 0o7777
            } else {
                0o644
            }
        }
        Ok(_) => return Err(not_ours()),
    };
    let temp =
        temp_file(path, mode, None, content).with_context(|| format!("cannot write {shown}"))?;
    if let Err(e) = fs::rename(&temp, path) {
        let _ = fs::remove_file(&temp);
        return Err(e).with_context(|| format!("cannot write {shown}"));
    }
    sync_folder(path);
    Ok(Written::Changed)
}

/// Every byte of a file inside the vault (at most the size limit).
fn read_inside(root: &Path, path: &Path) -> io::Result<Vec<u8>> {
    let file = match open_inside(root, path) {
        Ok(f) => f,
        // A link to nothing, or out of the vault: there is nothing of ours to keep.
        Err(e) if e.kind() == io::ErrorKind::NotFound || is_outside(&e) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// True for the name of one of touchbase's temp files.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(TEMP_SUFFIX) && name.len() > TEMP_SUFFIX.len() + 1
}

/// Remove touchbase's temp files among `paths` that are older than [`STALE_AFTER`] (left by a
/// run that was killed). Anything else is left alone. Returns how many were removed.
pub fn remove_stale(paths: &[PathBuf]) -> usize {
    let now = SystemTime::now();
    paths
        .iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_temp_name)
        })
        .filter(|p| {
            fs::symlink_metadata(p).is_ok_and(|m| {
                m.is_file()
                    && m.modified()
                        .ok()
                        .and_then(|t| now.duration_since(t).ok())
                        .is_some_and(|age| age > STALE_AFTER)
            })
        })
        .filter(|p| fs::remove_file(p).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
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
        assert!(err.to_string().contains("leads out of the vault"), "{err}");
        assert!(!outside.join("sub").exists());
        let err = write_generated(&root, &root.join("link/sub/DUE.md"), "h", b"h").unwrap_err();
        assert!(err.to_string().contains("leads out of the vault"), "{err}");
        assert!(!outside.join("sub").exists());
        // Inside, missing folders are made.
        create_file(&root, &root.join("a/b/x.md"), b"x").unwrap();
        assert_eq!(fs::read(root.join("a/b/x.md")).unwrap(), b"x");
    }

    const HEADER: &str = "<!-- generated -->";

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
        assert!(err.to_string().contains("leads out of the vault"), "{err}");
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
            remove_stale(&[old.clone(), fresh.clone(), other.clone()]),
            1
        );
        assert!(!old.exists());
        assert!(fresh.exists() && other.exists());
    }
}
