//! A run against a cloud: observe mode, optionally lifecycle mode, judged into a [`RunReport`].

use super::lifecycle::{LifecycleOptions, LifecycleRun, PickError, run_lifecycle};
use super::observe::observe_cloud;
use crate::case::{Group, Profile};
use crate::client::{
    AuthenticateError, CloudRequest, CloudSession, ComputeClient, ComputeError, ComputeOptions,
    ConfigSources, LoadCloudConfigError, SessionOptions, load_cloud, redact_url,
};
use crate::judge::judge_step;
use crate::outcome::CaseResult;
use crate::report::{RunReport, RunScope};
use chrono::Local;
use std::future::Future;
use std::sync::Arc;

/// Everything a cloud run needs.
#[derive(Debug, Clone)]
pub struct CloudRunOptions {
    /// `--os-cloud`, `--target` + token, region, interface, TLS.
    pub request: CloudRequest,
    /// Environment and current directory (`OS_*`, `clouds.yaml`).
    pub sources: ConfigSources,
    /// Profiles to judge against.
    pub profiles: Vec<Profile>,
    /// Microversion pin, retries, `--max-rps`.
    pub compute: ComputeOptions,
    /// Keystone settings.
    pub session: SessionOptions,
    /// `--all-projects`.
    pub all_projects: bool,
    /// Lifecycle mode (`--lifecycle --allow-mutations`), or observe only.
    pub lifecycle: Option<LifecycleOptions>,
}

/// Why a cloud run could not happen (as opposed to cases failing).
#[derive(Debug, thiserror::Error)]
pub enum CloudRunError {
    /// No usable cloud configuration.
    #[error(transparent)]
    Config(#[from] LoadCloudConfigError),
    /// Keystone refused or was unreachable.
    #[error(transparent)]
    Auth(#[from] AuthenticateError),
    /// The compute API could not be used (version discovery, the server listing).
    #[error("failed to observe the cloud")]
    Compute(#[from] ComputeError),
    /// Lifecycle mode could not choose what to boot.
    #[error(transparent)]
    Pick(#[from] PickError),
    /// Interrupted (Ctrl-C / SIGTERM) during lifecycle mode; cleanup ran.
    #[error(
        "interrupted: lifecycle mode stopped; cleanup deleted {deleted} server(s){}",
        if *failed > 0 { format!(", {failed} could not be deleted (run `harness cleanup`)") } else { String::new() }
    )]
    Interrupted {
        /// Servers deleted by the cleanup.
        deleted: usize,
        /// Servers the cleanup could not delete.
        failed: usize,
    },
}

/// Connects, observes (and drives, in lifecycle mode), and returns the finished report.
///
/// `shutdown` interrupts lifecycle mode (which then cleans up and returns
/// [`CloudRunError::Interrupted`]); `on_progress(server, step, status)` reports lifecycle
/// progress.
pub async fn run_cloud(
    options: CloudRunOptions,
    shutdown: impl Future<Output = ()>,
    on_progress: &(dyn Fn(&str, &str, &str) + Sync),
) -> Result<RunReport, CloudRunError> {
    let started = Local::now().fixed_offset();
    let config = load_cloud(&options.request, &options.sources)?;
    let mut properties: Vec<(String, String)> = vec![
        ("cloud.name".into(), config.name.clone()),
        ("cloud.auth_type".into(), config.auth.type_name().to_owned()),
    ];
    if let Some(region) = &config.region_name {
        properties.push(("cloud.region".into(), region.clone()));
    }
    let mut warnings = Vec::new();
    if config.tls.insecure {
        warnings.push(
            "TLS certificate verification was off (--insecure): the answers may not come from \
             the cloud named"
                .to_owned(),
        );
    }
    let cloud_name = config.name.clone();
    let session = Arc::new(CloudSession::connect(config, options.session).await?);
    let client = ComputeClient::connect(session, options.compute.clone()).await?;
    let endpoint = redact_url(client.endpoint());
    properties.push(("compute.endpoint".into(), endpoint.clone()));
    properties.push((
        "compute.microversion".into(),
        client.microversion().to_string(),
    ));
    let mode = if options.lifecycle.is_some() {
        "lifecycle"
    } else {
        "observe"
    };
    properties.push(("mode".into(), mode.to_owned()));
    properties.push(("all_projects".into(), options.all_projects.to_string()));

    let mut observation = observe_cloud(&client, options.all_projects, on_progress).await?;
    warnings.extend(observation.notes.iter().cloned());
    properties.push(("observe.servers".into(), observation.servers.to_string()));
    properties.push(("observe.pages".into(), observation.pages.to_string()));
    if observation.hidden > 0 {
        warnings.push(format!(
            "{} server(s) hide OS-EXT-STS:vm_state/task_state (policy): their status \
             cannot be judged",
            observation.hidden
        ));
    }

    let mut steps = Vec::new();
    if let Some(lifecycle) = &options.lifecycle {
        let run = drive(
            &client,
            lifecycle,
            shutdown,
            on_progress,
            &mut properties,
            &mut warnings,
        )
        .await?;
        for server in &run.observed {
            observation.tally.add_observed(server);
        }
        steps = run.steps;
    }

    let mut cases: Vec<CaseResult> = Vec::new();
    for profile in &options.profiles {
        cases.extend(observation.tally.judge(profile));
        cases.extend(
            observation
                .filter_checks
                .iter()
                .map(|c| c.to_case(profile.name(), Group::Filter)),
        );
        cases.extend(steps.iter().map(|s| judge_step(profile, s)));
    }
    let target = format!("cloud {cloud_name} ({endpoint})");
    let scope = RunScope {
        filters: Vec::new(),
        cloud: true,
    };
    let mut report = RunReport::new(target, started, &options.profiles, cases, scope, false);
    report.properties = properties;
    report.warnings = warnings;
    Ok(report)
}

/// Lifecycle mode: drives the scratch servers, records the choices and the cleanup as
/// properties and warnings; an interruption is an error (after the cleanup ran).
async fn drive(
    client: &ComputeClient,
    lifecycle: &LifecycleOptions,
    shutdown: impl Future<Output = ()>,
    on_progress: &(dyn Fn(&str, &str, &str) + Sync),
    properties: &mut Vec<(String, String)>,
    warnings: &mut Vec<String>,
) -> Result<LifecycleRun, CloudRunError> {
    properties.push(("lifecycle.run_id".into(), lifecycle.run_id.clone()));
    let run = run_lifecycle(client, lifecycle, shutdown, on_progress).await?;
    for (i, note) in run.resources.notes.iter().enumerate() {
        properties.push((format!("lifecycle.choice.{}", i + 1), note.clone()));
    }
    if run.interrupted {
        return Err(CloudRunError::Interrupted {
            deleted: run.cleanup.deleted.len(),
            failed: run.cleanup.failed.len(),
        });
    }
    properties.push((
        "lifecycle.cleanup.deleted".into(),
        run.cleanup.deleted.len().to_string(),
    ));
    for (id, why) in &run.cleanup.failed {
        warnings.push(format!(
            "cleanup could not delete {id}: {why} (run `harness cleanup --run-id {}`)",
            lifecycle.run_id
        ));
    }
    Ok(run)
}
