//! `harness certify` then `harness verify` through the three shipped Python adapters
//! (`adapters/{nova,openstacksdk,huaweicloud}/run`). Each adapter installs its own venv on first
//! use (PyPI); `SKIP_PY_CHECKS=1` skips these on purpose, saying so loudly.

use assert_cmd::Command;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;

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

fn round_trip(adapter: &str, profiles: &str) {
    if skipped() {
        return;
    }
    let run = repo().join("adapters").join(adapter).join("run");
    let version = adapter_version(&run);
    let dir = tempfile::tempdir().expect("a temp dir");
    let product = format!(
        "vendor: Example\nproduct: {adapter}\nversion: \"{version}\"\nhomepage: https://example.invalid/{adapter}\ncontact: sdk@example.invalid\nprofiles: [{profiles}]\n"
    );
    std::fs::write(dir.path().join("PRODUCT.yaml"), product).expect("writable");
    let target = format!("adapter:{}", run.display());

    let certify = Command::cargo_bin("harness")
        .expect("the harness binary")
        .args([
            "certify",
            "--product",
            "PRODUCT.yaml",
            "--target",
            &target,
            "--out",
            "bundle",
        ])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&certify.stdout);
    assert_eq!(
        certify.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&certify.stderr)
    );
    let verify = Command::cargo_bin("harness")
        .expect("the harness binary")
        .args(["verify", "bundle"])
        .current_dir(dir.path())
        .output()
        .expect("runs");

    let stdout = String::from_utf8(verify.stdout).expect("UTF-8");
    assert_eq!(verify.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!(" {version} (python) is the product version\n")),
        "{stdout}"
    );
    assert!(stdout.ends_with("verified: 11 checks hold\n"), "{stdout}");
}

#[test]
fn upstream_nova_certifies_against_the_nova_profile() {
    round_trip("nova", "nova");
}

#[test]
fn openstacksdk_certifies_against_ecs() {
    round_trip("openstacksdk", "ecs");
}

#[test]
fn the_huawei_cloud_sdk_certifies_against_ecs_openstack() {
    round_trip("huaweicloud", "ecs-openstack");
}
