//! The parse cache kept on disk between runs, so that a command on an unchanged vault walks it
//! and compares stamps instead of parsing every file. One file per vault, in the user's cache
//! folder, never in the vault. It is only ever a copy: a cache file that is missing, unreadable,
//! damaged, written by another build of touchbase or for other channel words is ignored, and
//! the files are read again.
//!
//! A file whose stamp is too recent is not stored ("racy", as git calls it): a second save in
//! the same clock tick as the one that was read could leave size and times unchanged.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Cached, Stamp, since_epoch};
use crate::model::{Channel, Channels, Contact, Note};
use crate::parse::Parsed;
use crate::parse::reading::Reading;

/// The first bytes of a cache file, which then holds: the `Key`, the number of chunks (u32),
/// and each chunk as a byte string (a postcard-encoded `Vec<Entry>`), all in postcard.
const MAGIC: &[u8; 16] = b"touchbase cache\n";
/// Bumped when the layout of what is stored changes.
const FORMAT: u32 = 8;
/// Entries per separately encoded chunk, so that loading decodes chunks in parallel.
const CHUNK: usize = 256;
/// A file changed less than this long before it was read is read again next time. Covers file
/// systems with two-second timestamps.
const RACY_SECS: i64 = 3;

/// What a cache file was made from; it is used only when all of it matches.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Key {
    format: u32,
    /// This build of touchbase: its version and the size and time of its executable.
    build: String,
    /// The vault's canonical path.
    root: String,
    /// The channel words and how files are read (`[contacts]`, `[fields]`, `[touches]`): the
    /// parts of the config that parsing depends on.
    channels: Vec<(String, Channel)>,
    reading: String,
}

#[derive(Deserialize)]
struct Entry {
    rel: String,
    stamp: Stamp,
    contact: Option<Contact>,
    note: Option<Note>,
}

/// `Entry`, borrowed, for writing: the encoding is the same.
#[derive(Serialize)]
struct EntryRef<'a> {
    rel: &'a str,
    stamp: Stamp,
    contact: Option<&'a Contact>,
    note: Option<&'a Note>,
}

/// The cache file of one vault.
#[derive(Debug)]
pub struct Store {
    pub path: PathBuf,
    key: Key,
}

impl Store {
    /// The cache file for the vault at `root` in the folder `dir`; `None` when the vault or
    /// the running executable cannot be identified.
    pub fn new(dir: &Path, root: &Path, channels: &Channels, reading: &Reading) -> Option<Store> {
        let root = fs::canonicalize(root).ok()?;
        let exe = fs::metadata(std::env::current_exe().ok()?).ok()?;
        let exe = Stamp::from_metadata(&exe);
        let build = format!(
            "{} {} {}.{:09}",
            env!("CARGO_PKG_VERSION"),
            exe.size,
            exe.modified.0,
            exe.modified.1
        );
        let root = root.to_string_lossy().into_owned();
        let name = format!("vault-{:016x}.bin", crate::hash::fnv1a(root.as_bytes()));
        Some(Store {
            path: dir.join(name),
            key: Key {
                format: FORMAT,
                build,
                root,
                channels: channels.table(),
                reading: serde_json::to_string(reading).ok()?,
            },
        })
    }

    /// The stored entries, or none if the file is missing, damaged or for another key.
    pub fn load(&self) -> Vec<(String, Cached)> {
        let Ok(bytes) = fs::read(&self.path) else {
            return Vec::new();
        };
        self.decode(&bytes).unwrap_or_default()
    }

    fn decode(&self, bytes: &[u8]) -> Option<Vec<(String, Cached)>> {
        let rest = bytes.strip_prefix(MAGIC.as_slice())?;
        let (key, rest) = postcard::take_from_bytes::<Key>(rest).ok()?;
        if key != self.key {
            return None;
        }
        let (count, mut rest) = postcard::take_from_bytes::<u32>(rest).ok()?;
        let mut chunks: Vec<&[u8]> = Vec::new();
        for _ in 0..count {
            let (chunk, after) = postcard::take_from_bytes::<&[u8]>(rest).ok()?;
            chunks.push(chunk);
            rest = after;
        }
        if !rest.is_empty() {
            return None;
        }
        let decoded: Option<Vec<Vec<Entry>>> = chunks
            .par_iter()
            .map(|chunk| postcard::from_bytes::<Vec<Entry>>(chunk).ok())
            .collect();
        let entries = decoded?.into_iter().flatten();
        // Whatever is decoded must still make sense: a damaged file is dropped as a whole.
        entries
            .map(|mut e| {
                if let Some(c) = &mut e.contact {
                    if c.path != e.rel {
                        return None;
                    }
                    c.index_next_steps();
                }
                let cached = Cached {
                    stamp: Some(e.stamp),
                    parsed: Parsed {
                        contact: e.contact,
                        note: e.note.map(Box::new),
                        problems: Vec::new(),
                    },
                    scheduled: None,
                    stored: true,
                };
                Some((e.rel, cached))
            })
            .collect()
    }

    /// Write the entries of `files` that can be stored and mark them stored; the others are
    /// marked not stored. Returns how many were written. The file is replaced by a rename, so
    /// a reader never sees half of it.
    pub fn save(
        &self,
        files: &mut BTreeMap<String, Cached>,
        limit: (i64, u32),
    ) -> io::Result<usize> {
        let mut keep = Vec::new();
        for (rel, c) in files.iter_mut() {
            c.stored = storable(c, limit);
            if c.stored {
                keep.push(EntryRef {
                    rel,
                    stamp: c.stamp.unwrap_or_default(),
                    contact: c.parsed.contact.as_ref(),
                    note: c.parsed.note.as_deref(),
                });
            }
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        // Chunks are encoded and written one at a time: a vault's whole cache is never held
        // twice in memory (this runs while `watch` holds every parsed file).
        let write = |file: fs::File| -> io::Result<()> {
            let mut out = io::BufWriter::new(file);
            out.write_all(MAGIC)?;
            let count = u32::try_from(keep.len().div_ceil(CHUNK)).map_err(io::Error::other)?;
            postcard::to_io(&self.key, &mut out).map_err(io::Error::other)?;
            postcard::to_io(&count, &mut out).map_err(io::Error::other)?;
            for chunk in keep.chunks(CHUNK) {
                let bytes = postcard::to_allocvec(chunk).map_err(io::Error::other)?;
                postcard::to_io(bytes.as_slice(), &mut out).map_err(io::Error::other)?;
            }
            out.flush()
        };
        let written = fs::File::create(&tmp)
            .and_then(write)
            .and_then(|()| fs::rename(&tmp, &self.path));
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written.map(|()| keep.len())
    }
}

/// Stamp times from this one on (seconds and nanoseconds since the epoch) are too recent to
/// store, for reads that began at `first_read`.
pub fn racy_limit(first_read: Option<SystemTime>) -> (i64, u32) {
    first_read.map_or((i64::MAX, 0), |t| {
        let (secs, nanos) = since_epoch(t);
        (secs - RACY_SECS, nanos)
    })
}

/// True for an entry worth keeping: read without problems, and changed long enough before it
/// was read (`limit`, from `racy_limit`) that a later change cannot hide behind the same stamp.
pub fn storable(c: &Cached, limit: (i64, u32)) -> bool {
    c.stamp.is_some_and(|stamp| {
        stamp != Stamp::default() && stamp.newest() < limit && c.parsed.problems.is_empty()
    })
}
