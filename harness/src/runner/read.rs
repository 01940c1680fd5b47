//! Reading cases back from a control-plane target: directly (`GET /servers/{id}` and the
//! paginated `/servers/detail`), or through an SDK adapter that is handed each seeded server.

use super::progress::{Progress, errored, skip_all, skipped_by_max_fail};
use crate::case::Case;
use crate::judge::judge;
use crate::outcome::{CaseResult, Observation, Seen};
use crate::target::adapter::{AdapterTarget, FetchInfo};
use crate::target::{ControlPlane, ControlPlaneError, SeededServer, ServerView};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::task::{Id, JoinSet};

/// Seeds every case, lists them, and reads each back; records one result per case.
pub(super) async fn run_control(
    cp: &ControlPlane,
    cases: &[Case],
    run_tag: &str,
    concurrency: usize,
    progress: &mut Progress<'_>,
) {
    if progress.stopped() {
        skip_all(cases, progress);
        return;
    }
    let Some(seeded) = seed_cases(cp, cases, run_tag, progress).await else {
        return;
    };
    let listing = list_all(cp, cases).await;
    let semaphore = Arc::new(Semaphore::new(concurrency.max(1)));
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
            progress.record(skipped_by_max_fail(case, progress.max_fail));
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
pub(super) async fn run_adapter(
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
            progress.record(skipped_by_max_fail(case, progress.max_fail));
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
