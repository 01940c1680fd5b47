//! [`run_lifecycle`]: the programs run concurrently, then the run's servers deleted.

use super::cleanup::{CleanupReport, cleanup_tagged};
use super::driver::Driver;
use super::pick::{PickError, ResourceChoice, Resources, pick_resources};
use super::plan::PROGRAMS;
use super::record::StepRecord;
use crate::client::ComputeClient;
use crate::judge::ObservedServer;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

/// Lifecycle settings.
#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleOptions {
    /// Names and tags the scratch servers (`conformance-<run id>-<program>`).
    pub run_id: String,
    /// `--poll-ms`.
    pub poll: Duration,
    /// `--step-timeout`: deadline of each step (and of each server's cleanup).
    pub step_timeout: Duration,
    /// `--flavor`, `--resize-flavor`, `--image`, `--network`.
    pub resources: ResourceChoice,
}

/// What lifecycle mode did.
#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleRun {
    /// What the servers used.
    pub resources: Resources,
    /// Every step of every program, in program order.
    pub steps: Vec<StepRecord>,
    /// Every distinct (server, state, status) polled.
    pub observed: Vec<ObservedServer>,
    /// The cleanup at the end.
    pub cleanup: CleanupReport,
    /// True when `shutdown` fired before the programs finished.
    pub interrupted: bool,
}

/// Runs the programs until done or until `shutdown` completes, then deletes every server of
/// the run. `on_progress(server, step, status)` reports each change.
pub async fn run_lifecycle(
    client: &ComputeClient,
    options: &LifecycleOptions,
    shutdown: impl Future<Output = ()>,
    on_progress: &(dyn Fn(&str, &str, &str) + Sync),
) -> Result<LifecycleRun, PickError> {
    let resources = pick_resources(client, &options.resources).await?;
    let driver = Driver {
        client,
        resources: &resources,
        run_id: &options.run_id,
        poll: options.poll,
        step_timeout: options.step_timeout,
        created: Mutex::new(Vec::new()),
        observed: Mutex::new(Vec::new()),
        on_progress,
    };
    let programs = async {
        let [a, b, c] = PROGRAMS;
        let (a, b, c) = tokio::join!(
            driver.run_program(a),
            driver.run_program(b),
            driver.run_program(c)
        );
        a.into_iter().chain(b).chain(c).collect::<Vec<_>>()
    };
    let (steps, interrupted) = tokio::select! {
        steps = programs => (steps, false),
        () = shutdown => (Vec::new(), true),
    };
    let created = driver.created.lock().map(|c| c.clone()).unwrap_or_default();
    on_progress("cleanup", "delete", "requested");
    let cleanup = cleanup_tagged(
        client,
        Some(&options.run_id),
        &created,
        options.step_timeout,
        options.poll,
    )
    .await;
    let observed = driver
        .observed
        .lock()
        .map(|o| o.clone())
        .unwrap_or_default();
    Ok(LifecycleRun {
        resources,
        steps,
        observed,
        cleanup,
        interrupted,
    })
}

/// A fresh run id: UTC time to the second plus four hex digits, e.g. `20250101T120000-3f2a`.
pub fn new_run_id() -> String {
    use std::hash::{BuildHasher, RandomState};
    let salt = RandomState::new().hash_one(std::time::SystemTime::now()) & 0xffff;
    format!("{}-{salt:04x}", chrono::Utc::now().format("%Y%m%dT%H%M%S"))
}
