//! `POST /_fake/servers` `bulk` (control plane version 2), and listings through the indexes
//! (by vm_state, by latest update) staying in step with every change.

use fake_server::Engine;
use rstest::rstest;
use serde_json::{Value, json};

use crate::support::{Env, each_server, text};

async fn bulk(env: &Env, bulk: Value) -> (u16, Value) {
    let r = env
        .call(
            "POST",
            "/_fake/servers",
            None,
            None,
            Some(json!({ "bulk": bulk })),
        )
        .await;
    (r.status, r.body)
}

/// `(id, name, status)` of every server a detailed listing returns, in order.
async fn listed(env: &Env, query: &str, token: &str) -> Vec<(String, String, String)> {
    let r = env
        .get(&format!("/compute/v2.1/servers/detail?{query}"), token)
        .await;
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    each_server(&r.body, |s| {
        (text(s, "id"), text(s, "name"), text(s, "status"))
    })
}

#[rstest]
#[tokio::test]
async fn bulk_seeds_count_servers_cycling_through_the_states(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::start(engine).await;
    let admin = env.token("admin").await;
    let info = env.call("GET", "/_fake/", None, None, None).await;
    assert_eq!(info.body["fake_server"]["control_plane_version"], 2);
    let (status, body) = bulk(
        &env,
        json!({"count": 25, "name_prefix": "b-", "states": [
            {"vm_state": "active", "task_state": null},
            {"vm_state": "stopped", "task_state": null},
            {"vm_state": "active", "task_state": "rebooting"}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let all = listed(&env, "limit=1000", &admin).await;
    assert_eq!(all.len(), 25);
    // Newest first: the last seeded (index 24, state 24 % 3 = 0) heads the listing.
    assert_eq!(
        body,
        json!({"bulk": {"count": 25, "project_id": body["bulk"]["project_id"],
                        "first_id": all[24].0, "last_id": all[0].0}})
    );
    assert_eq!((all[0].1.as_str(), all[0].2.as_str()), ("b-24", "ACTIVE"));
    assert_eq!((all[1].1.as_str(), all[1].2.as_str()), ("b-23", "REBOOT"));
    assert_eq!((all[24].1.as_str(), all[24].2.as_str()), ("b-0", "ACTIVE"));
    let count = |status: &str| all.iter().filter(|s| s.2 == status).count();
    assert_eq!(
        (count("ACTIVE"), count("SHUTOFF"), count("REBOOT")),
        (9, 8, 8)
    );
    let shutoff = listed(&env, "status=SHUTOFF", &admin).await;
    let want: Vec<_> = all.iter().filter(|s| s.2 == "SHUTOFF").cloned().collect();
    assert_eq!(shutoff, want);
    // ACTIVE selects vm_state active whatever the task (Nova drops the task filter).
    assert_eq!(listed(&env, "status=ACTIVE", &admin).await.len(), 17);
    // Pages of a filtered listing follow the marker, as the unfiltered one does.
    let page = listed(
        &env,
        &format!("status=SHUTOFF&limit=3&marker={}", want[2].0),
        &admin,
    )
    .await;
    assert_eq!(page, want[3..6]);
}

#[rstest]
#[tokio::test]
async fn bulk_servers_belong_to_the_users_project_only(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::start(engine).await;
    let (alice, bob) = (env.token("alice").await, env.token("bob").await);
    let (status, _) = bulk(
        &env,
        json!({"count": 4, "user": "alice", "states": [{"vm_state": "stopped", "task_state": null}]}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(listed(&env, "status=SHUTOFF", &alice).await.len(), 4);
    assert_eq!(listed(&env, "status=SHUTOFF", &bob).await, []);
    assert_eq!(listed(&env, "", &bob).await, []);
    let admin = env.token("admin").await;
    assert_eq!(listed(&env, "status=SHUTOFF", &admin).await, []);
    let every = listed(&env, "status=SHUTOFF&all_tenants=1", &admin).await;
    assert_eq!(every.len(), 4);
    // Without a name_prefix, names are generated as for any seeded server.
    assert!(
        every.iter().all(|s| s.1.starts_with("server-")),
        "{every:?}"
    );
}

#[rstest]
#[tokio::test]
async fn a_bad_bulk_is_refused_with_what_to_fix(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::start(engine).await;
    let message = |b: Value| b["badRequest"]["message"].as_str().unwrap().to_owned();
    let (status, body) = bulk(
        &env,
        json!({"count": 0, "states": [{"vm_state": "active"}]}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        message(body),
        "Invalid bulk: count must be between 1 and 10000000, got 0"
    );
    let (status, body) = bulk(&env, json!({"count": 3, "states": []})).await;
    assert_eq!(status, 400);
    assert_eq!(
        message(body),
        "Invalid bulk: states must hold at least one {vm_state, task_state}"
    );
    let both = json!({"servers": [], "bulk": {"count": 1, "states": [{"vm_state": "active"}]}});
    for body in [both, json!({})] {
        let r = env
            .call("POST", "/_fake/servers", None, None, Some(body))
            .await;
        assert_eq!(r.status, 400);
        assert_eq!(
            message(r.body),
            "Give either `servers` (one item per server) or `bulk` (a count and states), not both"
        );
    }
    let admin = env.token("admin").await;
    assert_eq!(listed(&env, "", &admin).await, [], "nothing was seeded");
}

#[rstest]
#[tokio::test]
async fn filtered_listings_follow_state_changes_and_deletes(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::start(engine).await;
    let admin = env.token("admin").await;
    let (status, _) = bulk(
        &env,
        json!({"count": 6, "states": [{"vm_state": "active", "task_state": null}]}),
    )
    .await;
    assert_eq!(status, 201);
    let all = listed(&env, "", &admin).await;
    // Updated timestamps have one-second resolution: make the changes land in a later second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let put = env
        .call(
            "PUT",
            &format!("/_fake/servers/{}", all[2].0),
            None,
            None,
            Some(json!({"vm_state": "stopped"})),
        )
        .await;
    assert_eq!(put.status, 200);
    let ids = |v: Vec<(String, String, String)>| v.into_iter().map(|s| s.0).collect::<Vec<_>>();
    assert_eq!(
        ids(listed(&env, "status=SHUTOFF", &admin).await),
        [all[2].0.clone()]
    );
    assert_eq!(listed(&env, "status=ACTIVE", &admin).await.len(), 5);
    let deleted = env
        .call(
            "DELETE",
            &format!("/compute/v2.1/servers/{}", all[4].0),
            Some(&admin),
            Some("2.96"),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    // Deleting walks the server through task `deleting` before the row goes: wait for it.
    let mut active = Vec::new();
    for _ in 0..100 {
        active = ids(listed(&env, "status=ACTIVE", &admin).await);
        if active.len() == 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let want: Vec<String> = [0, 1, 3, 5].iter().map(|i| all[*i].0.clone()).collect();
    assert_eq!(active, want);
    // The destroyed server is a DELETED row now, found by the admin `status=DELETED` listing.
    assert_eq!(
        ids(listed(&env, "status=DELETED", &admin).await),
        [all[4].0.clone()]
    );
    // changes-since the state change lists the two changed servers (one a DELETED row),
    // newest first; an old cut-off lists all six.
    let since = env.server(&all[2].0, &admin).await["updated"]
        .as_str()
        .unwrap()
        .to_owned();
    let changed = ids(listed(&env, &format!("changes-since={since}"), &admin).await);
    assert_eq!(changed, [all[2].0.clone(), all[4].0.clone()]);
    assert_eq!(
        listed(&env, "changes-since=2000-01-01", &admin).await.len(),
        6
    );
}
