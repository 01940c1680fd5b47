//! Where the fake follows Nova 34.0.0 beyond status: flavor and image changes, list filters,
//! access IPs, create checks, security-group actions, the image service and DELETED rows.

use fake_server::Engine;
use rstest::rstest;
use serde_json::{Value, json};

use crate::support::{Env, each_server, text};

const IMAGE_7: &str = "70a599e0-31e7-49b7-b260-868f441e862b";
const IMAGE_6: &str = "a440c04b-79fa-479c-bed1-0b816eaec379";
const PRIVATE: &str = "3cb9bc59-5699-4588-a4b1-b87f96708bc6";

fn flavor_name(server: &Value) -> Value {
    server["flavor"]["original_name"].clone()
}

fn action_path(id: &str) -> String {
    format!("/compute/v2.1/servers/{id}/action")
}

/// Posts `body` byte for byte to the server's action path at 2.96: (status, Nova's message).
async fn action_message(env: &Env, id: &str, token: &str, body: &str) -> (u16, Value) {
    env.raw("POST", &action_path(id), token, "2.96", body)
        .await
        .status_message()
}

#[rstest]
#[tokio::test]
async fn resize_shows_the_new_flavor_confirm_keeps_it_revert_restores_the_old(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let active = json!({"vm_state": "active", "task_state": null});
    let (env, [token], ids) = Env::nova_manual(engine)
        .await
        .log_in_and_seed(["admin"], json!([active, active]))
        .await;
    for id in &ids {
        let r = env
            .action(id, &token, json!({"resize": {"flavorRef": "2"}}))
            .await;
        assert_eq!(r.status, 202, "{}", r.body);
    }
    env.advance(4000).await;
    for id in &ids {
        let s = env.server(id, &token).await;
        assert_eq!(
            (s["status"].clone(), flavor_name(&s)),
            (json!("VERIFY_RESIZE"), json!("m1.small"))
        );
    }
    assert_eq!(
        env.action(&ids[0], &token, json!({"confirmResize": null}))
            .await
            .status,
        204
    );
    assert_eq!(
        env.action(&ids[1], &token, json!({"revertResize": null}))
            .await
            .status,
        202
    );
    env.advance(1000).await;
    let confirmed = env.server(&ids[0], &token).await;
    let reverted = env.server(&ids[1], &token).await;
    assert_eq!(
        [
            (confirmed["status"].clone(), flavor_name(&confirmed)),
            (reverted["status"].clone(), flavor_name(&reverted))
        ],
        [
            (json!("ACTIVE"), json!("m1.small")),
            (json!("ACTIVE"), json!("m1.tiny"))
        ]
    );
    // Nova's order: state and lock (decorators) before the flavor.
    let resize = |flavor: &str| format!(r#"{{"resize": {{"flavorRef": "{flavor}"}}}}"#);
    for (flavor, want) in [
        ("2", "When resizing, instances must change flavor!"),
        ("99", "Flavor 99 could not be found."),
    ] {
        assert_eq!(
            action_message(&env, &ids[0], &token, &resize(flavor)).await,
            (400, json!(want))
        );
    }
    env.action(&ids[0], &token, json!({"pause": null})).await;
    env.advance(1000).await;
    assert_eq!(
        action_message(&env, &ids[0], &token, &resize("99")).await,
        (
            409,
            json!(format!(
                "Cannot 'resize' instance {} while it is in vm_state paused",
                ids[0]
            ))
        )
    );
}

#[rstest]
#[tokio::test]
async fn rebuild_switches_image_name_metadata_and_access_ips_at_once(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, token, id) = Env::one_active(Env::nova_manual(engine)).await;
    let body = format!(
        r#"{{"rebuild": {{"imageRef": "{IMAGE_7}", "name": "rebuilt", "metadata": {{"role": "db"}}, "accessIPv4": "192.0.2.7"}}}}"#
    );
    let r = env
        .raw("POST", &action_path(&id), &token, "2.96", &body)
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let s = &r.body["server"];
    assert_eq!(
        (
            s["image"]["id"].clone(),
            s["name"].clone(),
            s["metadata"].clone(),
            s["accessIPv4"].clone(),
            s["status"].clone()
        ),
        (
            json!(IMAGE_7),
            json!("rebuilt"),
            json!({"role": "db"}),
            json!("192.0.2.7"),
            json!("REBUILD")
        )
    );
    env.advance(3000).await;
    let s = env.server(&id, &token).await;
    assert_eq!(
        (s["image"]["id"].clone(), s["status"].clone()),
        (json!(IMAGE_7), json!("ACTIVE"))
    );
    let missing = "00000000-0000-4000-8000-000000000000";
    assert_eq!(
        action_message(
            &env,
            &id,
            &token,
            &format!(r#"{{"rebuild": {{"imageRef": "{missing}"}}}}"#)
        )
        .await,
        (400, json!("Cannot find image for rebuild"))
    );
}

#[rstest]
#[tokio::test]
async fn flavor_and_image_filters_filter(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::nova_manual(engine).await;
    let token = env.token("admin").await;
    let mut ids = Vec::new();
    for (name, flavor, image) in [
        ("a", "1", IMAGE_7),
        ("b", "2", IMAGE_7),
        ("c", "2", IMAGE_6),
    ] {
        let body = format!(
            r#"{{"server": {{"name": "{name}", "flavorRef": "{flavor}", "imageRef": "{image}", "networks": "none"}}}}"#
        );
        let r = env
            .raw("POST", "/compute/v2.1/servers", &token, "2.96", &body)
            .await;
        assert_eq!(r.status, 202, "{}", r.body);
        ids.push(r.body["server"]["id"].as_str().unwrap().to_owned());
    }
    let names = |r: Value| each_server(&r, |s| text(s, "name"));
    let q = |query: &str| format!("/compute/v2.1/servers?{query}");
    assert_eq!(
        names(env.get(&q("flavor=2"), &token).await.body),
        ["c", "b"]
    );
    assert_eq!(
        names(env.get(&q(&format!("image={IMAGE_7}")), &token).await.body),
        ["b", "a"]
    );
    assert_eq!(
        names(
            env.get(&q(&format!("image={IMAGE_6}&flavor=1")), &token)
                .await
                .body
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        names(env.get(&q("flavor=99"), &token).await.body),
        Vec::<String>::new()
    );
}

#[rstest]
#[tokio::test]
async fn access_ips_are_stored_on_create_and_put(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::nova_manual(engine).await;
    let token = env.token("admin").await;
    let body = format!(
        r#"{{"server": {{"name": "ips", "flavorRef": "1", "imageRef": "{IMAGE_7}", "networks": [{{"uuid": "{PRIVATE}"}}], "accessIPv4": "192.0.2.1", "accessIPv6": "2001:db8::1"}}}}"#
    );
    let r = env
        .raw("POST", "/compute/v2.1/servers", &token, "2.96", &body)
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let id = r.body["server"]["id"].as_str().unwrap().to_owned();
    let s = env.server(&id, &token).await;
    assert_eq!(
        (s["accessIPv4"].clone(), s["accessIPv6"].clone()),
        (json!("192.0.2.1"), json!("2001:db8::1"))
    );
    let put = env
        .raw(
            "PUT",
            &format!("/compute/v2.1/servers/{id}"),
            &token,
            "2.96",
            r#"{"server": {"accessIPv4": "198.51.100.9"}}"#,
        )
        .await;
    assert_eq!(put.body["server"]["accessIPv4"], "198.51.100.9");
    assert_eq!(env.server(&id, &token).await["accessIPv6"], "2001:db8::1");
}

#[rstest]
#[tokio::test]
async fn invalid_creates_are_refused_as_nova_refuses_them(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::nova_manual(engine).await;
    let token = env.token("admin").await;
    let base = format!(r#""name": "vm", "flavorRef": "1", "imageRef": "{IMAGE_7}""#);
    let long = "v".repeat(256);
    let rows: Vec<(&str, String, &str)> = vec![
        ("2.96", format!(r#"{{"server": {{{base}, "networks": "none", "key_name": "nope"}}}}"#), "Invalid key_name provided."),
        (
            "2.96",
            format!(r#"{{"server": {{{base}, "networks": "none", "security_groups": [{{"name": "web"}}]}}}}"#),
            "Unable to find security_group with name or id 'web'",
        ),
        ("2.36", format!(r#"{{"server": {{{base}, "networks": [{{"uuid": "net-1"}}]}}}}"#), "Bad networks format: network uuid is not in proper format (net-1)"),
        (
            "2.96",
            format!(r#"{{"server": {{{base}, "networks": [{{"uuid": "net-1"}}]}}}}"#),
            // The `oneOf` (list or "none"/"auto") fails as a whole, as jsonschema reports it.
            "Invalid input for field/attribute networks. Value: [{'uuid': 'net-1'}]. [{'uuid': 'net-1'}] is not valid under any of the given schemas",
        ),
        (
            "2.96",
            format!(r#"{{"server": {{{base}, "networks": [{{"uuid": "00000000-0000-4000-8000-000000000000"}}]}}}}"#),
            "Network 00000000-0000-4000-8000-000000000000 could not be found.",
        ),
        (
            "2.96",
            format!(r#"{{"server": {{{base}, "networks": "none", "accessIPv4": "10.0.0"}}}}"#),
            "Invalid input for field/attribute accessIPv4. Value: 10.0.0. '10.0.0' is not a 'ipv4'",
        ),
        (
            "2.96",
            format!(r#"{{"server": {{{base}, "networks": "none", "accessIPv6": "2001:db8::g"}}}}"#),
            "Invalid input for field/attribute accessIPv6. Value: 2001:db8::g. '2001:db8::g' is not a 'ipv6'",
        ),
        (
            // Below 2.37 `networks` is a plain list, so the item's own error surfaces.
            "2.36",
            format!(r#"{{"server": {{{base}, "networks": [{{"uuid": "{PRIVATE}", "fixed_ip": "10.0.0.300"}}]}}}}"#),
            "Invalid input for field/attribute fixed_ip. Value: 10.0.0.300. '10.0.0.300' is not valid under any of the given schemas",
        ),
        (
            "2.96",
            format!(r#"{{"server": {{{base}, "networks": "none", "metadata": {{"k": "{long}"}}}}}}"#),
            "Invalid input for field/attribute k. Value: LONG. 'LONG' is too long",
        ),
        (
            "2.96",
            format!(r#"{{"server": {{{base}, "networks": "none", "min_count": "0"}}}}"#),
            "Invalid input for field/attribute min_count. Value: 0. 0 is less than the minimum of 1",
        ),
        (
            "2.96",
            format!(r#"{{"server": {{{base}, "networks": "none", "max_count": "x"}}}}"#),
            "Invalid input for field/attribute max_count. Value: x. 'x' does not match '^[0-9]*$'",
        ),
        ("2.96", format!(r#"{{"server": {{{base}, "networks": "none", "min_count": 3, "max_count": 2}}}}"#), "min_count must be <= max_count"),
        (
            "2.96",
            r#"{"server": {"name": "vm", "flavorRef": "1", "imageRef": "00000000-0000-4000-8000-000000000000", "networks": "none"}}"#.to_owned(),
            "Can not find requested image",
        ),
        (
            // Python's lenient base64: 9 data characters (blank and `!` skipped) are 1 too many.
            "2.96",
            format!(r#"{{"server": {{{base}, "networks": "none", "user_data": "not base64!"}}}}"#),
            "Invalid input for field/attribute user_data. Value: not base64!. 'not base64!' is not a 'base64'",
        ),
        (
            "2.96",
            format!(r#"{{"server": {{{base}, "networks": "none", "availability_zone": "elsewhere"}}}}"#),
            "The requested availability zone is not available",
        ),
    ];
    for (mv, body, want) in rows {
        let want = want.replace("LONG", &long);
        assert_eq!(
            env.raw("POST", "/compute/v2.1/servers", &token, mv, &body)
                .await
                .status_message(),
            (400, json!(want)),
            "{mv} {body}"
        );
    }
    // Nova's metadata_items quota (128): 403, not 400.
    let items: Vec<String> = (0..129).map(|i| format!(r#""k{i}": "v""#)).collect();
    let many = format!(
        r#"{{"server": {{{base}, "networks": "none", "metadata": {{{}}}}}}}"#,
        items.join(", ")
    );
    assert_eq!(
        env.raw("POST", "/compute/v2.1/servers", &token, "2.96", &many)
            .await
            .status_message(),
        (403, json!("Maximum number of metadata items exceeds 128"))
    );
    assert_eq!(
        env.get("/compute/v2.1/servers", &token).await.body["servers"],
        json!([]),
        "nothing was created"
    );
    let two = format!(r#"{{"server": {{{base}, "networks": "none", "min_count": 2}}}}"#);
    assert_eq!(
        env.raw("POST", "/compute/v2.1/servers", &token, "2.96", &two)
            .await
            .status,
        202
    );
    let r = env.get("/compute/v2.1/servers", &token).await;
    assert_eq!(each_server(&r.body, |s| text(s, "name")), ["vm-2", "vm-1"]);
}

#[rstest]
#[tokio::test]
async fn security_group_actions_and_inject_network_info_answer_as_nova(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [alice, admin], ids) = Env::nova_manual(engine)
        .await
        .log_in_and_seed(
            ["alice", "admin"],
            json!([{"vm_state": "stopped", "task_state": null, "user": "alice", "locked": true}]),
        )
        .await;
    let id = &ids[0];
    let path = action_path(id);
    let project = env.server(id, &alice).await["tenant_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rows = [
        (
            &alice,
            r#"{"removeSecurityGroup": {"name": "default"}}"#,
            202,
            Value::Null,
        ),
        (
            &alice,
            r#"{"removeSecurityGroup": {"name": "default"}}"#,
            404,
            json!(format!(
                "Security group default not associated with the instance {id}"
            )),
        ),
        (
            &alice,
            r#"{"addSecurityGroup": {"name": "default"}}"#,
            202,
            Value::Null,
        ),
        (
            &alice,
            r#"{"addSecurityGroup": {"name": "web"}}"#,
            404,
            json!(format!(
                "Security group web is not found for project {project}"
            )),
        ),
        (
            &alice,
            r#"{"addSecurityGroup": {"name": " "}}"#,
            400,
            json!("Security group name cannot be empty"),
        ),
        (
            &alice,
            r#"{"addSecurityGroup": {}}"#,
            400,
            json!(
                "Invalid input for field/attribute addSecurityGroup. Value: {}. 'name' is a required property"
            ),
        ),
        (
            &alice,
            r#"{"injectNetworkInfo": null}"#,
            403,
            json!(
                "Policy doesn't allow os_compute_api:os-admin-actions:inject_network_info to be performed."
            ),
        ),
        (&admin, r#"{"injectNetworkInfo": null}"#, 202, Value::Null),
    ];
    for (token, body, status, want) in rows {
        assert_eq!(
            env.raw("POST", &path, token, "2.96", body)
                .await
                .status_message(),
            (status, want),
            "{body}"
        );
    }
    assert_eq!(
        env.server(id, &alice).await["security_groups"],
        json!([{"name": "default"}])
    );
}

#[rstest]
#[tokio::test]
async fn the_image_service_lists_novas_fixture_images_and_is_in_the_catalog(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::nova_manual(engine).await;
    let token = env.token("admin").await;
    let auth = env
        .control("POST", "/identity/v3/auth/tokens", Some(json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin", "password": "x"}}}}})))
        .await;
    let image_urls: Vec<Value> = auth.body["token"]["catalog"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["type"] == "image")
        .flat_map(|s| {
            s["endpoints"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["url"].clone())
        })
        .collect();
    assert_eq!(image_urls, vec![json!(env.url("/image")); 3]);
    let list = env.get("/image/v2/images", &token).await;
    assert_eq!(list.status, 200);
    let ids: Vec<&str> = list.body["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 8);
    assert!(ids.contains(&IMAGE_7) && ids.contains(&fake_server::api::nova::DEFAULT_IMAGE));
    let one = env
        .get(&format!("/image/v2/images/{IMAGE_7}"), &token)
        .await;
    assert_eq!(
        (
            one.status,
            one.body["name"].clone(),
            one.body["status"].clone(),
            one.body["disk_format"].clone()
        ),
        (200, json!("fakeimage7"), json!("active"), json!("vhd"))
    );
    let missing = env
        .http
        .get(env.url("/image/v2/images/nope"))
        .header("X-Auth-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.text().await.unwrap(),
        "404 Not Found\n\nNo image found with ID nope\n\n"
    );
    assert_eq!(
        env.control("GET", "/image/v2/images", None).await.status,
        401
    );
    let page = env.get("/image/v2/images?limit=5", &token).await;
    assert_eq!(page.body["images"].as_array().unwrap().len(), 5);
    assert_eq!(
        page.body["next"],
        json!(format!("/v2/images?limit=5&marker={}", ids[4]))
    );
}

#[rstest]
#[tokio::test]
async fn deleted_servers_leave_deleted_rows_for_changes_since_and_admins(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [admin, alice], ids) = Env::nova_manual(engine)
        .await
        .log_in_and_seed(
            ["admin", "alice"],
            json!([
                {"vm_state": "active", "task_state": null, "user": "alice"},
                {"vm_state": "active", "task_state": null, "user": "alice"},
            ]),
        )
        .await;
    let del = env
        .send(
            "DELETE",
            &format!("/compute/v2.1/servers/{}", ids[0]),
            &alice,
            None,
        )
        .await;
    assert_eq!(del.status, 204);
    env.advance(1000).await;
    assert_eq!(
        env.get(&format!("/compute/v2.1/servers/{}", ids[0]), &alice)
            .await
            .status,
        404
    );
    let rows = |r: Value| each_server(&r, |s| (text(s, "id"), text(s, "status")));
    let live = ("ACTIVE".to_owned(), ids[1].clone());
    let dead = ("DELETED".to_owned(), ids[0].clone());
    let swap = |v: Vec<(String, String)>| -> Vec<(String, String)> {
        v.into_iter().map(|(a, b)| (b, a)).collect()
    };
    assert_eq!(
        swap(rows(
            env.get("/compute/v2.1/servers/detail", &alice).await.body
        )),
        vec![live.clone()]
    );
    assert_eq!(
        swap(rows(
            env.get(
                "/compute/v2.1/servers/detail?changes-since=2000-01-01T00:00:00Z",
                &alice
            )
            .await
            .body
        )),
        [live.clone(), dead.clone()]
    );
    assert_eq!(
        swap(rows(
            env.get(
                "/compute/v2.1/servers/detail?all_tenants=1&deleted=True",
                &admin
            )
            .await
            .body
        )),
        vec![dead.clone()]
    );
    let tombstone = &env
        .get(
            "/compute/v2.1/servers/detail?all_tenants=1&deleted=True",
            &admin,
        )
        .await
        .body["servers"][0];
    assert_eq!(
        (
            tombstone["OS-EXT-STS:vm_state"].clone(),
            tombstone["OS-EXT-STS:task_state"].clone(),
            tombstone["OS-EXT-STS:power_state"].clone()
        ),
        (json!("deleted"), Value::Null, json!(0))
    );
    assert!(tombstone["OS-SRV-USG:terminated_at"].is_string());
    assert_eq!(
        swap(rows(
            env.get(
                "/compute/v2.1/servers/detail?all_tenants=1&status=DELETED",
                &admin
            )
            .await
            .body
        )),
        [dead]
    );
}

#[rstest]
#[tokio::test]
async fn rescue_shelve_offload_update_and_create_bodies_match_nova(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [alice], ids) = Env::nova_manual(engine)
        .await
        .log_in_and_seed(
            ["alice"],
            json!([
                {"vm_state": "active", "task_state": null, "user": "alice"},
                {"vm_state": "shelved", "task_state": null, "user": "alice"},
                {"vm_state": "shelved_offloaded", "task_state": null, "user": "alice"},
                {"vm_state": "active", "task_state": null, "user": "alice"},
            ]),
        )
        .await;
    let rescue = env
        .action(&ids[0], &alice, json!({"rescue": {"adminPass": "s3cret"}}))
        .await;
    assert_eq!(
        (rescue.status, rescue.body.clone()),
        (200, json!({"adminPass": "s3cret"}))
    );
    let offload = env
        .action(&ids[1], &alice, json!({"shelveOffload": null}))
        .await;
    assert_eq!(
        (offload.status, offload.body["forbidden"]["message"].clone()),
        (
            403,
            json!("Policy doesn't allow os_compute_api:os-shelve:shelve_offload to be performed.")
        )
    );
    let offloaded = env.server(&ids[2], &alice).await;
    assert_eq!(
        (
            offloaded["OS-EXT-STS:power_state"].clone(),
            offloaded["OS-EXT-AZ:availability_zone"].clone()
        ),
        (json!(4), json!("nova"))
    );
    env.advance(1000).await;
    let put = env.update(&ids[3], &alice, json!({"name": "r"})).await;
    assert_eq!(
        (put.status, put.body["server"]["progress"].clone()),
        (200, json!(0))
    );
    let body = format!(
        r#"{{"server": {{"name": "n", "flavorRef": "1", "imageRef": "{IMAGE_7}", "networks": "none"}}}}"#
    );
    let created = env
        .raw("POST", "/compute/v2.1/servers", &alice, "2.96", &body)
        .await;
    assert_eq!(
        created.body["server"]["security_groups"],
        json!([{"name": "default"}])
    );
    let id = created.body["server"]["id"].as_str().unwrap().to_owned();
    assert!(
        env.server(&id, &alice)
            .await
            .get("security_groups")
            .is_none(),
        "no port, no groups"
    );
}
