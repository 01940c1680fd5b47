//! A target that offers the fake server's control plane.
//!
//! It injects servers with any `(vm_state, task_state)` through `POST /_fake/servers`, then reads
//! them back the two ways a client would: `GET /servers/{id}` and the paginated
//! `GET /servers/detail`. Everything but the `/_fake/` calls goes through the one OpenStack
//! client of the harness ([`crate::client`]): Keystone auth, the microversion headers,
//! pagination with its same-page guard, retries (reads only on transport errors, so the
//! non-idempotent `POST /_fake/servers` is never re-sent blindly) and the error messages.

use crate::client::{
    AuthConfig, AuthenticateError, CloudConfig, CloudSession, ComputeClient, ComputeError,
    ComputeOptions, DomainRef, Interface, Microversion, RetryPolicy, Scope, Server, SessionOptions,
    TlsOptions, UserRef,
};
use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Settings for talking to a control-plane target.
#[derive(Debug, Clone)]
pub struct ControlPlaneOptions {
    /// Per-request timeout.
    pub timeout: Duration,
    /// How many times a read that failed in transport, or any request answered 429 or 503, is
    /// retried before it counts as an error.
    pub retries: u32,
    /// `limit` for `/servers/detail` pages.
    pub page_size: usize,
    /// How many servers one `POST /_fake/servers` seeds.
    pub seed_batch: usize,
    /// The compute microversion sent with every request: the newest the fake serves, so that
    /// every field a cloud may show is shown.
    pub microversion: Microversion,
}

impl Default for ControlPlaneOptions {
    fn default() -> Self {
        ControlPlaneOptions {
            timeout: Duration::from_secs(10),
            retries: 2,
            page_size: 500,
            seed_batch: 500,
            microversion: Microversion::new(2, 96),
        }
    }
}

/// What `GET /_fake/` says about the fake.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FakeInfo {
    /// The fake's version.
    #[serde(default)]
    pub version: String,
    /// The profile the fake derives status with.
    pub profile: String,
    /// The HTTP engine serving it.
    #[serde(default)]
    pub engine: String,
    /// Keystone v3 base URL.
    pub identity_url: String,
    /// Nova v2.1 base URL.
    pub compute_url: String,
    /// Huawei ECS native base URL.
    #[serde(default)]
    pub ecs_url: String,
    /// The control plane's version (absent, so 1, before `bulk` seeding came in 2).
    #[serde(default = "control_plane_v1")]
    pub control_plane_version: u32,
}

fn control_plane_v1() -> u32 {
    1
}

/// What a bulk seed created (`POST /_fake/servers` `{"bulk": …}`, control plane version 2).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BulkSeeded {
    /// Servers created.
    pub count: usize,
    /// Their project.
    pub project_id: String,
    /// The first server created (the oldest: last in a listing).
    pub first_id: String,
    /// The last server created (the newest: first in a listing).
    pub last_id: String,
}

#[derive(Debug, Deserialize)]
struct BulkEnvelope {
    bulk: BulkSeeded,
}

#[derive(Debug, Deserialize)]
struct FakeInfoEnvelope {
    fake_server: FakeInfo,
}

/// A server the control plane created for a case.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SeededServer {
    /// Server id.
    pub id: String,
    /// Server name.
    #[serde(default)]
    pub name: String,
    /// Owning project.
    #[serde(default)]
    pub project_id: String,
}

#[derive(Debug, Deserialize)]
struct SeededEnvelope {
    servers: Vec<SeededServer>,
}

/// Failed to reach or use a control-plane target.
#[derive(Debug, thiserror::Error)]
pub enum ControlPlaneError {
    /// `GET /_fake/` could not connect, or timed out.
    #[error("failed to reach {url}: {message}")]
    Unreachable {
        /// The request URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The fake's Keystone refused the harness's `admin` user, or could not be reached.
    #[error(transparent)]
    Auth(#[from] AuthenticateError),
    /// A compute or `/_fake/` request failed (after the client's retries).
    #[error(transparent)]
    Compute(#[from] ComputeError),
    /// The body was not what the API promises.
    #[error("{url} returned a malformed body: {message}")]
    Malformed {
        /// Request URL.
        url: String,
        /// What was wrong.
        message: String,
    },
    /// The fake's control plane is too old for the request.
    #[error("{url}: {message}")]
    Unsupported {
        /// Request URL.
        url: String,
        /// What is missing, and what to do instead.
        message: String,
    },
}

/// A connected control-plane target: its info, and a compute client authenticated as `admin`.
#[derive(Debug, Clone)]
pub struct ControlPlane {
    compute: Arc<ComputeClient>,
    base: String,
    info: FakeInfo,
    token: String,
    project_id: String,
    options: ControlPlaneOptions,
}

/// The one HTTP client of every control-plane connection in this process.
///
/// It is the cloud client's builder ([`crate::client::http_client`]: ring provider, TLS
/// verified, user agent), built once and shared (a reqwest client is a handle to a pool), so a
/// run over three profiles does not build six clients. Timeouts are set per request.
fn shared_client() -> Result<reqwest::Client, ControlPlaneError> {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(client) = CLIENT.get() {
        return Ok(client.clone());
    }
    let client = crate::client::http_client(&TlsOptions::default()).map_err(|e| {
        ControlPlaneError::Unreachable {
            url: String::new(),
            message: format!("failed to build an HTTP client: {e}"),
        }
    })?;
    Ok(CLIENT.get_or_init(|| client).clone())
}

/// A `Malformed` error for a body that lacks what the API promises.
fn malformed(url: &str, message: impl Into<String>) -> ControlPlaneError {
    ControlPlaneError::Malformed {
        url: url.to_owned(),
        message: message.into(),
    }
}

fn unreachable(url: &str, e: &reqwest::Error) -> ControlPlaneError {
    let message = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection refused or host unreachable".to_owned()
    } else {
        // reqwest's Display repeats the URL; keep only its innermost cause.
        let mut src: &dyn std::error::Error = e;
        while let Some(next) = src.source() {
            src = next;
        }
        src.to_string()
    };
    ControlPlaneError::Unreachable {
        url: url.to_owned(),
        message,
    }
}

/// The cloud configuration of a fake for `user`, scoped to the project of the same name (the
/// fake's Keystone accepts any user without `--users`), compute endpoint from `GET /_fake/`.
/// The harness itself is `admin` (needed to list soft-deleted servers with `deleted=True`, as in
/// Nova).
fn fake_cloud_as(base: &str, info: &FakeInfo, user: &str) -> CloudConfig {
    let default = || DomainRef::Name("Default".to_owned());
    CloudConfig {
        name: "fake".to_owned(),
        origin: format!("{base}/_fake/"),
        auth: AuthConfig::Password {
            auth_url: info.identity_url.clone(),
            user: UserRef::Name {
                name: user.to_owned(),
                domain: default(),
            },
            password: crate::client::Secret::new("conformance"),
            scope: Some(Scope::ProjectName {
                name: user.to_owned(),
                domain: default(),
            }),
        },
        region_name: None,
        interface: Interface::Public,
        tls: TlsOptions::default(),
        compute_endpoint_override: Some(info.compute_url.clone()),
        compute_api_version: None,
    }
}

/// Authenticates `user` at the fake's Keystone (scoped to the project of the same name): the
/// session, its token and the project id.
async fn login(
    base: &str,
    info: &FakeInfo,
    user: &str,
    timeout: Duration,
) -> Result<(CloudSession, String, String), ControlPlaneError> {
    let session_options = SessionOptions {
        request_timeout: timeout,
        ..SessionOptions::default()
    };
    let session = CloudSession::connect_with_client(
        shared_client()?,
        fake_cloud_as(base, info, user),
        session_options,
    )
    .await?;
    let token = session.token().await?;
    let project_id = token
        .project_id
        .clone()
        .ok_or_else(|| malformed(&info.identity_url, "token.project.id missing"))?;
    let token = token.value.expose().to_owned();
    Ok((session, token, project_id))
}

impl ControlPlane {
    /// Asks `GET {base}/_fake/` whether the target offers the control plane.
    ///
    /// `Ok(None)` means the target answered but has no control plane (a cloud, or a fake started
    /// with `--no-control`); an error means it could not be reached at all.
    pub async fn probe(
        base: &str,
        options: &ControlPlaneOptions,
    ) -> Result<Option<FakeInfo>, ControlPlaneError> {
        let http = shared_client()?;
        let url = format!("{}/_fake/", base.trim_end_matches('/'));
        let resp = http
            .get(&url)
            .timeout(options.timeout)
            .send()
            .await
            .map_err(|e| unreachable(&url, &e))?;
        if !resp.status().is_success() {
            return Ok(None);
        }
        let text = resp.text().await.map_err(|e| unreachable(&url, &e))?;
        match serde_json::from_str::<FakeInfoEnvelope>(&text) {
            Ok(env) => Ok(Some(env.fake_server)),
            Err(_) => Ok(None),
        }
    }

    /// Connects: gets a token for user `admin` from the fake's Keystone and sets up the compute
    /// client on the fake's compute URL, pinned to [`ControlPlaneOptions::microversion`].
    pub async fn connect(
        base: &str,
        info: FakeInfo,
        options: ControlPlaneOptions,
    ) -> Result<ControlPlane, ControlPlaneError> {
        let base = base.trim_end_matches('/').to_owned();
        let (session, token, project_id) = login(&base, &info, "admin", options.timeout).await?;
        let attempts = options.retries + 1;
        let compute_options = ComputeOptions {
            microversion: Some(options.microversion),
            retry: RetryPolicy {
                max_attempts: attempts,
                initial_backoff: Duration::from_millis(50),
                max_backoff: Duration::from_secs(1),
                // Every attempt may take the whole timeout, plus the backoffs between them.
                deadline: options.timeout * attempts + Duration::from_secs(1),
            },
            max_rps: None,
            request_timeout: options.timeout,
            max_pages: 10_000,
        };
        let compute = ComputeClient::pinned(Arc::new(session), compute_options)?;
        Ok(ControlPlane {
            compute: Arc::new(compute),
            base,
            info,
            token,
            project_id,
            options,
        })
    }

    /// The fake's self-description.
    pub fn info(&self) -> &FakeInfo {
        &self.info
    }

    /// The project the harness's token is scoped to.
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// The token the harness uses (never written to reports), for adapters that fetch.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Seeds one server per `(vm_state, task_state, name)`, in batches, returning them in order.
    ///
    /// `POST /_fake/servers` is not idempotent: a batch whose answer was lost is an error, never
    /// sent again.
    pub async fn seed(
        &self,
        servers: &[(Option<String>, Option<String>, String)],
    ) -> Result<Vec<SeededServer>, ControlPlaneError> {
        let items: Vec<Value> = servers
            .iter()
            .map(|(vm, task, name)| {
                serde_json::json!({"vm_state": vm, "task_state": task, "name": name,
                                   "project_id": self.project_id})
            })
            .collect();
        self.seed_items(&items).await
    }

    /// Seeds `count` servers of this connection's project in one request, server `i` in
    /// `states[i % states.len()]` and named `{name_prefix}{i}`: the compact form (control plane
    /// version 2) for big clouds, where one item per server would cost more than the fake's work.
    pub async fn seed_bulk(
        &self,
        count: usize,
        states: &[(Option<String>, Option<String>)],
        name_prefix: &str,
    ) -> Result<BulkSeeded, ControlPlaneError> {
        let url = format!("{}/_fake/servers", self.base);
        if self.info.control_plane_version < 2 {
            let message = format!(
                "this fake's control plane is version {}; bulk seeding needs 2 (seed item by item instead)",
                self.info.control_plane_version
            );
            return Err(ControlPlaneError::Unsupported { url, message });
        }
        let parsed = Url::parse(&url).map_err(|e| malformed(&url, e.to_string()))?;
        let states: Vec<Value> = states
            .iter()
            .map(|(vm, task)| serde_json::json!({"vm_state": vm, "task_state": task}))
            .collect();
        let body = serde_json::json!({"bulk": {"count": count, "states": states,
            "name_prefix": name_prefix, "project_id": self.project_id}});
        let answer = self
            .compute
            .send_url(Method::POST, parsed, Some(&body))
            .await?;
        let env: BulkEnvelope =
            serde_json::from_value(answer).map_err(|e| malformed(&url, e.to_string()))?;
        if env.bulk.count != count {
            let message = format!("asked for {count} servers, got {}", env.bulk.count);
            return Err(malformed(&url, message));
        }
        Ok(env.bulk)
    }

    /// Seeds servers given as `POST /_fake/servers` items (`vm_state`, `task_state`, `name`,
    /// `user`, `status`, `timeline`, …), in batches, returning them in order.
    pub async fn seed_items(
        &self,
        items: &[Value],
    ) -> Result<Vec<SeededServer>, ControlPlaneError> {
        let url = format!("{}/_fake/servers", self.base);
        let parsed = Url::parse(&url).map_err(|e| malformed(&url, e.to_string()))?;
        let mut out = Vec::with_capacity(items.len());
        for chunk in items.chunks(self.options.seed_batch.max(1)) {
            let body = serde_json::json!({ "servers": chunk });
            let answer = self
                .compute
                .send_url(Method::POST, parsed.clone(), Some(&body))
                .await?;
            let env: SeededEnvelope =
                serde_json::from_value(answer).map_err(|e| malformed(&url, e.to_string()))?;
            if env.servers.len() != chunk.len() {
                let message = format!(
                    "asked for {} servers, got {}",
                    chunk.len(),
                    env.servers.len()
                );
                return Err(malformed(&url, message));
            }
            out.extend(env.servers);
        }
        Ok(out)
    }

    /// A token for another (non-admin) user of the fake's Keystone, scoped to the project of
    /// the same name, and that project's id: each adapter run gets its own, so the journal
    /// tells its requests apart.
    pub async fn token_for(&self, user: &str) -> Result<(String, String), ControlPlaneError> {
        let (_, token, project_id) =
            login(&self.base, &self.info, user, self.options.timeout).await?;
        Ok((token, project_id))
    }

    /// The fake's journal entries with a `seq` above `after` (`GET /_fake/journal?after=SEQ`),
    /// as JSON objects.
    pub async fn journal_after(&self, after: u64) -> Result<Vec<Value>, ControlPlaneError> {
        let url = format!("{}/_fake/journal?after={after}", self.base);
        let parsed = Url::parse(&url).map_err(|e| malformed(&url, e.to_string()))?;
        let answer = self.compute.send_url(Method::GET, parsed, None).await?;
        let entries = answer
            .get("requests")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed(&url, "no `requests` array"))?;
        // A fake without `?after` answers every entry: keep only the newer ones.
        Ok(entries
            .iter()
            .filter(|e| {
                e.get("seq")
                    .and_then(Value::as_u64)
                    .is_some_and(|s| s > after)
            })
            .cloned()
            .collect())
    }

    /// `GET /servers/{id}`.
    pub async fn show(&self, id: &str) -> Result<Server, ControlPlaneError> {
        Ok(self.compute.get_server(id).await?)
    }

    /// Every server of `GET /servers/detail`, following `servers_links` next pages.
    /// With `deleted`, lists soft-deleted servers (admin `deleted=True`), as Nova hides them
    /// from default listings. A server without an `id` is a malformed answer.
    pub async fn list_detail(&self, deleted: bool) -> Result<Vec<Server>, ControlPlaneError> {
        let limit = self.options.page_size.to_string();
        let mut query = vec![("limit", limit.as_str())];
        if deleted {
            query.push(("deleted", "True"));
        }
        let servers = self.compute.list_servers_detail(&query).await?;
        if servers.iter().any(|s| s.id().is_none()) {
            let url = self.compute.url(&["servers", "detail"], &query);
            return Err(malformed(url.as_str(), "a server without an `id`"));
        }
        Ok(servers)
    }
}
