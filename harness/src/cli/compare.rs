//! `harness compare OLD NEW`: what changed between two runs.

use clap::{Args, ValueEnum};
use harness::compare::{self, Format};
use harness::exit_code;
use harness::report::json::read_results;
use std::io::Write as _;
use std::path::PathBuf;

pub(crate) const AFTER_HELP: &str = "\
EXAMPLES:
    harness compare last-night/results.json reports/results.json
    harness compare old.json new.json --format markdown >> \"$GITHUB_STEP_SUMMARY\"

A regression is a case that passed in OLD and fails, errors or is missing in NEW; a fix is a
case that failed or errored in OLD and passes in NEW. Cases are matched by id.

EXIT CODES:
    0  no regression
    1  at least one regression
    2  a file could not be read or is not a results.json (format_version 1)";

/// Flags of `harness compare`.
#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// The earlier run's results.json (the baseline).
    #[arg(value_name = "OLD")]
    old: PathBuf,

    /// The later run's results.json.
    #[arg(value_name = "NEW")]
    new: PathBuf,

    /// Output format: text for a terminal, markdown for $GITHUB_STEP_SUMMARY, or json.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    /// Plain text.
    Text,
    /// A Markdown section.
    Markdown,
    /// JSON.
    Json,
}

/// Runs `harness compare` and returns the exit code: 1 on a regression, 2 on unreadable input.
pub(crate) fn run(args: CompareArgs) -> i32 {
    let old = match read_results(&args.old) {
        Ok(record) => record,
        Err(e) => return super::fail(&e),
    };
    let new = match read_results(&args.new) {
        Ok(record) => record,
        Err(e) => return super::fail(&e),
    };
    let comparison = compare::compare(&old, &new);
    let format = match args.format {
        FormatArg::Text => Format::Text,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Json => Format::Json,
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (e.g. `| head`) is not worth a panic; the exit code still tells the verdict.
    let _ = stdout.write_all(compare::render(&comparison, format).as_bytes());
    if comparison.has_regressions() {
        exit_code::FAILURES
    } else {
        exit_code::SUCCESS
    }
}
