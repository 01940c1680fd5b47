//! Writing a certification bundle: one flat folder a vendor publishes and a reviewer checks.
//!
//! | file | what |
//! |---|---|
//! | `PRODUCT.yaml` | the vendor's file, copied byte for byte |
//! | `results.json`, `junit.xml`, `summary.md`, `index.html` | the run's reports |
//! | `run.log` | every case as it finished, then the summary |
//! | `environment.json` | harness version, command, profile digests, adapter metadata, OS |
//! | `README.md` | what was certified and the exact command that reproduces it |
//! | `SHA256SUMS` | the SHA-256 of every other file |
//! | `SHA256SUMS.sig` | optional: `ssh-keygen -Y sign` over `SHA256SUMS` |

use super::environment::Environment;
use super::manifest::{MANIFEST_FILE, SIGNATURE_FILE, write_manifest};
use super::product::Product;
use crate::outcome::CaseResult;
use crate::report::{RESULTS_FILE, RunReport, json::read_results, write_all};
use std::fmt::Write as _;
use std::path::Path;

/// The product file's name inside a bundle.
pub const PRODUCT_FILE: &str = "PRODUCT.yaml";
/// The run log's name.
pub const LOG_FILE: &str = "run.log";
/// The environment record's name.
pub const ENVIRONMENT_FILE: &str = "environment.json";
/// The bundle's own README.
pub const README_FILE: &str = "README.md";

/// Every file a bundle must hold besides the manifest (and the optional signature).
pub const REQUIRED_FILES: [&str; 8] = [
    PRODUCT_FILE,
    RESULTS_FILE,
    crate::report::JUNIT_FILE,
    crate::report::SUMMARY_FILE,
    crate::report::HTML_FILE,
    LOG_FILE,
    ENVIRONMENT_FILE,
    README_FILE,
];

/// What goes into a bundle besides the run itself.
#[derive(Debug, Clone, Copy)]
pub struct BundleInput<'a> {
    /// The finished run.
    pub report: &'a RunReport,
    /// The validated product.
    pub product: &'a Product,
    /// `PRODUCT.yaml` exactly as the vendor wrote it.
    pub product_text: &'a str,
    /// The run log.
    pub log: &'a str,
    /// The command that reproduces the run, one argument per item (`harness`, `certify`, …).
    pub command: &'a [String],
}

/// Writes every file of the bundle into `dir`, which must not exist or be empty, and hashes them
/// into `SHA256SUMS`. Errors name the file.
pub fn write_bundle(dir: &Path, input: BundleInput<'_>) -> Result<(), String> {
    if let Ok(mut entries) = std::fs::read_dir(dir)
        && entries.next().is_some()
    {
        return Err(format!(
            "{} exists and is not empty: a bundle is written into a new folder (choose another --out, or remove it)",
            dir.display()
        ));
    }
    write_all(input.report, dir, None).map_err(|e| format!("{e}: {}", cause(&e)))?;
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text)
            .map_err(|e| format!("failed to write {}: {e}", dir.join(name).display()))
    };
    write(PRODUCT_FILE, input.product_text)?;
    write(LOG_FILE, input.log)?;
    // The environment copies `implementation` as results.json records it, through the one reader.
    let results = read_results(&dir.join(RESULTS_FILE)).map_err(|e| e.to_string())?;
    let implementation = serde_json::to_value(&results.implementation).ok();
    let environment = Environment::of(input.report, input.command, implementation);
    write(ENVIRONMENT_FILE, &environment.to_json())?;
    write(README_FILE, &readme(input))?;
    write_manifest(dir)?;
    Ok(())
}

fn cause(e: &dyn std::error::Error) -> String {
    e.source().map_or_else(String::new, ToString::to_string)
}

/// The command as one line a shell runs unchanged.
pub fn shell_line(command: &[String]) -> String {
    command
        .iter()
        .map(|a| shlex::try_quote(a).map_or_else(|_| format!("{a:?}"), |q| q.into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The bundle's README: what was certified, the verdict, and how to reproduce and check it.
fn readme(input: BundleInput<'_>) -> String {
    let BundleInput {
        report,
        product,
        command,
        ..
    } = input;
    let totals = report.totals();
    let verdict = report.verdict();
    let profiles: Vec<&str> = report.profiles.iter().map(|p| p.name.as_str()).collect();
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Status conformance: {} {} ({})\n",
        product.product, product.version, product.vendor
    );
    let _ = writeln!(
        md,
        "**{} {}**: {} cases of {} against `{}`: {} passed, {} failed, {} errored, {} skipped.\n",
        verdict.badge(),
        verdict.as_word(),
        totals.total(),
        profiles.join(", "),
        report.target,
        totals.pass,
        totals.fail,
        totals.error,
        totals.skip
    );
    if let Some(i) = &report.implementation {
        let _ = writeln!(
            md,
            "Implementation (from the adapter's handshake): {} {} ({}).\n",
            i.name, i.version, i.language
        );
    }
    let _ = writeln!(
        md,
        "Made by harness {} between {} and {}. Homepage: {}. Contact: {}.\n",
        report.harness_version,
        report.started.to_rfc3339(),
        report.finished.to_rfc3339(),
        product.homepage,
        product.contact
    );
    readme_tail(&mut md, command);
    md
}

/// The sections after the verdict: reproduction, checking, and the list of files.
fn readme_tail(md: &mut String, command: &[String]) {
    md.push_str("## Reproduce\n\nWith the same harness version, from the directory the target's path is relative to:\n\n```sh\n");
    let _ = writeln!(md, "{}\n```\n", shell_line(command));
    let dir = dir_name(command);
    let mut again = command.to_vec();
    for (flag, value) in [
        ("--product", format!("{dir}/{PRODUCT_FILE}")),
        ("--out", format!("{dir}-again")),
    ] {
        if let Some(i) = again.iter().position(|a| a == flag) {
            again[i + 1] = value;
        }
    }
    let _ = writeln!(
        md,
        "From this folder alone (its own `{PRODUCT_FILE}`, into a new folder):\n\n```sh\n{}\n```\n",
        shell_line(&again)
    );
    md.push_str("## Check this bundle\n\n```sh\n");
    let _ = writeln!(
        md,
        "harness verify {}   # every check, one line each",
        shell_line(&[dir])
    );
    let _ = writeln!(
        md,
        "sha256sum -c {MANIFEST_FILE}   # the files only, without the harness\n```\n"
    );
    let _ = writeln!(
        md,
        "If `{SIGNATURE_FILE}` is present, `harness verify DIR --allowed-signers FILE` also checks the vendor's SSH signature over `{MANIFEST_FILE}`.\n"
    );
    md.push_str("## Files\n\n| file | what |\n|---|---|\n");
    for (file, what) in [
        (
            PRODUCT_FILE,
            "the vendor's product description and claimed profiles",
        ),
        (
            RESULTS_FILE,
            "every case with its outcome (docs/ARCHITECTURE.md has the format)",
        ),
        (crate::report::JUNIT_FILE, "the same as JUnit XML"),
        (
            crate::report::SUMMARY_FILE,
            "counts, failures and compatibility",
        ),
        (
            crate::report::HTML_FILE,
            "per profile a vm_state × task_state grid",
        ),
        (LOG_FILE, "every case as it finished, then the summary"),
        (
            ENVIRONMENT_FILE,
            "harness version, profile digests, adapter metadata, OS",
        ),
        (MANIFEST_FILE, "SHA-256 of every other file"),
    ] {
        let _ = writeln!(md, "| `{file}` | {what} |");
    }
}

/// The `--out` value of a command, for the README's verify line.
fn dir_name(command: &[String]) -> String {
    command
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| command.get(i + 1))
        .cloned()
        .unwrap_or_else(|| "DIR".to_owned())
}

/// One run-log line for a finished case: `PASS id`, or `FAIL id: detail`.
pub fn log_line(result: &CaseResult) -> String {
    let word = result.outcome.as_str().to_uppercase();
    match &result.detail {
        Some(detail) => format!("{word:>5} {}: {detail}", result.case.id),
        None => format!("{word:>5} {}", result.case.id),
    }
}
