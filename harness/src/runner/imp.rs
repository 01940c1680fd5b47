//! The runner: seeds cases into a target, reads them back, judges them.

use super::filter::{CaseFilter, FilterError};
use super::progress::Progress;
use super::read;
use crate::case::{Case, Profile, builtin_profiles};
use crate::judge::compatibility;
use crate::outcome::CaseResult;
use crate::report::{Implementation, ProfileRun, RunReport};
use crate::target::adapter::{
    AdapterOptions, AdapterTarget, Capability, TargetError as AdapterError,
};
use crate::target::{ControlPlane, ControlPlaneError, ControlPlaneOptions, TargetSpec};
use chrono::{DateTime, FixedOffset, Local};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
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
            TargetSpec::Fake | TargetSpec::Url(_) => {
                // A URL is one target for every profile; the embedded fake is one per profile.
                let shared = match &self.options.target {
                    TargetSpec::Url(base) => Some(self.connect(base).await?),
                    _ => None,
                };
                for (profile, cases) in &selected {
                    (progress.on_event)(&RunEvent::ProfileStarted {
                        profile: profile.name(),
                        cases: cases.len(),
                    });
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
                    let concurrency = self.options.concurrency;
                    read::run_control(&cp, cases, &run_tag, concurrency, &mut progress).await;
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
                    read::run_adapter(&cp, &mut adapter, cases, &run_tag, &mut progress).await;
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
                    let mine = results.iter().filter(|r| r.case.profile == p.name());
                    compatibility(mine, &known, Some(p.name()))
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
}

fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}
