//! `touchbase merge-file BASE OURS THEIRS [PATH]`: git's merge driver for contact files (git's
//! `%O %A %B %P`). It writes what [`crate::merge`] merges to OURS, and hands anything else to
//! `git merge-file`, saying why. It reads and writes only the three files it is given and needs
//! no vault: git runs it in the repository's top folder.

use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, Result};

use crate::cli::MergeFileArgs;
use crate::exit::{self, Code};
use crate::merge::{self, Fallback};
use crate::model::Channels;

pub fn run(args: &MergeFileArgs) -> Result<Code> {
    for path in [&args.base, &args.ours, &args.theirs] {
        if !path.is_file() {
            return Err(exit::usage(format!(
                "{}: no such file (merge-file is called by git with BASE OURS THEIRS [PATH])",
                shown(path)
            )));
        }
    }
    let read =
        |path: &Path| std::fs::read(path).with_context(|| format!("cannot read {}", shown(path)));
    let (base, ours, theirs) = (read(&args.base)?, read(&args.ours)?, read(&args.theirs)?);
    let texts = [&base, &ours, &theirs].map(|bytes| std::str::from_utf8(bytes).ok());
    // The user's channel words are not read: which channel a touch has does not change what is
    // merged, and the driver reads nothing but its three files.
    let merged = match texts {
        [Some(base), Some(ours), Some(theirs)] => {
            merge::merge_marking(base, ours, theirs, &Channels::default())
        }
        _ => Err(Err(Fallback::NotUtf8)),
    };
    let name = args.path.as_deref().unwrap_or(&args.ours);
    match merged {
        Ok(text) => {
            if text.as_bytes() != ours {
                std::fs::write(&args.ours, text)
                    .with_context(|| format!("cannot write {}", shown(&args.ours)))?;
            }
            Ok(Code::Success)
        }
        // Only some front matter keys clash: markers around those, the rest merged; git marks
        // the file conflicted.
        Err(Ok(conflicted)) => {
            std::fs::write(&args.ours, &conflicted.text)
                .with_context(|| format!("cannot write {}", shown(&args.ours)))?;
            let keys: Vec<String> = conflicted.keys.iter().map(|k| format!("{k}:")).collect();
            eprintln!(
                "touchbase: {}: both sides changed {}; conflict markers around that only, \
                 everything else merged",
                shown(name),
                keys.join(", ")
            );
            Ok(Code::Failure)
        }
        Err(Err(why)) => {
            eprintln!("touchbase: {}: {why}; left to git's merge", shown(name));
            git_merge_file(args)
        }
    }
}

/// git's own three-way merge of the three files, into OURS: success when it merged cleanly,
/// failure when it left conflict markers (git then marks the file conflicted).
fn git_merge_file(args: &MergeFileArgs) -> Result<Code> {
    let status = Command::new("git")
        .args([
            "merge-file",
            "-L",
            "ours",
            "-L",
            "base",
            "-L",
            "theirs",
            "--",
        ])
        .arg(&args.ours)
        .arg(&args.base)
        .arg(&args.theirs)
        .status()
        .context("cannot run git merge-file (is git on PATH?)")?;
    match status.code() {
        Some(0) => Ok(Code::Success),
        // The number of conflicts.
        Some(1..=127) => Ok(Code::Failure),
        _ => Err(anyhow::anyhow!("git merge-file failed ({status})")),
    }
}

/// A path as a message shows it: what it holds cannot reach the terminal as control characters.
fn shown(path: &Path) -> String {
    crate::term::clean(&path.display().to_string()).into_owned()
}
