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

pub mod cli;
pub mod cmd;
pub mod config;
pub mod duration;
pub mod edit;
pub mod exit;
pub mod lookup;
pub mod model;
pub mod parse;
pub mod problem;
pub mod render;
pub mod schedule;
pub mod term;
pub mod typed;
pub mod vault;
pub mod watch;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use exit::Code;

/// `touchbase help [COMMAND]`: the long help of touchbase or of one command.
fn help(command: Option<&str>) -> anyhow::Result<Code> {
    use clap::CommandFactory;
    let mut cli = Cli::command();
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

/// Run the command line and return the exit code. `main` only calls this.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
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
        Command::Help { command } => help(command.as_deref()),
        Command::Due(args) => cmd::due::run(&ctx, args),
        Command::Check => cmd::check::run(&ctx),
        Command::Watch(args) => cmd::watch::run(&ctx, args),
        Command::Log(args) => cmd::log::run(&ctx, args),
        Command::Add(args) => cmd::add::run(&ctx, args),
        Command::Show(args) => cmd::show::run(&ctx, args),
        Command::Snooze(args) => cmd::snooze::run(&ctx, args),
        Command::List(args) => cmd::list::run(&ctx, args),
        Command::Init(args) => cmd::init::run(&ctx, args),
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
