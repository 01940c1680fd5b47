//! Status derivation per profile, deviations, echoes, and the ECS-native view.

use fake_server::{Engine, Profile};
use rstest::rstest;
use serde_json::json;

use crate::support::{Env, each_server, text};

#[rstest]
#[tokio::test]
async fn each_profile_derives_representative_pairs(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let rows: &[(Profile, Option<&str>, Option<&str>, &str)] = &[
        (
            Profile::Nova,
            Some("active"),
            Some("powering-off"),
            "ACTIVE",
        ),
        (
            Profile::Nova,
            Some("active"),
            Some("image_uploading"),
            "ACTIVE",
        ),
        (
            Profile::Nova,
            Some("stopped"),
            Some("resize_prep"),
            "RESIZE",
        ),
        (
            Profile::Nova,
            Some("paused"),
            Some("migrating"),
            "MIGRATING",
        ),
        (Profile::Nova, Some("bogus"), None, "UNKNOWN"),
        (Profile::Nova, None, None, "UNKNOWN"),
        (
            Profile::Nova,
            Some("resized"),
            Some("resize_reverting"),
            "REVERT_RESIZE",
        ),
        (Profile::Ecs, Some("active"), Some("resize_prep"), "UNKNOWN"),
        (Profile::Ecs, Some("paused"), None, "UNKNOWN"),
        (Profile::Ecs, Some("shelved"), Some("shelving"), "SHELVED"),
        (Profile::Ecs, Some("building"), None, "BUILD"),
        (Profile::Ecs, Some("ACTIVE"), None, "UNKNOWN"),
        (
            Profile::EcsOpenstack,
            Some("active"),
            Some("updating_password"),
            "PASSWORD",
        ),
        (
            Profile::EcsOpenstack,
            Some("soft-delete"),
            None,
            "SOFT_DELETED",
        ),
        (
            Profile::EcsOpenstack,
            Some("active"),
            Some("image_uploading"),
            "UNKNOWN",
        ),
        (Profile::EcsOpenstack, Some("stopped"), Some(""), "UNKNOWN"),
    ];
    for profile in Profile::ALL {
        let env = Env::with(engine, |b| b.profile(profile)).await;
        let token = env.token("admin").await;
        for (p, vm, task, want) in rows.iter().filter(|r| r.0 == profile) {
            let id = env.seed_one(*vm, *task).await;
            let s = env.server(&id, &token).await;
            assert_eq!(s["status"], *want, "{p} {vm:?}/{task:?}");
            assert_eq!(s["OS-EXT-STS:vm_state"], json!(vm), "vm_state is echoed");
            assert_eq!(
                s["OS-EXT-STS:task_state"],
                json!(task),
                "task_state is echoed"
            );
        }
    }
}

#[rstest]
#[tokio::test]
async fn deviations_override_single_pairs_and_are_reported(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::with(engine, |b| {
        b.profile(Profile::Ecs)
            .deviation(Some("active"), Some("resize_prep"), "RESIZE")
            .deviation(None, None, "ERROR")
    })
    .await;
    let token = env.token("admin").await;
    let ids = env
        .seed(json!([
            {"vm_state": "active", "task_state": "resize_prep"},
            {"vm_state": null, "task_state": null},
            {"vm_state": "active", "task_state": "resize_migrating"},
        ]))
        .await;
    let statuses: Vec<String> = {
        let mut out = Vec::new();
        for id in &ids {
            out.push(
                env.server(id, &token).await["status"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        out
    };
    assert_eq!(statuses, ["RESIZE", "ERROR", "UNKNOWN"]);
    let info = env.control("GET", "/_fake/", None).await;
    assert_eq!(info.body["fake_server"]["profile"], "ecs");
    assert_eq!(info.body["fake_server"]["engine"], engine.as_str());
    assert_eq!(
        info.body["fake_server"]["deviations"],
        json!([{"vm_state": "active", "task_state": "resize_prep", "status": "RESIZE"},
               {"vm_state": null, "task_state": null, "status": "ERROR"}])
    );
}

#[rstest]
#[tokio::test]
async fn bodies_follow_the_microversion_and_novas_field_rules(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [admin, alice], ids) = Env::seeded(
        engine,
        ["admin", "alice"],
        json!([
            {"vm_state": "error", "task_state": null, "user": "alice"},
            {"vm_state": "stopped", "task_state": null, "user": "alice"},
            {"vm_state": "active", "task_state": null, "power_state": 6, "user": "alice"},
        ]),
    )
    .await;
    let old = env
        .get_at(&format!("/compute/v2.1/servers/{}", ids[0]), &alice, "2.1")
        .await;
    assert_eq!(old.headers["openstack-api-version"], "compute 2.1");
    assert_eq!(old.headers["x-openstack-nova-api-version"], "2.1");
    assert!(old.headers.contains_key("x-openstack-request-id"));
    let s = &old.body["server"];
    assert!(s.get("locked").is_none(), "locked appears only from 2.9");
    assert_eq!(s["flavor"]["id"], "1", "flavor is a reference before 2.47");
    assert_eq!(s["fault"]["code"], 500, "fault shown on ERROR");
    assert!(
        s["fault"].get("details").is_none(),
        "500 details hidden from non-admins"
    );
    assert!(s.get("progress").is_none(), "no progress on ERROR");
    assert!(
        s.get("OS-EXT-SRV-ATTR:host").is_none(),
        "admin-only attribute hidden"
    );
    let new = env
        .get(&format!("/compute/v2.1/servers/{}", ids[0]), &admin)
        .await;
    assert_eq!(new.body["server"]["locked"], false);
    assert_eq!(new.body["server"]["flavor"]["original_name"], "m1.tiny");
    assert!(new.body["server"]["fault"].get("details").is_some());
    assert_eq!(new.body["server"]["OS-EXT-SRV-ATTR:host"], "fake-host");
    let stopped = env.server(&ids[1], &alice).await;
    assert_eq!(
        stopped["OS-EXT-STS:power_state"], 4,
        "power state consistent with stopped"
    );
    assert!(stopped.get("progress").is_none() && stopped.get("fault").is_none());
    let crashed = env.server(&ids[2], &alice).await;
    assert_eq!(
        crashed["OS-EXT-STS:power_state"], 6,
        "a seeded power state is kept"
    );
    assert_eq!(crashed["progress"], 0);
}

#[rstest]
#[tokio::test]
async fn ecs_native_show_and_detail_need_the_project_id(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::with(engine, |b| b.profile(Profile::Ecs)).await;
    let seeded = env
        .try_seed(json!([
            {"vm_state": "stopped", "task_state": "powering-on"},
            {"vm_state": "paused", "task_state": null},
        ]))
        .await;
    let project = seeded.body["servers"][0]["project_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = seeded.body["servers"][0]["id"].as_str().unwrap().to_owned();
    let show = env
        .control("GET", &format!("/v1/{project}/cloudservers/{id}"), None)
        .await;
    assert_eq!(show.status, 200);
    assert_eq!(show.body["server"]["status"], "SHUTOFF");
    assert_eq!(show.body["server"]["OS-EXT-STS:task_state"], "powering-on");
    let other = env
        .control("GET", &format!("/v1/0000/cloudservers/{id}"), None)
        .await;
    assert_eq!(other.status, 404);
    assert_eq!(other.body["error"]["code"], "Ecs.0114");
    let detail = env
        .control("GET", &format!("/v1/{project}/cloudservers/detail"), None)
        .await;
    assert_eq!(detail.body["count"], 2);
    let statuses = each_server(&detail.body, |s| text(s, "status"));
    assert_eq!(
        statuses,
        ["UNKNOWN", "SHUTOFF"],
        "newest first; paused is not in Table 4"
    );
}
