//! `harness cleanup` deletes servers by the conformance-kit tag, never anything without it.

use super::support::{Cloud, FakeSetup};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_deletes_tagged_leftovers_per_run_and_never_an_untagged_server() {
    // Arrange: two leftovers of two runs (one soft-deleted), and a user's own server.
    let cloud = Cloud::start(FakeSetup::PLAIN.with_reclaim(Duration::from_secs(600))).await;
    let run_a = cloud
        .create("conformance-a-basic", json!({"conformance-kit": "run-a"}))
        .await;
    let run_b = cloud
        .create("conformance-b-basic", json!({"conformance-kit": "run-b"}))
        .await;
    let mine = cloud
        .create("conformance-looking-but-mine", json!({"owner": "me"}))
        .await;
    for id in [&run_a, &run_b, &mine] {
        cloud.wait_for(id, "ACTIVE").await;
    }
    cloud
        .api(reqwest::Method::DELETE, &format!("servers/{run_b}"), None)
        .await;
    cloud.wait_for(&run_b, "SOFT_DELETED").await;

    // Act 1: only run-a.
    let first = cloud
        .harness(&["cleanup", "--os-cloud", "fake", "--run-id", "run-a"], &[])
        .await;

    // Assert 1
    assert_eq!(first.code(), 0, "{}", first.stderr());
    assert_eq!(
        first.stdout(),
        format!(
            "deleted {run_a} (conformance-a-basic)\nleft 1 server(s) of other runs alone (their \
             conformance-kit tag is not run-a)\ncleanup: 1 deleted, 0 failed\n"
        )
    );
    assert_eq!(cloud.show(&run_a).await.0, 404);

    // Act 2: every run; the soft-deleted leftover is force-deleted.
    let second = cloud.harness(&["cleanup", "--os-cloud", "fake"], &[]).await;

    // Assert 2
    assert_eq!(second.code(), 0, "{}", second.stderr());
    assert_eq!(
        second.stdout(),
        format!("deleted {run_b} (conformance-b-basic)\ncleanup: 1 deleted, 0 failed\n")
    );
    let left = cloud.all_server_fields("id").await;
    assert_eq!(left, [mine]);
}
