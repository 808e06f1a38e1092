//! `touchbase completions SHELL`, `touchbase man`, and the hidden `touchbase __complete-contacts
//! [PREFIX]` that the bash and zsh scripts call to complete a CONTACT argument.
//!
//! The scripts are clap_complete's, generated from the command line's own definition; for bash
//! and zsh a small function is added that offers the vault's contacts (their file stems) for the
//! CONTACT of `log`, `show`, `snooze` and `draft`. The man page is clap_mangen's page of
//! touchbase, followed by a section for each command.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Write as _;

use anyhow::Result;
use clap::Parser;
use clap_complete::Shell;

use super::{Context, Loaded, print_stdout};
use crate::cli::CompleteContacts;
use crate::exit::Code;
use crate::lookup::{file_name, fold, stem};
use crate::model::Contact;

/// The hidden command's name: the first argument that makes `run` call [`contacts`].
pub const COMPLETE_CONTACTS: &str = "__complete-contacts";

/// The commands whose first argument is a contact.
const CONTACT_COMMANDS: &str = "log|show|snooze|draft";

/// Print the completion script for `shell`, generated from `cmd`.
pub fn run(mut cmd: clap::Command, shell: Shell) -> Result<Code> {
    let name = cmd.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, &name, &mut script);
    let script = String::from_utf8(script)?;
    let script = match shell {
        Shell::Bash => format!("{script}{}", bash_contacts(&name)),
        Shell::Zsh => zsh_contacts(&script, &name),
        _ => script,
    };
    print_stdout(&script)?;
    Ok(Code::Success)
}

/// A bash function that completes the CONTACT of log, show, snooze and draft with the vault's
/// contacts (the vault named on the line with `--vault`, else found as usual) and leaves
/// everything else to clap_complete's `_touchbase`; it replaces that one as the completion of
/// `touchbase`.
fn bash_contacts(name: &str) -> String {
    let f = name.replace('-', "__");
    format!(
        r#"
# Contacts for the CONTACT of {CONTACT_COMMANDS}: `{name} {COMPLETE_CONTACTS}` lists the
# vault's contacts (file stems), one a line.
_{f}_with_contacts() {{
    local i w sub="" given=0 takes="" vault=() cur="${{2-${{COMP_WORDS[COMP_CWORD]}}}}"
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${{COMP_WORDS[i]}}"
        if [[ -n "$takes" ]]; then
            [[ "$takes" == --vault ]] && vault=(--vault "${{w/#\~\//$HOME/}}")
            takes=""
            continue
        fi
        case "$w" in
            --vault|--today|--date|--note|--next) takes="$w" ;;
            --vault=*) w="${{w#--vault=}}"; vault=(--vault "${{w/#\~\//$HOME/}}") ;;
            -*) ;;
            *) if [[ -z "$sub" ]]; then sub="$w"; else given=1; fi ;;
        esac
    done
    if [[ "$cur" != -* && -z "$takes" && $given -eq 0 ]]; then
        case "$sub" in
            {CONTACT_COMMANDS})
                local line query="$cur" quoted=""
                # In an opened quote, readline completes the text after it: offer only what
                # starts with that text, as typed, unescaped. Outside quotes, drop the
                # backslashes of an escaped word before asking.
                case "$cur" in
                    \"*|\'*) quoted=1; query="${{cur:1}}" ;;
                    *) query="${{cur//\\/}}" ;;
                esac
                COMPREPLY=()
                while IFS= read -r line; do
                    if [[ -n "$quoted" ]]; then
                        [[ "$line" == "$query"* ]] && COMPREPLY+=("$line")
                    else
                        COMPREPLY+=("$(printf '%q' "$line")")
                    fi
                done < <({name} {COMPLETE_CONTACTS} "${{vault[@]}}" -- "$query" 2>/dev/null)
                return 0
                ;;
        esac
    fi
    _{f} "$@"
}}

if [[ "${{BASH_VERSINFO[0]}}" -eq 4 && "${{BASH_VERSINFO[1]}}" -ge 4 || "${{BASH_VERSINFO[0]}}" -gt 4 ]]; then
    complete -F _{f}_with_contacts -o nosort -o bashdefault -o default {name}
else
    complete -F _{f}_with_contacts -o bashdefault -o default {name}
fi
"#
    )
}

/// clap_complete's zsh script with the CONTACT of log, show, snooze and draft completed by a
/// function that asks `touchbase __complete-contacts`. The function goes right after the
/// `#compdef` line, so it is defined before the script's last lines call `_touchbase`.
fn zsh_contacts(script: &str, name: &str) -> String {
    let f = name.replace('-', "__");
    let function = format!(
        r#"
# Contacts for the CONTACT of {CONTACT_COMMANDS}: `{name} {COMPLETE_CONTACTS}` lists the
# vault's contacts (file stems), one a line.
_{f}_contacts() {{
    local -a contacts vault
    local i dir
    for ((i = 2; i < CURRENT; i++)); do
        case "${{words[i]}}" in
            --vault) dir="${{(Q)words[i+1]}}" ;;
            --vault=*) dir="${{(Q)words[i]#--vault=}}" ;;
        esac
    done
    [[ -n "$dir" ]] && vault=(--vault "${{dir/#\~\//$HOME/}}")
    contacts=(${{(f)"$({name} {COMPLETE_CONTACTS} "${{vault[@]}}" -- "$PREFIX" 2>/dev/null)"}})
    compadd -U -a contacts
}}
"#
    );
    let mut out = String::with_capacity(script.len() + function.len());
    let mut lines = script.split_inclusive('\n');
    if let Some(first) = lines.next() {
        out.push_str(first);
    }
    out.push_str(&function);
    for line in lines {
        // `':contact -- The contact...:_default' \` in the specs of log, show, snooze and draft.
        let is_contact = line.trim_start().starts_with("':contact -- ");
        match line.rfind(":_default'") {
            Some(at) if is_contact => {
                out.push_str(&line[..at]);
                out.push_str(&format!(":_{f}_contacts'"));
                out.push_str(&line[at + ":_default'".len()..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// `touchbase __complete-contacts [--vault DIR] [PREFIX]`: the contacts that PREFIX may start,
/// one a line. With no vault, or anything else wrong, it prints nothing: a completion must never
/// print an error into the user's command line.
pub fn contacts(args: &[OsString]) -> Code {
    let Ok(cli) = CompleteContacts::try_parse_from(args) else {
        return Code::Usage;
    };
    let mut ctx = Context::from_global(&cli.global);
    ctx.quiet = true;
    ctx.verbose = false;
    let Ok(loaded) = Loaded::open(&ctx) else {
        return Code::Success;
    };
    let all: Vec<&Contact> = loaded.cache.contacts().collect();
    let mut out = std::io::stdout().lock();
    for word in candidates(&all, cli.prefix.as_deref().unwrap_or("")) {
        if writeln!(out, "{word}").is_err() {
            break;
        }
    }
    Code::Success
}

/// What to offer for a CONTACT that starts with `prefix`, sorted: each matching contact's file
/// stem (`jane-doe`: no spaces to quote, usually), or its vault-relative path when the stem
/// would not name it alone (two `jane.md` in two folders, or a stem that is another contact's
/// name). A contact matches when its stem or path starts with `prefix` as typed, or its stem,
/// name or an alias starts with it folded as lookups fold (`jane`, `Jane D`, `zoe`). Names with
/// control or format characters are left out: they cannot be typed, and one a line must stay
/// one a line.
pub fn candidates(contacts: &[&Contact], prefix: &str) -> Vec<String> {
    let q = fold(prefix);
    // How many contacts each folded name, stem or file name names exactly (as `lookup::find`
    // compares in its first tier).
    let mut named: HashMap<String, usize> = HashMap::new();
    for c in contacts {
        let mut keys = vec![
            fold(&c.name),
            fold(stem(&c.path)),
            fold(&c.path),
            fold(file_name(&c.path)),
        ];
        keys.extend(c.aliases.iter().map(|a| fold(a)));
        keys.sort();
        keys.dedup();
        for k in keys {
            *named.entry(k).or_default() += 1;
        }
    }
    let mut out: Vec<String> = contacts
        .iter()
        .filter(|c| {
            let s = stem(&c.path);
            s.starts_with(prefix)
                || c.path.starts_with(prefix)
                || std::iter::once(s)
                    .chain(std::iter::once(c.name.as_str()))
                    .chain(c.aliases.iter().map(String::as_str))
                    .any(|n| fold(n).starts_with(&q))
        })
        .map(|c| {
            let s = stem(&c.path);
            if named.get(&fold(s)) == Some(&1) {
                s.to_string()
            } else {
                c.path.clone()
            }
        })
        .filter(|w| !w.is_empty() && !w.contains(crate::term::is_hidden))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Print the man page: clap_mangen's page of touchbase (its options and the list of commands),
/// then a section for each command (`TOUCHBASE LOG`, `TOUCHBASE GIT SETUP`...) with its
/// synopsis, description and options, the global options left to the first page.
pub fn man(mut cmd: clap::Command) -> Result<Code> {
    cmd.build();
    let mut first = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut first)?;
    // clap_mangen opens with the definition of `\*(Aq` (an apostrophe); the title comes first,
    // as man pages begin, and the definition right after it (before any text uses it).
    let first = String::from_utf8(first)?;
    let mut page = Vec::with_capacity(first.len() * 8);
    let (title, rest): (Vec<&str>, Vec<&str>) = first
        .split_inclusive('\n')
        .partition(|line| line.starts_with(".TH "));
    for line in title.into_iter().chain(rest) {
        page.extend_from_slice(line.as_bytes());
    }
    let mut subs: Vec<clap::Command> = Vec::new();
    commands(&cmd, &mut subs);
    for sub in subs {
        let sub = sub.mut_args(|a| if a.is_global_set() { a.hide(true) } else { a });
        let title = sub
            .get_bin_name()
            .unwrap_or_else(|| sub.get_name())
            .to_uppercase();
        let has_args = sub
            .get_arguments()
            .any(|a| !a.is_hide_set() && !matches!(a.get_id().as_str(), "help" | "version"));
        let man = clap_mangen::Man::new(sub);
        writeln!(
            page,
            ".SH \"{}\"",
            title.replace('\\', "\\e").replace('"', "\\(dq")
        )?;
        let mut parts = Vec::new();
        man.render_description_section(&mut parts)?;
        man.render_synopsis_section(&mut parts)?;
        if has_args {
            man.render_options_section(&mut parts)?;
        }
        // The command's own sections are subsections of its section.
        for line in String::from_utf8(parts)?.split_inclusive('\n') {
            match line.strip_prefix(".SH ") {
                Some(rest) => {
                    page.extend_from_slice(b".SS ");
                    page.extend_from_slice(rest.as_bytes());
                }
                None => page.extend_from_slice(line.as_bytes()),
            }
        }
    }
    print_stdout(&String::from_utf8(page)?)?;
    Ok(Code::Success)
}

/// Every command below `cmd` that help shows, depth first: `git`, then `git setup`.
fn commands(cmd: &clap::Command, out: &mut Vec<clap::Command>) {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        out.push(sub.clone());
        commands(sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn contact(path: &str, front: &str) -> Contact {
        let text = format!("---\n{front}---\n");
        crate::parse::parse_contact(path, text.as_bytes(), &Config::default().channels)
            .contact
            .unwrap()
    }

    #[test]
    fn complete_contacts_definition_is_valid() {
        use clap::CommandFactory;
        CompleteContacts::command().debug_assert();
    }

    /// Stems, unless a stem would not name its contact alone: then the path.
    #[test]
    fn candidates_are_stems_that_name_one_contact() {
        let all = [
            contact("people/jane-doe.md", "name: Jane Doe\n"),
            contact("people/jo.md", "name: Jo Smith\n"),
            contact("clients/jo.md", "name: Jo Brown\n"),
            contact("zoe.md", "name: Zoë O’Brien\naliases: [The Boss]\n"),
            contact("ann.md", "name: Ann Adams\n"),
            contact("ann-b.md", "name: Ann\n"),
            contact("evil.md", "name: Evil\n"),
            contact("e\u{1b}]0;x.md", "name: Escaped\n"),
        ];
        let refs: Vec<&Contact> = all.iter().collect();
        let offer = |prefix: &str| candidates(&refs, prefix);
        assert_eq!(offer("ja"), ["jane-doe"]);
        assert_eq!(offer("Jane D"), ["jane-doe"]);
        assert_eq!(offer("jo"), ["clients/jo.md", "people/jo.md"]);
        assert_eq!(offer("clients/"), ["clients/jo.md"]);
        assert_eq!(offer("ZOË"), ["zoe"]);
        assert_eq!(offer("the b"), ["zoe"]);
        // `ann` is Ann Adams's stem and the other Ann's name: offered as the path.
        assert_eq!(offer("ann"), ["ann-b", "ann.md"]);
        assert_eq!(offer("e"), ["evil"]);
        assert!(offer("x").is_empty());
        assert_eq!(offer("").len(), 7);
    }
}
