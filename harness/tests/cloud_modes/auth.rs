//! A clouds.yaml fixture with each auth type, end to end against the fake's Keystone.

use super::support::{Cloud, FakeSetup, PASSWORD};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_auth_type_of_clouds_yaml_runs_observe_mode() {
    // Arrange
    let cloud = Cloud::start(FakeSetup {
        control: false,
        step_ms: 20,
        reclaim: None,
    })
    .await;
    let id = cloud.create("auth", json!({})).await;
    cloud.wait_for(&id, "ACTIVE").await;
    let base = &cloud.base;
    let token = cloud.token();
    cloud.write_clouds_yaml(&format!(
        "clouds:
  password:
    auth_type: password
    auth: {{auth_url: {base}/identity/v3, username: admin, password: {PASSWORD},
            project_name: admin, user_domain_name: Default, project_domain_name: Default}}
    region_name: RegionOne
  appcred:
    auth_type: v3applicationcredential
    auth: {{auth_url: {base}/identity/v3, application_credential_id: admin,
            application_credential_secret: {PASSWORD}}}
  token:
    auth_type: v3token
    auth: {{auth_url: {base}/identity/v3, token: {token}, project_name: admin,
            project_domain_name: Default}}
  endpoint:
    auth_type: admin_token
    auth: {{token: {token}, endpoint: {base}/compute/v2.1}}
"
    ));

    for (name, auth_type) in [
        ("password", "password"),
        ("appcred", "v3applicationcredential"),
        ("token", "v3token"),
        ("endpoint", "admin_token"),
    ] {
        // Act
        let reports = cloud.reports(name);
        let run = cloud
            .harness(
                &[
                    "--os-cloud",
                    name,
                    "--profile",
                    "nova",
                    "--report-dir",
                    reports.to_str().unwrap(),
                ],
                &[],
            )
            .await;

        // Assert
        assert_eq!(run.code(), 0, "{name}: {}\n{}", run.stdout(), run.stderr());
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(reports.join("results.json")).unwrap())
                .unwrap();
        assert_eq!(
            doc["target"],
            format!("cloud {name} ({base}/compute/v2.1)"),
            "{name}"
        );
        let junit = std::fs::read_to_string(reports.join("junit.xml")).unwrap();
        assert!(
            junit.contains(&format!("name=\"cloud.auth_type\" value=\"{auth_type}\"")),
            "{name}"
        );
        let active = doc["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "nova/active/null")
            .unwrap()
            .clone();
        assert_eq!(active["outcome"], "pass", "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_url_with_a_token_is_observe_mode_and_without_one_a_control_plane_run_is_refused() {
    let cloud = Cloud::start(FakeSetup {
        control: false,
        step_ms: 20,
        reclaim: None,
    })
    .await;
    let compute = format!("{}/compute/v2.1", cloud.base);
    let reports = cloud.reports("token");
    let run = cloud
        .harness(
            &[
                "--target",
                &compute,
                "--profile",
                "nova",
                "--report-dir",
                reports.to_str().unwrap(),
            ],
            &[("OS_TOKEN", cloud.token())],
        )
        .await;
    assert_eq!(run.code(), 0, "{}\n{}", run.stdout(), run.stderr());
    assert!(run.stdout().contains("nova  "), "{}", run.stdout());

    let bare = cloud
        .harness(&["--target", &cloud.base, "--profile", "nova"], &[])
        .await;
    assert_eq!(bare.code(), 2);
    assert!(
        bare.stderr().contains("offers no control plane"),
        "{}",
        bare.stderr()
    );
}
