//! Lifecycle mode against the fake as upstream Nova: every action's transient statuses seen,
//! each checked, and nothing left behind; the mutation guard; Ctrl-C/SIGTERM cleanup.

use super::support::{Cloud, FakeSetup, case, cases};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;

const IMAGE: &str = "70a599e0-31e7-49b7-b260-868f441e862b";

/// A nova-profile lifecycle run on cloud `fake`, polling every `poll_ms`.
fn lifecycle_args(poll_ms: &str) -> [&str; 12] {
    [
        "--os-cloud",
        "fake",
        "--profile",
        "nova",
        "--lifecycle",
        "--allow-mutations",
        "--image",
        IMAGE,
        "--poll-ms",
        poll_ms,
        "--step-timeout",
        "20",
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_mode_sees_every_transient_status_checks_each_and_leaves_nothing_behind() {
    // Arrange: 100 ms task steps, polled every 5 ms. A single-step transient (PASSWORD, or
    // SHELVED while the offload runs) then stays visible for about 20 polls, so a loaded CI
    // machine still catches it; with 20 ms steps, three busy loops on two cores made SHELVED
    // slip between polls.
    let cloud = Cloud::start(
        FakeSetup::PLAIN
            .with_step_ms(100)
            .with_reclaim(Duration::from_secs(30)),
    )
    .await;

    // Act
    let (reports, run) = cloud
        .run_reported("lifecycle", &lifecycle_args("5"), &[])
        .await;

    // Assert
    run.assert_code(0);
    assert!(run.took < Duration::from_secs(60), "took {:?}", run.took);
    assert!(
        run.stdout()
            .contains("lifecycle: flavor m1.nano (42, the smallest); resize flavor m1.tiny (1)")
    );
    assert!(run.stdout().contains("lifecycle: networks \"none\""));
    let cases = cases(&reports);
    let seen: BTreeSet<&str> = cases
        .iter()
        .filter(|c| ["valid", "invalid", "probe"].contains(&c["group"].as_str().unwrap()))
        .filter(|c| c["outcome"] == "pass")
        .filter_map(|c| c["observed"].as_str())
        .collect();
    for status in [
        "BUILD",
        "REBOOT",
        "HARD_REBOOT",
        "SHUTOFF",
        "PAUSED",
        "SUSPENDED",
        "RESCUE",
        "RESIZE",
        "VERIFY_RESIZE",
        "REVERT_RESIZE",
        "PASSWORD",
        "REBUILD",
        "SHELVED",
        "SHELVED_OFFLOADED",
        "SOFT_DELETED",
        "ACTIVE",
    ] {
        assert!(
            seen.contains(status),
            "{status} never observed and passed; saw {seen:?}"
        );
    }
    assert!(
        cases
            .iter()
            .all(|c| c["outcome"] != "fail" && c["outcome"] != "error")
    );
    let lifecycle: Vec<&Value> = cases.iter().filter(|c| c["group"] == "lifecycle").collect();
    assert_eq!(lifecycle.len(), 14 + 9 + 8);
    let skipped: Vec<(&str, &str)> = lifecycle
        .iter()
        .filter(|c| c["outcome"] == "skip")
        .map(|c| (c["id"].as_str().unwrap(), c["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(
        skipped,
        [(
            "nova/lifecycle/shelve/shelve-offload",
            "not run: the cloud offloaded the server at shelve (shelved_offload_time 0)"
        )]
    );
    let stop = case(&cases, "nova/lifecycle/basic/stop");
    assert_eq!(
        (stop["expected"].as_str(), stop["observed"].as_str()),
        (Some("SHUTOFF"), Some("SHUTOFF"))
    );
    assert_eq!(
        stop["detail"],
        "seen: active/powering-off ACTIVE -> stopped/null SHUTOFF"
    );
    let revert = case(&cases, "nova/lifecycle/resize/revert-resize-shutoff");
    assert_eq!(revert["observed"], "SHUTOFF");
    let delete = case(&cases, "nova/lifecycle/basic/delete");
    assert_eq!(
        (delete["expected"].as_str(), delete["observed"].as_str()),
        (Some("SOFT_DELETED or gone"), Some("SOFT_DELETED"))
    );
    assert_eq!(
        case(&cases, "nova/lifecycle/shelve/force-delete")["observed"],
        "gone"
    );
    // Nothing left: not listed as admin across projects, not even soft-deleted.
    assert_eq!(cloud.all_servers().await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_without_allow_mutations_is_refused_before_anything_is_sent() {
    let cloud = Cloud::plain().await;
    let run = cloud
        .harness(&["--os-cloud", "fake", "--lifecycle"], &[])
        .await;
    assert_eq!(run.code(), 2);
    assert_eq!(
        run.stderr().trim(),
        "error: --lifecycle creates, changes and deletes servers on the target: add \
         --allow-mutations to allow it"
    );
    assert_eq!(cloud.all_servers().await, Vec::<Value>::new());
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_lifecycle_cleans_up_every_scratch_server() {
    // Arrange: slow steps, so the run is mid-way when the signal comes.
    let cloud = Cloud::start(FakeSetup::PLAIN.with_step_ms(300)).await;
    let bin = env!("CARGO_BIN_EXE_harness");
    let child = std::process::Command::new(bin)
        .args(lifecycle_args("20"))
        .arg("--report-dir")
        .arg(cloud.reports("sigterm"))
        .env_clear()
        .env("OS_CLIENT_CONFIG_FILE", cloud.clouds_yaml())
        .env("HOME", cloud.dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the scratch servers exist.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while cloud.all_servers().await.len() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "servers never created"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let names = cloud.all_server_fields("name").await;
    assert!(
        names.iter().all(|n| n.starts_with("conformance-")),
        "{names:?}"
    );

    // Act
    // SAFETY: plain kill(2) on the child we spawned.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();

    // Assert
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: interrupted: lifecycle mode stopped; cleanup deleted 3 server(s)"),
        "{stderr}"
    );
    assert_eq!(cloud.all_servers().await, Vec::<Value>::new());
}
