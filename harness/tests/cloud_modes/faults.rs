//! Fault rules on the fake (set through its control plane, the harness driven via --os-cloud):
//! survived, or reported as errors (exit 2), never as conformance failures.

use super::support::{Cloud, FakeSetup, cases};
use serde_json::json;
use std::time::Duration;

async fn cloud_with_servers() -> Cloud {
    Cloud::with_active_server(FakeSetup::PLAIN.with_control(), "faulty").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_unavailability_latency_and_a_dropped_connection_are_survived() {
    // Arrange
    let cloud = cloud_with_servers().await;
    for rule in [
        json!({"method": "GET", "path": "/compute/v2.1/servers/detail", "status": 429,
               "headers": {"Retry-After": "1"}, "times": 2}),
        json!({"method": "GET", "path": "/compute/v2.1/servers/detail", "status": 503, "times": 2}),
        json!({"method": "GET", "path": "/compute/v2.1/servers/detail", "drop": true, "times": 1}),
        json!({"method": "GET", "path": "/compute/v2.1/servers/detail", "latency_ms": 2000, "times": 1}),
    ] {
        cloud.fault(rule).await;
    }
    cloud.clear_journal().await;

    // Act
    let (reports, run) = cloud.observe_nova("survived").await;

    // Assert
    run.assert_code(0);
    assert!(
        run.took >= Duration::from_secs(3),
        "Retry-After (2 x 1 s) and the 2 s latency were honoured: {:?}",
        run.took
    );
    let cases = cases(&reports);
    assert!(
        cases
            .iter()
            .all(|c| c["outcome"] == "pass" || c["outcome"] == "skip")
    );
    let statuses: Vec<u64> = cloud
        .journal()
        .await
        .iter()
        .filter(|r| r["path"] == "/compute/v2.1/servers/detail")
        .filter_map(|r| r["status"].as_u64())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        2,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 503).count(),
        2,
        "{statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cloud_that_stays_unavailable_is_an_error_with_exit_2_not_a_failure() {
    let cloud = cloud_with_servers().await;
    cloud
        .fault(
            json!({"method": "GET", "path": "/compute/v2.1/servers/detail", "status": 503,
            "headers": {"Retry-After": "0"}}),
        )
        .await;
    let (reports, run) = cloud.observe_nova("down").await;
    run.assert_code(2);
    let stderr = run.stderr();
    assert!(
        stderr.starts_with("error: failed to observe the cloud\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("caused by: failed to GET http://127.0.0.1:")
            && stderr.contains("still HTTP 503 after 6 attempt(s)"),
        "{stderr}"
    );
    assert!(
        !reports.join("results.json").exists(),
        "no report claims a verdict"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_is_reported_at_once_with_exit_2() {
    let cloud = cloud_with_servers().await;
    cloud
        .fault(json!({"method": "GET", "path": "/compute/v2.1/servers/detail", "status": 500}))
        .await;
    let (_, run) = cloud.observe_nova("500").await;
    run.assert_code(2);
    assert!(
        run.took < Duration::from_secs(5),
        "500 is not retried: {:?}",
        run.took
    );
    assert!(run.stderr().contains(": HTTP 500: "), "{}", run.stderr());
}
