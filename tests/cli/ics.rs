//! `touchbase ics` and `[agenda] ics`: the output parsed by an independent iCalendar parser.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use tempfile::TempDir;

use super::touchbase;

const LONG: &str =
    "envoyer le devis révisé à Zoë, Ærøskøbing; vérifier \\ les délais 日本語 ✓ encore";

/// A vault with a timed next step, an overdue promise by email, a client with a birthday (a
/// card to mail) and text that needs escaping and folding.
fn vault() -> TempDir {
    let dir = TempDir::new().unwrap();
    let v = dir.path();
    fs::write(v.join("touchbase.toml"), "[agenda]\nics = \"due.ics\"\n").unwrap();
    fs::create_dir(v.join("people")).unwrap();
    let files = [
        (
            "jane-doe.md",
            "---\nname: Jane Doe\ncompany: \"Acme, Inc; West\"\nemail: jane@acme.test\nphone: \"+1 555 0100\"\nnext: 2026-11-30 10:00 call - send the pricing sheet\n---\n## 2026-11-20 call - intro\n",
        ),
        (
            "uma-udall.md",
            "---\nname: Uma Udall\nnext: 2026-11-20 email\n---\n## 2026-11-10 call - talked\n",
        ),
        (
            "kate-king.md",
            "---\nname: Kate King\ncompany: King & Co\nstage: client\nbirthday: 11-30\n---\n## 2026-11-23 call - hello\n",
        ),
        (
            "zoe.md",
            &format!(
                "---\nname: Zoë Ærøskøbing\nnext: 2026-11-27 - {LONG}\n---\n## 2026-11-20 call\n"
            ),
        ),
    ];
    for (name, text) in files {
        fs::write(v.join("people").join(name), text).unwrap();
    }
    dir
}

fn ics_stdout(v: &Path) -> String {
    let out = touchbase(v).arg("ics").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Each event's properties by name (value, and parameters as `K=V;...`), keyed by SUMMARY.
type Events = BTreeMap<String, BTreeMap<String, (String, String)>>;

fn parse(text: &str) -> (Vec<(String, String)>, Events) {
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let cal = parser.next().expect("one calendar").expect("parses");
    assert!(parser.next().is_none());
    let props = |ps: &[ical::property::Property]| {
        ps.iter()
            .map(|p| {
                let params = p
                    .params
                    .iter()
                    .flatten()
                    .map(|(k, v)| format!("{k}={}", v.join(",")))
                    .collect::<Vec<_>>()
                    .join(";");
                (
                    p.name.clone(),
                    (p.value.clone().unwrap_or_default(), params),
                )
            })
            .collect::<BTreeMap<_, _>>()
    };
    let head = cal
        .properties
        .iter()
        .map(|p| (p.name.clone(), p.value.clone().unwrap_or_default()))
        .collect();
    let mut events = Events::new();
    for e in &cal.events {
        let p = props(&e.properties);
        let summary = unescape(&p["SUMMARY"].0);
        assert!(
            events.insert(summary, p).is_none(),
            "two events, one summary"
        );
    }
    (head, events)
}

/// TEXT unescaping (the parser leaves values as written).
fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The raw text's own unfolding: the logical line that starts with `prefix`.
fn logical_line(text: &str, prefix: &str) -> String {
    text.replace("\r\n ", "")
        .split("\r\n")
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} line"))
        .to_string()
}

#[test]
fn ics_events_parse_with_every_field() {
    let dir = vault();
    let text = ics_stdout(dir.path());
    // CRLF everywhere, every physical line at most 75 octets.
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'));
    for l in text.split("\r\n") {
        assert!(l.len() <= 75, "{} octets: {l:?}", l.len());
    }
    assert!(text.contains("\r\n "), "a long line is folded");
    let (head, events) = parse(&text);
    assert!(head.contains(&("VERSION".into(), "2.0".into())));
    assert!(
        head.iter()
            .any(|(k, v)| k == "PRODID" && v.starts_with("-//touchbase//"))
    );
    let names: Vec<&str> = events.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "Birthday: Kate King",
            "Call Jane Doe - send the pricing sheet",
            "Email Uma Udall",
            &format!("Email Zoë Ærøskøbing - {LONG}"),
            "Mail a card: Kate King (birthday)",
        ]
        .map(|s| s.to_string()),
        "{text}"
    );

    // The timed next step: floating local time, half an hour.
    let jane = &events["Call Jane Doe - send the pricing sheet"];
    assert_eq!(jane["DTSTART"], ("20261130T100000".into(), String::new()));
    assert_eq!(jane["DTEND"], ("20261130T103000".into(), String::new()));
    assert_eq!(jane["DTSTAMP"].0, "20261124T000000Z");
    assert_eq!(
        unescape(&jane["DESCRIPTION"].0),
        "next step: call at 10:00 - send the pricing sheet\nCompany: Acme, Inc; West\n\
         Email: jane@acme.test\nPhone: +1 555 0100\nFile: people/jane-doe.md"
    );
    assert!(jane["DESCRIPTION"].0.contains("Acme\\, Inc\\; West"));

    // The overdue promise is dated today, all day.
    let uma = &events["Email Uma Udall"];
    assert_eq!(uma["DTSTART"], ("20261124".into(), "VALUE=DATE".into()));
    assert_eq!(uma["DTEND"], ("20261125".into(), "VALUE=DATE".into()));
    assert_eq!(
        unescape(&uma["DESCRIPTION"].0),
        "Overdue since 2026-11-20 (4 days).\nyou said you would email on 2026-11-20\n\
         File: people/uma-udall.md"
    );

    // The birthday, and the card to mail a week before it.
    let bday = &events["Birthday: Kate King"];
    assert_eq!(bday["DTSTART"], ("20261130".into(), "VALUE=DATE".into()));
    let card = &events["Mail a card: Kate King (birthday)"];
    assert_eq!(card["DTSTART"], ("20261124".into(), "VALUE=DATE".into()));
    assert_eq!(
        unescape(&card["DESCRIPTION"].0),
        "birthday on 2026-11-30\nmail a card by 2026-11-23\nCompany: King & Co\n\
         File: people/kate-king.md"
    );
    assert_eq!(card["DESCRIPTION"], bday["DESCRIPTION"]);

    // The long summary is folded between characters: unfolding gives it back whole.
    let zoe_line = logical_line(&text, "SUMMARY:Email Zo");
    assert_eq!(
        unescape(zoe_line.trim_start_matches("SUMMARY:")),
        format!("Email Zoë Ærøskøbing - {LONG}")
    );

    // UIDs: one per event, from the path and the kind of entry.
    let uids: Vec<&str> = events.values().map(|e| e["UID"].0.as_str()).collect();
    let mut distinct = uids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), uids.len(), "{uids:?}");
    assert!(uids.iter().all(|u| u.ends_with("@touchbase")));
    assert!(bday["UID"].0.starts_with("date-birthday-"));
    assert!(card["UID"].0.starts_with("card-birthday-"));
    assert!(jane["UID"].0.starts_with("followup-"));

    // Stable across runs; a follow-up that is done leaves, the others keep their UIDs.
    assert_eq!(ics_stdout(dir.path()), text);
    let uma_file = dir.path().join("people/uma-udall.md");
    let done = fs::read_to_string(&uma_file).unwrap() + "## 2026-11-24 email - sent it\n";
    fs::write(&uma_file, done).unwrap();
    let (_, after) = parse(&ics_stdout(dir.path()));
    assert!(!after.contains_key("Email Uma Udall"));
    assert!(after.values().all(|e| !e["UID"].0.is_empty()));
    assert_eq!(
        after["Call Jane Doe - send the pricing sheet"]["UID"],
        jane["UID"]
    );
    assert_eq!(after["Birthday: Kate King"]["UID"], bday["UID"]);
}

#[test]
fn agenda_ics_is_kept_current_by_due() {
    let dir = vault();
    let v = dir.path();
    let ics = v.join("due.ics");
    touchbase(v).arg("due").assert().success();
    let first = fs::read(&ics).unwrap();
    assert_eq!(String::from_utf8(first.clone()).unwrap(), ics_stdout(v));
    // Nothing changed: the same bytes, the file not rewritten.
    let before = fs::metadata(&ics).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    touchbase(v).arg("due").assert().success();
    assert_eq!(fs::read(&ics).unwrap(), first);
    assert_eq!(fs::metadata(&ics).unwrap().modified().unwrap(), before);
    // A contact changes: the calendar follows.
    let uma = v.join("people/uma-udall.md");
    fs::write(
        &uma,
        fs::read_to_string(&uma).unwrap() + "## 2026-11-24 email - sent it\n",
    )
    .unwrap();
    touchbase(v).arg("due").assert().success();
    let now = fs::read_to_string(&ics).unwrap();
    assert!(!now.contains("SUMMARY:Email Uma Udall"));
    assert!(
        String::from_utf8(first)
            .unwrap()
            .contains("SUMMARY:Email Uma Udall")
    );
}

#[test]
fn a_file_touchbase_did_not_write_is_never_replaced() {
    let dir = vault();
    let v = dir.path();
    fs::write(
        v.join("due.ics"),
        "BEGIN:VCALENDAR\r\nPRODID:-//other//x//EN\r\n",
    )
    .unwrap();
    touchbase(v)
        .arg("due")
        .assert()
        .failure()
        .stderr(predicates::str::contains("not generated by touchbase"));
    assert_eq!(
        fs::read_to_string(v.join("due.ics")).unwrap(),
        "BEGIN:VCALENDAR\r\nPRODID:-//other//x//EN\r\n"
    );
    // `--out` inside the vault: the same check, and only .ics files.
    touchbase(v)
        .args(["ics", "--out"])
        .arg(v.join("due.ics"))
        .assert()
        .failure();
    touchbase(v)
        .args(["ics", "--out"])
        .arg(v.join("people/x.md"))
        .assert()
        .code(2);
    assert!(!v.join("people/x.md").exists());
}

#[test]
fn out_writes_relative_to_the_current_folder_only_when_changed() {
    let dir = vault();
    let v = dir.path();
    let elsewhere = TempDir::new().unwrap();
    let run = || {
        touchbase(v)
            .current_dir(elsewhere.path())
            .args(["ics", "--out", "cal.ics"])
            .output()
            .unwrap()
    };
    let out = run();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("-> cal.ics"));
    let written = fs::read_to_string(elsewhere.path().join("cal.ics")).unwrap();
    assert_eq!(written, ics_stdout(v));
    let again = run();
    assert!(String::from_utf8_lossy(&again.stdout).contains("(unchanged)"));
    // Only cal.ics there: no temp file left behind.
    assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 1);
    // A file of the user's is never replaced, outside the vault too.
    fs::write(elsewhere.path().join("mine.ics"), "my notes\n").unwrap();
    touchbase(v)
        .current_dir(elsewhere.path())
        .args(["ics", "--out", "mine.ics"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("not generated by touchbase"));
    assert_eq!(
        fs::read_to_string(elsewhere.path().join("mine.ics")).unwrap(),
        "my notes\n"
    );
    // Inside the vault, through the same path: an atomic write.
    touchbase(v)
        .current_dir(v)
        .args(["ics", "--out", "people/cal.ics"])
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(v.join("people/cal.ics")).unwrap(),
        written
    );
}

#[test]
fn watch_keeps_agenda_ics_current() {
    let dir = vault();
    let v = dir.path();
    let ics = v.join("due.ics");
    let read = || fs::read_to_string(&ics).unwrap_or_default();
    let _w = super::watch::Watcher::start(v);
    super::watch::poll("the first calendar", || {
        read().contains("SUMMARY:Email Uma Udall")
    });
    let uma = v.join("people/uma-udall.md");
    fs::write(
        &uma,
        fs::read_to_string(&uma).unwrap() + "## 2026-11-24 email - sent it\n",
    )
    .unwrap();
    super::watch::poll("the follow-up done", || {
        let now = read();
        now.contains("SUMMARY:Call Jane Doe") && !now.contains("Email Uma Udall")
    });
}
