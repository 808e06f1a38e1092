//! The follow-up playbook (SPEC section 9) end to end: a day's work, its ranking, the JSON
//! keys, and `watch` keeping the new sections current.

use std::fs;

use crate::{due_json, touchbase};

/// Five contacts, one in each rank group of a day's work (today is Tue 24 Nov 2026).
const DAY: &[(&str, &str)] = &[
    // the rest, 54 days overdue
    (
        "al.md",
        "---\nname: Al Rest\nstage: partner\n---\n## 2026-09-01 lunch\n",
    ),
    // a broken promise in the making: 4 days overdue
    (
        "bea.md",
        "---\nname: Bea Broken\n---\n## 2026-11-10 meeting\nNext: 2026-11-20 call - the quote\n",
    ),
    // a promise due today
    (
        "cy.md",
        "---\nname: Cy Today\nnext: 2026-11-24 email\n---\n## 2026-11-01 call\n",
    ),
    // an open-stage contact at touch #2, 21 days overdue
    (
        "di.md",
        "---\nname: Di Early\nstage: lead\nmet: 2026-11-01\n---\n",
    ),
    // the rest, 9 days overdue
    (
        "ed.md",
        "---\nname: Ed Old\nstage: partner\n---\n## 2026-10-15 lunch\n",
    ),
];

fn vault(config: &str) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    fs::write(dir.path().join("touchbase.toml"), config).unwrap();
    for (path, text) in DAY {
        fs::write(dir.path().join(path), text).unwrap();
    }
    dir
}

/// The names on the task lines of one DUE.md section, in order.
fn section(due: &str, title: &str) -> Vec<String> {
    let Some(start) = due.find(&format!("\n## {title}\n")) else {
        return Vec::new();
    };
    due[start + title.len() + 5..]
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.strip_prefix("- [ ] ["))
        .map(|l| l[..l.find(']').unwrap()].to_string())
        .collect()
}

fn due_md(vault: &std::path::Path) -> String {
    let out = touchbase(vault).args(["due", "--stdout"]).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn per_day_lists_the_top_of_the_ranking_and_counts_the_rest() {
    let v = vault("[agenda]\nper_day = 3\n");
    let due = due_md(v.path());
    assert_eq!(
        section(&due, "Overdue"),
        ["Bea Broken", "Di Early"],
        "{due}"
    );
    assert_eq!(section(&due, "Today"), ["Cy Today"], "{due}");
    assert!(
        due.contains("\nand 2 more due: they move up as you work through the list\n"),
        "{due}"
    );
    // The JSON keeps every item, in the order of SPEC section 5, each with its rank.
    let json = due_json(v.path());
    let ranks: Vec<(&str, u64)> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["name"].as_str().unwrap(), i["rank"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        ranks,
        [
            ("Al Rest", 4),
            ("Di Early", 3),
            ("Ed Old", 5),
            ("Bea Broken", 1),
            ("Cy Today", 2)
        ]
    );
}

#[test]
fn without_per_day_every_item_is_listed_and_broken_promises_come_first() {
    let v = vault("");
    let due = due_md(v.path());
    assert_eq!(
        section(&due, "Overdue"),
        ["Bea Broken", "Al Rest", "Di Early", "Ed Old"],
        "{due}"
    );
    assert!(!due.contains("more due"), "{due}");
    let bea = due.lines().find(|l| l.contains("Bea Broken")).unwrap();
    assert!(
        bea.contains("4 days overdue · you said you would call on 2026-11-20 - the quote"),
        "{bea}"
    );
}

#[test]
fn json_carries_the_playbook_keys() {
    let v = vault(
        "[sequence]\nlead = [\"2d email - thanks for meeting\", \"1w call\"]\n\
         [[holiday]]\ndate = \"12-01\"\nlabel = \"year-end cards\"\nstages = [\"partner\"]\n",
    );
    let json = due_json(v.path());
    let item = |name: &str| {
        json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap()
            .clone()
    };
    let di = item("Di Early");
    assert_eq!(di["reason"], "sequence");
    assert_eq!(di["step"], serde_json::json!([1, 2]));
    assert_eq!(di["suggest"], "email");
    assert_eq!(di["suggest_reason"], "sequence");
    assert_eq!(di["due"], "2026-11-03");
    let bea = item("Bea Broken");
    assert_eq!(bea["suggest_reason"], "promised");
    assert_eq!(bea["touch"], 2);
    assert_eq!(bea["open"], true);
    assert_eq!(item("Al Rest")["open"], false);
    // Bea's meeting and Cy's call both ended with a next step still pending.
    assert_eq!(json["no_next_step"], serde_json::json!([]));
    let dates: Vec<(&str, &str, &str)> = json["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap(),
                d["label"].as_str().unwrap(),
                d["mail_by"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        dates,
        [
            ("Al Rest", "year-end cards", "2026-11-24"),
            ("Ed Old", "year-end cards", "2026-11-24")
        ]
    );
    assert!(json["dates"][0]["suggest"] == "card");
    let cold: Vec<&str> = json["going_cold"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    // Di (lead, 1 touch) is 21 days overdue on a 1w cadence: cold. Bea is 4 days overdue on 3w.
    assert_eq!(cold, ["Di Early"]);
}

#[test]
fn watch_keeps_the_playbook_sections_current() {
    let v = vault("");
    let watcher = crate::watch::Watcher::start(v.path());
    crate::watch::wait_for_due(v.path(), "the first agenda", |d| d.contains("Cy Today"));
    assert!(!due_md(v.path()).contains("## No next step"));
    // A call with no next step, saved the way an editor does: No next step appears.
    let path = v.path().join("ed.md");
    fs::write(
        &path,
        "---\nname: Ed Old\nstage: prospect\n---\n## 2026-10-15 lunch\n## 2026-11-23 call - talked budgets\n",
    )
    .unwrap();
    crate::watch::wait_for_due(v.path(), "Ed under No next step", |d| {
        section(d, "No next step") == ["Ed Old"]
    });
    // Agreeing a next step takes him off the list again.
    fs::write(
        &path,
        "---\nname: Ed Old\nstage: prospect\n---\n## 2026-10-15 lunch\n## 2026-11-23 call - talked budgets\nNext: 2026-12-01 email - the budget sheet\n",
    )
    .unwrap();
    crate::watch::wait_for_due(v.path(), "No next step gone", |d| {
        !d.contains("## No next step")
    });
    drop(watcher);
}

#[test]
fn a_promise_made_with_log_next_keeps_its_history_in_show() {
    let dir = tempfile::TempDir::new().unwrap();
    let v = dir.path();
    fs::write(v.join("touchbase.toml"), "").unwrap();
    fs::write(v.join("lisa.md"), "---\nname: Lisa Lane\n---\n").unwrap();
    let log = |args: &[&str]| {
        let out = touchbase(v).arg("log").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    log(&[
        "lisa",
        "call",
        "--date",
        "2026-11-10",
        "--next",
        "2026-11-20 email - the proposal",
    ]);
    let text = fs::read_to_string(v.join("lisa.md")).unwrap();
    assert!(
        text.contains("## 2026-11-10 call\nNext: 2026-11-20 email - the proposal\n"),
        "{text}"
    );
    assert!(
        text.contains("next: 2026-11-20 email - the proposal\n"),
        "{text}"
    );
    // Kept, but four days late: `next:` goes, and show still judges the promise.
    log(&["lisa", "email", "sent", "it", "--date", "2026-11-24"]);
    let text = fs::read_to_string(v.join("lisa.md")).unwrap();
    assert!(!text.contains("\nnext:"), "{text}");
    let out = touchbase(v).args(["show", "lisa"]).output().unwrap();
    let show = String::from_utf8(out.stdout).unwrap();
    assert!(
        show.contains(
            "promises: 0 kept, 1 broken, 0 open\n  2026-11-20 email - the proposal: broken: email on 2026-11-24 (4 days late) (agreed 2026-11-10)\n"
        ),
        "{show}"
    );
    // And the agenda no longer holds her to it.
    let due = due_md(v);
    assert!(!due.contains("you said you would"), "{due}");
}

// Found by attacking the playbook with bad input. Each test reproduces one finding and
// failed before its fix.

/// A vault of the given files (path, text) with the given config.
fn vault_of(config: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    fs::write(dir.path().join("touchbase.toml"), config).unwrap();
    for (path, text) in files {
        fs::write(dir.path().join(path), text).unwrap();
    }
    dir
}

/// `due --stdout`: the agenda, or the error when the command fails.
fn due_or_error(vault: &std::path::Path) -> Result<String, String> {
    let out = touchbase(vault).args(["due", "--stdout"]).output().unwrap();
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// With `cards.lead` longer than `dates_horizon`, a card's mail-by day comes before its date
/// is listed: today is the day to mail Kay's birthday card (22 Dec - 4w = 24 Nov), but the
/// birthday only appears on 8 Dec, two weeks late, as "mail a card today". Either the date is
/// listed from its mail-by day on, or the config is refused naming `cards.lead`.
#[test]
fn a_card_is_listed_by_its_mail_by_day_when_the_lead_is_longer_than_dates_horizon() {
    let v = vault_of(
        "[cards]\nlead = \"4w\"\n",
        &[(
            "kay.md",
            "---\nname: Kay Client\nstage: client\nbirthday: 12-22\n---\n## 2026-11-20 card\n",
        )],
    );
    match due_or_error(v.path()) {
        Err(e) => assert!(e.contains("cards.lead"), "{e}"),
        Ok(due) => {
            let dates = due.split("\n## Dates\n").nth(1).unwrap_or("");
            assert!(
                dates.contains("Kay Client") && dates.contains("mail a card today"),
                "the card is to be mailed today (24 Nov) but is not on the agenda:\n{due}"
            );
        }
    }
}

/// A `[[holiday]]` with an empty or blank label gives a date line with nothing to say what
/// it is (`· · (in 7 days)`): it should be refused, naming `holiday.label` and its line.
#[test]
fn a_holiday_with_a_blank_label_is_refused() {
    for label in ["", "   "] {
        let v = vault_of(
            &format!("[[holiday]]\ndate = \"12-01\"\nlabel = \"{label}\"\n"),
            &[("c.md", "---\nname: Cee Client\nstage: client\n---\n")],
        );
        match due_or_error(v.path()) {
            Err(e) => assert!(e.contains("holiday.label") && e.contains(":3:"), "{e}"),
            Ok(due) => panic!("a holiday with label {label:?} was accepted:\n{due}"),
        }
    }
}

/// An overdue next step is worded as the promise, `you said you would CHANNEL on DATE`, which
/// only reads for the channels that are verbs: `you said you would meeting on`, `... would card
/// on`, `... would gift on`, `... would social on`, `... would newsletter on`.
#[test]
fn a_broken_promise_reads_as_english_for_every_channel() {
    let files: Vec<(String, String)> = ["meeting", "card", "gift", "social", "newsletter"]
        .iter()
        .map(|ch| {
            (
                format!("{ch}.md"),
                format!("---\nname: P {ch}\n---\n## 2026-11-01 call\nNext: 2026-11-20 {ch}\n"),
            )
        })
        .collect();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let v = vault_of("", &files);
    let due = due_md(v.path());
    for ch in ["meeting", "card", "gift", "social", "newsletter"] {
        assert!(
            !due.contains(&format!("you said you would {ch} on")),
            "ungrammatical promise for {ch}:\n{due}"
        );
    }
}

/// An Upcoming line gives its day without a year, so with a horizon over a year a follow-up
/// due on Sat 20 Nov 2027 reads as four days ago (today is Tue 24 Nov 2026).
#[test]
fn an_upcoming_day_more_than_a_year_ahead_names_its_year() {
    let v = vault_of(
        "[agenda]\nhorizon = \"2y\"\n",
        &[(
            "y.md",
            "---\nname: Yara Yearly\nstage: client\ncadence: 1y\n---\n## 2026-11-20 lunch\n",
        )],
    );
    let due = due_md(v.path());
    let line = due.lines().find(|l| l.contains("Yara Yearly")).unwrap();
    assert!(line.contains("2027"), "{line}");
}

/// Text from the config and from contact files that reaches the new DUE.md lines (a
/// personal-touch interest, a holiday label, a sequence step's text) is escaped so that it
/// cannot form links, but a bare URL is left as it is, and GitHub (GFM's extended autolinks)
/// and Obsidian turn `https://...` and `www....` into clickable links.
#[test]
fn bare_urls_in_playbook_text_cannot_form_links() {
    let v = vault_of(
        "[sequence]\nlead = [\"1d\", \"1d\", \"1w call - see https://evil.example/step\"]\n\
         [[holiday]]\ndate = \"12-01\"\nlabel = \"cards from www.evil.example\"\nstages = [\"lead\"]\n",
        &[
            (
                "a.md",
                "---\nname: Ann Lead\nstage: lead\nmet: 2026-10-01\n\
                 interests: [\"https://evil.example/interest\"]\n---\n\
                 ## 2026-10-05 email\n## 2026-10-10 call\n",
            ),
            (
                "b.md",
                "---\nname: Bo Lead\nstage: lead\nmet: 2026-10-01\n\
                 interests: [\"www.evil.example\"]\n---\n## 2026-10-05 email\n## 2026-10-10 call\n",
            ),
        ],
    );
    let due = due_md(v.path());
    for url in [
        "https://evil.example/step",
        "https://evil.example/interest",
        "www.evil.example",
    ] {
        assert!(
            !due.contains(url),
            "{url} is left as a bare URL, which GitHub and Obsidian link:\n{due}"
        );
    }
}
