//! One module per subcommand: glue between the command line, the vault and the pure core.

pub mod check;
pub mod due;
pub mod watch;

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;

use crate::cli::Global;
use crate::vault::Vault;

/// Settings resolved once from flags, environment and defaults.
pub struct Context {
    pub vault_dir: PathBuf,
    pub today: NaiveDate,
    /// True when `--today` or `TOUCHBASE_TODAY` fixed the date.
    pub today_fixed: bool,
    pub quiet: bool,
}

impl Context {
    pub fn from_global(g: &Global) -> Context {
        Context {
            vault_dir: g.vault.clone().unwrap_or_else(|| PathBuf::from(".")),
            // The shell is the only place that reads the clock.
            today: g.today.unwrap_or_else(|| chrono::Local::now().date_naive()),
            today_fixed: g.today.is_some(),
            quiet: g.quiet,
        }
    }

    pub fn open_vault(&self) -> Result<Vault> {
        Vault::open(&self.vault_dir)
    }
}

/// Write to stdout; a closed pipe (`touchbase due --stdout | head`) is not an error.
pub fn print_stdout(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
