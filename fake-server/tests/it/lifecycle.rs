//! Actions: Nova's 409s, task_state walks over the manual clock, create, delete, lock.

use std::time::Duration;

use fake_server::Engine;
use rstest::rstest;
use serde_json::{Value, json};

use crate::support::Env;

async fn manual(engine: Engine) -> Env {
    Env::with(engine, |b| {
        b.manual_clock(true).step(Duration::from_millis(1000))
    })
    .await
}

fn triple(s: &Value) -> (String, Value, Value) {
    (
        s["status"].as_str().unwrap().to_owned(),
        s["OS-EXT-STS:vm_state"].clone(),
        s["OS-EXT-STS:task_state"].clone(),
    )
}

#[rstest]
#[tokio::test]
async fn hard_reboot_walks_to_active_over_the_manual_clock(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, token, id) = Env::one_active(manual(engine)).await;
    let r = env
        .action(&id, &token, json!({"reboot": {"type": "HARD"}}))
        .await;
    assert_eq!(r.status, 202);
    let mut seen = vec![triple(&env.server(&id, &token).await)];
    for _ in 0..3 {
        env.advance(1000).await;
        seen.push(triple(&env.server(&id, &token).await));
    }
    assert_eq!(
        seen,
        [
            (
                "HARD_REBOOT".to_owned(),
                json!("active"),
                json!("rebooting_hard")
            ),
            (
                "HARD_REBOOT".to_owned(),
                json!("active"),
                json!("reboot_pending_hard")
            ),
            (
                "HARD_REBOOT".to_owned(),
                json!("active"),
                json!("reboot_started_hard")
            ),
            ("ACTIVE".to_owned(), json!("active"), Value::Null),
        ]
    );
}

#[rstest]
#[tokio::test]
async fn stop_then_start_shows_novas_intermediate_statuses(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, token, id) = Env::one_active(manual(engine)).await;
    assert_eq!(
        env.action(&id, &token, json!({"os-stop": null}))
            .await
            .status,
        202
    );
    assert_eq!(
        triple(&env.server(&id, &token).await),
        ("ACTIVE".to_owned(), json!("active"), json!("powering-off"))
    );
    env.advance(1000).await;
    let s = env.server(&id, &token).await;
    assert_eq!(
        triple(&s),
        ("SHUTOFF".to_owned(), json!("stopped"), Value::Null)
    );
    assert_eq!(s["OS-EXT-STS:power_state"], 4);
    assert_eq!(
        env.action(&id, &token, json!({"os-start": null}))
            .await
            .status,
        202
    );
    assert_eq!(triple(&env.server(&id, &token).await).0, "SHUTOFF");
    env.advance(1000).await;
    assert_eq!(env.server(&id, &token).await["OS-EXT-STS:power_state"], 1);
}

#[rstest]
#[tokio::test]
async fn actions_in_the_wrong_state_give_novas_409(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = manual(engine).await;
    let token = env.token("admin").await;
    let rows: &[(Option<&str>, Option<&str>, Value, &str)] = &[
        (
            Some("paused"),
            None,
            json!({"pause": null}),
            "Cannot 'pause' instance {id} while it is in vm_state paused",
        ),
        (
            Some("stopped"),
            None,
            json!({"reboot": {"type": "SOFT"}}),
            "Cannot 'reboot' instance {id} while it is in vm_state stopped",
        ),
        (
            Some("active"),
            Some("reboot_pending_hard"),
            json!({"reboot": {"type": "HARD"}}),
            "Cannot 'reboot' instance {id} while it is in task_state reboot_pending_hard",
        ),
        (
            Some("active"),
            None,
            json!({"unshelve": null}),
            "Cannot 'unshelve' instance {id} while it is in vm_state active",
        ),
        (
            Some("active"),
            None,
            json!({"restore": null}),
            "Cannot 'restore' instance {id} while it is in vm_state active",
        ),
        (
            None,
            None,
            json!({"os-start": null}),
            "Cannot 'start' instance {id} while it is in vm_state None",
        ),
        (
            Some("active"),
            Some("powering-off"),
            json!({"suspend": null}),
            "Cannot 'suspend' instance {id} while it is in task_state powering-off",
        ),
    ];
    for (vm, task, body, msg) in rows {
        let id = env.seed_one(*vm, *task).await;
        let r = env.action(&id, &token, body.clone()).await;
        assert_eq!(r.status, 409, "{body}");
        assert_eq!(
            r.body["conflictingRequest"]["message"],
            msg.replace("{id}", &id),
            "{body}"
        );
    }
}

#[rstest]
#[tokio::test]
async fn locked_servers_refuse_their_owner_but_not_admin(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [admin, alice], ids) = manual(engine)
        .await
        .log_in_and_seed(
            ["admin", "alice"],
            json!([{"vm_state": "active", "task_state": null, "user": "alice"}]),
        )
        .await;
    let id = &ids[0];
    assert_eq!(
        env.action(id, &alice, json!({"lock": null})).await.status,
        202
    );
    assert_eq!(env.server(id, &alice).await["locked"], true);
    let r = env.action(id, &alice, json!({"pause": null})).await;
    assert_eq!(
        (r.status, r.body["conflictingRequest"]["message"].clone()),
        (409, json!(format!("Instance {id} is locked")))
    );
    assert_eq!(
        env.action(id, &admin, json!({"pause": null})).await.status,
        202
    );
    assert_eq!(
        env.action(id, &alice, json!({"unlock": null})).await.status,
        202
    );
    assert_eq!(env.server(id, &alice).await["locked"], false);
    // Only admins may reset state.
    assert_eq!(
        env.action(id, &alice, json!({"os-resetState": {"state": "error"}}))
            .await
            .status,
        403
    );
    assert_eq!(
        env.action(id, &admin, json!({"os-resetState": {"state": "error"}}))
            .await
            .status,
        202
    );
    assert_eq!(
        triple(&env.server(id, &admin).await),
        ("ERROR".to_owned(), json!("error"), Value::Null)
    );
}

#[rstest]
#[tokio::test]
async fn create_walks_building_to_active_and_delete_removes(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = manual(engine).await;
    let token = env.token("alice").await;
    let body = json!({"server": {"name": "vm1", "imageRef": "70a599e0-31e7-49b7-b260-868f441e862b", "flavorRef": "1", "networks": "none"}});
    let r = env
        .send("POST", "/compute/v2.1/servers", &token, Some(body))
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let id = r.body["server"]["id"].as_str().unwrap().to_owned();
    let mut tasks = Vec::new();
    for _ in 0..5 {
        let s = env.server(&id, &token).await;
        tasks.push((s["status"].clone(), s["OS-EXT-STS:task_state"].clone()));
        env.advance(1000).await;
    }
    assert_eq!(
        tasks,
        [
            (json!("BUILD"), json!("scheduling")),
            (json!("BUILD"), json!("networking")),
            (json!("BUILD"), json!("block_device_mapping")),
            (json!("BUILD"), json!("spawning")),
            (json!("ACTIVE"), Value::Null),
        ]
    );
    let d = env
        .send(
            "DELETE",
            &format!("/compute/v2.1/servers/{id}"),
            &token,
            None,
        )
        .await;
    assert_eq!(d.status, 204);
    assert_eq!(
        env.server(&id, &token).await["OS-EXT-STS:task_state"],
        "deleting"
    );
    env.advance(1000).await;
    assert_eq!(
        env.get(&format!("/compute/v2.1/servers/{id}"), &token)
            .await
            .status,
        404
    );
}

#[rstest]
#[tokio::test]
async fn reclaim_interval_soft_deletes_and_restore_brings_back(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::with(engine, |b| {
        b.manual_clock(true)
            .step(Duration::from_millis(1000))
            .reclaim_interval(Duration::from_secs(60))
    })
    .await;
    let token = env.token("admin").await;
    let id = env.seed_one(Some("active"), None).await;
    let path = format!("/compute/v2.1/servers/{id}");
    assert_eq!(
        env.call("DELETE", &path, Some(&token), None, None)
            .await
            .status,
        204
    );
    assert_eq!(
        env.server(&id, &token).await["OS-EXT-STS:task_state"],
        "soft-deleting"
    );
    env.advance(1000).await;
    assert_eq!(
        triple(&env.server(&id, &token).await),
        ("SOFT_DELETED".to_owned(), json!("soft-delete"), Value::Null)
    );
    assert_eq!(
        env.action(&id, &token, json!({"restore": null}))
            .await
            .status,
        202
    );
    env.advance(1000).await;
    assert_eq!(env.server(&id, &token).await["status"], "ACTIVE");
    // Delete again and let the reclaim interval pass.
    env.call("DELETE", &path, Some(&token), None, None).await;
    env.advance(1000 + 60_000).await;
    assert_eq!(env.get(&path, &token).await.status, 404);
}

#[rstest]
#[tokio::test]
async fn resize_confirm_and_create_image(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    // Under ecs-openstack active+resize_prep is UNKNOWN (Table 4 has no such row); use Nova.
    let env = Env::with(engine, |b| {
        b.profile(fake_server::Profile::Nova)
            .manual_clock(true)
            .step(Duration::from_millis(1000))
    })
    .await;
    let token = env.token("admin").await;
    let id = env.seed_one(Some("active"), None).await;
    assert_eq!(
        env.action(&id, &token, json!({"resize": {"flavorRef": "2"}}))
            .await
            .status,
        202
    );
    assert_eq!(env.server(&id, &token).await["status"], "RESIZE");
    env.advance(4000).await;
    assert_eq!(env.server(&id, &token).await["status"], "VERIFY_RESIZE");
    assert_eq!(
        env.action(&id, &token, json!({"confirmResize": null}))
            .await
            .status,
        204
    );
    assert_eq!(env.server(&id, &token).await["status"], "ACTIVE");
    let img = env
        .action(&id, &token, json!({"createImage": {"name": "snap"}}))
        .await;
    assert_eq!(img.status, 202);
    assert_eq!(img.body["image_id"].as_str().unwrap().len(), 36);
    assert_eq!(
        env.server(&id, &token).await["OS-EXT-STS:task_state"],
        "image_snapshot_pending"
    );
}
