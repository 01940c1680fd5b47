//! Adapter for gtema's `openstack_sdk` / `openstack_types` 0.22: `fetch`, `surface`, `list` and
//! `wait` through the SDK's own endpoints (`compute::v2::server::get_20`, `list_detailed_21`),
//! its typed responses (`openstack_types`' `Status` enum, no catch-all) and its generic waiter
//! (`api::wait_for_status_typed`, `api::wait_deleted`). See README.md.

#[path = "../../rust-common/protocol.rs"]
mod protocol;
#[path = "../../rust-common/runtime.rs"]
mod runtime;

use openstack_sdk::AsyncOpenStack;
use openstack_sdk::api::compute::v2::server::{get_20, list_detailed_21};
use openstack_sdk::api::{
    ApiError, Backoff, Pagination, QueryAsync, WaitOutcome, paged, wait_deleted,
    wait_for_status_typed,
};
use openstack_sdk::auth::Auth;
use openstack_sdk::auth::authtoken::AuthToken;
use openstack_sdk::config::CloudConfig;
use openstack_types::compute::v2::server::response::get_20::{ServerResponse, Status};
use openstack_types::compute::v2::server::response::list_detailed_21::ServerResponse as Listed;
use protocol::{Adapter, Handshake, error_chain, fetch_field};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

/// Every raw status the typed `Status` knows (`openstack_types` 0.22.8,
/// `compute/v2/server/response/get_20.rs`; checked by `status_model_matches_the_crate`).
const RAW: [&str; 20] = [
    "ACTIVE",
    "BUILD",
    "DELETED",
    "ERROR",
    "HARD_REBOOT",
    "MIGRATING",
    "PASSWORD",
    "PAUSED",
    "REBOOT",
    "REBUILD",
    "RESCUE",
    "RESIZE",
    "REVERT_RESIZE",
    "SHELVED",
    "SHELVED_OFFLOADED",
    "SHUTOFF",
    "SOFT_DELETED",
    "SUSPENDED",
    "UNKNOWN",
    "VERIFY_RESIZE",
];

/// The failure statuses handed to the waiter: the SDK's `wait_for_status` has no default set,
/// so a caller names them; ERROR is the one every OpenStack waiter treats as failure.
const WAIT_FAILURES: &[&str] = &["ERROR"];

struct GtemaSdk {
    runtime: tokio::runtime::Runtime,
    /// One session per (endpoint, token).
    sessions: HashMap<(String, String), AsyncOpenStack>,
}

/// `GET servers/{id}` (`get_20`, the SDK's only public server GET) pinned to microversion 2.1
/// with the builder's own `header`. Unpinned, with `compute_endpoint_override` the SDK has no
/// discovered version range and sends the endpoint's floor, `compute 2.0`, which Nova's /v2.1
/// refuses with 406 (see README.md); 2.1 is the version `get_20`'s typed response describes.
fn get_request(id: &str) -> Result<get_20::Request<'_>, String> {
    get_20::Request::builder()
        .id(id)
        .header(
            http::HeaderName::from_static("openstack-api-version"),
            http::HeaderValue::from_static("compute 2.1"),
        )
        .build()
        .map_err(|e| e.to_string())
}

/// The variant's name, e.g. `Shutoff`.
fn typed(status: &Status) -> String {
    format!("{status:?}")
}

/// The raw string the SDK holds for a typed status (its own `Serialize`).
fn raw(status: &Status) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl GtemaSdk {
    /// A session that sends the harness's token to `compute_url` (no Keystone round trip, so
    /// the fake's journal shows the harness's token): `Auth::AuthToken` plus
    /// `compute_endpoint_override`, as a clouds.yaml with `auth_type: admin_token` would.
    fn session(&mut self, request: &Value) -> Result<AsyncOpenStack, String> {
        let compute_url = fetch_field(request, "compute_url")?;
        let token = fetch_field(request, "token")?;
        let key = (compute_url.to_owned(), token.to_owned());
        if let Some(session) = self.sessions.get(&key) {
            return Ok(session.clone());
        }
        // The session registers Keystone from `auth.auth_url` even though it never calls it.
        let config: CloudConfig = serde_json::from_value(json!({
            "auth_type": "v3token",
            "auth": {"auth_url": fetch_field(request, "auth_url")?, "token": token},
            "auth_cache": false,
            "compute_endpoint_override": compute_url,
        }))
        .map_err(|e| format!("CloudConfig: {e}"))?;
        let auth = Auth::AuthToken(Box::new(AuthToken::from(token)));
        let session = AsyncOpenStack::new_impl(&config, auth).map_err(|e| error_chain(&e))?;
        self.sessions.insert(key, session.clone());
        Ok(session)
    }

    fn get_server(&mut self, request: &Value) -> Result<ServerResponse, String> {
        let session = self.session(request)?;
        let id = fetch_field(request, "server_id")?;
        let endpoint = get_request(id)?;
        self.runtime
            .block_on(endpoint.query_async(&session))
            .map_err(|e| format!("compute::v2::server::get_20 failed: {}", error_chain(&e)))
    }

    fn list(&mut self, request: &Value) -> Result<Value, String> {
        let session = self.session(request)?;
        let endpoint = list_detailed_21::Request::builder()
            .build()
            .map_err(|e| e.to_string())?;
        let servers: Vec<Listed> = self
            .runtime
            .block_on(paged(endpoint, Pagination::All).query_async(&session))
            .map_err(|e| {
                format!(
                    "compute::v2::server::list_detailed_21 failed: {}",
                    error_chain(&e)
                )
            })?;
        let servers: Vec<Value> = servers
            .iter()
            .map(|s| {
                let status = serde_json::to_value(&s.status).unwrap_or(Value::Null);
                json!({"id": s.id, "status": status, "typed": format!("{:?}", s.status)})
            })
            .collect();
        Ok(json!({"servers": servers}))
    }

    fn wait(&mut self, request: &Value) -> Result<Value, String> {
        let session = self.session(request)?;
        let id = fetch_field(request, "server_id")?;
        let spec = request.get("wait").ok_or("the run request has no `wait`")?;
        let timeout = spec.get("timeout_s").and_then(Value::as_f64).unwrap_or(3.0);
        let interval = spec
            .get("interval_s")
            .and_then(Value::as_f64)
            .unwrap_or(0.05);
        let backoff = Backoff::fixed(Duration::from_secs_f64(interval));
        let endpoint = get_request(id)?;
        let result = match spec.get("until").and_then(Value::as_str) {
            Some("deleted") => {
                let waiter = wait_deleted(endpoint).timeout(Duration::from_secs_f64(timeout));
                self.runtime
                    .block_on(waiter.backoff(backoff).query_async(&session))
            }
            Some("status") => {
                let target = spec
                    .get("target")
                    .and_then(Value::as_str)
                    .ok_or("wait.target")?;
                // The SDK takes 'static slices: leak one tiny string per wait case.
                let target: &'static [&'static str] =
                    Box::leak(vec![&*Box::leak(target.to_owned().into_boxed_str())].into());
                let waiter = wait_for_status_typed(endpoint, target, WAIT_FAILURES)
                    .timeout(Duration::from_secs_f64(timeout));
                self.runtime
                    .block_on(waiter.backoff(backoff).query_async(&session))
            }
            other => return Err(format!("wait.until {other:?} is not `status` or `deleted`")),
        };
        Ok(json!({"wait": wait_answer(result)?}))
    }
}

/// Maps the waiter's result onto the protocol's outcomes; any other error is `errored`.
fn wait_answer(
    result: Result<WaitOutcome<Value>, ApiError<openstack_sdk::RestError>>,
) -> Result<Value, String> {
    match result {
        Ok(WaitOutcome::Present(body)) => {
            let status = body
                .pointer("/server/status")
                .or_else(|| body.pointer("/status"));
            Ok(json!({"outcome": "reached", "status": status}))
        }
        Ok(WaitOutcome::Gone) => Ok(json!({"outcome": "gone", "status": null})),
        Err(ApiError::WaitFailed { reason }) => {
            let status = if reason == "resource disappeared" {
                Value::Null
            } else {
                json!(reason)
            };
            let outcome = if status.is_null() { "gone" } else { "failed" };
            Ok(json!({"outcome": outcome, "status": status, "message": reason}))
        }
        Err(ApiError::WaitTimeout { elapsed }) => Ok(json!({
            "outcome": "timeout", "status": null,
            "message": format!("WaitTimeout after {:.2} s", elapsed.as_secs_f64()),
        })),
        Err(e) => Err(format!("waiter failed: {}", error_chain(&e))),
    }
}

impl Adapter for GtemaSdk {
    fn handshake(&self) -> Handshake {
        let values: serde_json::Map<String, Value> = RAW
            .iter()
            .filter_map(|r| {
                r.parse::<Status>()
                    .ok()
                    .map(|s| ((*r).to_owned(), json!(typed(&s))))
            })
            .collect();
        Handshake {
            implementation: json!({
                "name": "openstack_sdk (gtema)",
                "version": "0.22.8",
                "language": "rust",
                "homepage": "https://github.com/gtema/openstack",
            }),
            capabilities: &["fetch", "surface", "list", "wait"],
            status_model: json!({
                "kind": "enum",
                "name": "openstack_types::compute::v2::server::response::get_20::Status",
                "values": values,
                "unknown": "!error",
            }),
        }
    }

    fn run(&mut self, kind: &str, request: &Value) -> Result<Value, String> {
        match kind {
            "fetch" => self.get_server(request).map(|s| {
                json!({"status": raw(&s.status), "vm_state": s.os_ext_sts_vm_state,
                       "task_state": s.os_ext_sts_task_state})
            }),
            "surface" => self
                .get_server(request)
                .map(|s| json!({"status": raw(&s.status), "typed": typed(&s.status)})),
            "list" => self.list(request),
            "wait" => self.wait(request),
            other => Err(format!(
                "openstack_sdk adapter does not answer `{other}` cases"
            )),
        }
    }
}

fn main() {
    protocol::serve(&mut GtemaSdk {
        runtime: runtime::current_thread("openstack_sdk adapter"),
        sessions: HashMap::new(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The declared model is the crate's: each raw string deserialises, serialises back
    /// unchanged, and a string outside the list is an error.
    #[test]
    fn status_model_matches_the_crate() {
        for r in RAW {
            let parsed: Status = serde_json::from_value(json!(r)).unwrap();
            assert_eq!(raw(&parsed), r);
        }
        assert!(serde_json::from_value::<Status>(json!("HIBERNATED")).is_err());
    }
}
