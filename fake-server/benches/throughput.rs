//! Throughput and p99 of `GET /servers/{id}` and `GET /servers/detail` (100 servers) on both
//! engines, against a minimal hyper hello-world serving the same bytes in the same run, and a soak
//! of the hyper engine measuring RSS before and after N requests (run first, since the
//! wiremock scenarios retain memory in this same process).
//!
//! `cargo bench -p fake-server --bench throughput` (env: `BENCH_SECS` per scenario, default 5;
//! `BENCH_WIREMOCK_SECS`, default 5 and never more than `BENCH_SECS`: wiremock keeps every
//! request, about 8 KB each, so a 60 s run would hold gigabytes; `BENCH_CONNS`, default 50;
//! `BENCH_SOAK` requests, default 200000). The load generator runs in-process on the same
//! cores, so compare ratios rather than absolute numbers.

#[path = "support/rss.rs"]
mod rss;
use rss::rss_kib;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use fake_server::{Engine, FakeServer};
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Sends one request on a keep-alive connection; returns (status, body).
async fn roundtrip(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    req: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    stream.write_all(req).await?;
    buf.clear();
    let mut chunk = [0u8; 16384];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let status: u16 = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
            let len: usize = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = buf[end + 4..end + 4 + len].to_vec();
            buf.drain(..end + 4 + len);
            return Ok((status, body));
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn get(addr: SocketAddr, path: &str, token: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nX-Auth-Token: {token}\r\nOpenStack-API-Version: compute 2.96\r\n\r\n")
        .into_bytes()
}

fn post(addr: SocketAddr, path: &str, body: &str) -> Vec<u8> {
    format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len())
        .into_bytes()
}

struct Outcome {
    requests: u64,
    errors: u64,
    rps: f64,
    p50_us: u64,
    p99_us: u64,
}

/// `conns` connections hammer `req` for `secs`, or until `limit` total requests.
async fn load(
    addr: SocketAddr,
    req: Vec<u8>,
    conns: u64,
    secs: u64,
    limit: Option<u64>,
) -> Outcome {
    let stop = Arc::new(AtomicBool::new(false));
    let per_conn_limit = limit.map(|l| l.div_ceil(conns));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let req = req.clone();
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(100_000);
            let mut errors = 0u64;
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            stream.set_nodelay(true).ok();
            let mut buf = Vec::with_capacity(64 * 1024);
            while !stop.load(Ordering::Relaxed)
                && per_conn_limit.is_none_or(|l| (lat.len() as u64) < l)
            {
                let t = Instant::now();
                match roundtrip(&mut stream, &mut buf, &req).await {
                    Ok((200, _)) => lat.push(t.elapsed().as_micros() as u64),
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        stream = TcpStream::connect(addr).await.expect("reconnect");
                    }
                }
            }
            (lat, errors)
        }));
    }
    if limit.is_none() {
        tokio::time::sleep(Duration::from_secs(secs)).await;
        stop.store(true, Ordering::Relaxed);
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await.expect("load task");
        all.extend(lat);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    Outcome {
        requests: all.len() as u64,
        errors,
        rps: all.len() as f64 / elapsed,
        p50_us: pct(0.50),
        p99_us: pct(0.99),
    }
}

/// The baseline: hyper serving fixed bytes for two paths.
async fn baseline(show: Bytes, detail: Bytes) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            stream.set_nodelay(true).ok();
            let (show, detail) = (show.clone(), detail.clone());
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let body = if req.uri().path().ends_with("/detail") {
                        detail.clone()
                    } else {
                        show.clone()
                    };
                    async move {
                        Ok::<_, std::convert::Infallible>(
                            Response::builder()
                                .header("content-type", "application/json")
                                .body(Full::new(body))
                                .expect("response"),
                        )
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    addr
}

/// Starts a fake with 100 servers; returns it, a token, and the ids.
async fn fake(engine: Engine) -> (FakeServer, String, Vec<String>) {
    let fake = FakeServer::builder()
        .engine(engine)
        .start()
        .await
        .expect("fake");
    let addr = fake.address();
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let mut buf = Vec::new();
    let servers: Vec<String> = (0..100)
        .map(|i| format!(r#"{{"vm_state":"active","task_state":null,"name":"bench-{i}"}}"#))
        .collect();
    let (_, body) = roundtrip(
        &mut s,
        &mut buf,
        &post(
            addr,
            "/_fake/servers",
            &format!(r#"{{"servers":[{}]}}"#, servers.join(",")),
        ),
    )
    .await
    .expect("seed");
    let v: serde_json::Value = serde_json::from_slice(&body).expect("seed json");
    let ids = v["servers"]
        .as_array()
        .expect("servers")
        .iter()
        .map(|s| s["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let auth = r#"{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","password":"x"}}}}}"#;
    s.write_all(&post(addr, "/identity/v3/auth/tokens", auth))
        .await
        .expect("auth");
    let mut head = vec![0u8; 8192];
    let n = s.read(&mut head).await.expect("auth read");
    let text = String::from_utf8_lossy(&head[..n]).to_string();
    let token = text
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("x-subject-token:")
                .then(|| l[16..].trim().to_owned())
        })
        .expect("token");
    (fake, token, ids)
}

fn report(name: &str, o: &Outcome, base: Option<&Outcome>) {
    let ratio = base.map_or(String::new(), |b| format!("  ratio {:.2}", o.rps / b.rps));
    println!(
        "{name:<34} {:>9.0} req/s  p50 {:>6} us  p99 {:>6} us  ({} ok, {} errors){ratio}",
        o.rps, o.p50_us, o.p99_us, o.requests, o.errors
    );
}

#[tokio::main]
async fn main() {
    let secs = env_u64("BENCH_SECS", 5);
    let conns = env_u64("BENCH_CONNS", 50);
    let soak = env_u64("BENCH_SOAK", 200_000);
    let wiremock_secs = env_u64("BENCH_WIREMOCK_SECS", 5).min(secs);
    println!("# {conns} connections, {secs} s per scenario, load generator in-process");
    let (hyper_fake, token, ids) = fake(Engine::Hyper).await;
    let addr = hyper_fake.address();
    let show_path = format!("/compute/v2.1/servers/{}", ids[0]);
    let detail_path = "/compute/v2.1/servers/detail".to_owned();
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let mut buf = Vec::new();
    let (_, show_bytes) = roundtrip(&mut s, &mut buf, &get(addr, &show_path, &token))
        .await
        .expect("show");
    let (_, detail_bytes) = roundtrip(&mut s, &mut buf, &get(addr, &detail_path, &token))
        .await
        .expect("detail");
    println!(
        "# body sizes: show {} B, detail {} B",
        show_bytes.len(),
        detail_bytes.len()
    );
    // Soak first: the wiremock scenarios below retain requests in this same process.
    let before = rss_kib();
    let o = load(addr, get(addr, &show_path, &token), conns, 0, Some(soak)).await;
    let after = rss_kib();
    println!(
        "# soak (hyper engine, GET /servers/{{id}}): {} requests, RSS {} KiB -> {} KiB ({:+} KiB), {:.0} req/s",
        o.requests,
        before,
        after,
        after as i64 - before as i64,
        o.rps
    );
    let base_addr = baseline(Bytes::from(show_bytes), Bytes::from(detail_bytes)).await;
    for (label, path) in [
        ("GET /servers/{id}", show_path.as_str()),
        ("GET /servers/detail (100)", detail_path.as_str()),
    ] {
        let b = load(base_addr, get(base_addr, path, &token), conns, secs, None).await;
        report(&format!("baseline hyper  {label}"), &b, None);
        let h = load(addr, get(addr, path, &token), conns, secs, None).await;
        report(&format!("fake hyper      {label}"), &h, Some(&b));
        let (wm, wtoken, wids) = fake(Engine::Wiremock).await;
        let wpath = if path.ends_with("/detail") {
            detail_path.clone()
        } else {
            format!("/compute/v2.1/servers/{}", wids[0])
        };
        let w = load(
            wm.address(),
            get(wm.address(), &wpath, &wtoken),
            conns,
            wiremock_secs,
            None,
        )
        .await;
        report(
            &format!("fake wiremock   {label} ({wiremock_secs} s)"),
            &w,
            Some(&b),
        );
    }
}
