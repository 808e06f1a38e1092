//! `touchbase due`: DUE.md, --stdout, --json, determinism, and never touching contact files.

use std::fs;
use std::time::Duration;

use predicates::prelude::*;

use crate::{TODAY, fixture, sample_vault, snapshot_files, touchbase};

#[test]
fn due_writes_the_agenda_for_a_fixture_vault() {
    let vault = fixture("basic");
    touchbase(vault.path())
        .arg("due")
        .assert()
        .success()
        .stdout("1 overdue, 1 today, 3 upcoming, 1 no next step, 2 dates -> DUE.md\n");
    let due = fs::read_to_string(vault.path().join("DUE.md")).unwrap();
    insta::assert_snapshot!("basic_due", due);
}

/// The playbook (SPEC section 9): every section of DUE.md, in its order, and the JSON keys
/// that say why. Each contact of the fixture says in its notes what it is there for.
#[test]
fn due_shows_the_playbook_for_a_fixture_vault() {
    let vault = fixture("playbook");
    touchbase(vault.path())
        .arg("due")
        .assert()
        .success()
        .stdout("4 overdue, 2 today, 3 upcoming, 1 no next step, 1 going cold, 3 dates, 1 problem -> DUE.md\n");
    let due = fs::read_to_string(vault.path().join("DUE.md")).unwrap();
    insta::assert_snapshot!("playbook_due", due);
    let at = |text: &str| {
        due.find(text)
            .unwrap_or_else(|| panic!("{text:?} not in DUE.md"))
    };
    let order = [
        "\n## Overdue\n",
        "\n## Today\n",
        "\nand 1 more due: ",
        "\n## No next step\n",
        "\n## Going cold\n",
        "\n## Upcoming\n",
        "\n## Dates\n",
        "\n## Problems\n",
    ]
    .map(at);
    assert!(order.is_sorted(), "sections out of order: {order:?}");

    let v = crate::due_json(vault.path());
    let items = v["items"].as_array().unwrap();
    let item = |name: &str| {
        items
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in items"))
    };
    let keys = |name: &str| {
        let i = item(name);
        serde_json::json!({
            "due": i["due"], "reason": i["reason"], "suggest": i["suggest"],
            "suggest_reason": i["suggest_reason"], "touch": i["touch"], "open": i["open"],
            "step": i["step"], "late": i["late"], "personal": i["personal"],
            "cards": i["cards"], "rank": i["rank"],
        })
    };
    // A broken promise in the making ranks first.
    assert_eq!(
        keys("Ada Abbott"),
        serde_json::json!({
            "due": "2026-11-20", "reason": "next", "suggest": "call",
            "suggest_reason": "promised", "touch": 3, "open": true, "step": [2, 5],
            "late": false, "personal": null, "cards": null, "rank": 1,
        })
    );
    // Touch #4 of a prospect with interests and no personal touch yet.
    assert_eq!(
        keys("Cara Cole"),
        serde_json::json!({
            "due": "2026-11-03", "reason": "sequence", "suggest": "meeting",
            "suggest_reason": "personal", "touch": 4, "open": true, "step": [3, 5],
            "late": false, "personal": "chess", "cards": null, "rank": 3,
        })
    );
    // A window cadence past its end; not an open stage, so ranked after Cara.
    assert_eq!(
        keys("Fay Fox"),
        serde_json::json!({
            "due": "2026-10-22", "reason": "cadence", "suggest": "email",
            "suggest_reason": "rotation", "touch": 2, "open": false, "step": null,
            "late": true, "personal": null, "cards": null, "rank": 5,
        })
    );
    // A new client's thank-you card: 2d after signing, moved to 3d by min_gap.
    assert_eq!(
        keys("Hana Hill"),
        serde_json::json!({
            "due": "2026-11-26", "reason": "sequence", "suggest": "card",
            "suggest_reason": "sequence", "touch": 4, "open": false, "step": [1, 2],
            "late": false, "personal": null,
            // not behind: a client since yesterday, the pace counts from stage_since
            "cards": {"this_year": 0, "target": 7, "behind": false}, "rank": null,
        })
    );
    assert_eq!(item("Ivo Ivanov")["suggest_reason"], "cards");
    // skip_weekends: Saturday 28 moves to Monday 30; min_gap: met + 2d becomes met + 3d.
    assert_eq!(item("Dev Dutta")["due"], "2026-11-30");
    assert_eq!(item("Eli Egan")["due"], "2026-11-24");
    // Ranks: every overdue and today item, 1-based, none for upcoming ones.
    let mut ranks: Vec<i64> = items.iter().filter_map(|i| i["rank"].as_i64()).collect();
    ranks.sort_unstable();
    assert_eq!(ranks, [1, 2, 3, 4, 5, 6]);
    assert_eq!(item("Gus Gray")["rank"], 6);
    assert_eq!(
        v["no_next_step"],
        serde_json::json!([{"name": "Cara Cole", "path": "people/cara-cole.md",
            "last_touch": {"date": "2026-10-20", "channel": "call",
                "text": "she is comparing three suppliers"}}])
    );
    assert_eq!(
        v["going_cold"],
        serde_json::json!([{"name": "Cara Cole", "path": "people/cara-cole.md",
            "touches": 3, "days_overdue": 21}])
    );
    let dates: Vec<(&str, &str, &str, &str)> = v["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap(),
                d["label"].as_str().unwrap(),
                d["suggest"].as_str().unwrap(),
                d["mail_by"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        dates,
        [
            ("Ivo Ivanov", "birthday", "card", "2026-11-26"),
            ("Hana Hill", "holiday cards", "card", "2026-12-03"),
            ("Ivo Ivanov", "holiday cards", "card", "2026-12-03"),
        ]
    );
}

#[test]
fn sample_vault_due_md_is_current() {
    // The committed sample DUE.md must be exactly what the code produces for its date.
    let vault = sample_vault();
    let committed = fs::read_to_string(vault.path().join("DUE.md")).unwrap();
    let out = touchbase(vault.path())
        .args(["due", "--stdout"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed);
}

#[test]
fn stdout_prints_the_agenda_and_writes_nothing() {
    let vault = fixture("basic");
    let out = touchbase(vault.path())
        .args(["due", "--stdout"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("<!-- Generated by touchbase."));
    assert!(!vault.path().join("DUE.md").exists());
}

#[test]
fn json_follows_the_schema() {
    let vault = fixture("basic");
    let out = touchbase(vault.path())
        .args(["due", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!vault.path().join("DUE.md").exists());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["today"], TODAY);
    let items = v["items"].as_array().unwrap();
    let ben = items.iter().find(|i| i["name"] == "Ben Brown").unwrap();
    assert_eq!(ben["path"], "people/ben-brown.md");
    assert_eq!(ben["due"], TODAY);
    assert_eq!(ben["bucket"], "today");
    assert_eq!(ben["reason"], "next");
    assert_eq!(ben["days_overdue"], 0);
    assert_eq!(ben["touches"], 1);
    assert_eq!(ben["last_touch"]["date"], "2026-10-13");
    assert_eq!(ben["last_touch"]["channel"], "meeting");
    assert_eq!(ben["next"]["channel"], "call");
    assert_eq!(ben["next"]["text"], "confirm the renewal");
    assert_eq!(ben["suggest"], "call");
    let anna = items.iter().find(|i| i["name"] == "Anna Adams").unwrap();
    assert_eq!(anna["bucket"], "overdue");
    assert_eq!(anna["days_overdue"], 14);
    assert_eq!(anna["next"], serde_json::Value::Null);
    let cleo = items.iter().find(|i| i["name"] == "Cleo Cho").unwrap();
    assert_eq!(
        (cleo["reason"].as_str(), cleo["due"].as_str()),
        (Some("met"), Some("2026-11-25"))
    );
    assert!(
        items.iter().all(|i| i["name"] != "Eve Evans"),
        "lost contacts are not scheduled"
    );
    let dates = v["dates"].as_array().unwrap();
    assert_eq!(dates[0]["label"], "birthday");
    assert_eq!(dates[0]["date"], "2026-11-29");
    assert_eq!(dates[0]["in_days"], 5);
    assert_eq!(v["problems"], serde_json::json!([]));
}

#[test]
fn output_is_deterministic_and_unchanged_files_are_not_rewritten() {
    let vault = fixture("basic");
    touchbase(vault.path()).arg("due").assert().success();
    let path = vault.path().join("DUE.md");
    let first = fs::read(&path).unwrap();
    let mtime = fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(Duration::from_millis(20));
    touchbase(vault.path())
        .arg("due")
        .assert()
        .success()
        .stdout(predicate::str::ends_with("-> DUE.md (unchanged)\n"));
    assert_eq!(fs::read(&path).unwrap(), first);
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), mtime);
    // A copy of the vault elsewhere gives the same bytes.
    let other = fixture("basic");
    touchbase(other.path()).arg("due").assert().success();
    assert_eq!(fs::read(other.path().join("DUE.md")).unwrap(), first);
}

#[test]
fn due_never_changes_contact_files() {
    for vault in [fixture("basic"), fixture("broken"), sample_vault()] {
        fs::remove_file(vault.path().join("DUE.md")).ok();
        let before = snapshot_files(vault.path());
        touchbase(vault.path()).arg("due").assert().success();
        touchbase(vault.path()).arg("check").output().unwrap();
        assert_eq!(snapshot_files(vault.path()), before);
    }
}

#[test]
fn vault_and_today_come_from_the_environment() {
    let vault = fixture("basic");
    let mut cmd = assert_cmd::Command::cargo_bin("touchbase").unwrap();
    cmd.env("TOUCHBASE_CACHE_DIR", crate::cache_dir())
        .env("TOUCHBASE_VAULT", vault.path())
        .env("TOUCHBASE_TODAY", "2026-11-25")
        .args(["due", "--json"]);
    let out = cmd.output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["today"], "2026-11-25");
    // Flags beat the environment.
    let out = touchbase(vault.path())
        .env("TOUCHBASE_TODAY", "2026-11-25")
        .args(["due", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["today"], TODAY);
}

#[test]
fn agenda_file_and_wiki_links_come_from_the_config() {
    let vault = fixture("basic");
    fs::write(
        vault.path().join("touchbase.toml"),
        "[agenda]\nfile = \"Agenda.md\"\nlinks = \"wiki\"\n",
    )
    .unwrap();
    touchbase(vault.path())
        .arg("due")
        .assert()
        .success()
        .stdout(predicate::str::ends_with("-> Agenda.md\n"));
    let text = fs::read_to_string(vault.path().join("Agenda.md")).unwrap();
    assert!(text.contains("[[people/anna-adams|Anna Adams]]"), "{text}");
    assert!(!vault.path().join("DUE.md").exists());
    // The agenda file is never read as a contact, whatever it is called.
    touchbase(vault.path()).arg("check").assert().success();
}

#[test]
fn an_empty_vault_says_so() {
    let vault = tempfile::TempDir::new().unwrap();
    touchbase(vault.path())
        .arg("due")
        .assert()
        .success()
        .stdout("0 overdue, 0 today, 0 upcoming -> DUE.md\n")
        .stderr(predicates::str::contains(
            "No contacts found. A Markdown file is a contact when its front matter has a `name`, \
             or when `contacts.folders` or `contacts.match` in touchbase.toml say so",
        ));
    // DUE.md says it too, for whoever reads it (a watcher's user sees no terminal message).
    let text = fs::read_to_string(vault.path().join("DUE.md")).unwrap();
    assert!(text.contains("No contacts found."), "{text}");
    assert!(text.contains("touchbase check --explain PATH"), "{text}");
    // A vault with contacts but nothing due says that instead.
    fs::write(
        vault.path().join("a.md"),
        "---\nname: Ann\nstage: lost\n---\n## 2026-11-20 call\n",
    )
    .unwrap();
    touchbase(vault.path())
        .arg("due")
        .assert()
        .success()
        .stderr("");
    let text = fs::read_to_string(vault.path().join("DUE.md")).unwrap();
    assert!(text.contains("Nothing due"), "{text}");
}

#[test]
fn ignore_globs_skip_files() {
    let vault = fixture("basic");
    fs::write(
        vault.path().join("touchbase.toml"),
        "ignore = [\"people/a*\"]\n",
    )
    .unwrap();
    let text = crate::due_json_text(vault.path());
    assert!(!text.contains("Anna Adams"));
    assert!(text.contains("Ben Brown"));
}

#[test]
fn usage_errors_exit_2() {
    let vault = fixture("basic");
    touchbase(vault.path()).arg("frobnicate").assert().code(2);
    touchbase(vault.path())
        .args(["due", "--today", "2026-13-01"])
        .assert()
        .code(2);
    touchbase(vault.path())
        .args(["due", "--json", "--stdout"])
        .assert()
        .code(2);
}

#[test]
fn a_missing_vault_is_an_error() {
    let vault = fixture("basic");
    touchbase(&vault.path().join("nope"))
        .arg("due")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot open the vault"));
}

#[test]
fn readme_excerpt_matches_the_sample_agenda() {
    // Every agenda line the README shows under "What you get" is in the sample's DUE.md.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let due = fs::read_to_string(root.join("sample-vault/DUE.md")).unwrap();
    let start = readme.find("## What you get").unwrap();
    let block = &readme[start..];
    let block = &block[block.find("```markdown\n").unwrap() + 12..];
    let block = &block[..block.find("```").unwrap()];
    let lines: Vec<&str> = block.lines().filter(|l| !l.is_empty()).collect();
    assert!(lines.len() > 10, "{block}");
    for line in lines {
        assert!(
            due.lines().any(|l| l == line),
            "README line not in sample-vault/DUE.md: {line}"
        );
    }
}
