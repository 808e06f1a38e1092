//! The parse cache kept between runs: unchanged files come from it, and nothing it holds ever
//! makes the agenda differ from a run that reads every file.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::TempDir;

use crate::{fixture, fresh_agenda, touchbase};

/// Files changed less than 3 seconds before a run are not cached (a later change in the same
/// clock tick could hide behind the same stamp), so a test that wants them cached waits.
fn age() {
    std::thread::sleep(Duration::from_millis(3100));
}

/// `touchbase -v <args>`: (stdout, stderr). It must succeed.
fn verbose(vault: &Path, args: &[&str]) -> (String, String) {
    let out = touchbase(vault).arg("-v").args(args).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The cache file named in `--verbose` output.
fn cache_file(stderr: &str) -> PathBuf {
    let line = stderr
        .lines()
        .find(|l| l.contains("from the cache ("))
        .unwrap_or_else(|| panic!("no cache line in {stderr}"));
    let start = line.find("from the cache (").unwrap() + "from the cache (".len();
    PathBuf::from(&line[start..line.len() - 1])
}

#[test]
fn unchanged_files_come_from_the_cache_and_changed_ones_are_read_again() {
    let vault = fixture("basic");
    age();
    let (_, first) = verbose(vault.path(), &["due"]);
    assert!(first.contains(" 0 from the cache"), "{first}");
    assert!(first.contains("cache saved"), "{first}");
    let written = fs::read_to_string(vault.path().join("DUE.md")).unwrap();

    let (_, second) = verbose(vault.path(), &["due"]);
    assert!(second.contains(": 0 read,"), "{second}");
    assert!(
        !second.contains("cache saved"),
        "nothing new to save: {second}"
    );
    assert_eq!(
        fs::read_to_string(vault.path().join("DUE.md")).unwrap(),
        written
    );

    // Log a touch: that one file is read again, and the agenda shows it.
    touchbase(vault.path())
        .args(["log", "Anna", "call", "pricing"])
        .assert()
        .success();
    let (stdout, third) = verbose(vault.path(), &["due", "--stdout"]);
    assert!(third.contains(": 1 read,"), "{third}");
    assert_eq!(stdout, fresh_agenda(vault.path()));
    assert_ne!(stdout, written);
}

#[cfg(unix)]
#[test]
fn an_edit_that_keeps_the_size_and_restores_the_time_is_still_seen() {
    let vault = TempDir::new().unwrap();
    let path = vault.path().join("ann.md");
    fs::write(
        &path,
        "---\nname: Ann\ncadence: 2w\n---\n## 2026-11-01 call\n",
    )
    .unwrap();
    age();
    let (before, _) = verbose(vault.path(), &["due", "--stdout"]);
    assert!(before.contains("Overdue"), "{before}");
    let (_, second) = verbose(vault.path(), &["due", "--stdout"]);
    assert!(second.contains(": 0 read,"), "{second}");

    // Same size, and the old modification time put back (as some sync tools do).
    let modified = fs::metadata(&path).unwrap().modified().unwrap();
    fs::write(
        &path,
        "---\nname: Ann\ncadence: 2w\n---\n## 2026-11-20 call\n",
    )
    .unwrap();
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let (after, _) = verbose(vault.path(), &["due", "--stdout"]);
    assert!(!after.contains("Overdue"), "{after}");
    assert_eq!(after, fresh_agenda(vault.path()));
}

#[test]
fn a_damaged_cache_is_ignored_and_written_again() {
    let vault = fixture("basic");
    age();
    let (_, first) = verbose(vault.path(), &["due", "--stdout"]);
    let file = cache_file(&first);
    let good = fs::read(&file).unwrap();
    let expected = fresh_agenda(vault.path());
    let damaged: [Vec<u8>; 3] = [
        good[..good.len() / 2].to_vec(),
        b"touchbase cache\n\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff".to_vec(),
        Vec::new(),
    ];
    for bytes in damaged {
        fs::write(&file, &bytes).unwrap();
        let (stdout, stderr) = verbose(vault.path(), &["due", "--stdout"]);
        assert_eq!(stdout, expected);
        assert!(stderr.contains(" 0 from the cache"), "{stderr}");
        assert!(stderr.contains("cache saved"), "{stderr}");
    }
}

#[test]
fn new_channel_words_in_the_config_are_not_hidden_by_the_cache() {
    let vault = TempDir::new().unwrap();
    fs::write(
        vault.path().join("ann.md"),
        "---\nname: Ann\n---\n## 2026-11-01 ring - about the offer\n",
    )
    .unwrap();
    age();
    let channel = |vault: &Path| {
        let v = crate::due_json(vault);
        v["items"][0]["last_touch"]["channel"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(channel(vault.path()), "other");
    fs::write(
        vault.path().join("touchbase.toml"),
        "[channels]\ncall = [\"ring\"]\n",
    )
    .unwrap();
    assert_eq!(channel(vault.path()), "call");
}

#[test]
fn broken_files_are_read_and_reported_on_every_run() {
    let vault = fixture("broken");
    age();
    let expected = fresh_agenda(vault.path());
    for _ in 0..2 {
        let (stdout, _) = verbose(vault.path(), &["due", "--stdout"]);
        assert_eq!(stdout, expected);
    }
    assert!(expected.contains("## Problems"), "{expected}");
}

#[test]
fn no_cache_reads_everything_and_writes_nothing() {
    let vault = fixture("basic");
    let cache = TempDir::new().unwrap();
    let out = touchbase(vault.path())
        .env("TOUCHBASE_CACHE_DIR", cache.path())
        .args(["-v", "--no-cache", "due"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("(no cache)"));
    let out = touchbase(vault.path())
        .env("TOUCHBASE_CACHE_DIR", cache.path())
        .env("TOUCHBASE_NO_CACHE", "1")
        .arg("due")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(fs::read_dir(cache.path()).unwrap().count(), 0);
}
