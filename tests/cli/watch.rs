//! `touchbase watch`: the real binary on a temp vault, edited the way editors and git do it.
//! Every wait polls under a deadline; nothing sleeps for a fixed time except the final check
//! that an idle watcher leaves DUE.md alone.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::TODAY;

pub(crate) struct Watcher {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Watcher {
    pub(crate) fn start(vault: &Path) -> Watcher {
        let mut child = Command::new(env!("CARGO_BIN_EXE_touchbase"))
            .env("TOUCHBASE_CACHE_DIR", crate::cache_dir())
            .env_remove("TOUCHBASE_VAULT")
            .env_remove("TOUCHBASE_TODAY")
            .env_remove("TOUCHBASE_OWNER")
            .arg("--vault")
            .arg(vault)
            .args(["--today", TODAY, "watch", "--debounce", "100ms"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let lines = Arc::clone(&lines);
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line);
                }
            });
        }
        let w = Watcher { child, lines };
        w.wait_for_line("watching");
        w
    }

    pub(crate) fn output(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    pub(crate) fn wait_for_line(&self, needle: &str) {
        poll(&format!("a line with {needle:?}"), || {
            self.output().iter().any(|l| l.contains(needle))
        });
    }

    /// Send a signal and return the exit code.
    fn stop(mut self, signal: &str) -> Option<i32> {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "watch did not stop on {signal}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Poll `check` every 20 ms until it holds, for at most 10 seconds.
pub(crate) fn poll(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn due_md(vault: &Path) -> String {
    fs::read_to_string(vault.join("DUE.md")).unwrap_or_default()
}

pub(crate) fn wait_for_due(vault: &Path, what: &str, check: impl Fn(&str) -> bool) {
    poll(what, || check(&due_md(vault)));
}

fn contact(name: &str, extra: &str) -> String {
    format!("---\nname: {name}\n{extra}---\n## 2026-11-03 call\n")
}

fn write_via_rename(path: &PathBuf, text: &str) {
    // What vim (backupcopy=no) and many editors do: write a temp file, rename it over.
    let tmp = path.with_file_name(format!(
        ".{}.swp",
        path.file_name().unwrap().to_string_lossy()
    ));
    fs::write(&tmp, text).unwrap();
    fs::rename(&tmp, path).unwrap();
}

#[test]
fn watch_keeps_due_md_current_through_editor_saves() {
    let dir = tempfile::TempDir::new().unwrap();
    let vault = dir.path();
    fs::create_dir_all(vault.join("contacts")).unwrap();
    let jane = vault.join("contacts/jane.md");
    let bob = vault.join("contacts/bob.md");
    fs::write(&jane, contact("Jane Doe", "")).unwrap();
    fs::write(&bob, contact("Bob Baker", "")).unwrap();
    let w = Watcher::start(vault);
    wait_for_due(vault, "the first agenda", |d| {
        d.contains("[Jane Doe]") && d.contains("[Bob Baker]")
    });

    // 1. An edit in place (VS Code writes the file directly).
    fs::write(&jane, contact("Jane Doe", "company: Acme Realty\n")).unwrap();
    wait_for_due(vault, "the in-place edit", |d| d.contains("Acme Realty"));

    // 2. Temp file and rename.
    write_via_rename(&bob, &contact("Bob Baker", "company: Baker Bakeries\n"));
    wait_for_due(vault, "the rename-over save", |d| {
        d.contains("Baker Bakeries")
    });

    // 3. Delete then create (some editors and sync tools).
    fs::remove_file(&bob).unwrap();
    fs::write(&bob, contact("Bob Baker", "company: Baker & Sons\n")).unwrap();
    wait_for_due(vault, "delete-then-create", |d| d.contains("Baker & Sons"));

    // 4. A new contact, in a new folder.
    fs::create_dir_all(vault.join("leads")).unwrap();
    fs::write(vault.join("leads/cy.md"), contact("Cy Chen", "")).unwrap();
    wait_for_due(vault, "the new contact", |d| {
        d.contains("[Cy Chen](./leads/cy.md)")
    });

    // 5. A deleted contact.
    fs::remove_file(vault.join("leads/cy.md")).unwrap();
    wait_for_due(vault, "the deleted contact", |d| !d.contains("Cy Chen"));

    // 6. A renamed contact.
    fs::rename(&jane, vault.join("contacts/jane-doe.md")).unwrap();
    wait_for_due(vault, "the renamed contact", |d| {
        d.contains("[Jane Doe](./contacts/jane-doe.md)")
    });

    // 7. Broken YAML is a problem in DUE.md and on stderr; fixing it clears the problem.
    fs::write(&bob, "---\nname: Bob Baker\ninterests: [golf\n---\n").unwrap();
    wait_for_due(vault, "the problem", |d| {
        d.contains("## Problems") && d.contains("contacts/bob.md:3")
    });
    w.wait_for_line("warning: contacts/bob.md:3: invalid YAML");
    fs::write(&bob, contact("Bob Baker", "")).unwrap();
    wait_for_due(vault, "the fix", |d| {
        !d.contains("## Problems") && d.contains("[Bob Baker]")
    });

    // 8. Idle: DUE.md stays untouched.
    let mtime = fs::metadata(vault.join("DUE.md"))
        .unwrap()
        .modified()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        fs::metadata(vault.join("DUE.md"))
            .unwrap()
            .modified()
            .unwrap(),
        mtime
    );

    // The watcher never wrote a contact file, and nothing was left half-written.
    let leftovers: Vec<_> = fs::read_dir(vault)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".DUE.md"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(w.stop("-TERM"), Some(0));
}

#[test]
fn a_burst_of_changes_causes_a_handful_of_rebuilds() {
    // What `git checkout` or `git pull` does: hundreds of files change at once.
    let dir = tempfile::TempDir::new().unwrap();
    let vault = dir.path();
    fs::write(vault.join("first.md"), contact("First", "")).unwrap();
    let w = Watcher::start(vault);
    let before = w.output().len();
    fs::create_dir_all(vault.join("team")).unwrap();
    // Paced over about 1.5 s, as a slow pull or a sync tool writes: the debouncer alone would
    // emit a batch every tick.
    for n in 0..300 {
        fs::write(
            vault.join(format!("team/p{n:03}.md")),
            contact(&format!("Person {n:03}"), ""),
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    wait_for_due(vault, "all 300 contacts", |d| {
        d.contains("[Person 299]") && d.contains("[Person 000]")
    });
    // The line for a rebuild is printed just after DUE.md is written.
    w.wait_for_line("301 today");
    let rebuilds = w.output()[before..]
        .iter()
        .filter(|l| l.contains(" -> DUE.md"))
        .count();
    assert!(
        (1..=5).contains(&rebuilds),
        "{rebuilds} rebuilds: {:?}",
        &w.output()[before..]
    );
    assert_eq!(w.stop("-INT"), Some(0));
}

#[test]
fn a_missing_vault_is_a_start_up_error() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_touchbase"))
        .env("TOUCHBASE_CACHE_DIR", crate::cache_dir())
        .arg("--vault")
        .arg(dir.path().join("nope"))
        .arg("watch")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open the vault"));
}

#[test]
fn poll_mode_sees_changes_too() {
    let dir = tempfile::TempDir::new().unwrap();
    let vault = dir.path();
    fs::write(vault.join("a.md"), contact("Ann", "")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_touchbase"))
        .env("TOUCHBASE_CACHE_DIR", crate::cache_dir())
        .arg("--vault")
        .arg(vault)
        .args([
            "--today",
            TODAY,
            "--quiet",
            "watch",
            "--debounce",
            "100ms",
            "--poll",
            "200ms",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_due(vault, "the first agenda", |d| d.contains("[Ann]"));
    fs::write(vault.join("b.md"), contact("Bea", "")).unwrap();
    wait_for_due(vault, "the polled change", |d| d.contains("[Bea]"));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "",
        "--quiet prints nothing"
    );
}

#[test]
fn a_link_out_of_the_vault_made_while_watching_is_never_read() {
    let dir = tempfile::TempDir::new().unwrap();
    let outside = tempfile::TempDir::new().unwrap();
    let vault = dir.path();
    let secret = outside.path().join("secret.md");
    fs::write(&secret, contact("Outside Secret", "")).unwrap();
    fs::write(vault.join("a.md"), contact("Ann", "")).unwrap();
    let w = Watcher::start(vault);
    wait_for_due(vault, "the first agenda", |d| d.contains("[Ann]"));
    std::os::unix::fs::symlink(&secret, vault.join("leak.md")).unwrap();
    // A link inside the vault, made afterwards: once it shows, the watcher has seen both.
    std::os::unix::fs::symlink("a.md", vault.join("inside.md")).unwrap();
    fs::write(vault.join("b.md"), contact("Bea", "")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let due = due_md(vault);
        assert!(!due.contains("Outside Secret"), "{due}");
        if due.contains("[Bea]") {
            break;
        }
        assert!(Instant::now() < deadline, "timed out waiting for Bea");
        std::thread::sleep(Duration::from_millis(1));
    }
    // Every state until well after the next walk.
    let until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < until {
        assert!(!due_md(vault).contains("Outside Secret"));
        std::thread::sleep(Duration::from_millis(2));
    }
    drop(w);
}

#[test]
fn folders_out_of_the_vault_are_not_watched() {
    let dir = tempfile::TempDir::new().unwrap();
    let outside = tempfile::TempDir::new().unwrap();
    let vault = dir.path();
    fs::write(vault.join("a.md"), contact("Ann", "")).unwrap();
    std::os::unix::fs::symlink(outside.path(), vault.join("outlink")).unwrap();
    let w = Watcher::start(vault);
    wait_for_due(vault, "the first agenda", |d| d.contains("[Ann]"));
    fs::write(outside.path().join("x.md"), contact("Outside Person", "")).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    fs::write(vault.join("b.md"), contact("Bea", "")).unwrap();
    wait_for_due(vault, "Bea", |d| d.contains("[Bea]"));
    let said = w.output();
    assert!(
        !said.iter().any(|l| l.contains("outlink")),
        "the watcher saw a change outside the vault: {said:?}"
    );
    assert!(!due_md(vault).contains("Outside Person"));
}

/// Touches from notes (SPEC 10) follow each note while watching: a daily note that links a
/// contact takes them off the overdue list; edited to link another, renamed, then deleted,
/// DUE.md follows each step and equals a fresh `due` after it.
#[test]
fn watch_follows_touches_from_notes() {
    let dir = tempfile::TempDir::new().unwrap();
    let vault = dir.path();
    fs::write(
        vault.join("touchbase.toml"),
        "[contacts]\nfolders = [\"People\"]\n[touches]\nnotes = true\n",
    )
    .unwrap();
    fs::create_dir_all(vault.join("People")).unwrap();
    fs::create_dir_all(vault.join("Daily")).unwrap();
    fs::create_dir_all(vault.join("Meetings")).unwrap();
    // Both called on 11-01: due 11-22 on the prospect cadence (3w), so overdue.
    fs::write(vault.join("People/Ann Lee.md"), "## 2026-11-01 call\n").unwrap();
    fs::write(vault.join("People/Bea Cole.md"), "## 2026-11-01 call\n").unwrap();
    let fresh = || crate::fresh_agenda(vault);
    let w = Watcher::start(vault);
    wait_for_due(vault, "both overdue", |d| d.contains("\n2 overdue"));
    let note = vault.join("Daily/2026-11-24.md");
    // Linked today: touched, due again in three weeks, off the agenda.
    fs::write(&note, "Lunch with [[Ann Lee]].\n- [ ] call [[Bea Cole]]\n").unwrap();
    wait_for_due(vault, "Ann touched by the note", |d| {
        d.contains("\n1 overdue") && !d.contains("[Ann Lee]")
    });
    assert_eq!(due_md(vault), fresh());
    write_via_rename(&note, "Lunch with [[Bea Cole]].\n");
    wait_for_due(vault, "the note now touches Bea", |d| {
        d.contains("\n1 overdue") && d.contains("[Ann Lee]") && !d.contains("[Bea Cole]")
    });
    assert_eq!(due_md(vault), fresh());
    let moved = vault.join("Meetings/2026-11-24 lunch.md");
    let rebuilds = || {
        w.output()
            .iter()
            .filter(|l| l.contains("-> DUE.md"))
            .count()
    };
    let before = rebuilds();
    fs::rename(&note, &moved).unwrap();
    // The same touch from its new path: DUE.md is rebuilt, to the same text.
    poll("a rebuild after the rename", || rebuilds() > before);
    assert_eq!(due_md(vault), fresh());
    fs::remove_file(&moved).unwrap();
    wait_for_due(vault, "the note deleted", |d| d.contains("\n2 overdue"));
    assert_eq!(due_md(vault), fresh());
}
