//! The hyper edge: a plain accept loop for long runs (no per-request retention).

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::api::{Api, ApiRequest, ApiResponse, MAX_BODY_BYTES};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn serve_one(
    api: Arc<Api>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, BoxError> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => return Ok(to_response(too_large(&api, &parts))),
    };
    let api_req = super::api_request(
        &parts.method,
        parts.uri.path(),
        parts.uri.query(),
        &parts.headers,
        body,
    );
    let resp = api.handle(api_req);
    if let Some(d) = resp.delay {
        tokio::time::sleep(d).await;
    }
    if resp.drop_connection {
        return Err("connection dropped by a fault rule".into());
    }
    Ok(to_response(resp))
}

/// An oversized body still goes through the API (journal, request id), with the body cut.
fn too_large(api: &Api, parts: &hyper::http::request::Parts) -> ApiResponse {
    let mut req = ApiRequest::new(parts.method.as_str(), parts.uri.path());
    req.query = parts.uri.query().unwrap_or("").to_owned();
    req.body = vec![0; MAX_BODY_BYTES + 1];
    api.handle(req)
}

fn to_response(resp: ApiResponse) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(resp.status);
    for (k, v) in &resp.headers {
        if let (Ok(k), Ok(v)) = (
            hyper::header::HeaderName::from_bytes(k.as_bytes()),
            hyper::header::HeaderValue::from_str(v),
        ) {
            builder = builder.header(k, v);
        }
    }
    builder
        .body(Full::new(Bytes::from(resp.body)))
        .unwrap_or_else(|_| {
            let mut r = Response::new(Full::new(Bytes::new()));
            *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            r
        })
}

/// Serves until `shutdown` flips to true.
pub(crate) async fn serve(
    listener: TcpListener,
    api: Arc<Api>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => return,
        };
        let Ok((stream, _peer)) = accepted else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let api = api.clone();
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| serve_one(api.clone(), req));
            let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), svc);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stop.changed() => {}
            }
        });
    }
}

/// Binds a listener.
pub(crate) async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}
