//! A minimal hyper hello-world that serves fixed bytes: the baseline for the fake's wrk runs.
//!
//! `cargo run --release -p fake-server --example baseline -- 127.0.0.1:18775 show.json detail.json`
//! serves `detail.json` for paths ending in `/detail` and `show.json` for every other path, with
//! the same response headers the fake sends (fixed values), on a multi-thread runtime with
//! HTTP/1 keep-alive: the same server stack as the fake's hyper edge, minus the fake.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

fn respond(body: Bytes) -> Response<Full<Bytes>> {
    let id = "req-5f0c1d2e-0000-4000-8000-00000000002a";
    let mut r = Response::new(Full::new(body));
    let h = r.headers_mut();
    for (k, v) in [
        ("content-type", "application/json"),
        ("openstack-api-version", "compute 2.96"),
        ("x-openstack-nova-api-version", "2.96"),
        (
            "vary",
            "OpenStack-API-Version, X-OpenStack-Nova-API-Version",
        ),
        ("x-openstack-request-id", id),
        ("x-compute-request-id", id),
    ] {
        h.insert(k, hyper::header::HeaderValue::from_static(v));
    }
    r
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, show, detail] = args.as_slice() else {
        return Err("usage: baseline ADDR SHOW.json DETAIL.json".into());
    };
    let addr: SocketAddr = addr
        .parse()
        .map_err(|e| format!("failed to parse address {addr}: {e}"))?;
    let read = |p: &str| {
        std::fs::read(p)
            .map(Bytes::from)
            .map_err(|e| format!("failed to read {p}: {e}"))
    };
    let (show, detail) = (read(show)?, read(detail)?);
    let listener = TcpListener::bind(addr).await?;
    println!("baseline listening on http://{}", listener.local_addr()?);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (show, detail) = (show.clone(), detail.clone());
        tokio::spawn(async move {
            let svc = service_fn(move |req: Request<Incoming>| {
                let body = if req.uri().path().ends_with("/detail") {
                    detail.clone()
                } else {
                    show.clone()
                };
                async move { Ok::<_, Infallible>(respond(body)) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}
