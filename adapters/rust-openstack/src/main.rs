//! Adapter for the `openstack` crate (rust-openstack 0.6): `fetch`, `surface` and `list` through
//! the crate's own calls (`Cloud::get_server`, `Cloud::find_servers().detailed().all()`), with
//! its strict `ServerStatus` enum as the status model. See README.md.

#[path = "../../rust-common/protocol.rs"]
mod protocol;
#[path = "../../rust-common/runtime.rs"]
mod runtime;

use openstack::compute::{Server, ServerStatus};
use osauth::{AuthType, EndpointFilters};
use protocol::{Adapter, Handshake, error_chain, fetch_field};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Every raw status `ServerStatus` knows, with its variant (from the crate's
/// `src/compute/protocol.rs`, checked against the crate by `status_model_matches_the_crate`).
const VALUES: [(&str, ServerStatus); 20] = [
    ("ACTIVE", ServerStatus::Active),
    ("BUILD", ServerStatus::Building),
    ("DELETED", ServerStatus::Deleted),
    ("ERROR", ServerStatus::Error),
    ("HARD_REBOOT", ServerStatus::HardRebooting),
    ("MIGRATING", ServerStatus::Migrating),
    ("PAUSED", ServerStatus::Paused),
    ("REBOOT", ServerStatus::Rebooting),
    ("REBUILD", ServerStatus::Rebuild),
    ("RESIZE", ServerStatus::Resizing),
    ("REVERT_RESIZE", ServerStatus::RevertingResize),
    ("SHUTOFF", ServerStatus::ShutOff),
    ("SUSPENDED", ServerStatus::Suspended),
    ("RESCUE", ServerStatus::Rescuing),
    ("SHELVED", ServerStatus::Shelved),
    ("SHELVED_OFFLOADED", ServerStatus::ShelvedOffloaded),
    ("SOFT_DELETED", ServerStatus::SoftDeleted),
    ("UNKNOWN", ServerStatus::Unknown),
    ("PASSWORD", ServerStatus::UpdatingPassword),
    ("VERIFY_RESIZE", ServerStatus::VerifyingResize),
];

/// The token the harness handed over, sent as `X-Auth-Token` to a fixed compute endpoint (like
/// keystoneauth's `admin_token`): no Keystone round trip, so the fake's journal shows this
/// adapter's requests under the harness's token.
#[derive(Debug)]
struct StaticToken {
    endpoint: reqwest::Url,
    token: String,
}

#[async_trait::async_trait]
impl AuthType for StaticToken {
    async fn authenticate(
        &self,
        _client: &reqwest::Client,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, osauth::Error> {
        Ok(request.header("X-Auth-Token", &self.token))
    }

    async fn get_endpoint(
        &self,
        _client: &reqwest::Client,
        _service_type: &str,
        _filters: &EndpointFilters,
    ) -> Result<reqwest::Url, osauth::Error> {
        Ok(self.endpoint.clone())
    }

    async fn refresh(&self, _client: &reqwest::Client) -> Result<(), osauth::Error> {
        Ok(())
    }
}

struct RustOpenstack {
    runtime: tokio::runtime::Runtime,
    /// One `Cloud` per (endpoint, token): version discovery happens once.
    clouds: HashMap<(String, String), openstack::Cloud>,
}

impl RustOpenstack {
    fn cloud(&mut self, request: &Value) -> Result<openstack::Cloud, String> {
        let compute_url = fetch_field(request, "compute_url")?;
        let token = fetch_field(request, "token")?;
        let key = (compute_url.to_owned(), token.to_owned());
        if let Some(cloud) = self.clouds.get(&key) {
            return Ok(cloud.clone());
        }
        let endpoint = reqwest::Url::parse(compute_url).map_err(|e| format!("compute_url: {e}"))?;
        let auth = StaticToken {
            endpoint,
            token: token.to_owned(),
        };
        let cloud = self
            .runtime
            .block_on(openstack::Cloud::new(auth))
            .map_err(|e| e.to_string())?;
        self.clouds.insert(key, cloud.clone());
        Ok(cloud)
    }

    fn get_server(&mut self, request: &Value) -> Result<Server, String> {
        let cloud = self.cloud(request)?;
        let id = fetch_field(request, "server_id")?;
        self.runtime
            .block_on(cloud.get_server(id))
            .map_err(|e| format!("Cloud::get_server failed: {}", error_chain(&e)))
    }

    fn list(&mut self, request: &Value) -> Result<Value, String> {
        let cloud = self.cloud(request)?;
        let servers = self
            .runtime
            .block_on(cloud.find_servers().detailed().all())
            .map_err(|e| {
                format!(
                    "find_servers().detailed().all() failed: {}",
                    error_chain(&e)
                )
            })?;
        let servers: Vec<Value> = servers
            .iter()
            .map(|s| json!({"id": s.id(), "status": raw(s.status()), "typed": typed(s.status())}))
            .collect();
        Ok(json!({"servers": servers}))
    }
}

/// The raw string the crate holds for a status (its own `Serialize`).
fn raw(status: ServerStatus) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The variant's name, e.g. `ShutOff`.
fn typed(status: ServerStatus) -> String {
    format!("{status:?}")
}

impl Adapter for RustOpenstack {
    fn handshake(&self) -> Handshake {
        let values: serde_json::Map<String, Value> = VALUES
            .iter()
            .map(|(raw, v)| ((*raw).to_owned(), json!(typed(*v))))
            .collect();
        Handshake {
            implementation: json!({
                "name": "openstack (rust-openstack)",
                "version": "0.6.0",
                "language": "rust",
                "homepage": "https://github.com/dtantsur/rust-openstack",
            }),
            capabilities: &["fetch", "surface", "list"],
            status_model: json!({
                "kind": "enum",
                "name": "openstack::compute::ServerStatus",
                "values": values,
                "unknown": "!error",
            }),
        }
    }

    fn run(&mut self, kind: &str, request: &Value) -> Result<Value, String> {
        match kind {
            "fetch" => self
                .get_server(request)
                .map(|s| json!({"status": raw(s.status())})),
            "surface" => self
                .get_server(request)
                .map(|s| json!({"status": raw(s.status()), "typed": typed(s.status())})),
            "list" => self.list(request),
            other => Err(format!(
                "rust-openstack adapter does not answer `{other}` cases"
            )),
        }
    }
}

fn main() {
    protocol::serve(&mut RustOpenstack {
        runtime: runtime::current_thread("rust-openstack adapter"),
        clouds: HashMap::new(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The declared model is the crate's: each raw string deserialises to its variant and a
    /// string outside the list is an error.
    #[test]
    fn status_model_matches_the_crate() {
        for (raw_status, variant) in VALUES {
            let parsed: ServerStatus = serde_json::from_value(json!(raw_status)).unwrap();
            assert_eq!(parsed, variant);
            assert_eq!(raw(parsed), raw_status);
        }
        let err = serde_json::from_value::<ServerStatus>(json!("HIBERNATED")).unwrap_err();
        assert_eq!(err.to_string(), "Unexpected ServerStatus: HIBERNATED");
    }
}
