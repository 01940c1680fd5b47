//! `harness verify DIR`: re-check a certification bundle, one line per check.

use clap::Args;
use harness::certify::{VerifyOptions, verify_bundle};
use harness::exit_code;
use std::path::PathBuf;

pub(crate) const AFTER_HELP: &str = "\
EXAMPLES:
    harness verify certification
    harness verify certification --allowed-signers allowed_signers

CHECKS (one line each, ✔ or ✘ with the reason; every check runs):
    files            every required file is in the folder
    manifest         SHA256SUMS lists every other file with its current SHA-256
    product          PRODUCT.yaml has vendor, product, version, homepage, contact, profiles
    results          results.json reads
    harness version  made by a compatible harness (same major; same minor for 0.x)
    profiles         the profiles run are the ones claimed, with this harness's digests
    cases            every case of every claimed profile present exactly once, by id,
                     from this harness's own enumeration
    outcomes         no case failed, errored or was skipped
    implementation   an adapter's reported version is the PRODUCT.yaml version
    environment      environment.json agrees with results.json
    signature        SHA256SUMS.sig, if present, verifies against --allowed-signers

An allowed-signers file has one line per key: `PRINCIPAL KEYTYPE BASE64`, e.g.
`sdk@example.com ssh-ed25519 AAAA...` (see ssh-keygen(1), ALLOWED SIGNERS).

EXIT CODES:
    0  every check holds
    1  at least one check failed
    2  the bundle folder cannot be read, or bad flags";

/// Flags of `harness verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The bundle folder written by `harness certify`.
    #[arg(value_name = "DIR")]
    dir: PathBuf,

    /// OpenSSH allowed-signers file to check SHA256SUMS.sig against.
    #[arg(long, value_name = "FILE")]
    allowed_signers: Option<PathBuf>,

    /// Fail when the bundle carries no signature.
    #[arg(long)]
    require_signature: bool,
}

/// Runs `harness verify`; returns the exit code.
pub(crate) fn run(args: VerifyArgs) -> i32 {
    if let Some(file) = &args.allowed_signers
        && !file.is_file()
    {
        eprintln!("error: --allowed-signers {}: no such file", file.display());
        return exit_code::ERROR;
    }
    let options = VerifyOptions {
        allowed_signers: args.allowed_signers,
        require_signature: args.require_signature,
    };
    let checks = match verify_bundle(&args.dir, &options) {
        Ok(c) => c,
        Err(e) => return super::fail(&e),
    };
    for check in &checks {
        println!("{}", check.line());
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    if failed == 0 {
        println!("verified: {} checks hold", checks.len());
        exit_code::SUCCESS
    } else {
        println!("not verified: {failed} of {} checks failed", checks.len());
        exit_code::FAILURES
    }
}
