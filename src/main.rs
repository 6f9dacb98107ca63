//! The `leaktrace` binary: parse the command line, run, report errors, exit.

use std::process::ExitCode;

use clap::Parser;
use leaktrace::cli::Cli;
use leaktrace::exit::{Exit, UsageError};
use leaktrace::output::is_broken_pipe;

fn main() -> ExitCode {
    leaktrace::contain::install_hook();
    leaktrace::interrupt::install();
    let cli = Cli::parse();
    let result = leaktrace::cmd::run(cli);
    if leaktrace::interrupt::requested() {
        eprintln!("leaktrace: interrupted: the output above is incomplete");
        return ExitCode::from(leaktrace::interrupt::EXIT_STATUS);
    }
    match result {
        Ok(exit) => exit.into(),
        // `leaktrace ... | head`: the reader has what it wanted.
        Err(e) if is_broken_pipe(&e) => Exit::Success.into(),
        Err(e) => {
            eprintln!("leaktrace: {e:#}");
            if e.downcast_ref::<UsageError>().is_some() {
                Exit::Usage.into()
            } else {
                Exit::InputError.into()
            }
        }
    }
}
