//! `harness run` (also the default when no subcommand is given).

use clap::{Args, ValueEnum};
use harness::case::resolve_profiles;
use harness::exit_code;
use harness::outcome::Outcome;
use harness::report::{RunReport, Verdict};
use harness::runner::{RunEvent, RunOptions, Runner};
use harness::target::TargetSpec;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// Flags of `harness run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Where to run: `fake` (embedded, the default), an http(s):// URL of a fake-server or cloud,
    /// or `adapter:CMD` (an SDK adapter, e.g. `adapter:adapters/nova/run`).
    /// With --os-cloud or --token, a URL is the cloud's compute endpoint (observe mode).
    #[arg(long, value_name = "fake|URL|adapter:CMD")]
    pub(crate) target: Option<TargetSpec>,

    /// Profile(s) to run: ecs-openstack (default), ecs, nova, or all. Repeatable.
    #[arg(long = "profile", value_name = "NAME", default_value = "ecs-openstack")]
    pub(crate) profiles: Vec<String>,

    /// Run only cases whose id matches GLOB (e.g. `ecs/active/*`); a pattern without wildcards
    /// selects ids starting with it. Repeatable; a case runs if any pattern matches.
    #[arg(long = "filter", value_name = "GLOB")]
    pub(crate) filters: Vec<String>,

    /// Directory for junit.xml, results.json, summary.md and index.html.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub(crate) report_dir: PathBuf,

    /// Write the JUnit report to PATH instead of DIR/junit.xml.
    #[arg(long, value_name = "PATH")]
    pub(crate) junit: Option<PathBuf>,

    /// How many reads are in flight at once.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub(crate) concurrency: u16,

    /// Timeout for each request or adapter message, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub(crate) timeout: f64,

    /// Stop after N failures and errors; the remaining cases are reported as skipped.
    #[arg(long, value_name = "N")]
    pub(crate) max_fail: Option<usize>,

    /// Stop at the first failure or error (same as --max-fail 1).
    #[arg(long, short = 'x')]
    pub(crate) fail_fast: bool,

    /// Override the embedded fake's status for one pair, as VM/TASK=STATUS (`null` for a null
    /// state), to see what a deviating cloud looks like. Repeatable.
    #[arg(long = "fake-deviation", value_name = "VM/TASK=STATUS")]
    pub(crate) fake_deviations: Vec<String>,

    /// Seed of an adapter run's blind questions (the order of the derive questions, the opaque
    /// case ids, the challenge statuses). Printed in every report; pass it again to replay a
    /// run exactly. Random when omitted.
    #[arg(long, value_name = "N")]
    pub(crate) seed: Option<u64>,

    /// Print nothing but errors.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// Print every case as it finishes.
    #[arg(long, short = 'v')]
    pub(crate) verbose: bool,

    /// Colour the terminal output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub(crate) color: Color,

    #[command(flatten)]
    pub(crate) cloud: super::cloud::CloudArgs,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Color {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl Color {
    fn enabled(self) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }
}

/// Runs the cases and writes the reports; returns the exit code.
pub(crate) fn run(args: RunArgs) -> i32 {
    let profiles = match resolve_profiles(&args.profiles) {
        Ok(p) => p,
        Err(e) => return super::fail(&e),
    };
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        eprintln!("error: --timeout must be a positive number of seconds");
        return exit_code::ERROR;
    }
    let target = match super::cloud::mode(args.target.as_ref(), &args.cloud) {
        // The embedded fake, and the fakes that serve adapters their servers, apply deviations;
        // a URL is a server of its own.
        Ok(super::cloud::Mode::Runner(target @ TargetSpec::Url(_)))
            if !args.fake_deviations.is_empty() =>
        {
            eprintln!(
                "error: --fake-deviation changes the embedded fake only, and the target is {target}: drop --fake-deviation, or use --target fake"
            );
            return exit_code::ERROR;
        }
        Ok(super::cloud::Mode::Runner(target)) => target,
        Ok(super::cloud::Mode::Cloud) if !args.fake_deviations.is_empty() => {
            eprintln!(
                "error: --fake-deviation changes the embedded fake only, and this run observes a cloud: drop --fake-deviation, or use --target fake"
            );
            return exit_code::ERROR;
        }
        Ok(super::cloud::Mode::Cloud) => return run_cloud(&args, profiles),
        Err(message) => {
            eprintln!("error: {message}");
            return exit_code::ERROR;
        }
    };
    let options = RunOptions {
        target,
        profiles: profiles.clone(),
        filters: args.filters.clone(),
        concurrency: usize::from(args.concurrency),
        timeout: Duration::from_secs_f64(args.timeout),
        max_fail: if args.fail_fast {
            Some(1)
        } else {
            args.max_fail
        },
        fake_deviations: args.fake_deviations.clone(),
        seed: args.seed,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return super::fail(&e),
    };
    let show_bar = !args.quiet && !args.verbose && std::io::stderr().is_terminal();
    let bar = ProgressBar::hidden();
    let color = args.color.enabled();
    let verbose = args.verbose;
    let result = runtime.block_on(Runner::new(options).execute(|event| match event {
        RunEvent::Started { total } => {
            if show_bar {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                bar.set_length(*total as u64);
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {pos}/{len} cases {wide_msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
            }
        }
        RunEvent::ProfileStarted { profile, cases } => {
            bar.set_message(format!("{profile} ({cases} cases)"));
        }
        RunEvent::CaseFinished(r) => {
            bar.inc(1);
            if verbose {
                println!("{}", case_line(r, color));
            }
        }
    }));
    bar.finish_and_clear();
    let report = match result {
        Ok(r) => r,
        Err(harness::runner::RunError::NoControlPlane(_)) if super::cloud::fallback_to_cloud() => {
            return run_cloud(&args, profiles);
        }
        Err(e) => return super::fail(&e),
    };
    finish(&args, &report)
}

/// Observe (and lifecycle) mode against a cloud; returns the exit code.
fn run_cloud(args: &RunArgs, profiles: Vec<harness::case::Profile>) -> i32 {
    let timeout = Duration::from_secs_f64(args.timeout);
    let options = super::cloud::options(&args.cloud, args.target.as_ref(), profiles, timeout);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return super::fail(&e),
    };
    // One spinner line per scratch server (and one for observe mode), on a TTY only.
    let multi = if !args.quiet && std::io::stderr().is_terminal() {
        MultiProgress::new()
    } else {
        MultiProgress::with_draw_target(ProgressDrawTarget::hidden())
    };
    let lines: Mutex<HashMap<String, ProgressBar>> = Mutex::new(HashMap::new());
    let verbose = args.verbose;
    let progress = |server: &str, step: &str, status: &str| {
        if verbose {
            eprintln!("{server}: {step}: {status}");
        }
        let mut lines = lines.lock().unwrap_or_else(|e| e.into_inner());
        let bar = lines.entry(server.to_owned()).or_insert_with(|| {
            let bar = multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {prefix:.bold} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_prefix(server.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        bar.set_message(format!("{step}: {status}"));
    };
    let result = runtime.block_on(harness::modes::run_cloud(
        options,
        super::cloud::shutdown_signal(),
        &progress,
    ));
    for bar in lines.lock().unwrap_or_else(|e| e.into_inner()).values() {
        bar.finish_and_clear();
    }
    match result {
        Ok(report) => {
            if !args.quiet {
                for (key, value) in &report.properties {
                    if key.starts_with("lifecycle.choice") {
                        println!("lifecycle: {value}");
                    }
                }
            }
            finish(args, &report)
        }
        Err(e) => super::fail(&e),
    }
}

/// Writes the reports, prints the summary and returns the exit code.
fn finish(args: &RunArgs, report: &RunReport) -> i32 {
    let written = match harness::report::write_all(report, &args.report_dir, args.junit.as_deref())
    {
        Ok(w) => w,
        Err(e) => return super::fail(&e),
    };
    if !args.quiet {
        print!("{}", harness::report::terminal_summary(report));
        println!(
            "reports: {} (junit: {})",
            args.report_dir.display(),
            written.junit.display()
        );
    }
    verdict(report)
}

fn case_line(r: &harness::outcome::CaseResult, color: bool) -> String {
    let (word, code) = match r.outcome {
        Outcome::Pass => ("PASS", "32"),
        Outcome::Fail => ("FAIL", "31"),
        Outcome::Error => ("ERROR", "35"),
        Outcome::Skip => ("SKIP", "33"),
    };
    let word = if color {
        format!("\x1b[{code}m{word:>5}\x1b[0m")
    } else {
        format!("{word:>5}")
    };
    match &r.detail {
        Some(d) => format!("{word} {} ({d})", r.case.id),
        None => format!("{word} {}", r.case.id),
    }
}

/// The exit code a finished run earns: the judge's verdict (see [`harness::judge::Verdict`]),
/// never 0 for a run with a skip (outside the coverage of a cloud run).
pub(crate) fn verdict(report: &RunReport) -> i32 {
    let judgement = report.judgement();
    if judgement.verdict == Verdict::Incomplete {
        eprintln!(
            "incomplete: {} (exit {}): a skipped case is never a pass",
            judgement.title(),
            judgement.verdict.exit_code()
        );
    }
    judgement.verdict.exit_code()
}
