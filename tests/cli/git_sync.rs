//! Sync through git with the real git binary: `touchbase git setup` in two clones of a bare
//! remote, touches logged on both, then a pull by merge or by rebase. Git runs with no global
//! or system config, so the user's own settings never matter (or change).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A command with git's and touchbase's environment pinned; no `--today`: the hooks git runs
/// use the real date, and so does everything compared with them.
fn cmd(program: &str, dir: &Path) -> Command {
    crate::pinned(program, dir)
}

fn run(mut c: Command) -> Output {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{c:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn git(dir: &Path, args: &[&str]) -> Output {
    let mut c = cmd("git", dir);
    c.args(args);
    run(c)
}

fn tb(dir: &Path, args: &[&str]) -> Output {
    let mut c = cmd(env!("CARGO_BIN_EXE_touchbase"), dir);
    c.arg("--vault").arg(dir).args(args);
    run(c)
}

/// A bare remote and two clones, `a` (which made the vault, with Alice and Bob) and `b`, both
/// set up with `touchbase git setup`.
fn two_clones(root: &Path) -> (PathBuf, PathBuf) {
    let remote = root.join("remote.git");
    git(root, &["init", "-q", "--bare", "-b", "main", "remote.git"]);
    let a = root.join("a");
    let b = root.join("b");
    git(root, &["clone", "-q", remote.to_str().unwrap(), "a"]);
    git(&a, &["config", "user.name", "A"]);
    git(&a, &["config", "user.email", "a@example.com"]);
    git(&a, &["checkout", "-q", "-b", "main"]);
    // `init` in a git clone sets it up for sync.
    let out = tb(&a, &["init", "."]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("added the post-merge hook"),
        "{out:?}"
    );
    fs::write(
        a.join("contacts/alice.md"),
        "---\nname: Alice Archer\n---\n## 2026-10-01 call\n",
    )
    .unwrap();
    fs::write(
        a.join("contacts/bob.md"),
        "---\nname: Bob Baker\n---\n## 2026-10-02 email\n",
    )
    .unwrap();
    tb(&a, &["due"]);
    git(&a, &["add", "-A"]);
    git(&a, &["commit", "-q", "-m", "vault"]);
    git(&a, &["push", "-q", "-u", "origin", "main"]);
    git(root, &["clone", "-q", remote.to_str().unwrap(), "b"]);
    git(&b, &["config", "user.name", "B"]);
    git(&b, &["config", "user.email", "b@example.com"]);
    tb(&b, &["git", "setup"]);
    (a, b)
}

/// Both clones log a touch and regenerate DUE.md; A pushes; B pulls (`pull_args`).
fn both_log_then_pull(pull_args: &[&str]) {
    let dir = tempfile::TempDir::new().unwrap();
    let (a, b) = two_clones(dir.path());
    tb(&a, &["log", "alice", "call", "talked", "budgets"]);
    tb(&a, &["due"]);
    git(&a, &["commit", "-q", "-am", "alice"]);
    git(&a, &["push", "-q"]);
    tb(&b, &["log", "bob", "email", "sent", "the", "quote"]);
    tb(&b, &["due"]);
    git(&b, &["commit", "-q", "-am", "bob"]);
    let mut pull = vec!["pull", "-q"];
    pull.extend_from_slice(pull_args);
    git(&b, &pull);
    // No conflict, both touches, and the agenda the hooks wrote is the one both files give.
    let alice = fs::read_to_string(b.join("contacts/alice.md")).unwrap();
    let bob = fs::read_to_string(b.join("contacts/bob.md")).unwrap();
    assert!(alice.contains(" call - talked budgets\n"), "{alice}");
    assert!(bob.contains(" email - sent the quote\n"), "{bob}");
    let due = fs::read_to_string(b.join("DUE.md")).unwrap();
    assert!(!due.contains("<<<<<<<"), "{due}");
    let fresh = tb(&b, &["due", "--stdout"]).stdout;
    assert_eq!(due, String::from_utf8(fresh).unwrap());
    let status = git(&b, &["status", "--porcelain"]).stdout;
    assert!(
        !String::from_utf8_lossy(&status).contains("UU"),
        "unmerged paths: {}",
        String::from_utf8_lossy(&status)
    );
}

#[test]
fn a_pull_by_merge_keeps_both_touches_and_regenerates_the_agenda() {
    both_log_then_pull(&["--no-rebase"]);
}

#[test]
fn a_pull_by_rebase_keeps_both_touches_and_regenerates_the_agenda() {
    both_log_then_pull(&["--rebase"]);
}

#[test]
fn setup_chains_existing_hooks_and_a_second_run_changes_nothing() {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main", "v"]);
    let v = root.join("v");
    let hook = v.join(".git/hooks/post-merge");
    fs::write(
        &hook,
        "#!/bin/sh\necho ran >> \"$(git rev-parse --show-toplevel)/.git/mine\"\nexit 3\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
    }
    tb(&v, &["init", "."]);
    let first = fs::read_to_string(&hook).unwrap();
    assert!(first.contains("post-merge.touchbase-chained"), "{first}");
    let kept = fs::read_to_string(v.join(".git/hooks/post-merge.touchbase-chained")).unwrap();
    assert!(kept.contains("echo ran"), "{kept}");
    // A second run (with the optional pre-commit hook the first lacked) changes only that.
    let out = tb(&v, &["git", "setup", "--pre-commit"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("added the pre-commit hook") && !said.contains("post-merge"),
        "{said}"
    );
    let attributes = fs::read_to_string(v.join(".gitattributes")).unwrap();
    let out = tb(&v, &["git", "setup", "--pre-commit"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("nothing to change"),
        "{out:?}"
    );
    assert_eq!(fs::read_to_string(&hook).unwrap(), first);
    assert_eq!(
        fs::read_to_string(v.join(".gitattributes")).unwrap(),
        attributes
    );
    // The chained hook runs (its exit status is the hook's), then touchbase regenerates.
    fs::remove_file(v.join("DUE.md")).ok();
    let mut c = cmd("sh", &v);
    c.arg(&hook);
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(fs::read_to_string(v.join(".git/mine")).unwrap(), "ran\n");
    assert!(v.join("DUE.md").exists());
}

#[test]
fn setup_writes_nothing_outside_the_vault() {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    // A vault that is a subfolder of a repository: refused, nothing written.
    git(root, &["init", "-q", "-b", "main", "repo"]);
    let v = root.join("repo/vault");
    fs::create_dir_all(&v).unwrap();
    fs::write(v.join("touchbase.toml"), "").unwrap();
    let mut c = cmd(env!("CARGO_BIN_EXE_touchbase"), &v);
    c.args(["git", "setup"]);
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not at its top"),
        "{out:?}"
    );
    assert!(!v.join(".gitattributes").exists());
    assert!(!root.join("repo/.git/hooks/post-merge").exists());
    // Hooks kept outside the vault (core.hooksPath): refused, nothing written there.
    git(root, &["init", "-q", "-b", "main", "v2"]);
    let v2 = root.join("v2");
    fs::write(v2.join("touchbase.toml"), "").unwrap();
    let outside = root.join("shared-hooks");
    fs::create_dir(&outside).unwrap();
    git(
        &v2,
        &["config", "core.hooksPath", outside.to_str().unwrap()],
    );
    let mut c = cmd(env!("CARGO_BIN_EXE_touchbase"), &v2);
    c.args(["git", "setup"]);
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
}

/// What `both_log_to_alice` leaves: the folder (kept until dropped), clone B, B's pull output,
/// B's `alice.md` after it, and the two sides' files before it.
type Logged = (tempfile::TempDir, PathBuf, Output, String, [String; 2]);

/// Both clones log to the same contact (A, then B, who pulls), with the `log` arguments given.
fn both_log_to_alice(a_log: &[&str], b_log: &[&str]) -> Logged {
    let dir = tempfile::TempDir::new().unwrap();
    let (a, b) = two_clones(dir.path());
    let mut log_a = vec!["log", "alice"];
    log_a.extend_from_slice(a_log);
    tb(&a, &log_a);
    git(&a, &["commit", "-q", "-am", "a"]);
    git(&a, &["push", "-q"]);
    let mut log_b = vec!["log", "alice"];
    log_b.extend_from_slice(b_log);
    tb(&b, &log_b);
    git(&b, &["commit", "-q", "-am", "b"]);
    let sides = [&a, &b].map(|d| fs::read_to_string(d.join("contacts/alice.md")).unwrap());
    let mut c = cmd("git", &b);
    c.args(["pull", "-q", "--no-rebase"]);
    let out = c.output().unwrap();
    let text = fs::read_to_string(b.join("contacts/alice.md")).unwrap();
    (dir, b, out, text, sides)
}

/// Every line of both sides is in the merged file (conflict markers aside).
fn keeps_every_line(text: &str, sides: &[String; 2]) {
    for side in sides {
        for line in side.lines() {
            assert!(text.lines().any(|l| l == line), "{line:?} missing:\n{text}");
        }
    }
}

#[test]
fn touches_to_the_same_contact_merge_without_a_conflict() {
    for (a_log, b_log) in [
        // the same day, and different days; with and without a next step on one side
        (&["call", "talked"][..], &["email", "sent", "it"][..]),
        (&["call", "--date", "yesterday"][..], &["email"][..]),
        (
            &[
                "call",
                "agreed",
                "a",
                "demo",
                "--next",
                "+1w meeting - demo",
            ][..],
            &["email", "sent", "the", "deck"][..],
        ),
    ] {
        let (_dir, _b, out, text, sides) = both_log_to_alice(a_log, b_log);
        assert!(out.status.success(), "{a_log:?} {b_log:?}: {out:?}\n{text}");
        assert!(!text.contains("<<<<<<<"), "{text}");
        keeps_every_line(&text, &sides);
        assert_eq!(text.matches("\n## ").count(), 3, "{text}");
    }
}

#[test]
fn two_next_steps_for_the_same_contact_conflict_on_that_line_only() {
    let (_dir, b, out, text, sides) = both_log_to_alice(
        &["call", "--next", "+1w call - the quote"],
        &["email", "--next", "+2w meeting - a demo"],
    );
    assert!(!out.status.success(), "{out:?}");
    assert_eq!(text.matches("<<<<<<<").count(), 1, "{text}");
    let start = text.find("<<<<<<<").unwrap();
    let end = text.find(">>>>>>>").unwrap();
    let inside: Vec<&str> = text[start..end]
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with("======="))
        .collect();
    assert!(inside.iter().all(|l| l.starts_with("next: ")), "{text}");
    keeps_every_line(&text, &sides);
    // `check` reports the markers (exit 1) until the user resolves them.
    let mut c = cmd(env!("CARGO_BIN_EXE_touchbase"), &b);
    c.arg("--vault").arg(&b).arg("check");
    let check = c.output().unwrap();
    assert_eq!(check.status.code(), Some(1), "{check:?}");
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("contacts/alice.md:"),
        "{check:?}"
    );
}

#[test]
fn only_the_generated_files_at_the_root_keep_one_side_in_a_merge() {
    let dir = tempfile::TempDir::new().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main", "v"]);
    let v = dir.path().join("v");
    tb(&v, &["init", "."]);
    let attr = git(
        &v,
        &[
            "check-attr",
            "merge",
            "--",
            "DUE.md",
            "DUE-sam.md",
            "STATS.md",
            "contacts/DUE.md",
            "notes/STATS.md",
            "contacts/alice.md",
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&attr.stdout),
        "DUE.md: merge: ours\nDUE-sam.md: merge: ours\nSTATS.md: merge: ours\n\
         contacts/DUE.md: merge: touchbase\nnotes/STATS.md: merge: touchbase\n\
         contacts/alice.md: merge: touchbase\n"
    );
    // The hooks leave DUE.md regenerated in the working tree: a rebase stashes it.
    let autostash = git(&v, &["config", "--get", "rebase.autoStash"]);
    assert_eq!(String::from_utf8_lossy(&autostash.stdout), "true\n");
}

#[test]
fn a_chained_hook_that_cannot_run_never_blocks_git() {
    let dir = tempfile::TempDir::new().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main", "v"]);
    let v = dir.path().join("v");
    git(&v, &["config", "user.name", "V"]);
    git(&v, &["config", "user.email", "v@example.com"]);
    // Not executable: git skipped it, and so must touchbase's hook.
    fs::write(v.join(".git/hooks/pre-commit"), "#!/bin/sh\nexit 1\n").unwrap();
    tb(&v, &["init", "."]);
    tb(&v, &["git", "setup", "--pre-commit"]);
    assert!(v.join(".git/hooks/pre-commit.touchbase-chained").exists());
    git(&v, &["add", "-A"]);
    git(&v, &["commit", "-q", "-m", "first"]);
}

#[test]
fn versioned_hooks_are_left_to_the_team() {
    let dir = tempfile::TempDir::new().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main", "v"]);
    let v = dir.path().join("v");
    fs::create_dir(v.join(".githooks")).unwrap();
    fs::write(v.join(".githooks/post-merge"), "#!/bin/sh\necho team\n").unwrap();
    git(&v, &["config", "core.hooksPath", ".githooks"]);
    fs::write(v.join("touchbase.toml"), "").unwrap();
    let mut c = cmd(env!("CARGO_BIN_EXE_touchbase"), &v);
    c.args(["git", "setup"]);
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("versioned"),
        "{out:?}"
    );
    assert_eq!(fs::read_dir(v.join(".githooks")).unwrap().count(), 1);
}
