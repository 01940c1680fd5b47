//! Exact bodies of the typed views, and the render cache's reuse rules.

use super::cache::RenderCache;
use super::microversion::Microversion;
use super::view::{Detail, ViewCtx};
use crate::domain::{Fault, Phase, Server, ServerId, Status, TaskState, VmState, Walk};

fn server() -> Server {
    Server {
        id: ServerId::new("5f0c1d2e-0000-4000-8000-00000000002a"),
        name: "Web 1".to_owned(),
        project_id: "p1".to_owned(),
        user_id: "u1".to_owned(),
        vm_state: Some(VmState::Error),
        task_state: None,
        power_state: Some(0),
        locked: true,
        locked_reason: Some("ops".to_owned()),
        flavor_id: "1".to_owned(),
        image_id: None,
        description: None,
        metadata: vec![("k".to_owned(), "v".to_owned())],
        created_unix: 1_700_000_000,
        updated_unix: 1_700_000_060,
        fault: Some(Fault {
            code: 500,
            message: "boom".to_owned(),
            details: "trace".to_owned(),
            created_unix: 1_700_000_030,
        }),
        walk: None,
        resize_from: None,
        reclaim_at_ms: None,
        seq: 41,
        status_override: None,
        timeline: None,
        access_ipv4: None,
        access_ipv6: None,
        security_groups: vec!["default".to_owned()],
        networked: true,
        old_flavor: None,
        terminated_unix: None,
    }
}

fn ctx(minor: u32, is_admin: bool) -> ViewCtx<'static> {
    ViewCtx {
        mv: Microversion(minor),
        is_admin,
        base: "http://h",
        now_ms: 0,
        step_ms: 500,
        listing: false,
    }
}

fn render(s: &Server, status: &Status, c: ViewCtx<'_>) -> String {
    serde_json::to_string(&Detail::new(s, status, c)).unwrap()
}

#[test]
fn a_member_sees_an_error_server_at_2_1_without_admin_fields_or_fault_details() {
    let body = render(&server(), &Status::Error, ctx(1, false));
    // hostId is the project's stable host id cut to 28 hex digits.
    assert!(
        crate::api::identity::stable_id("host", "p1").starts_with("b9b409aea89ee414c106ab26a802")
    );
    assert_eq!(
        body,
        concat!(
            r#"{"OS-DCF:diskConfig":"MANUAL","OS-EXT-AZ:availability_zone":"nova","#,
            r#""OS-EXT-STS:power_state":0,"OS-EXT-STS:task_state":null,"OS-EXT-STS:vm_state":"error","#,
            r#""OS-SRV-USG:launched_at":"2023-11-14T22:13:20.000000","OS-SRV-USG:terminated_at":null,"#,
            r#""accessIPv4":"","accessIPv6":"","#,
            r#""addresses":{"private":[{"OS-EXT-IPS-MAC:mac_addr":"fa:16:3e:00:00:29","OS-EXT-IPS:type":"fixed","addr":"10.0.0.43","version":4}]},"#,
            r#""config_drive":"","created":"2023-11-14T22:13:20Z","#,
            r#""fault":{"code":500,"created":"2023-11-14T22:13:50Z","message":"boom"},"#,
            r#""flavor":{"id":"1","links":[{"href":"http://h/compute/flavors/1","rel":"bookmark"}]},"#,
            r#""hostId":"b9b409aea89ee414c106ab26a802","id":"5f0c1d2e-0000-4000-8000-00000000002a","#,
            r#""image":"","key_name":null,"#,
            r#""links":[{"href":"http://h/compute/v2.1/servers/5f0c1d2e-0000-4000-8000-00000000002a","rel":"self"},"#,
            r#"{"href":"http://h/compute/servers/5f0c1d2e-0000-4000-8000-00000000002a","rel":"bookmark"}],"#,
            r#""metadata":{"k":"v"},"name":"Web 1","os-extended-volumes:volumes_attached":[],"#,
            r#""security_groups":[{"name":"default"}],"status":"ERROR","tenant_id":"p1","#,
            r#""updated":"2023-11-14T22:14:20Z","user_id":"u1"}"#
        )
    );
}

#[test]
fn microversion_gates_add_fields_in_order() {
    let keys = |minor: u32, admin: bool| -> Vec<String> {
        let v: serde_json::Value =
            serde_json::from_str(&render(&server(), &Status::Error, ctx(minor, admin))).unwrap();
        v.as_object().unwrap().keys().cloned().collect()
    };
    let extra = |minor: u32, admin: bool| -> Vec<String> {
        let base = keys(1, false);
        keys(minor, admin)
            .into_iter()
            .filter(|k| !base.contains(k))
            .collect()
    };
    assert_eq!(extra(8, false), Vec::<String>::new());
    assert_eq!(extra(9, false), ["locked"]);
    assert_eq!(extra(26, false), ["description", "locked", "tags"]);
    assert_eq!(
        extra(96, false),
        [
            "OS-EXT-SRV-ATTR:hostname",
            "description",
            "locked",
            "locked_reason",
            "pinned_availability_zone",
            "server_groups",
            "tags",
            "trusted_image_certificates"
        ]
    );
    // Listings never carry server_groups (Nova shows them on a single server only).
    let listed = serde_json::to_string(&Detail::new(
        &server(),
        &Status::Error,
        ViewCtx {
            listing: true,
            ..ctx(96, false)
        },
    ))
    .unwrap();
    assert!(!listed.contains("server_groups"));
    assert_eq!(extra(2, true).len(), 3, "{:?}", extra(2, true));
    assert_eq!(extra(3, true).len(), 10, "{:?}", extra(3, true));
}

#[test]
fn the_cache_reuses_a_body_only_while_every_input_is_unchanged() {
    let mut cache = RenderCache::new(true);
    let mut s = server();
    let write = |cache: &mut RenderCache, s: &Server, status: &Status, c: ViewCtx<'_>| {
        let mut out = Vec::new();
        cache.write_detail(s, status, c, &mut out);
        String::from_utf8(out).unwrap()
    };
    // Arrange: fill.
    let first = write(&mut cache, &s, &Status::Error, ctx(96, true));
    assert_eq!(first, render(&s, &Status::Error, ctx(96, true)));
    assert_eq!(cache.len(), 1);
    // A different role and microversion are separate entries.
    assert_eq!(
        write(&mut cache, &s, &Status::Error, ctx(96, false)),
        render(&s, &Status::Error, ctx(96, false))
    );
    assert_eq!(cache.len(), 2);
    // Any change to the server is seen at once.
    s.task_state = Some(TaskState::Rebooting);
    s.locked = false;
    let changed = write(&mut cache, &s, &Status::Reboot, ctx(96, true));
    assert_eq!(changed, render(&s, &Status::Reboot, ctx(96, true)));
    assert!(changed.contains(r#""OS-EXT-STS:task_state":"rebooting""#));
    assert!(changed.contains(r#""locked":false"#));
    // A walking server's progress follows the clock: never cached.
    s.vm_state = Some(VmState::Active);
    s.walk = Some(Walk {
        phases: vec![
            Phase {
                vm_state: Some(VmState::Active),
                task_state: None
            };
            4
        ],
        ending: crate::domain::Ending::Unchanged,
        started_ms: 0,
        flavor_after: None,
    });
    let at = |now_ms| ViewCtx {
        now_ms,
        ..ctx(96, true)
    };
    assert!(write(&mut cache, &s, &Status::Active, at(0)).contains(r#""progress":0"#));
    assert!(write(&mut cache, &s, &Status::Active, at(1000)).contains(r#""progress":50"#));
}
