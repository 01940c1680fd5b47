//! The `harness` command line: the top-level parser, dispatch to each subcommand, and how an
//! error becomes an exit code.

use clap::{Parser, Subcommand};

use super::{adapter, cases, certify, cleanup, compare, matrix, run, verify};

const AFTER_HELP: &str = "\
EXAMPLES:
    harness                                  run ecs-openstack against the embedded fake
    harness --profile all                    run all three profiles
    harness --target http://127.0.0.1:8774   run against a fake-server started separately
    harness --target adapter:adapters/nova/run --profile nova
                                             certify an SDK adapter
    harness --filter 'ecs-openstack/active/*' -v
                                             run a subset and print every case
    harness --os-cloud staging               observe a cloud from clouds.yaml (read-only)
    harness --os-cloud staging --lifecycle --allow-mutations
                                             drive scratch servers through every action
    harness cleanup --os-cloud staging       delete servers an interrupted run left behind
    harness compare old/results.json new/results.json
                                             regressions, fixes and new cases between runs
    harness cases list --profile ecs         list the cases of a profile
    harness cases diff ecs nova              where Huawei's table and Nova disagree
    harness certify --product PRODUCT.yaml --target adapter:adapters/nova/run --out bundle
                                             a certification bundle; `harness verify bundle`
    harness matrix reports/*/results.json    one page comparing many runs, with badges

REPORTS (in --report-dir, default reports/):
    junit.xml     one testsuite per profile x group (valid, invalid, probe; against
                  a cloud also filter and lifecycle; with an adapter also challenge,
                  surface, list and wait); test names are unique within a suite
    results.json  machine-readable results (format_version 2: adds verdict and scope;
                  `harness compare` reads 1 and 2)
    summary.md    Markdown summary for $GITHUB_STEP_SUMMARY
    index.html    a grid of vm_state x task_state per profile

TARGET SELECTION:
    With no --target, the embedded fake is used unless --os-cloud, OS_CLOUD or
    OS_AUTH_URL names a cloud: then the harness observes that cloud, read-only,
    as the OpenStack tools would. Pass --target fake to force the embedded fake.

VERDICT AND EXIT CODES (first match wins):
    1  non-conformant: at least one conformance failure (a status differed
       from the profile, or two views of a server disagreed), even if other
       cases errored
    2  errored: cases that errored (and none failed), or a usage,
       configuration or infrastructure error: bad flags or files, no case
       selected, target unreachable, control plane refused, report not
       writable, --fake-deviation with a URL target or a cloud
    3  incomplete: at least one case was skipped, whatever the cause (the
       adapter declined it, --max-fail, not reachable): nothing is certified
    0  conformant: every selected case ran and passed
    Against a real cloud (observe or lifecycle mode), pairs the cloud does not
    show are coverage, not skips: the title says \"conformant on N of M pairs
    (coverage X%)\", never plain \"conformant\", and the exit code is 0 when
    nothing observed failed or errored.
    \"conforms to\" per profile is yes only if every case in scope passed in
    every view and agrees with that profile; unknown when cases errored or
    were skipped, or when no status case was selected (e.g. --filter
    '*/wait/*'); it is printed with the scope (all cases, or the --filter).";

/// Conformance harness for cloud-server status derivation (OpenStack Nova, Huawei ECS).
///
/// Runs every case of a status-derivation profile (every table row, every invalid pair, and
/// probes outside the vocabulary) against a target and reports conformance as JUnit XML,
/// results.json, Markdown and HTML. With no arguments it runs the default profile against the
/// embedded fake server, which needs no setup.
#[derive(Debug, Parser)]
#[command(name = "harness", version, args_conflicts_with_subcommands = true, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    run: run::RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run cases against a target and write reports (the default command).
    #[command(after_help = AFTER_HELP)]
    Run(Box<run::RunArgs>),
    /// List, check and compare status-derivation profiles and their cases.
    #[command(subcommand)]
    Cases(cases::CasesCommand),
    /// Check an SDK adapter (handshake and three sample cases).
    #[command(subcommand)]
    Adapter(adapter::AdapterCommand),
    /// Compare two results.json files: regressions, fixes, new and removed cases.
    #[command(after_help = compare::AFTER_HELP)]
    Compare(compare::CompareArgs),
    /// Delete servers left by an interrupted lifecycle run (only those tagged conformance-kit).
    #[command(after_help = cleanup::AFTER_HELP)]
    Cleanup(cleanup::CleanupArgs),
    /// Run every case of the profiles PRODUCT.yaml claims and write a certification bundle.
    #[command(after_help = certify::AFTER_HELP)]
    Certify(Box<certify::CertifyArgs>),
    /// Check a certification bundle: hashes, PRODUCT.yaml, every case once, digests, signature.
    #[command(after_help = verify::AFTER_HELP)]
    Verify(verify::VerifyArgs),
    /// Many results.json on one page: implementations x profile x case kind, with badges.
    #[command(after_help = matrix::AFTER_HELP)]
    Matrix(matrix::MatrixArgs),
}

/// Parses the command line, runs it and returns the process exit code.
pub(crate) fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                harness::exit_code::ERROR
            } else {
                harness::exit_code::SUCCESS
            };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Some(Command::Cases(cmd)) => cases::run(cmd),
        Some(Command::Adapter(cmd)) => adapter::run(cmd),
        Some(Command::Compare(args)) => compare::run(args),
        Some(Command::Cleanup(args)) => cleanup::run(args),
        Some(Command::Certify(args)) => certify::run(*args),
        Some(Command::Verify(args)) => verify::run(args),
        Some(Command::Matrix(args)) => matrix::run(args),
        Some(Command::Run(args)) => run::run(*args),
        None => run::run(cli.run),
    }
}

/// Prints an error with its chain of causes and returns the usage/infrastructure exit code.
pub(crate) fn fail(err: &dyn std::error::Error) -> i32 {
    eprintln!("error: {err}");
    let mut source = err.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
    harness::exit_code::ERROR
}
