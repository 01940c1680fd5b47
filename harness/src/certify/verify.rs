//! `harness verify DIR`: re-checks a bundle the way the Kubernetes conformance bot checks a
//! submission, one named check after another.
//!
//! | check | holds when |
//! |---|---|
//! | `files` | every required file is in the folder |
//! | `manifest` | `SHA256SUMS` lists every other file, with its current SHA-256 |
//! | `product` | `PRODUCT.yaml` has every field filled in |
//! | `results` | `results.json` reads (any format this harness reads) |
//! | `harness version` | the bundle's harness version is compatible with this one |
//! | `profiles` | the profiles run are exactly the ones claimed, with this harness's digests |
//! | `cases` | every case of every claimed profile is there exactly once (by id), nothing else |
//! | `outcomes` | no case failed, errored or was skipped |
//! | `implementation` | an adapter's version is the product version |
//! | `environment` | `environment.json` agrees with `results.json` |
//! | `signature` | `SHA256SUMS.sig`, if present, verifies against the allowed signers |
//!
//! Every check runs even when an earlier one failed, so a reviewer sees every problem at once.

use super::bundle::{ENVIRONMENT_FILE, PRODUCT_FILE, REQUIRED_FILES};
use super::environment::Environment;
use super::manifest::{SIGNATURE_FILE, check_manifest};
use super::product::{Product, load_product};
use crate::case::{Profile, ScenarioKind, builtin_scenarios, resolve_profiles};
use crate::kinds::{scenario_cases, surface_cases};
use crate::outcome::Outcome;
use crate::report::RESULTS_FILE;
use crate::report::json::{ResultsRecord, read_results};
use crate::target::adapter::PROTOCOL_VERSION;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The check's name, e.g. `manifest`.
    pub name: &'static str,
    /// Whether it holds.
    pub ok: bool,
    /// What was found: a summary when it holds, the reason when it does not.
    pub message: String,
}

impl Check {
    fn pass(name: &'static str, message: impl Into<String>) -> Check {
        Check {
            name,
            ok: true,
            message: message.into(),
        }
    }

    fn fail(name: &'static str, message: impl Into<String>) -> Check {
        Check {
            name,
            ok: false,
            message: message.into(),
        }
    }

    /// `✔ name: message` or `✘ name: message`.
    pub fn line(&self) -> String {
        format!(
            "{} {}: {}",
            if self.ok { "✔" } else { "✘" },
            self.name,
            self.message
        )
    }
}

/// How strictly to check.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// An OpenSSH allowed-signers file to check `SHA256SUMS.sig` against.
    pub allowed_signers: Option<PathBuf>,
    /// Fail when the bundle is not signed.
    pub require_signature: bool,
}

/// The bundle could not be looked at at all (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("cannot read bundle {path}: {message}")]
pub struct UnreadableBundle {
    /// The folder.
    pub path: PathBuf,
    /// Why.
    pub message: String,
}

/// Runs every check on the bundle in `dir`.
///
/// # Examples
///
/// ```
/// use harness::certify::verify::{verify_bundle, VerifyOptions};
///
/// // Arrange: an empty folder is readable but holds no bundle.
/// let dir = tempfile::tempdir().unwrap();
///
/// // Act
/// let checks = verify_bundle(dir.path(), &VerifyOptions::default()).unwrap();
///
/// // Assert
/// assert_eq!(checks[0].line(), "✘ files: missing PRODUCT.yaml, results.json, junit.xml, summary.md, index.html, run.log, environment.json, README.md");
/// assert!(checks.iter().all(|c| c.name == "signature" || !c.ok));
/// ```
pub fn verify_bundle(dir: &Path, options: &VerifyOptions) -> Result<Vec<Check>, UnreadableBundle> {
    std::fs::read_dir(dir).map_err(|e| UnreadableBundle {
        path: dir.to_owned(),
        message: e.to_string(),
    })?;
    let mut checks = vec![files(dir), manifest(dir)];
    let product = load_product(&dir.join(PRODUCT_FILE));
    checks.push(match &product {
        Ok(p) => Check::pass(
            "product",
            format!(
                "{} {} by {} ({}, {}), claims {}",
                p.product,
                p.version,
                p.vendor,
                p.homepage,
                p.contact,
                p.profiles.join(", ")
            ),
        ),
        Err(e) => Check::fail("product", e.to_string()),
    });
    let results = read_results(&dir.join(RESULTS_FILE));
    let results = match results {
        Ok(r) => {
            checks.push(Check::pass(
                "results",
                format!(
                    "{RESULTS_FILE} format_version {}, {} cases, target {}",
                    r.format_version,
                    r.cases.len(),
                    r.target
                ),
            ));
            Some(r)
        }
        Err(e) => {
            let mut message = e.to_string();
            if let Some(source) = std::error::Error::source(&e) {
                message = format!("{message}: {source}");
            }
            checks.push(Check::fail("results", message));
            None
        }
    };
    let product = product.ok();
    checks.extend(judge(results.as_ref(), product.as_ref(), dir));
    checks.push(signature(dir, options));
    Ok(checks)
}

/// The checks that need results.json (and the claims of PRODUCT.yaml).
fn judge(results: Option<&ResultsRecord>, product: Option<&Product>, dir: &Path) -> Vec<Check> {
    const NEEDS: [&str; 6] = [
        "harness version",
        "profiles",
        "cases",
        "outcomes",
        "implementation",
        "environment",
    ];
    let Some(results) = results else {
        return NEEDS
            .iter()
            .map(|n| Check::fail(n, format!("no readable {RESULTS_FILE}")))
            .collect();
    };
    let claimed = match product.map(|p| resolve_profiles(&p.profiles)) {
        Some(Ok(profiles)) => Ok(profiles),
        Some(Err(e)) => Err(format!("the claimed profiles do not load: {e}")),
        None => Err(format!(
            "no valid {PRODUCT_FILE} says which profiles are claimed"
        )),
    };
    vec![
        harness_version(&results.harness_version),
        profiles(results, &claimed),
        cases(results, &claimed, dir),
        outcomes(results),
        implementation(results, product),
        environment(results, dir),
    ]
}

fn files(dir: &Path) -> Check {
    let missing: Vec<&str> = REQUIRED_FILES
        .iter()
        .copied()
        .filter(|f| !dir.join(f).is_file())
        .collect();
    if missing.is_empty() {
        Check::pass(
            "files",
            format!("all {} required files present", REQUIRED_FILES.len()),
        )
    } else {
        Check::fail("files", format!("missing {}", missing.join(", ")))
    }
}

fn manifest(dir: &Path) -> Check {
    match check_manifest(dir) {
        Ok(n) => Check::pass("manifest", format!("{n} files match SHA256SUMS")),
        Err(problems) => Check::fail("manifest", problems.join("; ")),
    }
}

/// Same major version, and for 0.x the same minor: cases and judging rules are stable within it.
pub fn compatible(bundle: &str, ours: &str) -> bool {
    match (semver::Version::parse(bundle), semver::Version::parse(ours)) {
        (Ok(b), Ok(o)) => b.major == o.major && (o.major > 0 || b.minor == o.minor),
        _ => false,
    }
}

fn harness_version(bundle: &str) -> Check {
    let ours = crate::VERSION;
    if compatible(bundle, ours) {
        Check::pass(
            "harness version",
            format!("made by {bundle}, checked by {ours}"),
        )
    } else {
        Check::fail(
            "harness version",
            format!(
                "made by harness {bundle}, which is not compatible with this harness {ours} (same major version needed, and the same minor for 0.x); verify with harness {bundle}"
            ),
        )
    }
}

fn profiles(results: &ResultsRecord, claimed: &Result<Vec<Profile>, String>) -> Check {
    let claimed = match claimed {
        Ok(c) => c,
        Err(e) => return Check::fail("profiles", e.clone()),
    };
    let run: Vec<&str> = results.profiles.iter().map(|p| p.name.as_str()).collect();
    let want: Vec<&str> = claimed.iter().map(Profile::name).collect();
    if run != want {
        return Check::fail(
            "profiles",
            format!(
                "ran [{}] but {PRODUCT_FILE} claims [{}]",
                run.join(", "),
                want.join(", ")
            ),
        );
    }
    let wrong: Vec<String> = results
        .profiles
        .iter()
        .zip(claimed)
        .filter(|(r, p)| r.digest != p.digest())
        .map(|(r, p)| {
            format!(
                "{} has digest {} but this harness's is {}",
                r.name,
                r.digest,
                p.digest()
            )
        })
        .collect();
    if wrong.is_empty() {
        Check::pass(
            "profiles",
            format!("{} with this harness's digests", want.join(", ")),
        )
    } else {
        Check::fail("profiles", wrong.join("; "))
    }
}

/// The ids a certification run of these profiles must report, from this harness's own
/// enumeration, in order: every pair case of each profile, then what the adapter's capabilities
/// add (as the runner adds them): three challenges for `fetch`, one surface case per status for
/// `surface`, the built-in list and wait scenarios for `list` and `wait`.
pub fn expected_case_ids(
    profiles: &[Profile],
    capabilities: &[&str],
) -> Result<Vec<String>, String> {
    let can = |c: &str| capabilities.contains(&c);
    let scenarios = if can("list") || can("wait") {
        builtin_scenarios().map_err(|e| format!("the built-in scenarios do not load: {e}"))?
    } else {
        Vec::new()
    };
    let mut ids = Vec::new();
    for profile in profiles {
        ids.extend(profile.cases().into_iter().map(|c| c.id.0));
        if can("fetch") {
            ids.extend((1..=3).map(|n| format!("{}/challenge/{n}", profile.name())));
        }
        let mut extra = Vec::new();
        if can("surface") {
            extra.extend(surface_cases(profile));
        }
        if can("list") {
            extra.extend(scenario_cases(profile, &scenarios, ScenarioKind::List));
        }
        if can("wait") {
            extra.extend(scenario_cases(profile, &scenarios, ScenarioKind::Wait));
        }
        ids.extend(extra.into_iter().map(|c| c.id.0));
    }
    Ok(ids)
}

/// The adapter's capabilities as `environment.json` recorded them (empty for other targets).
fn capabilities(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(ENVIRONMENT_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<Environment>(&t).ok())
        .and_then(|env| env.adapter.get("adapter.capabilities").cloned())
        .map(|caps| {
            caps.split(',')
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn cases(results: &ResultsRecord, claimed: &Result<Vec<Profile>, String>, dir: &Path) -> Check {
    let claimed = match claimed {
        Ok(c) => c,
        Err(e) => return Check::fail("cases", e.clone()),
    };
    let caps = capabilities(dir);
    let caps: Vec<&str> = caps.iter().map(String::as_str).collect();
    let expected = match expected_case_ids(claimed, &caps) {
        Ok(ids) => ids,
        Err(e) => return Check::fail("cases", e),
    };
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for case in &results.cases {
        *seen.entry(case.id.as_str()).or_default() += 1;
    }
    let missing: Vec<&str> = expected
        .iter()
        .map(String::as_str)
        .filter(|id| !seen.contains_key(id))
        .collect();
    let mut duplicated: Vec<&str> = Vec::new();
    let mut unexpected: Vec<&str> = Vec::new();
    for case in &results.cases {
        let id = case.id.as_str();
        if seen.get(id).copied().unwrap_or(0) > 1 && !duplicated.contains(&id) {
            duplicated.push(id);
        }
        if !expected.iter().any(|e| e == id) {
            unexpected.push(id);
        }
    }
    let mut problems = Vec::new();
    if let Some(scope) = results.scope.as_ref().filter(|s| !s.filters.is_empty()) {
        problems.push(format!(
            "the run was filtered ({}), a certification runs every case",
            scope.filters.join(", ")
        ));
    }
    for (what, ids) in [
        ("missing", &missing),
        ("more than once", &duplicated),
        ("not a case of the claimed profiles", &unexpected),
    ] {
        if !ids.is_empty() {
            problems.push(format!("{} {what}: {}", ids.len(), first_few(ids)));
        }
    }
    if problems.is_empty() {
        Check::pass(
            "cases",
            format!(
                "all {} cases of the claimed profiles, each once",
                expected.len()
            ),
        )
    } else {
        Check::fail("cases", problems.join("; "))
    }
}

fn first_few(ids: &[&str]) -> String {
    const SHOWN: usize = 5;
    let mut text = ids
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN {
        text.push_str(&format!(", … ({} more)", ids.len() - SHOWN));
    }
    text
}

fn outcomes(results: &ResultsRecord) -> Check {
    let mut problems = Vec::new();
    for (outcome, word) in [
        (Outcome::Fail, "failed"),
        (Outcome::Error, "errored"),
        (Outcome::Skip, "skipped"),
    ] {
        let ids: Vec<&str> = results
            .cases
            .iter()
            .filter(|c| c.outcome == outcome)
            .map(|c| c.id.as_str())
            .collect();
        if !ids.is_empty() {
            problems.push(format!("{} {word}: {}", ids.len(), first_few(&ids)));
        }
    }
    if results.cases.is_empty() {
        problems.push("no case at all".to_owned());
    }
    // Format 2 records the judge's verdict; format 1 has none (the counts above decide).
    if let Some(verdict) = results.verdict.as_deref().filter(|v| *v != "conformant") {
        problems.push(format!("{RESULTS_FILE} records the verdict `{verdict}`"));
    }
    if problems.is_empty() {
        Check::pass(
            "outcomes",
            format!("all {} cases passed", results.cases.len()),
        )
    } else {
        Check::fail("outcomes", problems.join("; "))
    }
}

fn implementation(results: &ResultsRecord, product: Option<&Product>) -> Check {
    let Some(i) = &results.implementation else {
        return Check::pass(
            "implementation",
            format!("no adapter (target {})", results.target),
        );
    };
    if i.protocol_version != Some(PROTOCOL_VERSION) {
        let spoke = i.protocol_version.map_or_else(
            || "an unrecorded protocol".to_owned(),
            |v| format!("protocol v{v}"),
        );
        return Check::fail(
            "implementation",
            format!(
                "{} {} spoke {spoke}: certification needs adapter protocol v{PROTOCOL_VERSION} (blind questions, proven fetches)",
                i.name, i.version
            ),
        );
    }
    match product {
        Some(p) if p.version == i.version => Check::pass(
            "implementation",
            format!(
                "{} {} ({}) is the product version",
                i.name, i.version, i.language
            ),
        ),
        Some(p) => Check::fail(
            "implementation",
            format!(
                "the adapter reported {} {}, but {PRODUCT_FILE} certifies version {}",
                i.name, i.version, p.version
            ),
        ),
        None => Check::fail(
            "implementation",
            format!(
                "no valid {PRODUCT_FILE} to compare {} {} with",
                i.name, i.version
            ),
        ),
    }
}

fn environment(results: &ResultsRecord, dir: &Path) -> Check {
    let path = dir.join(ENVIRONMENT_FILE);
    let env: Environment = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(env) => env,
        Err(e) => return Check::fail("environment", format!("{ENVIRONMENT_FILE}: {e}")),
    };
    let mut problems = Vec::new();
    if env.harness_version != results.harness_version {
        problems.push(format!(
            "harness {} there, {} in {RESULTS_FILE}",
            env.harness_version, results.harness_version
        ));
    }
    let env_digests: Vec<(&str, &str)> = env
        .profiles
        .iter()
        .map(|p| (p.name.as_str(), p.digest.as_str()))
        .collect();
    let run_digests: Vec<(&str, &str)> = results
        .profiles
        .iter()
        .map(|p| (p.name.as_str(), p.digest.as_str()))
        .collect();
    if env_digests != run_digests {
        problems.push(format!("its profile digests differ from {RESULTS_FILE}'s"));
    }
    if env.target != results.target {
        problems.push(format!(
            "target {} there, {} in {RESULTS_FILE}",
            env.target, results.target
        ));
    }
    if problems.is_empty() {
        let os = env.os.release.as_deref().unwrap_or(&env.os.family);
        Check::pass(
            "environment",
            format!("harness {}, {os} {}", env.harness_version, env.os.arch),
        )
    } else {
        Check::fail(
            "environment",
            format!("{ENVIRONMENT_FILE} disagrees: {}", problems.join("; ")),
        )
    }
}

fn signature(dir: &Path, options: &VerifyOptions) -> Check {
    let signed = dir.join(SIGNATURE_FILE).is_file();
    match (signed, &options.allowed_signers) {
        (false, _) if options.require_signature => Check::fail(
            "signature",
            format!("not signed ({SIGNATURE_FILE} missing) and --require-signature was given"),
        ),
        (false, _) => Check::pass("signature", "not signed (optional)"),
        (true, None) => Check::fail(
            "signature",
            format!(
                "{SIGNATURE_FILE} is present but cannot be checked: pass --allowed-signers FILE"
            ),
        ),
        (true, Some(allowed)) => match super::sign::verify(dir, allowed) {
            Ok(principal) => Check::pass("signature", format!("good signature by {principal}")),
            Err(e) => Check::fail("signature", e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_compatible_within_a_minor_for_0x_and_a_major_after() {
        let rows = [
            ("0.1.0", "0.1.7", true),
            ("0.1.9", "0.1.0", true),
            ("0.2.0", "0.1.0", false),
            ("1.4.0", "1.0.0", true),
            ("2.0.0", "1.9.0", false),
            ("banana", "0.1.0", false),
        ];
        for (bundle, ours, want) in rows {
            assert_eq!(compatible(bundle, ours), want, "{bundle} vs {ours}");
        }
    }
}
