//! `harness adapter …`: check an SDK adapter before certifying it.

use clap::Subcommand;
use harness::target::adapter::{AdapterOptions, check};
use std::time::Duration;

/// `harness adapter` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum AdapterCommand {
    /// Run the handshake and three sample cases against an adapter, explaining any protocol
    /// violation in one line each (exit 0 when all is well, 2 otherwise). It asks no surface,
    /// list or wait question: check those with a filtered run, e.g.
    /// `harness --target adapter:CMD --profile nova --filter 'nova/wait/*'`.
    ///
    /// Example: harness adapter check adapters/nova/run
    Check {
        /// Seconds to wait for each answer.
        #[arg(long, value_name = "SECS", default_value_t = 30.0)]
        timeout: f64,
        /// Seconds to wait for the answer to `start` (a `run` script may install its venv first).
        #[arg(long, value_name = "SECS", default_value_t = 600.0)]
        startup_timeout: f64,
        /// A fake-server with its control plane, to seed servers for a fetch-only adapter
        /// (e.g. http://127.0.0.1:8774).
        #[arg(long, value_name = "URL")]
        fake: Option<String>,
        /// The adapter command, split on whitespace (no shell), e.g. `adapters/nova/run`.
        #[arg(required = true, num_args = 1.., trailing_var_arg = true, value_name = "CMD")]
        command: Vec<String>,
    },
}

/// Runs a `harness adapter` subcommand and returns the exit code.
pub(crate) fn run(cmd: AdapterCommand) -> i32 {
    let AdapterCommand::Check {
        timeout,
        startup_timeout,
        fake,
        command,
    } = cmd;
    let (Some(timeout), Some(startup_timeout)) = (seconds(timeout), seconds(startup_timeout))
    else {
        eprintln!("error: timeouts must be positive numbers of seconds");
        return harness::exit_code::ERROR;
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return super::fail(&e),
    };
    let options = AdapterOptions {
        timeout,
        startup_timeout,
        cwd: None,
    };
    let report = runtime.block_on(check(&command.join(" "), options, fake.as_deref()));
    for line in &report.lines {
        println!("{line}");
    }
    for stderr in &report.stderr {
        eprintln!("adapter stderr:");
        for line in stderr.lines() {
            eprintln!("  {line}");
        }
    }
    if report.ok() {
        harness::exit_code::SUCCESS
    } else {
        harness::exit_code::ERROR
    }
}

fn seconds(secs: f64) -> Option<Duration> {
    (secs.is_finite() && secs > 0.0).then(|| Duration::from_secs_f64(secs))
}
