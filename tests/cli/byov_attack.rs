//! "Bring your own vault" (SPEC 10) under attack: hostile notes and settings, and the agenda
//! kept by the cache and by `watch` compared with a run that reads every file.

use std::fs;
use std::path::Path;

use crate::watch::{Watcher, poll};
use crate::{explain, fixture, fresh_agenda, touchbase};

#[test]
fn explain_says_why_with_the_whole_vault_as_the_contacts_folder() {
    let dir = tempfile::TempDir::new().unwrap();
    let v = dir.path();
    fs::write(v.join("touchbase.toml"), "[contacts]\nfolders = [\".\"]\n").unwrap();
    fs::create_dir_all(v.join("sub")).unwrap();
    fs::write(v.join("jd.md"), "# Jane Doe\n").unwrap();
    fs::write(v.join("sub/x.md"), "# Sub Person\n").unwrap();
    for path in ["jd.md", "sub/x.md"] {
        let text = explain(v, path);
        // No front matter at all: it is a contact because of the folder rule.
        assert!(
            text.starts_with(&format!(
                "{path}: a contact, because every file in the vault is (contacts.folders"
            )),
            "{text}"
        );
    }
}

#[test]
fn explain_names_the_vault_folder_as_dot() {
    let v = fixture("byov-people");
    // Run from the vault: `.` is then the vault's own folder.
    let out = touchbase(v.path())
        .current_dir(v.path())
        .args(["check", "--explain", "."])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        ".: not read: touchbase reads Markdown files (*.md) only\n"
    );
}

/// An edit made to the vault.
type Step<'a> = Box<dyn Fn() + 'a>;

/// Watch keeps DUE.md equal to a fresh `due --stdout` through note and contact edits, renames
/// and removals that change where links lead.
#[test]
fn watch_agrees_with_a_fresh_run_through_note_and_contact_edits() {
    let v = fixture("byov-people");
    let v = v.path();
    let watcher = Watcher::start(v);
    let same = |what: &str| {
        poll(what, || {
            fs::read_to_string(v.join("DUE.md")).unwrap_or_default() == fresh_agenda(v)
        });
    };
    same("the first agenda");
    let people = v.join("People");
    let daily = v.join("Daily");
    let steps: Vec<(&str, Step)> = vec![
        (
            "a note edited to link Tom",
            Box::new(|| {
                let mut t = fs::read_to_string(daily.join("2026-11-02.md")).unwrap();
                t.push_str("\nLunch with [[Tom Baker]].\n");
                fs::write(daily.join("2026-11-02.md"), t).unwrap();
            }),
        ),
        (
            "a note renamed to another day",
            Box::new(|| {
                fs::rename(daily.join("2026-11-09.md"), daily.join("2026-11-19.md")).unwrap();
            }),
        ),
        (
            "a note deleted",
            Box::new(|| fs::remove_file(daily.join("2026-11-05.md")).unwrap()),
        ),
        (
            "a contact renamed away from the links to it",
            Box::new(|| {
                fs::rename(people.join("Jane Doe.md"), people.join("Janet Doe.md")).unwrap();
            }),
        ),
        (
            "a contact given the old name as an alias",
            Box::new(|| {
                let p = people.join("Tom Baker.md");
                let t = fs::read_to_string(&p).unwrap();
                let t = t.replacen("---\n", "---\naliases: [Jane Doe]\n", 1);
                fs::write(&p, t).unwrap();
            }),
        ),
        (
            "a note re-dated and a contact renamed at once",
            Box::new(|| {
                let n = daily.join("2026-11-02.md");
                let t = fs::read_to_string(&n).unwrap();
                fs::write(&n, format!("---\ndate: 2026-11-18\n---\n{t}")).unwrap();
                fs::rename(people.join("Bob Lee.md"), people.join("Robert Lee.md")).unwrap();
            }),
        ),
        (
            "the notes' folder renamed",
            Box::new(|| fs::rename(&daily, v.join("Journal")).unwrap()),
        ),
        (
            "the contacts' folder renamed out of contacts.folders",
            Box::new(|| fs::rename(&people, v.join("Persons")).unwrap()),
        ),
        (
            "the contacts' folder back",
            Box::new(|| fs::rename(v.join("Persons"), &people).unwrap()),
        ),
        (
            "touches from notes turned off, a folder of contacts added",
            Box::new(|| {
                let config = "[contacts]\nfolders = [\"People\", \"Journal\"]\n";
                fs::write(v.join("touchbase.toml"), config).unwrap();
            }),
        ),
        (
            "the notes' folder removed",
            Box::new(|| fs::remove_dir_all(v.join("Journal")).unwrap()),
        ),
    ];
    for (what, step) in steps {
        step();
        same(what);
    }
    drop(watcher);
}

/// The same hostile vault written in two file orders gives byte-identical DUE.md and JSON,
/// with and without the parse cache, across runs.
#[test]
fn hostile_notes_give_the_same_agenda_whatever_the_order_and_the_cache() {
    let files: &[(&str, &str)] = &[
        (
            "touchbase.toml",
            "[contacts]\nfolders = [\"People\"]\n[touches]\nnotes = true\n",
        ),
        ("People/Jane.md", "---\naliases: [JD, Sam]\n---\n"),
        (
            "Other/People/Jane.md",
            "---\nname: Jane Two\naliases: [Sam]\n---\n",
        ),
        ("People/Bob.md", "# Robert\n\n## 2026-11-10 call\n"),
        // Two notes on one day for Jane: the first by path wins; Bob's heading wins his day.
        ("N/2026-11-10 b lunch.md", "[[JD]] [[Bob]]\n"),
        ("N/2026-11-10 a email.md", "[[People/Jane]] [[Robert]]\n"),
        // Ambiguous, escaping the vault, to itself, to the agenda, control characters,
        // percent escapes that are not UTF-8, an unclosed link, links in a quote and a task.
        (
            "N/2026-11-12.md",
            "[[Sam]] [x](../../etc/passwd.md) [[2026-11-12]] [[DUE]] [[Ja\u{1}ne]] \
             [y](%FF%FE.md) [z](People%2FBob.md) [w](People/Jane%00.md) [[Outside]] [[Jane\n\
             > [[Bob]]\n- [ ] [[Bob]]\n",
        ),
        (
            "N/2026-11-14.md",
            "---\npeople: [\"[[Bob]]\", \"[[Nobody]]\"]\nkind: \"[[Call]]\"\n---\n",
        ),
    ];
    // A contact outside the vault, linked into its contacts folder: never read.
    let outside = tempfile::TempDir::new().unwrap();
    fs::write(
        outside.path().join("Outside.md"),
        "---\nname: Outside\n---\n",
    )
    .unwrap();
    let make = |order: &mut dyn Iterator<Item = &(&str, &str)>| {
        let dir = tempfile::TempDir::new().unwrap();
        for (path, text) in order {
            let p = dir.path().join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        std::os::unix::fs::symlink(
            outside.path().join("Outside.md"),
            dir.path().join("People/Outside.md"),
        )
        .unwrap();
        dir
    };
    let runs = |v: &Path| -> Vec<String> {
        let mut out = Vec::new();
        for cache in [false, true, true] {
            for args in [["due", "--stdout"], ["due", "--json"]] {
                let mut cmd = touchbase(v);
                if !cache {
                    cmd.arg("--no-cache");
                }
                let o = cmd.args(args).output().unwrap();
                assert!(o.status.success(), "{o:?}");
                out.push(String::from_utf8(o.stdout).unwrap());
            }
        }
        out
    };
    let a = make(&mut files.iter());
    let b = make(&mut files.iter().rev());
    let (ra, rb) = (runs(a.path()), runs(b.path()));
    assert_eq!(ra, rb);
    for r in &ra[2..] {
        assert!(ra[..2].contains(r), "a run with the cache differs:\n{r}");
    }
    // What the notes make, worked out by hand: Jane's 11-10 touch is the email note's
    // (first by path); Bob's 11-10 is his own call; 11-14 is a call for Bob.
    let out = touchbase(a.path())
        .args(["list", "--json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let last = |name: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .map(|i| i["last_touch"].to_string())
            .unwrap_or_default()
    };
    assert_eq!(last("Robert"), r#"{"channel":"call","date":"2026-11-14"}"#);
    assert_eq!(json.as_array().unwrap().len(), 3, "{json}");
    assert_eq!(last("Jane"), r#"{"channel":"email","date":"2026-11-10"}"#);
}

/// A contact by `contacts.folders` may be an empty file: `log` writes its first touch (it
/// refused, taking the empty file for an editor's save in progress).
#[test]
fn log_writes_to_an_empty_contact_file() {
    let dir = tempfile::TempDir::new().unwrap();
    let v = dir.path();
    fs::write(
        v.join("touchbase.toml"),
        "[contacts]\nfolders = [\"People\"]\n",
    )
    .unwrap();
    fs::create_dir_all(v.join("People")).unwrap();
    let file = fs::File::create(v.join("People/Empty One.md")).unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    file.set_modified(hour_ago).unwrap();
    drop(file);
    let out = touchbase(v)
        .args(["log", "Empty One", "call", "first call"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        fs::read_to_string(v.join("People/Empty One.md")).unwrap(),
        "## 2026-11-24 call - first call\n\n"
    );
}

/// `due` with the parse cache equals `due --no-cache` after each edit: a note edited, a
/// contact renamed so that links resolve elsewhere, an alias added, a note renamed.
#[test]
fn the_cache_agrees_with_a_fresh_run_after_each_edit() {
    let v = fixture("byov-people");
    let v = v.path();
    let both = |what: &str| {
        // Files changed in the last 3 seconds are not stored: wait, so the cache is used.
        std::thread::sleep(std::time::Duration::from_millis(3100));
        for args in [["due", "--stdout"], ["due", "--json"]] {
            let cached = touchbase(v).args(args).output().unwrap();
            let fresh = touchbase(v).arg("--no-cache").args(args).output().unwrap();
            assert!(cached.status.success() && fresh.status.success(), "{what}");
            assert_eq!(
                String::from_utf8_lossy(&cached.stdout),
                String::from_utf8_lossy(&fresh.stdout),
                "{what}: {args:?}"
            );
        }
    };
    both("the vault as it is");
    let daily = v.join("Daily/2026-11-02.md");
    let text = fs::read_to_string(&daily).unwrap();
    fs::write(&daily, format!("{text}\nLunch with [[Tom Baker]].\n")).unwrap();
    both("a note edited");
    fs::rename(v.join("People/Jane Doe.md"), v.join("People/Janet Doe.md")).unwrap();
    let tom = v.join("People/Tom Baker.md");
    let text = fs::read_to_string(&tom).unwrap();
    fs::write(
        &tom,
        text.replacen("---\n", "---\naliases: [Jane Doe]\n", 1),
    )
    .unwrap();
    both("a contact renamed, its old name an alias of another");
    fs::rename(v.join("Daily/2026-11-09.md"), v.join("Daily/2026-11-19.md")).unwrap();
    both("a note renamed to another day");
}

/// `attendees: "[[Jane]], [[Bob]]"` (two links typed into one text property) is a touch for
/// each; it was read as one link to a contact named `Jane]], [[Bob`.
#[test]
fn a_link_key_text_with_several_links_touches_each_contact() {
    let dir = tempfile::TempDir::new().unwrap();
    let v = dir.path();
    let files = [
        (
            "touchbase.toml",
            "[contacts]\nfolders = [\"People\"]\n[touches]\nnotes = true\n",
        ),
        ("People/Jane.md", "# Jane\n"),
        ("People/Bob.md", "# Bob\n"),
        (
            "N/2026-11-05 meeting.md",
            "---\nattendees: \"[[Jane]], [[Bob]]\"\n---\n",
        ),
    ];
    for (path, text) in files {
        fs::create_dir_all(v.join(path).parent().unwrap()).unwrap();
        fs::write(v.join(path), text).unwrap();
    }
    let out = touchbase(v).args(["list", "--json"]).output().unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2, "{rows}");
    for row in rows.as_array().unwrap() {
        assert_eq!(
            row["last_touch"].to_string(),
            r#"{"channel":"meeting","date":"2026-11-05"}"#,
            "{row}"
        );
    }
    let check = touchbase(v).arg("check").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        "no problems in 2 contacts\n"
    );
}

/// `categories: "[[People]], [[Friends]]"` (two wikilinks in one text) holds `[[People]]` for
/// `contacts.match`, in the agenda and in `check --explain`.
#[test]
fn a_match_value_among_several_wikilinks_in_one_text_marks_a_contact() {
    let dir = tempfile::TempDir::new().unwrap();
    let v = dir.path();
    let config = "[contacts]\nmatch = { categories = \"[[People]]\" }\n";
    fs::write(v.join("touchbase.toml"), config).unwrap();
    let jane = "---\ncategories: \"[[People]], [[Friends]]\"\n---\n# Jane Roe\n";
    fs::write(v.join("jane.md"), jane).unwrap();
    let out = touchbase(v).args(["list", "--json"]).output().unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["name"], "Jane Roe", "{rows}");
    assert!(
        explain(v, "jane.md").starts_with(
            "jane.md: a contact, because its `categories` is \"people\" (contacts.match)"
        ),
        "{}",
        explain(v, "jane.md")
    );
}

/// `log --next` on a contact without front matter (named by its heading, CRLF, no final line
/// break) adds the touch and its `Next:` line, keeps every other byte, and does not claim to
/// have set a `next:` key it could not set.
#[test]
fn log_next_on_a_contact_without_front_matter() {
    let dir = tempfile::TempDir::new().unwrap();
    let v = dir.path();
    fs::write(
        v.join("touchbase.toml"),
        "[contacts]\nfolders = [\"People\"]\n",
    )
    .unwrap();
    fs::create_dir_all(v.join("People")).unwrap();
    let before = "# Jane Doe\r\n\r\nSome notes\r\nno line break at the end";
    fs::write(v.join("People/jd.md"), before).unwrap();
    let out = touchbase(v)
        .args([
            "log",
            "Jane Doe",
            "call",
            "talked",
            "--next",
            "2026-12-05 email - send",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let after = fs::read_to_string(v.join("People/jd.md")).unwrap();
    assert_eq!(
        after,
        format!(
            "{before}\r\n\r\n## 2026-11-24 call - talked\r\nNext: 2026-12-05 email - send\r\n\r\n"
        )
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().take(3).collect();
    assert_eq!(
        lines[..2],
        [
            "People/jd.md: ## 2026-11-24 call - talked",
            "People/jd.md: Next: 2026-12-05 email - send",
        ]
    );
    assert!(!stdout.contains("People/jd.md: next:"), "{stdout}");
}
