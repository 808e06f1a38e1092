//! The user's files are theirs: concurrent writers, editors saving during `log`, paths and links
//! that lead out of the vault, generated files, temp files left by a killed run. Concurrency tests
//! run real processes, bounded in count and time.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use predicates::prelude::*;

use crate::touchbase;

fn vault_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        settle(&path);
    }
    dir
}

/// Make a file look saved a while ago, as a contact is when `log` runs on it.
fn settle(path: &Path) {
    let f = fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(2))
        .unwrap();
}

/// `touchbase log` as a plain process (for running many at once).
fn log_process(vault: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_touchbase"));
    cmd.env_remove("TOUCHBASE_VAULT")
        .env("TOUCHBASE_NO_CACHE", "1")
        .arg("--vault")
        .arg(vault)
        .args(["--today", crate::TODAY, "--quiet", "log"])
        .args(args);
    cmd
}

const T: &str = "---\nname: Tess Tate\n---\n# Tess Tate\n\n## 2026-11-01 call\n";

#[test]
fn concurrent_logs_keep_every_entry_they_report() {
    let vault = vault_with(&[("t.md", T)]);
    let mut ok = Vec::new();
    for round in 0..10 {
        let children: Vec<_> = ["call", "email", "text"]
            .iter()
            .map(|channel| {
                let text = format!("{channel} {round}");
                let child = log_process(vault.path(), &["tess", channel, &text])
                    .spawn()
                    .unwrap();
                (text, child)
            })
            .collect();
        for (text, mut child) in children {
            if child.wait().unwrap().success() {
                ok.push(text);
            }
        }
    }
    let file = fs::read_to_string(vault.path().join("t.md")).unwrap();
    assert_eq!(
        ok.len(),
        30,
        "every log waits its turn and succeeds:\n{file}"
    );
    for text in &ok {
        assert_eq!(
            file.matches(&format!(" - {text}\n")).count(),
            1,
            "{text} reported success but is not in the file once:\n{file}"
        );
    }
    assert!(file.starts_with(T), "{file}");
}

/// An editor's whole save number `k`: long enough to be written in two pieces.
fn editor_save(k: usize) -> String {
    let mut s = format!("---\nname: Tess Tate\nsave: {k}\n---\n# Tess Tate\n\n");
    for i in 0..150 {
        s.push_str(&format!("save {k}, line {i}: notes the editor keeps\n"));
    }
    s.push_str(&format!("END OF SAVE {k}\n"));
    s
}

/// Save like an editor: by rename, in place in two pieces, or in place in one write.
fn save_as_editor(path: &Path, text: &str, style: usize) {
    match style % 3 {
        0 => {
            let tmp = path.with_file_name(".t.md.editor-swp");
            fs::write(&tmp, text).unwrap();
            fs::rename(&tmp, path).unwrap();
        }
        1 => {
            let mut f = fs::File::create(path).unwrap();
            let (a, b) = text.split_at(text.len() / 2);
            f.write_all(a.as_bytes()).unwrap();
            std::thread::sleep(Duration::from_millis(2));
            f.write_all(b.as_bytes()).unwrap();
        }
        _ => fs::write(path, text).unwrap(),
    }
}

/// The editor's save a file state starts with, if it holds the whole of one.
fn whole_save_in(state: &str) -> Option<usize> {
    let k: usize = state
        .lines()
        .find_map(|l| l.strip_prefix("save: "))?
        .parse()
        .ok()?;
    state.starts_with(&editor_save(k)).then_some(k)
}

#[test]
fn an_editor_saving_during_log_is_never_torn_or_lost() {
    let vault = vault_with(&[("t.md", &editor_save(0))]);
    let path = vault.path().join("t.md");
    let done = Arc::new(AtomicBool::new(false));
    let bad = Arc::new(Mutex::new(Vec::<String>::new()));

    // A reader watching every state of the file: any state that holds a logged entry was
    // written by touchbase, and must be a whole editor save plus entries.
    let reader = {
        let (path, done, bad) = (path.clone(), Arc::clone(&done), Arc::clone(&bad));
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Ok(state) = fs::read_to_string(&path)
                    && state.contains(" - entry ")
                    && whole_save_in(&state).is_none()
                {
                    bad.lock().unwrap().push(state);
                }
                std::thread::sleep(Duration::from_micros(300));
            }
        })
    };
    let logger = {
        let (vault, done) = (vault.path().to_path_buf(), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut logged = 0;
            let mut n = 0;
            while !done.load(Ordering::Relaxed) && n < 200 {
                n += 1;
                let text = format!("entry {n}");
                if log_process(&vault, &["tess", "call", &text])
                    .stderr(std::process::Stdio::null())
                    .status()
                    .unwrap()
                    .success()
                {
                    logged += 1;
                }
            }
            logged
        })
    };
    // Bursts of saves a few milliseconds apart, with quiet spells between them that let
    // `log` through.
    let saves: usize = 96;
    for k in 1..=saves {
        let pause = if k.is_multiple_of(8) { 150 } else { 3 };
        std::thread::sleep(Duration::from_millis(pause));
        // The last save is by rename, so that nothing can write into it once it is replaced.
        save_as_editor(&path, &editor_save(k), if k == saves { 0 } else { k });
    }
    std::thread::sleep(Duration::from_millis(400));
    done.store(true, Ordering::Relaxed);
    let logged = logger.join().unwrap();
    reader.join().unwrap();

    let bad = bad.lock().unwrap();
    assert!(
        bad.is_empty(),
        "{} states mixed an editor's partial save with a log entry, e.g.:\n{}",
        bad.len(),
        bad[0]
    );
    assert!(
        logged >= 3,
        "too few logs got through to test anything: {logged}"
    );
    let last = fs::read_to_string(&path).unwrap();
    assert_eq!(
        whole_save_in(&last),
        Some(saves),
        "the editor's last save was lost:\n{last}"
    );
}

#[test]
fn log_refuses_control_characters_and_notes_that_hide_the_rest() {
    let vault = vault_with(&[("t.md", T)]);
    let before = fs::read(vault.path().join("t.md")).unwrap();
    for args in [
        vec!["tess", "call", "title\x1b]0;pwned\x07"],
        vec!["tess", "call", "ok", "--note", "two\x1b[2J"],
        vec!["tess", "call", "tab\there"],
        vec!["tess", "call\x1b", "x"],
    ] {
        touchbase(vault.path())
            .arg("log")
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("control character"));
    }
    touchbase(vault.path())
        .args(["add", "Omar Ortiz", "--company", "Ortiz\x1b[31m Printing"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--company holds a control character",
        ));
    assert!(!vault.path().join("contacts").exists());
    for note in ["<!-- aside", "<pre>"] {
        touchbase(vault.path())
            .args(["log", "tess", "call", "x", "--note", note])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("would hide what comes after it"));
    }
    assert_eq!(fs::read(vault.path().join("t.md")).unwrap(), before);
}

#[test]
fn log_respects_a_read_only_file() {
    let vault = vault_with(&[("t.md", T)]);
    let path = vault.path().join("t.md");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    touchbase(vault.path())
        .args(["log", "tess", "call"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("read-only"));
    assert_eq!(fs::read_to_string(&path).unwrap(), T);
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o444
    );
}

#[test]
fn the_agenda_never_replaces_a_file_touchbase_did_not_generate() {
    let good = "---\nname: Good One\n---\n";
    let vault = vault_with(&[("good1.md", good), ("b.md", T)]);
    fs::write(
        vault.path().join("touchbase.toml"),
        "[agenda]\nfile = \"good1.md\"\n",
    )
    .unwrap();
    touchbase(vault.path())
        .arg("due")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not generated by touchbase"));
    assert_eq!(
        fs::read_to_string(vault.path().join("good1.md")).unwrap(),
        good
    );

    for (value, says) in [
        ("", "`agenda.file` is empty"),
        ("../x.md", "must be a path inside the vault"),
        (
            "/tmp/touchbase-agenda.md",
            "must be a path inside the vault",
        ),
    ] {
        fs::write(
            vault.path().join("touchbase.toml"),
            format!("[agenda]\nfile = \"{value}\"\n"),
        )
        .unwrap();
        touchbase(vault.path())
            .arg("due")
            .assert()
            .code(1)
            .stderr(predicate::str::contains(says).and(predicate::str::contains("touchbase.toml")));
    }
    assert!(!vault.path().parent().unwrap().join("x.md").exists());
    assert!(!Path::new("/tmp/touchbase-agenda.md").exists());
}

#[test]
fn a_symlinked_agenda_becomes_a_regular_file_with_an_ordinary_mode() {
    let vault = vault_with(&[("b.md", T)]);
    let outside = tempfile::TempDir::new().unwrap();
    let target = outside.path().join("agenda.md");
    fs::write(
        &target,
        "<!-- Generated by touchbase. Do not edit: changes are overwritten. -->\n",
    )
    .unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o777)).unwrap();
    std::os::unix::fs::symlink(&target, vault.path().join("DUE.md")).unwrap();
    touchbase(vault.path()).arg("due").assert().success();
    let meta = fs::symlink_metadata(vault.path().join("DUE.md")).unwrap();
    assert!(meta.is_file(), "the link was replaced by a file");
    assert_eq!(meta.permissions().mode() & 0o777, 0o644);
    assert!(
        fs::read_to_string(vault.path().join("DUE.md"))
            .unwrap()
            .contains("Tess Tate")
    );
    assert!(
        !fs::read_to_string(&target).unwrap().contains("Tess"),
        "nothing written outside"
    );
}

#[test]
fn a_link_flipped_out_of_the_vault_is_never_read() {
    let outside = tempfile::TempDir::new().unwrap();
    let secret = outside.path().join("secret.md");
    fs::write(&secret, "---\nname: Outside Secret\n---\n").unwrap();
    let vault = vault_with(&[("inside.md", "---\nname: Inside Person\n---\n")]);
    let link = vault.path().join("flip.md");
    std::os::unix::fs::symlink("inside.md", &link).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let flipper = {
        let (vault, done, secret) = (
            vault.path().to_path_buf(),
            Arc::clone(&done),
            secret.clone(),
        );
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !done.load(Ordering::Relaxed) {
                i += 1;
                let tmp = vault.join(".flip.tmp");
                let _ = fs::remove_file(&tmp);
                let to: PathBuf = if i.is_multiple_of(2) {
                    "inside.md".into()
                } else {
                    secret.clone()
                };
                std::os::unix::fs::symlink(&to, &tmp).unwrap();
                fs::rename(&tmp, vault.join("flip.md")).unwrap();
            }
        })
    };
    for _ in 0..40 {
        let out = touchbase(vault.path())
            .args(["--no-cache", "due", "--stdout"])
            .output()
            .unwrap();
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("Outside Secret"),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    done.store(true, Ordering::Relaxed);
    flipper.join().unwrap();
}

#[test]
fn stale_temp_files_are_removed_and_ignored_by_git() {
    let vault = tempfile::TempDir::new().unwrap();
    touchbase(vault.path()).arg("init").assert().success();
    let dir = vault.path();
    fs::create_dir_all(dir.join("contacts")).unwrap();
    let old = [
        dir.join(".DUE.md.a1B2c3.touchbase-tmp"),
        dir.join("contacts/.bob.md.Zz9Yy8.touchbase-tmp"),
    ];
    let fresh = dir.join("contacts/.ann.md.Qq1Ww2.touchbase-tmp");
    let not_ours = dir.join("contacts/.bob.md.swp");
    for p in old.iter().chain([&fresh, &not_ours]) {
        fs::write(p, "a copy").unwrap();
    }
    for p in old.iter().chain([&not_ours]) {
        let f = fs::File::options().write(true).open(p).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(3600))
            .unwrap();
    }
    // Taking the write lock leaves the lock file too.
    touchbase(dir)
        .args(["log", "jane", "email", "sent the sheet"])
        .assert()
        .success();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "-q"]);
    let status = git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(
        !status.contains("touchbase-tmp") && !status.contains(".touchbase.lock"),
        "{status}"
    );

    touchbase(dir).arg("due").assert().success();
    for p in &old {
        assert!(!p.exists(), "{} was left", p.display());
    }
    assert!(fresh.exists(), "a temp file that may be in use is kept");
    assert!(not_ours.exists(), "another program's file is kept");
}

#[test]
fn an_agenda_in_a_folder_links_back_up_to_the_contacts() {
    let vault = vault_with(&[("people/b.md", T)]);
    fs::write(
        vault.path().join("touchbase.toml"),
        "[agenda]\nfile = \"agenda/today/DUE.md\"\n",
    )
    .unwrap();
    touchbase(vault.path()).arg("due").assert().success();
    let due = fs::read_to_string(vault.path().join("agenda/today/DUE.md")).unwrap();
    assert!(due.contains("[Tess Tate](../../people/b.md)"), "{due}");
    let target = vault.path().join("agenda/today").join("../../people/b.md");
    assert!(target.exists());
}

/// Keep re-pointing the link `link` at each of `targets` in turn (a new link renamed over it)
/// until `done`.
fn flip_link(
    link: PathBuf,
    targets: Vec<PathBuf>,
    done: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let name = link.file_name().unwrap().to_string_lossy().into_owned();
        let tmp = link.with_file_name(format!(".{name}.flip"));
        for i in 0.. {
            if done.load(Ordering::Relaxed) {
                break;
            }
            let _ = fs::remove_file(&tmp);
            std::os::unix::fs::symlink(&targets[i % targets.len()], &tmp).unwrap();
            fs::rename(&tmp, &link).unwrap();
            std::thread::sleep(Duration::from_micros(200));
        }
    })
}

/// Keep exchanging the names `a` and `b` atomically, with `pause` between swaps, until `done`.
fn swap_names(
    a: PathBuf,
    b: PathBuf,
    pause: Duration,
    done: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !done.load(Ordering::Relaxed) {
            let _ = rustix::fs::renameat_with(
                rustix::fs::CWD,
                &a,
                rustix::fs::CWD,
                &b,
                rustix::fs::RenameFlags::EXCHANGE,
            );
            std::thread::sleep(pause);
        }
    })
}

fn md_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.path().display().to_string())
        .filter(|p| p.ends_with(".md") || p.ends_with(".touchbase-tmp"))
        .collect()
}

#[test]
fn folders_flipped_out_of_the_vault_never_receive_a_write() {
    let outside = tempfile::TempDir::new().unwrap();
    let out = outside.path();
    // An old temp file of touchbase's own, outside: a cleanup must never reach it.
    let foreign = out.join(".notes.md.abc123.touchbase-tmp");
    fs::write(&foreign, "not the vault's").unwrap();
    let f = fs::File::options().write(true).open(&foreign).unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    let vault = vault_with(&[("people-in/a.md", T), ("agenda-in/.keep", "")]);
    let v = vault.path();
    fs::write(v.join("people-in/.notes.md.abc123.touchbase-tmp"), "x").unwrap();
    fs::write(
        v.join("touchbase.toml"),
        "[agenda]\nfile = \"agenda/DUE.md\"\n[add]\nfolder = \"people\"\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("people-in", v.join("people")).unwrap();
    std::os::unix::fs::symlink("agenda-in", v.join("agenda")).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let flippers = [
        flip_link(
            v.join("people"),
            vec!["people-in".into(), out.to_path_buf()],
            Arc::clone(&done),
        ),
        flip_link(
            v.join("agenda"),
            vec!["agenda-in".into(), out.to_path_buf()],
            Arc::clone(&done),
        ),
    ];
    for i in 0..120 {
        let _ = touchbase(v)
            .args(["--quiet", "add", &format!("Person {i}")])
            .output();
        let _ = touchbase(v).args(["--quiet", "due"]).output();
    }
    done.store(true, Ordering::Relaxed);
    for f in flippers {
        f.join().unwrap();
    }
    assert_eq!(
        md_files(out),
        vec![foreign.display().to_string()],
        "written outside the vault"
    );
    assert_eq!(fs::read_to_string(&foreign).unwrap(), "not the vault's");
}

#[test]
fn a_contact_folder_swapped_for_a_link_out_of_the_vault_is_never_written_through() {
    let outside = tempfile::TempDir::new().unwrap();
    let theirs = outside.path().join("t.md");
    fs::write(&theirs, "---\nname: Tess Tate\n---\nOUTSIDE\n").unwrap();
    let vault = vault_with(&[("contacts/t.md", T)]);
    let v = vault.path();
    std::os::unix::fs::symlink(outside.path(), v.join("swap")).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    // The folder and the link trade places atomically, again and again.
    let swapper = swap_names(
        v.join("contacts"),
        v.join("swap"),
        Duration::ZERO,
        Arc::clone(&done),
    );
    for n in 0..150 {
        let _ = log_process(v, &["tess", "call", &format!("L{n}")])
            .stderr(std::process::Stdio::null())
            .status();
        for p in [v.join("contacts/t.md"), v.join("swap/t.md")] {
            if let Ok(f) = fs::File::options().write(true).open(&p) {
                let _ = f.set_modified(SystemTime::now() - Duration::from_secs(60));
            }
        }
    }
    done.store(true, Ordering::Relaxed);
    swapper.join().unwrap();
    assert_eq!(
        fs::read_to_string(&theirs).unwrap(),
        "---\nname: Tess Tate\n---\nOUTSIDE\n",
        "a file outside the vault was replaced"
    );
    assert_eq!(md_files(outside.path()), vec![theirs.display().to_string()]);
}

#[test]
fn the_walk_never_lists_names_from_a_folder_flipped_out_of_the_vault() {
    let outside = tempfile::TempDir::new().unwrap();
    std::os::unix::fs::symlink("/nonexistent", outside.path().join("SECRET-NAME.md")).unwrap();
    fs::create_dir(outside.path().join("deeper")).unwrap();
    let vault = vault_with(&[("folder-in/a.md", T)]);
    let v = vault.path();
    std::os::unix::fs::symlink("folder-in", v.join("folder")).unwrap();
    // A real folder and a link out of the vault that trade places, again and again.
    fs::create_dir(v.join("swapped")).unwrap();
    fs::write(v.join("swapped/b.md"), T).unwrap();
    std::os::unix::fs::symlink(outside.path(), v.join("other")).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let flipper = flip_link(
        v.join("folder"),
        vec!["folder-in".into(), outside.path().to_path_buf()],
        Arc::clone(&done),
    );
    let swapper = swap_names(
        v.join("swapped"),
        v.join("other"),
        Duration::from_micros(200),
        Arc::clone(&done),
    );
    for _ in 0..100 {
        let out = touchbase(v)
            .args(["--no-cache", "due", "--stdout"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains("SECRET") && !text.contains("deeper"),
            "{text}"
        );
    }
    done.store(true, Ordering::Relaxed);
    flipper.join().unwrap();
    swapper.join().unwrap();
}

#[test]
fn new_files_follow_the_umask_and_replaced_ones_keep_their_mode() {
    let vault = vault_with(&[("t.md", T)]);
    let v = vault.path();
    fs::set_permissions(v.join("t.md"), fs::Permissions::from_mode(0o640)).unwrap();
    let run = |args: &str| {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask 077 && exec \"$0\" --vault \"$1\" --today {} --quiet {args}",
                crate::TODAY
            ))
            .arg(env!("CARGO_BIN_EXE_touchbase"))
            .arg(v)
            .env("TOUCHBASE_NO_CACHE", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    run("add 'Private Person'");
    run("due");
    run("log tess call");
    let mode = |p: &str| fs::metadata(v.join(p)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("contacts/private-person.md"), 0o600);
    assert_eq!(mode("DUE.md"), 0o600);
    assert_eq!(mode("t.md"), 0o640);
}
