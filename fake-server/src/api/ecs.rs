//! Huawei ECS native: `GET /v1/{project_id}/cloudservers/{id}` and `/detail`.
//!
//! The AK/SK signature is ignored; the project id in the path selects the servers.

use serde::Serialize;
use serde_json::json;

use super::core::{Api, Inner};
use super::error::method_not_allowed;
use super::http::{ApiRequest, ApiResponse};
use super::journal::ListedIds;
use super::render::{EmptyObject, ExtSts, Iso, typed_json};
use crate::domain::{Server, ServerId, Status, StatusFilter};

fn ecs_error(status: u16, code: &str, message: String) -> ApiResponse {
    ApiResponse::json(
        status,
        &json!({"error": {"code": code, "message": message}}),
    )
}

/// The ECS native server body (fields in byte order of their keys).
#[derive(Serialize)]
pub(crate) struct EcsServer<'a> {
    #[serde(rename = "OS-EXT-AZ:availability_zone")]
    availability_zone: &'static str,
    #[serde(flatten)]
    ext_sts: ExtSts<'a>,
    addresses: EmptyObject,
    created: Iso,
    fault: Option<EcsFault<'a>>,
    flavor: IdOnly<'a>,
    #[serde(rename = "hostId")]
    host_id: &'static str,
    id: &'a str,
    image: IdOnly<'a>,
    locked: bool,
    metadata: EmptyObject,
    name: &'a str,
    progress: u8,
    status: &'a str,
    tenant_id: &'a str,
    updated: Iso,
    user_id: &'a str,
}

#[derive(Serialize)]
struct EcsFault<'a> {
    code: u16,
    created: Iso,
    details: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct IdOnly<'a> {
    id: &'a str,
}

impl<'a> EcsServer<'a> {
    pub(crate) fn new(s: &'a Server, status: &'a Status, now_ms: u64, step_ms: u64) -> Self {
        EcsServer {
            availability_zone: "az1",
            ext_sts: ExtSts::of(s),
            addresses: EmptyObject,
            created: Iso(s.created_unix),
            fault: match (&s.fault, status) {
                (Some(f), Status::Error | Status::Deleted) => Some(EcsFault {
                    code: f.code,
                    created: Iso(f.created_unix),
                    details: &f.details,
                    message: &f.message,
                }),
                _ => None,
            },
            flavor: IdOnly { id: &s.flavor_id },
            host_id: "",
            id: s.id.as_str(),
            image: IdOnly {
                id: s.image_id.as_deref().unwrap_or_default(),
            },
            locked: s.locked,
            metadata: EmptyObject,
            name: &s.name,
            progress: s.progress(now_ms, step_ms),
            status: status.as_str(),
            tenant_id: &s.project_id,
            updated: Iso(s.updated_unix),
            user_id: &s.user_id,
        }
    }
}

#[derive(Serialize)]
struct DetailBody<'a> {
    count: usize,
    servers: Vec<EcsServer<'a>>,
}

#[derive(Serialize)]
struct ShowBody<'a> {
    server: EcsServer<'a>,
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
            let page: Vec<(&Server, Status)> = all
                .into_iter()
                .skip((offset - 1) * limit)
                .take(limit)
                .map(|s| (s, deriver.status_of(s)))
                .collect();
            inner.observed.listed = Some(ListedIds::new(page.iter().map(|(s, _)| s.id.as_str())));
            let body = DetailBody {
                count,
                servers: page
                    .iter()
                    .map(|(s, status)| EcsServer::new(s, status, now, step))
                    .collect(),
            };
            typed_json(200, &body, 64 + 1024 * page.len())
        }
        [id] => {
            let sid = ServerId::new(*id);
            // ECS calls carry no Keystone token: every GET of a server is a poll.
            let visible = inner
                .cloud
                .get(&sid)
                .is_some_and(|s| s.project_id == project);
            let polled = if visible {
                inner.cloud.poll(&sid)
            } else {
                None
            };
            match polled {
                Some(s) => {
                    let status = deriver.status_of(s);
                    inner.observed.served = Some(super::nova::served(s, &status));
                    let body = ShowBody {
                        server: EcsServer::new(s, &status, now, step),
                    };
                    typed_json(200, &body, 1024)
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
