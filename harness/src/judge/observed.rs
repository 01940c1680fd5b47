//! Observe mode's verdicts: what a cloud showed, judged against a profile, as case results.
//!
//! Pure functions over servers already read (or tallied, see `tally.rs`); no HTTP here.

use super::tally::{PairTally, StatusTally};
use crate::case::{Case, Profile, state_label};
use crate::client::Server;
use crate::outcome::{CaseResult, Outcome};
use std::time::Duration;

/// The reason given for a table row no server showed.
pub const NOT_OBSERVED: &str = "not observed on this target";

/// One server as observe mode saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedServer {
    /// The server id.
    pub id: String,
    /// `OS-EXT-STS:vm_state` (None = null).
    pub vm_state: Option<String>,
    /// `OS-EXT-STS:task_state` (None = null).
    pub task_state: Option<String>,
    /// `status`.
    pub status: String,
    /// The server JSON, for the report's evidence.
    pub json: Option<String>,
}

impl ObservedServer {
    /// Reads a server body; `None` when it has no `status` or hides the extended status
    /// fields (then the pair is unknown and nothing can be judged).
    pub fn from_server(server: &Server) -> Option<ObservedServer> {
        if !server.has_extended_status() {
            return None;
        }
        Some(ObservedServer {
            id: server.id().unwrap_or_default().to_owned(),
            vm_state: server.vm_state().map(str::to_owned),
            task_state: server.task_state().map(str::to_owned),
            status: server.status()?.to_owned(),
            json: Some(server.as_json().to_string()),
        })
    }
}

/// Judges observed servers against `profile`.
///
/// Each distinct observed (vm_state, task_state) becomes one case: `pass` when every server
/// with that pair shows the expected status, else `fail`, with every distinct status listed in
/// the detail (with the first [`MAX_EXAMPLE_IDS`](super::MAX_EXAMPLE_IDS) ids of each). Every
/// row of the table (the `valid` group) that no server showed is `skip` with [`NOT_OBSERVED`].
/// Results follow the profile's case order; pairs outside the profile's vocabulary come last as
/// `probe` cases, sorted. Observe mode folds servers into an
/// [`ObservedTally`](super::ObservedTally) as they arrive instead; the results are the same.
///
/// # Examples
///
/// ```
/// use harness::case::builtin_profile;
/// use harness::judge::{judge_observed, ObservedServer};
/// use harness::outcome::Outcome;
///
/// // Arrange
/// let ecs = builtin_profile("ecs")?;
/// let seen = [ObservedServer { id: "s1".into(), vm_state: Some("active".into()),
///     task_state: Some("rebooting".into()), status: "REBOOT".into(), json: None }];
///
/// // Act
/// let results = judge_observed(&ecs, &seen);
///
/// // Assert
/// let hit = results.iter().find(|r| r.case.id.as_str() == "ecs/active/rebooting").unwrap();
/// assert_eq!(hit.outcome, Outcome::Pass);
/// assert_eq!(results.iter().filter(|r| r.outcome == Outcome::Skip).count(), 43);
/// # Ok::<(), harness::case::LoadProfileError>(())
/// ```
pub fn judge_observed(profile: &Profile, observed: &[ObservedServer]) -> Vec<CaseResult> {
    let mut tally = super::ObservedTally::default();
    for server in observed {
        tally.add_observed(server);
    }
    tally.judge(profile)
}

/// One pair's case: `pass` when all its servers show the expected status.
pub(crate) fn judge_pair(case: Case, pair: &PairTally) -> CaseResult {
    let first = |s: &&StatusTally| s.first;
    let wrong = pair
        .statuses
        .iter()
        .filter(|s| s.status != case.expected)
        .min_by_key(first);
    let shown = wrong.or_else(|| pair.statuses.iter().min_by_key(first));
    let label = format!(
        "{} / {}",
        state_label(case.vm_state.as_deref()),
        state_label(case.task_state.as_deref())
    );
    let detail = wrong.map(|_| {
        let mut statuses: Vec<&StatusTally> = pair.statuses.iter().collect();
        statuses.sort_by(|a, b| a.status.cmp(&b.status));
        let seen: Vec<String> = statuses
            .iter()
            .map(|s| {
                let more = s.count - s.ids.len();
                let rest = if more > 0 {
                    format!(", and {more} more")
                } else {
                    String::new()
                };
                format!("{} on {} ({}{rest})", s.status, s.count, s.ids.join(", "))
            })
            .collect();
        format!(
            "expected {} for {label}, observed {}",
            case.expected,
            seen.join("; ")
        )
    });
    CaseResult {
        outcome: if wrong.is_none() {
            Outcome::Pass
        } else {
            Outcome::Fail
        },
        observed: shown.map(|s| s.status.clone()),
        detail,
        evidence: shown.and_then(|s| s.evidence.clone()),
        duration: Duration::ZERO,
        // Servers in the same pair showing different statuses: the cloud contradicts itself.
        views_agree: pair.statuses.len() == 1,
        case,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Group, builtin_profile};

    fn seen(id: &str, vm: Option<&str>, task: Option<&str>, status: &str) -> ObservedServer {
        ObservedServer {
            id: id.to_owned(),
            vm_state: vm.map(str::to_owned),
            task_state: task.map(str::to_owned),
            status: status.to_owned(),
            json: Some(format!("{{\"id\":\"{id}\"}}")),
        }
    }

    /// The judgement of what the listing showed against the built-in `ecs` profile.
    fn on_ecs(observed: &[ObservedServer]) -> Vec<CaseResult> {
        judge_observed(&builtin_profile("ecs").unwrap(), observed)
    }

    fn by_id<'a>(results: &'a [CaseResult], id: &str) -> &'a CaseResult {
        results
            .iter()
            .find(|r| r.case.id.as_str() == id)
            .unwrap_or_else(|| panic!("no case {id}"))
    }

    #[test]
    fn observed_pairs_pass_and_unobserved_rows_are_skipped() {
        let results = on_ecs(&[
            seen("s1", Some("active"), None, "ACTIVE"),
            seen("s2", Some("active"), None, "ACTIVE"),
            seen("s3", Some("stopped"), None, "SHUTOFF"),
        ]);
        assert_eq!(results.len(), 44, "one result per table row, nothing else");
        assert_eq!(by_id(&results, "ecs/active/null").outcome, Outcome::Pass);
        assert_eq!(by_id(&results, "ecs/stopped/null").outcome, Outcome::Pass);
        let skips: Vec<&CaseResult> = results
            .iter()
            .filter(|r| r.outcome == Outcome::Skip)
            .collect();
        assert_eq!(skips.len(), 42);
        assert!(
            skips
                .iter()
                .all(|r| r.detail.as_deref() == Some(NOT_OBSERVED) && r.case.group == Group::Valid)
        );
    }

    #[test]
    fn a_wrong_or_inconsistent_status_fails_with_every_status_listed() {
        let results = on_ecs(&[
            seen("s1", Some("stopped"), None, "SHUTOFF"),
            seen("s2", Some("stopped"), None, "ACTIVE"),
            seen("s3", Some("stopped"), None, "ACTIVE"),
        ]);
        let stopped = by_id(&results, "ecs/stopped/null");
        assert_eq!(stopped.outcome, Outcome::Fail);
        assert_eq!(stopped.observed.as_deref(), Some("ACTIVE"));
        assert_eq!(
            stopped.detail.as_deref(),
            Some(
                "expected SHUTOFF for stopped / null, observed ACTIVE on 2 (s2, s3); SHUTOFF on \
                 1 (s1)"
            )
        );
        assert_eq!(stopped.evidence.as_deref(), Some("{\"id\":\"s2\"}"));
    }

    #[test]
    fn invalid_pairs_are_judged_when_seen_and_foreign_pairs_come_last_as_probes() {
        let results = on_ecs(&[
            seen("s1", Some("stopped"), Some("rebooting"), "UNKNOWN"),
            seen("s2", Some("zombie"), None, "UNKNOWN"),
        ]);
        let invalid = by_id(&results, "ecs/stopped/rebooting");
        assert_eq!(
            (invalid.case.group, invalid.outcome),
            (Group::Invalid, Outcome::Pass)
        );
        let last = results.last().unwrap();
        assert_eq!(last.case.id.as_str(), "ecs/zombie/null");
        assert_eq!(
            (last.case.group, last.case.expected.as_str(), last.outcome),
            (Group::Probe, "UNKNOWN", Outcome::Pass)
        );
        assert_eq!(results.len(), 44 + 2);
    }

    #[test]
    fn servers_hiding_extended_status_are_not_judged() {
        let hidden = Server::new(serde_json::json!({"id": "s1", "status": "ACTIVE"}));
        assert_eq!(ObservedServer::from_server(&hidden), None);
        let shown = Server::new(serde_json::json!({"id": "s1", "status": "ACTIVE",
            "OS-EXT-STS:vm_state": "active", "OS-EXT-STS:task_state": null}));
        let observed = ObservedServer::from_server(&shown).unwrap();
        assert_eq!(
            (
                observed.vm_state.as_deref(),
                observed.task_state,
                observed.status.as_str()
            ),
            (Some("active"), None, "ACTIVE")
        );
    }
}
