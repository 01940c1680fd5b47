//! Observe mode's reads: every server, then Nova's status filter for each status seen.
//!
//! Only GET requests are sent. The main entry point is [`observe_cloud`].

use super::status_filter::StatusFilter;
use crate::client::{ComputeClient, ComputeError, Microversion, Server};
use crate::judge::CheckResult;
use crate::outcome::Outcome;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// A status no map gives: asked for to check the cloud's answer to an invalid status value.
pub const UNKNOWN_STATUS: &str = "FROBNICATING";

/// The microversion from which Nova answers an invalid status value with 400.
const INVALID_STATUS_400_FROM: Microversion = Microversion::new(2, 38);

/// Everything observe mode read.
#[derive(Debug, Clone, Default)]
pub struct CloudObservation {
    /// Every server of the default listing, plus (for admins) the soft-deleted ones.
    pub servers: Vec<Server>,
    /// One check per status seen, then the unknown-status check.
    pub filter_checks: Vec<CheckResult>,
    /// Notes for the reports (e.g. soft-deleted servers were not listed).
    pub notes: Vec<String>,
}

/// The query every listing carries: `all_tenants=1` with `--all-projects`.
pub fn scope_query(all_projects: bool) -> Vec<(&'static str, &'static str)> {
    if all_projects {
        vec![("all_tenants", "1")]
    } else {
        Vec::new()
    }
}

/// Lists every server (paginated) and, when the token is an admin's, the soft-deleted ones
/// (`deleted=True&status=SOFT_DELETED`, which Nova hides from default listings); then checks
/// `?status=X` for every status seen and the answer to an unknown status.
///
/// A failed listing is an `Err`: nothing can be judged without it.
pub async fn observe_cloud(
    client: &ComputeClient,
    all_projects: bool,
) -> Result<CloudObservation, ComputeError> {
    let scope = scope_query(all_projects);
    let listed = client.list_servers_detail(&scope).await?;
    let mut notes = Vec::new();
    let admin = client
        .session()
        .token()
        .await
        .map(|t| t.is_admin())
        .unwrap_or(false);
    let mut soft_deleted = Vec::new();
    if admin {
        let mut query = scope.clone();
        query.extend([("deleted", "True"), ("status", "SOFT_DELETED")]);
        match client.list_servers_detail(&query).await {
            Ok(servers) => soft_deleted = servers,
            Err(e) => notes.push(format!("soft-deleted servers were not listed: {e}")),
        }
    } else {
        notes.push(
            "soft-deleted servers were not listed: listing them needs the admin role".to_owned(),
        );
    }
    let mut filter_checks = Vec::new();
    let statuses: BTreeSet<&str> = listed.iter().filter_map(Server::status).collect();
    for status in statuses {
        filter_checks.push(check_status_filter(client, &scope, &listed, status).await);
    }
    filter_checks.push(check_unknown_status(client, &scope).await);
    let mut servers = listed;
    let known: BTreeSet<String> = servers
        .iter()
        .filter_map(|s| s.id().map(str::to_owned))
        .collect();
    // `deleted=True` also returns destroyed rows whose vm_state still says soft-delete (Nova
    // 34 leaves it so when it deletes a server with no host, e.g. shelved-offloaded, while
    // `reclaim_instance_interval` is set); Nova shows any destroyed row as DELETED whatever its
    // vm_state, so those are tombstones, not soft-deleted servers, and are not judged.
    servers.extend(
        soft_deleted.into_iter().filter(|s| {
            s.status() != Some("DELETED") && s.id().is_none_or(|id| !known.contains(id))
        }),
    );
    Ok(CloudObservation {
        servers,
        filter_checks,
        notes,
    })
}

fn pair_of(s: &Server) -> String {
    format!(
        "{}/{}",
        s.vm_state().unwrap_or("null"),
        s.task_state().unwrap_or("null")
    )
}

fn errored(name: &str, expected: String, e: &ComputeError, started: Instant) -> CheckResult {
    CheckResult {
        name: name.to_owned(),
        expected,
        observed: None,
        outcome: Outcome::Error,
        detail: Some(e.to_string()),
        evidence: None,
        duration: started.elapsed(),
    }
}

/// `?status=X` must return exactly the servers whose (vm_state, task_state) Nova's filter
/// selects. Servers whose state changed between the listing and the filtered query (re-read
/// with `GET /servers/{id}`) are not judged.
async fn check_status_filter(
    client: &ComputeClient,
    scope: &[(&str, &str)],
    listed: &[Server],
    status: &str,
) -> CheckResult {
    let started = Instant::now();
    let Some(filter) = StatusFilter::nova(status) else {
        // A status Nova's map never gives (e.g. a vendor's own): it filters like any invalid one.
        let mut check = check_unknown_status_named(client, scope, status).await;
        check.duration = started.elapsed();
        return check;
    };
    let expected_text = filter.describe();
    let mut query = scope.to_vec();
    query.push(("status", status));
    let got = match client.list_servers_detail(&query).await {
        Ok(g) => g,
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
                duration: started.elapsed(),
            };
        }
        Err(e) => return errored(status, expected_text, &e, started),
    };
    let got_ids: BTreeSet<&str> = got.iter().filter_map(Server::id).collect();
    // Extra: returned although its own (returned) state is outside the filter.
    let mut problems: Vec<String> = got
        .iter()
        .filter(|s| !filter.matches(s.vm_state(), s.task_state()))
        .map(|s| {
            format!(
                "extra {} ({}, {})",
                s.id().unwrap_or("?"),
                pair_of(s),
                s.status().unwrap_or("?")
            )
        })
        .collect();
    let mut changed = 0usize;
    let missing: Vec<&Server> = listed
        .iter()
        .filter(|s| filter.matches(s.vm_state(), s.task_state()))
        .filter(|s| s.id().is_some_and(|id| !got_ids.contains(id)))
        .collect();
    for server in missing {
        let id = server.id().unwrap_or_default();
        match client.get_server(id).await {
            Ok(now) if pair_of(&now) == pair_of(server) => {
                problems.push(format!(
                    "missing {id} ({}, {})",
                    pair_of(server),
                    server.status().unwrap_or("?")
                ));
            }
            Ok(_) => changed += 1,
            Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => changed += 1,
            Err(e) => return errored(status, expected_text, &e, started),
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
        observed: Some(format!("{} server(s)", got.len())),
        outcome,
        detail,
        evidence: None,
        duration: started.elapsed(),
    }
}

async fn check_unknown_status(client: &ComputeClient, scope: &[(&str, &str)]) -> CheckResult {
    check_unknown_status_named(client, scope, UNKNOWN_STATUS).await
}

/// An invalid status value: HTTP 400 from microversion 2.38, an empty list before.
async fn check_unknown_status_named(
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
        Err(e) => return errored(status, expected, &e, started),
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
