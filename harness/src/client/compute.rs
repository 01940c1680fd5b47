//! A small Nova client: version discovery, microversion negotiation, server reads, retries.
//!
//! The main type is [`ComputeClient`].

use super::auth::{CloudSession, error_message};
use super::compute_error::ComputeError;
use super::microversion::{Microversion, VersionInfo};
use super::retry::{RateLimiter, RetryPolicy, retry_after};
use super::secret::redact_url;
use super::server::Server;
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Compute client settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputeOptions {
    /// `--microversion`: use exactly this one (it must be in the cloud's range).
    pub microversion: Option<Microversion>,
    /// Retries for 429, 503 and transport errors.
    pub retry: RetryPolicy,
    /// `--max-rps`: at most this many requests per second.
    pub max_rps: Option<f64>,
    /// Deadline of one HTTP exchange.
    pub request_timeout: Duration,
    /// Most pages followed in one listing, against a cloud whose `next` links never end.
    pub max_pages: usize,
}

impl Default for ComputeOptions {
    fn default() -> Self {
        ComputeOptions {
            microversion: None,
            retry: RetryPolicy::default(),
            max_rps: None,
            request_timeout: Duration::from_secs(30),
            max_pages: 10_000,
        }
    }
}

/// A raw answer: status and body text.
struct Answer {
    status: StatusCode,
    body: String,
}

/// A Nova client on top of a [`CloudSession`].
#[derive(Debug)]
pub struct ComputeClient {
    session: Arc<CloudSession>,
    endpoint: Url,
    version: Option<VersionInfo>,
    microversion: Microversion,
    options: ComputeOptions,
    limiter: Option<RateLimiter>,
}

impl ComputeClient {
    /// Reads the compute version document and negotiates the microversion.
    ///
    /// The document is looked for at the endpoint, then (for `…/v2.1/{project_id}` catalog
    /// URLs) one level up. Without a document the client uses the pin or 2.1, as openstacksdk
    /// does. A pin outside the advertised range is an error. `compute_api_version` from
    /// `clouds.yaml` counts as a pin when no `--microversion` is given.
    pub async fn connect(
        session: Arc<CloudSession>,
        options: ComputeOptions,
    ) -> Result<Self, ComputeError> {
        let mut client = Self::pinned(session, options)?;
        let pinned = client.pin();
        client.version = client.discover().await?;
        let info = client.version.clone().unwrap_or(VersionInfo {
            id: String::new(),
            status: String::new(),
            min_version: None,
            max_version: None,
        });
        client.microversion =
            info.negotiate(pinned)
                .map_err(|problem| ComputeError::Microversion {
                    url: redact_url(client.endpoint.as_str()),
                    problem,
                })?;
        Ok(client)
    }

    /// A client that sends the pinned microversion (`options.microversion`, else
    /// `compute_api_version` from `clouds.yaml`, else 2.1) without reading the version document:
    /// for an endpoint whose range is known, such as the fake's.
    pub fn pinned(
        session: Arc<CloudSession>,
        options: ComputeOptions,
    ) -> Result<Self, ComputeError> {
        let raw = session.compute_endpoint().to_owned();
        let endpoint = Url::parse(&raw)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| ComputeError::InvalidEndpoint {
                url: redact_url(&raw),
            })?;
        let mut client = ComputeClient {
            limiter: options.max_rps.and_then(RateLimiter::new),
            session,
            endpoint,
            version: None,
            microversion: Microversion::BASE,
            options,
        };
        client.microversion = client.pin().unwrap_or(Microversion::BASE);
        Ok(client)
    }

    /// `--microversion`, else `compute_api_version` from `clouds.yaml` when it names one.
    fn pin(&self) -> Option<Microversion> {
        self.options.microversion.or_else(|| {
            self.session
                .config()
                .compute_api_version
                .as_deref()
                .and_then(|v| v.parse().ok())
        })
    }

    async fn discover(&self) -> Result<Option<VersionInfo>, ComputeError> {
        let mut candidates = vec![self.endpoint.clone()];
        let mut parent = self.endpoint.clone();
        if let Ok(mut segments) = parent.path_segments_mut() {
            segments.pop_if_empty().pop();
        }
        if parent != self.endpoint && !parent.path().trim_end_matches('/').is_empty() {
            candidates.push(parent);
        }
        for url in candidates {
            let answer = self.execute(Method::GET, url.clone(), false, None).await?;
            if !answer.status.is_success() {
                continue;
            }
            if let Some(info) = serde_json::from_str::<Value>(&answer.body)
                .ok()
                .as_ref()
                .and_then(VersionInfo::from_document)
            {
                return Ok(Some(info));
            }
        }
        Ok(None)
    }

    /// The negotiated (or pinned) microversion sent with every request.
    pub fn microversion(&self) -> Microversion {
        self.microversion
    }

    /// The version document, when the cloud has one.
    pub fn version(&self) -> Option<&VersionInfo> {
        self.version.as_ref()
    }

    /// The compute endpoint.
    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str()
    }

    /// The session (token, config).
    pub fn session(&self) -> &CloudSession {
        &self.session
    }

    /// The URL of `path` (segments, each percent-encoded) under the endpoint, with `query`.
    pub fn url(&self, path: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.endpoint.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(path);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// `GET /servers/detail?{query}`, following `servers_links` `next` to the end.
    pub async fn list_servers_detail(
        &self,
        query: &[(&str, &str)],
    ) -> Result<Vec<Server>, ComputeError> {
        let mut url = self.url(&["servers", "detail"], query);
        let mut servers = Vec::new();
        for _ in 0..self.options.max_pages {
            let page = self.get_json(url.clone()).await?;
            let invalid = |problem: &str| ComputeError::InvalidResponse {
                method: Method::GET,
                url: redact_url(url.as_str()),
                problem: problem.to_owned(),
            };
            let list = page
                .get("servers")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid("the body has no `servers` list"))?;
            servers.extend(list.iter().cloned().map(Server::new));
            let next = super::server::next_link(&page);
            let Some(href) = next else {
                return Ok(servers);
            };
            if list.is_empty() {
                return Ok(servers);
            }
            url = self.follow(&["servers", "detail"], &url, href)?;
        }
        Err(ComputeError::InvalidResponse {
            method: Method::GET,
            url: redact_url(url.as_str()),
            problem: format!("more than {} pages of servers", self.options.max_pages),
        })
    }

    /// `GET /servers/{id}`.
    pub async fn get_server(&self, id: &str) -> Result<Server, ComputeError> {
        let url = self.url(&["servers", id], &[]);
        let mut body = self.get_json(url.clone()).await?;
        match body.get_mut("server").map(Value::take) {
            Some(server @ Value::Object(_)) => Ok(Server::new(server)),
            _ => Err(ComputeError::InvalidResponse {
                method: Method::GET,
                url: redact_url(url.as_str()),
                problem: "the body has no `server` object".to_owned(),
            }),
        }
    }

    /// A GET with the microversion headers; any non-2xx is [`ComputeError::Http`].
    pub async fn get_json(&self, url: Url) -> Result<Value, ComputeError> {
        let body = self.get_text(url.clone()).await?;
        serde_json::from_str(&body).map_err(|_| ComputeError::InvalidResponse {
            method: Method::GET,
            url: redact_url(url.as_str()),
            problem: "the body is not JSON".to_owned(),
        })
    }

    /// [`ComputeClient::get_json`]'s request, the body left as text.
    pub(crate) async fn get_text(&self, url: Url) -> Result<String, ComputeError> {
        let answer = self.execute(Method::GET, url.clone(), true, None).await?;
        if !answer.status.is_success() {
            return Err(ComputeError::Http {
                method: Method::GET,
                url: redact_url(url.as_str()),
                status: answer.status,
                message: error_message(&answer.body),
            });
        }
        Ok(answer.body)
    }

    /// Most pages one listing follows.
    pub(crate) fn max_pages(&self) -> usize {
        self.options.max_pages
    }

    /// Sends a mutating (or any) request to `path` under the endpoint with an optional JSON
    /// body and the microversion headers; returns the parsed answer body (`Value::Null` when
    /// empty). Any non-2xx is [`ComputeError::Http`]. 429 and 503 are retried as for GETs; a
    /// dropped connection is not retried for anything but GET, so an action is never sent twice.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(client: &harness::client::ComputeClient) -> Result<(), harness::client::ComputeError> {
    /// use reqwest::Method;
    /// client
    ///     .send(Method::POST, &["servers", "ID", "action"], Some(&serde_json::json!({"os-stop": null})))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(
        &self,
        method: Method,
        path: &[&str],
        body: Option<&Value>,
    ) -> Result<Value, ComputeError> {
        self.send_url(method, self.url(path, &[]), body).await
    }

    /// Like [`ComputeClient::send`], to any URL (e.g. the fake's `/_fake/` control plane), with
    /// the same auth, headers, retries and errors.
    pub async fn send_url(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Value, ComputeError> {
        let answer = self
            .execute(method.clone(), url.clone(), true, body)
            .await?;
        let shown = redact_url(url.as_str());
        if !answer.status.is_success() {
            return Err(ComputeError::Http {
                method,
                url: shown,
                status: answer.status,
                message: error_message(&answer.body),
            });
        }
        if answer.body.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&answer.body).map_err(|_| ComputeError::InvalidResponse {
            method,
            url: shown,
            problem: "the body is not JSON".to_owned(),
        })
    }

    /// Sends one request with auth (and microversion headers when `versioned`), retrying 429
    /// and 503 (honouring `Retry-After`) and, for GETs, transport errors, all within the
    /// retry deadline; a 401 renews the token once.
    async fn execute(
        &self,
        method: Method,
        url: Url,
        versioned: bool,
        body: Option<&Value>,
    ) -> Result<Answer, ComputeError> {
        let policy = self.options.retry;
        let started = Instant::now();
        let deadline = started + policy.deadline;
        let shown = redact_url(url.as_str());
        let mut renewed = false;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if let Some(limiter) = &self.limiter {
                limiter.acquire().await;
            }
            let token = self.session.token().await.map_err(ComputeError::Auth)?;
            let remaining = deadline.saturating_duration_since(Instant::now());
            let mut request = self
                .session
                .http()
                .request(method.clone(), url.clone())
                .header(reqwest::header::ACCEPT, "application/json")
                .header("X-Auth-Token", token.value.expose())
                .timeout(self.options.request_timeout.min(remaining));
            if versioned {
                let mv = self.microversion.to_string();
                request = request
                    .header("OpenStack-API-Version", format!("compute {mv}"))
                    .header("X-OpenStack-Nova-API-Version", mv);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let result = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let wait = retry_after(response.headers());
                    response
                        .text()
                        .await
                        .map(|body| (Answer { status, body }, wait))
                }
                Err(e) => Err(e),
            };
            let retry_wait = match result {
                Err(source) => {
                    let wait = policy.backoff(attempt);
                    if method != Method::GET
                        || attempt >= policy.max_attempts
                        || Instant::now() + wait >= deadline
                    {
                        return Err(ComputeError::Transport {
                            method,
                            url: shown,
                            attempts: attempt,
                            source: source.without_url(),
                        });
                    }
                    wait
                }
                Ok((answer, _)) if answer.status == StatusCode::UNAUTHORIZED && !renewed => {
                    renewed = true;
                    self.session
                        .reauthenticate(&token)
                        .await
                        .map_err(ComputeError::Auth)?;
                    continue;
                }
                Ok((answer, retry_after))
                    if answer.status == StatusCode::TOO_MANY_REQUESTS
                        || answer.status == StatusCode::SERVICE_UNAVAILABLE =>
                {
                    let wait = retry_after.unwrap_or_else(|| policy.backoff(attempt));
                    if attempt >= policy.max_attempts || Instant::now() + wait >= deadline {
                        return Err(ComputeError::GaveUp {
                            method,
                            url: shown,
                            status: answer.status,
                            attempts: attempt,
                            waited_ms: started.elapsed().as_millis(),
                            message: error_message(&answer.body),
                        });
                    }
                    wait
                }
                Ok((answer, _)) => return Ok(answer),
            };
            tokio::time::sleep(retry_wait).await;
        }
    }
}
