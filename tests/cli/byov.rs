//! "Bring your own vault" (SPEC section 10) on three hand-written vaults in the styles people
//! already keep: an Obsidian `People/` folder with daily notes (`byov-people`), a personal-CRM
//! plugin's properties (`byov-crm`), and a CRM plugin with interaction notes
//! (`byov-interactions`). Every expected value is worked out by hand from the SPEC for today =
//! Tue 2026-11-24 (Upcoming runs to 2026-12-01). Default cadences: prospect 3w, lead 1w.

use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

use crate::{due_json, fixture, touchbase};

/// Every contact, as `list --json` shows it (sorted by name, not path), one line each:
/// `path: name, stage, N touches, last DATE CHANNEL, due DATE`.
fn contacts(vault: &Path) -> Vec<String> {
    let out = touchbase(vault).args(["list", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}: {}, {}, {} touches, last {}, due {}",
                r["path"].as_str().unwrap(),
                r["name"].as_str().unwrap(),
                r["stage"].as_str().unwrap(),
                r["touches"],
                last(&r["last_touch"]),
                r["due"].as_str().unwrap_or("-"),
            )
        })
        .collect()
}

/// The agenda's items in order, one line each:
/// `name: due DATE BUCKET (REASON), N touches, last DATE CHANNEL`.
fn items(vault: &Path) -> Vec<String> {
    due_json(vault)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{}: due {} {} ({}), {} touches, last {}",
                i["name"].as_str().unwrap(),
                i["due"].as_str().unwrap(),
                i["bucket"].as_str().unwrap(),
                i["reason"].as_str().unwrap(),
                i["touches"],
                last(&i["last_touch"]),
            )
        })
        .collect()
}

fn last(t: &Value) -> String {
    if t.is_null() {
        "-".to_string()
    } else {
        format!(
            "{} {}",
            t["date"].as_str().unwrap(),
            t["channel"].as_str().unwrap()
        )
    }
}

/// `touchbase check` succeeds and says exactly this (no problem, no warning).
fn assert_clean(vault: &Path, contacts: usize) {
    let out = touchbase(vault).arg("check").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout, format!("no problems in {contacts} contacts\n"));
}

// --- byov-people: `[contacts] folders = ["People"]`, `[touches] notes = true` ---------------

#[test]
fn people_folder_files_are_the_contacts_and_notes_that_link_them_are_touches() {
    let v = fixture("byov-people");
    assert_eq!(
        contacts(v.path()),
        [
            // met 2026-10-15 (touch 1, a meeting) and a checked task `- [x] sent [[Ana Ruiz]]`
            // in Daily/2026-11-20 (a task that is done is not an unchecked one).
            // cadence 1w: 11-20 + 7 = 11-27.
            "People/Ana Ruiz.md: Ana Ruiz, prospect, 2 touches, last 2026-11-20 other, due 2026-11-27",
            // No front matter at all: a contact only because it is under People/, named by its
            // stem. A path link `[[People/Bob Lee]]` (11-05), a Markdown link
            // `[Bob](../People/Bob%20Lee.md)` (11-09), and the meeting note of 11-10 that links
            // him twice (`people:` and its body): one touch, channel from its title ("Coffee").
            // 11-10 + 3w = 12-01.
            "People/Bob Lee.md: Bob Lee, prospect, 3 touches, last 2026-11-10 meeting, due 2026-12-01",
            // `[[Jane Doe]]` (11-02) and `[[Jane Doe|Jane]]` (11-09) count; an unchecked task and
            // a block quote (11-16), inline code and an embed `![[Jane Doe]]` (11-20) do not, nor
            // the undated Projects note. A daily note's stem names no channel: `other`.
            // 11-09 + 3w = 11-30.
            "People/Jane Doe.md: Jane Doe, prospect, 2 touches, last 2026-11-09 other, due 2026-11-30",
            // Named by its `# Priya Natarajan` heading, not its stem. Her heading
            // `## 2026-11-02 call` and Daily/2026-11-02's `[[priya|Priya]]` are one touch, and
            // the heading's channel wins. 11-02 + 3w = 11-23.
            "People/priya.md: Priya Natarajan, prospect, 1 touches, last 2026-11-02 call, due 2026-11-23",
            // `[[Rob Chen]]` (11-12) resolves through `aliases`; stage lead: 11-12 + 1w = 11-19.
            "People/Robert Chen.md: Robert Chen, lead, 1 touches, last 2026-11-12 other, due 2026-11-19",
            // Only an unchecked task, a fenced code block and the undated Projects note link him:
            // no touch, so he is new and due today.
            "People/Tom Baker.md: Tom Baker, prospect, 0 touches, last -, due 2026-11-24",
        ]
    );
}

#[test]
fn people_agenda() {
    let v = fixture("byov-people");
    assert_eq!(
        items(v.path()),
        [
            "Robert Chen: due 2026-11-19 overdue (cadence), 1 touches, last 2026-11-12 other",
            "Priya Natarajan: due 2026-11-23 overdue (cadence), 1 touches, last 2026-11-02 call",
            "Tom Baker: due 2026-11-24 today (new), 0 touches, last -",
            "Ana Ruiz: due 2026-11-27 upcoming (cadence), 2 touches, last 2026-11-20 other",
            "Jane Doe: due 2026-11-30 upcoming (cadence), 2 touches, last 2026-11-09 other",
            "Bob Lee: due 2026-12-01 upcoming (cadence), 3 touches, last 2026-11-10 meeting",
        ]
    );
}

#[test]
fn people_show_names_the_note_a_touch_comes_from() {
    let v = fixture("byov-people");
    let out = touchbase(v.path())
        .args(["show", "Bob Lee"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    for note in [
        "Daily/2026-11-05.md",
        "Daily/2026-11-09.md",
        "Meetings/2026-11-10 Coffee with Bob.md",
    ] {
        assert!(stdout.contains(note), "{note} not in:\n{stdout}");
    }
}

#[test]
fn people_check_is_clean() {
    // Projects/, Templates/ (one with `categories: [[People]]`, outside People/) and the
    // daily and meeting notes are notes, not contacts.
    assert_clean(fixture("byov-people").path(), 6);
}

/// `check` warns about a `link_keys` link that leads to no contact (a typo) or to several; the
/// note's other links still count, and warnings do not change the exit status.
#[test]
fn people_check_warns_about_a_link_key_that_leads_to_no_single_contact() {
    let v = fixture("byov-people");
    std::fs::write(
        v.path().join("Meetings/2026-11-18 Call.md"),
        "---\npeople: [\"[[Jane Do]]\", \"[[Bob Lee]]\"]\nwith: Ann\n---\nCall.\n",
    )
    .unwrap();
    std::fs::create_dir_all(v.path().join("People/Old")).unwrap();
    std::fs::write(v.path().join("People/Old/Ann.md"), "# Ann Old\n").unwrap();
    std::fs::write(v.path().join("People/Ann.md"), "# Ann New\n").unwrap();
    let out = touchbase(v.path()).arg("check").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(
        stdout,
        "Meetings/2026-11-18 Call.md:2: warning: people: \"Jane Do\" leads to no contact: the \
         touch is not counted\n\
         Meetings/2026-11-18 Call.md:3: warning: with: \"Ann\" could be any of People/Ann.md, \
         People/Old/Ann.md: link to one by its path; the touch is not counted\n\
         no problems in 8 contacts\n"
    );
    let bob: Vec<String> = contacts(v.path())
        .into_iter()
        .filter(|c| c.contains("Bob Lee"))
        .collect();
    assert_eq!(
        bob,
        ["People/Bob Lee.md: Bob Lee, prospect, 4 touches, last 2026-11-18 call, due 2026-12-09"]
    );
}

// --- byov-crm: `[fields]` maps a personal-CRM plugin's keys --------------------------------

#[test]
fn crm_fields_are_read_as_touchbase_keys() {
    let v = fixture("byov-crm");
    assert_eq!(
        contacts(v.path()),
        [
            // `next_contact_due: 2026-12-18` is a promise later than `last_contacted`
            // (10-20): it wins over monthly (which would say 11-20). Touches: first_met
            // 2025-05-06 and last_contacted.
            "contacts/david-kim.md: David Kim, client, 2 touches, last 2026-10-20 other, due 2026-12-18",
            // `stage: lead` beats `relationship_type: client`: lead 1w, 11-13 + 7 = 11-20
            // (client would be 6w: 12-25).
            "contacts/grace-liu.md: Grace Liu, lead, 1 touches, last 2026-11-13 other, due 2026-11-20",
            // A heading (11-03) after last_contacted (10-20): `last` is no extra touch, so the
            // two headings are all. fortnightly: 11-03 + 14d = 11-17.
            "contacts/henry-adams.md: Henry Adams, client, 2 touches, last 2026-11-03 call, due 2026-11-17",
            // twice-yearly = 6mo: 2026-06-01 + 6mo = 12-01. Touches: first_met, last_contacted.
            "contacts/linda-park.md: Linda Park, client, 2 touches, last 2026-06-01 other, due 2026-12-01",
            // first_met (2024), the heading (09-02), then last_contacted (10-20) with no heading
            // on or after it: 3 touches, the last `other`. monthly: 10-20 + 1mo = 11-20.
            "contacts/maria-gonzalez.md: Maria Gonzalez, client, 3 touches, last 2026-10-20 other, due 2026-11-20",
            // first_met only (a meeting): due met + 2d = 11-22.
            "contacts/nina-patel.md: Nina Patel, prospect, 1 touches, last 2026-11-20 meeting, due 2026-11-22",
            // `contact_cadence: 30` (a YAML number) is 30 days: 10-26 + 30d = 11-25.
            "contacts/omar-haddad.md: Omar Haddad, partner, 1 touches, last 2026-10-26 other, due 2026-11-25",
        ]
    );
}

#[test]
fn crm_agenda() {
    let v = fixture("byov-crm");
    assert_eq!(
        items(v.path()),
        [
            "Henry Adams: due 2026-11-17 overdue (cadence), 2 touches, last 2026-11-03 call",
            "Grace Liu: due 2026-11-20 overdue (cadence), 1 touches, last 2026-11-13 other",
            "Maria Gonzalez: due 2026-11-20 overdue (cadence), 3 touches, last 2026-10-20 other",
            "Nina Patel: due 2026-11-22 overdue (met), 1 touches, last 2026-11-20 meeting",
            "Omar Haddad: due 2026-11-25 upcoming (cadence), 1 touches, last 2026-10-26 other",
            "Linda Park: due 2026-12-01 upcoming (cadence), 2 touches, last 2026-06-01 other",
        ]
    );
}

#[test]
fn crm_birthday_of_a_mapped_client_is_listed_with_a_card() {
    let json = due_json(fixture("byov-crm").path());
    // Maria (1988-12-03) in 9 days; her stage comes from relationship_type (client, a card
    // stage), so mail the card 7 days ahead: 11-26. David's (04-12) is months away.
    let dates: Vec<String> = json["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {} {} in {} days, {} by {}",
                d["name"].as_str().unwrap(),
                d["label"].as_str().unwrap(),
                d["date"].as_str().unwrap(),
                d["in_days"],
                d["suggest"].as_str().unwrap_or("-"),
                d["mail_by"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        dates,
        ["Maria Gonzalez birthday 2026-12-03 in 9 days, card by 2026-11-26"]
    );
}

#[test]
fn crm_check_is_clean() {
    // The template's empty `name:` and the dataview dashboard are notes.
    assert_clean(fixture("byov-crm").path(), 7);
}

// --- byov-interactions: `match`/`skip` on `type`, interaction notes with `kind` -------------

#[test]
fn interactions_people_are_contacts_and_companies_deals_templates_are_not() {
    let v = fixture("byov-interactions");
    assert_eq!(
        contacts(v.path()),
        [
            // Her heading (10-28 email), the Pricing call (11-12, kind: call; `contacts:` and
            // body link count once) and Acme onsite (11-19, `date:` key, kind: meeting). The
            // deal that lists her has no date: no touch. `next: 2026-11-26 email` is pending.
            "People/Jane Doe.md: Jane Doe, prospect, 3 touches, last 2026-11-19 meeting, due 2026-11-26",
            // `type: person` and no `name`: a contact by `match`, named by its stem; no touches.
            "People/Kai Brandt.md: Kai Brandt, prospect, 0 touches, last -, due 2026-11-24",
            // Only a body link in Acme onsite (11-19, meeting). cadence 1w: 11-26.
            "People/Lee Wong.md: Lee Wong, prospect, 1 touches, last 2026-11-19 meeting, due 2026-11-26",
            // `type: [person, investor]` outside People/, no `name`: named by `# Rita Gomez`.
            // met 11-21 only: due 11-23.
            "Inbox/rita.md: Rita Gomez, prospect, 1 touches, last 2026-11-21 meeting, due 2026-11-23",
            // "Recap after the call" is `kind: email`: the key beats the title's "call".
            // Then the Pricing call (11-12). Stage lead: 11-12 + 1w = 11-19.
            "People/Sam Roe.md: Sam Roe, lead, 2 touches, last 2026-11-12 call, due 2026-11-19",
        ]
    );
}

#[test]
fn interactions_agenda() {
    let v = fixture("byov-interactions");
    assert_eq!(
        items(v.path()),
        [
            "Sam Roe: due 2026-11-19 overdue (cadence), 2 touches, last 2026-11-12 call",
            "Rita Gomez: due 2026-11-23 overdue (met), 1 touches, last 2026-11-21 meeting",
            "Kai Brandt: due 2026-11-24 today (new), 0 touches, last -",
            "Jane Doe: due 2026-11-26 upcoming (next), 3 touches, last 2026-11-19 meeting",
            "Lee Wong: due 2026-11-26 upcoming (cadence), 1 touches, last 2026-11-19 meeting",
        ]
    );
}

#[test]
fn interactions_check_is_clean() {
    // `skip` wins over `name`: no Acme Corp, Globex, deal or `{{title}}` template, and so no
    // warning about the deal's `stage: proposal`.
    assert_clean(fixture("byov-interactions").path(), 5);
}

/// `log` on a contact that is one by its folder and has no front matter: the touch and its
/// `Next:` line are added at the end, nothing else changes, and no front matter is made up.
#[test]
fn log_to_a_contact_without_front_matter_adds_the_touch_and_its_next_line() {
    let vault = fixture("byov-people");
    let path = vault.path().join("People/Bob Lee.md");
    let before = std::fs::read_to_string(&path).unwrap();
    touchbase(vault.path())
        .args(["log", "Bob Lee", "call", "went through the routes"])
        .args(["--next", "2026-12-03 email - the quote"])
        .assert()
        .success()
        // It says what it wrote: the `Next:` line, and no `next:` key it did not write.
        .stdout(predicates::str::contains(
            "People/Bob Lee.md: Next: 2026-12-03 email - the quote\n",
        ))
        .stdout(predicates::str::contains(": next: ").not());
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        after,
        format!(
            "{before}\n## 2026-11-24 call - went through the routes\nNext: 2026-12-03 email - the quote\n\n"
        )
    );
    let bob: Vec<String> = contacts(vault.path())
        .into_iter()
        .filter(|c| c.contains("Bob Lee"))
        .collect();
    // The promise is the `Next:` line of the latest touch (SPEC 5.2); the two touches from
    // notes are still there.
    assert_eq!(
        bob,
        ["People/Bob Lee.md: Bob Lee, prospect, 4 touches, last 2026-11-24 call, due 2026-12-03"]
    );
}

/// `log` on a contact whose promise and last contact are other tools' keys: those keys are
/// theirs and stay as they are; the new heading makes the mapped `last` date stop counting.
#[test]
fn log_leaves_other_tools_keys_alone() {
    let vault = fixture("byov-crm");
    let path = vault.path().join("contacts/david-kim.md");
    let before = std::fs::read_to_string(&path).unwrap();
    touchbase(vault.path())
        .args(["log", "David Kim", "email", "sent the renewal terms"])
        .assert()
        .success()
        .stdout(predicates::str::contains("removed").not());
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        after,
        format!("{before}\n## 2026-11-24 email - sent the renewal terms\n\n")
    );
    let david: Vec<String> = contacts(vault.path())
        .into_iter()
        .filter(|c| c.contains("David Kim"))
        .collect();
    // met (2025-05-06) and the new heading; last_contacted (2026-10-20) is before the heading,
    // so it no longer counts; next_contact_due is still pending.
    assert_eq!(
        david,
        [
            "contacts/david-kim.md: David Kim, client, 2 touches, last 2026-11-24 email, due 2026-12-18"
        ]
    );
}

/// `check --explain` on a contact without front matter and on a daily note.
#[test]
fn check_explain_says_why_and_from_where() {
    let vault = fixture("byov-people");
    let explain = |path: &str| crate::explain(vault.path(), path);
    let bob = explain("People/Bob Lee.md");
    assert!(
        bob.starts_with(
            "People/Bob Lee.md: a contact, because it is below People/ (contacts.folders)\n  \
             name: Bob Lee (from the file name)\n"
        ),
        "{bob}"
    );
    assert!(
        bob.contains(
            "    2026-11-10  coffee     from the note Meetings/2026-11-10 Coffee with Bob.md\n"
        ),
        "{bob}"
    );
    let priya = explain("People/priya.md");
    assert!(
        priya.contains("  name: Priya Natarajan (from the first heading)\n"),
        "{priya}"
    );
    let note = explain("Daily/2026-11-02.md");
    assert!(
        note.starts_with("Daily/2026-11-02.md: not a contact: its front matter has no `name`, it is not below People (contacts.folders)\n  a note dated 2026-11-02: one touch (other) for each of "),
        "{note}"
    );
    let template = explain("Templates/Person.md");
    assert!(template.contains("not a contact"), "{template}");
    // A path outside the vault is refused, and nothing there is read.
    touchbase(vault.path())
        .args(["check", "--explain", "/etc/passwd"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("is not inside the vault"));
}

/// A dated note whose only link is an embed is no touch, and `check --explain` says why.
#[test]
fn check_explain_says_why_a_dated_note_is_no_touch() {
    let vault = fixture("byov-people");
    std::fs::write(
        vault.path().join("Daily/2026-11-23.md"),
        "![[Jane Doe]]\n- [ ] call [[Bob Lee]]\n",
    )
    .unwrap();
    touchbase(vault.path())
        .args(["check", "--explain", "Daily/2026-11-23.md"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "  a note dated 2026-11-23, not a touch: none of its links counts (links in \
             unchecked tasks, quotes, code and embeds do not)\n",
        ));
}

/// `snooze` on a contact without front matter gives it a block of its own at the top; every
/// other byte stays, and the contact is snoozed.
#[test]
fn snooze_gives_a_contact_without_front_matter_a_block_of_its_own() {
    let vault = fixture("byov-people");
    let path = vault.path().join("People/Bob Lee.md");
    let before = std::fs::read_to_string(&path).unwrap();
    touchbase(vault.path())
        .args(["snooze", "Bob Lee", "2026-12-20"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("---\nsnooze: 2026-12-20\n---\n{before}")
    );
    let bob: Vec<String> = contacts(vault.path())
        .into_iter()
        .filter(|c| c.contains("Bob Lee"))
        .collect();
    assert_eq!(
        bob,
        [
            "People/Bob Lee.md: Bob Lee, prospect, 3 touches, last 2026-11-10 meeting, due 2026-12-20"
        ]
    );
}

/// `check` warns about a `contacts.folders` entry that is no folder (a typo, or the wrong case),
/// and `add` creates contacts in the first of `contacts.folders`.
#[test]
fn a_folder_that_is_not_there_is_a_warning_and_add_uses_the_first_folder() {
    let vault = fixture("byov-people");
    let config = vault.path().join("touchbase.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace(
            "folders = [\"People\"]",
            "folders = [\"People\", \"Clients\"]",
        ),
    )
    .unwrap();
    touchbase(vault.path())
        .arg("check")
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "touchbase.toml: warning: contacts.folders names \"Clients\", which is not a folder in the vault\n",
        ));
    touchbase(vault.path())
        .args(["add", "Nina Ross"])
        .assert()
        .success()
        .stdout(predicates::str::contains("created People/nina-ross.md"));
}

/// DUE.md of each hand-written vault, as a salesperson reads it (reviewed snapshots): the people
/// are there with the dates and reasons the tests above work out, from other tools' files as they
/// are.
#[test]
fn due_md_of_each_vault() {
    for name in ["byov-people", "byov-crm", "byov-interactions"] {
        let vault = fixture(name);
        touchbase(vault.path()).arg("due").assert().success();
        let due = std::fs::read_to_string(vault.path().join("DUE.md")).unwrap();
        insta::assert_snapshot!(format!("{name}_due"), due);
    }
}
