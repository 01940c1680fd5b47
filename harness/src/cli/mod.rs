//! Clap definitions and dispatch for the `harness` binary.

use clap::{Parser, Subcommand};

mod adapter;
mod cases;
mod compare;

/// Conformance harness for cloud-server status derivation.
#[derive(Debug, Parser)]
#[command(name = "harness", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List, check and compare status-derivation profiles and their cases.
    #[command(subcommand)]
    Cases(cases::CasesCommand),
    /// Check an SDK adapter (handshake and three sample cases).
    #[command(subcommand)]
    Adapter(adapter::AdapterCommand),
    /// Compare two results.json files: regressions, fixes, new and removed cases.
    #[command(after_help = compare::AFTER_HELP)]
    Compare(compare::CompareArgs),
}

/// Parses the command line, runs it and returns the process exit code.
pub(crate) fn main() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Cases(cmd)) => cases::run(cmd),
        Some(Command::Adapter(cmd)) => adapter::run(cmd),
        Some(Command::Compare(args)) => compare::run(args),
        None => {
            eprintln!("error: `harness run` is not built yet");
            harness::exit_code::ERROR
        }
    }
}
