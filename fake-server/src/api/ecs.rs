//! Huawei ECS native: `GET /v1/{project_id}/cloudservers/{id}` and `/detail`.
//!
//! The AK/SK signature is ignored; the project id in the path selects the servers.

use serde_json::{Value, json};

use super::core::{Api, Inner};
use super::error::method_not_allowed;
use super::http::{ApiRequest, ApiResponse};
use super::nova::iso;
use crate::domain::{Server, ServerId, Status, StatusFilter};

fn ecs_error(status: u16, code: &str, message: String) -> ApiResponse {
    ApiResponse::json(
        status,
        &json!({"error": {"code": code, "message": message}}),
    )
}

fn body(s: &Server, status: &Status, now_ms: u64, step_ms: u64) -> Value {
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

pub(crate) fn handle(api: &Api, inner: &mut Inner, req: &ApiRequest, _base: &str) -> ApiResponse {
    let segs: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let (project, rest) = match segs.as_slice() {
        ["v1", project, "cloudservers", rest @ ..] if !project.is_empty() => (*project, rest),
        _ => {
            return ecs_error(
                404,
                "Ecs.0000",
                format!("The resource could not be found: {}", req.path),
            );
        }
    };
    if req.method != "GET" {
        return method_not_allowed();
    }
    let now = inner.cloud.now_ms();
    let step = inner.cloud.timing().step_ms;
    let deriver = &api.config.deriver;
    match rest {
        ["detail"] => {
            let statuses = req.query_all("status");
            let filter = (!statuses.is_empty())
                .then(|| StatusFilter::from_statuses(statuses.iter().map(String::as_str)));
            let limit = req
                .query_last("limit")
                .and_then(|l| l.parse::<usize>().ok())
                .unwrap_or(1000)
                .clamp(1, 1000);
            let offset = req
                .query_last("offset")
                .and_then(|o| o.parse::<usize>().ok())
                .unwrap_or(1)
                .max(1);
            let all: Vec<&Server> = inner
                .cloud
                .servers()
                .filter(|s| s.project_id == project)
                .filter(|s| {
                    filter
                        .as_ref()
                        .is_none_or(|f| f.matches(s.vm_state.as_ref(), s.task_state.as_ref()))
                })
                .collect();
            let count = all.len();
            let servers: Vec<Value> = all
                .into_iter()
                .skip((offset - 1) * limit)
                .take(limit)
                .map(|s| {
                    body(
                        s,
                        &deriver.derive(s.vm_state.as_ref(), s.task_state.as_ref()),
                        now,
                        step,
                    )
                })
                .collect();
            ApiResponse::json(200, &json!({"count": count, "servers": servers}))
        }
        [id] => {
            let sid = ServerId::new(*id);
            match inner.cloud.get(&sid) {
                Some(s) if s.project_id == project => {
                    let status = deriver.derive(s.vm_state.as_ref(), s.task_state.as_ref());
                    ApiResponse::json(200, &json!({"server": body(s, &status, now, step)}))
                }
                _ => ecs_error(
                    404,
                    "Ecs.0114",
                    format!("Instance[{id}] could not be found."),
                ),
            }
        }
        _ => ecs_error(
            404,
            "Ecs.0000",
            format!("The resource could not be found: {}", req.path),
        ),
    }
}
