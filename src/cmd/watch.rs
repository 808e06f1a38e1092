//! `touchbase watch`: keep DUE.md current (and the per-owner agendas); `--owner` narrows what
//! it prints to one person's agenda. The loop itself is in `crate::watch`.

use anyhow::Result;

use super::Context;
use crate::cli::WatchArgs;
use crate::exit::Code;
use crate::watch::{self, FixedClock, Options, SystemClock};

pub fn run(ctx: &Context, args: &WatchArgs) -> Result<Code> {
    let opts = Options {
        debounce: args.debounce,
        poll: args.poll,
        quiet: ctx.quiet,
        cache_dir: ctx.cache_dir.clone(),
        owner: crate::owner::Owner::from_arg(args.owner.as_deref()),
    };
    if ctx.today_fixed {
        watch::run(&ctx.vault_root()?, FixedClock(ctx.today), &opts)?;
    } else {
        watch::run(&ctx.vault_root()?, SystemClock, &opts)?;
    }
    Ok(Code::Success)
}
