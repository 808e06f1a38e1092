//! `touchbase import FILE`: vCard 2.1/3.0/4.0, Google Contacts CSV (current and legacy),
//! LinkedIn Connections.csv; idempotence, --dry-run, spreading over working days, --all-now,
//! bad records with line numbers.

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use tempfile::TempDir;

use super::{fixture, snapshot_files, touchbase};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// A file outside the vault, in a folder of its own.
fn outside(name: &str, content: &[u8]) -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, content).unwrap();
    (dir, path)
}

fn read(vault: &TempDir, rel: &str) -> String {
    fs::read_to_string(vault.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The created contact files (under `contacts/`), sorted.
fn created(vault: &TempDir) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(vault.path().join("contacts"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn android_vcard_2_1_quoted_printable_utf8() {
    let v = fixture("basic");
    touchbase(v.path())
        .args(["import"])
        .arg(sample("android-2.1.vcf"))
        .assert()
        .success()
        .stdout(predicate::str::contains("2 contacts created"));
    assert_eq!(
        read(&v, "contacts/jürgen-müller.md"),
        "---\nname: Jürgen Müller\nstage: lead\ncompany: Müller Bau GmbH\n\
         email: juergen@example.de\nphone: +49 170 1234567\nmet: 2026-11-24\n\
         birthday: 1979-03-14\nother_emails:\n  - j.mueller@firma.example\n\
         other_phones:\n  - +49 30 9876543\n---\n# Jürgen Müller\n\n\
         Kennt uns von der Messe.\n\nMag Fußball, will im Frühjahr neu bauen.\n\n"
    );
    assert!(read(&v, "contacts/yuki-sato.md").contains("phone: +81 90 1111 2222\n"));
}

#[test]
fn apple_vcard_3_0_with_item_groups_folding_and_a_bad_card() {
    let v = fixture("basic");
    touchbase(v.path())
        .args(["import"])
        .arg(sample("apple-3.0.vcf"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("1 contact created"))
        .stdout(predicate::str::contains("1 bad"))
        .stderr(predicate::str::contains(
            "apple-3.0.vcf:22: a vCard with no name",
        ));
    assert_eq!(
        read(&v, "contacts/zoë-obrien.md"),
        "---\nname: Zoë O’Brien\nstage: lead\ncompany: Harbour Lights Realty\n\
         email: zoe@harbourlights.example\nphone: (555) 010-2233\nmet: 2026-11-24\n\
         title: Broker\nbirthday: 04-12\nlinkedin: http://www.linkedin.com/in/zoeobrien\n\
         url: https://harbourlights.example/zoe\n\
         tags:\n  - realtor\n  - referral\nother_emails:\n  - zoe.obrien@mail.example\n\
         ---\n# Zoë O’Brien\n\n\
         Met at the spring open house, wants a quote for the new office. Prefers mornings.\n\n"
    );
}

#[test]
fn vcard_4_0_with_anniversary_and_linkedin_url() {
    let v = fixture("basic");
    touchbase(v.path())
        .args(["import", "--stage", "prospect"])
        .arg(sample("v4.vcf"))
        .assert()
        .success();
    assert_eq!(
        read(&v, "contacts/ana-lima.md"),
        "---\nname: Ana Lima\nstage: prospect\ncompany: Lima Arquitetura\n\
         email: ana@lima.example\nphone: +55-11-5555-0101\nmet: 2026-11-24\ntitle: Partner\n\
         birthday: 1985-04-12\nlinkedin: https://www.linkedin.com/in/analima\n\
         dates:\n  anniversary: 2012-09-08\n---\n# Ana Lima\n\n"
    );
    // The file reads back without a problem.
    touchbase(v.path())
        .args(["check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("no problems in 7 contacts"));
}

#[test]
fn google_csv_with_custom_labels() {
    let v = fixture("basic");
    touchbase(v.path())
        .args(["import"])
        .arg(sample("google.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Google Contacts CSV: 2 contacts created",
        ));
    assert_eq!(
        read(&v, "contacts/priya-raman.md"),
        "---\nname: Priya Raman\nstage: lead\ncompany: Raman Foods\n\
         email: priya@ramanfoods.example\nphone: +1 555 010 3344\nmet: 2026-11-24\n\
         title: Owner\nbirthday: 07-02\nurl: https://ramanfoods.example\n\
         tags:\n  - Caterers\n  - Trade show 2026\nother_emails:\n  - priya.r@mail.example\n\
         ---\n# Priya Raman\n\nCatering lead, call after 3pm\n\n"
    );
    assert!(read(&v, "contacts/tom-q-baker.md").starts_with(
        "---\nname: Tom Q. Baker\nstage: lead\nemail: tom@baker.example\nmet: 2026-11-24\n\
         birthday: 1980-01-31\n---\n"
    ));
}

#[test]
fn legacy_google_csv() {
    let v = fixture("basic");
    touchbase(v.path())
        .args(["import"])
        .arg(sample("google-legacy.csv"))
        .assert()
        .success();
    assert_eq!(
        read(&v, "contacts/carla-gómez.md"),
        "---\nname: Carla Gómez\nstage: lead\ncompany: Gómez y Asociados\n\
         email: carla@gomez.example\nphone: +34 600 111 222\nmet: 2026-11-24\n\
         title: Abogada\nbirthday: 1990-05-20\ntags:\n  - Friends\n\
         other_emails:\n  - carla.work@gomez.example\n---\n# Carla Gómez\n\n\
         Old friend from college\n\n"
    );
}

#[test]
fn linkedin_csv_with_preamble_empty_names_and_a_bad_date() {
    let v = fixture("basic");
    // The format is told by the content: no .csv extension needed.
    let (_dir, file) = outside(
        "connections-export.txt",
        &fs::read(sample("Connections.csv")).unwrap(),
    );
    touchbase(v.path())
        .args(["import"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "LinkedIn CSV: 2 contacts created; first follow-ups today; 0 already there; \
             1 skipped (no name); 1 bad",
        ))
        .stderr(predicate::str::contains(
            "connections-export.txt:8: \"Connected On\" 31 Feb 2025 is not a date",
        ));
    assert_eq!(
        read(&v, "contacts/dana-whitfield.md"),
        "---\nname: Dana Whitfield\nstage: lead\ncompany: Northwind Traders\n\
         met: 2026-06-15\ntitle: VP Sales\nlinkedin: https://www.linkedin.com/in/danawhitfield\n\
         snooze: 2026-11-24\n---\n# Dana Whitfield\n\n"
    );
    assert_eq!(created(&v), ["dana-whitfield.md", "omar-haddad.md"]);
    // Connected in June, but due today, not "160 days overdue".
    let json = crate::due_json(v.path());
    let dana = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "Dana Whitfield")
        .unwrap()
        .clone();
    assert_eq!(dana["bucket"], "today", "{dana}");
}

#[test]
fn a_second_import_creates_nothing_and_existing_contacts_are_never_overwritten() {
    let v = fixture("basic");
    for f in ["Connections.csv", "google.csv", "apple-3.0.vcf"] {
        touchbase(v.path())
            .arg("import")
            .arg(sample(f))
            .output()
            .unwrap();
    }
    let before = snapshot_files(v.path());
    touchbase(v.path())
        .args(["import"])
        .arg(sample("Connections.csv"))
        .assert()
        .stdout(predicate::str::contains("0 contacts created"))
        .stdout(predicate::str::contains("2 already there"));
    touchbase(v.path())
        .args(["import"])
        .arg(sample("google.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "0 contacts created; 2 already there",
        ));
    assert_eq!(snapshot_files(v.path()), before);

    // Same LinkedIn URL under another name, same email under another name, same name folded
    // (accents, apostrophes, case): all already there.
    let (_dir, other) = outside(
        "other.csv",
        b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n\
         D.,Whitfield-Smith,https://linkedin.com/in/danawhitfield/,,,,01 Jan 2026\n\
         Omar,H.,,OMAR@haddad.example,,,01 Jan 2026\n\
         zoe,obrien,,,,,01 Jan 2026\n\
         ANNA,adams,,,,,01 Jan 2026\n",
    );
    touchbase(v.path())
        .args(["import"])
        .arg(&other)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "0 contacts created; 4 already there",
        ));
    assert_eq!(snapshot_files(v.path()), before);
}

#[test]
fn dry_run_writes_nothing() {
    let v = fixture("basic");
    let before = snapshot_files(v.path());
    touchbase(v.path())
        .args(["import", "--dry-run"])
        .arg(sample("google.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "would create contacts/priya-raman.md",
        ))
        .stdout(predicate::str::contains("2 contacts would be created"));
    assert_eq!(snapshot_files(v.path()), before);
    assert!(!v.path().join("contacts").exists());
}

/// A vault with `per_day = 2` and a vCard file of `n` cards.
fn spread_vault(n: usize) -> (TempDir, TempDir, PathBuf) {
    let v = fixture("basic");
    fs::write(v.path().join("touchbase.toml"), "[agenda]\nper_day = 2\n").unwrap();
    let mut cards = String::new();
    for i in 1..=n {
        cards.push_str(&format!(
            "BEGIN:VCARD\nVERSION:3.0\nFN:Person {i:02}\nEND:VCARD\n"
        ));
    }
    let (dir, file) = outside("many.vcf", cards.as_bytes());
    (v, dir, file)
}

#[test]
fn new_contacts_are_spread_over_working_days_skipping_the_weekend() {
    let (v, _dir, file) = spread_vault(9);
    touchbase(v.path())
        .args(["import"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "9 contacts created; first follow-ups spread over 5 working days (2 a day)",
        ));
    let snooze = |i: usize| {
        read(&v, &format!("contacts/person-{i:02}.md"))
            .lines()
            .find_map(|l| l.strip_prefix("snooze: ").map(str::to_string))
    };
    // 2026-11-24 is a Tuesday: two today, then Wed, Thu, Fri, and Monday after the weekend.
    let got: Vec<Option<String>> = (1..=9).map(snooze).collect();
    let want: Vec<Option<String>> = [
        None,
        None,
        Some("2026-11-25"),
        Some("2026-11-25"),
        Some("2026-11-26"),
        Some("2026-11-26"),
        Some("2026-11-27"),
        Some("2026-11-27"),
        Some("2026-11-30"),
    ]
    .into_iter()
    .map(|s| s.map(str::to_string))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn all_now_snoozes_nobody() {
    let (v, _dir, file) = spread_vault(5);
    touchbase(v.path())
        .args(["import", "--all-now"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "5 contacts created; first follow-ups today",
        ));
    for i in 1..=5 {
        assert!(!read(&v, &format!("contacts/person-{i:02}.md")).contains("snooze"));
    }
}

#[test]
fn an_unknown_format_or_stage_is_refused_and_writes_nothing() {
    let v = fixture("basic");
    let before = snapshot_files(v.path());
    let (_dir, file) = outside("plain.txt", b"just some text\n");
    touchbase(v.path())
        .args(["import"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a vCard"));
    touchbase(v.path())
        .args(["import", "--stage", "leed"])
        .arg(sample("v4.vcf"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"lead\"?"));
    assert_eq!(snapshot_files(v.path()), before);
}
