//! The fake at scale: the per-page cost of `GET /servers/detail?limit=1000` (plain, with
//! `status=`, with `changes-since`, and from a `marker` in the middle) at 1k … 1M servers, the
//! time to seed them through the control plane, and the fake's RSS per server.
//!
//! `cargo bench -p fake-server --bench scale` (env: `SCALE_SIZES`, default
//! `1000,10000,100000,1000000`; `SCALE_PAGES` timed pages per query, default 20). It drives the
//! shared API layer (`Api::handle`, which both HTTP edges call) in-process, so the figures are
//! the fake's own cost without sockets; medians per query, and the ratio to the 1k figure.

#[path = "support/rss.rs"]
mod rss;
use rss::rss_kib;

use std::time::Instant;

use fake_server::api::{Api, ApiConfig, ApiRequest};

const STATES: [(&str, &str); 10] = [
    ("active", "null"),
    ("stopped", "null"),
    ("paused", "null"),
    ("suspended", "null"),
    ("error", "null"),
    ("building", "\"spawning\""),
    ("active", "\"rebooting\""),
    ("rescued", "null"),
    ("shelved_offloaded", "null"),
    ("soft-delete", "null"),
];

fn token(api: &Api) -> String {
    let body = r#"{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","password":"x"}}}}}"#;
    let resp = api.handle(ApiRequest::new("POST", "/identity/v3/auth/tokens").with_body(body));
    resp.header("x-subject-token")
        .unwrap_or_default()
        .to_owned()
}

/// Seeds `n` servers in ten states, 10,000 per request; returns the seconds it took.
fn seed(api: &Api, n: usize) -> f64 {
    let start = Instant::now();
    let mut done = 0;
    while done < n {
        let batch = (n - done).min(10_000);
        let items: Vec<String> = (0..batch)
            .map(|i| {
                let (vm, task) = STATES[(done + i) % STATES.len()];
                format!(r#"{{"vm_state":"{vm}","task_state":{task}}}"#)
            })
            .collect();
        let body = format!(r#"{{"servers":[{}]}}"#, items.join(","));
        let resp = api.handle(ApiRequest::new("POST", "/_fake/servers").with_body(body));
        assert_eq!(resp.status, 201, "seeding failed");
        done += batch;
    }
    start.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median milliseconds of one page for `query`.
fn page_ms(api: &Api, token: &str, query: &str, pages: usize) -> f64 {
    let req = ApiRequest::new("GET", "/compute/v2.1/servers/detail")
        .with_query(query)
        .with_header("X-Auth-Token", token)
        .with_header("OpenStack-API-Version", "compute 2.96");
    let mut times = Vec::with_capacity(pages);
    for _ in 0..pages {
        let t = Instant::now();
        let resp = api.handle(req.clone());
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(
            resp.status,
            200,
            "{query}: {}",
            String::from_utf8_lossy(&resp.body)
        );
    }
    median(times)
}

/// The id of the server in the middle of the default listing, for a marker.
fn middle_id(api: &Api, token: &str, n: usize) -> String {
    let offset = n / 2;
    let list = |marker: Option<&str>| {
        let mut q = "limit=1000".to_owned();
        if let Some(m) = marker {
            q.push_str(&format!("&marker={m}"));
        }
        let resp = api.handle(
            ApiRequest::new("GET", "/compute/v2.1/servers")
                .with_query(&q)
                .with_header("X-Auth-Token", token),
        );
        let v: serde_json::Value = serde_json::from_slice(&resp.body).unwrap_or_default();
        v["servers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s["id"].as_str().map(str::to_owned))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let mut marker: Option<String> = None;
    let mut seen = 0;
    loop {
        let ids = list(marker.as_deref());
        if ids.is_empty() {
            return marker.unwrap_or_default();
        }
        if seen + ids.len() > offset {
            return ids[offset - seen].clone();
        }
        seen += ids.len();
        marker = ids.last().cloned();
    }
}

fn main() {
    let sizes: Vec<usize> = std::env::var("SCALE_SIZES")
        .unwrap_or_else(|_| "1000,10000,100000,1000000".to_owned())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let pages: usize = std::env::var("SCALE_PAGES")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(20);
    let queries = [
        "limit=1000",
        "limit=1000&status=SHUTOFF",
        "limit=1000&changes-since=2000-01-01T00:00:00Z",
    ];
    println!("size | seed s | RSS/server B | plain ms | status= ms | changes-since ms | marker ms");
    let mut base: Option<Vec<f64>> = None;
    for n in sizes {
        let api = Api::new(ApiConfig::default());
        let token = token(&api);
        let rss0 = rss_kib();
        let seed_s = seed(&api, n);
        let rss1 = rss_kib();
        let per_server = (rss1.saturating_sub(rss0) * 1024) as f64 / n as f64;
        let mid = middle_id(&api, &token, n);
        let mut ms: Vec<f64> = queries
            .iter()
            .map(|q| page_ms(&api, &token, q, pages))
            .collect();
        ms.push(page_ms(
            &api,
            &token,
            &format!("limit=1000&marker={mid}"),
            pages,
        ));
        let ratios: Vec<String> = match &base {
            None => vec!["1.00".into(); ms.len()],
            Some(b) => ms
                .iter()
                .zip(b)
                .map(|(m, b)| format!("{:.2}", m / b))
                .collect(),
        };
        println!(
            "{n} | {seed_s:.2} | {per_server:.0} | {:.2} ({}x) | {:.2} ({}x) | {:.2} ({}x) | {:.2} ({}x)",
            ms[0], ratios[0], ms[1], ratios[1], ms[2], ratios[2], ms[3], ratios[3]
        );
        base.get_or_insert(ms);
        drop(api);
    }
}
