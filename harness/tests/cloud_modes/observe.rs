//! Observe mode over servers moved with real actions; only GETs, proven by the journal.

use super::support::{Cloud, FakeSetup, case, cases, results};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observe_mode_judges_servers_moved_by_real_actions_and_checks_the_status_filter() {
    // Arrange: five servers, moved with real actions on a slow clock (1 s per task step), the
    // last one rebooting while the harness looks.
    let cloud = Cloud::start(FakeSetup::PLAIN.with_step_ms(1000)).await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(cloud.create(&format!("obs-{n}"), json!({})).await);
    }
    for id in &ids {
        cloud.wait_for(id, "ACTIVE").await;
    }
    cloud.action(&ids[1], json!({"os-stop": null})).await;
    cloud.action(&ids[2], json!({"pause": null})).await;
    cloud.action(&ids[3], json!({"suspend": null})).await;
    cloud.wait_for(&ids[1], "SHUTOFF").await;
    cloud.wait_for(&ids[2], "PAUSED").await;
    cloud.wait_for(&ids[3], "SUSPENDED").await;
    cloud
        .action(&ids[4], json!({"reboot": {"type": "SOFT"}}))
        .await;

    // Act
    let (reports, run) = cloud.observe_nova("observe").await;

    // Assert
    run.assert_code(0);
    // Pairs no server shows are coverage, not skips: the verdict says how much was seen and
    // never claims plain conformance.
    let doc = results(&reports);
    assert_eq!(doc["verdict"], "observed");
    let summary = std::fs::read_to_string(reports.join("summary.md")).unwrap();
    assert!(
        summary.starts_with("# 🔎 Conformance: conformant on 5 of 39 pairs (coverage 12.8%)\n"),
        "{summary}"
    );
    let cases = cases(&reports);
    for (id, status) in [
        ("nova/active/null", "ACTIVE"),
        ("nova/stopped/null", "SHUTOFF"),
        ("nova/paused/null", "PAUSED"),
        ("nova/suspended/null", "SUSPENDED"),
        ("nova/active/rebooting", "REBOOT"),
    ] {
        let c = case(&cases, id);
        assert_eq!(
            (c["outcome"].as_str(), c["observed"].as_str()),
            (Some("pass"), Some(status)),
            "{c}"
        );
    }
    let valid_skipped: Vec<&Value> = cases
        .iter()
        .filter(|c| c["group"] == "valid" && c["outcome"] == "skip")
        .collect();
    assert_eq!(valid_skipped.len(), 39 - 5);
    assert!(
        valid_skipped
            .iter()
            .all(|c| c["detail"] == "not observed on this target")
    );
    for status in ["ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "REBOOT"] {
        let c = case(&cases, &format!("nova/filter/{status}"));
        assert_eq!(c["group"], "filter");
        assert_eq!(c["outcome"], "pass", "{c}");
    }
    assert_eq!(
        case(&cases, "nova/filter/REBOOT")["expected"],
        "vm_state in {active} and task_state in {reboot_pending, reboot_started, rebooting}"
    );
    let unknown = case(&cases, "nova/filter/FROBNICATING");
    assert_eq!(
        (
            unknown["outcome"].as_str(),
            unknown["expected"].as_str(),
            unknown["observed"].as_str()
        ),
        (
            Some("pass"),
            Some("HTTP 400 (microversion 2.96 >= 2.38)"),
            Some("HTTP 400")
        )
    );
    let junit = std::fs::read_to_string(reports.join("junit.xml")).unwrap();
    assert!(
        junit.contains("name=\"nova.filter\""),
        "one JUnit suite for the filter checks"
    );
    assert!(junit.contains("name=\"status=REBOOT\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn below_2_38_an_unknown_status_must_give_an_empty_list() {
    let cloud = Cloud::plain().await;
    let (reports, run) = cloud
        .run_reported(
            "mv",
            &[
                "--os-cloud",
                "fake",
                "--profile",
                "nova",
                "--microversion",
                "2.37",
            ],
            &[],
        )
        .await;
    run.assert_code(0);
    let cases = cases(&reports);
    let unknown = case(&cases, "nova/filter/FROBNICATING");
    assert_eq!(
        unknown["expected"],
        "an empty list (microversion 2.37 < 2.38)"
    );
    assert_eq!(unknown["observed"], "an empty list");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observe_mode_sends_nothing_but_gets_besides_the_keystone_login() {
    // Arrange: a fake WITH control plane (for the journal), driven as a cloud via --os-cloud.
    let cloud = Cloud::start(FakeSetup::PLAIN.with_control()).await;
    let a = cloud.create("journal-a", json!({})).await;
    let b = cloud.create("journal-b", json!({})).await;
    cloud.wait_for(&a, "ACTIVE").await;
    cloud.wait_for(&b, "ACTIVE").await;
    cloud.action(&b, json!({"os-stop": null})).await;
    cloud.wait_for(&b, "SHUTOFF").await;
    cloud.clear_journal().await;

    // Act
    let (_, run) = cloud
        .run_reported(
            "journal",
            &["--os-cloud", "fake", "--profile", "all", "--all-projects"],
            &[],
        )
        .await;

    // Assert
    run.assert_code(0);
    let requests = cloud.journal().await;
    let not_get: Vec<(&str, &str)> = requests
        .iter()
        .filter(|r| r["method"] != "GET")
        .map(|r| (r["method"].as_str().unwrap(), r["path"].as_str().unwrap()))
        .collect();
    assert_eq!(not_get, [("POST", "/identity/v3/auth/tokens")]);
    let gets = requests.len() - 1;
    assert!(
        gets >= 5,
        "listing, soft-deleted listing, filters: {gets} GETs"
    );
    assert!(
        requests
            .iter()
            .any(|r| r["query"].as_str().unwrap().contains("all_tenants=1"))
    );
    // The servers are untouched.
    assert_eq!(cloud.show(&a).await.1["server"]["status"], "ACTIVE");
    assert_eq!(cloud.show(&b).await.1["server"]["status"], "SHUTOFF");
}
