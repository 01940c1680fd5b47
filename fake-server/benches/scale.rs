//! The fake at scale: the per-page cost of `GET /servers/detail?limit=1000` (plain, with
//! `status=`, with `changes-since`, and from a `marker` in the middle) at 1k … 1M servers, the
//! time to seed them through the control plane, and the fake's RSS per server.
//!
//! `cargo bench -p fake-server --bench scale` (env: `SCALE_SIZES`, default
//! `1000,10000,100000,1000000`; `SCALE_PAGES` timed pages per query, default 20). It drives the
//! shared API layer (`Api::handle`, which both HTTP edges call) in-process, so the figures are
//! the fake's own cost without sockets. Servers are seeded with two `bulk` requests (control
//! plane version 2), the second starting half way, so its first server is the middle marker.
//!
//! Per query it prints the median milliseconds of one page, the servers that page holds, and the
//! ratio to the first size **per server listed** (at 1k a `status=SHUTOFF` page holds 100
//! servers, the middle marker's 499, so their page times are not comparable as they are).
//! `changes-since` is timed twice: from 2000 (every server matches) and from a second after
//! seeding, when 100 more servers were seeded (a page of 100 that must skip the rest).

#[path = "support/rss.rs"]
mod rss;
use rss::rss_kib;

use std::time::{Duration, Instant, SystemTime};

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

/// Seeds `count` servers in ten states with one bulk request, server `i` in
/// `STATES[(from + i) % 10]`; returns the first server's id.
fn seed_bulk(api: &Api, from: usize, count: usize) -> String {
    let states: Vec<String> = (0..STATES.len())
        .map(|k| {
            let (vm, task) = STATES[(from + k) % STATES.len()];
            format!(r#"{{"vm_state":"{vm}","task_state":{task}}}"#)
        })
        .collect();
    let body = format!(
        r#"{{"bulk":{{"count":{count},"name_prefix":"s{from}-","states":[{}]}}}}"#,
        states.join(",")
    );
    let resp = api.handle(ApiRequest::new("POST", "/_fake/servers").with_body(body));
    assert_eq!(resp.status, 201, "seeding failed");
    let v: serde_json::Value = serde_json::from_slice(&resp.body).expect("JSON answer");
    v["bulk"]["first_id"].as_str().expect("first_id").to_owned()
}

/// Seeds `n` servers (two bulk requests); returns the seconds it took and the middle server.
fn seed(api: &Api, n: usize) -> (f64, String) {
    let start = Instant::now();
    seed_bulk(api, 0, n / 2);
    let middle = seed_bulk(api, n / 2, n - n / 2);
    (start.elapsed().as_secs_f64(), middle)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median milliseconds of one page for `query`, and the servers the page holds.
fn page_ms(api: &Api, token: &str, query: &str, pages: usize) -> (f64, usize) {
    let req = ApiRequest::new("GET", "/compute/v2.1/servers/detail")
        .with_query(query)
        .with_header("X-Auth-Token", token)
        .with_header("OpenStack-API-Version", "compute 2.96");
    let mut times = Vec::with_capacity(pages);
    let mut last = None;
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
        last = Some(resp);
    }
    let body = last.map(|r| r.body).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_slice(&body).expect("JSON page");
    (median(times), v["servers"].as_array().map_or(0, Vec::len))
}

/// Seeds 100 servers a second after everything else; the `changes-since` cut-off that
/// selects only them.
fn recent_cut_off(api: &Api) -> String {
    std::thread::sleep(Duration::from_millis(1100));
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let body = r#"{"bulk":{"count":100,"states":[{"vm_state":"active","task_state":null}]}}"#;
    let resp = api.handle(ApiRequest::new("POST", "/_fake/servers").with_body(body));
    assert_eq!(resp.status, 201, "seeding failed");
    let t = chrono::DateTime::from_timestamp(i64::try_from(now).expect("in range"), 0)
        .expect("valid time");
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn print_line(
    n: usize,
    seed_s: f64,
    per_server: f64,
    figures: &[(f64, usize)],
    base: &[(f64, usize)],
) {
    let cells: Vec<String> = figures
        .iter()
        .zip(base)
        .map(|((ms, listed), (b_ms, b_listed))| {
            let per = |ms: f64, listed: usize| ms / listed.max(1) as f64;
            format!(
                "{ms:.2} [{listed}] ({:.2}x)",
                per(*ms, *listed) / per(*b_ms, *b_listed)
            )
        })
        .collect();
    println!(
        "{n} | {seed_s:.2} | {per_server:.0} | {}",
        cells.join(" | ")
    );
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
    println!(
        "size | seed s | RSS/server B | plain | status=SHUTOFF | changes-since 2000 | marker (middle) | changes-since recent"
    );
    println!(
        "(each: median ms of one page [servers on it] (ratio to the first size per server listed))"
    );
    let mut base: Option<Vec<(f64, usize)>> = None;
    for n in sizes {
        let api = Api::new(ApiConfig::default());
        let token = token(&api);
        let rss0 = rss_kib();
        let (seed_s, mid) = seed(&api, n);
        let rss1 = rss_kib();
        let per_server = (rss1.saturating_sub(rss0) * 1024) as f64 / n as f64;
        let queries = [
            "limit=1000".to_owned(),
            "limit=1000&status=SHUTOFF".to_owned(),
            "limit=1000&changes-since=2000-01-01T00:00:00Z".to_owned(),
            format!("limit=1000&marker={mid}"),
        ];
        let mut figures: Vec<(f64, usize)> = queries
            .iter()
            .map(|q| page_ms(&api, &token, q, pages))
            .collect();
        let since = recent_cut_off(&api);
        figures.push(page_ms(
            &api,
            &token,
            &format!("limit=1000&changes-since={since}"),
            pages,
        ));
        print_line(
            n,
            seed_s,
            per_server,
            &figures,
            base.as_ref().unwrap_or(&figures),
        );
        base.get_or_insert(figures);
        drop(api);
    }
}
