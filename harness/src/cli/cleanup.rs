//! `harness cleanup`: delete the scratch servers of interrupted lifecycle runs, by their tag.

use clap::Args;
use harness::client::{CloudSession, ComputeClient, ConfigSources, SessionOptions, load_cloud};
use harness::exit_code;
use harness::modes::lifecycle::{TAG_KEY, cleanup_tagged};
use harness::target::TargetSpec;
use std::sync::Arc;
use std::time::Duration;

pub(crate) const AFTER_HELP: &str = "\
Only servers whose metadata carries the conformance-kit key (set by lifecycle mode, value = the
run id) are deleted; anything else is never touched. Soft-deleted ones are force-deleted.

EXAMPLES:
    harness cleanup --os-cloud staging                  every leftover of every run
    harness cleanup --os-cloud staging --run-id 20250101T120000-3f2a

EXIT CODES:
    0  nothing left behind (or nothing to delete)
    2  a server could not be deleted, or the cloud could not be used";

/// Flags of `harness cleanup`.
#[derive(Debug, Args)]
pub(crate) struct CleanupArgs {
    #[command(flatten)]
    connect: super::cloud::ConnectArgs,

    /// A compute endpoint URL to use instead of the catalog's (with --token).
    #[arg(long, value_name = "URL")]
    target: Option<TargetSpec>,

    /// Delete only the servers of this run (the id in their names and tag).
    #[arg(long, value_name = "ID")]
    run_id: Option<String>,

    /// Deadline per server and per request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300.0)]
    timeout: f64,
}

/// Runs the cleanup; returns the exit code.
pub(crate) fn run(args: CleanupArgs) -> i32 {
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        eprintln!("error: --timeout must be a positive number of seconds");
        return exit_code::ERROR;
    }
    if matches!(args.target, Some(TargetSpec::Adapter(_) | TargetSpec::Fake)) {
        eprintln!("error: cleanup needs a cloud: --target must be a compute endpoint URL");
        return exit_code::ERROR;
    }
    let timeout = Duration::from_secs_f64(args.timeout);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return super::fail(&e),
    };
    runtime.block_on(async {
        let request = args.connect.request(args.target.as_ref());
        let config = match load_cloud(&request, &ConfigSources::from_process()) {
            Ok(c) => c,
            Err(e) => return super::fail(&e),
        };
        let session = SessionOptions {
            request_timeout: timeout.min(Duration::from_secs(60)),
            ..SessionOptions::default()
        };
        let session = match CloudSession::connect(config, session).await {
            Ok(s) => Arc::new(s),
            Err(e) => return super::fail(&e),
        };
        let options = args.connect.compute(timeout.min(Duration::from_secs(60)));
        let client = match ComputeClient::connect(session, options).await {
            Ok(c) => c,
            Err(e) => return super::fail(&e),
        };
        let poll = Duration::from_millis(500).min(timeout / 10);
        let report = cleanup_tagged(&client, args.run_id.as_deref(), &[], timeout, poll).await;
        for (id, name) in &report.deleted {
            println!("deleted {id} ({name})");
        }
        if report.other_runs > 0 {
            println!(
                "left {} server(s) of other runs alone (their {TAG_KEY} tag is not {})",
                report.other_runs,
                args.run_id.as_deref().unwrap_or_default()
            );
        }
        for (id, why) in &report.failed {
            eprintln!("error: failed to delete {id}: {why}");
        }
        println!(
            "cleanup: {} deleted, {} failed",
            report.deleted.len(),
            report.failed.len()
        );
        if report.failed.is_empty() {
            exit_code::SUCCESS
        } else {
            exit_code::ERROR
        }
    })
}
