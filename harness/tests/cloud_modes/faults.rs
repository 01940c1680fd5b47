//! Fault rules on the fake (set through its control plane, the harness driven via --os-cloud):
//! survived, or reported as errors (exit 2), never as conformance failures.

use super::support::{Cloud, FakeSetup, cases};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

async fn cloud_with_servers() -> Cloud {
    let cloud = Cloud::start(FakeSetup {
        control: true,
        step_ms: 20,
        reclaim: None,
    })
    .await;
    let id = cloud.create("faulty", json!({})).await;
    cloud.wait_for(&id, "ACTIVE").await;
    cloud
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
        cloud.control(Method::POST, "faults", Some(rule)).await;
    }
    cloud.control(Method::DELETE, "journal", None).await;

    // Act
    let reports = cloud.reports("survived");
    let run = cloud
        .harness(
            &[
                "--os-cloud",
                "fake",
                "--profile",
                "nova",
                "--report-dir",
                reports.to_str().unwrap(),
            ],
            &[],
        )
        .await;

    // Assert
    assert_eq!(run.code(), 0, "{}\n{}", run.stdout(), run.stderr());
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
    let journal = cloud.control(Method::GET, "journal", None).await;
    let statuses: Vec<u64> = journal["requests"]
        .as_array()
        .unwrap()
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
        .control(Method::POST, "faults", Some(json!({"method": "GET",
            "path": "/compute/v2.1/servers/detail", "status": 503, "headers": {"Retry-After": "0"}})))
        .await;
    let reports = cloud.reports("down");
    let run = cloud
        .harness(
            &[
                "--os-cloud",
                "fake",
                "--profile",
                "nova",
                "--report-dir",
                reports.to_str().unwrap(),
            ],
            &[],
        )
        .await;
    assert_eq!(run.code(), 2, "{}", run.stdout());
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
        .control(
            Method::POST,
            "faults",
            Some(json!({"method": "GET",
            "path": "/compute/v2.1/servers/detail", "status": 500})),
        )
        .await;
    let reports = cloud.reports("500");
    let run = cloud
        .harness(
            &[
                "--os-cloud",
                "fake",
                "--profile",
                "nova",
                "--report-dir",
                reports.to_str().unwrap(),
            ],
            &[],
        )
        .await;
    assert_eq!(run.code(), 2);
    assert!(
        run.took < Duration::from_secs(5),
        "500 is not retried: {:?}",
        run.took
    );
    assert!(run.stderr().contains(": HTTP 500: "), "{}", run.stderr());
}
