//! Proof that the harness catches real deviations and reports infrastructure trouble as errors.
//!
//! Each test starts the fake server in-process (the library, on an ephemeral port), makes it
//! deviate or fail, runs the real `harness` binary against it with `--target URL`, and checks
//! the exit code and `results.json`.

#[path = "support/cli.rs"]
mod cli;

use cli::{add_fault, harness, read, rt, start_fake};
use fake_server::{FakeServer, Profile};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// results.json's cases (panics when there is no `cases` array).
fn cases(results: &Value) -> &[Value] {
    results["cases"].as_array().expect("a cases array")
}

fn outcomes(results: &Value) -> BTreeMap<String, Vec<String>> {
    let mut by_outcome: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for case in cases(results) {
        by_outcome
            .entry(case["outcome"].as_str().unwrap().to_owned())
            .or_default()
            .push(case["id"].as_str().unwrap().to_owned());
    }
    by_outcome
}

/// A profile, its name, one deviating `(vm_state, task_state, status)` per group, and its case
/// count.
type DeviationRow = (
    Profile,
    &'static str,
    [(&'static str, Option<&'static str>, &'static str); 3],
    usize,
);

#[test]
fn one_deviation_per_group_fails_exactly_those_cases() {
    // Arrange: one deviating pair in each group of each profile.
    let rows: [DeviationRow; 3] = [
        (
            Profile::Ecs,
            "ecs",
            [
                ("active", Some("rebooting"), "ACTIVE"),
                ("stopped", Some("shelving"), "SHUTOFF"),
                ("shelved", Some("bogus"), "SHELVED"),
            ],
            252,
        ),
        (
            Profile::EcsOpenstack,
            "ecs-openstack",
            [
                ("paused", None, "ACTIVE"),
                ("active", Some("resize_prep"), "RESIZE"),
                ("ACTIVE", None, "ACTIVE"),
            ],
            388,
        ),
        (
            Profile::Nova,
            "nova",
            [
                ("resized", Some("resize_reverting"), "VERIFY_RESIZE"),
                ("active", Some("image_uploading"), "UNKNOWN"),
                ("stopped", Some("REBOOTING"), "REBOOT"),
            ],
            556,
        ),
    ];
    let runtime = rt();
    for (profile, name, deviations, total) in rows {
        let fake = runtime.block_on(async {
            let mut b = FakeServer::builder().profile(profile);
            for (vm, task, status) in deviations {
                b = b.deviation(Some(vm), task, status);
            }
            b.start().await.unwrap()
        });
        let dir = tempfile::tempdir().unwrap();

        // Act
        let (code, stdout, _, results) =
            harness(&["--target", &fake.uri(), "--profile", name], dir.path());

        // Assert
        assert_eq!(code, 1, "{name}: exit code; stdout:\n{stdout}");
        let by_outcome = outcomes(&results);
        let mut expected_fail: Vec<String> = deviations
            .iter()
            .map(|(vm, task, _)| format!("{name}/{vm}/{}", task.unwrap_or("null")))
            .collect();
        expected_fail.sort();
        let mut failed = by_outcome.get("fail").cloned().unwrap_or_default();
        failed.sort();
        assert_eq!(failed, expected_fail, "{name}: failing cases");
        assert_eq!(
            by_outcome.get("pass").map_or(0, Vec::len),
            total - 3,
            "{name}: passing cases"
        );
        assert_eq!(by_outcome.get("error"), None, "{name}: no errors");
        let groups: Vec<&str> = cases(&results)
            .iter()
            .filter(|c| c["outcome"] == "fail")
            .map(|c| c["group"].as_str().unwrap())
            .collect();
        let mut groups_sorted = groups.clone();
        groups_sorted.sort();
        assert_eq!(
            groups_sorted,
            ["invalid", "probe", "valid"],
            "{name}: one per group"
        );
    }
}

#[test]
fn a_deviation_shows_expected_and_observed_in_every_report() {
    // Arrange
    let runtime = rt();
    let fake = runtime.block_on(async {
        FakeServer::builder()
            .deviation(Some("active"), Some("rebooting"), "ACTIVE")
            .start()
            .await
            .unwrap()
    });
    let dir = tempfile::tempdir().unwrap();

    // Act
    let (code, stdout, _, results) = harness(
        &[
            "--target",
            &fake.uri(),
            "--filter",
            "ecs-openstack/active/reboot*",
        ],
        dir.path(),
    );

    // Assert
    assert_eq!(code, 1);
    let case = cases(&results)
        .iter()
        .find(|c| c["id"] == "ecs-openstack/active/rebooting")
        .unwrap();
    assert_eq!(case["expected"], "REBOOT");
    assert_eq!(case["observed"], "ACTIVE");
    assert_eq!(case["outcome"], "fail");
    assert_eq!(cases(&results).len(), 6);
    assert!(
        stdout.contains("ecs-openstack/active/rebooting"),
        "{stdout}"
    );
    let junit = read(dir.path(), "junit.xml");
    assert!(
        junit.contains("expected REBOOT, observed ACTIVE"),
        "{junit}"
    );
    let summary = read(dir.path(), "summary.md");
    assert!(
        summary.contains("ecs-openstack/active/rebooting"),
        "{summary}"
    );
}

#[test]
fn a_target_answering_500_gives_errors_and_exit_2() {
    // Arrange: every server read fails with a 500.
    let (runtime, fake) = start_fake();
    add_fault(
        &runtime,
        &fake,
        serde_json::json!({"path": "/compute/v2.1/servers/**", "status": 500}),
    );
    let dir = tempfile::tempdir().unwrap();

    // Act
    let (code, stdout, _, results) = harness(
        &[
            "--target",
            &fake.uri(),
            "--filter",
            "ecs-openstack/active/null",
            "--timeout",
            "2",
        ],
        dir.path(),
    );

    // Assert
    assert_eq!(code, 2, "{stdout}");
    let by_outcome = outcomes(&results);
    assert_eq!(by_outcome.get("error").map(Vec::len), Some(1));
    assert_eq!(
        by_outcome.get("fail"),
        None,
        "a 500 is never a conformance failure"
    );
    let detail = results["cases"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("HTTP 500"), "{detail}");
}

#[test]
fn a_hanging_target_gives_errors_and_exit_2_within_the_timeout() {
    // Arrange: every compute request waits 30 s before answering.
    let (runtime, fake) = start_fake();
    add_fault(
        &runtime,
        &fake,
        serde_json::json!({"path": "/compute/**", "latency_ms": 30000}),
    );
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();

    // Act
    let (code, _, _, results) = harness(
        &[
            "--target",
            &fake.uri(),
            "--filter",
            "ecs-openstack/stopped/null",
            "--timeout",
            "1",
        ],
        dir.path(),
    );

    // Assert: the listing and the read each time out (3 attempts of 1 s), far below 30 s.
    assert_eq!(code, 2);
    assert_eq!(outcomes(&results).get("error").map(Vec::len), Some(1));
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn an_unreachable_target_exits_2_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr, results) = harness(&["--target", "http://127.0.0.1:9"], dir.path());
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(
            "error: failed to use target http://127.0.0.1:9: failed to reach http://127.0.0.1:9/_fake/: connection refused or host unreachable"
        ),
        "{stderr}"
    );
    assert_eq!(results, Value::Null, "no report claims anything");
}

#[test]
fn a_target_without_control_plane_exits_2_explaining_why() {
    let runtime = rt();
    let fake =
        runtime.block_on(async { FakeServer::builder().control(false).start().await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr, _) = harness(&["--target", &fake.uri()], dir.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("offers no control plane"), "{stderr}");
}

/// POSTs JSON to the fake's control plane from a synchronous test; returns the status code.
#[test]
fn fail_fast_stops_at_the_first_failure_and_skips_the_rest() {
    // Arrange: two deviating pairs; the cases run in enumeration order.
    let runtime = rt();
    let fake = runtime.block_on(async {
        FakeServer::builder()
            .deviation(Some("building"), None, "ACTIVE")
            .deviation(Some("stopped"), None, "ACTIVE")
            .start()
            .await
            .unwrap()
    });
    let dir = tempfile::tempdir().unwrap();

    // Act: one read in flight, so "first" is well defined.
    let (code, _, _, results) = harness(
        &["--target", &fake.uri(), "--fail-fast", "--concurrency", "1"],
        dir.path(),
    );

    // Assert
    assert_eq!(code, 1);
    let by_outcome = outcomes(&results);
    assert_eq!(by_outcome["fail"], ["ecs-openstack/building/null"]);
    let skipped = &by_outcome["skip"];
    assert!(skipped.contains(&"ecs-openstack/stopped/null".to_owned()));
    // With one read in flight, exactly the cases before the first failure ran (and passed), and
    // every case after it was skipped.
    let first_fail = cases(&results)
        .iter()
        .position(|c| c["outcome"] == "fail")
        .unwrap();
    assert_eq!(by_outcome.get("pass").map_or(0, Vec::len), first_fail);
    assert_eq!(skipped.len(), 388 - first_fail - 1);
    let reason = cases(&results)
        .iter()
        .find(|c| c["outcome"] == "skip")
        .unwrap()["detail"]
        .clone();
    assert_eq!(reason, "not run: --max-fail 1 reached");
}

#[test]
fn a_filter_matching_nothing_exits_2_and_writes_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr, results) = harness(&["--filter", "nope/*"], dir.path());
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim_end(),
        "error: no case selected: check --profile and --filter (`harness cases list` shows the ids)"
    );
    assert_eq!(results, Value::Null);
}

#[test]
fn an_unwritable_report_directory_exits_2_naming_it() {
    // Arrange: the report directory would have to live inside a regular file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let report_dir = file.join("reports");

    // Act
    let (code, _, stderr, _) = harness(&["--filter", "ecs-openstack/active/null"], &report_dir);

    // Assert
    assert_eq!(code, 2);
    assert_eq!(
        stderr.lines().next(),
        Some(
            format!(
                "error: failed to create report directory {}",
                report_dir.display()
            )
            .as_str()
        )
    );
}
