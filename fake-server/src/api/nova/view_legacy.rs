//! The `serde_json::Value` server bodies the typed views replaced, kept only to prove the typed
//! views write the same bytes (test-only; removed once the comparison has run).
//!
//! Implementation notes: the field set follows Nova's `views/servers.py` and its response
//! schemas (`additionalProperties: false`): admin-only `OS-EXT-SRV-ATTR:*` fields are left
//! out for other users, `fault` appears only on ERROR/DELETED, `progress` only on the statuses
//! Nova shows it for, and the microversion gates (2.3, 2.9, 2.16, 2.19, 2.26, 2.47, 2.63,
//! 2.71, 2.73, 2.90, 2.96) add fields in order.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::flavors::{FLAVORS, find};
use super::microversion::Microversion;
use super::view::{ViewCtx, shows_progress};
use crate::domain::{Server, Status, VmState};

pub(crate) fn iso(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn launched_at(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.6f")
        .to_string()
}

pub(crate) fn links(base: &str, id: &str) -> Value {
    json!([
        {"rel": "self", "href": format!("{base}/compute/v2.1/servers/{id}")},
        {"rel": "bookmark", "href": format!("{base}/compute/servers/{id}")},
    ])
}

fn is_scheduled(s: &Server) -> bool {
    !matches!(
        s.vm_state,
        Some(VmState::Building) | Some(VmState::ShelvedOffloaded) | None
    )
}

fn addresses(s: &Server) -> Value {
    if s.vm_state == Some(VmState::Building) {
        return json!({});
    }
    let n = s.seq % 250 + 2;
    json!({"private": [{"version": 4, "addr": format!("10.0.0.{n}"), "OS-EXT-IPS:type": "fixed",
                        "OS-EXT-IPS-MAC:mac_addr": format!("fa:16:3e:00:{:02x}:{:02x}", (s.seq >> 8) & 0xff, s.seq & 0xff)}]})
}

/// The brief form used by `GET /servers`.
pub(crate) fn brief(s: &Server, base: &str) -> Value {
    json!({"id": s.id.as_str(), "name": s.name, "links": links(base, s.id.as_str())})
}

/// The full form used by show and detail.
pub(crate) fn detail(s: &Server, status: &Status, ctx: ViewCtx<'_>) -> Value {
    let ViewCtx {
        mv, is_admin, base, ..
    } = ctx;
    let id = s.id.as_str();
    let scheduled = is_scheduled(s);
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    put("id", json!(id));
    put("name", json!(s.name));
    put("status", json!(status.as_str()));
    put("tenant_id", json!(s.project_id));
    put("user_id", json!(s.user_id));
    put(
        "metadata",
        Value::Object(
            s.metadata
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect(),
        ),
    );
    put(
        "hostId",
        json!(if scheduled {
            super::super::identity::stable_id("host", &s.project_id)[..28].to_owned()
        } else {
            String::new()
        }),
    );
    put(
        "image",
        match &s.image_id {
            Some(img) => {
                json!({"id": img, "links": [{"rel": "bookmark", "href": format!("{base}/compute/images/{img}")}]})
            }
            None => json!(""),
        },
    );
    put("flavor", server_flavor(&s.flavor_id, mv, base));
    put("created", json!(iso(s.created_unix)));
    put("updated", json!(iso(s.updated_unix)));
    put("addresses", addresses(s));
    put("accessIPv4", json!(""));
    put("accessIPv6", json!(""));
    put("links", links(base, id));
    put("OS-DCF:diskConfig", json!("MANUAL"));
    if shows_progress(status) {
        put("progress", json!(s.progress(ctx.now_ms, ctx.step_ms)));
    }
    put(
        "OS-EXT-AZ:availability_zone",
        json!(if scheduled { "nova" } else { "" }),
    );
    put("config_drive", json!(""));
    put("key_name", Value::Null);
    put(
        "OS-SRV-USG:launched_at",
        if scheduled {
            json!(launched_at(s.created_unix))
        } else {
            Value::Null
        },
    );
    put("OS-SRV-USG:terminated_at", Value::Null);
    put("security_groups", json!([{"name": "default"}]));
    put(
        "OS-EXT-STS:task_state",
        json!(s.task_state.as_ref().map(|t| t.as_str())),
    );
    put(
        "OS-EXT-STS:vm_state",
        json!(s.vm_state.as_ref().map(|v| v.as_str())),
    );
    put("OS-EXT-STS:power_state", json!(s.power_state));
    put("os-extended-volumes:volumes_attached", json!([]));
    if matches!(status, Status::Error | Status::Deleted)
        && let Some(f) = &s.fault
    {
        let mut fault =
            json!({"code": f.code, "created": iso(f.created_unix), "message": f.message});
        if is_admin || f.code != 500 {
            fault["details"] = json!(f.details);
        }
        put("fault", fault);
    }
    let host = if scheduled {
        json!("fake-host")
    } else {
        Value::Null
    };
    if is_admin {
        put("OS-EXT-SRV-ATTR:host", host.clone());
        put(
            "OS-EXT-SRV-ATTR:instance_name",
            json!(format!("instance-{:08x}", s.seq + 1)),
        );
        put("OS-EXT-SRV-ATTR:hypervisor_hostname", host);
        if mv.at_least(3) {
            put(
                "OS-EXT-SRV-ATTR:reservation_id",
                json!(format!("r-{}", &id[..8])),
            );
            put("OS-EXT-SRV-ATTR:launch_index", json!(0));
            put("OS-EXT-SRV-ATTR:kernel_id", json!(""));
            put("OS-EXT-SRV-ATTR:ramdisk_id", json!(""));
            put("OS-EXT-SRV-ATTR:hostname", json!(hostname(&s.name)));
            put("OS-EXT-SRV-ATTR:root_device_name", json!("/dev/vda"));
            put("OS-EXT-SRV-ATTR:user_data", Value::Null);
        }
    }
    if mv.at_least(9) {
        put("locked", json!(s.locked));
    }
    if mv.at_least(16) && is_admin {
        put("host_status", json!(if scheduled { "UP" } else { "" }));
    }
    if mv.at_least(19) {
        put("description", json!(s.description));
    }
    if mv.at_least(26) {
        put("tags", json!([]));
    }
    if mv.at_least(63) {
        put("trusted_image_certificates", Value::Null);
    }
    if mv.at_least(71) {
        put("server_groups", json!([]));
    }
    if mv.at_least(73) {
        put("locked_reason", json!(s.locked_reason));
    }
    if mv.at_least(90) {
        put("OS-EXT-SRV-ATTR:hostname", json!(hostname(&s.name)));
    }
    if mv.at_least(96) {
        put("pinned_availability_zone", Value::Null);
    }
    Value::Object(m)
}

/// Nova's hostname sanitisation, simplified: lower-case alphanumerics and hyphens.
fn hostname(name: &str) -> String {
    let h: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let h = h.trim_matches('-');
    if h.is_empty() {
        "server".to_owned()
    } else {
        h.chars().take(63).collect()
    }
}

fn server_flavor(id: &str, mv: Microversion, base: &str) -> Value {
    let f = find(id).copied().unwrap_or(FLAVORS[0]);
    if mv.at_least(47) {
        json!({"vcpus": f.vcpus, "ram": f.ram, "disk": f.disk, "ephemeral": 0, "swap": 0,
               "original_name": f.name, "extra_specs": {}})
    } else {
        json!({"id": id, "links": [{"rel": "bookmark", "href": format!("{base}/compute/flavors/{id}")}]})
    }
}

/// The ECS native body as it was built before [`crate::api::ecs`] went typed.
pub(crate) fn ecs_body(s: &Server, status: &Status, now_ms: u64, step_ms: u64) -> Value {
    let fault = match (&s.fault, status) {
        (Some(f), Status::Error | Status::Deleted) => {
            json!({"code": f.code, "created": iso(f.created_unix), "message": f.message, "details": f.details})
        }
        _ => Value::Null,
    };
    json!({
        "id": s.id.as_str(),
        "name": s.name,
        "status": status.as_str(),
        "tenant_id": s.project_id,
        "user_id": s.user_id,
        "created": iso(s.created_unix),
        "updated": iso(s.updated_unix),
        "hostId": "",
        "image": {"id": s.image_id.clone().unwrap_or_default()},
        "flavor": {"id": s.flavor_id},
        "metadata": {},
        "addresses": {},
        "OS-EXT-STS:vm_state": s.vm_state.as_ref().map(|v| v.as_str()),
        "OS-EXT-STS:task_state": s.task_state.as_ref().map(|t| t.as_str()),
        "OS-EXT-STS:power_state": s.power_state,
        "OS-EXT-AZ:availability_zone": "az1",
        "locked": s.locked,
        "fault": fault,
        "progress": s.progress(now_ms, step_ms),
    })
}
