//! Keystone v3 against wiremock: exact request bodies, catalog selection, renewal.

use super::sources_in;
use harness::client::{
    AuthenticateError, CloudRequest, CloudSession, Interface, SessionOptions, load_cloud,
};
use serde_json::{Value, json};
use std::time::Duration;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

/// A Keystone token answer whose compute service has public and internal endpoints in
/// RegionOne and a public one in RegionTwo, all on `base`.
pub(crate) fn token_answer(
    base: &str,
    subject: &str,
    expires_in: chrono::Duration,
) -> ResponseTemplate {
    let expires_at = (chrono::Utc::now() + expires_in).to_rfc3339();
    ResponseTemplate::new(201)
        .insert_header("X-Subject-Token", subject)
        .set_body_json(json!({"token": {
            "expires_at": expires_at,
            "project": {"id": "p-1", "name": "demo"},
            "user": {"id": "u-1"},
            "roles": [{"name": "member"}, {"name": "admin"}],
            "catalog": [
                {"type": "identity", "endpoints": [
                    {"interface": "public", "region_id": "RegionOne", "url": format!("{base}/identity/v3")}]},
                {"type": "compute", "name": "nova", "endpoints": [
                    {"interface": "public", "region_id": "RegionOne", "region": "RegionOne",
                     "url": format!("{base}/r1-public/compute/v2.1")},
                    {"interface": "internal", "region_id": "RegionOne",
                     "url": format!("{base}/r1-internal/compute/v2.1")},
                    {"interface": "public", "region": "RegionTwo",
                     "url": format!("{base}/r2-public/compute/v2.1/")}]}
            ]}}))
}

/// [`token_answer`] on `server` for a token valid an hour.
pub(crate) fn hour_token(server: &MockServer, subject: &str) -> ResponseTemplate {
    token_answer(&server.uri(), subject, chrono::Duration::hours(1))
}

/// A mock of `POST /identity/v3/auth/tokens`, to be narrowed and answered.
pub(crate) fn tokens_request() -> MockBuilder {
    Mock::given(method("POST")).and(path("/identity/v3/auth/tokens"))
}

/// A request for `region`.
fn in_region(region: &str) -> CloudRequest {
    CloudRequest {
        region_name: Some(region.into()),
        ..CloudRequest::default()
    }
}

fn password_env(base: &str) -> Vec<(&'static str, String)> {
    vec![
        ("OS_AUTH_URL", format!("{base}/identity/v3")),
        ("OS_USERNAME", "alice".into()),
        ("OS_PASSWORD", "pw".into()),
        ("OS_PROJECT_NAME", "demo".into()),
        ("OS_USER_DOMAIN_NAME", "Default".into()),
        ("OS_PROJECT_DOMAIN_NAME", "Default".into()),
    ]
}

async fn session_for(
    vars: &[(&str, String)],
    request: CloudRequest,
    options: SessionOptions,
) -> Result<CloudSession, AuthenticateError> {
    let dir = tempfile::tempdir().unwrap();
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let cloud = load_cloud(&request, &sources_in(dir.path(), &vars)).unwrap();
    CloudSession::connect(cloud, options).await
}

/// A password session (from [`password_env`]) against `server`.
async fn password_session(
    server: &MockServer,
    request: CloudRequest,
    options: SessionOptions,
) -> Result<CloudSession, AuthenticateError> {
    session_for(&password_env(&server.uri()), request, options).await
}

/// The error of a password login with default request and options against `server`.
async fn password_error(server: &MockServer) -> String {
    password_session(server, CloudRequest::default(), SessionOptions::default())
        .await
        .unwrap_err()
        .to_string()
}

fn expected_password_body() -> Value {
    json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "alice", "domain": {"name": "Default"}, "password": "pw"}}},
        "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}})
}

#[tokio::test]
async fn password_auth_sends_the_exact_body_and_reads_token_and_catalog() {
    let server = MockServer::start().await;
    tokens_request()
        .and(header("content-type", "application/json"))
        .and(body_json(expected_password_body()))
        .respond_with(hour_token(&server, "tok-1"))
        .expect(1)
        .mount(&server)
        .await;
    let session = password_session(&server, in_region("RegionOne"), SessionOptions::default())
        .await
        .unwrap();
    assert_eq!(
        session.compute_endpoint(),
        format!("{}/r1-public/compute/v2.1", server.uri())
    );
    let token = session.token().await.unwrap();
    assert_eq!(token.value.expose(), "tok-1");
    assert_eq!(token.project_id.as_deref(), Some("p-1"));
    assert_eq!(token.user_id.as_deref(), Some("u-1"));
    assert_eq!(token.roles, ["member", "admin"]);
    assert!(token.is_admin());
}

#[tokio::test]
async fn catalog_endpoint_follows_region_and_interface() {
    let server = MockServer::start().await;
    tokens_request()
        .respond_with(hour_token(&server, "tok"))
        .mount(&server)
        .await;
    let cases = [
        (
            "RegionOne",
            Interface::Internal,
            "/r1-internal/compute/v2.1",
        ),
        ("RegionTwo", Interface::Public, "/r2-public/compute/v2.1"),
    ];
    for (region, interface, suffix) in cases {
        let request = CloudRequest {
            interface: Some(interface.as_str().into()),
            ..in_region(region)
        };
        let session = password_session(&server, request, SessionOptions::default())
            .await
            .unwrap();
        assert_eq!(
            session.compute_endpoint(),
            format!("{}{suffix}", server.uri()),
            "{region} {interface}"
        );
    }
    assert_eq!(
        password_error(&server).await,
        "failed to find the compute endpoint of cloud `envvars`: the catalog has `compute` \
         endpoints for interface public in several regions (RegionOne, RegionTwo); choose one \
         with --os-region-name"
    );
}

#[tokio::test]
async fn application_credential_and_token_methods_send_their_exact_bodies() {
    let server = MockServer::start().await;
    let base = server.uri();
    tokens_request()
        .and(body_json(json!({"auth": {"identity": {
            "methods": ["application_credential"],
            "application_credential": {"id": "ac-1", "secret": "acs"}}}})))
        .respond_with(hour_token(&server, "from-appcred"))
        .expect(1)
        .mount(&server)
        .await;
    tokens_request()
        .and(body_json(json!({"auth": {
            "identity": {"methods": ["token"], "token": {"id": "old-token"}},
            "scope": {"project": {"id": "p-9"}}}})))
        .respond_with(hour_token(&server, "from-token"))
        .expect(1)
        .mount(&server)
        .await;
    let region = in_region("RegionTwo");
    let appcred = session_for(
        &[
            ("OS_AUTH_TYPE", "v3applicationcredential".into()),
            ("OS_AUTH_URL", format!("{base}/identity/v3")),
            ("OS_APPLICATION_CREDENTIAL_ID", "ac-1".into()),
            ("OS_APPLICATION_CREDENTIAL_SECRET", "acs".into()),
        ],
        region.clone(),
        SessionOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        appcred.token().await.unwrap().value.expose(),
        "from-appcred"
    );
    let token = session_for(
        &[
            ("OS_AUTH_TYPE", "v3token".into()),
            ("OS_AUTH_URL", format!("{base}/identity")),
            ("OS_TOKEN", "old-token".into()),
            ("OS_PROJECT_ID", "p-9".into()),
        ],
        region,
        SessionOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(token.token().await.unwrap().value.expose(), "from-token");
}

#[tokio::test]
async fn rejected_credentials_give_keystones_message() {
    let server = MockServer::start().await;
    tokens_request()
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
            "code": 401, "title": "Unauthorized",
            "message": "The request you have made requires authentication."}})))
        .mount(&server)
        .await;
    assert_eq!(
        password_error(&server).await,
        format!(
            "failed to authenticate at {}/identity/v3/auth/tokens: Keystone answered HTTP 401: \
             The request you have made requires authentication.",
            server.uri()
        )
    );
}

#[tokio::test]
async fn answer_without_subject_token_is_an_invalid_response() {
    let server = MockServer::start().await;
    tokens_request()
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"token": {}})))
        .mount(&server)
        .await;
    assert_eq!(
        password_error(&server).await,
        format!(
            "failed to read Keystone's answer from {}/identity/v3/auth/tokens: no X-Subject-Token \
             header",
            server.uri()
        )
    );
}

#[tokio::test]
async fn token_near_expiry_is_renewed_and_a_fresh_one_is_not() {
    let server = MockServer::start().await;
    tokens_request()
        .respond_with(token_answer(
            &server.uri(),
            "short",
            chrono::Duration::seconds(30),
        ))
        .expect(3)
        .mount(&server)
        .await;
    let options = SessionOptions {
        refresh_margin: Duration::from_secs(60),
        ..SessionOptions::default()
    };
    let region = in_region("RegionOne");
    let session = password_session(&server, region.clone(), options)
        .await
        .unwrap();
    session.token().await.unwrap();
    session.token().await.unwrap();
    server.verify().await;

    let fresh = MockServer::start().await;
    tokens_request()
        .respond_with(hour_token(&fresh, "long"))
        .expect(1)
        .mount(&fresh)
        .await;
    let session = password_session(&fresh, region, options).await.unwrap();
    session.token().await.unwrap();
    session.token().await.unwrap();
}
