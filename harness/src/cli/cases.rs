//! `harness cases …`: list, check, diff and generate.

use clap::Subcommand;

/// `harness cases` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum CasesCommand {
    /// List every case of a profile.
    List,
}

/// Runs a `harness cases` subcommand and returns the exit code.
pub(crate) fn run(_cmd: CasesCommand) -> i32 {
    harness::exit_code::ERROR
}
