//! Exit statuses, one enum for every command (documented in `--help` and
//! the man page).

use std::fmt;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything was read (malformed rows are reported, not failures).
    Success = 0,
    /// Some input could not be read or is not a log; the rest was processed.
    InputError = 1,
    /// A bad option, zone, time, filter or field list.
    Usage = 2,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// An error in what the user asked for (exit status 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Wraps any displayable error as a usage error.
pub fn usage<E: fmt::Display>(e: E) -> anyhow::Error {
    anyhow::Error::new(UsageError(e.to_string()))
}
