//! `harness certify` then `harness verify` through the three shipped Python adapters
//! (`adapters/{nova,openstacksdk,huaweicloud}/run`). Each adapter installs its own venv on first
//! use (PyPI); `SKIP_PY_CHECKS=1` skips these on purpose, saying so loudly.
//!
//! What each SDK does not pass is data: `adapters/NAME/expected-outcomes.txt` (`<outcome> <id>`
//! lines, checked both ways by CI). The round trip must agree with it exactly: a clean SDK gets a
//! bundle that verifies (exit 0 twice); an SDK with findings gets a bundle whose only failed check
//! is `outcomes`, and certify exits 1 (a failure) or 3 (only skips: incomplete).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;

#[path = "support/certify.rs"]
mod cli;
use cli::{Output, certify, failed_lines, run};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_owned()
}

fn skipped() -> bool {
    if std::env::var_os("SKIP_PY_CHECKS").is_some_and(|v| v == "1") {
        eprintln!(
            "#### SKIP_PY_CHECKS=1: the Python adapters' certify/verify round trips did NOT run ####"
        );
        return true;
    }
    false
}

/// The implementation version the adapter reports in its handshake.
fn adapter_version(run: &Path) -> String {
    let mut child = std::process::Command::new(run)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the adapter starts");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(b"{\"cmd\":\"start\",\"version\":1}\n{\"cmd\":\"stop\"}\n")
        .expect("writable");
    drop(stdin);
    let out = child.wait_with_output().expect("the adapter stops");
    let first = String::from_utf8(out.stdout).expect("UTF-8");
    let first = first.lines().next().expect("a handshake answer").to_owned();
    let value: serde_json::Value = serde_json::from_str(&first).expect("JSON");
    value["implementation"]["version"]
        .as_str()
        .expect("a version")
        .to_owned()
}

fn round_trip(adapter: &str, profile: &str) {
    if skipped() {
        return;
    }
    let script = repo().join("adapters").join(adapter).join("run");
    let version = adapter_version(&script);
    let dir = tempfile::tempdir().expect("a temp dir");
    let product = format!(
        "vendor: Example\nproduct: {adapter}\nversion: \"{version}\"\nhomepage: https://example.invalid/{adapter}\ncontact: sdk@example.invalid\nprofiles: [{profile}]\n"
    );
    std::fs::write(dir.path().join("PRODUCT.yaml"), product).expect("writable");
    let target = format!("adapter:{}", script.display());

    let certified = Output::of(&mut certify(dir.path(), &target, "bundle"));
    let verify = run(&["verify", "bundle"], dir.path());

    let log = format!("{}{}", certified.stdout, certified.stderr);
    let stdout = verify.stdout;
    let expected = expected_outcomes(adapter, profile);
    let results =
        std::fs::read_to_string(dir.path().join("bundle/results.json")).expect("a bundle");
    let results: serde_json::Value = serde_json::from_str(&results).expect("JSON");
    let mut seen: Vec<(String, String)> = results["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["outcome"] != "pass")
        .map(|c| {
            (
                c["outcome"].as_str().expect("an outcome").to_owned(),
                c["id"].as_str().expect("an id").to_owned(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(seen, expected, "{log}");
    assert!(
        stdout.contains(&format!(" {version} (python) is the product version\n")),
        "{stdout}"
    );
    let failed = failed_lines(&stdout);
    let fails = expected.iter().filter(|(o, _)| o == "fail").count();
    let skips = expected.iter().filter(|(o, _)| o == "skip").count();
    if expected.is_empty() {
        assert_eq!(certified.code, 0, "{log}");
        assert_eq!(verify.code, 0, "{stdout}");
        assert!(stdout.ends_with("verified: 11 checks hold\n"), "{stdout}");
    } else {
        assert_eq!(certified.code, if fails > 0 { 1 } else { 3 }, "{log}");
        assert_eq!(verify.code, 1, "{stdout}");
        assert_eq!(failed.len(), 1, "{stdout}");
        assert!(failed[0].starts_with("✘ outcomes: "), "{stdout}");
        for (n, word) in [(fails, "failed"), (skips, "skipped")] {
            assert_eq!(
                failed[0].contains(&format!("{n} {word}: ")),
                n > 0,
                "{stdout}"
            );
        }
    }
}

/// The `(outcome, id)` lines of `adapters/NAME/expected-outcomes.txt` for this profile, sorted
/// (none when the file is absent: the SDK passes every case).
fn expected_outcomes(adapter: &str, profile: &str) -> Vec<(String, String)> {
    let path = repo()
        .join("adapters")
        .join(adapter)
        .join("expected-outcomes.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    let mut lines: Vec<(String, String)> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (outcome, id) = l
                .split_once(' ')
                .unwrap_or_else(|| panic!("{}: `{l}`", path.display()));
            (outcome.to_owned(), id.trim().to_owned())
        })
        .filter(|(_, id)| id.split('/').next() == Some(profile))
        .collect();
    lines.sort();
    lines
}

#[test]
fn upstream_nova_round_trips_against_the_nova_profile() {
    round_trip("nova", "nova");
}

#[test]
fn openstacksdk_round_trips_against_ecs() {
    round_trip("openstacksdk", "ecs");
}

#[test]
fn the_huawei_cloud_sdk_round_trips_against_ecs_openstack() {
    round_trip("huaweicloud", "ecs-openstack");
}
