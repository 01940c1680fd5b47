//! How fast a whole conformance run is: cases per second for `--profile all` (1,196 cases).
//!
//! `cargo bench -p harness --bench run` measures, in one process and one sitting:
//!
//! 1. **baseline**: the same number of raw `GET /servers/{id}` requests, 16 in flight, against an
//!    in-process fake — the floor any run over HTTP must pay;
//! 2. **library, embedded fake**: `Runner::execute` with the default target (three fakes started,
//!    seeded, listed and read back), no reports;
//! 3. **CLI, embedded fake**: the `harness --profile all` process end to end, start-up and all four
//!    reports included;
//! 4. **CLI, separate fake**: the same against `fake-server` started as its own process
//!    (`--target URL`), plus that server's start-up time on its own.
//!
//! Each is run `BENCH_RUNS` times (default 7); the medians and their ratio to the baseline are
//! printed. Machines here are noisy: read the ratios, not the absolute figures.

use harness::case::builtin_profiles;
use harness::runner::{RunOptions, Runner};
use harness::target::{ControlPlane, ControlPlaneOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn runs() -> usize {
    std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7)
}

fn baseline(rt: &tokio::runtime::Runtime, cases: usize) -> Duration {
    rt.block_on(async {
        let fake = fake_server::FakeServer::builder().start().await.unwrap();
        // Set-up through the harness's own control-plane client: a token and one server.
        let options = ControlPlaneOptions::default();
        let info = ControlPlane::probe(&fake.uri(), &options)
            .await
            .unwrap()
            .unwrap();
        let cp = ControlPlane::connect(&fake.uri(), info, options)
            .await
            .unwrap();
        let seeded = cp
            .seed(&[(Some("active".into()), None, "bench".into())])
            .await
            .unwrap();
        let url = format!("{}/servers/{}", cp.info().compute_url, seeded[0].id);
        let token = cp.token().to_owned();
        let http = reqwest::Client::new();
        let start = Instant::now();
        let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(16));
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..cases {
            let permit = sem.clone().acquire_owned().await.unwrap();
            let (http, url, token) = (http.clone(), url.clone(), token.clone());
            set.spawn(async move {
                let _p = permit;
                let r = http
                    .get(&url)
                    .header("X-Auth-Token", token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                r.bytes().await.unwrap();
            });
        }
        while set.join_next().await.is_some() {}
        start.elapsed()
    })
}

fn library_run(rt: &tokio::runtime::Runtime) -> (Duration, usize) {
    let start = Instant::now();
    let report = rt
        .block_on(
            Runner::new(RunOptions {
                profiles: builtin_profiles(),
                ..RunOptions::default()
            })
            .execute(|_| {}),
        )
        .unwrap();
    assert!(report.cases.iter().all(|c| c.outcome.as_str() == "pass"));
    (start.elapsed(), report.cases.len())
}

fn cli_run(extra: &[&str], dir: &Path) -> Duration {
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(["--profile", "all", "--quiet", "--report-dir"])
        .arg(dir)
        .args(extra)
        .status()
        .unwrap();
    let took = start.elapsed();
    assert!(status.success(), "harness exited {status}");
    took
}

fn fake_server_binary() -> PathBuf {
    let harness = PathBuf::from(env!("CARGO_BIN_EXE_harness"));
    let bin = harness.with_file_name("fake-server");
    if !bin.exists() {
        let profile = if harness.to_string_lossy().contains("/release/") {
            vec!["--release"]
        } else {
            vec![]
        };
        let ok = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "fake-server"])
            .args(profile)
            .status()
            .unwrap();
        assert!(ok.success(), "failed to build fake-server");
    }
    bin
}

/// Starts `fake-server` on an ephemeral port; returns the child, its base URL and start-up time.
fn start_fake(bin: &Path) -> (std::process::Child, String, Duration) {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(["--listen", "127.0.0.1:0", "--profile", "ecs-openstack"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let url = fake_server::banner::read_base_url(child.stdout.take().unwrap())
        .expect("fake-server prints its base URL");
    (child, url, start.elapsed())
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let n = runs();
    let dir = std::env::temp_dir().join(format!("harness-bench-{}", std::process::id()));
    let cases = library_run(&rt).1; // warm-up, and the case count

    let base: Vec<Duration> = (0..n).map(|_| baseline(&rt, cases)).collect();
    let lib: Vec<Duration> = (0..n).map(|_| library_run(&rt).0).collect();
    let cli: Vec<Duration> = (0..n).map(|_| cli_run(&[], &dir)).collect();
    let bin = fake_server_binary();
    let mut startup = Vec::new();
    let mut separate = Vec::new();
    for _ in 0..n {
        let (mut child, url, up) = start_fake(&bin);
        startup.push(up);
        // A separately started fake has one profile: run the default profile's cases against it.
        let start = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_harness"))
            .args(["--quiet", "--target", &url, "--report-dir"])
            .arg(&dir)
            .status()
            .unwrap();
        separate.push(start.elapsed());
        assert!(status.success());
        let _ = child.kill();
        let _ = child.wait();
    }
    let _ = std::fs::remove_dir_all(&dir);

    let b = median(base);
    let row = |name: &str, cases: usize, d: Duration| {
        println!(
            "{name:<44} {:>9.1} ms  {:>8.0} cases/s  {:>5.2}x baseline",
            d.as_secs_f64() * 1e3,
            cases as f64 / d.as_secs_f64(),
            d.as_secs_f64() / b.as_secs_f64()
        );
    };
    println!("medians of {n} runs, {cases} cases (--profile all)");
    row("baseline: raw GET /servers/{id}, 16 in flight", cases, b);
    row("library, embedded fake (3 profiles)", cases, median(lib));
    row(
        "CLI process, embedded fake, reports written",
        cases,
        median(cli),
    );
    row(
        "CLI process, separate fake (ecs-openstack)",
        388,
        median(separate),
    );
    println!(
        "{:<44} {:>9.1} ms",
        "fake-server process start-up",
        median(startup).as_secs_f64() * 1e3
    );
}
