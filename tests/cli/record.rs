//! `log`, `add`, `show`, `init`: exact bytes after an edit, and every refusal.

use std::fs;
use std::path::Path;

use predicates::prelude::*;

use crate::touchbase;

fn vault_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    for (path, bytes) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    dir
}

fn read(vault: &Path, path: &str) -> String {
    fs::read_to_string(vault.join(path)).unwrap()
}

/// (what the file is, its bytes, the `log` arguments, the bytes expected after)
const TRICKY: &[(&str, &str, &[&str], &str)] = &[
    (
        "CRLF line endings and a BOM",
        "\u{feff}---\r\nname: Cora\r\n---\r\n# Cora\r\n\r\n## 2026-11-01 call\r\nnotes\r\n",
        &[
            "cora",
            "email",
            "sent",
            "the",
            "deck",
            "--note",
            "She liked it.",
        ],
        "\u{feff}---\r\nname: Cora\r\n---\r\n# Cora\r\n\r\n## 2026-11-01 call\r\nnotes\r\n\r\n## 2026-11-24 email - sent the deck\r\nShe liked it.\r\n\r\n",
    ),
    (
        "no final newline",
        "---\nname: Nat\n---\n## 2026-11-01 call\nlast line",
        &["nat", "call"],
        "---\nname: Nat\n---\n## 2026-11-01 call\nlast line\n\n## 2026-11-24 call\n\n",
    ),
    (
        "front matter with comments, odd spacing and an old next step",
        "---\n# who\nname:    Fay   # the boss\nnext:   2026-11-20 call # overdue\n\ntags: [ a,b ]\n---\n## 2026-11-01 call\n",
        &[
            "fay",
            "call",
            "--next",
            "2026-12-01 meeting - lunch with the team",
        ],
        "---\n# who\nname:    Fay   # the boss\nnext: 2026-12-01 meeting - lunch with the team\n\ntags: [ a,b ]\n---\n## 2026-11-01 call\n\n## 2026-11-24 call\nNext: 2026-12-01 meeting - lunch with the team\n\n",
    ),
    (
        "a newest-first log at level 3",
        "---\nname: Ned\n---\n# Ned\n\nIntro.\n\n### 2026-11-10 call\nb\n\n### 2026-11-01 email\na\n",
        &["ned", "lunch", "talked", "budgets"],
        "---\nname: Ned\n---\n# Ned\n\nIntro.\n\n### 2026-11-24 lunch - talked budgets\n\n### 2026-11-10 call\nb\n\n### 2026-11-01 email\na\n",
    ),
    (
        "an oldest-first log followed by another section",
        "---\nname: Olga\n---\n## 2026-11-01 email\na\n## 2026-11-10 call\nb\n\n## Family\nTwo kids.\n",
        &["olga", "card", "birthday", "card"],
        "---\nname: Olga\n---\n## 2026-11-01 email\na\n## 2026-11-10 call\nb\n\n## 2026-11-24 card - birthday card\n\n## Family\nTwo kids.\n",
    ),
    (
        "a fenced code block holding a dated heading",
        "---\nname: Cody\n---\n## 2026-11-01 call\n\n```\n## 2026-11-30 call - not a touch\n```\n",
        &["cody", "text"],
        "---\nname: Cody\n---\n## 2026-11-01 call\n\n```\n## 2026-11-30 call - not a touch\n```\n\n## 2026-11-24 text\n\n",
    ),
];

#[test]
fn log_changes_only_what_it_means_to() {
    for (what, before, args, after) in TRICKY {
        let vault = vault_with(&[("c.md", before.as_bytes())]);
        touchbase(vault.path())
            .arg("log")
            .args(*args)
            .assert()
            .success();
        let got = fs::read(vault.path().join("c.md")).unwrap();
        assert_eq!(String::from_utf8(got).unwrap(), *after, "{what}");
    }
}

#[test]
fn log_prints_what_it_wrote_and_the_new_due_date() {
    let vault = vault_with(&[("jane.md", b"---\nname: Jane Doe\n---\n## 2026-11-01 call\n")]);
    touchbase(vault.path())
        .args([
            "log",
            "jane",
            "coffee",
            "talked",
            "boats",
            "--next",
            "2026-12-01 call - send pricing",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "jane.md: ## 2026-11-24 coffee - talked boats",
        ))
        .stdout(predicate::str::contains(
            "Jane Doe: due Tue 1 Dec 2026 (in 7 days): next step: call - send pricing · touch #3",
        ));
}

#[test]
fn log_refusals_name_the_problem_and_change_nothing() {
    let original = "---\nname: Jane Doe\n---\n## 2026-11-01 call\n";
    // What was typed cannot be read: a usage error (exit 2). A contact that cannot be found: 1.
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["jane", "emial"],
            2,
            "unknown channel \"emial\": did you mean \"email\"?",
        ),
        (&["jane", "cal"], 2, "call: call, called, phone, voicemail"),
        (&["jane", "cal"], 2, "[channels] in touchbase.toml"),
        (
            &["jane", "call", "--date", "2026-11-25"],
            2,
            "is after today",
        ),
        (&["jane", "call", "--next", "soon"], 2, "is not a next step"),
        (
            &["jane", "call", "--next", "2026-11-20 call"],
            2,
            "is not after the touch",
        ),
        (
            &["nobody", "call"],
            1,
            "no contact matches \"nobody\"; the closest names are\n  ",
        ),
        (
            &["jane doe x", "call"],
            1,
            "the closest names are\n  Jane Doe (jane.md)",
        ),
        (
            &["j", "call"],
            1,
            "\"j\" matches 2 contacts:\n  Jane Doe (jane.md)\n  Jim Beam (jim.md)",
        ),
    ];
    for (args, code, message) in cases {
        let vault = vault_with(&[
            ("jane.md", original.as_bytes()),
            ("jim.md", b"---\nname: Jim Beam\n---\n"),
        ]);
        touchbase(vault.path())
            .arg("log")
            .args(*args)
            .assert()
            .code(*code)
            .stderr(predicate::str::contains(*message));
        assert_eq!(read(vault.path(), "jane.md"), original, "{args:?}");
    }
}

#[test]
fn log_refuses_to_write_into_an_unclosed_code_block() {
    let original = "---\nname: Una\n---\n## 2026-11-01 call\n\n```\nunclosed fence\n";
    let vault = vault_with(&[("una.md", original.as_bytes())]);
    touchbase(vault.path())
        .args(["log", "una", "call"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("would not be read as a touch"));
    assert_eq!(read(vault.path(), "una.md"), original);
}

#[test]
fn add_creates_a_contact_that_is_due_for_a_first_follow_up() {
    let vault = vault_with(&[]);
    touchbase(vault.path())
        .args(["add", "Zoë O'Neil", "--stage", "lead", "--company", "Acme: Labs", "--email", "zoe@acme.example"])
        .args(["--interest", "chess", "--interest", "jazz piano"])
        .assert()
        .success()
        .stdout("created contacts/zoë-oneil.md\nZoë O'Neil: due Thu 26 Nov 2026 (in 2 days): first follow-up since you met on 2026-11-24 · touch #2 · try: call\n");
    assert_eq!(
        read(vault.path(), "contacts/zoë-oneil.md"),
        "---\nname: Zoë O'Neil\nstage: lead\ncompany: \"Acme: Labs\"\nemail: zoe@acme.example\nmet: 2026-11-24\ninterests:\n  - chess\n  - jazz piano\n---\n# Zoë O'Neil\n\n"
    );
    let v = crate::due_json(vault.path());
    assert_eq!(v["items"][0]["reason"], "met");
}

#[test]
fn add_never_overwrites_and_never_leaves_the_vault() {
    let vault = vault_with(&[("contacts/jane-doe.md", b"---\nname: Jane\n---\nmine\n")]);
    touchbase(vault.path())
        .args(["add", "Jane Doe"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "touchbase: error: contacts/jane-doe.md already exists",
        ));
    assert_eq!(
        read(vault.path(), "contacts/jane-doe.md"),
        "---\nname: Jane\n---\nmine\n"
    );
    // Path tricks in the name become part of a safe file name inside the folder.
    touchbase(vault.path())
        .args(["add", "../../etc/passwd"])
        .assert()
        .success();
    assert!(vault.path().join("contacts/etc-passwd.md").exists());
    touchbase(vault.path())
        .args(["add", "/abs/path"])
        .assert()
        .success();
    assert!(vault.path().join("contacts/abs-path.md").exists());
    touchbase(vault.path())
        .args(["add", "bell\u{7}name"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("control character"));
    // A folder setting that leaves the vault is a config error.
    fs::write(
        vault.path().join("touchbase.toml"),
        "[add]\nfolder = \"../elsewhere\"\n",
    )
    .unwrap();
    touchbase(vault.path())
        .args(["add", "Eve"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`add.folder`"));
}

#[test]
fn add_warns_about_the_same_name_or_email() {
    let vault = vault_with(&[(
        "people/j.md",
        b"---\nname: Jane Doe\nemail: JANE@x.example\n---\n",
    )]);
    touchbase(vault.path())
        .args(["add", "Jane Doe", "--email", "jane@x.example"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: people/j.md already has the name Jane Doe",
        ))
        .stderr(predicate::str::contains(
            "warning: people/j.md already has the email JANE@x.example",
        ));
}

#[test]
fn add_uses_the_configured_folder_and_template() {
    let template = "---\n# from the template\ncadence: 2w\n---\n# {{name}}\n\nAdded on {{date}}.\n";
    let vault = vault_with(&[
        (
            "touchbase.toml",
            b"[add]\nfolder = \"people/new\"\ntemplate = \"templates/person.md\"\nignore = []\n"
                .as_slice(),
        ),
        ("templates/person.md", template.as_bytes()),
    ]);
    // `ignore` belongs at the top level: the misplaced key is an error naming it.
    touchbase(vault.path())
        .args(["add", "Ann"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("ignore"));
    fs::write(
        vault.path().join("touchbase.toml"),
        "ignore = [\"templates/**\"]\n[add]\nfolder = \"people/new\"\ntemplate = \"templates/person.md\"\n",
    )
    .unwrap();
    touchbase(vault.path())
        .args(["add", "Ann", "--met", "2026-11-20 at the fair"])
        .assert()
        .success();
    assert_eq!(
        read(vault.path(), "people/new/ann.md"),
        "---\n# from the template\ncadence: 2w\nname: Ann\nmet: 2026-11-20 at the fair\n---\n# Ann\n\nAdded on 2026-11-24.\n"
    );
}

#[test]
fn show_prints_the_card_and_the_timeline_newest_first() {
    let vault = crate::sample_vault();
    let out = touchbase(vault.path())
        .args(["show", "jane"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let expected_start =
        "Jane Doe · Acme Realty\ncontacts/jane-doe.md\nstage: prospect · cadence: 3w\n";
    assert!(text.starts_with(expected_start), "{text}");
    assert!(
        text.contains("next step: 2026-12-01 call - send the pricing sheet\n"),
        "{text}"
    );
    assert!(text.contains("due Tue 1 Dec 2026 (in 7 days): next step: call - send the pricing sheet · touch #4 · something personal: New York Yankees\n"), "{text}");
    assert!(
        text.ends_with("3 touches (newest first):\n  2026-11-20  call       went through the proposal\n  2026-11-02  coffee\n  2026-10-02  met        Chamber of Commerce mixer\n"),
        "{text}"
    );
}

#[test]
fn init_creates_a_working_vault_and_never_overwrites() {
    let dir = tempfile::TempDir::new().unwrap();
    let vault = dir.path().join("my-vault");
    touchbase(&vault).arg("init").arg(&vault).assert().success();
    for f in [
        "touchbase.toml",
        "example-contact.md",
        ".gitignore",
        ".gitattributes",
    ] {
        assert!(vault.join(f).is_file(), "{f}");
    }
    assert!(vault.join("contacts").is_dir());
    assert_eq!(fs::read_dir(vault.join("contacts")).unwrap().count(), 0);
    touchbase(&vault)
        .arg("check")
        .assert()
        .success()
        .stdout("no problems in 1 contact\n");
    touchbase(&vault)
        .arg("due")
        .assert()
        .success()
        .stdout("0 overdue, 0 today, 1 upcoming -> DUE.md\n");
    // A second init changes nothing.
    fs::write(vault.join("touchbase.toml"), "# mine\n").unwrap();
    touchbase(&vault)
        .arg("init")
        .arg(&vault)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "already a touchbase vault: nothing to add",
        ));
    assert_eq!(
        fs::read_to_string(vault.join("touchbase.toml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn init_in_an_existing_notes_folder_adds_only_what_is_missing() {
    let dir = tempfile::TempDir::new().unwrap();
    let notes = dir.path();
    fs::write(notes.join(".gitignore"), "node_modules/\n.touchbase.lock").unwrap();
    fs::write(notes.join("ann.md"), "---\nname: Ann\n---\n").unwrap();
    let before = fs::read(notes.join("ann.md")).unwrap();
    touchbase(notes)
        .arg("init")
        .arg(notes)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("added to").and(predicate::str::contains(
                "touchbase.toml, 2 lines to .gitignore, .gitattributes",
            )),
        );
    // A folder of notes keeps its layout: no `contacts/` until `add` needs one.
    assert!(!notes.join("contacts").exists());
    let ignore = fs::read_to_string(notes.join(".gitignore")).unwrap();
    assert!(
        ignore.starts_with("node_modules/\n.touchbase.lock\n# Added by touchbase init\n"),
        "{ignore}"
    );
    assert!(
        ignore.contains(".*.touchbase-tmp\n") && ignore.contains(".obsidian/workspace*.json\n")
    );
    assert_eq!(ignore.matches(".touchbase.lock").count(), 1, "{ignore}");
    assert!(
        !notes.join("example-contact.md").exists(),
        "no example in a folder of notes"
    );
    assert_eq!(fs::read(notes.join("ann.md")).unwrap(), before);
}

/// Two machines sync a vault through git. One logs a touch; the other edits the previous entry.
/// The blank line `log` leaves after each entry keeps the two changes apart, so git merges them.
#[test]
fn an_appended_touch_merges_cleanly_with_an_edit_to_the_previous_entry() {
    use std::process::Command;
    let git = |dir: &Path, args: &[&str]| {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let root = tempfile::TempDir::new().unwrap();
    let a = root.path().join("a");
    fs::create_dir_all(&a).unwrap();
    fs::write(a.join("jo.md"), "---\nname: Jo\n---\n# Jo\n").unwrap();
    git(&a, &["init", "-q"]);
    // The previous entry, written by touchbase as well.
    touchbase(&a)
        .args([
            "log",
            "jo",
            "call",
            "first",
            "--date",
            "2026-11-10",
            "--note",
            "old note",
        ])
        .assert()
        .success();
    git(&a, &["add", "-A"]);
    git(&a, &["commit", "-qm", "first"]);
    git(root.path(), &["clone", "-q", "a", "b"]);
    let b = root.path().join("b");

    // Machine A logs a new touch.
    touchbase(&a)
        .args(["log", "jo", "email", "second"])
        .assert()
        .success();
    git(&a, &["commit", "-qam", "second"]);
    // Machine B fixes the previous entry's note.
    let text = fs::read_to_string(b.join("jo.md"))
        .unwrap()
        .replace("old note", "corrected note");
    fs::write(b.join("jo.md"), text).unwrap();
    git(&b, &["commit", "-qam", "fix"]);

    git(
        &b,
        &["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"],
    );
    let merged = fs::read_to_string(b.join("jo.md")).unwrap();
    assert_eq!(
        merged,
        "---\nname: Jo\n---\n# Jo\n\n## 2026-11-10 call - first\ncorrected note\n\n## 2026-11-24 email - second\n\n"
    );
}

#[test]
fn the_same_touch_can_be_logged_twice_in_a_day() {
    let vault = vault_with(&[("vi.md", b"---\nname: Vi\n---\n")]);
    touchbase(vault.path())
        .args(["log", "vi", "voicemail"])
        .assert()
        .success();
    // The very same touch again is most likely a command run twice: it needs --again.
    touchbase(vault.path())
        .args(["log", "vi", "voicemail"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("already has this touch")
                .and(predicate::str::contains("--again")),
        );
    assert_eq!(
        read(vault.path(), "vi.md"),
        "---\nname: Vi\n---\n## 2026-11-24 voicemail\n\n"
    );
    // Two voicemails on one day are real.
    touchbase(vault.path())
        .args(["log", "vi", "voicemail", "--again"])
        .assert()
        .success();
    // Another call that day with other words: kept, with a note.
    touchbase(vault.path())
        .args(["log", "vi", "call", "she", "called", "back"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "already had a call touch on 2026-11-24",
        ));
    assert_eq!(
        read(vault.path(), "vi.md"),
        "---\nname: Vi\n---\n## 2026-11-24 voicemail\n\n## 2026-11-24 voicemail\n\n## 2026-11-24 call - she called back\n\n"
    );
}

#[test]
fn unreadable_values_given_to_add_are_usage_errors() {
    let vault = vault_with(&[]);
    for (args, message) in [
        (
            &["add", "Ann", "--met", "soon"][..],
            "must start with a date",
        ),
        (
            &["add", "Ann", "--met", "2026-12-01 fair"][..],
            "is after today",
        ),
        (&["add", "   "][..], "must be non-empty"),
    ] {
        touchbase(vault.path())
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
    assert!(!vault.path().join("contacts").exists());
}

#[test]
fn dates_may_be_typed_as_people_say_them_and_the_file_gets_the_date() {
    // Today is Tuesday 24 November 2026.
    let vault = vault_with(&[("jane.md", b"---\nname: Jane Doe\n---\n")]);
    touchbase(vault.path())
        .args([
            "log",
            "jane",
            "call",
            "--date",
            "yesterday",
            "--next",
            "fri email - send it",
        ])
        .assert()
        .success();
    let text = read(vault.path(), "jane.md");
    assert!(text.contains("\n## 2026-11-23 call\n"), "{text}");
    assert!(
        text.contains("next: 2026-11-27 email - send it\n"),
        "{text}"
    );
    touchbase(vault.path())
        .args([
            "log",
            "jane",
            "email",
            "--date",
            "last fri",
            "--next",
            "in 2 weeks call",
        ])
        .assert()
        .success();
    let text = read(vault.path(), "jane.md");
    assert!(text.contains("\n## 2026-11-20 email\n"), "{text}");
    assert!(text.contains("next: 2026-12-08 call\n"), "{text}");
    touchbase(vault.path())
        .args(["add", "Omar Ortiz", "--met", "last fri Chamber mixer"])
        .assert()
        .success();
    let omar = read(vault.path(), "contacts/omar-ortiz.md");
    assert!(omar.contains("met: 2026-11-20 Chamber mixer\n"), "{omar}");
    touchbase(vault.path())
        .args(["log", "jane", "call", "--date", "someday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--date \"someday\" is not a date: use YYYY-MM-DD, today",
        ));
}

#[test]
fn snooze_sets_the_date_with_the_safe_edit_and_keeps_every_other_byte() {
    let original =
        "---\r\nname: Jane Doe\r\n# a comment\r\nstage: lead\r\n---\r\n## 2026-11-01 call\r\n";
    let vault = vault_with(&[("jane.md", original.as_bytes())]);
    touchbase(vault.path())
        .args(["snooze", "jane", "in", "2", "weeks"])
        .assert()
        .success()
        .stdout(predicate::str::contains("jane.md: snooze: 2026-12-08"));
    assert_eq!(
        read(vault.path(), "jane.md"),
        original.replace("stage: lead\r\n", "stage: lead\r\nsnooze: 2026-12-08\r\n")
    );
    let json = crate::due_json(vault.path());
    assert_eq!(
        json["items"].as_array().unwrap().len(),
        0,
        "not due before the 8th"
    );
    // Again: the date is replaced, not added.
    touchbase(vault.path())
        .args(["snooze", "jane", "2026-12-20"])
        .assert()
        .success();
    let text = read(vault.path(), "jane.md");
    assert_eq!(text.matches("snooze:").count(), 1, "{text}");
    assert!(text.contains("snooze: 2026-12-20\r\n"), "{text}");
    for (date, message) in [
        ("someday", "is not a date"),
        ("yesterday", "is not after today"),
    ] {
        touchbase(vault.path())
            .args(["snooze", "jane", date])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn any_channel_word_is_logged_as_typed_but_typos_are_caught() {
    let vault = vault_with(&[("jane.md", b"---\nname: Jane Doe\n---\n")]);
    for word in ["Coffee", "golf", "skype", "other"] {
        touchbase(vault.path())
            .args(["log", "jane", word, "x", "--date", "2026-11-20"])
            .assert()
            .success();
        let text = read(vault.path(), "jane.md");
        assert!(
            text.contains(&format!("## 2026-11-20 {word} - x\n")),
            "{text}"
        );
    }
    touchbase(vault.path())
        .args(["log", "jane", "cal", "--as-typed"])
        .assert()
        .success();
    assert!(read(vault.path(), "jane.md").contains("## 2026-11-24 cal\n"));
    touchbase(vault.path()).arg("check").assert().success();
}

#[test]
fn a_next_step_keeps_its_time_and_its_channel() {
    let vault = vault_with(&[
        ("jane.md", b"---\nname: Jane Doe\n---\n"),
        (
            "obs.md",
            b"---\nname: Obsidian Olga\nnext: 2026-11-25T09:00\n---\n## 2026-11-01 call\n",
        ),
        (
            "tee.md",
            b"---\nname: Tee Time\n---\n## 2026-11-20T14:30 coffee - talked\n",
        ),
    ]);
    touchbase(vault.path())
        .args([
            "log",
            "jane",
            "email",
            "--next",
            "tomorrow 10:00 call - demo",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("next step: call at 10:00 - demo"));
    assert!(read(vault.path(), "jane.md").contains("next: 2026-11-25 10:00 call - demo\n"));
    let json = crate::due_json(vault.path());
    let items = json["items"].as_array().unwrap();
    let next = &items.iter().find(|i| i["name"] == "Jane Doe").unwrap()["next"];
    assert_eq!(next["channel"], "call", "{json}");
    assert_eq!(next["time"], "10:00");
    assert_eq!(next["text"], "demo");
    assert_eq!(json["problems"].as_array().unwrap().len(), 0, "{json}");
    // A `T` time in a heading: a touch on that date.
    touchbase(vault.path())
        .args(["show", "tee"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 touch").and(predicate::str::contains("talked")));
    touchbase(vault.path()).arg("due").assert().success();
    let due = read(vault.path(), "DUE.md");
    assert!(due.contains("next step: call at 10:00 - demo"), "{due}");
    assert!(
        due.contains("[Obsidian Olga]") && due.contains("next step: at 09:00"),
        "{due}"
    );
}

#[test]
fn list_shows_every_contact_one_line_each_sorted_by_name() {
    let vault = vault_with(&[
        (
            "b.md",
            b"---\nname: Zed Zane\nstage: client\ntags: [vip]\nowner: Sam\n---\n## 2026-11-20 call\n",
        ),
        (
            "a.md",
            b"---\nname: \xc3\x89mile Aubert\nstage: lead\n---\n",
        ),
        (
            "c.md",
            b"---\nname: bob brown\nstage: Client\ncadence: never\n---\n## 2026-11-02 email\n",
        ),
    ]);
    let out = touchbase(vault.path()).arg("list").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.split("  ").next().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["name", "bob brown", "Émile Aubert", "Zed Zane"],
        "{text}"
    );
    assert!(text.contains("2026-11-20 call"), "{text}");
    assert!(text.contains("not scheduled"), "{text}");
    let json = |args: &[&str]| -> serde_json::Value {
        let out = touchbase(vault.path())
            .arg("list")
            .args(args)
            .arg("--json")
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let names = |v: serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(json(&["--stage", "client"])),
        vec!["bob brown", "Zed Zane"]
    );
    assert_eq!(names(json(&["--tag", "VIP"])), vec!["Zed Zane"]);
    // Contacts with no owner are on everyone's list.
    assert_eq!(
        names(json(&["--owner", "sam"])),
        vec!["bob brown", "Émile Aubert", "Zed Zane"]
    );
    assert_eq!(
        names(json(&["--owner", "bea"])),
        vec!["bob brown", "Émile Aubert"]
    );
    let all = json(&[]);
    assert_eq!(all[2]["due"], "2027-01-01", "a client: every 6 weeks");
    assert_eq!(all[2]["touches"], 1);
}

#[test]
fn names_without_letters_get_their_own_files_and_show_says_no_touches() {
    let vault = vault_with(&[]);
    for name in ["🎉🎉", "🌊"] {
        touchbase(vault.path())
            .args(["add", name])
            .assert()
            .success();
    }
    assert!(
        vault
            .path()
            .join("contacts/contact-1f389-1f389.md")
            .exists()
    );
    assert!(vault.path().join("contacts/contact-1f30a.md").exists());
    std::fs::write(vault.path().join("new.md"), "---\nname: Newt\n---\n").unwrap();
    touchbase(vault.path())
        .args(["show", "newt"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with("\nno touches yet\n"));
}

#[test]
fn a_touch_that_keeps_the_promise_removes_next_unless_told_to_keep_it() {
    let original = "---\nname: Pam Promise\nnext: 2026-11-30 call - demo\nstage: lead\n---\n## 2026-11-01 email\n";
    let vault = vault_with(&[("pam.md", original.as_bytes())]);
    // An email does not keep a promised call.
    touchbase(vault.path())
        .args(["log", "pam", "email", "sent the deck"])
        .assert()
        .success();
    assert!(read(vault.path(), "pam.md").contains("next: 2026-11-30 call - demo\n"));
    // --keep-next keeps it even through the promised channel.
    touchbase(vault.path())
        .args(["log", "pam", "call", "left a message", "--keep-next"])
        .assert()
        .success();
    assert!(read(vault.path(), "pam.md").contains("next: 2026-11-30 call - demo\n"));
    // A call keeps the promise: the line goes, and log says so.
    touchbase(vault.path())
        .args(["log", "pam", "phone", "demo done"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "removed `next: 2026-11-30 call - demo`",
        ));
    let text = read(vault.path(), "pam.md");
    assert!(!text.contains("next:"), "{text}");
    assert!(
        text.starts_with("---\nname: Pam Promise\nstage: lead\n---\n"),
        "{text}"
    );
}

#[test]
fn obsidian_date_and_time_properties_are_read() {
    let vault = vault_with(&[(
        "o.md",
        b"---\nname: Olive Obs\nmet: 2026-10-02T18:30 Chamber mixer\nsnooze: 2026-12-01T09:00\n---\n## 2026-10-20 call\n",
    )]);
    let json = crate::due_json(vault.path());
    assert_eq!(json["problems"].as_array().unwrap().len(), 0, "{json}");
    touchbase(vault.path())
        .args(["show", "olive"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("snoozed")
                .and(predicate::str::contains("Tue 1 Dec 2026"))
                .and(predicate::str::contains("met        Chamber mixer")),
        );
}

#[test]
fn help_covers_every_option_and_a_stage_typo_is_caught() {
    let vault = vault_with(&[]);
    for args in [
        &["help", "--help"][..],
        &["help", "add"][..],
        &["add", "--help"][..],
    ] {
        touchbase(vault.path()).args(args).assert().success();
    }
    let out = touchbase(vault.path())
        .args(["help", "add"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("Usage: touchbase add"), "{help}");
    for option in [
        "--stage",
        "--company",
        "--email",
        "--phone",
        "--met",
        "--interest",
    ] {
        let line = help
            .lines()
            .position(|l| l.trim_start().starts_with(option))
            .unwrap();
        let described = help
            .lines()
            .nth(line + 1)
            .is_some_and(|l| !l.trim().is_empty());
        assert!(described, "{option} has no description:\n{help}");
    }
    assert!(help.contains("Global options:"), "{help}");
    // --stage lists this vault's stages, its own included.
    fs::write(
        vault.path().join("touchbase.toml"),
        "[cadence.stages]\nvip = \"1w\"\n",
    )
    .unwrap();
    for args in [&["add", "--help"][..], &["help", "add"][..]] {
        let out = touchbase(vault.path()).args(args).output().unwrap();
        assert!(out.status.success());
        // Help text wraps: compare with its white space folded.
        let text = String::from_utf8(out.stdout).unwrap();
        let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(folded.contains("prospect, vip (this vault's)"), "{text}");
    }
    fs::remove_file(vault.path().join("touchbase.toml")).unwrap();
    touchbase(vault.path())
        .args(["add", "Lee", "--stage", "leed"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"lead\"?"));
    touchbase(vault.path())
        .args(["add", "Lee", "--stage", "zzzzzz"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown stage \"zzzzzz\": The stages are client, lead, lost",
        ));
    assert!(!vault.path().join("contacts").exists());
}

#[test]
fn show_lists_each_promise_and_whether_it_was_kept() {
    let contact = "---\nname: Pat Promise\nnext: 2026-11-20 email - the contract\n---\n\
## 2026-09-01 call\nNext: 2026-09-08 call - the numbers\n\
## 2026-09-07 call - went through the numbers\nNext: 2026-09-20 meeting\n\
## 2026-09-25 meeting - late, but met\nNext: 2026-10-01 call\n\
## 2026-10-01 email - wrote instead\nNext: 2026-11-01 - send the proposal\n\
## 2026-10-30 text - proposal sent\nNext: 2026-11-10 call\n";
    let vault = vault_with(&[("pat.md", contact.as_bytes())]);
    let out = touchbase(vault.path())
        .args(["show", "pat"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = [
        "promises: 2 kept, 2 broken, 2 open",
        "  2026-09-08 call - the numbers: kept: call on 2026-09-07 (agreed 2026-09-01)",
        "  2026-09-20 meeting: broken: meeting on 2026-09-25 (5 days late) (agreed 2026-09-07)",
        "  2026-10-01 call: broken: email on 2026-10-01 (by email instead) (agreed 2026-09-25)",
        "  2026-11-01 - send the proposal: kept: text on 2026-10-30 (agreed 2026-10-01)",
        "  2026-11-10 call: not kept yet: 14 days overdue (agreed 2026-10-30)",
        "  2026-11-20 email - the contract: not kept yet: 4 days overdue (set in the front matter)",
    ]
    .join("\n");
    assert!(text.contains(&expected), "{text}");
}
