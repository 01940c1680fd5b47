//! A distinctive secret never shows in Debug output, Display output or any error's chain.

use super::keystone::{hour_token, tokens_request};
use super::{fixture, sources_in};
use harness::client::{
    CloudRequest, CloudSession, ComputeClient, ComputeOptions, SessionOptions, load_cloud,
};
use serde_json::json;
use std::error::Error;
use std::sync::Arc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "Zq9-DISTINCTIVE-SECRET-7x";
const TOKEN: &str = "tok-DISTINCTIVE-TOKEN-3k";

/// Display and Debug of an error and every source under it.
fn everything_about(err: &(dyn Error + 'static)) -> String {
    let mut out = format!("{err:?}\n");
    let mut current = Some(err);
    while let Some(e) = current {
        out.push_str(&format!("{e}\n"));
        current = e.source();
    }
    out
}

fn assert_clean(text: &str) {
    assert!(!text.contains(SECRET), "secret leaked: {text}");
    assert!(!text.contains(TOKEN), "token leaked: {text}");
}

#[tokio::test]
async fn secrets_stay_out_of_configs_sessions_and_errors() {
    let server = MockServer::start().await;
    let base = server.uri();
    let dir = tempfile::tempdir().unwrap();
    let auth_url = format!("{base}/identity/v3");
    let vars = [
        ("OS_AUTH_URL", auth_url.as_str()),
        ("OS_USER_ID", "u-1"),
        ("OS_PASSWORD", SECRET),
        ("OS_PROJECT_ID", "p-1"),
        ("OS_REGION_NAME", "RegionOne"),
    ];
    let cloud = load_cloud(&CloudRequest::default(), &sources_in(dir.path(), &vars)).unwrap();
    assert_clean(&format!("{cloud:?}"));

    // Keystone refuses: the error names the URL and Keystone's message only.
    let refused =
        tokens_request()
            .respond_with(ResponseTemplate::new(401).set_body_json(
                json!({"error": {"code": 401, "message": "Invalid user / password"}}),
            ))
            .mount_as_scoped(&server)
            .await;
    let err = CloudSession::connect(cloud.clone(), SessionOptions::default())
        .await
        .unwrap_err();
    assert_clean(&everything_about(&err));
    drop(refused);

    // Keystone accepts; Nova fails: neither the password nor the token shows anywhere.
    tokens_request()
        .respond_with(hour_token(&server, TOKEN))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/r1-public/compute/v2.1/servers/s1"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"itemNotFound": {"code": 404, "message": "Instance s1 could not be found."}}),
        ))
        .mount(&server)
        .await;
    let session = Arc::new(
        CloudSession::connect(cloud, SessionOptions::default())
            .await
            .unwrap(),
    );
    assert_clean(&format!("{session:?} {:?}", session.token().await.unwrap()));
    let client = ComputeClient::connect(Arc::clone(&session), ComputeOptions::default())
        .await
        .unwrap();
    assert_clean(&format!("{client:?}"));
    let err = client.get_server("s1").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_clean(&everything_about(&err));
}

#[test]
fn secrets_in_a_malformed_or_incomplete_file_stay_out_of_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clouds.yaml");
    let texts = [
        format!("clouds:\n  c:\n    auth:\n      password: \"{SECRET}\n      username: u\n"),
        format!("clouds:\n  c:\n    auth:\n      password: {SECRET}\n      username: [u]\n"),
        format!("clouds:\n  c:\n    auth: {SECRET}\n"),
        format!("clouds: [{SECRET}]\n"),
        format!("{SECRET}\n"),
    ];
    for text in texts {
        std::fs::write(&path, &text).unwrap();
        let sources = sources_in(
            dir.path(),
            &[("OS_CLIENT_CONFIG_FILE", path.to_str().unwrap())],
        );
        let request = CloudRequest {
            cloud: Some("c".into()),
            ..CloudRequest::default()
        };
        let err = load_cloud(&request, &sources).unwrap_err();
        assert_clean(&everything_about(&err));
    }
    // The fixtures' own secrets are not echoed either.
    let sources = sources_in(
        dir.path(),
        &[(
            "OS_CLIENT_CONFIG_FILE",
            fixture("clouds.yaml").to_str().unwrap(),
        )],
    );
    let err = load_cloud(
        &CloudRequest {
            cloud: Some("missing".into()),
            ..CloudRequest::default()
        },
        &sources,
    )
    .unwrap_err();
    let text = everything_about(&err);
    for secret in [
        "pw-in-clouds-yaml",
        "appcred-secret",
        "existing-token",
        "static-token",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}
