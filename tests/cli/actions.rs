//! SPEC 11: `touchbase draft`, vault templates, and the action links in DUE.md and JSON.

use std::fs;

use predicates::prelude::*;

use super::{due_json, sample_vault, touchbase};

/// `touchbase draft ARGS...` on `vault`: its stdout. It must succeed.
fn draft(vault: &std::path::Path, args: &[&str]) -> String {
    let out = touchbase(vault).arg("draft").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The subject and body a `mailto:` link carries, decoded by an independent URL parser.
fn mailto_parts(url: &str) -> (String, String, String) {
    let parsed = url::Url::parse(url).unwrap();
    assert_eq!(parsed.scheme(), "mailto");
    let get = |key: &str| {
        parsed
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    (parsed.path().to_string(), get("subject"), get("body"))
}

#[test]
fn draft_prints_the_promise_the_first_follow_up_and_a_card() {
    let vault = sample_vault();
    // Jane's pending next step: the promised draft, with the promise's text, signed by `me`.
    let jane = draft(vault.path(), &["jane"]);
    assert!(
        jane.starts_with("Following up, as promised\n\nHi Jane,\n"),
        "{jane}"
    );
    assert!(jane.contains("\n[send the pricing sheet]\n"), "{jane}");
    assert!(jane.ends_with("Best,\nTina Torres\n"), "{jane}");
    // Omar's only touch is `met`: the first follow-up names where they met.
    let omar = draft(vault.path(), &["omar"]);
    assert!(
        omar.contains("Great to meet you at the Chamber of Commerce mixer."),
        "{omar}"
    );
    // A card for a client: the thank-you note.
    let kate = draft(vault.path(), &["kate", "--channel", "card"]);
    assert!(kate.starts_with("Thank you\n\nDear Kate,\n"), "{kate}");
    // A channel word from the config's [channels] counts; an unknown word is a usage error.
    touchbase(vault.path())
        .args(["draft", "kate", "--channel", "golf"])
        .assert()
        .success();
    touchbase(vault.path())
        .args(["draft", "kate", "--channel", "pigeon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--channel \"pigeon\" is not a channel word",
        ));
    touchbase(vault.path())
        .args(["draft", "nobody-at-all"])
        .assert()
        .code(1);
}

#[test]
fn a_vault_template_replaces_a_builtin_draft() {
    let vault = sample_vault();
    let config = vault.path().join("touchbase.toml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(
        &config,
        format!("{text}\n[templates]\nfirst_follow_up = \"templates/first.md\"\n"),
    )
    .unwrap();
    fs::write(
        vault.path().join("templates/first.md"),
        "# Hello from the {{met_text}}\n\n{{first_name}}, it was good to meet you.\n\
         {{#company}}Say hi to everyone at {{company}}.{{/company}}\n\n{{me}}\n",
    )
    .unwrap();
    assert_eq!(
        draft(vault.path(), &["omar"]),
        "Hello from the Chamber of Commerce mixer\n\nOmar, it was good to meet you.\n\
         Say hi to everyone at Ortiz Printing.\n\nTina Torres\n"
    );
    // The others stay built in.
    assert!(draft(vault.path(), &["jane"]).starts_with("Following up, as promised"));
}

#[test]
fn a_bad_template_is_a_clear_config_error() {
    for (value, file, expected) in [
        (
            "templates/none.md",
            None,
            "`templates.check_in`: cannot read the template \"templates/none.md\": no such file",
        ),
        (
            "../outside.md",
            None,
            "`templates.check_in`: \"../outside.md\" must be a path inside the vault",
        ),
        (
            "templates/bad.md",
            Some("Hi\n\n{{firstname}}\n"),
            "`templates.check_in`: the template \"templates/bad.md\", line 3: unknown placeholder `{{firstname}}`",
        ),
    ] {
        let vault = sample_vault();
        let config = vault.path().join("touchbase.toml");
        let text = fs::read_to_string(&config).unwrap();
        fs::write(
            &config,
            format!("{text}\n[templates]\ncheck_in = \"{value}\"\n"),
        )
        .unwrap();
        if let Some(body) = file {
            fs::write(vault.path().join(value), body).unwrap();
        }
        touchbase(vault.path())
            .arg("due")
            .assert()
            .code(1)
            .stderr(predicate::str::contains(expected));
    }
}

#[test]
fn due_md_items_carry_their_links_suggested_channel_first() {
    let vault = sample_vault();
    touchbase(vault.path()).arg("due").assert().success();
    let due = fs::read_to_string(vault.path().join("DUE.md")).unwrap();
    let line = |name: &str| {
        due.lines()
            .find(|l| l.starts_with("- [ ]") && l.contains(&format!("[{name}]")))
            .unwrap()
            .to_string()
    };
    // Jane promised a call: call first, then email and text.
    let jane = line("Jane Doe");
    let links: Vec<&str> = jane
        .split(" · ")
        .filter(|p| p.contains("]("))
        .skip(1)
        .collect();
    assert_eq!(links.len(), 3, "{jane}");
    assert_eq!(links[0], "[call](tel:+15550100)");
    assert!(
        links[1].starts_with("[email](mailto:jane@acme.example?subject="),
        "{jane}"
    );
    assert!(links[2].starts_with("[text](sms:+15550100?body="), "{jane}");
    // The mailto link carries the same draft `touchbase draft` prints.
    let url = &links[1]["[email](".len()..links[1].len() - 1];
    let (to, subject, body) = mailto_parts(url);
    assert_eq!(to, "jane@acme.example");
    let printed = draft(vault.path(), &["jane"]);
    assert_eq!(
        format!("{subject}\n\n{}\n", body.replace("\r\n", "\n")),
        printed
    );
    // No email and no phone: no links but the contact's own. Only an email: one.
    let omar = line("Omar Ortiz");
    assert_eq!(omar.matches("](").count(), 1, "{omar}");
    let ivy = line("Ivy Irwin");
    assert_eq!(ivy.matches("](mailto:").count(), 1, "{ivy}");
    assert!(!ivy.contains("](tel:") && !ivy.contains("](sms:"), "{ivy}");
}

#[test]
fn json_items_carry_the_same_actions() {
    let vault = sample_vault();
    let json = due_json(vault.path());
    let items = json["items"].as_array().unwrap();
    let jane = items.iter().find(|i| i["name"] == "Jane Doe").unwrap();
    let actions = jane["actions"].as_array().unwrap();
    let kinds: Vec<&str> = actions
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["call", "email", "text"]);
    assert_eq!(actions[0]["url"], "tel:+15550100");
    let (_, subject, _) = mailto_parts(actions[1]["url"].as_str().unwrap());
    assert_eq!(subject, "Following up, as promised");
    let omar = items.iter().find(|i| i["name"] == "Omar Ortiz").unwrap();
    assert_eq!(omar["actions"], serde_json::json!([]));
    // DUE.md has the very same URLs.
    touchbase(vault.path()).arg("due").assert().success();
    let due = fs::read_to_string(vault.path().join("DUE.md")).unwrap();
    for a in actions {
        let link = format!(
            "[{}]({})",
            a["kind"].as_str().unwrap(),
            a["url"].as_str().unwrap()
        );
        assert!(due.contains(&link), "{link}");
    }
}

#[test]
fn the_readme_shows_drafts_as_they_print() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme.find("```text\n$ touchbase draft ").unwrap() + "```text\n".len();
    let block = &readme[start..];
    let block = &block[..block.find("```").unwrap()];
    let vault = sample_vault();
    let shown: Vec<&str> = block.split("$ touchbase draft ").skip(1).collect();
    assert_eq!(shown.len(), 2, "{block}");
    for one in shown {
        let (contact, output) = one.split_once('\n').unwrap();
        let printed = draft(vault.path(), &[contact]);
        // Blank lines separate the examples in the README.
        assert_eq!(output.trim_end(), printed.trim_end(), "{contact}");
    }
}

#[test]
fn a_commonmark_parser_reads_the_links_as_written() {
    use pulldown_cmark::{Event, Parser, Tag};
    // Every link in DUE.md, as a CommonMark parser reads it: the action links must come out
    // whole (no parenthesis, space or entity in them may cut or change a destination).
    let vault = sample_vault();
    let json = due_json(vault.path());
    touchbase(vault.path()).arg("due").assert().success();
    let due = fs::read_to_string(vault.path().join("DUE.md")).unwrap();
    let parsed: Vec<String> = Parser::new(&due)
        .filter_map(|e| match e {
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.into_string()),
            _ => None,
        })
        .filter(|url| !url.starts_with("./"))
        .collect();
    let expected: Vec<String> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["actions"].as_array().unwrap().iter())
        .map(|a| a["url"].as_str().unwrap().to_string())
        .collect();
    // Each link written is read back whole, and is one of the JSON's.
    let written = ["](mailto:", "](tel:", "](sms:"]
        .iter()
        .map(|w| due.matches(w).count())
        .sum::<usize>();
    assert!(written > 10, "{due}");
    assert_eq!(parsed.len(), written, "{parsed:?}");
    for url in &parsed {
        assert!(expected.contains(url), "{url} not read whole from DUE.md");
    }
}
