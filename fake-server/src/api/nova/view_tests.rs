//! The typed views write exactly the bytes the `serde_json::Value` bodies wrote.

use super::microversion::Microversion;
use super::view::{Brief, Detail, ViewCtx};
use super::view_legacy;
use crate::api::ecs::EcsServer;
use crate::domain::{Fault, Phase, Server, ServerId, Status, TaskState, VmState, Walk};

fn server(n: u64, vm: Option<VmState>) -> Server {
    Server {
        id: ServerId::new(format!("5f0c1d2e-0000-4000-8000-{n:012x}")),
        name: ["web-1", "Bad Name_/x", "--", "ünïcode \"q\""][n as usize % 4].to_owned(),
        project_id: format!("project-{}", n % 3),
        user_id: "u1".to_owned(),
        vm_state: vm,
        task_state: n.is_multiple_of(3).then_some(TaskState::Rebooting),
        power_state: if n.is_multiple_of(5) {
            None
        } else {
            Some(n as i64 % 8)
        },
        locked: n.is_multiple_of(2),
        locked_reason: n.is_multiple_of(4).then(|| "maintenance".to_owned()),
        flavor_id: ["1", "42", "nope"][n as usize % 3].to_owned(),
        image_id: (!n.is_multiple_of(6)).then(|| "7a1c3c7e-6c0b-4d6f-9d0e-2f6f1f3b9a01".to_owned()),
        description: (n % 2 == 1).then(|| "a \u{1F600} server".to_owned()),
        metadata: if n % 3 == 1 {
            vec![
                ("z".to_owned(), "1".to_owned()),
                ("a".to_owned(), "\n".to_owned()),
                ("z".to_owned(), "2".to_owned()),
            ]
        } else {
            Vec::new()
        },
        created_unix: 1_700_000_000 + n as i64,
        updated_unix: 1_700_000_100 + n as i64,
        fault: n.is_multiple_of(2).then(|| Fault {
            code: if n.is_multiple_of(4) { 500 } else { 404 },
            message: "boom".to_owned(),
            details: "trace".to_owned(),
            created_unix: 1_700_000_050,
        }),
        walk: n.is_multiple_of(7).then(|| Walk {
            phases: vec![
                Phase {
                    vm_state: None,
                    task_state: None,
                };
                4
            ],
            ending: crate::domain::Ending::Unchanged,
            started_ms: 0,
        }),
        resize_from: None,
        reclaim_at_ms: None,
        seq: n * 37,
    }
}

fn vm_states() -> Vec<Option<VmState>> {
    let mut v: Vec<Option<VmState>> = VmState::KNOWN.iter().cloned().map(Some).collect();
    v.push(None);
    v.push(Some(VmState::from("bogus")));
    v
}

/// Each gate and the version just below it.
const GATES: &[u32] = &[
    1, 2, 3, 8, 9, 15, 16, 18, 19, 25, 26, 46, 47, 62, 63, 70, 71, 72, 73, 89, 90, 95, 96,
];

#[test]
fn typed_server_views_write_the_same_bytes_as_the_value_bodies() {
    let mut statuses: Vec<Status> = Status::KNOWN.to_vec();
    statuses.push(Status::from("WEIRD"));
    let mut compared = 0;
    for (i, vm) in vm_states().into_iter().enumerate() {
        for n in 0..8u64 {
            let s = server(i as u64 * 8 + n, vm.clone());
            for status in &statuses {
                for minor in GATES {
                    for is_admin in [false, true] {
                        let ctx = ViewCtx {
                            mv: Microversion(*minor),
                            is_admin,
                            base: "http://127.0.0.1:8774",
                            now_ms: 1_000,
                            step_ms: 500,
                        };
                        let old =
                            serde_json::to_vec(&view_legacy::detail(&s, status, ctx)).unwrap();
                        let new = serde_json::to_vec(&Detail::new(&s, status, ctx)).unwrap();
                        assert_eq!(
                            String::from_utf8_lossy(&new),
                            String::from_utf8_lossy(&old),
                            "vm {vm:?} n {n} status {status:?} 2.{minor} admin {is_admin}"
                        );
                        compared += 1;
                    }
                }
            }
            let old = serde_json::to_vec(&view_legacy::brief(&s, "http://h")).unwrap();
            let new = serde_json::to_vec(&Brief::new(&s, "http://h")).unwrap();
            assert_eq!(new, old);
            for status in &statuses {
                let old =
                    serde_json::to_vec(&view_legacy::ecs_body(&s, status, 1_000, 500)).unwrap();
                let new = serde_json::to_vec(&EcsServer::new(&s, status, 1_000, 500)).unwrap();
                assert_eq!(String::from_utf8_lossy(&new), String::from_utf8_lossy(&old));
            }
        }
    }
    assert_eq!(compared, 14 * 8 * 21 * GATES.len() * 2);
}
