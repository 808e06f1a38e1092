//! Vault text that tries to drive the terminal: file names and front matter with ESC, BEL, CR,
//! newlines and right-to-left overrides. Whatever `due`, `check`, `show` and `watch` print must
//! hold none of them raw, and each message stays on its own line.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

use crate::touchbase;
use crate::watch::Watcher;

/// The characters that must never be printed raw (other than the `\n` ending each line),
/// listed here rather than taken from the code under test.
fn is_raw_control(c: char) -> bool {
    (c.is_ascii_control() && c != '\n')
        || ('\u{80}'..='\u{9f}').contains(&c)
        || ('\u{200b}'..='\u{200f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{61c}')
}

fn assert_clean(what: &str, bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let raw: Vec<char> = text.chars().filter(|&c| is_raw_control(c)).collect();
    assert!(raw.is_empty(), "{what} printed {raw:?} raw:\n{text:?}");
    text
}

/// ESC ] 0 ; ... BEL sets the terminal's title; ESC [ 2 J clears the screen; U+202E reverses
/// what follows.
const TITLE: &str = "\u{1b}]0;owned\u{7}";
const CLEAR: &str = "\u{1b}[2J";
const RLO: &str = "\u{202e}";

/// A contact whose name, values and file name are hostile, and a broken file with a hostile
/// name. YAML double-quoted strings spell the characters as `\e`, `\a`, `\r`, `\n`, `\u202E`.
fn hostile_vault() -> TempDir {
    let dir = TempDir::new().unwrap();
    let v = dir.path();
    fs::create_dir_all(v.join("people")).unwrap();
    fs::write(
        v.join("touchbase.toml"),
        "[agenda]\nfile = \"DUE\\u001b]0;owned\\u0007.md\"\n",
    )
    .unwrap();
    fs::write(
        v.join(format!("people/ann{CLEAR}\r{RLO}.md")),
        "---\n\
         name: \"Ann\\e]0;owned\\aEvil\\u202Ecod.exe\"\n\
         company: \"Co\\r\\nFake line\"\n\
         stage: \"vip\\e[2J\"\n\
         email: \"ann@x.example\\e[H\"\n\
         interests: [\"sail\\u2066ing\"]\n\
         next: \"2026-11-25 call - send the\\e[31m deck\\u202E\"\n\
         ---\n\
         ## 2026-11-01 coffee \u{1b}[2J talked\u{7} \u{202e}about it\n",
    )
    .unwrap();
    fs::write(
        v.join(format!("bad\nname{CLEAR}{RLO}.md")),
        "---\nname: Bad\nsnooze: \"soon\\e[2J\"\n---\n",
    )
    .unwrap();
    dir
}

#[test]
fn due_prints_no_raw_control_characters() {
    let vault = hostile_vault();
    let out = touchbase(vault.path()).arg("due").output().unwrap();
    assert!(out.status.success());
    let stdout = assert_clean("due's summary", &out.stdout);
    let stderr = assert_clean("due's warnings", &out.stderr);
    assert!(
        stdout.ends_with("-> DUE\\e]0;owned\\u{7}.md\n"),
        "{stdout:?}"
    );
    // One warning, on one line, naming the file with its newline shown as `\n`.
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(
        stderr.starts_with(
            "warning: bad\\nname\\e[2J\\u{202e}.md:3: invalid `snooze` \"soon\\e[2J\""
        ),
        "{stderr:?}"
    );
}

#[test]
fn check_prints_no_raw_control_characters() {
    let vault = hostile_vault();
    let out = touchbase(vault.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = assert_clean("check", &out.stdout);
    assert_clean("check's count", &out.stderr);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout:?}");
    assert!(
        lines[0].starts_with("people/ann\\e[2J\\r\\u{202e}.md: warning: stage \"vip\\e[2j\""),
        "{stdout:?}"
    );
    assert!(
        lines[1].starts_with("bad\\nname\\e[2J\\u{202e}.md:3: "),
        "{stdout:?}"
    );
}

#[test]
fn show_prints_no_raw_control_characters() {
    let vault = hostile_vault();
    let out = touchbase(vault.path())
        .args(["show", "evil"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", out);
    let text = assert_clean("show", &out.stdout);
    for want in [
        "Ann\\e]0;owned\\u{7}Evil\\u{202e}cod.exe · Co\\r\\nFake line\n",
        "people/ann\\e[2J\\r\\u{202e}.md\n",
        "stage: vip\\e[2j · ",
        "email: ann@x.example\\e[H\n",
        "interests: sail\\u{2066}ing\n",
        "next step: 2026-11-25 call - send the\\e[31m deck\\u{202e}\n",
        "due Wed 25 Nov 2026 (tomorrow): next step: call - send the\\e[31m deck\\u{202e} · ",
        "  2026-11-01  coffee     \\e[2J talked\\u{7} \\u{202e}about it\n",
    ] {
        assert!(text.contains(want), "{want:?} not in\n{text}");
    }
}

#[test]
fn draft_prints_no_raw_control_characters() {
    let vault = hostile_vault();
    let out = touchbase(vault.path())
        .args(["draft", "evil"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", out);
    let text = assert_clean("draft", &out.stdout);
    for want in [
        "[send the\\e[31m deck\\u{202e}]\n",
        "Hi Ann\\e]0;owned\\u{7}Evil\\u{202e}cod.exe,\n",
    ] {
        assert!(text.contains(want), "{want:?} not in\n{text}");
    }
    // An email value with a control character in it is no address: no email link in DUE.md.
    touchbase(vault.path()).arg("due").assert().success();
    let due = fs::read_dir(vault.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("DUE"))
        .unwrap();
    let due = fs::read_to_string(due).unwrap();
    assert!(due.contains("[Ann"), "{due}");
    assert!(!due.contains("mailto:"), "{due}");
}

#[test]
fn lookup_errors_list_candidates_one_per_line() {
    let vault = hostile_vault();
    let v = vault.path();
    fs::write(v.join("z\n1.md"), "---\nname: \"Zed\\e[2J One\"\n---\n").unwrap();
    fs::write(
        v.join(format!("z{RLO}2.md")),
        "---\nname: \"Zed\\r Two\"\n---\n",
    )
    .unwrap();
    let out = touchbase(v).args(["show", "zed"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_clean("show's stdout", &out.stdout);
    let stderr = assert_clean("show's error", &out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "touchbase: error: \"zed\" matches 2 contacts:",
            "  Zed\\e[2J One (z\\n1.md)",
            "  Zed\\r Two (z\\u{202e}2.md)",
        ],
        "{stderr:?}"
    );
}

#[test]
fn watch_prints_no_raw_control_characters() {
    let vault = hostile_vault();
    let v = vault.path();
    let w = Watcher::start(v);
    write_new(v, &format!("new{TITLE}\n{RLO}.md"), "---\nname: New\n---\n");
    w.wait_for_line("\\u{202e}.md changed: ");
    write_new(
        v,
        &format!("worse{CLEAR}.md"),
        "---\nname: W\nnext: \"x\\e[2J\"\n---\n",
    );
    w.wait_for_line("worse\\e[2J.md changed: ");
    w.wait_for_line("warning: worse");
    let output = w.output();
    let text = output.join("\n");
    assert_clean("watch", text.as_bytes());
    assert!(
        output
            .iter()
            .any(|l| l.starts_with("new\\e]0;owned\\u{7}\\n\\u{202e}.md changed: ")),
        "{output:#?}"
    );
    assert!(
        output
            .iter()
            .any(|l| l.starts_with("warning: worse\\e[2J.md:3: invalid `next` \"x\\e[2J\"")),
        "{output:#?}"
    );
}

fn write_new(vault: &Path, name: &str, text: &str) {
    fs::write(vault.join(name), text).unwrap();
}

/// JSON is for programs: serde_json escapes C0 controls (ESC as `\u001b`), which is what a
/// terminal needs, and leaves other characters, bidirectional controls included, as they are.
#[test]
fn json_escapes_c0_controls_and_keeps_the_rest() {
    let vault = hostile_vault();
    let text = crate::due_json_text(vault.path());
    assert!(!text.contains(|c: char| c.is_ascii_control() && c != '\n'));
    assert!(
        text.contains("Ann\\u001b]0;owned\\u0007Evil\u{202e}cod.exe"),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let names: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&format!("Ann{TITLE}Evil{RLO}cod.exe").as_str()),
        "{names:?}"
    );
}

#[test]
fn log_and_add_print_no_raw_control_characters() {
    let vault = hostile_vault();
    let out = touchbase(vault.path())
        .args(["log", "evil", "email", "sent the deck"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = assert_clean("log", &out.stdout);
    assert!(
        stdout
            .starts_with("people/ann\\e[2J\\r\\u{202e}.md: ## 2026-11-24 email - sent the deck\n"),
        "{stdout:?}"
    );
    assert_clean("log's notes", &out.stderr);
    // `add` warns about the existing email, naming the hostile file and value.
    let out = touchbase(vault.path())
        .args(["add", "Ann Again", "--email", "ann@x.example\u{1b}[H"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "control characters are refused");
    let out = touchbase(vault.path())
        .args(["add", "Evil Twin", "--stage", "vip\u{202e}"])
        .output()
        .unwrap();
    // An unknown stage is a usage error, which names it escaped.
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_clean("add", &out.stdout);
    let stderr = assert_clean("add's refusal", &out.stderr);
    assert!(stderr.contains("vip\\u{202e}"), "{stderr:?}");
}
