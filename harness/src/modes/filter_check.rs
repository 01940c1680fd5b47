//! The `?status=` checks: each filtered listing against what the full walk saw.
//!
//! A filtered listing is read brief (`GET /servers?status=X`, ids only): what each server
//! showed is already known from the walk. `?status=X` passes when the ids it returned are
//! exactly the walked servers whose (vm_state, task_state) Nova's filter selects. A server
//! that looks wrong (missing, or returned although the walk saw it outside the filter, or not
//! seen by the walk at all) is re-read with `GET /servers/{id}`; one whose state changed
//! between the walk and the filtered query (or that is gone) is not judged.

use super::status_filter::StatusFilter;
use super::walk_index::{IdSet, Shown, WalkIndex};
use crate::client::{ComputeClient, ComputeError, Microversion, Server};
use crate::judge::CheckResult;
use crate::outcome::Outcome;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The microversion from which Nova answers an invalid status value with 400.
const INVALID_STATUS_400_FROM: Microversion = Microversion::new(2, 38);

/// One filtered listing, as read.
#[derive(Debug)]
pub(crate) struct FilterListing {
    /// The status asked for.
    pub(crate) status: String,
    /// The ids returned (and how many entries, duplicates included), or why the listing failed.
    pub(crate) result: Result<(IdSet, usize), ComputeError>,
    /// Time spent listing.
    pub(crate) took: Duration,
}

fn shown_of(s: &Server) -> Shown {
    Shown {
        vm_state: s.vm_state().map(str::to_owned),
        task_state: s.task_state().map(str::to_owned),
        status: s.status().map(str::to_owned),
        extended: s.has_extended_status(),
    }
}

fn errored(name: &str, expected: String, e: &ComputeError, took: Duration) -> CheckResult {
    CheckResult {
        name: name.to_owned(),
        expected,
        observed: None,
        outcome: Outcome::Error,
        detail: Some(e.to_string()),
        evidence: None,
        duration: took,
    }
}

/// What re-reading a suspicious server found.
/// One server the filter got wrong: `extra ID (vm_state/task_state, STATUS)` or `missing …`.
fn problem(kind: &str, id: &impl std::fmt::Display, shown: &Shown) -> String {
    format!(
        "{kind} {id} ({}, {})",
        shown.pair(),
        shown.status.as_deref().unwrap_or("?")
    )
}

enum Reread {
    /// As the walk (or the filtered listing) had it: a real problem, with what it shows.
    Same(Shown),
    /// Changed state, or gone: not judged.
    Changed,
}

async fn reread(
    client: &ComputeClient,
    id: &str,
    still_wrong: impl Fn(&Shown) -> bool,
) -> Result<Reread, ComputeError> {
    match client.get_server(id).await {
        Ok(now) => {
            let now = shown_of(&now);
            Ok(if still_wrong(&now) {
                Reread::Same(now)
            } else {
                Reread::Changed
            })
        }
        Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => Ok(Reread::Changed),
        Err(e) => Err(e),
    }
}

/// Judges one filtered listing of a status Nova's map gives (`filter`) against the walk.
pub(crate) async fn judge_listing(
    client: &ComputeClient,
    walk: &WalkIndex,
    listing: FilterListing,
    filter: &StatusFilter,
) -> CheckResult {
    let started = Instant::now();
    let status = listing.status.as_str();
    let expected_text = filter.describe();
    let selects =
        |s: &Shown| s.extended && filter.matches(s.vm_state.as_deref(), s.task_state.as_deref());
    let (returned, entries) = match listing.result {
        Ok(r) => r,
        Err(e) if e.status().is_some_and(|s| s.is_client_error()) => {
            return CheckResult {
                name: status.to_owned(),
                expected: expected_text,
                observed: Some(format!("HTTP {}", e.status().map_or(0, |s| s.as_u16()))),
                outcome: Outcome::Fail,
                detail: Some(format!(
                    "a status the cloud shows was refused as a filter: {e}"
                )),
                evidence: None,
                duration: listing.took,
            };
        }
        Err(e) => return errored(status, expected_text, &e, listing.took),
    };
    let mut problems = Vec::new();
    let mut changed = 0usize;
    // Extra: returned, but the walk saw it outside the filter (or not at all).
    for id in returned.iter() {
        if walk.get(&id).is_some_and(selects) {
            continue;
        }
        match reread(client, &id, |now| !selects(now)).await {
            Ok(Reread::Same(now)) => problems.push(problem("extra", &id, &now)),
            Ok(Reread::Changed) => changed += 1,
            Err(e) => return errored(status, expected_text, &e, listing.took + started.elapsed()),
        }
    }
    // Missing: the walk saw it inside the filter, but it was not returned.
    for (id, then) in walk.missing_from(selects, &returned) {
        match reread(client, &id, |now| now.pair() == then.pair()).await {
            Ok(Reread::Same(_)) => problems.push(problem("missing", &id, then)),
            Ok(Reread::Changed) => changed += 1,
            Err(e) => return errored(status, expected_text, &e, listing.took + started.elapsed()),
        }
    }
    let note = (changed > 0)
        .then(|| format!("{changed} server(s) changed state during the check and were not judged"));
    let (outcome, detail) = if problems.is_empty() {
        (Outcome::Pass, note)
    } else {
        let mut text = format!(
            "status={status} selects {expected_text}; {}",
            problems.join("; ")
        );
        if let Some(n) = note {
            text.push_str(&format!(" ({n})"));
        }
        (Outcome::Fail, Some(text))
    };
    CheckResult {
        name: status.to_owned(),
        expected: expected_text,
        observed: Some(format!("{entries} server(s)")),
        outcome,
        detail,
        evidence: None,
        duration: listing.took + started.elapsed(),
    }
}

/// An invalid status value: HTTP 400 from microversion 2.38, an empty list before.
pub(crate) async fn check_unknown_status(
    client: &ComputeClient,
    scope: &[(&str, &str)],
    status: &str,
) -> CheckResult {
    let started = Instant::now();
    let mv = client.microversion();
    let wants_400 = mv >= INVALID_STATUS_400_FROM;
    let expected = if wants_400 {
        format!("HTTP 400 (microversion {mv} >= 2.38)")
    } else {
        format!("an empty list (microversion {mv} < 2.38)")
    };
    let mut query = scope.to_vec();
    query.push(("status", status));
    let (observed, ok, evidence) = match client.list_servers_detail(&query).await {
        Ok(servers) if servers.is_empty() => ("an empty list".to_owned(), !wants_400, None),
        Ok(servers) => {
            let ids: BTreeMap<&str, &str> = servers
                .iter()
                .map(|s| (s.id().unwrap_or("?"), s.status().unwrap_or("?")))
                .collect();
            (
                format!("{} server(s)", servers.len()),
                false,
                Some(format!("{ids:?}")),
            )
        }
        Err(e) if e.status().is_some_and(|s| s.is_client_error()) => {
            let code = e.status().map_or(0, |s| s.as_u16());
            (
                format!("HTTP {code}"),
                wants_400 && code == 400,
                Some(e.to_string()),
            )
        }
        Err(e) => return errored(status, expected, &e, started.elapsed()),
    };
    CheckResult {
        name: status.to_owned(),
        detail: (!ok).then(|| format!("status={status}: expected {expected}, observed {observed}")),
        outcome: if ok { Outcome::Pass } else { Outcome::Fail },
        expected,
        observed: Some(observed),
        evidence,
        duration: started.elapsed(),
    }
}
