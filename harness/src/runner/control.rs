//! Running cases on a control-plane target (the embedded fake or a URL): seed one server per
//! case, list them all, read each back, and hand what both views showed to the judge.

use super::events::{Progress, errored};
use crate::case::Case;
use crate::client::Server;
use crate::judge::judge;
use crate::outcome::{CaseResult, Observation, Seen};
use crate::target::{ControlPlane, ControlPlaneError, SeededServer};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, mpsc};
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
        cases.iter().for_each(|c| progress.skip(c));
        return;
    }
    let Some(seeded) = seed_cases(cp, cases, run_tag, progress).await else {
        return;
    };
    let listing = list_all(cp, cases).await;
    let semaphore = Arc::new(Semaphore::new(concurrency.max(1)));
    // Each read sends its result before it gives its permit back, so a result is always
    // recorded before the next case is decided: --max-fail is exact with --concurrency 1 and
    // off by at most the reads in flight otherwise.
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<CaseResult>();
    let mut tasks = JoinSet::new();
    let mut pending: HashMap<Id, Case> = HashMap::new();
    for (case, server) in cases.iter().zip(&seeded) {
        let permit = semaphore.clone().acquire_owned().await;
        while let Ok(result) = done_rx.try_recv() {
            progress.record(result);
        }
        while let Some(joined) = tasks.try_join_next_with_id() {
            record_panic(joined, &mut pending, progress);
        }
        if progress.stopped() {
            progress.skip(case);
            continue;
        }
        let (cp, id, owned, done) = (cp.clone(), server.id.clone(), case.clone(), done_tx.clone());
        let listed = match &listing {
            Ok(map) => Ok(map.get(&id).cloned()),
            Err(e) => Err(e.clone()),
        };
        let handle = tasks.spawn(async move {
            let start = Instant::now();
            let shown = cp.show(&id).await;
            let _ = done.send(judge(&owned, observe(shown, listed), start.elapsed()));
            drop(permit);
        });
        pending.insert(handle.id(), case.clone());
    }
    drop(done_tx);
    while let Some(joined) = tasks.join_next_with_id().await {
        record_panic(joined, &mut pending, progress);
    }
    while let Some(result) = done_rx.recv().await {
        progress.record(result);
    }
}

/// Both listings of `/servers/detail` by server id: the default one, and (when a case injects
/// `soft-delete`, which Nova hides from default listings) the admin's `deleted=True`.
async fn list_all(cp: &ControlPlane, cases: &[Case]) -> Result<HashMap<String, Server>, String> {
    let mut map = HashMap::new();
    let mut passes = vec![false];
    if cases
        .iter()
        .any(|c| c.vm_state.as_deref() == Some("soft-delete"))
    {
        passes.push(true);
    }
    for deleted in passes {
        let servers = cp
            .list_detail(deleted)
            .await
            .map_err(|e| format!("failed to list /servers/detail: {e}"))?;
        for s in servers {
            let id = s.id().unwrap_or_default().to_owned();
            map.entry(id).or_insert(s);
        }
    }
    Ok(map)
}

/// Seeds one server per case; when seeding fails, every case is recorded as errored and `None`
/// returned.
pub(super) async fn seed_cases(
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

/// A read task that ended: nothing to do when it sent its result; a panic (a bug in the
/// harness) still gives its case a verdict.
fn record_panic(
    joined: Result<(Id, ()), tokio::task::JoinError>,
    pending: &mut HashMap<Id, Case>,
    progress: &mut Progress<'_>,
) {
    let id = match &joined {
        Ok((id, ())) => *id,
        Err(e) => e.id(),
    };
    let case = pending.remove(&id);
    if let (Err(e), Some(case)) = (joined, case) {
        let message = format!("internal error: {e}");
        progress.record(errored(&case, &message, Duration::ZERO));
    }
}

/// What `GET /servers/{id}` and the listing showed, as one observation.
fn observe(
    shown: Result<Server, ControlPlaneError>,
    listed: Result<Option<Server>, String>,
) -> Observation {
    let server = match shown {
        Ok(s) => s,
        Err(e) => {
            return Observation::Errored {
                message: format!("failed to read the server: {e}"),
                detail: None,
            };
        }
    };
    let server_json = serde_json::to_string_pretty(server.as_json()).ok();
    let Some(status) = server.status().map(str::to_owned) else {
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
        Ok(Some(s)) => s
            .status()
            .map_or_else(|| "nothing (no status)".to_owned(), str::to_owned),
    };
    let owned = |state: Option<Option<&str>>| state.map(|s| s.map(str::to_owned));
    Observation::Seen(Seen {
        status,
        vm_state: owned(server.shown_vm_state()),
        task_state: owned(server.shown_task_state()),
        other_views: vec![("/servers/detail".to_owned(), listed_status)],
        server_json,
    })
}
