//! touchbase: a plain-text follow-up system.
//!
//! The pipeline: [`vault`] finds the Markdown files of a vault and reads them; [`parse`] turns
//! each file's text into a [`model::Contact`] (front matter, and touches from dated headings)
//! plus [`problem::Problem`]s; [`schedule`] applies the due rules for a given `today` and
//! [`config::Config`] to make an [`schedule::Agenda`]; [`render`] turns the agenda into DUE.md or
//! JSON. `parse`, `schedule` and `render` are pure: no clock, no environment, no disk. The
//! command line ([`cli`], [`cmd`]) resolves settings once and calls into the rest; [`watch`]
//! keeps the agenda current with the same rebuild as `due`. Whatever vault text the commands
//! print goes through [`term::clean`] first.

pub mod actions;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod draft;
pub mod duration;
pub mod edit;
pub mod exit;
pub mod hash;
pub mod links;
pub mod lookup;
pub mod merge;
pub mod model;
pub mod owner;
pub mod parse;
pub mod problem;
pub mod render;
pub mod schedule;
pub mod stats;
pub mod term;
pub mod typed;
pub mod vault;
pub mod watch;

use std::ffi::OsString;
use std::process::ExitCode;

use cli::{Cli, Command};
use exit::Code;

/// `touchbase help [COMMAND]`: the long help of touchbase or of one command.
fn help(command: Option<&str>, args: &[OsString]) -> anyhow::Result<Code> {
    let mut cli = command_for(args);
    // Built, so that a command's help shows the global options too.
    cli.build();
    let mut target = match command {
        None => cli,
        Some(name) => match cli.find_subcommand(name) {
            Some(sub) => sub
                .clone()
                .bin_name(format!("touchbase {}", sub.get_name())),
            None => {
                return Err(exit::usage(format!(
                    "no command \"{name}\": see `touchbase help`"
                )));
            }
        },
    };
    // A closed pipe (`touchbase help | head`) is not an error.
    let _ = target.print_long_help();
    Ok(Code::Success)
}

/// The command line's definition. When help is asked for, `add --stage` lists the stages of
/// the vault the command would use (its config read only then, never on an ordinary run).
fn command_for(args: &[OsString]) -> clap::Command {
    use clap::CommandFactory;
    let cmd = Cli::command();
    let wants_help = args
        .iter()
        .skip(1)
        .any(|a| a == "-h" || a == "--help" || a == "help");
    if !wants_help {
        return cmd;
    }
    let Some(stages) = configured_stages(args) else {
        return cmd;
    };
    cmd.mut_subcommand("add", |add| {
        add.mut_arg("stage", |arg| {
            arg.help(format!(
                "The stage: {} (this vault's), or a new one in touchbase.toml [default: prospect]",
                stages.join(", ")
            ))
        })
    })
}

/// The stages of the vault named by `--vault`, `TOUCHBASE_VAULT` or found upward from here.
fn configured_stages(args: &[OsString]) -> Option<Vec<String>> {
    let named = args
        .iter()
        .position(|a| a == "--vault")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from)
        .or_else(|| {
            args.iter().find_map(|a| {
                a.to_str()?
                    .strip_prefix("--vault=")
                    .map(std::path::PathBuf::from)
            })
        })
        .or_else(|| std::env::var_os("TOUCHBASE_VAULT").map(std::path::PathBuf::from));
    let ctx = cmd::Context {
        vault_given: named.is_some(),
        vault_dir: named.unwrap_or_else(|| ".".into()),
        today: chrono::NaiveDate::MIN,
        today_fixed: false,
        quiet: true,
        verbose: false,
        cache_dir: None,
    };
    let vault = ctx.open_vault().ok()?;
    Some(
        vault
            .config
            .stage_names()
            .into_iter()
            .map(String::from)
            .collect(),
    )
}

/// Run the command line and return the exit code. `main` only calls this.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    use clap::FromArgMatches;
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    if args
        .get(1)
        .is_some_and(|a| a == cmd::completions::COMPLETE_CONTACTS)
    {
        return cmd::completions::contacts(&args[1..]).into();
    }
    let parsed = command_for(&args)
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Code::Usage
            } else {
                Code::Success
            }
            .into();
        }
    };
    let ctx = cmd::Context::from_global(&cli.global);
    let result = match &cli.command {
        Command::Help { command } => help(command.as_deref(), &args),
        Command::Due(args) => cmd::due::run(&ctx, args),
        Command::Check(args) => cmd::check::run(&ctx, args),
        Command::Watch(args) => cmd::watch::run(&ctx, args),
        Command::Log(args) => cmd::log::run(&ctx, args),
        Command::Add(args) => cmd::add::run(&ctx, args),
        Command::Show(args) => cmd::show::run(&ctx, args),
        Command::Draft(args) => cmd::draft::run(&ctx, args),
        Command::Snooze(args) => cmd::snooze::run(&ctx, args),
        Command::Today(args) => cmd::today::run(&ctx, args),
        Command::Import(args) => cmd::import::run(&ctx, args),
        Command::List(args) => cmd::list::run(&ctx, args),
        Command::Stats(args) => cmd::stats::run(&ctx, args),
        Command::Init(args) => cmd::init::run(&ctx, args),
        Command::Git(args) => cmd::git::run(&ctx, args),
        Command::MergeFile(args) => cmd::merge_file::run(args),
        Command::Completions(a) => cmd::completions::run(command_for(&args), a.shell),
        Command::Man => cmd::completions::man(command_for(&args)),
        Command::Ics(args) => cmd::ics::run(&ctx, args),
    };
    match result {
        Ok(code) => code.into(),
        Err(e) => {
            // An error may quote a path or a name from the vault.
            eprintln!("touchbase: error: {}", term::clean_lines(&format!("{e:#}")));
            if e.downcast_ref::<exit::Usage>().is_some() {
                Code::Usage.into()
            } else {
                Code::Failure.into()
            }
        }
    }
}
