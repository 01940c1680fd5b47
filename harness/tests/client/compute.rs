//! The compute client against wiremock: negotiation, headers, pagination, retries, errors.

use super::keystone::{hour_token, tokens_request};
use super::{env_session, sources_in};
use harness::client::{
    CloudRequest, CloudSession, ComputeClient, ComputeError, ComputeOptions, Microversion,
    RetryPolicy, Secret, SessionOptions, load_cloud,
};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A session with a fixed token for `{base}/compute/v2.1` (as `--target URL --token tok`).
async fn target_session(base: &str) -> Arc<CloudSession> {
    let dir = tempfile::tempdir().unwrap();
    let request = CloudRequest {
        endpoint_override: Some(format!("{base}/compute/v2.1")),
        token: Some(Secret::new("tok")),
        ..CloudRequest::default()
    };
    let cloud = load_cloud(&request, &sources_in(dir.path(), &[])).unwrap();
    Arc::new(
        CloudSession::connect(cloud, SessionOptions::default())
            .await
            .unwrap(),
    )
}

async fn mount_version(server: &MockServer, max: &str) {
    Mock::given(method("GET"))
        .and(path("/compute/v2.1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"version": {
            "id": "v2.1", "status": "CURRENT", "version": max, "min_version": "2.1",
            "links": []}})))
        .mount(server)
        .await;
}

/// Answers `GET /servers/s1` only when both microversion headers say `mv`.
async fn mount_server_at(server: &MockServer, mv: &str) {
    Mock::given(method("GET"))
        .and(path("/compute/v2.1/servers/s1"))
        .and(header("X-Auth-Token", "tok"))
        .and(header(
            "OpenStack-API-Version",
            format!("compute {mv}").as_str(),
        ))
        .and(header("X-OpenStack-Nova-API-Version", mv))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"server": {
            "id": "s1", "status": "SHUTOFF", "OS-EXT-STS:vm_state": "stopped",
            "OS-EXT-STS:task_state": null, "OS-EXT-STS:power_state": 4}})))
        .expect(1)
        .mount(server)
        .await;
}

/// A mock Nova whose version document advertises `max`.
async fn nova_at(max: &str) -> MockServer {
    let server = MockServer::start().await;
    mount_version(&server, max).await;
    server
}

/// A client of the mock Nova `server` with a token session.
async fn connect(server: &MockServer, opts: ComputeOptions) -> ComputeClient {
    ComputeClient::connect(target_session(&server.uri()).await, opts)
        .await
        .unwrap()
}

/// `GET p` answered `status` (429 or 503) with `Retry-After: after` and Nova's error body for
/// it (`overLimit` or `computeFault`, with `message`).
fn retry_later(p: &str, status: u16, after: &str, message: &str) -> Mock {
    let kind = if status == 429 {
        "overLimit"
    } else {
        "computeFault"
    };
    Mock::given(method("GET")).and(path(p)).respond_with(
        ResponseTemplate::new(status)
            .insert_header("Retry-After", after)
            .set_body_json(json!({ kind: {"code": status, "message": message} })),
    )
}

fn options(microversion: Option<&str>) -> ComputeOptions {
    ComputeOptions {
        microversion: microversion.map(|m| m.parse().unwrap()),
        ..ComputeOptions::default()
    }
}

#[tokio::test]
async fn negotiates_the_cloud_max_and_sends_both_headers() {
    let server = nova_at("2.96").await;
    mount_server_at(&server, "2.96").await;
    let client = connect(&server, options(None)).await;
    assert_eq!(client.microversion(), Microversion::new(2, 96));
    let s1 = client.get_server("s1").await.unwrap();
    assert_eq!(
        (
            s1.status(),
            s1.vm_state(),
            s1.task_state(),
            s1.power_state()
        ),
        (Some("SHUTOFF"), Some("stopped"), None, Some(4))
    );
}

#[tokio::test]
async fn a_pin_inside_the_range_is_sent_and_one_outside_is_refused() {
    let server = nova_at("2.96").await;
    mount_server_at(&server, "2.37").await;
    let session = target_session(&server.uri()).await;
    let client = ComputeClient::connect(Arc::clone(&session), options(Some("2.37")))
        .await
        .unwrap();
    client.get_server("s1").await.unwrap();
    let err = ComputeClient::connect(session, options(Some("2.97")))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "failed to negotiate a compute microversion at {}/compute/v2.1: microversion 2.97 is \
             outside the range the cloud supports (2.1 to 2.96)",
            server.uri()
        )
    );
}

#[tokio::test]
async fn without_a_version_document_the_base_version_is_used() {
    let server = MockServer::start().await;
    mount_server_at(&server, "2.1").await;
    let client = connect(&server, options(None)).await;
    assert_eq!(client.microversion(), Microversion::BASE);
    assert_eq!(client.version(), None);
    client.get_server("s1").await.unwrap();
}

#[tokio::test]
async fn listing_follows_next_links_with_our_endpoint() {
    let server = nova_at("2.96").await;
    let page = |ids: &[&str], next: Option<&str>| {
        let servers: Vec<_> = ids
            .iter()
            .map(|id| json!({"id": id, "status": "ACTIVE"}))
            .collect();
        let mut body = json!({"servers": servers});
        if let Some(marker) = next {
            // Nova may advertise an internal host name; the client must keep its endpoint.
            body["servers_links"] = json!([{"rel": "next", "href": format!(
                "http://nova-internal.invalid:8774/v2.1/servers/detail?status=ACTIVE&limit=2&marker={marker}")}]);
        }
        ResponseTemplate::new(200).set_body_json(body)
    };
    for (marker, ids, next) in [
        (None, &["a1", "a2"][..], Some("a2")),
        (Some("a2"), &["a3", "a4"][..], Some("a4")),
        (Some("a4"), &["a5"][..], None),
    ] {
        let mock = Mock::given(method("GET"))
            .and(path("/compute/v2.1/servers/detail"))
            .and(query_param("status", "ACTIVE"))
            .and(query_param("limit", "2"));
        let mock = match marker {
            None => mock.and(query_param_is_missing("marker")),
            Some(m) => mock.and(query_param("marker", m)),
        };
        mock.respond_with(page(ids, next))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = connect(&server, options(None)).await;
    let servers = client
        .list_servers_detail(&[("status", "ACTIVE"), ("limit", "2")])
        .await
        .unwrap();
    let ids: Vec<_> = servers.iter().map(|s| s.id().unwrap()).collect();
    assert_eq!(ids, ["a1", "a2", "a3", "a4", "a5"]);
}

#[tokio::test]
async fn too_many_requests_is_retried_after_the_advertised_wait() {
    let server = nova_at("2.96").await;
    retry_later("/compute/v2.1/servers/s1", 429, "1", "slow down")
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_server_at(&server, "2.96").await;
    let client = connect(&server, options(None)).await;
    let started = Instant::now();
    let s1 = client.get_server("s1").await.unwrap();
    assert_eq!(s1.status(), Some("SHUTOFF"));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn persistent_unavailability_gives_up_within_attempts_and_deadline() {
    let server = nova_at("2.96").await;
    retry_later("/compute/v2.1/servers/busy", 503, "0", "try later")
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.1/servers/slow"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "30"))
        .expect(1)
        .mount(&server)
        .await;
    let opts = ComputeOptions {
        retry: RetryPolicy {
            max_attempts: 3,
            deadline: Duration::from_secs(5),
            ..RetryPolicy::default()
        },
        ..ComputeOptions::default()
    };
    let client = connect(&server, opts).await;
    match client.get_server("busy").await.unwrap_err() {
        ComputeError::GaveUp {
            status,
            attempts,
            message,
            ..
        } => assert_eq!(
            (status.as_u16(), attempts, message.as_str()),
            (503, 3, "try later")
        ),
        other => panic!("expected GaveUp, got {other}"),
    }
    // A Retry-After beyond the deadline is not waited for at all.
    let started = Instant::now();
    let err = client.get_server("slow").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn nova_errors_are_typed_with_status_and_message() {
    let server = nova_at("2.96").await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.1/servers/detail"))
        .and(query_param("status", "FROBNICATING"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(
                json!({"badRequest": {"code": 400, "message": "Invalid status value"}}),
            ),
        )
        .mount(&server)
        .await;
    let client = connect(&server, options(None)).await;
    let err = client
        .list_servers_detail(&[("status", "FROBNICATING")])
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(
        err.to_string(),
        format!(
            "failed to GET {}/compute/v2.1/servers/detail?status=FROBNICATING: HTTP 400: Invalid \
             status value",
            server.uri()
        )
    );
}

#[tokio::test]
async fn unauthorized_renews_the_keystone_token_once() {
    let server = MockServer::start().await;
    let base = server.uri();
    tokens_request()
        .respond_with(hour_token(&server, "tok"))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/r1-public/compute/v2.1/servers/s1"))
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/r1-public/compute/v2.1/servers/s1"))
        .and(header("X-Auth-Token", "tok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"server": {"id": "s1"}})))
        .expect(1)
        .mount(&server)
        .await;
    let session = env_session(
        &base,
        &[
            ("OS_USER_ID", "u-1"),
            ("OS_PASSWORD", "pw"),
            ("OS_PROJECT_ID", "p-1"),
            ("OS_REGION_NAME", "RegionOne"),
        ],
    )
    .await;
    let client = ComputeClient::connect(session, options(None))
        .await
        .unwrap();
    assert_eq!(client.get_server("s1").await.unwrap().id(), Some("s1"));
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_transport_error_after_bounded_attempts() {
    // Bind and drop a listener to get a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let opts = ComputeOptions {
        retry: RetryPolicy {
            max_attempts: 2,
            initial_backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        },
        ..ComputeOptions::default()
    };
    let err = ComputeClient::connect(target_session(&base).await, opts)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("failed to GET {base}/compute/v2.1 after 2 attempt(s)")
    );
}
