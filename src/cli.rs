//! Command-line types (clap derive). No logic here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "touchbase",
    version,
    disable_help_subcommand = true,
    about = "A plain-text follow-up system: who to contact, when, why and how.",
    long_about = "A plain-text follow-up system. Contacts are Markdown files with front matter; \
                  touches are dated headings. touchbase works out who is due and why, and writes \
                  the agenda to DUE.md."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The vault folder [default: the nearest folder at or above the current one with a
    /// touchbase.toml]
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "TOUCHBASE_VAULT",
        value_name = "DIR"
    )]
    pub vault: Option<PathBuf>,
    /// Act as if today were this date (YYYY-MM-DD), for reproducible runs
    #[arg(long, global = true, help_heading = "Global options", env = "TOUCHBASE_TODAY", value_name = "DATE", value_parser = parse_today)]
    pub today: Option<chrono::NaiveDate>,
    /// Print nothing but errors
    #[arg(long, short, global = true, help_heading = "Global options")]
    pub quiet: bool,
    /// Also print how many files were read and how many came from the cache
    #[arg(
        long,
        short,
        global = true,
        help_heading = "Global options",
        conflicts_with = "quiet"
    )]
    pub verbose: bool,
    /// Read every file instead of reusing what the cache holds for unchanged ones
    #[arg(long, global = true, help_heading = "Global options", env = "TOUCHBASE_NO_CACHE",
          value_parser = clap::builder::FalseyValueParser::new())]
    pub no_cache: bool,
}

fn parse_today(s: &str) -> Result<chrono::NaiveDate, String> {
    crate::parse::parse_date(s).ok_or_else(|| format!("\"{s}\" is not a date YYYY-MM-DD"))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the help of touchbase or of one of its commands
    Help {
        /// The command to explain
        command: Option<String>,
    },
    /// Scan the vault and write the agenda (DUE.md)
    Due(DueArgs),
    /// List every problem in the vault; exit 1 if there is any
    Check(CheckArgs),
    /// Write DUE.md, then keep it current as files change and when the date rolls over
    Watch(WatchArgs),
    /// A guided follow-up session: one due contact at a time, a drafted message, one key to log
    Today(TodayArgs),
    /// Record a touch: add a dated heading to a contact's file
    Log(LogArgs),
    /// Create a contact file
    Add(AddArgs),
    /// A contact's card, timeline, due date and reason
    Show(ShowArgs),
    /// Print the drafted message for following up a contact: subject, blank line, body
    Draft(DraftArgs),
    /// Create contacts from a vCard file, a Google Contacts CSV or a LinkedIn Connections.csv
    Import(ImportArgs),
    /// Not due before a date: set `snooze:` in a contact's front matter
    Snooze(SnoozeArgs),
    /// The contacts, one line each: stage, touches, last touch and due date
    List(ListArgs),
    /// How persistent you are: touches per contact, channels, weeks, promises, cards, referrals
    Stats(StatsArgs),
    /// Create a new vault with a commented config and an example contact
    Init(InitArgs),
    /// Git sync: `touchbase git setup` prepares this clone (merge settings and hooks)
    Git(GitArgs),
    /// Merge three versions of a contact file, else leave it to git's merge (called by git)
    MergeFile(MergeFileArgs),
    /// Print a shell completion script (contact names too, for bash and zsh)
    Completions(CompletionsArgs),
    /// Print touchbase's man page (roff), every command included
    Man,
    /// Export the agenda as an iCalendar file: follow-ups and yearly dates as events
    Ics(IcsArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `touchbase __complete-contacts [PREFIX]`: what the completion scripts of bash and zsh call
/// for a CONTACT argument. Kept out of [`Command`] so that no completion, help or man page
/// lists it.
#[derive(Debug, Parser)]
#[command(name = "touchbase __complete-contacts")]
pub struct CompleteContacts {
    #[command(flatten)]
    pub global: Global,
    /// What has been typed of the contact so far
    #[arg(allow_hyphen_values = true)]
    pub prefix: Option<String>,
}

#[derive(Debug, Args)]
pub struct IcsArgs {
    /// Write the calendar to this file (relative to the current folder) instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GitArgs {
    #[command(subcommand)]
    pub command: GitCommand,
}

#[derive(Debug, Subcommand)]
pub enum GitCommand {
    /// Prepare the vault's git clone for sync: generated files merge without conflicts and are
    /// regenerated after a pull or rebase, contact files merge with touchbase's driver. Run it
    /// in every clone (git does not version these settings); running it again changes nothing.
    Setup(GitSetupArgs),
}

#[derive(Debug, Args)]
pub struct GitSetupArgs {
    /// Also add a pre-commit hook that lists the vault's problems (it never blocks a commit)
    #[arg(long)]
    pub pre_commit: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The contact: a file name or name, or a unique part of one
    pub contact: String,
    /// How: call, email, text, meeting, card, gift, social, newsletter, a word for one (coffee,
    /// lunch, voicemail, linkedin...), or any other word (written as typed)
    pub channel: String,
    /// What happened: the words after the channel (quotes not needed)
    pub text: Vec<String>,
    /// The touch's date: YYYY-MM-DD, yesterday, last fri, ... [default: today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// A line of notes under the heading (repeat for more lines)
    #[arg(long = "note", value_name = "LINE")]
    pub notes: Vec<String>,
    /// Log a channel word that looks like a typo of a known one (`cal`) as it is
    #[arg(long)]
    pub as_typed: bool,
    /// Log a touch identical to one already logged (same day, channel and text) once more
    #[arg(long)]
    pub again: bool,
    /// Keep the front matter's `next:` even when this touch keeps that promise
    #[arg(long, conflicts_with = "next")]
    pub keep_next: bool,
    /// The agreed next step, "DATE [channel] [- text]" (DATE as YYYY-MM-DD, fri, +2w, in 3
    /// days...): sets `next:` in the front matter
    #[arg(long, value_name = "STEP")]
    pub next: Option<String>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The contact's name
    pub name: String,
    /// The stage: lead, prospect, client, past-client, partner, lost, or one touchbase.toml
    /// names [default: prospect]
    #[arg(long)]
    pub stage: Option<String>,
    /// Their company
    #[arg(long)]
    pub company: Option<String>,
    /// Their email address
    #[arg(long)]
    pub email: Option<String>,
    /// Their phone number
    #[arg(long)]
    pub phone: Option<String>,
    /// When and where you met: "DATE [text]" (YYYY-MM-DD, yesterday, last fri...) [default:
    /// today]
    #[arg(long, value_name = "WHEN")]
    pub met: Option<String>,
    /// Something they care about (repeat for more)
    #[arg(long = "interest", value_name = "TEXT")]
    pub interests: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file: .vcf (vCard 2.1, 3.0, 4.0), Google Contacts CSV or LinkedIn Connections.csv
    pub file: std::path::PathBuf,
    /// Show what would be created; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// The stage of new contacts [default: lead]
    #[arg(long)]
    pub stage: Option<String>,
    /// Put every new contact's first follow-up on today (no snooze spreading)
    #[arg(long)]
    pub all_now: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only contacts at this stage
    #[arg(long)]
    pub stage: Option<String>,
    /// Only contacts with this tag
    #[arg(long)]
    pub tag: Option<String>,
    /// Only contacts this person follows up (their `owner:`) and those with no owner
    #[arg(long, env = "TOUCHBASE_OWNER", value_name = "NAME", value_parser = parse_owner)]
    pub owner: Option<String>,
    /// Print JSON (an array, one object per contact) for scripts
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Count only touches (and weeks, and promises due) from this date on: YYYY-MM-DD, last
    /// mon, yesterday...
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Print the figures as JSON for scripts
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SnoozeArgs {
    /// The contact: a file name or name, or a unique part of one
    pub contact: String,
    /// Until when: YYYY-MM-DD, fri, +2w, in 3 weeks...
    #[arg(num_args = 1.., required = true, value_name = "DATE")]
    pub date: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The contact: a file name or name, or a unique part of one
    pub contact: String,
}

#[derive(Debug, Args)]
pub struct DraftArgs {
    /// The contact: a file name or name, or a unique part of one
    pub contact: String,
    /// The channel to draft for (email, text, card...) [default: the suggested one]
    #[arg(long, value_name = "CHANNEL")]
    pub channel: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to make a vault of (a new one, or an existing folder of notes) [default:
    /// --vault if given, else the current folder; DIR wins over --vault]
    pub dir: Option<PathBuf>,
}

/// git's merge driver: `touchbase merge-file %O %A %B %P`.
#[derive(Debug, Args)]
pub struct MergeFileArgs {
    /// The common ancestor's version (git's %O)
    pub base: PathBuf,
    /// Our version (git's %A), where the result is written
    pub ours: PathBuf,
    /// Their version (git's %B)
    pub theirs: PathBuf,
    /// The file's path in the repository, for messages (git's %P)
    pub path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Wait this long after the last change before rebuilding (e.g. 250ms, 1s)
    #[arg(long, default_value = "250ms", value_parser = parse_interval, value_name = "TIME")]
    pub debounce: std::time::Duration,
    /// Poll for changes instead of using native events (network and synced folders)
    #[arg(long, num_args = 0..=1, default_missing_value = "2s", value_parser = parse_interval, value_name = "INTERVAL")]
    pub poll: Option<std::time::Duration>,
    /// Print this person's summary (their `owner:`, and contacts with no owner) after each
    /// rebuild. DUE.md is still everyone's.
    #[arg(long, env = "TOUCHBASE_OWNER", value_name = "NAME", value_parser = parse_owner)]
    pub owner: Option<String>,
}

/// `500ms`, `2s`, or a number of seconds.
fn parse_interval(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1000)
    } else {
        (t, 1000)
    };
    match num.trim().parse::<u64>() {
        Ok(n) if n > 0 && n <= 3_600_000 => Ok(std::time::Duration::from_millis(n * scale)),
        _ => Err(format!("\"{s}\" is not a time such as 250ms or 2s")),
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Say how one file is read: whether it is a contact and why, and where its touches come
    /// from (a path inside the vault)
    #[arg(long, value_name = "PATH")]
    pub explain: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct TodayArgs {
    /// Only contacts this person follows up (their `owner:`) and those with no owner
    #[arg(long, env = "TOUCHBASE_OWNER", value_name = "NAME", value_parser = parse_owner)]
    pub owner: Option<String>,
}

#[derive(Debug, Args)]
pub struct DueArgs {
    /// Print the agenda instead of writing it
    #[arg(long, conflicts_with = "json")]
    pub stdout: bool,
    /// Print the agenda as JSON instead of writing it
    #[arg(long)]
    pub json: bool,
    /// This person's agenda (their `owner:`, and contacts with no owner): printed by --stdout
    /// and --json, and in the summary line. DUE.md is still everyone's.
    #[arg(long, env = "TOUCHBASE_OWNER", value_name = "NAME", value_parser = parse_owner)]
    pub owner: Option<String>,
}

/// An owner's name: it needs a letter or a digit. Empty means no owner (everyone's agenda), so
/// that `TOUCHBASE_OWNER=` clears the variable's effect.
fn parse_owner(s: &str) -> Result<String, String> {
    if s.trim().is_empty() || crate::owner::Owner::new(s).is_some() {
        Ok(s.to_string())
    } else {
        Err(format!(
            "\"{s}\" names nobody: an owner's name needs a letter or a digit"
        ))
    }
}
