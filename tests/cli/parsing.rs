//! Files and settings that once parsed wrong or silently: each is read, or is one clear problem
//! with its path and line, and every other contact still works.

use std::fs;

use predicates::prelude::*;

use crate::touchbase;

fn vault_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    fs::write(dir.path().join("touchbase.toml"), "").unwrap();
    for (path, bytes) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    dir
}

/// `check`'s output lines; it exits 1 when there is any problem.
fn check(vault: &std::path::Path) -> Vec<String> {
    let out = touchbase(vault).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let problems: Vec<String> = stdout
        .lines()
        .filter(|l| !l.starts_with("no problems"))
        .map(str::to_string)
        .collect();
    assert_eq!(
        out.status.code(),
        Some(i32::from(!problems.is_empty())),
        "{stdout}"
    );
    problems
}

#[test]
fn absurd_durations_are_problems_or_errors_naming_the_value_and_key() {
    let vault = vault_with(&[
        ("far.md", b"---\nname: Far\ncadence: 999999y\n---\n"),
        ("huge.md", b"---\nname: Huge\ncadence: 2147483648mo\n---\n"),
        ("zero.md", b"---\nname: Zero\ncadence: 0d\n---\n"),
        ("plain.md", b"---\nname: Plain\ncadence: 30\n---\n"),
        (
            "words.md",
            b"---\nname: Words\ncadence: twice-yearly\n---\n",
        ),
    ]);
    assert_eq!(
        check(vault.path()),
        [
            "far.md:3: invalid `cadence` \"999999y\": over 100 years (for no cadence, write never)",
            "huge.md:3: invalid `cadence` \"2147483648mo\": over 100 years (for no cadence, write never)",
            "zero.md:3: invalid `cadence` \"0d\": a duration must be at least 1 day",
        ]
    );
    for (config, message) in [
        (
            "[cadence]\ndefault = \"999999y\"\n",
            "touchbase.toml:2: `cadence.default`: invalid duration \"999999y\": over 100 years",
        ),
        (
            "[agenda]\nhorizon = \"0d\"\n",
            "touchbase.toml:2: `agenda.horizon`: invalid duration \"0d\"",
        ),
        (
            "[cadence.stages]\nlead = \"-1w\"\n",
            "touchbase.toml:2: `cadence.stages.lead`: invalid duration \"-1w\": a duration cannot be negative",
        ),
    ] {
        fs::write(vault.path().join("touchbase.toml"), config).unwrap();
        touchbase(vault.path())
            .arg("due")
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message));
    }
    // A plain number of days is a duration in the config too.
    fs::write(
        vault.path().join("touchbase.toml"),
        "[agenda]\nhorizon = 30\n[cadence]\nfirst_follow_up = \"fortnightly\"\n",
    )
    .unwrap();
    touchbase(vault.path()).arg("due").assert().success();
}

#[test]
fn old_mac_files_are_read_and_utf16_contacts_are_problems() {
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "---\r\nname: Wide Char\r\n---\r\n".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let vault = vault_with(&[
        (
            "mac.md",
            b"---\rname: Old Mac\r---\r# Old Mac\r\r## 2026-11-01 call\r\r## 2026-02-30 email\r",
        ),
        ("wide.md", &utf16),
    ]);
    assert_eq!(
        check(vault.path()),
        [
            "mac.md:8: invalid date \"2026-02-30\" in a touch heading",
            "wide.md: UTF-16 text: save the file as UTF-8",
        ]
    );
    let json = crate::due_json(vault.path());
    let mac = &json["items"][0];
    assert_eq!(mac["name"], "Old Mac");
    assert_eq!(mac["last_touch"]["date"], "2026-11-01");
    // Read, but not edited: a clear refusal, and the file as it was.
    let before = std::fs::read(vault.path().join("mac.md")).unwrap();
    crate::touchbase(vault.path())
        .args(["log", "old mac", "call"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("old Mac line endings"));
    assert_eq!(std::fs::read(vault.path().join("mac.md")).unwrap(), before);
}

#[test]
fn unread_values_second_documents_bad_times_and_form_feeds() {
    let vault = vault_with(&[
        (
            "binary.md",
            b"---\nname: Binary\ncanonical: !!binary \"R0lGODlhDAAMAIQAAP//9/X17unp5WZmZgAAAOfn515eXvPz7Y6OjuDg4J+fn5OTk6enp56enmleECcgggoBADs=\"\nseen: !!timestamp 2001-12-14\n---\n## 2026-11-01 call\n",
        ),
        (
            "contacts/two.md",
            b"---\nname: Two\n...\ncadence: 1w\n---\n",
        ),
        (
            "late.md",
            b"---\nname: Late\n---\n## 2026-11-02 email\n## 2026-01-02 25:99 call\n",
        ),
        (
            "feed.md",
            b"---\nname: Feed\n---\n## 2026-11-03 email\n#\x0c2026-11-20 call\n2026-11-21 call\n---\x0c\n",
        ),
    ]);
    assert_eq!(
        check(vault.path()),
        [
            "contacts/two.md:3: the front matter holds more than one YAML document (\"...\" or \"---\" inside it): keep one",
            "late.md:5: invalid time \"25:99\" in a touch heading",
        ]
    );
    let json = crate::due_json(vault.path());
    let touches = |name: &str| {
        let items = json["items"].as_array().unwrap();
        let item = items.iter().find(|i| i["name"] == name).unwrap();
        (item["touches"].clone(), item["last_touch"]["date"].clone())
    };
    assert_eq!(touches("Binary"), (1.into(), "2026-11-01".into()));
    assert_eq!(touches("Late"), (1.into(), "2026-11-02".into()));
    assert_eq!(touches("Feed"), (1.into(), "2026-11-03".into()));
}
