//! Observe mode's reads: every server, then Nova's status filter for each status seen.
//!
//! Only GET requests are sent. The main entry point is [`observe_cloud`]. Pages are judged as
//! they arrive: each server is folded into an [`ObservedTally`] (counts and a few examples per
//! pair) and a compact [`WalkIndex`] (id and what it showed), never kept whole. The filtered
//! listings run while the walk goes on, started as each status is first seen, a few at a time,
//! through the same client (so within `--max-rps`).

use super::filter_check::{FilterListing, check_unknown_status, judge_listing};
use super::status_filter::StatusFilter;
use super::walk_index::{IdSet, WalkIndex};
use crate::client::{ComputeClient, ComputeError, ListedServer, server_json};
use crate::judge::{CheckResult, ObservedTally};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tokio::sync::{Mutex, mpsc};

/// A status no map gives: asked for to check the cloud's answer to an invalid status value.
pub const UNKNOWN_STATUS: &str = "FROBNICATING";

/// Filtered listings read at once while the walk goes on (the walk itself is sequential).
const FILTER_WORKERS: usize = 3;

/// Everything observe mode read.
#[derive(Debug, Clone, Default)]
pub struct CloudObservation {
    /// Every server of the default listing, plus (for admins) the soft-deleted ones, folded
    /// per pair.
    pub tally: ObservedTally,
    /// How many servers that is.
    pub servers: usize,
    /// How many of them hide `OS-EXT-STS:*` (or their status): not judged.
    pub hidden: usize,
    /// Listing pages read (the walk, the soft-deleted walk and the filtered listings).
    pub pages: usize,
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

/// Servers and pages so far, reported as `observe: listing: N servers, M pages`.
struct Progress<'a> {
    servers: AtomicUsize,
    pages: AtomicUsize,
    report: &'a (dyn Fn(&str, &str, &str) + Sync),
}

impl Progress<'_> {
    fn page(&self, servers: usize, walk: bool) {
        let pages = self.pages.fetch_add(1, Ordering::Relaxed) + 1;
        let seen = if walk {
            self.servers.fetch_add(servers, Ordering::Relaxed) + servers
        } else {
            self.servers.load(Ordering::Relaxed)
        };
        (self.report)(
            "observe",
            "listing",
            &format!("{seen} servers seen, {pages} pages fetched"),
        );
    }
}

/// What the walks read.
#[derive(Default)]
struct Walked {
    tally: ObservedTally,
    index: WalkIndex,
    servers: usize,
    hidden: usize,
    /// Every status the default listing showed.
    statuses: BTreeSet<String>,
    notes: Vec<String>,
}

impl Walked {
    /// Folds one server into the tally (`evidence` gives its body when needed).
    fn count(&mut self, s: &ListedServer<'_>, evidence: impl FnOnce() -> Option<String>) {
        self.servers += 1;
        match (&s.vm_state, s.status.get()) {
            (Some(_), Some(status)) => {
                let id = s.id.get().unwrap_or_default();
                self.tally.add(id, s.vm(), s.task(), status, evidence);
            }
            _ => self.hidden += 1,
        }
    }
}

/// The default listing (each new status sent to `statuses`), then, for admins, the
/// soft-deleted servers it does not show.
async fn walk(
    client: &ComputeClient,
    scope: &[(&str, &str)],
    statuses: mpsc::UnboundedSender<String>,
    progress: &Progress<'_>,
) -> Result<Walked, ComputeError> {
    let mut walked = Walked::default();
    let mut on_page = |text: &str, servers: &[ListedServer<'_>]| {
        for (i, s) in servers.iter().enumerate() {
            walked.count(s, || server_json(text, i));
            if let Some(status) = s.status.get()
                && !walked.statuses.contains(status)
            {
                walked.statuses.insert(status.to_owned());
                let _ = statuses.send(status.to_owned());
            }
            if let Some(id) = s.id.get() {
                walked.index.push(id, s);
            }
        }
        progress.page(servers.len(), true);
    };
    client
        .walk_servers(&["servers", "detail"], scope, &mut on_page)
        .await?;
    drop(statuses);
    walked.index.seal();
    soft_deleted(client, scope, &mut walked, progress).await;
    Ok(walked)
}

/// Nova hides soft-deleted servers from default listings: admins list them too.
async fn soft_deleted(
    client: &ComputeClient,
    scope: &[(&str, &str)],
    walked: &mut Walked,
    progress: &Progress<'_>,
) {
    let admin = client
        .session()
        .token()
        .await
        .map(|t| t.is_admin())
        .unwrap_or(false);
    if !admin {
        walked.notes.push(
            "soft-deleted servers were not listed: listing them needs the admin role".to_owned(),
        );
        return;
    }
    let mut query = scope.to_vec();
    query.extend([("deleted", "True"), ("status", "SOFT_DELETED")]);
    let mut extra = Walked::default();
    let index = &walked.index;
    // `deleted=True` also returns destroyed rows whose vm_state still says soft-delete (Nova
    // 34 leaves it so when it deletes a server with no host, e.g. shelved-offloaded, while
    // `reclaim_instance_interval` is set); Nova shows any destroyed row as DELETED whatever its
    // vm_state, so those are tombstones, not soft-deleted servers, and are not judged.
    let mut on_page = |text: &str, servers: &[ListedServer<'_>]| {
        for (i, s) in servers.iter().enumerate() {
            if s.status.get() != Some("DELETED")
                && s.id.get().is_none_or(|id| index.get(id).is_none())
            {
                extra.count(s, || server_json(text, i));
            }
        }
        progress.page(servers.len(), true);
    };
    match client
        .walk_servers(&["servers", "detail"], &query, &mut on_page)
        .await
    {
        Ok(_) => {
            walked.servers += extra.servers;
            walked.hidden += extra.hidden;
            walked.tally.merge(extra.tally);
        }
        Err(e) => walked
            .notes
            .push(format!("soft-deleted servers were not listed: {e}")),
    }
}

/// Reads `GET /servers?status=X` (brief: ids only) for each status sent, until the walk ends.
async fn filter_worker(
    client: &ComputeClient,
    scope: &[(&str, &str)],
    statuses: &Mutex<mpsc::UnboundedReceiver<String>>,
    progress: &Progress<'_>,
) -> Vec<FilterListing> {
    let mut out = Vec::new();
    loop {
        let Some(status) = statuses.lock().await.recv().await else {
            return out;
        };
        if StatusFilter::nova(&status).is_none() {
            continue; // checked as an invalid value once the walk is over
        }
        let started = Instant::now();
        let mut query = scope.to_vec();
        query.push(("status", status.as_str()));
        let mut ids = IdSet::default();
        let mut entries = 0usize;
        let mut on_page = |_: &str, servers: &[ListedServer<'_>]| {
            for id in servers.iter().filter_map(|s| s.id.get()) {
                ids.insert(id);
            }
            entries += servers.len();
            progress.page(servers.len(), false);
        };
        let result = client
            .walk_servers(&["servers"], &query, &mut on_page)
            .await;
        ids.seal();
        out.push(FilterListing {
            result: result.map(|_| (ids, entries)),
            status,
            took: started.elapsed(),
        });
    }
}

/// Lists every server (paginated) and, when the token is an admin's, the soft-deleted ones
/// (`deleted=True&status=SOFT_DELETED`, which Nova hides from default listings); checks
/// `?status=X` for every status seen and the answer to an unknown status. `on_progress` hears
/// `("observe", "listing", "N servers seen, M pages fetched")` after each page.
///
/// A failed listing is an `Err`: nothing can be judged without it.
pub async fn observe_cloud(
    client: &ComputeClient,
    all_projects: bool,
    on_progress: &(dyn Fn(&str, &str, &str) + Sync),
) -> Result<CloudObservation, ComputeError> {
    let scope = scope_query(all_projects);
    let progress = Progress {
        servers: AtomicUsize::new(0),
        pages: AtomicUsize::new(0),
        report: on_progress,
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let rx = Mutex::new(rx);
    let worker = || filter_worker(client, &scope, &rx, &progress);
    let (walked, a, b, c) = tokio::join!(
        walk(client, &scope, tx, &progress),
        worker(),
        worker(),
        worker()
    );
    debug_assert_eq!(FILTER_WORKERS, 3, "one worker() per FILTER_WORKERS above");
    let walked = walked?;
    let mut listings: Vec<FilterListing> = [a, b, c].into_iter().flatten().collect();
    listings.sort_by(|x, y| x.status.cmp(&y.status));
    let filter_checks = check_filters(client, &scope, &walked, listings).await;
    Ok(CloudObservation {
        tally: walked.tally,
        servers: walked.servers,
        hidden: walked.hidden,
        pages: progress.pages.load(Ordering::Relaxed),
        filter_checks,
        notes: walked.notes,
    })
}

/// One check per status the walk saw (sorted), then the unknown status.
async fn check_filters(
    client: &ComputeClient,
    scope: &[(&str, &str)],
    walked: &Walked,
    listings: Vec<FilterListing>,
) -> Vec<CheckResult> {
    let mut listings = listings.into_iter().peekable();
    let mut checks = Vec::new();
    for status in walked.statuses.iter().cloned() {
        match StatusFilter::nova(&status) {
            Some(filter) if listings.peek().is_some_and(|l| l.status == status) => {
                if let Some(listing) = listings.next() {
                    checks.push(judge_listing(client, &walked.index, listing, &filter).await);
                }
            }
            // A status Nova's map never gives (e.g. a vendor's own): it filters like any
            // invalid one.
            _ => checks.push(check_unknown_status(client, scope, &status).await),
        }
    }
    checks.push(check_unknown_status(client, scope, UNKNOWN_STATUS).await);
    checks
}
