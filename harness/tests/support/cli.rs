//! Running the `harness` binary from a test: a runtime for in-process fakes (with faults), and
//! one run with its exit code, output and results.json. Shared by `deviations.rs` and
//! `verdict.rs`.

use assert_cmd::Command;
use fake_server::FakeServer;
use serde_json::Value;
use std::time::Duration;

/// A multi-threaded runtime for in-process fakes (the rustls provider installed).
pub(crate) fn rt() -> tokio::runtime::Runtime {
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A default fake on its own runtime (keep both for the test's length).
pub(crate) fn start_fake() -> (tokio::runtime::Runtime, FakeServer) {
    let runtime = rt();
    let fake = runtime.block_on(async { FakeServer::builder().start().await.unwrap() });
    (runtime, fake)
}

/// Adds a `/_fake/faults` rule to `fake` (asserting it was accepted).
pub(crate) fn add_fault(runtime: &tokio::runtime::Runtime, fake: &FakeServer, rule: Value) {
    let status = runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/_fake/faults", fake.uri()))
            .json(&rule)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 201, "{rule}");
}

/// A report file the run wrote (panics naming the file when it cannot be read).
pub(crate) fn read(dir: &std::path::Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Runs the harness binary with `--report-dir` and `--color never`; returns the exit code,
/// stdout, stderr and results.json (null when none was written).
pub(crate) fn harness(args: &[&str], report_dir: &std::path::Path) -> (i32, String, String, Value) {
    let out = Command::cargo_bin("harness")
        .unwrap()
        .args(args)
        .arg("--report-dir")
        .arg(report_dir)
        .arg("--color")
        .arg("never")
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let results = std::fs::read_to_string(report_dir.join("results.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        results,
    )
}
