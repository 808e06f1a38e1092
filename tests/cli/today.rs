//! `touchbase today` driven through a pseudo-terminal, as a person at a keyboard drives it: each
//! key, and the contact file after it.

use std::fs;
use std::path::Path;
use std::process::Command;

use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};

use crate::{TODAY, touchbase};

/// Three contacts due (Ann and Bea overdue, Cy today) and one upcoming (Dee), for 2026-11-24.
fn vault() -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    let write = |name: &str, text: &str| fs::write(dir.path().join(name), text).unwrap();
    write(
        "ann.md",
        "---\nname: Ann Lee\nemail: ann@example.com\n---\n## 2026-11-01 call\n",
    );
    write(
        "bea.md",
        "---\nname: Bea Cole\nphone: +1 555 0100\n---\n## 2026-11-02 email\n",
    );
    write("cy.md", "---\nname: Cy Diaz\n---\n## 2026-11-03 call\n");
    write("dee.md", "---\nname: Dee Eng\n---\n## 2026-11-04 call\n");
    dir
}

/// The session in a pseudo-terminal of 80 columns and 24 rows, run by `sh` so that the
/// terminal's settings can be read before and after (`before` and `after` in the vault).
fn session(vault: &Path, env: &[(&str, &str)]) -> PtySession {
    let script = format!(
        "stty cols 80 rows 24; stty -g > '{dir}/.before'; '{bin}' --vault '{dir}' --today {TODAY} today; echo \"exit $?\"; stty -g > '{dir}/.after'",
        dir = vault.display(),
        bin = env!("CARGO_BIN_EXE_touchbase"),
    );
    let mut command = Command::new("sh");
    command
        .args(["-c", &script])
        .env("TOUCHBASE_CACHE_DIR", crate::cache_dir())
        .env_remove("TOUCHBASE_VAULT")
        .env_remove("TOUCHBASE_TODAY")
        .env_remove("TOUCHBASE_OWNER")
        .env("TERM", "xterm");
    for (k, v) in env {
        command.env(k, v);
    }
    spawn_with_options(
        command,
        Options::new()
            .timeout_ms(Some(20_000))
            .strip_ansi_escape_codes(true),
    )
    .unwrap()
}

/// Press a key once the session waits for one: the keys line is printed just before the key is
/// read, and a key typed before the terminal is switched to read single keys would wait there
/// for a line's end.
fn press(p: &mut PtySession, key: &str) {
    p.exp_string("q quit").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    p.send(key).unwrap();
    p.flush().unwrap();
}

fn file(vault: &Path, name: &str) -> String {
    fs::read_to_string(vault.join(name)).unwrap()
}

#[test]
fn each_key_writes_what_it_says() {
    let dir = vault();
    let v = dir.path();
    let mut p = session(v, &[]);
    // d: done, through the suggested channel, with the draft's subject as the text.
    p.exp_string("[1/3] Ann Lee").unwrap();
    press(&mut p, "d");
    p.exp_string("[2/3] Bea Cole").unwrap();
    let ann = file(v, "ann.md");
    assert!(ann.contains("\n## 2026-11-24 email - "), "{ann}");
    // n: done with a next step; a relative date is resolved.
    press(&mut p, "n");
    p.exp_string("Next step").unwrap();
    p.send_line("fri call - the quote").unwrap();
    p.flush().unwrap();
    p.exp_string("[3/3] Cy Diaz").unwrap();
    let bea = file(v, "bea.md");
    assert!(bea.contains("\n## 2026-11-24 "), "{bea}");
    assert!(bea.contains("next: 2026-11-27 call - the quote\n"), "{bea}");
    // s: snooze until a typed date.
    press(&mut p, "s");
    p.exp_string("Snooze until").unwrap();
    p.send_line("+2w").unwrap();
    p.flush().unwrap();
    p.exp_string("today: 2 touches logged (1 with a next step), 1 snoozed, 0 skipped")
        .unwrap();
    p.exp_string("exit 0").unwrap();
    p.exp_eof().unwrap();
    assert!(file(v, "cy.md").contains("snooze: 2026-12-08\n"));
    // Dee is upcoming, not today's work.
    assert_eq!(
        file(v, "dee.md"),
        "---\nname: Dee Eng\n---\n## 2026-11-04 call\n"
    );
}

#[test]
fn voicemail_skip_and_quit() {
    let dir = vault();
    let v = dir.path();
    let bea_before = file(v, "bea.md");
    let mut p = session(v, &[]);
    p.exp_string("[1/3] Ann Lee").unwrap();
    press(&mut p, "v");
    p.exp_string("[2/3] Bea Cole").unwrap();
    assert!(file(v, "ann.md").contains("\n## 2026-11-24 call - voicemail\n"));
    press(&mut p, "k");
    p.exp_string("[3/3] Cy Diaz").unwrap();
    press(&mut p, "q");
    p.exp_string("today: 1 touch logged, 0 snoozed, 1 skipped; 1 not reached")
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(file(v, "bea.md"), bea_before);
}

#[test]
fn open_and_edit_then_the_card_shows_the_change() {
    let dir = vault();
    let v = dir.path();
    let opened = v.join(".opened");
    let opener = v.join(".opener.sh");
    fs::write(
        &opener,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    let editor = v.join(".editor.sh");
    fs::write(
        &editor,
        "#!/bin/sh\nprintf '\\n## 2026-11-24 email - written in the editor\\n' >> \"$1\"\n",
    )
    .unwrap();
    for script in [&opener, &editor] {
        Command::new("chmod")
            .arg("+x")
            .arg(script)
            .status()
            .unwrap();
    }
    let mut p = session(
        v,
        &[
            ("TOUCHBASE_OPENER", opener.to_str().unwrap()),
            ("VISUAL", editor.to_str().unwrap()),
        ],
    );
    p.exp_string("[1/3] Ann Lee").unwrap();
    press(&mut p, "o");
    p.exp_string("opened mailto:ann@example.com").unwrap();
    assert!(
        fs::read_to_string(&opened)
            .unwrap()
            .starts_with("mailto:ann@example.com?")
    );
    press(&mut p, "e");
    // The card again, read anew: the touch written in the editor is the last one.
    p.exp_string("written in the editor").unwrap();
    press(&mut p, "q");
    p.exp_eof().unwrap();
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    let dir = vault();
    let v = dir.path();
    let mut p = session(v, &[]);
    p.exp_string("[1/3] Ann Lee").unwrap();
    p.exp_string("q quit").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    p.send_control('c').unwrap();
    p.exp_string("today: 0 touches logged").unwrap();
    p.exp_string("exit 0").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(
        file(v, ".before"),
        file(v, ".after"),
        "the terminal's settings changed"
    );
    // Also at a prompt: the session ends, and nothing is written.
    let mut p = session(v, &[]);
    press(&mut p, "s");
    p.exp_string("Snooze until").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    p.send_control('c').unwrap();
    p.exp_string("today: 0 touches logged").unwrap();
    p.exp_string("exit 0").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(
        file(v, ".before"),
        file(v, ".after"),
        "the terminal's settings changed"
    );
    assert!(!file(v, "ann.md").contains("snooze"));
}

#[test]
fn without_a_terminal_it_refuses_with_a_hint() {
    let dir = vault();
    touchbase(dir.path())
        .arg("today")
        .assert()
        .failure()
        .stderr(predicates::str::contains("needs a terminal"))
        .stderr(predicates::str::contains("touchbase due --stdout"));
}

/// With an owner (`TOUCHBASE_OWNER`), the session walks their contacts and the unassigned ones,
/// as `due --owner` lists them.
#[test]
fn an_owner_walks_their_contacts_and_the_unassigned_ones() {
    let dir = vault();
    let v = dir.path();
    fs::write(
        v.join("bea.md"),
        "---\nname: Bea Cole\nowner: Sam\n---\n## 2026-11-02 email\n",
    )
    .unwrap();
    fs::write(
        v.join("cy.md"),
        "---\nname: Cy Diaz\nowner: Tina Torres\n---\n## 2026-11-03 call\n",
    )
    .unwrap();
    let mut p = session(v, &[("TOUCHBASE_OWNER", "tina torres")]);
    p.exp_string("[1/2] Ann Lee").unwrap();
    press(&mut p, "k");
    p.exp_string("[2/2] Cy Diaz").unwrap();
    press(&mut p, "q");
    p.exp_eof().unwrap();
}

/// With `agenda.per_day`, the session walks the day's ranked list, in rank order, and no more.
#[test]
fn with_per_day_the_session_walks_the_ranked_list() {
    let dir = vault();
    let v = dir.path();
    fs::write(v.join("touchbase.toml"), "[agenda]\nper_day = 2\n").unwrap();
    let agenda = crate::due_json(v);
    let mut ranked: Vec<(u64, String)> = agenda["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| Some((i["rank"].as_u64()?, i["name"].as_str()?.to_string())))
        .collect();
    ranked.sort();
    assert_eq!(ranked.len(), 3, "{ranked:?}");
    let mut p = session(v, &[]);
    p.exp_string(&format!("[1/2] {}", ranked[0].1)).unwrap();
    press(&mut p, "k");
    p.exp_string(&format!("[2/2] {}", ranked[1].1)).unwrap();
    press(&mut p, "k");
    p.exp_string("today: 0 touches logged, 0 snoozed, 2 skipped")
        .unwrap();
    p.exp_eof().unwrap();
}

/// `o` then `d`: the touch is logged through the link opened (an email written), not the
/// suggested channel.
#[test]
fn done_after_opening_a_link_logs_that_links_channel() {
    let dir = tempfile::TempDir::new().unwrap();
    let v = dir.path();
    // Last touched by email: the rotation suggests a call, but she has only an email address.
    fs::write(
        v.join("eve.md"),
        "---\nname: Eve Fox\nemail: eve@example.com\n---\n## 2026-11-01 email\n",
    )
    .unwrap();
    let opener = v.join(".opener.sh");
    fs::write(&opener, "#!/bin/sh\nexit 0\n").unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&opener)
        .status()
        .unwrap();
    let mut p = session(v, &[("TOUCHBASE_OPENER", opener.to_str().unwrap())]);
    p.exp_string("try: call").unwrap();
    press(&mut p, "o");
    p.exp_string("(d logs it as email)").unwrap();
    press(&mut p, "d");
    p.exp_string("today: 1 touch logged").unwrap();
    p.exp_eof().unwrap();
    let eve = file(v, "eve.md");
    assert!(eve.contains("\n## 2026-11-24 email - "), "{eve}");
}
