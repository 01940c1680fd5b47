//! The API facade: one synchronous `handle(ApiRequest) -> ApiResponse` over all state.

use std::sync::{Mutex, MutexGuard};

use super::control;
use super::ecs;
use super::error::{nova_error, too_large};
use super::faults::{FaultRules, Planned};
use super::http::{ApiRequest, ApiResponse, MAX_BODY_BYTES};
use super::identity::{self, Keystone, UserEntry};
use super::images;
use super::journal::{DEFAULT_JOURNAL_CAPACITY, Journal, Observed, Request as JournalRequest};
use super::nova;
use crate::domain::{Clock, Cloud, Deriver, IdGenerator, Timing};

/// How an [`Api`] is set up.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Profile and deviations.
    pub deriver: Deriver,
    /// Step length and reclaim interval.
    pub timing: Timing,
    /// Use a manual clock (advanced through `POST /_fake/clock`).
    pub manual_clock: bool,
    /// Serve the `/_fake/` control plane.
    pub control: bool,
    /// Token lifetime in seconds.
    pub token_ttl_secs: i64,
    /// Allowed users (`None`: any name and password).
    pub users: Option<Vec<UserEntry>>,
    /// The engine name reported by `GET /_fake/`.
    pub engine: String,
    /// Base URL used when a request carries no `Host` header.
    pub fallback_base: String,
    /// Reuse rendered server bodies whose every input is unchanged (see `--no-render-cache`).
    pub render_cache: bool,
    /// Requests the journal keeps (the oldest are dropped first).
    pub journal_capacity: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            deriver: Deriver::default(),
            timing: Timing::default(),
            manual_clock: false,
            control: true,
            token_ttl_secs: 3600,
            users: None,
            engine: "wiremock".to_owned(),
            fallback_base: "http://127.0.0.1".to_owned(),
            render_cache: true,
            journal_capacity: DEFAULT_JOURNAL_CAPACITY,
        }
    }
}

/// All mutable state, behind one lock.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) cloud: Cloud,
    pub(crate) keystone: Keystone,
    pub(crate) faults: FaultRules,
    pub(crate) journal: Journal,
    pub(crate) rng: IdGenerator,
    pub(crate) render_cache: nova::RenderCache,
    /// What the current request's handler served, for its journal entry.
    pub(crate) observed: Observed,
}

/// The fake's API layer, shared by both HTTP edges.
///
/// ```
/// use fake_server::api::{Api, ApiConfig, ApiRequest};
/// // Arrange
/// let api = Api::new(ApiConfig::default());
/// // Act
/// let resp = api.handle(ApiRequest::new("GET", "/compute/v2.1/servers"));
/// // Assert: compute calls need a token.
/// assert_eq!(resp.status, 401);
/// assert!(resp.header("x-openstack-request-id").is_some());
/// ```
#[derive(Debug)]
pub struct Api {
    pub(crate) config: ApiConfig,
    inner: Mutex<Inner>,
}

impl Api {
    /// Builds the API with an empty cloud.
    pub fn new(config: ApiConfig) -> Self {
        let clock = if config.manual_clock {
            Clock::manual()
        } else {
            Clock::real()
        };
        let inner = Inner {
            cloud: Cloud::new(clock, config.timing),
            keystone: Keystone::new(config.users.clone(), config.token_ttl_secs),
            faults: FaultRules::default(),
            journal: Journal::new(config.journal_capacity),
            rng: IdGenerator::from_time(),
            render_cache: nova::RenderCache::new(config.render_cache),
            observed: Observed::default(),
        };
        Api {
            config,
            inner: Mutex::new(inner),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock would be a bug; keep serving rather than poisoning.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Handles one request. Never panics on request input.
    pub fn handle(&self, req: ApiRequest) -> ApiResponse {
        let mut inner = self.lock();
        let request_id = format!("req-{}", inner.rng.next_uuid());
        let base = req.header("host").map_or_else(
            || self.config.fallback_base.clone(),
            |h| format!("http://{h}"),
        );
        let is_control =
            self.config.control && (req.path == "/_fake" || req.path.starts_with("/_fake/"));
        let mut resp = if is_control {
            control::handle(self, &mut inner, &req, &base)
        } else {
            let Inner { faults, rng, .. } = &mut *inner;
            match faults.plan(&req.method, &req.path, rng) {
                Planned::Respond(resp) => resp,
                Planned::Pass { delay } => {
                    let mut resp = self.route(&mut inner, &req, &base);
                    resp.delay = delay.or(resp.delay);
                    resp
                }
            }
        };
        let observed = std::mem::take(&mut inner.observed);
        if !(is_control && req.path.starts_with("/_fake/journal")) {
            let entry = JournalRequest {
                method: &req.method,
                path: &req.path,
                query: &req.query,
                token: req.header("x-auth-token"),
            };
            inner.journal.record(&entry, resp.status, observed);
        }
        drop(inner);
        resp.headers
            .push(("x-openstack-request-id".to_owned(), request_id.clone()));
        if req.path.starts_with("/compute") {
            resp.headers
                .push(("x-compute-request-id".to_owned(), request_id));
        }
        resp
    }

    fn route(&self, inner: &mut Inner, req: &ApiRequest, base: &str) -> ApiResponse {
        if req.body.len() > MAX_BODY_BYTES {
            return too_large();
        }
        let path = req.path.trim_end_matches('/');
        if path == "/identity" {
            return identity::versions(base);
        }
        if path == "/identity/v3" {
            return identity::version_v3(base);
        }
        if path == "/identity/v3/auth/tokens" {
            return match req.method.as_str() {
                "POST" => inner.keystone.authenticate(req, base),
                _ => super::error::method_not_allowed(),
            };
        }
        if path == "/compute" || path.starts_with("/compute/") {
            return nova::handle(self, inner, req, base);
        }
        if path == "/image" || path.starts_with("/image/") {
            return images::handle(inner, req, base);
        }
        if path.starts_with("/v1/") {
            return ecs::handle(self, inner, req, base);
        }
        nova_error(
            404,
            format!("The resource could not be found: {}", req.path),
        )
    }
}
