//! Control plane, faults, journal, and malformed input.

use std::time::{Duration, Instant};

use fake_server::Engine;
use rstest::rstest;
use serde_json::json;

use crate::support::{Env, fingerprint};

#[rstest]
#[tokio::test]
async fn fault_rules_answer_then_expire(#[values(Engine::Wiremock, Engine::Hyper)] engine: Engine) {
    let env = Env::start(engine).await;
    let token = env.token("admin").await;
    let rule =
        json!({"method": "GET", "path": "/compute/v2.1/servers/*", "status": 503, "times": 2});
    let r = env.control("POST", "/_fake/faults", Some(rule)).await;
    assert_eq!(r.status, 201);
    let path = "/compute/v2.1/servers/detail";
    let statuses = [
        env.get(path, &token).await,
        env.get(path, &token).await,
        env.get(path, &token).await,
    ];
    assert_eq!(
        statuses.iter().map(|r| r.status).collect::<Vec<_>>(),
        [503, 503, 200]
    );
    assert_eq!(statuses[0].body["serviceUnavailable"]["code"], 503);
    assert_eq!(
        env.control("GET", "/_fake/faults", None).await.body["faults"],
        json!([])
    );
}

#[rstest]
#[tokio::test]
async fn fault_rules_drop_connections_and_add_latency(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::start(engine).await;
    let token = env.token("admin").await;
    env.control(
        "POST",
        "/_fake/faults",
        Some(json!({"path": "/compute/v2.1/flavors", "drop": true, "times": 1})),
    )
    .await;
    let dropped = env
        .http
        .get(env.url("/compute/v2.1/flavors"))
        .header("X-Auth-Token", &token)
        .send()
        .await;
    assert!(
        dropped.is_err(),
        "the connection is closed without an answer"
    );
    assert_eq!(env.get("/compute/v2.1/flavors", &token).await.status, 200);
    let r = env
        .control(
            "POST",
            "/_fake/faults",
            Some(json!({"path": "/compute/**", "latency_ms": 300})),
        )
        .await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    let t = Instant::now();
    assert_eq!(env.get("/compute/v2.1/flavors", &token).await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        env.control("DELETE", &format!("/_fake/faults/{id}"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        env.control("DELETE", &format!("/_fake/faults/{id}"), None)
            .await
            .status,
        404
    );
}

#[rstest]
#[tokio::test]
async fn journal_records_method_path_query_status_only(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::start(engine).await;
    let token = env.token("admin").await;
    env.get("/compute/v2.1/servers/detail?status=ACTIVE", &token)
        .await;
    let j = env.control("GET", "/_fake/journal", None).await;
    let reqs = j.body["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[0],
        json!({"seq": 1, "method": "POST", "path": "/identity/v3/auth/tokens", "query": "", "status": 201,
               "server_id": null, "token": null})
    );
    assert_eq!(
        reqs[1],
        json!({"seq": 2, "method": "GET", "path": "/compute/v2.1/servers/detail", "query": "status=ACTIVE",
               "status": 200, "server_id": null, "token": fingerprint(&token), "servers": []})
    );
    assert!(
        !j.body.to_string().contains(&token),
        "no secrets in the journal"
    );
    assert_eq!(
        env.control("DELETE", "/_fake/journal", None).await.status,
        204
    );
    assert_eq!(
        env.control("GET", "/_fake/journal", None).await.body["requests"],
        json!([])
    );
}

#[rstest]
#[tokio::test]
async fn reset_set_state_and_clock(#[values(Engine::Wiremock, Engine::Hyper)] engine: Engine) {
    let (env, token, id) = Env::one_active(Env::start(engine)).await;
    let put = env
        .control(
            "PUT",
            &format!("/_fake/servers/{id}"),
            Some(json!({"task_state": "rebooting"})),
        )
        .await;
    assert_eq!(
        put.body,
        json!({"server": {"id": id, "vm_state": "active", "task_state": "rebooting", "power_state": 1, "status": null}})
    );
    assert_eq!(env.server(&id, &token).await["status"], "REBOOT");
    let clock = env
        .control("POST", "/_fake/clock", Some(json!({"advance_ms": 5})))
        .await;
    assert_eq!(clock.status, 409, "a real clock cannot be advanced");
    assert_eq!(env.control("POST", "/_fake/reset", None).await.status, 204);
    assert_eq!(
        env.get(&format!("/compute/v2.1/servers/{id}"), &token)
            .await
            .status,
        404
    );
    assert_eq!(
        env.control("PUT", "/_fake/servers/nope", Some(json!({})))
            .await
            .status,
        404
    );
}

#[rstest]
#[tokio::test]
async fn malformed_input_gets_nova_shaped_400s(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, token, id) = Env::one_active(Env::start(engine)).await;
    let action = format!("/compute/v2.1/servers/{id}/action");
    let bad_json = env.raw_post(&action, &token, b"{not json".to_vec()).await;
    assert_eq!(bad_json.status, 400);
    assert!(bad_json.bad_request().starts_with("Malformed request body"));
    let unknown = env.action(&id, &token, json!({"fly": null})).await;
    assert_eq!(
        unknown.body["badRequest"]["message"],
        "There is no such action: fly"
    );
    let wrong_type = env
        .action(&id, &token, json!({"reboot": {"type": 5}}))
        .await;
    assert_eq!(wrong_type.status, 400);
    assert!(wrong_type.bad_request().contains("field/attribute type"));
    let seed = env
        .try_seed(json!([{"vm_state": 5, "task_state": null}]))
        .await;
    assert_eq!(seed.status, 400);
    assert!(seed.bad_request().contains("invalid type: integer `5`"));
    let huge = env
        .raw_post(&action, &token, vec![b' '; 1024 * 1024 + 10])
        .await;
    assert_eq!(huge.status, 413);
    assert_eq!(huge.body["overLimit"]["code"], 413);
    let mv = env.get_at("/compute/v2.1/servers", &token, "2.200").await;
    assert_eq!(mv.status, 406);
}

#[rstest]
#[tokio::test]
async fn no_control_hides_the_control_plane(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::with(engine, |b| b.control(false)).await;
    assert_eq!(env.control("GET", "/_fake/", None).await.status, 404);
}

#[tokio::test]
async fn the_fake_mounts_on_a_callers_mock_server() {
    let mock = wiremock::MockServer::start().await;
    fake_server::FakeServer::builder().mount(&mock).await;
    let http = crate::support::client();
    let r = http
        .get(format!("{}/_fake/", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["fake_server"]["compute_url"],
        format!("{}/compute/v2.1", mock.uri())
    );
}
