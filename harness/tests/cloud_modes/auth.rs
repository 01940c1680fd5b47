//! A clouds.yaml fixture with each auth type, end to end against the fake's Keystone.

use super::support::{Cloud, FakeSetup, PASSWORD, case, results};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_auth_type_of_clouds_yaml_runs_observe_mode() {
    // Arrange
    let cloud = Cloud::with_active_server(FakeSetup::PLAIN, "auth").await;
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
        let (reports, run) = cloud
            .run_reported(name, &["--os-cloud", name, "--profile", "nova"], &[])
            .await;

        // Assert
        assert_eq!(run.code(), 0, "{name}: {}\n{}", run.stdout(), run.stderr());
        let doc = results(&reports);
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
        let cases = doc["cases"].as_array().unwrap();
        assert_eq!(case(cases, "nova/active/null")["outcome"], "pass", "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_url_with_a_token_is_observe_mode_and_without_one_a_control_plane_run_is_refused() {
    let cloud = Cloud::plain().await;
    let compute = format!("{}/compute/v2.1", cloud.base);
    let (_, run) = cloud
        .run_reported(
            "token",
            &["--target", &compute, "--profile", "nova"],
            &[("OS_TOKEN", cloud.token())],
        )
        .await;
    run.assert_code(0);
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
