//! `touchbase stats` on the hand-built `stats` fixture (figures worked out in src/stats.rs).

use crate::{fixture, touchbase};

fn stdout(args: &[&str], no_color: bool) -> String {
    let vault = fixture("stats");
    let mut cmd = touchbase(vault.path());
    if !no_color {
        cmd.env_remove("NO_COLOR");
    }
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn stats_terminal_view_without_colour() {
    let text = stdout(&["stats"], true);
    insta::assert_snapshot!("stats_plain", text);
}

#[test]
fn stats_json_has_the_same_figures() {
    let text = stdout(&["stats", "--json"], true);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["funnel"]["total"], 7);
    assert_eq!(v["promises"]["kept"], 1);
    insta::assert_snapshot!("stats_json", text);
}

#[test]
fn no_escape_codes_with_no_color_or_in_a_pipe() {
    // NO_COLOR set (and a pipe), then a pipe alone: plain text both times.
    for no_color in [true, false] {
        let text = stdout(&["stats"], no_color);
        assert!(text.contains("Persistence"), "{text}");
        assert!(
            !text.contains('\x1b'),
            "escape codes with NO_COLOR={no_color}"
        );
    }
}

#[test]
fn since_limits_the_weeks() {
    let text = stdout(&["stats", "--since", "2026-11-09"], true);
    assert!(text.contains("(touches since 2026-11-09)"), "{text}");
    assert!(
        text.contains("09 Nov") && !text.contains("02 Nov"),
        "{text}"
    );
}

#[test]
fn since_takes_a_relative_date() {
    // Tue 24 Nov: `last mon` is 23 Nov, so one week is left.
    let text = stdout(&["stats", "--since", "last mon"], true);
    assert!(text.contains("(touches since 2026-11-23)"), "{text}");
    assert!(
        text.contains("23 Nov") && !text.contains("16 Nov"),
        "{text}"
    );
}

#[test]
fn a_bad_since_is_a_usage_error() {
    let vault = fixture("stats");
    let out = touchbase(vault.path())
        .args(["stats", "--since", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--since \"soon\" is not a date"));
}

#[test]
fn show_lists_the_contacts_a_contact_referred() {
    // Carl Cruz is named by Ann ([[carl-cruz]]), Bob, Fay and Ivy ([[Carl Cruz]]).
    let vault = fixture("stats");
    let out = touchbase(vault.path())
        .args(["show", "Carl Cruz"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("referred: Ann Lee, Bob Roe, Fay Fu, Ivy Iu\n"),
        "{text}"
    );
    // Nobody names Eve Ek: no line.
    let out = touchbase(vault.path())
        .args(["show", "Eve Ek"])
        .output()
        .unwrap();
    assert!(!String::from_utf8(out.stdout).unwrap().contains("referred:"));
}

#[test]
fn vault_text_is_cleaned_before_it_reaches_the_terminal() {
    // A referrer named by no contact is shown as written: its escape must not reach stdout.
    let vault = fixture("stats");
    std::fs::write(
        vault.path().join("people/zed-zu.md"),
        "---\nname: Zed Zu\nstage: lead\nreferred_by: \"Mal\\e[31mory\"\n---\n",
    )
    .unwrap();
    let out = touchbase(vault.path()).arg("stats").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Mal\\e[31mory (not in the vault) (1): Zed Zu"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "{text}");
}
