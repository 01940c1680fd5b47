//! The runner: list the cases, run them on the target, tell the caller, assemble the report.

use super::adapter;
use super::control::run_control;
use super::events::{Progress, RunEvent};
use super::filter::{CaseFilter, FilterError};
use super::select::Selection;
use crate::case::{Case, Profile, ScenarioError, builtin_scenarios};
use crate::kinds::{AdapterSession, RunPlan};
use crate::report::{Implementation, RunReport, RunScope};
use crate::target::adapter::{AdapterOptions, TargetError as AdapterError};
use crate::target::{ControlPlane, ControlPlaneError, ControlPlaneOptions, TargetSpec};
use chrono::{DateTime, FixedOffset, Local};
use std::time::Duration;

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
    /// The seed of an adapter run's blind questions (`--seed`); random when `None`.
    pub seed: Option<u64>,
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
            seed: None,
        }
    }
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
    /// The embedded fake could not start (or was given a deviation it cannot parse).
    #[error("failed to start the embedded fake server for profile `{profile}`")]
    FakeStart {
        /// The profile.
        profile: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
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
    /// A built-in scenario does not load (a bug in `cases/scenarios/`).
    #[error(transparent)]
    Scenarios(#[from] ScenarioError),
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

/// What running on one kind of target adds to the report besides the results.
#[derive(Debug, Default)]
pub(super) struct TargetRun {
    /// The adapter's metadata, for adapter targets.
    pub(super) implementation: Option<Implementation>,
    /// Run properties (`adapter.capabilities`, …).
    pub(super) properties: Vec<(String, String)>,
    /// Warnings for every report.
    pub(super) warnings: Vec<String>,
    /// True when each profile's cases met a target of their own (the embedded fake, fetch
    /// adapters), so compatibility is judged per profile.
    pub(super) per_profile: bool,
}

/// Runs cases against a target.
#[derive(Debug)]
pub struct Runner {
    options: RunOptions,
}

impl Runner {
    /// A runner for these options.
    pub fn new(options: RunOptions) -> Runner {
        Runner { options }
    }

    /// Runs every selected case and returns the finished report: list, run, events, report.
    ///
    /// Cases that fail or error are outcomes in the report, not errors; `Err` means the run
    /// could not happen (bad filter, no case selected, target unreachable).
    pub async fn execute(
        self,
        mut on_event: impl FnMut(&RunEvent<'_>),
    ) -> Result<RunReport, RunError> {
        let started = now();
        let filter = CaseFilter::new(&self.options.filters)?;
        let mut selection = Selection::unchecked(&self.options.profiles, &filter);
        // An adapter is started first: its capabilities add cases (challenges, surface, list,
        // wait) to the selection before the run announces its total.
        let mut adapter = match &self.options.target {
            TargetSpec::Adapter(cmd) => {
                let options = AdapterOptions::new(self.options.timeout);
                Some(adapter::start(cmd, options).await?)
            }
            _ => None,
        };
        let plan = self.options.seed.map_or_else(RunPlan::random, RunPlan::new);
        let mut session = match adapter.as_mut() {
            Some((target, _)) => Some(AdapterSession::new(target, plan, builtin_scenarios()?)),
            None => None,
        };
        if let Some(session) = session.as_mut() {
            selection.extend(|p| session.extra_cases(p), &filter);
        }
        let selection = selection.checked()?;
        let total = selection.total();
        on_event(&RunEvent::Started { total });
        let mut progress = Progress::new(&mut on_event, self.options.max_fail, total);
        let run_tag = format!("conf-{}", started.timestamp_millis());
        let (mut run, seed, timelines) = match session {
            Some(mut session) => {
                self.run_adapter(&mut session, &selection, &mut progress)
                    .await?;
                let (seed, timelines) = session.finish();
                (TargetRun::default(), Some(seed), timelines)
            }
            None => (
                self.run_fake_or_url(&selection, &run_tag, &mut progress)
                    .await?,
                None,
                Vec::new(),
            ),
        };
        if let Some((target, mut adapter_run)) = adapter {
            if let Some(seed) = seed {
                adapter_run
                    .properties
                    .push(("seed".into(), seed.to_string()));
            }
            adapter::stop(target, &mut adapter_run).await;
            run = adapter_run;
        }
        let mut results = progress.results;
        selection.sort(&mut results);
        let mut report = RunReport::new(
            self.options.target.to_string(),
            started,
            &selection.run_profiles(),
            results,
            RunScope {
                filters: self.options.filters.clone(),
                cloud: false,
            },
            run.per_profile,
        );
        report.implementation = run.implementation;
        report.properties = run.properties;
        report.warnings = run.warnings;
        report.seed = seed;
        report.timelines = timelines;
        Ok(report)
    }

    /// A URL is one target for every profile; the embedded fake is one per profile.
    async fn run_fake_or_url(
        &self,
        selection: &Selection,
        run_tag: &str,
        progress: &mut Progress<'_>,
    ) -> Result<TargetRun, RunError> {
        let shared = match &self.options.target {
            TargetSpec::Url(base) => Some(self.connect(base).await?),
            _ => None,
        };
        for (profile, cases) in &selection.profiles {
            announce(progress, profile, cases);
            // Kept alive until this profile's cases are read back.
            let mut _fake = None;
            let cp = match &shared {
                Some(cp) => cp.clone(),
                None => {
                    let fake = self.start_fake(profile).await?;
                    let cp = self.connect(&fake.uri()).await?;
                    _fake = Some(fake);
                    cp
                }
            };
            run_control(&cp, cases, run_tag, self.options.concurrency, progress).await;
        }
        Ok(TargetRun {
            per_profile: shared.is_none(),
            ..TargetRun::default()
        })
    }

    /// Derive questions once for the run; then, per profile, the fetch-like kinds against that
    /// profile's own fake.
    async fn run_adapter(
        &self,
        session: &mut AdapterSession<'_>,
        selection: &Selection,
        progress: &mut Progress<'_>,
    ) -> Result<(), RunError> {
        if session.derives() {
            let all: Vec<Case> = selection
                .profiles
                .iter()
                .flat_map(|(_, c)| c.iter().cloned())
                .collect();
            session.derive(&all, progress).await;
        }
        for (profile, cases) in &selection.profiles {
            announce(progress, profile, cases);
            if adapter::needs_fake(session, cases) {
                let fake = self.start_fake(profile).await?;
                let cp = self.connect(&fake.uri()).await?;
                session.profile(&cp, profile, cases, progress).await;
            }
        }
        Ok(())
    }

    async fn start_fake(&self, profile: &Profile) -> Result<fake_server::FakeServer, RunError> {
        let fail = |source: Box<dyn std::error::Error + Send + Sync>| RunError::FakeStart {
            profile: profile.name().to_owned(),
            source,
        };
        let fake_profile: fake_server::Profile =
            profile.name().parse().map_err(|e| fail(Box::new(e)))?;
        let mut builder = fake_server::FakeServer::builder().profile(fake_profile);
        for d in &self.options.fake_deviations {
            let deviation: fake_server::Deviation = d.parse().map_err(|e| fail(Box::new(e)))?;
            builder = builder.deviations([deviation]);
        }
        builder.start().await.map_err(|e| fail(Box::new(e)))
    }

    async fn connect(&self, base: &str) -> Result<ControlPlane, RunError> {
        let target = TargetSpec::Url(base.to_owned()).to_string();
        let options = ControlPlaneOptions {
            timeout: self.options.timeout,
            ..ControlPlaneOptions::default()
        };
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
}

fn announce(progress: &mut Progress<'_>, profile: &Profile, cases: &[Case]) {
    progress.emit(&RunEvent::ProfileStarted {
        profile: profile.name(),
        cases: cases.len(),
    });
}

fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}
