//! The `/_fake/` control plane: seed, set state, reset, clock, faults, journal.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

use super::core::{Api, Inner};
use super::error::{bad_request, method_not_allowed, not_found, nova_error, parse_typed};
use super::faults::{FaultRules, FaultSpec};
use super::http::{ApiRequest, ApiResponse};
use super::journal::Entry;
use super::render::typed_json;
use crate::domain::{NewServer, ServerId, Step, TaskState, Timeline, VmState};

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The control plane's version in `GET /_fake/`: 2 added `POST /_fake/servers` `bulk`.
pub(crate) const CONTROL_PLANE_VERSION: u32 = 2;

/// Bulk seeds are refused above this many servers (a typo should not eat the machine).
pub(crate) const MAX_BULK_COUNT: usize = 10_000_000;

/// `POST /_fake/servers`: either `servers` (one item per server) or `bulk`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedBody {
    #[serde(default)]
    servers: Option<Vec<SeedServer>>,
    #[serde(default)]
    bulk: Option<BulkSeed>,
}

/// `{"bulk": {"count", "states", "name_prefix"?, "user"?, "project_id"?}}`: `count` servers,
/// server `i` in `states[i % states.len()]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkSeed {
    count: usize,
    states: Vec<BulkState>,
    #[serde(default)]
    name_prefix: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkState {
    vm_state: Option<String>,
    task_state: Option<String>,
    #[serde(default, deserialize_with = "present")]
    power_state: Option<Option<i64>>,
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
    /// Reported instead of the derived status (any string, even empty).
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    timeline: Option<Vec<SeedStep>>,
}

/// A timeline step: `{vm_state, task_state, status?, polls?}` or `{"gone": true}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedStep {
    #[serde(default, deserialize_with = "present")]
    vm_state: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    task_state: Option<Option<String>>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    polls: Option<u32>,
    #[serde(default)]
    gone: bool,
}

impl SeedStep {
    /// The domain step, or what is wrong with this one.
    fn into_step(self) -> Result<Step, &'static str> {
        if self.gone {
            let extra = self.vm_state.is_some()
                || self.task_state.is_some()
                || self.status.is_some()
                || self.polls.is_some();
            return if extra {
                Err("a gone step takes no other field")
            } else {
                Ok(Step::Gone)
            };
        }
        let (Some(vm), Some(task)) = (self.vm_state, self.task_state) else {
            return Err("vm_state and task_state are required (null allowed)");
        };
        if self.polls == Some(0) {
            return Err("polls must be at least 1");
        }
        Ok(Step::State {
            vm_state: vm.as_deref().map(VmState::from),
            task_state: task.as_deref().map(TaskState::from),
            status: self.status,
            polls: self.polls.unwrap_or(1),
        })
    }
}

fn timeline(index: usize, steps: Option<Vec<SeedStep>>) -> Result<Option<Timeline>, ApiResponse> {
    let Some(steps) = steps else {
        return Ok(None);
    };
    if steps.is_empty() {
        return Err(bad_request(format!(
            "Invalid timeline of servers[{index}]: give at least one step"
        )));
    }
    let steps = steps
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            s.into_step().map_err(|why| {
                bad_request(format!("Invalid timeline[{i}] of servers[{index}]: {why}"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Timeline::new(steps))
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
    /// `null` clears an override.
    #[serde(default, deserialize_with = "present")]
    status: Option<Option<String>>,
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
        ("GET", ["journal"]) => journal(inner, req),
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
            "control_plane_version": CONTROL_PLANE_VERSION,
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

/// `GET /_fake/journal[?after=SEQ]`.
fn journal(inner: &Inner, req: &ApiRequest) -> ApiResponse {
    let after = match req.query_last("after") {
        None => 0,
        Some(v) => match v.parse::<u64>() {
            Ok(n) => n,
            Err(_) => {
                return bad_request(format!(
                    "Invalid after={v}: give the seq of the last entry already read (a non-negative integer)"
                ));
            }
        },
    };
    let requests: Vec<&Entry> = inner.journal.after(after).collect();
    let size = 64 + 200 * requests.len();
    typed_json(200, &JournalBody { requests }, size)
}

#[derive(Serialize)]
struct JournalBody<'a> {
    requests: Vec<&'a Entry>,
}

fn seed(api: &Api, inner: &mut Inner, body: &[u8]) -> ApiResponse {
    let body: SeedBody = match parse_typed(body) {
        Ok(b) => b,
        Err(e) => return e,
    };
    match (body.servers, body.bulk) {
        (Some(servers), None) => seed_items(api, inner, servers),
        (None, Some(bulk)) => seed_bulk(inner, bulk),
        _ => bad_request(
            "Give either `servers` (one item per server) or `bulk` (a count and states), not both",
        ),
    }
}

/// `{"bulk": …}`: answers `{"bulk": {"count", "project_id", "first_id", "last_id"}}`.
fn seed_bulk(inner: &mut Inner, bulk: BulkSeed) -> ApiResponse {
    if !(1..=MAX_BULK_COUNT).contains(&bulk.count) {
        return bad_request(format!(
            "Invalid bulk: count must be between 1 and {MAX_BULK_COUNT}, got {}",
            bulk.count
        ));
    }
    if bulk.states.is_empty() {
        return bad_request("Invalid bulk: states must hold at least one {vm_state, task_state}");
    }
    let user = bulk.user.unwrap_or_else(|| "admin".to_owned());
    let (user_id, user_project) = inner.keystone.identity_of(&user);
    let project_id = bulk.project_id.unwrap_or(user_project);
    let base = NewServer {
        project_id: project_id.clone(),
        user_id,
        flavor_id: "1".to_owned(),
        image_id: Some(super::nova::DEFAULT_IMAGE.to_owned()),
        ..Default::default()
    };
    // One template per state; server i is a copy of template i % len with its name.
    let templates: Vec<NewServer> = bulk
        .states
        .into_iter()
        .map(|s| NewServer {
            vm_state: s.vm_state.as_deref().map(VmState::from),
            task_state: s.task_state.as_deref().map(TaskState::from),
            power_state: s.power_state,
            ..base.clone()
        })
        .collect();
    let mut ids = Vec::with_capacity(2);
    inner.cloud.reserve(bulk.count);
    for i in 0..bulk.count {
        let id = inner.cloud.insert(NewServer {
            name: bulk.name_prefix.as_ref().map(|p| format!("{p}{i}")),
            ..templates[i % templates.len()].clone()
        });
        if i == 0 || i + 1 == bulk.count {
            ids.push(id);
        }
    }
    let first = ids.first().map(|id| id.as_str().to_owned());
    let last = ids.last().map(|id| id.as_str().to_owned());
    ApiResponse::json(
        201,
        &json!({"bulk": {"count": bulk.count, "project_id": project_id,
                         "first_id": first, "last_id": last}}),
    )
}

/// `{"servers": […]}`: answers `{"servers": [{"id", "name", "project_id"}]}` in order.
fn seed_items(api: &Api, inner: &mut Inner, servers: Vec<SeedServer>) -> ApiResponse {
    let mut out = Vec::with_capacity(servers.len());
    for (index, s) in servers.into_iter().enumerate() {
        let timeline = match timeline(index, s.timeline) {
            Ok(t) => t,
            Err(e) => return e,
        };
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
            status_override: s.status,
            timeline,
            ..Default::default()
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
    if let Some(status) = body.status {
        server.status_override = status;
    }
    // A state set by hand ends any scripted timeline.
    server.timeline = None;
    ApiResponse::json(
        200,
        &json!({"server": {
            "id": server.id.as_str(),
            "vm_state": server.vm_state.as_ref().map(VmState::as_str),
            "task_state": server.task_state.as_ref().map(TaskState::as_str),
            "power_state": server.power_state,
            "status": server.status_override,
        }}),
    )
}
