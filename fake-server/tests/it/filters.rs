//! List filters (`changes-since`/`changes-before`, `vm_state`/`task_state`, `name` regex) and
//! `PUT /servers/{id}`.

use fake_server::Engine;
use rstest::rstest;
use serde_json::{Value, json};

use crate::support::{Env, ids, sorted};

async fn list(env: &Env, query: &str, token: &str, mv: &str) -> (u16, Value) {
    let r = env
        .call(
            "GET",
            &format!("/compute/v2.1/servers/detail?{query}"),
            Some(token),
            Some(mv),
            None,
        )
        .await;
    (r.status, r.body)
}

#[rstest]
#[tokio::test]
async fn changes_since_lists_servers_updated_at_or_after_the_time_including_soft_deleted(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [admin], seeded) = Env::seeded(
        engine,
        ["admin"],
        json!([
            {"vm_state": "active", "task_state": null, "name": "old"},
            {"vm_state": "active", "task_state": null, "name": "renamed-later"},
            {"vm_state": "soft-delete", "task_state": null, "name": "gone"}
        ]),
    )
    .await;
    // Updated timestamps have one-second resolution: make the rename land in a later second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = env
        .update(&seeded[1], &admin, json!({"name": "renamed"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let since = r.body["server"]["updated"].as_str().unwrap().to_owned();
    let (status, body) = list(&env, &format!("changes-since={since}"), &admin, "2.96").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&body), [seeded[1].clone()]);
    // A time before everything: every server, soft-deleted included (Nova lists deleted rows
    // when changes-since is given), unless `deleted=False` is explicit.
    let (_, all) = list(&env, "changes-since=2000-01-01T00:00:00Z", &admin, "2.96").await;
    assert_eq!(ids(&all), sorted(seeded.clone()));
    let (_, live) = list(
        &env,
        "changes-since=2000-01-01&deleted=False",
        &admin,
        "2.96",
    )
    .await;
    assert_eq!(ids(&live), sorted(seeded[..2].to_vec()));
    // changes-before (2.66+) bounds from above; below 2.66 it is ignored.
    let q = "changes-since=2000-01-01T00:00:00&changes-before=2001-01-01T00:00:00Z";
    assert_eq!(
        ids(&list(&env, q, &admin, "2.66").await.1),
        Vec::<String>::new()
    );
    assert_eq!(ids(&list(&env, q, &admin, "2.65").await.1).len(), 3);
    let (status, body) = list(&env, "changes-since=yesterday", &admin, "2.96").await;
    assert_eq!(status, 400);
    assert_eq!(
        body["badRequest"]["message"],
        "Invalid input for query parameters changes-since. Value: yesterday. 'yesterday' is not a 'date-time'"
    );
    let q = "changes-since=2001-01-01T00:00:00Z&changes-before=2000-01-01T00:00:00Z";
    let (status, body) = list(&env, q, &admin, "2.96").await;
    assert_eq!(status, 400);
    assert_eq!(
        body["badRequest"]["message"],
        "The value of changes-since must be less than or equal to changes-before."
    );
}

#[rstest]
#[tokio::test]
async fn vm_state_and_task_state_filters_apply_to_admins_and_to_everyone_from_2_83(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::start(engine).await;
    let [admin, alice] = env.tokens(["admin", "alice"]).await;
    let mk =
        |vm: &str, task: Option<&str>| json!({"vm_state": vm, "task_state": task, "user": "alice"});
    let s = env
        .seed(json!([
            mk("active", None),
            mk("active", Some("rebooting")),
            mk("stopped", None),
            mk("error", Some("rebooting"))
        ]))
        .await;
    let q = "vm_state=active&vm_state=error&task_state=rebooting&all_tenants=1";
    assert_eq!(
        ids(&list(&env, q, &admin, "2.1").await.1),
        sorted(vec![s[1].clone(), s[3].clone()])
    );
    // A status filter replaces vm_state/task_state, as in Nova.
    let q = "vm_state=stopped&status=ACTIVE&all_tenants=1";
    assert_eq!(
        ids(&list(&env, q, &admin, "2.96").await.1),
        sorted(vec![s[0].clone(), s[1].clone()])
    );
    // A member's vm_state filter is ignored before 2.83 and applied from 2.83.
    assert_eq!(
        ids(&list(&env, "vm_state=stopped", &alice, "2.82").await.1).len(),
        4
    );
    assert_eq!(
        ids(&list(&env, "vm_state=stopped", &alice, "2.83").await.1),
        [s[2].clone()]
    );
}

#[rstest]
#[tokio::test]
async fn name_is_an_unanchored_regular_expression(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::start(engine).await;
    let admin = env.token("admin").await;
    let names = ["web-1", "web-22", "my-webby", "db.1", "dbx1"];
    let s = env
        .seed(json!(
            names
                .iter()
                .map(|n| json!({"vm_state": "active", "task_state": null, "name": n}))
                .collect::<Vec<_>>()
        ))
        .await;
    let by = |q: &str| {
        let q = q.to_owned();
        let env = &env;
        let admin = admin.clone();
        async move { ids(&list(env, &q, &admin, "2.96").await.1) }
    };
    assert_eq!(
        by("name=%5Eweb-%5B0-9%5D%2B%24").await,
        sorted(vec![s[0].clone(), s[1].clone()])
    );
    assert_eq!(by("name=web").await, sorted(s[..3].to_vec()));
    assert_eq!(
        by("name=db.1").await,
        sorted(vec![s[3].clone(), s[4].clone()])
    );
    assert_eq!(by("name=db%5C.1").await, [s[3].clone()]);
    let (status, body) = list(&env, "name=(web", &admin, "2.96").await;
    assert_eq!(status, 400);
    let msg = body["badRequest"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with(
            "Invalid input for query parameters name. Value: (web. Not a valid regular expression: "
        ),
        "{msg}"
    );
}

#[rstest]
#[tokio::test]
async fn put_renames_and_describes_a_server_with_novas_update_body(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [alice, bob], ids) = Env::seeded(
        engine,
        ["alice", "bob"],
        json!([{"vm_state": "stopped", "task_state": null, "user": "alice"}]),
    )
    .await;
    let id = &ids[0];
    let path = format!("/compute/v2.1/servers/{id}");
    let put = |token: &str, mv: &'static str, body: Value| {
        let (env, path, token) = (&env, &path, token.to_owned());
        async move {
            env.call("PUT", path, Some(&token), Some(mv), Some(body))
                .await
        }
    };
    let r = put(
        &alice,
        "2.19",
        json!({"server": {"name": "db-1", "description": "primary"}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let server = &r.body["server"];
    assert_eq!(
        (server["name"].as_str(), server["description"].as_str()),
        (Some("db-1"), Some("primary"))
    );
    assert_eq!(server["status"], "SHUTOFF");
    // Below 2.75 Nova's update body hides the extended attributes; from 2.75 it has them.
    assert!(server.get("OS-EXT-STS:vm_state").is_none());
    assert!(server.get("progress").is_none());
    let r = put(&alice, "2.75", json!({"server": {"description": null}})).await;
    assert_eq!(r.body["server"]["OS-EXT-STS:vm_state"], "stopped");
    assert_eq!(r.body["server"]["description"], Value::Null);
    assert_eq!(env.server(id, &alice).await["name"], "db-1");
    // Errors: description before 2.19, unknown keys, bad names, another project's server.
    let r = put(&alice, "2.18", json!({"server": {"description": "x"}})).await;
    assert_eq!(r.status, 400);
    assert!(
        r.bad_request()
            .ends_with("Additional properties are not allowed ('description' was unexpected)"),
        "{}",
        r.body
    );
    let r = put(&alice, "2.96", json!({"server": {"name": " padded "}})).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["badRequest"]["message"],
        "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace."
    );
    let r = put(&alice, "2.96", json!({"nope": {}})).await;
    assert_eq!(r.status, 400);
    let r = put(&bob, "2.96", json!({"server": {"name": "mine"}})).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.body["itemNotFound"]["message"],
        format!("Instance {id} could not be found.")
    );
}
