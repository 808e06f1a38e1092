//! `init` in a folder that already holds notes: it looks at them, read-only, and proposes the
//! settings to read them (SPEC 10), commented out in a new `touchbase.toml` or printed when one
//! exists.

use std::fs;
use std::path::Path;

use crate::{snapshot_files, touchbase};

/// What init writes besides the notes; everything else must be left byte for byte.
const INIT_FILES: &[&str] = &[
    "touchbase.toml",
    ".gitignore",
    ".gitattributes",
    ".touchbase.lock",
];

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// An Obsidian vault: people without a `name` in `People/`, a company, daily notes that link
/// to people, and a project.
fn obsidian_vault(root: &Path) {
    for name in ["Jane Doe", "Bob Smith", "Carl Jung", "Dee Dee"] {
        write(
            root,
            &format!("People/{name}.md"),
            &format!(
                "---\ntype: person\nlast_contacted: 2026-01-02\ncontact_cadence: 30\n---\n# {name}\n"
            ),
        );
    }
    write(
        root,
        "Companies/Acme.md",
        "---\ntype: company\nname: Acme\n---\n",
    );
    write(
        root,
        "Daily/2026-01-05.md",
        "---\nattendees: [\"[[Jane Doe]]\"]\n---\nLunch with [[Bob Smith]].\n",
    );
    write(root, "Daily/2026-01-06.md", "Nothing.\n");
    write(root, "Projects/Roof.md", "---\nstatus: open\n---\n");
    write(root, ".obsidian/app.json", "{}\n");
}

fn others(root: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    snapshot_files(root)
        .into_iter()
        .filter(|(p, _)| {
            let rel = p.strip_prefix(root).unwrap().to_str().unwrap();
            !INIT_FILES.contains(&rel)
        })
        .collect()
}

fn init(root: &Path) -> (String, String) {
    let out = touchbase(root).arg("init").arg(root).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        fs::read_to_string(root.join("touchbase.toml")).unwrap(),
    )
}

/// The default config without its general example of the settings for other tools' vaults,
/// which proposals for the folder replace.
fn config_without_example() -> &'static str {
    let config = touchbase::cmd::init::CONFIG;
    &config[..config.find("\n# Notes kept by another tool").unwrap()]
}

const PROPOSALS: &str = "
# touchbase init looked at 8 notes here and proposes the settings below to read
# them as they are (otherwise only a file with a `name` is a contact). Uncomment them
# to use them, then run `touchbase check --explain <a note>` to see how a note is read.
#
# [contacts]
# # People/: 4 of 4 notes have no name
# folders = [\"People\"]
# skip = { type = [\"company\"] }
#
# [fields]
# cadence = [\"contact_cadence\"]
# last = [\"last_contacted\"]
#
# [touches]
# # 1 dated note links to other notes
# notes = true
# link_keys = [\"attendees\"]
";

#[test]
fn init_in_an_obsidian_vault_proposes_settings_commented_out() {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    obsidian_vault(root);
    let before = others(root);
    let (stdout, config) = init(root);
    assert_eq!(
        config,
        format!("{}{PROPOSALS}", config_without_example()),
        "{config}"
    );
    for line in [
        "People/: 4 of 4 notes have no name; proposed [contacts] folders\n",
        "type company (1): not people; proposed [contacts] skip\n",
        "keys other tools write: contact_cadence (4), last_contacted (4); proposed [fields]\n",
        "1 dated note links to other notes; proposed [touches] notes = true and link_keys attendees (1)\n",
        "edit touchbase.toml, uncomment the proposals, then run touchbase --vault ",
        " check --explain \"People/Bob Smith.md\"\n",
    ] {
        assert!(stdout.contains(line), "{line:?} in\n{stdout}");
    }
    // Read-only: no note changed, none added (but the empty `contacts/` folder).
    assert_eq!(others(root), before);
    // The written settings parse: `check` reports on the vault (0 or 1), not a usage error.
    let code = touchbase(root).arg("check").output().unwrap().status.code();
    assert!(matches!(code, Some(0 | 1)), "{code:?}");
    // The same vault gives the same bytes.
    let again = tempfile::TempDir::new().unwrap();
    obsidian_vault(again.path());
    assert_eq!(init(again.path()).1, config);
}

#[test]
fn an_existing_config_is_left_byte_identical_and_the_proposals_are_printed() {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    obsidian_vault(root);
    let mine = b"# mine\n[agenda]\nfile = \"AGENDA.md\"\n";
    fs::write(root.join("touchbase.toml"), mine).unwrap();
    let before = others(root);
    let (stdout, _) = init(root);
    assert_eq!(fs::read(root.join("touchbase.toml")).unwrap(), mine);
    assert_eq!(others(root), before);
    assert!(
        stdout.contains(
            "touchbase.toml exists and is left as it is; to read these notes, add to it:\n  \
             [contacts]\n  # People/: 4 of 4 notes have no name\n  folders = [\"People\"]\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("  link_keys = [\"attendees\"]\nthen run touchbase --vault "));
    // A second run, with everything in place, still shows the proposals.
    let (stdout, _) = init(root);
    assert!(
        stdout.contains("nothing to add\nPeople/: 4 of 4 notes"),
        "{stdout}"
    );
    assert_eq!(fs::read(root.join("touchbase.toml")).unwrap(), mine);
}

#[test]
fn notes_that_need_no_settings_get_the_plain_config() {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    for name in ["ann", "bob", "cy"] {
        write(
            root,
            &format!("contacts/{name}.md"),
            &format!("---\nname: {name}\nemail: {name}@example.com\n---\n"),
        );
    }
    write(root, "ideas.md", "Call [[ann]] about it.\n");
    let (stdout, config) = init(root);
    assert_eq!(config, touchbase::cmd::init::CONFIG);
    assert!(!stdout.contains("proposed"), "{stdout}");
}

/// A large vault is sampled, not read whole: init says how many notes it looked at.
#[test]
fn a_large_vault_is_sampled() {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    for i in 0..3100 {
        write(
            root,
            &format!("People/p{i:04}.md"),
            "---\nlast_contact: 2026-01-01\n---\n",
        );
    }
    let (stdout, config) = init(root);
    assert!(
        config.contains("# touchbase init looked at 3000 of the 3100 notes here"),
        "{config}"
    );
    assert!(
        stdout.contains("People/: 3000 of 3000 notes have no name; proposed [contacts] folders"),
        "{stdout}"
    );
}

/// Notes reached through a link out of the vault are not looked at.
#[cfg(unix)]
#[test]
fn notes_outside_the_vault_are_not_read() {
    let dir = tempfile::TempDir::new().unwrap();
    let outside = dir.path().join("outside");
    for name in ["a", "b", "c", "d"] {
        write(
            &outside,
            &format!("People/{name}.md"),
            "---\nemail: x\n---\n",
        );
    }
    let root = dir.path().join("vault");
    write(&root, "notes.md", "plain\n");
    std::os::unix::fs::symlink(outside.join("People"), root.join("People")).unwrap();
    let (stdout, config) = init(&root);
    assert_eq!(config, touchbase::cmd::init::CONFIG);
    assert!(!stdout.contains("People/"), "{stdout}");
}

/// The proposals, uncommented as a user would, read the vault: the four people are contacts
/// (the company is not), and the daily note's links are touches.
#[test]
fn uncommented_proposals_read_the_vault() {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    obsidian_vault(root);
    let (_, config) = init(root);
    let block = config.split("# touchbase init looked at").nth(1).unwrap();
    let settings: String = block
        .lines()
        .skip(3)
        .filter(|l| *l != "#")
        .map(|l| format!("{}\n", l.strip_prefix("# ").unwrap_or(l)))
        .collect();
    fs::write(root.join("touchbase.toml"), &settings).unwrap();
    touchbase(root)
        .arg("check")
        .assert()
        .success()
        .stdout("no problems in 4 contacts\n");
    let out = touchbase(root)
        .args(["check", "--explain", "People/Jane Doe.md"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "People/Jane Doe.md: a contact, because it is below People/ (contacts.folders)\n",
        "  name: Jane Doe (from the file name)\n",
        "  read from other keys ([fields]): cadence from `contact_cadence`, last from `last_contacted`\n",
        "  2 touches:\n",
        "    2026-01-05  other      from the note Daily/2026-01-05.md\n",
        "    2026-01-02  contacted  from `last_contacted` on line 3 ([fields] last)\n",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    let out = touchbase(root)
        .args(["check", "--explain", "Companies/Acme.md"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Companies/Acme.md: not a contact, because its `type` is \"company\" (contacts.skip)\n  \
         a note, not a touch: it has no date (a file name that starts with YYYY-MM-DD, or a \
         `date:` key)\n"
    );
}

/// Note templates (Obsidian's `Templates/`) hold placeholders, never people: init leaves them out
/// of what it looks at, and the new config ignores them, so that a template with
/// `name: "{{title}}"` never shows up in DUE.md.
#[test]
fn template_folders_are_ignored_from_the_start() {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    for name in ["Ann Lee", "Bob Roe", "Cy Diaz"] {
        write(
            root,
            &format!("People/{name}.md"),
            "---\ntags: [person]\n---\nNotes.\n",
        );
    }
    write(
        root,
        "Templates/Person.md",
        "---\nname: \"{{title}}\"\ntags: [person]\n---\n# {{title}}\n",
    );
    write(
        root,
        "Templates/Meeting.md",
        "---\ndate: \"{{date}}\"\n---\n",
    );
    let (stdout, config) = init(root);
    assert!(
        stdout.contains("Templates: note templates, never contacts: touchbase.toml ignores them\n"),
        "{stdout}"
    );
    assert!(
        config.contains("\nignore = [\"Templates/**\"]\n"),
        "{config}"
    );
    // The people folder is proposed; no `match` that would also take the template.
    assert!(config.contains("# folders = [\"People\"]\n"), "{config}");
    assert!(!config.contains("match"), "{config}");
    // As written, the template is no contact.
    let out = touchbase(root).args(["due", "--stdout"]).output().unwrap();
    let due = String::from_utf8(out.stdout).unwrap();
    assert!(!due.contains("title"), "{due}");
    // And init no longer says to add a first contact: the vault has people already.
    assert!(!stdout.contains("Your First Contact"), "{stdout}");
}
