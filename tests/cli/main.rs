//! Integration tests: the real binary on fixture vaults, with `--today` fixed.

mod actions;
mod byov;
mod byov_attack;
mod cache;
mod due;
mod finding;
mod fuzz_corpus;
mod git_merge;
mod git_sync;
mod hostile_output;
mod ics;
mod import;
mod init_survey;
mod parsing;
mod playbook;
mod problems;
mod record;
mod safety;
mod shell;
mod stats;
mod teams;
mod today;
mod watch;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub const TODAY: &str = "2026-11-24";

/// Where the binary keeps its parse cache in tests: under the build folder, not the user's.
pub fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache")
}

/// A copy of `tests/fixtures/<name>` in a temp folder.
pub fn fixture(name: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
        dir.path(),
    );
    dir
}

/// A copy of the repository's sample vault.
pub fn sample_vault() -> TempDir {
    let dir = TempDir::new().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-vault"),
        dir.path(),
    );
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `touchbase --vault DIR --today TODAY`, with the environment cleared of our variables.
pub fn touchbase(vault: &Path) -> Command {
    let mut cmd = Command::cargo_bin("touchbase").unwrap();
    cmd.env_remove("TOUCHBASE_VAULT")
        .env_remove("TOUCHBASE_TODAY")
        .env_remove("TOUCHBASE_NO_CACHE")
        .env_remove("TOUCHBASE_OWNER")
        .env("TOUCHBASE_CACHE_DIR", cache_dir())
        .env("NO_COLOR", "1")
        .arg("--vault")
        .arg(vault)
        .arg("--today")
        .arg(TODAY);
    cmd
}

/// `touchbase due --json` on `vault`: its stdout as text. It must succeed.
pub fn due_json_text(vault: &Path) -> String {
    let out = touchbase(vault).args(["due", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `touchbase due --json` on `vault`, parsed.
pub fn due_json(vault: &Path) -> serde_json::Value {
    serde_json::from_str(&due_json_text(vault)).unwrap()
}

/// Every file under `dir` (but DUE.md) with its bytes, for "nothing else changed" checks.
pub fn snapshot_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() && entry.file_name() != "DUE.md" {
            out.push((entry.path().to_path_buf(), fs::read(entry.path()).unwrap()));
        }
    }
    out
}

#[test]
fn cli_definition_is_valid() {
    use clap::CommandFactory;
    touchbase::cli::Cli::command().debug_assert();
}

/// A command (`git`, or touchbase itself) run in `dir` with git and touchbase pinned: no global
/// or system git config (the user's own settings never matter, or change), no inherited git
/// repository, and touchbase's cache in the build folder, no vault or date from the
/// environment. Hooks that git runs inherit all of it.
pub fn pinned(program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(program);
    c.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env("TOUCHBASE_CACHE_DIR", cache_dir())
        .env("NO_COLOR", "1")
        .env_remove("TOUCHBASE_TODAY")
        .env_remove("TOUCHBASE_VAULT")
        .env_remove("TOUCHBASE_OWNER");
    c
}

/// The agenda a run that reads every file (`--no-cache`) prints, for comparing a cached or
/// watched result with.
pub fn fresh_agenda(vault: &Path) -> String {
    let out = touchbase(vault)
        .args(["--no-cache", "due", "--stdout"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// `touchbase check --explain PATH`: its stdout (the command must succeed).
pub fn explain(vault: &Path, path: &str) -> String {
    let out = touchbase(vault)
        .args(["check", "--explain", path])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}
