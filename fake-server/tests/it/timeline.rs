//! Status overrides, per-poll timelines and the journal's served records (DESIGN-v2 §4).

use fake_server::Engine;
use rstest::rstest;
use serde_json::{Value, json};

use crate::support::{Env, each_server, fingerprint};

async fn journal_after(env: &Env, after: u64) -> Vec<Value> {
    let r = env
        .control("GET", &format!("/_fake/journal?after={after}"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["requests"].as_array().unwrap().clone()
}

#[rstest]
#[tokio::test]
async fn a_status_override_is_served_verbatim_even_empty(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [alice], ids) = Env::seeded(
        engine,
        ["alice"],
        json!([
            {"vm_state": "active", "task_state": null, "status": "HIBERNATED", "user": "alice"},
            {"vm_state": "active", "task_state": null, "status": "", "user": "alice"},
            {"vm_state": "active", "task_state": null, "user": "alice"},
        ]),
    )
    .await;
    let statuses: Vec<Value> = {
        let mut v = Vec::new();
        for id in &ids {
            v.push(env.server(id, &alice).await["status"].clone());
        }
        v
    };
    assert_eq!(statuses, [json!("HIBERNATED"), json!(""), json!("ACTIVE")]);
    let detail = env.get("/compute/v2.1/servers/detail", &alice).await;
    let listed = each_server(&detail.body, |s| (s["id"].clone(), s["status"].clone()));
    assert_eq!(
        listed,
        [
            (json!(ids[2]), json!("ACTIVE")),
            (json!(ids[1]), json!("")),
            (json!(ids[0]), json!("HIBERNATED")),
        ]
    );
    // PUT with "status": null clears the override.
    let put = env
        .control(
            "PUT",
            &format!("/_fake/servers/{}", ids[0]),
            Some(json!({"status": null})),
        )
        .await;
    assert_eq!(
        put.body,
        json!({"server": {"id": ids[0], "vm_state": "active", "task_state": null, "power_state": 1, "status": null}})
    );
    assert_eq!(env.server(&ids[0], &alice).await["status"], "ACTIVE");
}

#[rstest]
#[tokio::test]
async fn a_timeline_advances_per_owner_poll_and_the_journal_shows_each_served_step(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [alice, admin], ids) = Env::seeded(
        engine,
        ["alice", "admin"],
        json!([{"vm_state": "building", "task_state": "scheduling", "user": "alice", "timeline": [
            {"vm_state": "building", "task_state": "spawning", "polls": 2},
            {"vm_state": "error", "task_state": null, "status": "FAILED"},
            {"gone": true}]}]),
    )
    .await;
    let id = &ids[0];
    let path = format!("/compute/v2.1/servers/{id}");
    let before = journal_after(&env, 0).await.last().unwrap()["seq"]
        .as_u64()
        .unwrap();
    let mut seen = Vec::new();
    for who in [&alice, &admin, &alice, &alice, &admin, &alice] {
        let r = env.get(&path, who).await;
        seen.push((r.status, r.body["server"]["status"].clone()));
    }
    assert_eq!(
        seen,
        [
            (200, json!("BUILD")),  // alice, poll 1 of step 0
            (200, json!("BUILD")),  // admin: shows, does not advance
            (200, json!("BUILD")),  // alice, poll 2 of step 0
            (200, json!("FAILED")), // alice, step 1
            (200, json!("FAILED")), // admin
            (404, Value::Null),     // alice, step 2: gone
        ]
    );
    let entries = journal_after(&env, before).await;
    let served: Vec<Value> = entries.iter().map(|e| e["served"].clone()).collect();
    let build = json!({"status": "BUILD", "vm_state": "building", "task_state": "spawning"});
    let failed = json!({"status": "FAILED", "vm_state": "error", "task_state": null});
    assert_eq!(
        served,
        [
            build.clone(),
            build.clone(),
            build.clone(),
            failed.clone(),
            failed,
            Value::Null
        ]
    );
    assert_eq!(
        entries[0],
        json!({"seq": before + 1, "method": "GET", "path": path, "query": "", "status": 200,
               "server_id": id, "token": fingerprint(&alice), "served": build})
    );
    assert_eq!(
        entries[5],
        json!({"seq": before + 6, "method": "GET", "path": path, "query": "", "status": 404,
               "server_id": id, "token": fingerprint(&alice)})
    );
    assert_eq!(entries[1]["token"], json!(fingerprint(&admin)));
    // Gone means gone for everyone, listings included.
    assert_eq!(env.get(&path, &admin).await.status, 404);
    let listing = env.get("/compute/v2.1/servers?all_tenants=1", &admin).await;
    assert_eq!(listing.body["servers"], json!([]));
    let last = journal_after(&env, before + 7).await;
    assert_eq!(
        last,
        [
            json!({"seq": before + 8, "method": "GET", "path": "/compute/v2.1/servers", "query": "all_tenants=1",
                "status": 200, "server_id": null, "token": fingerprint(&admin), "servers": []})
        ]
    );
}

#[rstest]
#[tokio::test]
async fn listings_journal_the_ids_they_served_in_order(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [alice], ids) = Env::seeded(
        engine,
        ["alice"],
        json!([
            {"vm_state": "active", "task_state": null, "user": "alice"},
            {"vm_state": "stopped", "task_state": null, "user": "alice"},
            {"vm_state": "active", "task_state": null, "user": "alice"},
        ]),
    )
    .await;
    env.get("/compute/v2.1/servers/detail?status=ACTIVE&limit=1", &alice)
        .await;
    let last = journal_after(&env, 0).await.pop().unwrap();
    assert_eq!(last["servers"], json!([ids[2]]));
    assert_eq!(last["query"], "status=ACTIVE&limit=1");
}

#[rstest]
#[tokio::test]
async fn bad_timelines_and_journal_queries_are_refused_by_name(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::start(engine).await;
    let rows = [
        (
            json!([{"vm_state": "active", "task_state": null}, {"vm_state": "active", "task_state": null, "timeline": []}]),
            "Invalid timeline of servers[1]: give at least one step",
        ),
        (
            json!([{"vm_state": "active", "task_state": null, "timeline": [{"gone": true, "polls": 2}]}]),
            "Invalid timeline[0] of servers[0]: a gone step takes no other field",
        ),
        (
            json!([{"vm_state": "active", "task_state": null, "timeline": [{"vm_state": "active", "task_state": null}, {"vm_state": "error"}]}]),
            "Invalid timeline[1] of servers[0]: vm_state and task_state are required (null allowed)",
        ),
        (
            json!([{"vm_state": "active", "task_state": null, "timeline": [{"vm_state": "active", "task_state": null, "polls": 0}]}]),
            "Invalid timeline[0] of servers[0]: polls must be at least 1",
        ),
    ];
    for (servers, want) in rows {
        let r = env.try_seed(servers).await;
        assert_eq!(
            (r.status, r.body["badRequest"]["message"].as_str()),
            (400, Some(want))
        );
    }
    let listing = env.control("GET", "/_fake/journal", None).await;
    let seeded: Vec<&Value> = listing.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        seeded.len(),
        4,
        "refused seeds are journalled, and nothing was created"
    );
    let r = env.control("GET", "/_fake/journal?after=-1", None).await;
    assert_eq!(
        (r.status, r.body["badRequest"]["message"].as_str()),
        (
            400,
            Some(
                "Invalid after=-1: give the seq of the last entry already read (a non-negative integer)"
            )
        )
    );
}
