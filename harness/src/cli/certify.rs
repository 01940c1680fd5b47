//! `harness certify`: run every case of the claimed profiles and write a certification bundle.

use clap::Args;
use harness::certify::bundle::{LOG_FILE, log_line, shell_line};
use harness::certify::product::TEMPLATE;
use harness::certify::{BundleInput, VerifyOptions, load_product, verify_bundle, write_bundle};
use harness::exit_code;
use harness::report::terminal_summary;
use harness::runner::{RunEvent, RunOptions, Runner};
use harness::target::TargetSpec;
use harness::target::adapter::{AdapterOptions, AdapterTarget, PROTOCOL_V1, PROTOCOL_VERSION};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) const AFTER_HELP: &str = "\
EXAMPLES:
    harness certify --init PRODUCT.yaml      write a commented PRODUCT.yaml to fill in
    harness certify --product PRODUCT.yaml --target adapter:adapters/nova/run --out bundle
    harness certify --product PRODUCT.yaml --target fake --out bundle --sign-key ~/.ssh/id_ed25519
    harness verify bundle                    check a bundle (see `harness verify --help`)

The profiles certified are the ones PRODUCT.yaml claims (`profiles:`). Every case of each runs:
--filter, --max-fail, --fail-fast, --fake-deviation and --profile are refused, and a skipped
case makes the bundle fail `harness verify`. An adapter that answers the handshake with protocol
v1 is refused before the run: certification needs v2's blind questions and proven fetches.

THE BUNDLE (one new folder, --out):
    PRODUCT.yaml      the vendor's file, copied unchanged
    results.json, junit.xml, summary.md, index.html   the run's reports
    run.log           every case as it finished, then the summary
    environment.json  harness version, command, profile digests, adapter metadata, OS
    README.md         what was certified and the exact command that reproduces it
    SHA256SUMS        SHA-256 of every other file (`sha256sum -c SHA256SUMS` checks it too)
    SHA256SUMS.sig    with --sign-key: `ssh-keygen -Y sign` over SHA256SUMS

EXIT CODES:
    0  the bundle is written and passes every `harness verify` check
    1  the bundle is written but does not verify (conformance failures, wrong version, ...)
    2  usage or infrastructure error (bad PRODUCT.yaml, flags, target, folder not empty),
       or cases errored
    3  the run was incomplete (cases skipped): written, not certifiable";

/// Flags of `harness certify`.
#[derive(Debug, Args)]
pub(crate) struct CertifyArgs {
    /// The vendor's PRODUCT.yaml (vendor, product, version, homepage, contact, profiles).
    #[arg(long, value_name = "FILE", required_unless_present = "init")]
    product: Option<PathBuf>,

    /// Write a commented PRODUCT.yaml template to FILE (refuses to overwrite) and exit.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["product", "target"])]
    init: Option<PathBuf>,

    /// What to certify: `fake`, the URL of a fake-server, or `adapter:CMD` (an SDK adapter).
    #[arg(
        long,
        value_name = "fake|URL|adapter:CMD",
        required_unless_present = "init"
    )]
    target: Option<TargetSpec>,

    /// The bundle folder to create (it must not exist, or be empty).
    #[arg(long, value_name = "DIR", default_value = "certification")]
    out: PathBuf,

    /// Sign SHA256SUMS with this SSH private key (`ssh-keygen -Y sign`).
    #[arg(long, value_name = "KEY")]
    sign_key: Option<PathBuf>,

    /// Timeout for each request or adapter message, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    timeout: f64,

    /// How many reads are in flight at once.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    concurrency: u16,

    /// Refused: a certification runs every case.
    #[arg(long = "filter", value_name = "GLOB", hide = true)]
    filter: Vec<String>,
    /// Refused: a certification runs every case.
    #[arg(long, value_name = "N", hide = true)]
    max_fail: Option<String>,
    /// Refused: a certification runs every case.
    #[arg(long, short = 'x', hide = true)]
    fail_fast: bool,
    /// Refused: a certification never alters the fake.
    #[arg(long = "fake-deviation", value_name = "VM/TASK=STATUS", hide = true)]
    fake_deviation: Vec<String>,
    /// Refused: the claimed profiles come from PRODUCT.yaml.
    #[arg(long = "profile", value_name = "NAME", hide = true)]
    profile: Vec<String>,
}

/// Runs `harness certify`; returns the exit code.
pub(crate) fn run(args: CertifyArgs) -> i32 {
    if let Some(path) = &args.init {
        return init(path);
    }
    if let Some(message) = refused(&args) {
        eprintln!("error: {message}");
        return exit_code::ERROR;
    }
    let (Some(product_path), Some(target)) = (&args.product, &args.target) else {
        eprintln!("error: --product and --target are required");
        return exit_code::ERROR;
    };
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        eprintln!("error: --timeout must be a positive number of seconds");
        return exit_code::ERROR;
    }
    let product = match load_product(product_path) {
        Ok(p) => p,
        Err(e) => return super::fail(&e),
    };
    // Read once: the bundle holds exactly the bytes that were validated.
    let product_text = match std::fs::read_to_string(product_path) {
        Ok(t) => t,
        Err(e) => return super::fail(&e),
    };
    let profiles = match harness::case::resolve_profiles(&product.profiles) {
        Ok(p) => p,
        Err(e) => return super::fail(&e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return super::fail(&e),
    };
    if let TargetSpec::Adapter(cmd) = target
        && let Err(message) =
            runtime.block_on(speaks_v2(cmd, Duration::from_secs_f64(args.timeout)))
    {
        eprintln!("error: {message}");
        return exit_code::ERROR;
    }
    let command = reproduce_command(&args, product_path, target);
    let options = RunOptions {
        target: target.clone(),
        profiles,
        concurrency: usize::from(args.concurrency),
        timeout: Duration::from_secs_f64(args.timeout),
        ..RunOptions::default()
    };
    let mut log = format!(
        "harness {} certify: {} {} ({}), target {}, profiles {}\n$ {}\n",
        harness::VERSION,
        product.product,
        product.version,
        product.vendor,
        target,
        product.profiles.join(", "),
        shell_line(&command)
    );
    let result = runtime.block_on(Runner::new(options).execute(|event| match event {
        RunEvent::Started { total } => log.push_str(&format!("{total} cases\n")),
        RunEvent::ProfileStarted { profile, cases } => {
            log.push_str(&format!("== {profile} ({cases} cases)\n"));
        }
        RunEvent::CaseFinished(r) => {
            log.push_str(&log_line(r));
            log.push('\n');
        }
    }));
    let report = match result {
        Ok(r) => r,
        Err(e) => return super::fail(&e),
    };
    let summary = terminal_summary(&report);
    log.push_str(&summary);
    let input = BundleInput {
        report: &report,
        product: &product,
        product_text: &product_text,
        log: &log,
        command: &command,
    };
    if let Err(message) = write_bundle(&args.out, input) {
        eprintln!("error: {message}");
        return exit_code::ERROR;
    }
    if let Some(key) = &args.sign_key
        && let Err(message) = harness::certify::sign::sign(&args.out, key)
    {
        eprintln!("error: {message}");
        return exit_code::ERROR;
    }
    print!("{summary}");
    finish(&args.out, report.verdict().exit_code())
}

/// Verifies the bundle just written, prints every check and picks the exit code.
fn finish(out: &Path, run_code: i32) -> i32 {
    println!(
        "bundle: {} (run log: {})",
        out.display(),
        out.join(LOG_FILE).display()
    );
    let checks = match verify_bundle(out, &VerifyOptions::default()) {
        Ok(c) => c,
        Err(e) => return super::fail(&e),
    };
    for check in checks.iter().filter(|c| c.name != "signature") {
        println!("{}", check.line());
    }
    let verified = checks
        .iter()
        .filter(|c| c.name != "signature")
        .all(|c| c.ok);
    match (run_code, verified) {
        (exit_code::SUCCESS, true) => {
            println!(
                "certifiable: publish the folder; reviewers run `harness verify {}`",
                out.display()
            );
            exit_code::SUCCESS
        }
        (exit_code::SUCCESS, false) => exit_code::FAILURES,
        (code, _) => {
            println!("not certifiable: the bundle records why");
            code
        }
    }
}

/// Refuses an adapter that answers the handshake with protocol v1: a v1 adapter is handed
/// guessable questions, so nothing it answers can be certified.
async fn speaks_v2(command: &str, timeout: Duration) -> Result<(), String> {
    let adapter = AdapterTarget::start(command, AdapterOptions::new(timeout))
        .await
        .map_err(|e| format!("failed to start adapter `{command}`: {e}"))?;
    let version = adapter.protocol_version();
    // The handshake is all this needed; a failing stop shows again in the real run.
    let _ = adapter.stop().await;
    if version == PROTOCOL_V1 {
        return Err(format!(
            "adapter `{command}` speaks protocol v1: certify needs protocol v{PROTOCOL_VERSION} (blind derive questions, proven fetches; see adapters/PROTOCOL.md). `harness --target adapter:{command}` still runs it, reported as v1"
        ));
    }
    Ok(())
}

/// Why the flags are refused, if they are.
fn refused(args: &CertifyArgs) -> Option<String> {
    let every_case = "a certification runs every case of the claimed profiles";
    if !args.filter.is_empty() {
        return Some(format!(
            "--filter is not allowed with certify: {every_case}"
        ));
    }
    if args.max_fail.is_some() || args.fail_fast {
        let flag = if args.fail_fast {
            "--fail-fast"
        } else {
            "--max-fail"
        };
        return Some(format!(
            "{flag} is not allowed with certify: {every_case} (stopping early would skip cases)"
        ));
    }
    if !args.fake_deviation.is_empty() {
        return Some("--fake-deviation is not allowed with certify: a certification runs against the unaltered fake".into());
    }
    if !args.profile.is_empty() {
        return Some("--profile is not allowed with certify: list the claimed profiles under `profiles:` in PRODUCT.yaml".into());
    }
    None
}

/// The command that reproduces the bundle (without the private signing key).
fn reproduce_command(args: &CertifyArgs, product: &Path, target: &TargetSpec) -> Vec<String> {
    let target = match target {
        TargetSpec::Fake => "fake".to_owned(),
        TargetSpec::Adapter(cmd) => format!("adapter:{cmd}"),
        other => other.to_string(),
    };
    let mut command: Vec<String> = ["harness", "certify", "--product"]
        .map(str::to_owned)
        .to_vec();
    command.push(product.display().to_string());
    command.extend([
        "--target".to_owned(),
        target,
        "--out".to_owned(),
        args.out.display().to_string(),
    ]);
    if args.timeout != 10.0 {
        command.extend(["--timeout".to_owned(), args.timeout.to_string()]);
    }
    if args.concurrency != 16 {
        command.extend(["--concurrency".to_owned(), args.concurrency.to_string()]);
    }
    command
}

/// `--init FILE`: writes the template, never over an existing file.
fn init(path: &Path) -> i32 {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path);
    let result = file.and_then(|mut f| std::io::Write::write_all(&mut f, TEMPLATE.as_bytes()));
    match result {
        Ok(()) => {
            println!(
                "wrote {}: fill in every field, then run `harness certify --product {} --target …`",
                path.display(),
                path.display()
            );
            exit_code::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "error: cannot write {}: {e} (it must not exist yet)",
                path.display()
            );
            exit_code::ERROR
        }
    }
}
