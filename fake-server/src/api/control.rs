//! The `/_fake/` control plane: seed, set state, reset, clock, faults, journal.

use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use super::core::{Api, Inner};
use super::error::{bad_request, method_not_allowed, not_found, nova_error, parse_typed};
use super::faults::{FaultRules, FaultSpec};
use super::http::{ApiRequest, ApiResponse};
use crate::domain::{NewServer, ServerId, TaskState, VmState};

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedBody {
    servers: Vec<SeedServer>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedServer {
    vm_state: Option<String>,
    task_state: Option<String>,
    #[serde(default, deserialize_with = "present")]
    power_state: Option<Option<i64>>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    locked: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetState {
    #[serde(default, deserialize_with = "present")]
    vm_state: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    task_state: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    power_state: Option<Option<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    advance_ms: u64,
}

pub(crate) fn handle(api: &Api, inner: &mut Inner, req: &ApiRequest, base: &str) -> ApiResponse {
    let rest: Vec<&str> = req
        .path
        .trim_start_matches("/_fake")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match (req.method.as_str(), rest.as_slice()) {
        ("GET", []) => info(api, inner, base),
        ("POST", ["servers"]) => seed(api, inner, &req.body),
        ("PUT", ["servers", id]) => set_state(inner, id, &req.body),
        ("POST", ["reset"]) => {
            inner.cloud.reset();
            inner.render_cache.clear();
            inner.faults.clear();
            inner.journal.clear();
            ApiResponse::empty(204)
        }
        ("POST", ["clock"]) => match parse_typed::<Advance>(&req.body) {
            Err(e) => e,
            Ok(a) => match inner.cloud.advance_clock(a.advance_ms) {
                Ok(now) => ApiResponse::json(200, &json!({"now_ms": now})),
                Err(e) => nova_error(409, e.to_string()),
            },
        },
        ("POST", ["faults"]) => match parse_typed::<FaultSpec>(&req.body) {
            Err(e) => e,
            Ok(spec) => match FaultRules::validate(&spec) {
                Err(msg) => bad_request(format!("Invalid fault rule: {msg}")),
                Ok(()) => ApiResponse::json(201, &json!({"id": inner.faults.add(spec)})),
            },
        },
        ("GET", ["faults"]) => ApiResponse::json(200, &json!({"faults": inner.faults.list()})),
        ("DELETE", ["faults"]) => {
            inner.faults.clear();
            ApiResponse::empty(204)
        }
        ("DELETE", ["faults", id]) => {
            if inner.faults.remove(id) {
                ApiResponse::empty(204)
            } else {
                not_found(format!("Fault rule {id} could not be found."))
            }
        }
        ("GET", ["journal"]) => ApiResponse::json(
            200,
            &json!({"requests": inner.journal.entries().collect::<Vec<_>>()}),
        ),
        ("DELETE", ["journal"]) => {
            inner.journal.clear();
            ApiResponse::empty(204)
        }
        (
            _,
            []
            | ["servers"]
            | ["servers", _]
            | ["reset"]
            | ["clock"]
            | ["faults"]
            | ["faults", _]
            | ["journal"],
        ) => method_not_allowed(),
        _ => not_found(format!("No control-plane resource at {}", req.path)),
    }
}

fn info(api: &Api, inner: &Inner, base: &str) -> ApiResponse {
    let deviations: Vec<Value> = api
        .config
        .deriver
        .deviations()
        .iter()
        .map(|d| json!({"vm_state": d.vm_state, "task_state": d.task_state, "status": d.status}))
        .collect();
    ApiResponse::json(
        200,
        &json!({"fake_server": {
            "version": env!("CARGO_PKG_VERSION"),
            "profile": api.config.deriver.profile().as_str(),
            "engine": api.config.engine,
            "identity_url": format!("{base}/identity/v3"),
            "compute_url": format!("{base}/compute/v2.1"),
            "ecs_url": format!("{base}/v1"),
            "deviations": deviations,
            "clock": if inner.cloud.clock().is_manual() { "manual" } else { "real" },
        }}),
    )
}

fn seed(api: &Api, inner: &mut Inner, body: &[u8]) -> ApiResponse {
    let body: SeedBody = match parse_typed(body) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let mut out = Vec::with_capacity(body.servers.len());
    for s in body.servers {
        let user = s.user.unwrap_or_else(|| "admin".to_owned());
        let (user_id, user_project) = inner.keystone.identity_of(&user);
        let project_id = s.project_id.unwrap_or(user_project);
        let id = inner.cloud.insert(NewServer {
            name: s.name,
            project_id: project_id.clone(),
            user_id,
            vm_state: s.vm_state.as_deref().map(VmState::from),
            task_state: s.task_state.as_deref().map(TaskState::from),
            power_state: s.power_state,
            locked: s.locked.unwrap_or(false),
            flavor_id: "1".to_owned(),
            image_id: Some(super::nova::DEFAULT_IMAGE.to_owned()),
            metadata: Vec::new(),
            description: None,
        });
        let name = inner
            .cloud
            .get(&id)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        out.push(json!({"id": id.as_str(), "name": name, "project_id": project_id}));
    }
    let _ = api;
    ApiResponse::json(201, &json!({"servers": out}))
}

fn set_state(inner: &mut Inner, id: &str, body: &[u8]) -> ApiResponse {
    let body: SetState = match parse_typed(body) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let id = ServerId::new(id);
    inner.cloud.tick();
    inner.cloud.halt(&id);
    let Some(server) = inner.cloud.get_mut(&id) else {
        return not_found(format!("Instance {id} could not be found."));
    };
    if let Some(vm) = body.vm_state {
        server.vm_state = vm.as_deref().map(VmState::from);
    }
    if let Some(task) = body.task_state {
        server.task_state = task.as_deref().map(TaskState::from);
    }
    if let Some(power) = body.power_state {
        server.power_state = power;
    }
    ApiResponse::json(
        200,
        &json!({"server": {
            "id": server.id.as_str(),
            "vm_state": server.vm_state.as_ref().map(VmState::as_str),
            "task_state": server.task_state.as_ref().map(TaskState::as_str),
            "power_state": server.power_state,
        }}),
    )
}
