//! `merge-file` as git's merge driver: two clones of one vault log touches to the same contact
//! and pull, with the real git binary. The user's git configuration is never read or touched.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use predicates::prelude::*;
use tempfile::TempDir;

const ALICE: &str = "---\nname: Alice Archer\nstage: prospect\ncompany: Archer Homes\nnext: 2026-11-20 call - the quote\ntags:\n  - realtor\n---\n# Alice Archer\n\nMet at the fair. Two offices.\n\n## 2026-11-02 coffee - intro\nLoves sailing.\n\n## 2026-11-10 call - the proposal\nWants pricing for 3 offices.\n\n";

/// `git ARGS` in `dir`, away from the user's and the system's git configuration.
fn git(dir: &Path, args: &[&str]) -> Output {
    crate::pinned("git", dir).args(args).output().unwrap()
}

/// `git ARGS`, which must succeed.
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = git(dir, args);
    assert!(
        out.status.success(),
        "git {args:?} in {}:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Identity and the touchbase merge driver, in this repository only.
fn configure(dir: &Path) {
    ok(dir, &["config", "user.name", "Test"]);
    ok(dir, &["config", "user.email", "test@example.com"]);
    ok(dir, &["config", "init.defaultBranch", "main"]);
    let driver = format!(
        "'{}' merge-file %O %A %B %P",
        env!("CARGO_BIN_EXE_touchbase")
    );
    ok(dir, &["config", "merge.touchbase.driver", &driver]);
    ok(
        dir,
        &["config", "merge.touchbase.name", "touchbase contact files"],
    );
}

/// A bare remote holding a vault with alice.md, and two clones of it, `a` and `b`.
fn remote_and_clones() -> (TempDir, PathBuf, PathBuf) {
    let root = TempDir::new().unwrap();
    let r = root.path();
    ok(
        r,
        &[
            "-c",
            "init.defaultBranch=main",
            "init",
            "--bare",
            "remote.git",
        ],
    );
    ok(r, &["-c", "init.defaultBranch=main", "init", "a"]);
    let a = r.join("a");
    configure(&a);
    fs::write(a.join(".gitattributes"), "*.md merge=touchbase\n").unwrap();
    fs::write(a.join("alice.md"), ALICE).unwrap();
    ok(&a, &["add", "."]);
    ok(&a, &["commit", "-m", "alice"]);
    ok(&a, &["remote", "add", "origin", "../remote.git"]);
    ok(&a, &["push", "-u", "origin", "main"]);
    ok(r, &["clone", "remote.git", "b"]);
    let b = r.join("b");
    configure(&b);
    (root, a, b)
}

/// Replace `from` with `to` in `dir/alice.md` and commit.
fn edit(dir: &Path, from: &str, to: &str, message: &str) {
    let path = dir.join("alice.md");
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} not in {text}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
    ok(dir, &["commit", "-am", message]);
}

/// Append `entry` to `dir/alice.md` and commit.
fn append(dir: &Path, entry: &str, message: &str) {
    let path = dir.join("alice.md");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("{text}{entry}")).unwrap();
    ok(dir, &["commit", "-am", message]);
}

fn touch_count(text: &str) -> usize {
    touchbase::parse::parse_contact(
        "alice.md",
        text.as_bytes(),
        &touchbase::model::Channels::default(),
    )
    .contact
    .unwrap()
    .touches
    .len()
}

/// Both clones log a call to Alice; one also moves her next step, the other her stage. The
/// second to pull gets both entries in date order and both key changes, with no conflict.
#[test]
fn both_sides_log_a_touch_and_pull_without_a_conflict() {
    for pull in ["--no-rebase", "--rebase"] {
        let (_root, a, b) = remote_and_clones();
        edit(
            &a,
            "next: 2026-11-20 call - the quote",
            "next: 2026-12-01 email - the contract",
            "a: next step",
        );
        append(
            &a,
            "## 2026-11-20 call - went through the quote\nShe will sign.\n\n",
            "a: call",
        );
        ok(&a, &["push"]);
        append(&b, "## 2026-11-18 email - sent the deck\n\n", "b: email");
        edit(&b, "stage: prospect", "stage: client", "b: client");

        let out = git(&b, &["pull", pull]);
        assert!(
            out.status.success(),
            "git pull {pull}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(ok(&b, &["status", "--porcelain"]), "", "git pull {pull}");
        let text = fs::read_to_string(b.join("alice.md")).unwrap();
        let want = ALICE.replace("stage: prospect", "stage: client").replace(
            "next: 2026-11-20 call - the quote",
            "next: 2026-12-01 email - the contract",
        ) + "## 2026-11-18 email - sent the deck\n\n## 2026-11-20 call - went through the quote\nShe will sign.\n\n";
        assert_eq!(text, want, "git pull {pull}");
        assert_eq!(touch_count(&text), 4);
    }
}

/// Both clones promise a different next step: git's own merge marks the `next:` lines as a
/// conflict, and every other change of both sides is in the file.
#[test]
fn two_different_next_steps_conflict_on_those_lines_only() {
    let (_root, a, b) = remote_and_clones();
    edit(
        &a,
        "next: 2026-11-20 call - the quote",
        "next: 2026-12-01 email - the contract",
        "a: next step",
    );
    edit(
        &a,
        "Loves sailing.\n",
        "Loves sailing.\n\n## 2026-11-05 text - thanks\n",
        "a: a text",
    );
    ok(&a, &["push"]);
    edit(
        &b,
        "next: 2026-11-20 call - the quote",
        "next: 2026-12-02 call - the demo",
        "b: next step",
    );
    append(&b, "## 2026-11-18 email - sent the deck\n\n", "b: email");
    let sides = [&a, &b].map(|dir| fs::read_to_string(dir.join("alice.md")).unwrap());

    let out = git(&b, &["pull", "--no-rebase"]);
    assert!(!out.status.success(), "the pull should stop on a conflict");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        predicate::str::contains(
            "touchbase: alice.md: both sides changed next:; conflict markers around that only"
        )
        .eval(&said),
        "{said}"
    );
    assert!(predicate::str::contains("CONFLICT").eval(&said), "{said}");
    assert!(ok(&b, &["status", "--porcelain"]).contains("UU alice.md"));

    let text = fs::read_to_string(b.join("alice.md")).unwrap();
    let conflict = "<<<<<<< ours\nnext: 2026-12-02 call - the demo\n=======\nnext: 2026-12-01 email - the contract\n>>>>>>> theirs\n";
    assert_eq!(text.matches("<<<<<<<").count(), 1, "{text}");
    assert!(text.contains(conflict), "{text}");
    // Every other line of both sides is there.
    let resolved = text.replace(conflict, "");
    for side in &sides {
        for line in side.lines().filter(|l| !l.starts_with("next:")) {
            assert!(
                resolved.lines().any(|l| l == line),
                "{line:?} missing:\n{text}"
            );
        }
    }
}

/// The driver by hand: a missing file is refused; what is not UTF-8 goes to git, which says
/// so; a clean merge is written to OURS.
#[test]
fn merge_file_by_hand() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let write = |name: &str, text: &[u8]| fs::write(d.join(name), text).unwrap();
    let run = |args: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("touchbase").unwrap();
        cmd.current_dir(d)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("TOUCHBASE_VAULT")
            .arg("merge-file")
            .args(args);
        cmd
    };
    write("base", ALICE.as_bytes());
    write(
        "theirs",
        format!("{ALICE}## 2026-11-21 call\n\n").as_bytes(),
    );
    run(&["base", "missing", "theirs"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing: no such file"));

    write("ours", format!("{ALICE}## 2026-11-20 call\n\n").as_bytes());
    run(&["base", "ours", "theirs", "contacts/alice.md"])
        .assert()
        .code(0)
        .stderr("");
    assert_eq!(
        fs::read_to_string(d.join("ours")).unwrap(),
        format!("{ALICE}## 2026-11-20 call\n\n## 2026-11-21 call\n\n")
    );

    let mut latin1 = format!("{ALICE}## 2026-11-20 call\n").into_bytes();
    latin1.extend(b"Caf\xe9.\n\n");
    write("ours", &latin1);
    run(&["base", "ours", "theirs", "contacts/alice.md"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "touchbase: contacts/alice.md: not UTF-8 text; left to git's merge",
        ));
    let left = fs::read(d.join("ours")).unwrap();
    assert!(left.windows(7).any(|w| w == b"<<<<<<<"));
    assert!(left.windows(5).any(|w| w == b"Caf\xe9."));
}

/// Both clones log at the end and promise different next steps (`log --next` on each machine):
/// both entries are merged, and the conflict markers surround the `next:` lines only; no line of
/// either side is lost.
#[test]
fn different_next_steps_and_two_appended_entries_lose_nothing() {
    let (_root, a, b) = remote_and_clones();
    for (dir, next, entry) in [
        (
            &a,
            "next: 2026-12-01 email - the contract",
            "## 2026-11-20 call - the quote\n\n",
        ),
        (
            &b,
            "next: 2026-12-02 call - the demo",
            "## 2026-11-18 email - the deck\n\n",
        ),
    ] {
        edit(dir, "next: 2026-11-20 call - the quote", next, "next step");
        append(dir, entry, "a touch");
    }
    ok(&a, &["push"]);
    let sides = [&a, &b].map(|dir| fs::read_to_string(dir.join("alice.md")).unwrap());
    let out = git(&b, &["pull", "--no-rebase"]);
    assert!(!out.status.success(), "the pull should stop on a conflict");
    let text = fs::read_to_string(b.join("alice.md")).unwrap();
    for side in &sides {
        for line in side.lines() {
            assert!(text.lines().any(|l| l == line), "{line:?} missing:\n{text}");
        }
    }
    let conflict = "<<<<<<< ours\nnext: 2026-12-02 call - the demo\n=======\nnext: 2026-12-01 email - the contract\n>>>>>>> theirs\n";
    assert_eq!(text.matches("<<<<<<<").count(), 1, "{text}");
    assert!(text.contains(conflict), "{text}");
    // With the conflict resolved either way, both entries are there, in date order.
    let resolved = text.replace(conflict, "next: 2026-12-02 call - the demo\n");
    let deck = resolved.find("## 2026-11-18 email - the deck").unwrap();
    let quote = resolved.find("## 2026-11-20 call - the quote").unwrap();
    assert!(deck < quote, "{resolved}");
}
