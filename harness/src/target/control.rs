//! A client for a target that offers the fake server's control plane.
//!
//! It injects servers with any `(vm_state, task_state)` through `POST /_fake/servers`, then reads
//! them back the two ways a client would: `GET /servers/{id}` and the paginated
//! `GET /servers/detail`.

use crate::client::TlsOptions;
use serde::Deserialize;
use serde_json::Value;
use std::sync::OnceLock;
use std::time::Duration;

/// Settings for talking to a control-plane target.
#[derive(Debug, Clone)]
pub struct ControlPlaneOptions {
    /// Per-request timeout.
    pub timeout: Duration,
    /// How many times a transport error, timeout or 5xx is retried before it counts as an error.
    pub retries: u32,
    /// `limit` for `/servers/detail` pages.
    pub page_size: usize,
    /// How many servers one `POST /_fake/servers` seeds.
    pub seed_batch: usize,
}

impl Default for ControlPlaneOptions {
    fn default() -> Self {
        ControlPlaneOptions {
            timeout: Duration::from_secs(10),
            retries: 2,
            page_size: 500,
            seed_batch: 500,
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

/// One server as a client sees it, with the raw JSON kept for reports.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerView {
    /// `id`.
    pub id: String,
    /// `status`, if present and a string.
    pub status: Option<String>,
    /// `OS-EXT-STS:vm_state`: `None` when absent, `Some(None)` when null.
    pub vm_state: Option<Option<String>>,
    /// `OS-EXT-STS:task_state`: `None` when absent, `Some(None)` when null.
    pub task_state: Option<Option<String>>,
    /// The server object as received.
    pub raw: Value,
}

impl ServerView {
    /// Reads the fields a conformance check needs from a server object.
    pub fn from_json(raw: Value) -> Option<ServerView> {
        let obj = raw.as_object()?;
        let id = obj.get("id")?.as_str()?.to_owned();
        let field = |k: &str| obj.get(k).map(|v| v.as_str().map(str::to_owned));
        Some(ServerView {
            id,
            status: obj.get("status").and_then(Value::as_str).map(str::to_owned),
            vm_state: field("OS-EXT-STS:vm_state"),
            task_state: field("OS-EXT-STS:task_state"),
            raw,
        })
    }
}

/// Failed to reach or use a control-plane target.
#[derive(Debug, thiserror::Error)]
pub enum ControlPlaneError {
    /// Could not connect, or the request timed out after its retries.
    #[error("failed to reach {url}: {message}")]
    Unreachable {
        /// The request URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The target answered with an unexpected HTTP status.
    #[error("{method} {url} answered HTTP {status}: {body}")]
    Status {
        /// Request method.
        method: &'static str,
        /// Request URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// The start of the response body.
        body: String,
    },
    /// The body was not what the API promises.
    #[error("{url} returned a malformed body: {message}")]
    Malformed {
        /// Request URL.
        url: String,
        /// What was wrong.
        message: String,
    },
}

impl ControlPlaneError {
    fn retryable(&self) -> bool {
        match self {
            ControlPlaneError::Unreachable { .. } => true,
            ControlPlaneError::Status { status, .. } => *status >= 500 || *status == 429,
            ControlPlaneError::Malformed { .. } => true,
        }
    }
}

/// A connected control-plane target: its info, a token, and an HTTP client.
#[derive(Debug, Clone)]
pub struct ControlPlane {
    http: reqwest::Client,
    base: String,
    info: FakeInfo,
    token: String,
    project_id: String,
    options: ControlPlaneOptions,
}

/// The one HTTP client of every control-plane connection in this process.
///
/// It is the cloud client's builder ([`crate::client::http_client`]: ring provider, TLS verified,
/// user agent), built once and shared (a reqwest client is a handle to a pool), so a run over three
/// profiles does not build six clients. Timeouts are set per request from
/// [`ControlPlaneOptions::timeout`].
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

/// Parses a response body, naming the URL when it is not the JSON promised.
fn parse_json<T: serde::de::DeserializeOwned>(
    url: &str,
    text: &str,
) -> Result<T, ControlPlaneError> {
    serde_json::from_str(text).map_err(|e| malformed(url, e.to_string()))
}

fn snippet(body: &str) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 200 {
        let cut: String = one_line.chars().take(200).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

fn transport(url: &str, e: &reqwest::Error) -> ControlPlaneError {
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
            .map_err(|e| transport(&url, &e))?;
        if !resp.status().is_success() {
            return Ok(None);
        }
        let text = resp.text().await.map_err(|e| transport(&url, &e))?;
        match serde_json::from_str::<FakeInfoEnvelope>(&text) {
            Ok(env) => Ok(Some(env.fake_server)),
            Err(_) => Ok(None),
        }
    }

    /// Connects: reads the fake's info and gets a token for user `admin` from its Keystone.
    pub async fn connect(
        base: &str,
        info: FakeInfo,
        options: ControlPlaneOptions,
    ) -> Result<ControlPlane, ControlPlaneError> {
        let http = shared_client()?;
        let url = format!("{}/auth/tokens", info.identity_url.trim_end_matches('/'));
        let body = serde_json::json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "password": "conformance", "domain": {"name": "Default"}}}},
            "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}});
        let resp = http
            .post(&url)
            .timeout(options.timeout)
            .json(&body)
            .send()
            .await
            .map_err(|e| transport(&url, &e))?;
        let status = resp.status().as_u16();
        let token = resp
            .headers()
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = resp.text().await.map_err(|e| transport(&url, &e))?;
        if !(200..300).contains(&status) {
            return Err(ControlPlaneError::Status {
                method: "POST",
                url,
                status,
                body: snippet(&text),
            });
        }
        let token = token.ok_or_else(|| malformed(&url, "no X-Subject-Token header"))?;
        let json: Value = parse_json(&url, &text)?;
        let project_id = json
            .pointer("/token/project/id")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed(&url, "token.project.id missing"))?
            .to_owned();
        Ok(ControlPlane {
            http,
            base: base.trim_end_matches('/').to_owned(),
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

    /// The token the harness uses (never written to reports).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Seeds one server per `(vm_state, task_state, name)`, in batches, returning them in order.
    pub async fn seed(
        &self,
        servers: &[(Option<String>, Option<String>, String)],
    ) -> Result<Vec<SeededServer>, ControlPlaneError> {
        let url = format!("{}/_fake/servers", self.base);
        let mut out = Vec::with_capacity(servers.len());
        for chunk in servers.chunks(self.options.seed_batch.max(1)) {
            let list: Vec<Value> = chunk
                .iter()
                .map(|(vm, task, name)| {
                    serde_json::json!({"vm_state": vm, "task_state": task, "name": name,
                                       "project_id": self.project_id})
                })
                .collect();
            let body = serde_json::json!({ "servers": list });
            let text = self
                .send_with_retries("POST", &url, Some(&body), &[201, 200])
                .await?;
            let env: SeededEnvelope = parse_json(&url, &text)?;
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

    /// `GET /servers/{id}`.
    pub async fn show(&self, id: &str) -> Result<ServerView, ControlPlaneError> {
        let url = format!(
            "{}/servers/{id}",
            self.info.compute_url.trim_end_matches('/')
        );
        let text = self.send_with_retries("GET", &url, None, &[200]).await?;
        let json: Value = parse_json(&url, &text)?;
        json.get("server")
            .cloned()
            .and_then(ServerView::from_json)
            .ok_or_else(|| malformed(&url, "no `server` object with an `id`"))
    }

    /// Every server of `GET /servers/detail`, following `servers_links` next pages.
    /// With `deleted`, lists soft-deleted servers (admin `deleted=True`), as Nova hides them
    /// from default listings.
    pub async fn list_detail(&self, deleted: bool) -> Result<Vec<ServerView>, ControlPlaneError> {
        let compute = self.info.compute_url.trim_end_matches('/');
        let mut url = format!("{compute}/servers/detail?limit={}", self.options.page_size);
        if deleted {
            url.push_str("&deleted=True");
        }
        let mut out = Vec::new();
        // A page cap guards against a target whose next link loops.
        for _ in 0..10_000 {
            let text = self.send_with_retries("GET", &url, None, &[200]).await?;
            let page: Value = parse_json(&url, &text)?;
            let servers = page
                .get("servers")
                .and_then(Value::as_array)
                .ok_or_else(|| malformed(&url, "no `servers` array"))?;
            for s in servers {
                let view = ServerView::from_json(s.clone())
                    .ok_or_else(|| malformed(&url, "a server without an `id`"))?;
                out.push(view);
            }
            let next = crate::client::next_link(&page);
            match next {
                Some(href) if !servers.is_empty() => url = href.to_owned(),
                _ => return Ok(out),
            }
        }
        Err(malformed(
            &url,
            "more than 10000 pages: the next links do not end",
        ))
    }

    async fn send_with_retries(
        &self,
        method: &'static str,
        url: &str,
        body: Option<&Value>,
        ok: &[u16],
    ) -> Result<String, ControlPlaneError> {
        let mut attempt = 0;
        loop {
            match self.send_once(method, url, body, ok).await {
                Ok(text) => return Ok(text),
                Err(e) if e.retryable() && attempt < self.options.retries => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn send_once(
        &self,
        method: &'static str,
        url: &str,
        body: Option<&Value>,
        ok: &[u16],
    ) -> Result<String, ControlPlaneError> {
        let mut req = match method {
            "POST" => self.http.post(url),
            _ => self.http.get(url),
        }
        .timeout(self.options.timeout);
        req = req
            .header("X-Auth-Token", &self.token)
            .header("OpenStack-API-Version", "compute 2.96")
            .header("X-OpenStack-Nova-API-Version", "2.96")
            .header("Accept", "application/json");
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(|e| transport(url, &e))?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(|e| transport(url, &e))?;
        if ok.contains(&status) {
            Ok(text)
        } else {
            Err(ControlPlaneError::Status {
                method,
                url: url.to_owned(),
                status,
                body: snippet(&text),
            })
        }
    }
}
