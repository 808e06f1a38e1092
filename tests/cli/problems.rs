//! Bad input: every kind is a problem with a path (and a line where there is one), nothing
//! panics, and every other contact still appears in DUE.md.

use std::fs;
use std::path::Path;

use predicates::prelude::*;

use crate::{fixture, touchbase};

/// Files that cannot live in git as such are made at run time.
fn add_runtime_breakage(root: &Path) {
    let mut latin1 = b"---\nname: Jos".to_vec();
    latin1.extend([0xE9, b'\n']);
    latin1.extend(b"---\n");
    fs::write(root.join("latin1.md"), latin1).unwrap();
    let mut huge = b"---\nname: Huge\n---\n".to_vec();
    huge.resize(4 * 1024 * 1024 + 1, b'x');
    fs::write(root.join("huge.md"), huge).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(".", root.join("loop")).unwrap();
        symlink("ping.md", root.join("pong.md")).unwrap();
        symlink("pong.md", root.join("ping.md")).unwrap();
        symlink("does-not-exist.md", root.join("dangling.md")).unwrap();
        let outside = tempfile::TempDir::new().unwrap().keep();
        fs::write(
            outside.join("outsider.md"),
            "---\nname: Outside The Vault\n---\n",
        )
        .unwrap();
        symlink(outside.join("outsider.md"), root.join("outsider.md")).unwrap();
        symlink(&outside, root.join("outside-dir")).unwrap();
    }
}

#[test]
fn broken_files_are_problems_and_the_rest_still_works() {
    let vault = fixture("broken");
    add_runtime_breakage(vault.path());
    touchbase(vault.path())
        .arg("due")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: bad-yaml.md:4: invalid YAML",
        ));
    let due = fs::read_to_string(vault.path().join("DUE.md")).unwrap();
    insta::assert_snapshot!("broken_due", due);
    // Contacts with a readable part are still scheduled.
    for name in [
        "Good Contact",
        "Inside A Folder Named x.md",
        "Bad Front Date",
        "Bad Heading Date",
        "Unknown Channel",
        "Future Touch",
    ] {
        assert!(
            due.contains(&format!("[{name}]")),
            "{name} missing from\n{due}"
        );
    }
    // Files that are not contacts, or not in the vault, do not appear at all.
    for absent in [
        "Outside The Vault",
        "Meeting notes",
        "empty-name.md",
        "no-name.md",
        "empty.md",
    ] {
        assert!(
            !due.contains(absent),
            "{absent} should not appear in\n{due}"
        );
    }
}

#[test]
fn check_lists_every_problem_with_path_and_line_and_exits_1() {
    let vault = fixture("broken");
    add_runtime_breakage(vault.path());
    let out = touchbase(vault.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let expected = [
        "bad-front-date.md:3: invalid `snooze` \"2026-13-01\": expected a date YYYY-MM-DD",
        "bad-front-date.md:4: invalid `next` \"soon\"",
        "bad-heading-date.md:4: invalid date \"2026-02-30\" in a touch heading",
        "bad-yaml.md:4: invalid YAML",
        "conflict.md:3: git conflict markers",
        "dangling.md: cannot read the file",
        "future.md:5: touch dated in the future (2026-12-25)",
        "huge.md: file is larger than 4 MiB (4194305 bytes)",
        "latin1.md:2: invalid UTF-8",
        "loop: symbolic link loop",
        "not-mapping.md:2: front matter is not a mapping",
        "ping.md: symbolic link loop",
        "pong.md: symbolic link loop",
        "unclosed.md:1: front matter has no closing `---` line",
    ];
    for line in expected {
        assert!(
            stdout.lines().any(|l| l.starts_with(line)),
            "missing {line:?} in\n{stdout}"
        );
    }
    assert_eq!(stdout.lines().count(), expected.len(), "{stdout}");
    assert!(
        !stdout.contains("unknown-channel"),
        "an unknown channel word is not a problem"
    );
}

#[test]
fn dot_entries_are_never_read() {
    // The fixture has contact-shaped files in `.obsidian/` and a `.hidden.md`; an Emacs lock file
    // is a dangling symlink named `.#x.md`.
    let vault = fixture("basic");
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        "user@host.1234",
        vault.path().join("people/.#anna-adams.md"),
    )
    .unwrap();
    let text = crate::due_json_text(vault.path());
    assert!(!text.contains("Inside Obsidian Settings"), "{text}");
    assert!(!text.contains("Hidden File"), "{text}");
    assert!(text.contains("\"problems\": []"), "{text}");
}

#[test]
fn check_passes_on_a_clean_vault() {
    let vault = fixture("basic");
    touchbase(vault.path())
        .arg("check")
        .assert()
        .success()
        .stdout("no problems in 6 contacts\n");
}

#[test]
fn check_warns_about_undefined_stages_without_failing() {
    let vault = fixture("basic");
    fs::write(
        vault.path().join("people/vip.md"),
        "---\nname: V\nstage: vip\n---\n",
    )
    .unwrap();
    touchbase(vault.path())
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "people/vip.md: warning: stage \"vip\" is not defined",
        ));
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_a_problem() {
    use std::os::unix::fs::PermissionsExt;
    let vault = fixture("basic");
    let path = vault.path().join("people/anna-adams.md");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&path).is_ok() {
        // Running as root: permissions do not stop reading, so there is nothing to test.
        return;
    }
    let v = crate::due_json(vault.path());
    assert_eq!(v["problems"][0]["path"], "people/anna-adams.md");
    assert!(
        v["problems"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot read the file")
    );
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["name"] == "Ben Brown")
    );
}

#[test]
fn a_bad_config_is_an_error_naming_the_key_and_file() {
    let cases = [
        (
            "[agenda]\nhorizon = \"soon\"\n",
            "touchbase.toml:2: `agenda.horizon`: invalid duration \"soon\"",
        ),
        ("[cadence]\ndefualt = \"3w\"\n", "touchbase.toml:2:"),
        ("[cadence]\ndefualt = \"3w\"\n", "unknown field `defualt`"),
        ("ignore = [\"[\"]\n", "invalid `ignore` glob"),
    ];
    for (config, message) in cases {
        let vault = fixture("basic");
        fs::write(vault.path().join("touchbase.toml"), config).unwrap();
        touchbase(vault.path())
            .arg("due")
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message));
        assert!(!vault.path().join("DUE.md").exists());
    }
}
