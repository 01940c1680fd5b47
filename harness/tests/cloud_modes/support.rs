//! Shared helpers: a fake cloud (in-process, optionally without control plane), clouds.yaml
//! fixtures in a tempdir, the harness binary with a clean environment, and a public-API client.

use fake_server::{FakeServer, Profile};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// The password every clouds.yaml fixture carries: distinctive, so a grep finds any leak.
pub(crate) const PASSWORD: &str = "Pw-Leak-Canary-7c1e9a";

/// A fake cloud for one test.
pub(crate) struct Cloud {
    /// Kept alive for the test.
    pub(crate) _fake: FakeServer,
    pub(crate) base: String,
    pub(crate) dir: tempfile::TempDir,
    http: reqwest::Client,
    token: String,
}

/// How the fake should behave.
pub(crate) struct FakeSetup {
    pub(crate) control: bool,
    pub(crate) step_ms: u64,
    pub(crate) reclaim: Option<Duration>,
}

impl FakeSetup {
    /// No control plane, 20 ms task steps, no reclaim: what most tests need.
    pub(crate) const PLAIN: FakeSetup = FakeSetup {
        control: false,
        step_ms: 20,
        reclaim: None,
    };

    /// This setup with a control plane.
    pub(crate) const fn with_control(self) -> FakeSetup {
        FakeSetup {
            control: true,
            ..self
        }
    }

    /// This setup with `ms` per task step.
    pub(crate) const fn with_step_ms(self, ms: u64) -> FakeSetup {
        FakeSetup {
            step_ms: ms,
            ..self
        }
    }

    /// This setup reclaiming soft-deleted servers every `interval`.
    pub(crate) const fn with_reclaim(self, interval: Duration) -> FakeSetup {
        FakeSetup {
            reclaim: Some(interval),
            ..self
        }
    }
}

impl Cloud {
    /// Starts a nova-profile fake and writes `clouds.yaml` (cloud `fake`, password auth).
    pub(crate) async fn start(setup: FakeSetup) -> Cloud {
        let mut builder = FakeServer::builder()
            .profile(Profile::Nova)
            .control(setup.control)
            .step(Duration::from_millis(setup.step_ms));
        if let Some(r) = setup.reclaim {
            builder = builder.reclaim_interval(r);
        }
        let fake = builder.start().await.expect("fake starts");
        let base = fake.uri();
        let dir = tempfile::tempdir().unwrap();
        let http = harness::client::http_client(&harness::client::TlsOptions::default()).unwrap();
        let token = admin_token(&http, &base).await;
        let cloud = Cloud {
            _fake: fake,
            base,
            dir,
            http,
            token,
        };
        cloud.write_clouds_yaml(&format!(
            "clouds:\n  fake:\n    auth:\n      auth_url: {}/identity/v3\n      username: admin\n      \
             password: {PASSWORD}\n      project_name: admin\n      user_domain_name: Default\n      \
             project_domain_name: Default\n",
            cloud.base
        ));
        cloud
    }

    /// A [`FakeSetup::PLAIN`] fake.
    pub(crate) async fn plain() -> Cloud {
        Cloud::start(FakeSetup::PLAIN).await
    }

    /// A fake set up as `setup`, holding one ACTIVE server named `name`.
    pub(crate) async fn with_active_server(setup: FakeSetup, name: &str) -> Cloud {
        let cloud = Cloud::start(setup).await;
        let id = cloud.create(name, json!({})).await;
        cloud.wait_for(&id, "ACTIVE").await;
        cloud
    }

    /// Replaces `clouds.yaml`.
    pub(crate) fn write_clouds_yaml(&self, text: &str) {
        std::fs::write(self.clouds_yaml(), text).unwrap();
    }

    pub(crate) fn clouds_yaml(&self) -> PathBuf {
        self.dir.path().join("clouds.yaml")
    }

    pub(crate) fn reports(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// An admin token from the fake's Keystone (for the public API and token fixtures).
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// `METHOD {base}/compute/v2.1/{path}` as admin with microversion 2.96.
    pub(crate) async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/compute/v2.1/{path}", self.base))
            .header("X-Auth-Token", &self.token)
            .header("OpenStack-API-Version", "compute 2.96");
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Creates a server through the public API; returns its id.
    pub(crate) async fn create(&self, name: &str, metadata: Value) -> String {
        let (status, body) = self
            .api(
                reqwest::Method::POST,
                "servers",
                Some(json!({"server": {"name": name, "flavorRef": "1",
                    "imageRef": "70a599e0-31e7-49b7-b260-868f441e862b", "networks": "none",
                    "metadata": metadata}})),
            )
            .await;
        assert_eq!(status, 202, "{body}");
        body["server"]["id"].as_str().unwrap().to_owned()
    }

    pub(crate) async fn action(&self, id: &str, body: Value) {
        let (status, answer) = self
            .api(
                reqwest::Method::POST,
                &format!("servers/{id}/action"),
                Some(body),
            )
            .await;
        assert!(status == 202 || status == 204, "{status} {answer}");
    }

    pub(crate) async fn show(&self, id: &str) -> (u16, Value) {
        self.api(reqwest::Method::GET, &format!("servers/{id}"), None)
            .await
    }

    /// Waits until the server shows `status` with no task.
    pub(crate) async fn wait_for(&self, id: &str, status: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (_, body) = self.show(id).await;
            if body["server"]["status"] == status
                && body["server"]["OS-EXT-STS:task_state"].is_null()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{id} never became {status}: {body}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Every server as admin across projects: the default listing plus the soft-deleted ones.
    /// `deleted=True` also lists destroyed servers as `DELETED` rows (Nova keeps them, and so
    /// does the fake); those are gone, so they are left out.
    pub(crate) async fn all_servers(&self) -> Vec<Value> {
        let mut all = Vec::new();
        for query in ["all_tenants=1", "all_tenants=1&deleted=True"] {
            let (status, body) = self
                .api(
                    reqwest::Method::GET,
                    &format!("servers/detail?{query}"),
                    None,
                )
                .await;
            assert_eq!(status, 200, "{body}");
            all.extend(
                body["servers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|s| s["status"] != "DELETED")
                    .cloned(),
            );
        }
        all
    }

    /// The string `field` (e.g. `id`, `name`) of every server in [`Cloud::all_servers`].
    pub(crate) async fn all_server_fields(&self, field: &str) -> Vec<String> {
        self.all_servers()
            .await
            .iter()
            .map(|s| s[field].as_str().unwrap().to_owned())
            .collect()
    }

    /// POSTs a control-plane request (fakes with control only).
    pub(crate) async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}/_fake/{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        assert!(resp.status().is_success(), "{}", resp.status());
        resp.json().await.unwrap_or(Value::Null)
    }

    /// Adds a fault rule (fakes with control only).
    pub(crate) async fn fault(&self, rule: Value) {
        self.control(reqwest::Method::POST, "faults", Some(rule))
            .await;
    }

    /// Empties the request journal (fakes with control only).
    pub(crate) async fn clear_journal(&self) {
        self.control(reqwest::Method::DELETE, "journal", None).await;
    }

    /// The journal's requests (fakes with control only).
    pub(crate) async fn journal(&self) -> Vec<Value> {
        let journal = self.control(reqwest::Method::GET, "journal", None).await;
        journal["requests"].as_array().unwrap().clone()
    }

    /// Runs the harness binary with `args` plus `--report-dir` set to [`Cloud::reports`] of
    /// `report`; returns that directory and the run.
    pub(crate) async fn run_reported(
        &self,
        report: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> (PathBuf, Run) {
        let dir = self.reports(report);
        let mut all = args.to_vec();
        all.extend(["--report-dir", dir.to_str().unwrap()]);
        let run = self.harness(&all, env).await;
        (dir, run)
    }

    /// Observe mode on cloud `fake` with profile nova, reports in `report`.
    pub(crate) async fn observe_nova(&self, report: &str) -> (PathBuf, Run) {
        self.run_reported(report, &["--os-cloud", "fake", "--profile", "nova"], &[])
            .await
    }

    /// Runs the harness binary with `args` and a clean environment plus `env`.
    pub(crate) async fn harness(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let bin = env!("CARGO_BIN_EXE_harness");
        let mut cmd = std::process::Command::new(bin);
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("OS_CLIENT_CONFIG_FILE", self.clouds_yaml())
            .current_dir(self.dir.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let output = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        Run {
            output,
            took: started.elapsed(),
        }
    }
}

/// A finished harness process.
pub(crate) struct Run {
    pub(crate) output: Output,
    pub(crate) took: Duration,
}

impl Run {
    pub(crate) fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    /// Asserts the exit code, showing stdout and stderr when it differs.
    #[track_caller]
    pub(crate) fn assert_code(&self, code: i32) {
        assert_eq!(
            self.code(),
            code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
    }
}

async fn admin_token(http: &reqwest::Client, base: &str) -> String {
    let body = json!({"auth": {"identity": {"methods": ["password"], "password": {"user":
        {"name": "admin", "password": "x", "domain": {"name": "Default"}}}},
        "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}});
    let resp = http
        .post(format!("{base}/identity/v3/auth/tokens"))
        .json(&body)
        .send()
        .await
        .unwrap();
    resp.headers()["x-subject-token"]
        .to_str()
        .unwrap()
        .to_owned()
}

/// The results.json in `dir`.
pub(crate) fn results(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("results.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The cases of a results.json.
pub(crate) fn cases(dir: &Path) -> Vec<Value> {
    results(dir)["cases"].as_array().unwrap().clone()
}

/// The case with this id.
pub(crate) fn case<'a>(cases: &'a [Value], id: &str) -> &'a Value {
    cases
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no case {id}"))
}
