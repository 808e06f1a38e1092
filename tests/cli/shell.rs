//! `touchbase completions SHELL` and `touchbase man`: the scripts, contact names offered by the
//! bash script, and the man page.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::{cache_dir, fixture, touchbase};

/// The completion script for `shell`, as text.
fn script(shell: &str) -> String {
    let dir = tempfile::TempDir::new().unwrap();
    let out = touchbase(dir.path())
        .args(["completions", shell])
        .output()
        .unwrap();
    assert!(out.status.success(), "{shell}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Run bash's completion for `words` (the last one being completed) with the bash script
/// sourced, `touchbase` on the PATH and `env` set; what it offers, one a line.
fn bash_complete(words: &[&str], env: &[(&str, &Path)]) -> Vec<String> {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("touchbase.bash");
    fs::write(&file, script("bash")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("touchbase");
    let path = std::env::join_paths(std::iter::once(bin.parent().unwrap().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let quoted: Vec<String> = words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
        .collect();
    let cword = words.len() - 1;
    let prev = if cword > 0 {
        quoted[cword - 1].clone()
    } else {
        String::new()
    };
    let code = format!(
        "source \"$1\"; COMP_WORDS=({}); COMP_CWORD={cword}; \
         _touchbase_with_contacts touchbase {} {prev}; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        quoted.join(" "),
        quoted[cword],
    );
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(code)
        .arg("bash")
        .arg(&file)
        .current_dir(dir.path())
        .env("PATH", path)
        .env("TOUCHBASE_CACHE_DIR", cache_dir())
        .env_remove("TOUCHBASE_VAULT")
        .env_remove("TOUCHBASE_TODAY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

fn vault_with_jane() -> tempfile::TempDir {
    let vault = fixture("basic");
    fs::write(
        vault.path().join("people/jane-doe.md"),
        "---\nname: Jane Doe\n---\n",
    )
    .unwrap();
    vault
}

#[test]
fn bash_offers_the_vaults_contacts_for_a_contact_argument() {
    let vault = vault_with_jane();
    let env = [("TOUCHBASE_VAULT", vault.path())];
    for command in ["show", "log", "snooze"] {
        let offered = bash_complete(&["touchbase", command, "ja"], &env);
        assert_eq!(offered, ["jane-doe"], "{command}");
    }
    // Folded as lookups fold: a name typed in capitals, the start of a name with a space.
    let offered = bash_complete(&["touchbase", "show", "Jane"], &env);
    assert_eq!(offered, ["jane-doe"]);
    let all = bash_complete(&["touchbase", "show", ""], &env);
    assert!(all.contains(&"jane-doe".to_string()), "{all:?}");
    assert!(all.contains(&"anna-adams".to_string()), "{all:?}");
    // A stem with spaces comes quoted for the shell.
    let offered = bash_complete(&["touchbase", "show", "dan"], &env);
    assert_eq!(offered, [r"dan\ o\'day\ \(vip\)"]);
}

#[test]
fn bash_completes_contacts_of_the_vault_on_the_line_and_only_for_the_contact() {
    let vault = vault_with_jane();
    let v = vault.path().to_str().unwrap();
    let offered = bash_complete(&["touchbase", "--vault", v, "show", "ja"], &[]);
    assert_eq!(offered, ["jane-doe"]);
    // The channel of `log` is not a contact; options and commands are clap_complete's.
    let offered = bash_complete(&["touchbase", "--vault", v, "log", "jane-doe", "ja"], &[]);
    assert!(!offered.contains(&"jane-doe".to_string()), "{offered:?}");
    let offered = bash_complete(&["touchbase", "--vault", v, "show", "--he"], &[]);
    assert_eq!(offered, ["--help"]);
    let offered = bash_complete(&["touchbase", "sno"], &[]);
    assert_eq!(offered, ["snooze"]);
}

#[test]
fn complete_contacts_prints_nothing_without_a_vault() {
    let dir = tempfile::TempDir::new().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("touchbase");
    let out = Command::new(bin)
        .args(["__complete-contacts", "ja"])
        .current_dir(dir.path())
        .env_remove("TOUCHBASE_VAULT")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
}

#[test]
fn every_shell_gets_a_script() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = script(shell);
        assert!(text.contains("snooze"), "{shell}: {text}");
        assert!(!text.contains("__complete-contacts") || matches!(shell, "bash" | "zsh"));
    }
    // zsh completes the CONTACT of log, show, snooze and draft with the vault's contacts, and the
    // function is defined before the script's last lines run it.
    let zsh = script("zsh");
    assert_eq!(zsh.matches(":_touchbase_contacts'").count(), 4, "{zsh}");
    let defined = zsh.find("_touchbase_contacts() {").unwrap();
    assert!(defined < zsh.find("compdef _touchbase touchbase").unwrap());
    assert!(zsh.contains("touchbase __complete-contacts"));
}

#[test]
fn man_page_covers_every_command() {
    use clap::CommandFactory;
    let dir = tempfile::TempDir::new().unwrap();
    let out = touchbase(dir.path()).arg("man").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with(".TH touchbase 1"), "{page}");
    let cmd = touchbase::cli::Cli::command();
    for sub in cmd.get_subcommands() {
        let heading = format!(".SH \"TOUCHBASE {}\"", sub.get_name().to_uppercase());
        assert!(page.contains(&heading), "{heading}");
        for opt in sub.get_arguments().filter_map(|a| a.get_long()) {
            assert!(page.contains(&opt.replace('-', "\\-")), "{opt}");
        }
    }
    assert!(page.contains(".SH \"TOUCHBASE GIT SETUP\""));
    assert!(!page.contains("complete-contacts"));
}

#[test]
fn bash_inside_an_opened_quote_offers_only_what_extends_the_typed_text() {
    let vault = vault_with_jane();
    let env = [("TOUCHBASE_VAULT", vault.path())];
    // Readline completes the text after the quote: a stem that starts with it, unescaped.
    assert_eq!(
        bash_complete(&["touchbase", "show", "\"ja"], &env),
        ["jane-doe"]
    );
    assert_eq!(
        bash_complete(&["touchbase", "show", "\"dan o"], &env),
        ["dan o'day (vip)"]
    );
    // A name (not a stem) would be glued to what was typed: nothing is offered.
    assert!(bash_complete(&["touchbase", "show", "\"Jane"], &env).is_empty());
    // An escaped word outside quotes is asked for without its backslashes.
    assert_eq!(
        bash_complete(&["touchbase", "show", r"dan\ o"], &env),
        [r"dan\ o\'day\ \(vip\)"]
    );
}
