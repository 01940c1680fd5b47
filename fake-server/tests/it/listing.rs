//! Listing: pagination, status filters, soft-delete visibility, projects, auth.

use fake_server::Engine;
use rstest::rstest;
use serde_json::{Value, json};

use crate::support::{Env, each_server, ids, sorted, text};

#[rstest]
#[tokio::test]
async fn detail_paginates_with_limit_marker_and_next_links(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let servers = (0..5)
        .map(|i| json!({"vm_state": "active", "task_state": null, "name": format!("s{i}")}))
        .collect();
    let (env, [token], seeded) = Env::seeded(engine, ["admin"], Value::Array(servers)).await;
    let mut seen = Vec::new();
    let mut path = "/compute/v2.1/servers/detail?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let r = env.get(&path, &token).await;
        assert_eq!(r.status, 200);
        pages += 1;
        seen.extend(each_server(&r.body, |s| text(s, "id")));
        match r.body["servers_links"][0]["href"].as_str() {
            Some(next) => path = next.strip_prefix(&env.fake.uri()).unwrap().to_owned(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(sorted(seen.clone()), sorted(seeded));
    assert_eq!(seen.len(), 5, "no server twice");
    let bad = env
        .get("/compute/v2.1/servers/detail?marker=nope", &token)
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["badRequest"]["message"], "marker [nope] not found");
    let neg = env
        .get("/compute/v2.1/servers/detail?limit=-1", &token)
        .await;
    assert_eq!(
        neg.body["badRequest"]["message"],
        "limit param must be positive"
    );
}

#[rstest]
#[tokio::test]
async fn status_filter_has_novas_set_semantics(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [token], s) = Env::seeded(
        engine,
        ["admin"],
        json!([
            {"vm_state": "active", "task_state": null},
            {"vm_state": "active", "task_state": "rebooting"},
            {"vm_state": "active", "task_state": "resize_prep"},
            {"vm_state": "stopped", "task_state": null},
            {"vm_state": "stopped", "task_state": "resize_migrating"},
            {"vm_state": "stopped", "task_state": "rebooting"},
            {"vm_state": "paused", "task_state": null},
        ]),
    )
    .await;
    let q = |query: &str| format!("/compute/v2.1/servers/detail?{query}");
    let pick = |idx: &[usize]| sorted(idx.iter().map(|i| s[*i].clone()).collect());
    let rows: &[(&str, &[usize])] = &[
        ("status=REBOOT", &[1]),
        ("status=reboot", &[1]),
        ("status=ACTIVE", &[0, 1, 2]),
        ("status=SHUTOFF", &[3, 4, 5]),
        ("status=RESIZE", &[2, 4]),
        // Cross product: vm {active, stopped} × task {reboot_*, resize_*}.
        ("status=RESIZE&status=REBOOT", &[1, 2, 4, 5]),
        // A default status drops the task filter entirely.
        ("status=SHUTOFF&status=REBOOT", &[0, 1, 2, 3, 4, 5]),
        ("status=PAUSED", &[6]),
    ];
    for (query, want) in rows {
        let r = env.get(&q(query), &token).await;
        assert_eq!(r.status, 200, "{query}");
        assert_eq!(ids(&r.body), pick(want), "{query}");
    }
    let old = env.get_at(&q("status=UNKNOWN"), &token, "2.37").await;
    assert_eq!(
        (old.status, old.body.clone()),
        (200, json!({"servers": []}))
    );
    let new = env.get_at(&q("status=UNKNOWN"), &token, "2.38").await;
    assert_eq!(new.status, 400);
    assert_eq!(
        new.body,
        json!({"badRequest": {"code": 400, "message": "Invalid status value"}})
    );
}

#[rstest]
#[tokio::test]
async fn soft_deleted_servers_need_admin_deleted_true(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [admin, alice], s) = Env::seeded(
        engine,
        ["admin", "alice"],
        json!([
            {"vm_state": "soft-delete", "task_state": null},
            {"vm_state": "active", "task_state": null},
            {"vm_state": "soft-delete", "task_state": null, "user": "alice"},
        ]),
    )
    .await;
    assert_eq!(
        ids(&env.get("/compute/v2.1/servers/detail", &admin).await.body),
        [s[1].clone()]
    );
    assert_eq!(
        ids(&env
            .get("/compute/v2.1/servers/detail?status=SOFT_DELETED", &admin)
            .await
            .body),
        Vec::<String>::new()
    );
    let deleted = env
        .get(
            "/compute/v2.1/servers/detail?deleted=True&status=SOFT_DELETED",
            &admin,
        )
        .await;
    assert_eq!(ids(&deleted.body), [s[0].clone()]);
    assert_eq!(deleted.body["servers"][0]["status"], "SOFT_DELETED");
    // Non-admins have `deleted` silently stripped.
    assert_eq!(
        ids(&env
            .get("/compute/v2.1/servers/detail?deleted=True", &alice)
            .await
            .body),
        Vec::<String>::new()
    );
    // Show still works.
    assert_eq!(env.server(&s[0], &admin).await["status"], "SOFT_DELETED");
    let forbidden = env
        .get("/compute/v2.1/servers/detail?status=DELETED", &alice)
        .await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(
        forbidden.body["forbidden"]["message"],
        "Only administrators may list deleted instances"
    );
    assert_eq!(
        env.get("/compute/v2.1/servers/detail?status=DELETED", &admin)
            .await
            .status,
        200
    );
}

#[rstest]
#[tokio::test]
async fn projects_are_isolated_and_admin_lists_all_tenants(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [admin, alice, bob], s) = Env::seeded(
        engine,
        ["admin", "alice", "bob"],
        json!([
            {"vm_state": "active", "task_state": null, "user": "alice"},
            {"vm_state": "active", "task_state": null, "user": "bob"},
        ]),
    )
    .await;
    assert_eq!(
        ids(&env.get("/compute/v2.1/servers", &alice).await.body),
        [s[0].clone()]
    );
    let other = env
        .get(&format!("/compute/v2.1/servers/{}", s[1]), &alice)
        .await;
    assert_eq!(other.status, 404);
    assert_eq!(
        other.body["itemNotFound"]["message"],
        format!("Instance {} could not be found.", s[1])
    );
    assert_eq!(
        env.get(&format!("/compute/v2.1/servers/{}", s[1]), &bob)
            .await
            .status,
        200
    );
    assert_eq!(
        ids(&env.get("/compute/v2.1/servers/detail", &admin).await.body),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(&env
            .get("/compute/v2.1/servers/detail?all_tenants=1", &admin)
            .await
            .body),
        sorted(s.clone())
    );
    assert_eq!(
        env.get("/compute/v2.1/servers/detail?all_tenants=1", &alice)
            .await
            .status,
        403
    );
}

#[rstest]
#[tokio::test]
async fn compute_requires_a_valid_token(#[values(Engine::Wiremock, Engine::Hyper)] engine: Engine) {
    let env = Env::with(engine, |b| b.token_ttl(std::time::Duration::from_secs(0))).await;
    let missing = env.control("GET", "/compute/v2.1/servers", None).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.body["unauthorized"]["code"], 401);
    assert_eq!(
        env.get("/compute/v2.1/servers", "not-a-token").await.status,
        401
    );
    let expired = env.token("admin").await;
    assert_eq!(
        env.get("/compute/v2.1/servers", &expired).await.status,
        401,
        "ttl 0 expires at once"
    );
    // Version documents need no token.
    let v = env.control("GET", "/compute/v2.1/", None).await;
    assert_eq!(
        (v.status, v.body["version"]["version"].clone()),
        (200, json!("2.96"))
    );
    assert_eq!(env.control("GET", "/identity/v3", None).await.status, 200);
}

#[rstest]
#[tokio::test]
async fn tokens_carry_a_catalog_with_compute_endpoints(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::start(engine).await;
    let body = json!({"auth": {"identity": {"methods": ["password"],
        "password": {"user": {"name": "admin", "password": "x", "domain": {"name": "Default"}}}}}});
    let r = env
        .control("POST", "/identity/v3/auth/tokens", Some(body))
        .await;
    assert_eq!(r.status, 201);
    assert!(r.headers.contains_key("x-subject-token"));
    let token = &r.body["token"];
    assert!(token["expires_at"].as_str().unwrap().ends_with('Z'));
    let compute = token["catalog"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "compute")
        .unwrap();
    let ifaces: Vec<&str> = compute["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["interface"].as_str().unwrap())
        .collect();
    assert_eq!(ifaces, ["public", "internal", "admin"]);
    assert_eq!(
        compute["endpoints"][0]["url"],
        format!("{}/compute/v2.1", env.fake.uri())
    );
    assert_eq!(compute["endpoints"][0]["region_id"], "RegionOne");
    assert!(
        token["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "admin")
    );
}

#[rstest]
#[tokio::test]
async fn flavors_exist_from_the_start(#[values(Engine::Wiremock, Engine::Hyper)] engine: Engine) {
    let env = Env::start(engine).await;
    let token = env.token("alice").await;
    let list = env
        .get("/compute/v2.1/flavors/detail?is_public=None", &token)
        .await;
    assert_eq!(list.body["flavors"].as_array().unwrap().len(), 5);
    assert_eq!(
        env.get("/compute/v2.1/flavors/2", &token).await.body["flavor"]["name"],
        "m1.small"
    );
    assert_eq!(
        env.get("/compute/v2.1/flavors/999", &token).await.status,
        404
    );
}
