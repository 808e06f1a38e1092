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
