//! The wiremock edge: a matcher and responders that hand requests to the shared [`Api`].
//!
//! Implementation notes: wiremock's `Respond` cannot drop a connection, but a mock built with
//! `respond_with_err` can. So two mocks are mounted: the first's matcher runs the request
//! through the API and claims it only when the answer is a drop; otherwise it stashes the
//! answer, and the second (general) mock serves it. wiremock matches mocks in order under one
//! lock, so the stash is read by the very next responder call; a fingerprint guards it anyway.

use std::sync::{Arc, Mutex};

use wiremock::http::{HeaderName, HeaderValue};
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::api::{Api, ApiRequest, ApiResponse};

type Stash = Arc<Mutex<Option<(String, ApiResponse)>>>;

fn fingerprint(req: &Request) -> String {
    format!("{} {} {}", req.method, req.url, req.body.len())
}

fn to_api_request(req: &Request) -> ApiRequest {
    super::api_request(
        &req.method,
        req.url.path(),
        req.url.query(),
        &req.headers,
        req.body.clone(),
    )
}

fn to_template(resp: ApiResponse) -> ResponseTemplate {
    let mut t = ResponseTemplate::new(resp.status);
    for (k, v) in &resp.headers {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            t = t.append_header(k, v);
        }
    }
    if let Some(d) = resp.delay {
        t = t.set_delay(d);
    }
    t.set_body_bytes(resp.body)
}

/// Matches the fake's URL prefixes.
struct OwnPaths {
    control: bool,
}

impl Match for OwnPaths {
    fn matches(&self, request: &Request) -> bool {
        let p = request.url.path();
        let under = |prefix: &str| p == prefix || p.starts_with(&format!("{prefix}/"));
        under("/identity")
            || under("/compute")
            || under("/image")
            || p.starts_with("/v1/")
            || (self.control && under("/_fake"))
    }
}

/// Runs the request; matches only when the answer is a dropped connection.
struct DropProbe {
    api: Arc<Api>,
    stash: Stash,
}

impl Match for DropProbe {
    fn matches(&self, request: &Request) -> bool {
        let resp = self.api.handle(to_api_request(request));
        if resp.drop_connection {
            return true;
        }
        *self.stash.lock().unwrap_or_else(|e| e.into_inner()) = Some((fingerprint(request), resp));
        false
    }
}

struct Responder {
    api: Arc<Api>,
    stash: Stash,
}

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let stashed = self.stash.lock().unwrap_or_else(|e| e.into_inner()).take();
        let resp = match stashed {
            Some((fp, resp)) if fp == fingerprint(request) => resp,
            _ => self.api.handle(to_api_request(request)),
        };
        to_template(resp)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("connection dropped by a fault rule")]
struct Dropped;

/// Mounts the fake's routes on a wiremock server.
pub(crate) async fn mount(api: Arc<Api>, server: &MockServer) {
    let control = api.config.control;
    let stash: Stash = Arc::new(Mutex::new(None));
    Mock::given(OwnPaths { control })
        .and(DropProbe {
            api: api.clone(),
            stash: stash.clone(),
        })
        .respond_with_err(|_: &Request| Dropped)
        .named("fake-server: dropped connections")
        .mount(server)
        .await;
    Mock::given(OwnPaths { control })
        .respond_with(Responder { api, stash })
        .named("fake-server")
        .mount(server)
        .await;
}
