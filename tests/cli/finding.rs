//! Finding a contact from the command line (SPEC 8): folding, files, aliases, ambiguity.

use std::fs;

use predicates::prelude::*;

use crate::touchbase;

#[test]
fn a_touch_never_lands_on_a_guessed_contact() {
    let vault = tempfile::TempDir::new().unwrap();
    let v = vault.path();
    fs::create_dir_all(v.join("contacts")).unwrap();
    fs::write(
        v.join("contacts/zoë-obrien.md"),
        "---\nname: Zoë O’Brien\naliases: [The Boss]\n---\n",
    )
    .unwrap();
    fs::write(
        v.join("contacts/marco-rossi.md"),
        "---\nname: Marco Rossi\n---\n",
    )
    .unwrap();
    for q in [
        "zoe obrien",
        "the boss",
        "contacts/zoë-obrien.md",
        "zoë-obrien.md",
    ] {
        touchbase(v)
            .args(["show", q])
            .assert()
            .success()
            .stdout(predicate::str::contains("Zoë O’Brien"));
    }
    touchbase(v)
        .args(["show", "marco-rossi.md"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Marco Rossi"));
    // A near-duplicate is created with a warning, and from then on `zoe` is ambiguous.
    touchbase(v)
        .args(["add", "Zoe OBrien"])
        .assert()
        .success()
        .stderr(predicate::str::contains("already has the name Zoë O’Brien"));
    let before = fs::read(v.join("contacts/zoë-obrien.md")).unwrap();
    touchbase(v)
        .args(["log", "zoe", "call"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("\"zoe\" matches 2 contacts")
                .and(predicate::str::contains(
                    "Zoe OBrien (contacts/zoe-obrien.md)",
                ))
                .and(predicate::str::contains(
                    "Zoë O’Brien (contacts/zoë-obrien.md)",
                )),
        );
    assert_eq!(fs::read(v.join("contacts/zoë-obrien.md")).unwrap(), before);
    touchbase(v)
        .args(["log", "", "call"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no contact given"));
    touchbase(v)
        .args(["show", "marko"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the closest names are\n  Marco Rossi (contacts/marco-rossi.md)",
        ));
}

#[test]
fn a_file_reachable_by_two_paths_is_one_contact() {
    let vault = tempfile::TempDir::new().unwrap();
    let v = vault.path();
    fs::create_dir_all(v.join("contacts")).unwrap();
    fs::create_dir_all(v.join("real")).unwrap();
    fs::create_dir_all(v.join("archive")).unwrap();
    fs::write(v.join("real/link-target.md"), "---\nname: Lt Target\n---\n").unwrap();
    fs::write(v.join("archive/old.md"), "---\nname: Old Friend\n---\n").unwrap();
    fs::write(v.join("touchbase.toml"), "ignore = [\"archive/**\"]\n").unwrap();
    std::os::unix::fs::symlink("../real/link-target.md", v.join("contacts/lt.md")).unwrap();
    std::os::unix::fs::symlink("../archive/old.md", v.join("contacts/old.md")).unwrap();
    let json = crate::due_json(v);
    let paths: Vec<&str> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    // The real file's path; a link into an ignored place is read under its own name.
    assert_eq!(paths, vec!["real/link-target.md", "contacts/old.md"]);
    touchbase(v)
        .args(["show", "lt target"])
        .assert()
        .success()
        .stdout(predicate::str::contains("real/link-target.md"));
}

/// `touchbase` run from `dir`, with no `--vault` and no `TOUCHBASE_VAULT`.
fn touchbase_in(dir: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("touchbase").unwrap();
    cmd.current_dir(dir)
        .env_remove("TOUCHBASE_VAULT")
        .env("TOUCHBASE_CACHE_DIR", crate::cache_dir())
        .args(["--today", crate::TODAY]);
    cmd
}

#[test]
fn the_vault_is_found_upward_and_never_guessed() {
    let outer = tempfile::TempDir::new().unwrap();
    let vault = outer.path().join("vault");
    fs::create_dir_all(vault.join("contacts/deep")).unwrap();
    fs::write(vault.join("touchbase.toml"), "").unwrap();
    fs::write(vault.join("contacts/ann.md"), "---\nname: Ann\n---\n").unwrap();
    touchbase_in(&vault.join("contacts/deep"))
        .arg("due")
        .assert()
        .success();
    assert!(
        vault.join("DUE.md").exists(),
        "the agenda goes to the vault's root"
    );
    assert!(!vault.join("contacts/deep/DUE.md").exists());
    // A folder with no touchbase.toml anywhere above it is not scanned.
    let loose = outer.path().join("notes");
    fs::create_dir_all(&loose).unwrap();
    fs::write(loose.join("bob.md"), "---\nname: Bob\n---\n").unwrap();
    touchbase_in(&loose).arg("due").assert().code(1).stderr(
        predicate::str::contains("run `touchbase init`").and(predicate::str::contains("--vault")),
    );
    assert!(!loose.join("DUE.md").exists());
}
