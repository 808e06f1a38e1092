//! Teams (SPEC 11): `--owner` and `TOUCHBASE_OWNER` on `due` and `list`, and the per-owner
//! agendas `agenda.per_owner` writes, on the `team` fixture: Tina Torres (two contacts, her
//! name spelt two ways), Sam Ortiz (two), José Núñez (one), and two contacts with no owner.

use std::fs;
use std::path::Path;

use crate::{fixture, pinned, touchbase};

/// The vault's top-level file names, sorted.
fn top_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Run touchbase with `args` on `vault`; it must succeed. Its stdout.
fn run(vault: &Path, args: &[&str]) -> String {
    let out = touchbase(vault).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The names of the follow-ups in `due --json` output.
fn item_names(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

fn list_names(vault: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["list", "--json"];
    all.extend_from_slice(args);
    let v: serde_json::Value = serde_json::from_str(&run(vault, &all)).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn due_writes_one_agenda_per_owner_beside_due_md() {
    let vault = fixture("team");
    let v = vault.path();
    let out = run(v, &["due"]);
    assert_eq!(
        out,
        "4 overdue, 1 today, 1 upcoming, 4 no next step, 2 going cold -> DUE.md\n\
         3 owner agendas -> DUE-<owner>.md (3 written)\n"
    );
    assert_eq!(
        top_files(v),
        [
            "DUE-jose-nunez.md",
            "DUE-sam-ortiz.md",
            "DUE-tina-torres.md",
            "DUE.md",
            "notes.md",
            "touchbase.toml"
        ]
    );
    let read = |name: &str| fs::read_to_string(v.join(name)).unwrap();
    insta::assert_snapshot!("team_due_tina_torres", read("DUE-tina-torres.md"));
    insta::assert_snapshot!("team_due_sam_ortiz", read("DUE-sam-ortiz.md"));
    insta::assert_snapshot!("team_due_jose_nunez", read("DUE-jose-nunez.md"));
    // Everyone's agenda is the one DUE.md always was: the same as without per_owner.
    let shared = read("DUE.md");
    fs::write(v.join("touchbase.toml"), "").unwrap();
    run(v, &["due"]);
    assert_eq!(read("DUE.md"), shared);
    // Each owner's file is what `due --owner --stdout` prints for them.
    fs::write(v.join("touchbase.toml"), "[agenda]\nper_owner = true\n").unwrap();
    for (owner, file) in [
        ("Tina Torres", "DUE-tina-torres.md"),
        ("SAM-ORTIZ", "DUE-sam-ortiz.md"),
        ("jose nunez", "DUE-jose-nunez.md"),
    ] {
        assert_eq!(run(v, &["due", "--stdout", "--owner", owner]), read(file));
    }
}

#[test]
fn a_second_due_rewrites_nothing() {
    let vault = fixture("team");
    let v = vault.path();
    run(v, &["due"]);
    let stamps = || -> Vec<(String, std::time::SystemTime, u64)> {
        use std::os::unix::fs::MetadataExt;
        top_files(v)
            .into_iter()
            .filter(|n| n.starts_with("DUE"))
            .map(|n| {
                let m = fs::metadata(v.join(&n)).unwrap();
                (n, m.modified().unwrap(), m.ino())
            })
            .collect()
    };
    let before = stamps();
    assert_eq!(before.len(), 4);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = run(v, &["due"]);
    assert!(
        out.ends_with(" -> DUE.md (unchanged)\n3 owner agendas -> DUE-<owner>.md (unchanged)\n"),
        "{out}"
    );
    assert_eq!(stamps(), before);
}

#[test]
fn due_owner_prints_that_owners_agenda_and_writes_everyones() {
    let vault = fixture("team");
    let v = vault.path();
    // Unassigned contacts (Frank Lee, and Gina Park's empty owner) are on every list.
    let json = run(v, &["due", "--json", "--owner", "Tína Torres"]);
    assert_eq!(item_names(&json), ["Ana Ruiz", "Frank Lee", "Bill King"]);
    let json = run(v, &["due", "--json", "--owner", "sam ortiz"]);
    assert_eq!(item_names(&json), ["Dev Patel", "Frank Lee", "Carla Diaz"]);
    let md = run(v, &["due", "--stdout", "--owner", "José Núñez"]);
    assert!(md.contains("[Emma Stone]"), "{md}");
    assert!(md.contains("[Gina Park]"), "{md}");
    assert!(!md.contains("[Ana Ruiz]"), "{md}");
    // Printing writes nothing.
    assert_eq!(top_files(v), ["notes.md", "touchbase.toml"]);

    // Without --stdout: every file is written as always; the line is the owner's.
    let out = run(v, &["due", "--owner", "tina torres"]);
    assert_eq!(
        out,
        "tina-torres: 2 overdue, 1 today, 0 upcoming, 2 no next step, 1 going cold \
         -> DUE-tina-torres.md\n"
    );
    let with_owner = fs::read_to_string(v.join("DUE.md")).unwrap();
    assert!(with_owner.contains("[Carla Diaz]"), "DUE.md is everyone's");
    // Without per_owner, the owner's line points at DUE.md, which holds their follow-ups.
    fs::write(v.join("touchbase.toml"), "").unwrap();
    let out = run(v, &["due", "--owner", "tina torres"]);
    assert!(
        out.starts_with("tina-torres: 2 overdue, 1 today, 0 upcoming")
            && out.ends_with(" -> DUE.md (unchanged)\n"),
        "{out}"
    );
    // An owner no contact names still has the unassigned ones.
    let json = run(v, &["due", "--json", "--owner", "Nobody Yet"]);
    assert_eq!(item_names(&json), ["Frank Lee"]);
}

#[test]
fn the_owner_comes_from_touchbase_owner_and_the_flag_wins() {
    let vault = fixture("team");
    let v = vault.path();
    let names = |env: &str, args: &[&str]| {
        let out = touchbase(v)
            .env("TOUCHBASE_OWNER", env)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        item_names(&names("Sam Ortiz", &["due", "--json"])),
        ["Dev Patel", "Frank Lee", "Carla Diaz"]
    );
    assert_eq!(
        item_names(&names(
            "Sam Ortiz",
            &["due", "--json", "--owner", "tina-torres"]
        )),
        ["Ana Ruiz", "Frank Lee", "Bill King"]
    );
    let listed: serde_json::Value =
        serde_json::from_str(&names("José Núñez", &["list", "--json"])).unwrap();
    let listed: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["Emma Stone", "Frank Lee", "Gina Park"]);
}

#[test]
fn an_owner_name_with_no_letter_or_digit_is_refused_and_an_empty_one_is_everyone() {
    let vault = fixture("team");
    for args in [
        &["due", "--owner=--"][..],
        &["due", "--owner", "!!!"][..],
        &["list", "--owner", "?"][..],
    ] {
        let out = touchbase(vault.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("names nobody"), "{args:?}: {err}");
    }
    assert_eq!(top_files(vault.path()), ["notes.md", "touchbase.toml"]);
    // An empty name is no owner: `TOUCHBASE_OWNER=` clears the variable.
    let out = touchbase(vault.path())
        .env("TOUCHBASE_OWNER", "")
        .args(["due", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(item_names(&String::from_utf8(out.stdout).unwrap()).len(), 6);
}

#[test]
fn list_owner_uses_the_same_rule_as_due() {
    let vault = fixture("team");
    let v = vault.path();
    assert_eq!(
        list_names(v, &["--owner", "TINA TORRES"]),
        ["Ana Ruiz", "Bill King", "Frank Lee", "Gina Park"]
    );
    assert_eq!(
        list_names(v, &["--owner", "sam-ortiz"]),
        ["Carla Diaz", "Dev Patel", "Frank Lee", "Gina Park"]
    );
    assert_eq!(
        list_names(v, &["--owner", "Tina", "--stage", "lead"]),
        ["Frank Lee"]
    );
    assert_eq!(list_names(v, &[]).len(), 7);
}

#[test]
fn an_owners_agenda_is_removed_when_no_contact_has_that_owner() {
    let vault = fixture("team");
    let v = vault.path();
    run(v, &["due"]);
    // A user's own file of that name pattern is never removed; nor one in another folder.
    fs::write(v.join("DUE-zoe.md"), "My list for Zoe\n").unwrap();
    fs::create_dir(v.join("archive")).unwrap();
    let old = fs::read(v.join("DUE-jose-nunez.md")).unwrap();
    fs::write(v.join("archive/DUE-jose-nunez.md"), &old).unwrap();
    // Emma Stone passes from José to Sam.
    let emma = v.join("contacts/emma-stone.md");
    let text = fs::read_to_string(&emma).unwrap();
    fs::write(&emma, text.replace("owner: José Núñez", "owner: Sam Ortiz")).unwrap();
    let out = run(v, &["due"]);
    assert!(
        out.ends_with(
            "2 owner agendas -> DUE-<owner>.md (1 written)\n\
             removed DUE-jose-nunez.md: no contact has its owner\n"
        ),
        "{out}"
    );
    assert_eq!(
        top_files(v),
        [
            "DUE-sam-ortiz.md",
            "DUE-tina-torres.md",
            "DUE-zoe.md",
            "DUE.md",
            "notes.md",
            "touchbase.toml"
        ]
    );
    assert!(
        fs::read_to_string(v.join("DUE-sam-ortiz.md"))
            .unwrap()
            .contains("[Emma Stone]")
    );
    assert_eq!(fs::read(v.join("archive/DUE-jose-nunez.md")).unwrap(), old);
    assert_eq!(
        fs::read_to_string(v.join("DUE-zoe.md")).unwrap(),
        "My list for Zoe\n"
    );
}

#[test]
fn owner_agendas_are_never_read_as_contacts() {
    let vault = fixture("team");
    let v = vault.path();
    // Every Markdown file at the top is a contact: the agendas would be, if they were read.
    fs::write(
        v.join("touchbase.toml"),
        "[agenda]\nper_owner = true\n[contacts]\nfolders = [\"contacts\", \".\"]\n",
    )
    .unwrap();
    run(v, &["due"]);
    assert!(v.join("DUE-tina-torres.md").exists());
    // A file of an owner agenda's name, even one a user wrote, is not read either.
    fs::write(v.join("DUE-zoe.md"), "---\nname: Zoe Zed\n---\n").unwrap();
    let names = list_names(v, &[]);
    assert!(!names.iter().any(|n| n.starts_with("DUE")), "{names:?}");
    assert!(!names.contains(&"Zoe Zed".to_string()), "{names:?}");
    assert!(names.contains(&"Ana Ruiz".to_string()), "{names:?}");
    // A name no owner agenda could have is read as ever.
    fs::write(v.join("DUE-Notes.md"), "---\nname: Nora Notes\n---\n").unwrap();
    assert!(list_names(v, &[]).contains(&"Nora Notes".to_string()));
    // And a second run still changes nothing.
    run(v, &["due"]);
    let out = run(v, &["due"]);
    assert!(out.ends_with("(unchanged)\n"), "{out}");
}

#[test]
fn init_and_git_setup_mark_owner_agendas_generated() {
    let dir = tempfile::TempDir::new().unwrap();
    let v = dir.path().join("v");
    let git = |args: &[&str]| {
        let out = pinned("git", dir.path()).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "-q", "-b", "main", "v"]);
    let out = pinned(env!("CARGO_BIN_EXE_touchbase"), &v)
        .args(["init", "."])
        .output()
        .unwrap();
    assert!(out.status.success());
    let attributes = fs::read_to_string(v.join(".gitattributes")).unwrap();
    assert!(
        attributes.contains("\n/DUE-*.md linguist-generated=true\n"),
        "{attributes}"
    );
    let attr = git(&[
        "-C",
        "v",
        "check-attr",
        "merge",
        "linguist-generated",
        "--",
        "DUE-tina-torres.md",
        "contacts/DUE-tina-torres.md",
    ]);
    assert_eq!(
        attr,
        "DUE-tina-torres.md: merge: ours\n\
         DUE-tina-torres.md: linguist-generated: true\n\
         contacts/DUE-tina-torres.md: merge: touchbase\n\
         contacts/DUE-tina-torres.md: linguist-generated: unspecified\n"
    );
}

#[test]
fn watch_owner_writes_every_agenda_and_prints_the_owners_line() {
    use std::io::{BufRead, BufReader};
    let vault = fixture("team");
    let v = vault.path();
    let mut child = pinned(env!("CARGO_BIN_EXE_touchbase"), v)
        .env("TOUCHBASE_OWNER", "Sam Ortiz")
        .arg("--vault")
        .arg(v)
        .args(["--today", crate::TODAY, "watch", "--debounce", "100ms"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        first.contains(": sam-ortiz: 2 overdue, 0 today, 1 upcoming,")
            && first.contains(" -> DUE-sam-ortiz.md in "),
        "{first}"
    );
    assert_eq!(
        top_files(v),
        [
            "DUE-jose-nunez.md",
            "DUE-sam-ortiz.md",
            "DUE-tina-torres.md",
            "DUE.md",
            "notes.md",
            "touchbase.toml"
        ]
    );
}

#[test]
fn a_users_file_in_an_owners_place_is_kept_and_reported_and_the_rest_written() {
    let vault = fixture("team");
    let v = vault.path();
    fs::write(v.join("DUE-sam-ortiz.md"), "Sam's own notes\n").unwrap();
    let out = touchbase(v).arg("due").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("DUE-sam-ortiz.md exists and was not generated by touchbase"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(v.join("DUE-sam-ortiz.md")).unwrap(),
        "Sam's own notes\n"
    );
    assert!(v.join("DUE.md").exists());
    assert!(v.join("DUE-jose-nunez.md").exists());
    assert!(v.join("DUE-tina-torres.md").exists());
}

/// An owner no contact names (a first name typed for a full one) gets a warning naming the
/// owners: their agenda would hold only the unassigned contacts.
#[test]
fn an_owner_no_contact_names_is_a_warning_that_names_the_owners() {
    let vault = fixture("team");
    for args in [
        &["due", "--owner", "sam", "--stdout"][..],
        &["list", "--owner", "sam"][..],
    ] {
        touchbase(vault.path())
            .args(args)
            .assert()
            .success()
            .stderr(predicates::str::contains(
                "warning: no contact has the owner \"sam\", so this is only the contacts with no \
                 owner; the owners are: jose-nunez, sam-ortiz, tina-torres",
            ));
    }
    touchbase(vault.path())
        .args(["list", "--owner", "Sam Ortiz"])
        .assert()
        .success()
        .stderr("");
}
