//! Exit codes: 0 success, 1 a failed command or problems found by `check`, 2 a usage error.

use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Success,
    Failure,
    Usage,
}

impl From<Code> for ExitCode {
    fn from(c: Code) -> ExitCode {
        match c {
            Code::Success => ExitCode::SUCCESS,
            Code::Failure => ExitCode::from(1),
            Code::Usage => ExitCode::from(2),
        }
    }
}

/// An error in what was typed on the command line: the command exits 2 (a usage error).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

/// Stop the command with a usage error (exit 2): `return Err(usage(format!(...)))`.
pub fn usage(message: String) -> anyhow::Error {
    anyhow::Error::new(Usage(message))
}
