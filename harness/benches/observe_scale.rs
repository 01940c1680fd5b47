//! Observe mode at cloud scale: wall time, peak memory and requests against a big fake cloud.
//!
//! `cargo bench -p harness --bench observe_scale` (env: `BENCH_SIZES`, servers per size,
//! default `10000,100000,1000000`; `BENCH_RUNS`, runs per size, default 3; 0 measures the fake and
//! the walk only). For each size it:
//!
//! 1. starts the standalone `fake-server` (release build, `--profile nova`) and seeds that many
//!    servers of one project, in ten states, through the control plane (timed; two `bulk`
//!    requests, the compact form of `POST /_fake/servers`), and reads the
//!    fake's RSS before and after, so the cost of one server is known;
//! 2. times single `GET /servers/detail?limit=1000` pages (the first, one at a marker half way
//!    down, `status=ACTIVE`, `changes-since`): a fake whose page cost grows with the cloud would
//!    make every figure below a measure of the fake;
//! 3. alternates, `BENCH_RUNS` times, **the baseline** (one plain walk of
//!    `/servers/detail?limit=1000`, each page parsed into `serde_json::Value` as a generic
//!    client would, following `next` links), **the floor** (the same walk, each page skimmed
//!    for its `next` link only) and **observe
//!    mode** (the `harness --os-cloud bench --profile nova` process, with a clouds.yaml it
//!    writes), recording the harness's peak RSS (its `VmHWM`, polled until it exits) and the
//!    requests it sent (from the fake's journal).
//!
//! `BENCH_HARNESS=PATH` and `BENCH_FAKE=PATH` run other builds of either binary (say, copies
//! of an older commit's) against the same figures; the fake must have control plane version 2
//! (bulk seeding).
//!
//! Medians are printed with the ratio observe / walk. The machine is shared: read the ratios,
//! and the load average printed with them.

use harness::target::{ControlPlane, ControlPlaneOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Ten (vm_state, task_state) pairs, ten different statuses under the `nova` profile.
const STATES: [(&str, Option<&str>); 10] = [
    ("active", None),
    ("stopped", None),
    ("paused", None),
    ("suspended", None),
    ("error", None),
    ("rescued", None),
    ("resized", None),
    ("shelved", None),
    ("building", Some("spawning")),
    ("active", Some("rebooting")),
];

fn env_list(name: &str, default: &str) -> Vec<usize> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_owned())
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .unwrap_or_else(|_| panic!("{name}: `{s}` is not a number"))
        })
        .collect()
}

fn median<T: PartialOrd + Copy>(mut xs: Vec<T>) -> T {
    xs.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_owned())
}

/// `VmRSS` or `VmHWM` of a process, in KiB.
fn proc_kib(pid: u32, field: &str) -> u64 {
    proc_kib_opt(pid, field).unwrap_or(0)
}

/// `VmRSS` or `VmHWM` of a process, in KiB; `None` once it has exited (or is a zombie).
fn proc_kib_opt(pid: u32, field: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
}

/// The harness binary: `BENCH_HARNESS` (e.g. a copy of an older build, to compare), else the one
/// cargo built for this bench.
fn harness_binary() -> PathBuf {
    std::env::var_os("BENCH_HARNESS").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_harness")),
        PathBuf::from,
    )
}

/// `BENCH_FAKE`, else the release `fake-server` next to the harness binary cargo built for this
/// bench (built now if needed).
fn fake_server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("BENCH_FAKE") {
        return PathBuf::from(path);
    }
    let harness = PathBuf::from(env!("CARGO_BIN_EXE_harness"));
    let bin = harness.with_file_name("fake-server");
    let release = harness.to_string_lossy().contains("/release/");
    let ok = Command::new(env!("CARGO"))
        .args(["build", "-q", "-p", "fake-server", "--bin", "fake-server"])
        .args(release.then_some("--release"))
        .status()
        .expect("cargo runs");
    assert!(ok.success(), "failed to build fake-server");
    bin
}

/// A started fake and the base URL it printed.
struct Fake {
    child: Child,
    url: String,
}

impl Fake {
    fn start(bin: &Path) -> Fake {
        let mut child = Command::new(bin)
            .args(["--listen", "127.0.0.1:0", "--profile", "nova"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("fake-server starts");
        let url = fake_server::banner::read_base_url(child.stdout.take().expect("piped"))
            .expect("fake-server prints its base URL");
        Fake { child, url }
    }

    fn rss_kib(&self) -> u64 {
        proc_kib(self.child.id(), "VmRSS:")
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What seeding measured, and what the page timings need.
struct Seeded {
    took: Duration,
    rss_before_kib: u64,
    rss_after_kib: u64,
    middle_id: String,
}

async fn connect(url: &str) -> ControlPlane {
    let options = ControlPlaneOptions {
        timeout: Duration::from_secs(120),
        ..ControlPlaneOptions::default()
    };
    let info = ControlPlane::probe(url, &options)
        .await
        .expect("fake reachable")
        .expect("fake has its control plane");
    ControlPlane::connect(url, info, options)
        .await
        .expect("control-plane token")
}

/// Seeds `n` servers in two bulk requests (control plane version 2): the first server of the
/// second sits half way down the walk (listings are newest first), for the marker page.
async fn seed(cp: &ControlPlane, fake: &Fake, n: usize) -> Seeded {
    let rss_before_kib = fake.rss_kib();
    let started = Instant::now();
    let mut middle_id = String::new();
    let half = n / 2;
    for (part, (from, count)) in [(0, half), (half, n - half)].into_iter().enumerate() {
        if count == 0 {
            continue;
        }
        // Rotated so that server i is in STATES[i % 10] across both requests.
        let states: Vec<(Option<String>, Option<String>)> = (0..STATES.len())
            .map(|k| {
                let (vm, task) = STATES[(from + k) % STATES.len()];
                (Some(vm.to_owned()), task.map(str::to_owned))
            })
            .collect();
        let prefix = format!("bench-{part}-");
        let seeded = cp
            .seed_bulk(count, &states, &prefix)
            .await
            .expect("seeding succeeds");
        if part == 1 {
            middle_id = seeded.first_id;
        }
    }
    Seeded {
        took: started.elapsed(),
        rss_before_kib,
        rss_after_kib: fake.rss_kib(),
        middle_id,
    }
}

/// One GET with the control plane's token; the body parsed.
async fn get_page(http: &reqwest::Client, token: &str, url: &str) -> Value {
    let resp = http
        .get(url)
        .header("X-Auth-Token", token)
        .header("OpenStack-API-Version", "compute 2.96")
        .send()
        .await
        .expect("GET succeeds");
    assert!(resp.status().is_success(), "GET {url}: {}", resp.status());
    serde_json::from_slice(&resp.bytes().await.expect("body")).expect("JSON page")
}

/// The baseline: one plain walk of `/servers/detail?limit=1000`; returns (time, servers, pages).
async fn walk(http: &reqwest::Client, token: &str, compute: &str) -> (Duration, usize, usize) {
    let started = Instant::now();
    let mut url = format!("{compute}/servers/detail?limit=1000");
    let (mut servers, mut pages) = (0, 0);
    loop {
        let page = get_page(http, token, &url).await;
        pages += 1;
        servers += page["servers"].as_array().map_or(0, Vec::len);
        let next = page["servers_links"].as_array().and_then(|links| {
            links
                .iter()
                .find(|l| l["rel"] == "next")
                .and_then(|l| l["href"].as_str())
        });
        match next {
            Some(href) => url = href.to_owned(),
            None => return (started.elapsed(), servers, pages),
        }
    }
}

/// The floor: the same walk, each page skimmed for its `next` link only (servers counted, not
/// read); returns (time, servers).
async fn walk_skim(http: &reqwest::Client, token: &str, compute: &str) -> (Duration, usize) {
    #[derive(serde::Deserialize)]
    struct Skim {
        servers: Vec<serde::de::IgnoredAny>,
        #[serde(default)]
        servers_links: Vec<Value>,
    }
    let started = Instant::now();
    let mut url = format!("{compute}/servers/detail?limit=1000");
    let mut servers = 0;
    loop {
        let resp = http
            .get(&url)
            .header("X-Auth-Token", token)
            .header("OpenStack-API-Version", "compute 2.96")
            .send()
            .await
            .expect("GET succeeds");
        let page: Skim = serde_json::from_slice(&resp.bytes().await.expect("body")).expect("page");
        servers += page.servers.len();
        let next = page
            .servers_links
            .iter()
            .find(|l| l["rel"] == "next")
            .and_then(|l| l["href"].as_str());
        match next {
            Some(href) => url = href.to_owned(),
            None => return (started.elapsed(), servers),
        }
    }
}

/// Median time of single pages: plain, at a marker, `status=ACTIVE`, `changes-since`.
async fn page_costs(http: &reqwest::Client, token: &str, compute: &str, marker: &str) -> [f64; 4] {
    let queries = [
        "limit=1000".to_owned(),
        format!("limit=1000&marker={marker}"),
        "limit=1000&status=ACTIVE".to_owned(),
        "limit=1000&changes-since=2000-01-01T00:00:00Z".to_owned(),
    ];
    let mut out = [0.0; 4];
    for (slot, query) in out.iter_mut().zip(&queries) {
        let url = format!("{compute}/servers/detail?{query}");
        let mut times = Vec::new();
        for _ in 0..7 {
            let started = Instant::now();
            get_page(http, token, &url).await;
            times.push(ms(started.elapsed()));
        }
        *slot = median(times);
    }
    out
}

/// The newest journal sequence number (requests the fake received so far).
async fn journal_seq(http: &reqwest::Client, base: &str) -> u64 {
    let page = get_page(http, "", &format!("{base}/_fake/journal")).await;
    page["requests"]
        .as_array()
        .and_then(|r| r.last())
        .and_then(|e| e["seq"].as_u64())
        .unwrap_or(0)
}

/// One observe run of the harness CLI: (wall time, peak RSS KiB, exit code).
fn observe(harness: &Path, dir: &Path) -> (Duration, u64, i32) {
    let started = Instant::now();
    let child = Command::new(harness)
        .args(["--os-cloud", "bench", "--profile", "nova", "--quiet"])
        .arg("--report-dir")
        .arg(dir.join("reports"))
        .env("OS_CLIENT_CONFIG_FILE", dir.join("clouds.yaml"))
        .env_remove("OS_CLOUD")
        .env_remove("OS_AUTH_URL")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("stderr.txt")).expect("stderr file"))
        .spawn()
        .expect("harness starts");
    let pid = libc::pid_t::try_from(child.id()).expect("pid fits");
    // The harness's own high-water mark (VmHWM of its address space), read until it exits:
    // `ru_maxrss` also counts the pages of the bench process the child shared before its exec,
    // which grow with the bench's heap from run to run.
    let hwm = std::thread::spawn({
        let child_pid = child.id();
        move || {
            let mut last = 0;
            loop {
                match proc_kib_opt(child_pid, "VmHWM:") {
                    Some(kib) if kib > 0 => last = kib,
                    _ => return last,
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    });
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child, which std never reaps
    // (the Child is forgotten below).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let took = started.elapsed();
    std::mem::forget(child);
    assert_eq!(rc, pid, "wait4 failed");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let hwm = hwm.join().unwrap_or(0);
    // A run too short to be sampled falls back to ru_maxrss.
    let peak = if hwm > 0 {
        hwm
    } else {
        u64::try_from(usage.ru_maxrss).unwrap_or(0)
    };
    (took, peak, code)
}

fn write_clouds_yaml(dir: &Path, base: &str) {
    std::fs::create_dir_all(dir).expect("temp dir");
    let yaml = format!(
        "clouds:\n  bench:\n    auth: {{auth_url: {base}/identity/v3, username: admin, \
         password: conformance,\n           project_name: admin, user_domain_name: Default, \
         project_domain_name: Default}}\n"
    );
    std::fs::write(dir.join("clouds.yaml"), yaml).expect("clouds.yaml written");
}

/// Per-run figures of one size.
#[derive(Default)]
struct Runs {
    walk_ms: Vec<f64>,
    skim_ms: Vec<f64>,
    observe_ms: Vec<f64>,
    ratio: Vec<f64>,
    skim_ratio: Vec<f64>,
    rss_kib: Vec<u64>,
    requests: Vec<u64>,
    codes: Vec<i32>,
}

async fn measure(bin: &Path, harness: &Path, n: usize, runs: usize, dir: &Path) {
    let fake = Fake::start(bin);
    let cp = connect(&fake.url).await;
    let seeded = seed(&cp, &fake, n).await;
    let http = reqwest::Client::new();
    let compute = cp.info().compute_url.trim_end_matches('/').to_owned();
    let token = cp.token().to_owned();
    let pages = page_costs(&http, &token, &compute, &seeded.middle_id).await;
    write_clouds_yaml(dir, &fake.url);
    let mut r = Runs::default();
    let mut walked = (0, 0);
    for run in 0..runs.max(1) {
        let (took, servers, pages) = walk(&http, &token, &compute).await;
        walked = (servers, pages);
        r.walk_ms.push(ms(took));
        let (skim, skimmed) = walk_skim(&http, &token, &compute).await;
        assert_eq!(skimmed, servers);
        r.skim_ms.push(ms(skim));
        if run >= runs {
            break; // BENCH_RUNS=0: the fake and the walk only
        }
        let before = journal_seq(&http, &fake.url).await;
        let (obs, rss, code) = tokio::task::block_in_place(|| observe(harness, dir));
        let after = journal_seq(&http, &fake.url).await;
        r.observe_ms.push(ms(obs));
        r.ratio.push(obs.as_secs_f64() / took.as_secs_f64());
        r.skim_ratio
            .push(obs.as_secs_f64() / (r.skim_ms[run] / 1e3));
        r.rss_kib.push(rss);
        r.requests.push(after - before);
        r.codes.push(code);
        if code != 0 {
            let stderr = std::fs::read_to_string(dir.join("stderr.txt")).unwrap_or_default();
            panic!("observe mode exited {code} on a conformant fake: {stderr}");
        }
    }
    assert_eq!(walked.0, n, "the walk saw every seeded server");
    print_size(n, &seeded, fake.rss_kib(), pages, walked.1, &r);
}

fn print_size(n: usize, s: &Seeded, fake_rss: u64, pages: [f64; 4], walk_pages: usize, r: &Runs) {
    let per_server = (s.rss_after_kib.saturating_sub(s.rss_before_kib) as f64 * 1024.0) / n as f64;
    println!("== {n} servers (load average {})", load_average());
    println!(
        "fake: seeded in {:.0} ms ({:.0} servers/s); RSS {:.1} MB after seeding, {:.0} B/server \
         ({:.1} MB now)",
        ms(s.took),
        n as f64 / s.took.as_secs_f64(),
        s.rss_after_kib as f64 / 1024.0,
        per_server,
        fake_rss as f64 / 1024.0
    );
    println!(
        "fake page (limit=1000, median of 7): plain {:.1} ms, marker {:.1} ms, status=ACTIVE \
         {:.1} ms, changes-since {:.1} ms",
        pages[0], pages[1], pages[2], pages[3]
    );
    println!(
        "walk ({walk_pages} pages, each parsed): median {:.0} ms of {:?}",
        median(r.walk_ms.clone()),
        r.walk_ms.iter().map(|x| x.round()).collect::<Vec<_>>()
    );
    println!(
        "walk skimmed (next link only): median {:.0} ms of {:?}",
        median(r.skim_ms.clone()),
        r.skim_ms.iter().map(|x| x.round()).collect::<Vec<_>>()
    );
    if r.observe_ms.is_empty() {
        return;
    }
    println!(
        "observe: median {:.0} ms of {:?}; ratio to the walk: median {:.2} of {:?}",
        median(r.observe_ms.clone()),
        r.observe_ms.iter().map(|x| x.round()).collect::<Vec<_>>(),
        median(r.ratio.clone()),
        r.ratio
            .iter()
            .map(|x| (x * 100.0).round() / 100.0)
            .collect::<Vec<_>>()
    );
    println!(
        "observe / skimmed walk: median {:.2} of {:?}",
        median(r.skim_ratio.clone()),
        r.skim_ratio
            .iter()
            .map(|x| (x * 100.0).round() / 100.0)
            .collect::<Vec<_>>()
    );
    println!(
        "observe: peak RSS median {:.1} MB of {:?} MB; requests {:?}; exit codes {:?}",
        median(r.rss_kib.clone()) as f64 / 1024.0,
        r.rss_kib
            .iter()
            .map(|k| (*k as f64 / 102.4).round() / 10.0)
            .collect::<Vec<_>>(),
        r.requests,
        r.codes
    );
}

fn main() {
    let sizes = env_list("BENCH_SIZES", "10000,100000,1000000");
    let runs = env_list("BENCH_RUNS", "3")[0];
    let bin = fake_server_binary();
    let harness = harness_binary();
    let dir = std::env::temp_dir().join(format!("observe-scale-{}", std::process::id()));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    println!(
        "observe at scale: {runs} run(s) per size, medians; {} CPUs, load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
    for n in sizes {
        rt.block_on(measure(&bin, &harness, n, runs, &dir));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
