//! The runner: seeds cases into a target, reads them back, judges them.

use super::compat::compatibility;
use super::filter::{CaseFilter, FilterError};
use super::verdict::judge;
use crate::case::{Case, Profile, builtin_profiles};
use crate::outcome::{CaseResult, Observation, Outcome, Seen};
use crate::report::{Implementation, ProfileRun, RunReport};
use crate::target::adapter::{
    AdapterOptions, AdapterTarget, Capability, FetchInfo, TargetError as AdapterError,
};
use crate::target::{
    ControlPlane, ControlPlaneError, ControlPlaneOptions, SeededServer, ServerView, TargetSpec,
};
use chrono::{DateTime, FixedOffset, Local};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::task::{Id, JoinSet};

/// Everything a run needs to know.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Where observations come from.
    pub target: TargetSpec,
    /// The profiles whose cases run, in order.
    pub profiles: Vec<Profile>,
    /// `--filter` patterns (empty: every case).
    pub filters: Vec<String>,
    /// How many reads are in flight at once.
    pub concurrency: usize,
    /// Per-request (or per-adapter-message) timeout.
    pub timeout: Duration,
    /// Stop after this many failures and errors; the rest are skipped.
    pub max_fail: Option<usize>,
    /// `VM/TASK=STATUS` overrides for the embedded fake (to emulate a quirky cloud).
    pub fake_deviations: Vec<String>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            target: TargetSpec::Fake,
            profiles: Vec::new(),
            filters: Vec::new(),
            concurrency: 16,
            timeout: Duration::from_secs(10),
            max_fail: None,
            fake_deviations: Vec::new(),
        }
    }
}

/// What the runner tells its caller while it works.
#[derive(Debug)]
pub enum RunEvent<'a> {
    /// The run is about to start `total` cases.
    Started {
        /// Cases selected across all profiles.
        total: usize,
    },
    /// A profile's cases are about to run.
    ProfileStarted {
        /// The profile.
        profile: &'a str,
        /// Its selected cases.
        cases: usize,
    },
    /// A case has its verdict.
    CaseFinished(&'a CaseResult),
}

/// The run could not happen at all (as opposed to cases failing).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// `--filter` was malformed.
    #[error(transparent)]
    Filter(#[from] FilterError),
    /// No case was selected.
    #[error("no case selected: check --profile and --filter (`harness cases list` shows the ids)")]
    NoCases,
    /// The embedded fake could not start.
    #[error("failed to start the embedded fake server for profile `{profile}`: {message}")]
    FakeStart {
        /// The profile.
        profile: String,
        /// Why.
        message: String,
    },
    /// The target could not be reached or refused the control plane.
    #[error("failed to use target {target}: {source}")]
    Target {
        /// The target, redacted.
        target: String,
        /// The cause.
        #[source]
        source: ControlPlaneError,
    },
    /// The URL has no control plane, and full-table runs need one.
    #[error(
        "target {0} offers no control plane (GET /_fake/ did not answer as the fake server does): full-table runs need one; start the target as `fake-server` without --no-control, or use observe mode against a cloud (--os-cloud)"
    )]
    NoControlPlane(String),
    /// The adapter could not be started or failed its handshake.
    #[error("failed to start adapter `{command}`")]
    Adapter {
        /// The adapter command.
        command: String,
        /// The protocol step that failed.
        #[source]
        source: AdapterError,
    },
}

/// Runs cases against a target.
#[derive(Debug)]
pub struct Runner {
    options: RunOptions,
}

struct Progress<'f> {
    on_event: &'f mut dyn FnMut(&RunEvent<'_>),
    failures: Arc<AtomicUsize>,
    max_fail: Option<usize>,
    results: Vec<CaseResult>,
}

impl Progress<'_> {
    fn stopped(&self) -> bool {
        self.max_fail
            .is_some_and(|m| self.failures.load(Ordering::SeqCst) >= m)
    }

    fn record(&mut self, result: CaseResult) {
        if matches!(result.outcome, Outcome::Fail | Outcome::Error) {
            self.failures.fetch_add(1, Ordering::SeqCst);
        }
        (self.on_event)(&RunEvent::CaseFinished(&result));
        self.results.push(result);
    }
}

impl Runner {
    /// A runner for these options.
    pub fn new(options: RunOptions) -> Runner {
        Runner { options }
    }

    /// Runs every selected case and returns the finished report.
    ///
    /// Cases that fail or error are outcomes in the report, not errors; `Err` means the run
    /// could not happen (bad filter, no case selected, target unreachable).
    pub async fn execute(
        self,
        mut on_event: impl FnMut(&RunEvent<'_>),
    ) -> Result<RunReport, RunError> {
        let started = now();
        let filter = CaseFilter::new(&self.options.filters)?;
        let selected: Vec<(Profile, Vec<Case>)> = self
            .options
            .profiles
            .iter()
            .map(|p| {
                let cases = p
                    .cases()
                    .into_iter()
                    .filter(|c| filter.matches(c.id.as_str()));
                (p.clone(), cases.collect::<Vec<_>>())
            })
            .filter(|(_, cases)| !cases.is_empty())
            .collect();
        let total: usize = selected.iter().map(|(_, c)| c.len()).sum();
        if total == 0 {
            return Err(RunError::NoCases);
        }
        on_event(&RunEvent::Started { total });
        let mut progress = Progress {
            on_event: &mut on_event,
            failures: Arc::new(AtomicUsize::new(0)),
            max_fail: self.options.max_fail,
            results: Vec::with_capacity(total),
        };
        let mut implementation: Option<Implementation> = None;
        let mut properties: Vec<(String, String)> = Vec::new();
        let mut warnings: Vec<String> = Vec::new();
        let mut fetches = false;
        let run_tag = format!("conf-{}", started.timestamp_millis());
        match &self.options.target {
            TargetSpec::Fake => {
                for (profile, cases) in &selected {
                    (progress.on_event)(&RunEvent::ProfileStarted {
                        profile: profile.name(),
                        cases: cases.len(),
                    });
                    let fake = self.start_fake(profile).await?;
                    let base = fake.uri();
                    let cp = self.connect(&base).await?;
                    self.run_control(&cp, cases, &run_tag, &mut progress).await;
                }
            }
            TargetSpec::Url(base) => {
                let cp = self.connect(base).await?;
                for (profile, cases) in &selected {
                    (progress.on_event)(&RunEvent::ProfileStarted {
                        profile: profile.name(),
                        cases: cases.len(),
                    });
                    self.run_control(&cp, cases, &run_tag, &mut progress).await;
                }
            }
            TargetSpec::Adapter(cmd) => {
                let options = AdapterOptions::new(self.options.timeout);
                let mut adapter = AdapterTarget::start(cmd, options).await.map_err(|source| {
                    RunError::Adapter {
                        command: cmd.clone(),
                        source,
                    }
                })?;
                implementation = Some(adapter.implementation().clone());
                fetches = adapter.capabilities().contains(&Capability::Fetch);
                let capabilities: Vec<&str> =
                    adapter.capabilities().iter().map(|c| c.as_str()).collect();
                properties.push(("adapter.capabilities".into(), capabilities.join(",")));
                for (profile, cases) in &selected {
                    (progress.on_event)(&RunEvent::ProfileStarted {
                        profile: profile.name(),
                        cases: cases.len(),
                    });
                    // The fake serves each case's server: derive adapters get its JSON, fetch
                    // adapters read it back through their SDK.
                    let fake = self.start_fake(profile).await?;
                    let cp = self.connect(&fake.uri()).await?;
                    self.run_adapter(&cp, &mut adapter, cases, &run_tag, &mut progress)
                        .await;
                }
                properties.push(("adapter.restarts".into(), adapter.restarts().to_string()));
                if adapter.restarts() > 0 {
                    warnings.push(format!(
                        "the adapter was restarted {} time(s) after crashing, hanging or breaking the protocol",
                        adapter.restarts()
                    ));
                }
                if let Err(e) = adapter.stop().await {
                    warnings.push(format!("the adapter did not stop cleanly: {e}"));
                }
            }
        }
        let mut results = progress.results;
        // Reads finish in any order; reports list cases in enumeration order, so that two runs
        // of the same cases produce the same files.
        let order: HashMap<&str, usize> = selected
            .iter()
            .flat_map(|(_, cases)| cases.iter())
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        results.sort_by_key(|r| order.get(r.case.id.as_str()).copied().unwrap_or(usize::MAX));
        let known = builtin_profiles();
        // The embedded fake and fetch adapters meet one fake per profile, so each profile's
        // observations are judged on their own; a URL or a derive adapter is one target.
        let per_profile_targets = match &self.options.target {
            TargetSpec::Fake => true,
            TargetSpec::Url(_) => false,
            TargetSpec::Adapter(_) => fetches,
        };
        let compat = if per_profile_targets && selected.len() > 1 {
            selected
                .iter()
                .flat_map(|(p, _)| {
                    let mine: Vec<CaseResult> = results
                        .iter()
                        .filter(|r| r.case.profile == p.name())
                        .cloned()
                        .collect();
                    compatibility(&mine, &known, Some(p.name()))
                })
                .collect()
        } else {
            compatibility(&results, &known, None)
        };
        Ok(RunReport {
            harness_version: crate::VERSION.to_owned(),
            target: self.options.target.to_string(),
            implementation,
            started,
            finished: now(),
            profiles: selected
                .iter()
                .map(|(p, _)| ProfileRun {
                    name: p.name().to_owned(),
                    digest: p.digest().to_owned(),
                })
                .collect(),
            compatibility: compat,
            properties,
            warnings,
            cases: results,
        })
    }

    async fn start_fake(&self, profile: &Profile) -> Result<fake_server::FakeServer, RunError> {
        let fail = |message: String| RunError::FakeStart {
            profile: profile.name().to_owned(),
            message,
        };
        let fake_profile: fake_server::Profile =
            profile.name().parse().map_err(|e| fail(format!("{e}")))?;
        let mut builder = fake_server::FakeServer::builder().profile(fake_profile);
        for d in &self.options.fake_deviations {
            let deviation: fake_server::Deviation = d.parse().map_err(|e| fail(format!("{e}")))?;
            builder = builder.deviations([deviation]);
        }
        builder.start().await.map_err(|e| fail(format!("{e}")))
    }

    async fn connect(&self, base: &str) -> Result<ControlPlane, RunError> {
        let target = crate::target::TargetSpec::Url(base.to_owned()).to_string();
        let options = self.control_options();
        let info = ControlPlane::probe(base, &options)
            .await
            .map_err(|source| RunError::Target {
                target: target.clone(),
                source,
            })?
            .ok_or_else(|| RunError::NoControlPlane(target.clone()))?;
        ControlPlane::connect(base, info, options)
            .await
            .map_err(|source| RunError::Target { target, source })
    }

    fn control_options(&self) -> ControlPlaneOptions {
        ControlPlaneOptions {
            timeout: self.options.timeout,
            ..ControlPlaneOptions::default()
        }
    }

    /// Seeds every case, lists them, and reads each back; records one result per case.
    async fn run_control(
        &self,
        cp: &ControlPlane,
        cases: &[Case],
        run_tag: &str,
        progress: &mut Progress<'_>,
    ) {
        if progress.stopped() {
            skip_all(cases, progress);
            return;
        }
        let Some(seeded) = seed_cases(cp, cases, run_tag, progress).await else {
            return;
        };
        let listing = self.list_all(cp, cases).await;
        let semaphore = Arc::new(Semaphore::new(self.options.concurrency.max(1)));
        let mut tasks = JoinSet::new();
        let mut pending: HashMap<Id, Case> = HashMap::new();
        for (case, server) in cases.iter().zip(&seeded) {
            let permit = semaphore.clone().acquire_owned().await;
            // Results that finished meanwhile are recorded before deciding, so --max-fail is
            // exact with --concurrency 1 and off by at most the reads in flight otherwise.
            while let Some(done) = tasks.try_join_next_with_id() {
                record_joined(done, &mut pending, progress);
            }
            if progress.stopped() {
                progress.record(skipped_by_max_fail(case, self.options.max_fail));
                continue;
            }
            let cp = cp.clone();
            let id = server.id.clone();
            let listed = match &listing {
                Ok(map) => Ok(map.get(&id).cloned()),
                Err(e) => Err(e.clone()),
            };
            let owned = case.clone();
            let handle = tasks.spawn(async move {
                let _permit = permit;
                let start = Instant::now();
                let shown = cp.show(&id).await;
                let obs = observe(shown, listed);
                judge(&owned, obs, start.elapsed())
            });
            pending.insert(handle.id(), case.clone());
        }
        while let Some(done) = tasks.join_next_with_id().await {
            record_joined(done, &mut pending, progress);
        }
    }

    /// Seeds every case in the fake, then asks the adapter about each, one at a time.
    async fn run_adapter(
        &self,
        cp: &ControlPlane,
        adapter: &mut AdapterTarget,
        cases: &[Case],
        run_tag: &str,
        progress: &mut Progress<'_>,
    ) {
        let Some(seeded) = seed_cases(cp, cases, run_tag, progress).await else {
            return;
        };
        for (case, server) in cases.iter().zip(&seeded) {
            if progress.stopped() {
                progress.record(skipped_by_max_fail(case, self.options.max_fail));
                continue;
            }
            let start = Instant::now();
            let observation = match cp.show(&server.id).await {
                Err(e) => Observation::Errored {
                    message: format!("failed to read the seeded server from the fake: {e}"),
                    detail: None,
                },
                Ok(view) => {
                    let fetch = FetchInfo {
                        compute_url: cp.info().compute_url.clone(),
                        auth_url: cp.info().identity_url.clone(),
                        token: cp.token().to_owned(),
                        project_id: cp.project_id().to_owned(),
                        server_id: server.id.clone(),
                    };
                    let obs = adapter.run(case, &view.raw, Some(&fetch)).await;
                    with_evidence(obs, &view.raw)
                }
            };
            progress.record(judge(case, observation, start.elapsed()));
        }
    }

    async fn list_all(
        &self,
        cp: &ControlPlane,
        cases: &[Case],
    ) -> Result<HashMap<String, ServerView>, String> {
        let mut map = HashMap::new();
        let mut passes = vec![false];
        // Nova hides soft-deleted servers from default listings; an admin lists them with
        // deleted=True.
        if cases
            .iter()
            .any(|c| c.vm_state.as_deref() == Some("soft-delete"))
        {
            passes.push(true);
        }
        for deleted in passes {
            let views = cp
                .list_detail(deleted)
                .await
                .map_err(|e| format!("failed to list /servers/detail: {e}"))?;
            for v in views {
                map.entry(v.id.clone()).or_insert(v);
            }
        }
        Ok(map)
    }
}

/// Seeds one server per case; when seeding fails, every case is recorded as errored and `None`
/// returned.
async fn seed_cases(
    cp: &ControlPlane,
    cases: &[Case],
    run_tag: &str,
    progress: &mut Progress<'_>,
) -> Option<Vec<SeededServer>> {
    let clock = Instant::now();
    let specs: Vec<_> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                c.vm_state.clone(),
                c.task_state.clone(),
                format!("{run_tag}-{i}"),
            )
        })
        .collect();
    match cp.seed(&specs).await {
        Ok(s) => Some(s),
        Err(e) => {
            let message = format!("failed to seed the case's server: {e}");
            for c in cases {
                progress.record(errored(c, &message, clock.elapsed()));
            }
            None
        }
    }
}

fn record_joined(
    done: Result<(Id, CaseResult), tokio::task::JoinError>,
    pending: &mut HashMap<Id, Case>,
    progress: &mut Progress<'_>,
) {
    match done {
        Ok((id, result)) => {
            pending.remove(&id);
            progress.record(result);
        }
        Err(e) => {
            // A panicking read task is a bug in the harness; the case still gets a verdict.
            if let Some(case) = pending.remove(&e.id()) {
                progress.record(errored(
                    &case,
                    &format!("internal error: {e}"),
                    Duration::ZERO,
                ));
            }
        }
    }
}

fn observe(
    shown: Result<ServerView, ControlPlaneError>,
    listed: Result<Option<ServerView>, String>,
) -> Observation {
    let view = match shown {
        Ok(v) => v,
        Err(e) => {
            return Observation::Errored {
                message: format!("failed to read the server: {e}"),
                detail: None,
            };
        }
    };
    let server_json = serde_json::to_string_pretty(&view.raw).ok();
    let Some(status) = view.status.clone() else {
        return Observation::Errored {
            message: "GET /servers/{id} returned a server without a string `status`".into(),
            detail: server_json,
        };
    };
    let listed_status = match listed {
        Err(message) => {
            return Observation::Errored {
                message,
                detail: server_json,
            };
        }
        Ok(None) => "nothing (server absent from the listing)".to_owned(),
        Ok(Some(v)) => v.status.unwrap_or_else(|| "nothing (no status)".to_owned()),
    };
    Observation::Seen(Seen {
        status,
        vm_state: view.vm_state.clone(),
        task_state: view.task_state.clone(),
        other_views: vec![("/servers/detail".to_owned(), listed_status)],
        server_json,
    })
}

/// Keeps the server JSON the adapter was given as the evidence of its verdict.
fn with_evidence(observation: Observation, server: &serde_json::Value) -> Observation {
    match observation {
        Observation::Seen(mut seen) if seen.server_json.is_none() => {
            seen.server_json = serde_json::to_string_pretty(server).ok();
            Observation::Seen(seen)
        }
        other => other,
    }
}

fn errored(case: &Case, message: &str, duration: Duration) -> CaseResult {
    judge(
        case,
        Observation::Errored {
            message: message.to_owned(),
            detail: None,
        },
        duration,
    )
}

fn skipped_by_max_fail(case: &Case, max_fail: Option<usize>) -> CaseResult {
    let reason = format!(
        "not run: --max-fail {} reached",
        max_fail.unwrap_or_default()
    );
    judge(case, Observation::Skipped { reason }, Duration::ZERO)
}

fn skip_all(cases: &[Case], progress: &mut Progress<'_>) {
    for c in cases {
        progress.record(skipped_by_max_fail(c, progress.max_fail));
    }
}

fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}
