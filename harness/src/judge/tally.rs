//! What observe mode keeps of the servers it reads: counts per (pair, status), a bounded number
//! of example ids and the first server's body, never every server.
//!
//! [`ObservedTally`] is fed one server at a time as pages arrive; [`ObservedTally::judge`] then
//! gives the same results as judging every server at once would.

use super::observed::{NOT_OBSERVED, judge_pair};
use crate::case::{Case, CaseId, Group, Profile};
use crate::outcome::{CaseResult, Outcome};
use std::collections::HashMap;
use std::time::Duration;

/// Most server ids a failure detail names per status; the rest are counted.
pub const MAX_EXAMPLE_IDS: usize = 20;

/// One status seen on servers of one pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StatusTally {
    /// The status.
    pub(crate) status: String,
    /// Servers of the pair showing it.
    pub(crate) count: usize,
    /// The first [`MAX_EXAMPLE_IDS`] of their ids, in the order seen.
    pub(crate) ids: Vec<String>,
    /// Position (in the order seen) of the first server showing it.
    pub(crate) first: u64,
    /// That server's body, for the report's evidence.
    pub(crate) evidence: Option<String>,
}

/// One (vm_state, task_state) pair and the statuses its servers showed, in first-seen order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PairTally {
    pub(crate) vm_state: Option<String>,
    pub(crate) task_state: Option<String>,
    pub(crate) statuses: Vec<StatusTally>,
}

/// Observed servers, folded per pair as they arrive.
///
/// # Examples
///
/// ```
/// use harness::case::builtin_profile;
/// use harness::judge::ObservedTally;
/// use harness::outcome::Outcome;
///
/// // Arrange
/// let nova = builtin_profile("nova")?;
/// let mut tally = ObservedTally::default();
///
/// // Act: a million servers would cost the same memory as these two.
/// tally.add("s1", Some("active"), Some("rebooting"), "REBOOT", || Some("{}".into()));
/// tally.add("s2", Some("active"), Some("rebooting"), "REBOOT", || None);
///
/// // Assert
/// assert_eq!(tally.servers(), 2);
/// let results = tally.judge(&nova);
/// let hit = results.iter().find(|r| r.case.id.as_str() == "nova/active/rebooting").unwrap();
/// assert_eq!(hit.outcome, Outcome::Pass);
/// # Ok::<(), harness::case::LoadProfileError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ObservedTally {
    pairs: Vec<PairTally>,
    index: HashMap<String, usize>,
    key: String,
    seen: u64,
}

impl ObservedTally {
    /// Counts one server; `evidence` (the server's body) is called only when this server is the
    /// first of its pair to show `status`.
    pub fn add(
        &mut self,
        id: &str,
        vm_state: Option<&str>,
        task_state: Option<&str>,
        status: &str,
        evidence: impl FnOnce() -> Option<String>,
    ) {
        let order = self.seen;
        self.seen += 1;
        let pair = self.pair_index(vm_state, task_state);
        let statuses = &mut self.pairs[pair].statuses;
        match statuses.iter_mut().find(|s| s.status == status) {
            Some(s) => {
                s.count += 1;
                if s.ids.len() < MAX_EXAMPLE_IDS {
                    s.ids.push(id.to_owned());
                }
            }
            None => statuses.push(StatusTally {
                status: status.to_owned(),
                count: 1,
                ids: vec![id.to_owned()],
                first: order,
                evidence: evidence(),
            }),
        }
    }

    /// Counts a server read by [`ObservedServer::from_server`](super::ObservedServer).
    pub fn add_observed(&mut self, server: &super::ObservedServer) {
        self.add(
            &server.id,
            server.vm_state.as_deref(),
            server.task_state.as_deref(),
            &server.status,
            || server.json.clone(),
        );
    }

    /// Adds everything `later` counted, as if its servers had come after this tally's.
    pub fn merge(&mut self, later: ObservedTally) {
        let offset = self.seen;
        for pair in later.pairs {
            let at = self.pair_index(pair.vm_state.as_deref(), pair.task_state.as_deref());
            let statuses = &mut self.pairs[at].statuses;
            for s in pair.statuses {
                match statuses.iter_mut().find(|mine| mine.status == s.status) {
                    Some(mine) => {
                        mine.count += s.count;
                        let room = MAX_EXAMPLE_IDS.saturating_sub(mine.ids.len());
                        mine.ids.extend(s.ids.into_iter().take(room));
                    }
                    None => statuses.push(StatusTally {
                        first: s.first + offset,
                        ..s
                    }),
                }
            }
        }
        self.seen += later.seen;
    }

    /// Servers counted.
    pub fn servers(&self) -> u64 {
        self.seen
    }

    fn pair_index(&mut self, vm_state: Option<&str>, task_state: Option<&str>) -> usize {
        // One reusable key buffer: no allocation per server once the pair is known.
        self.key.clear();
        for part in [vm_state, task_state] {
            match part {
                Some(s) => self.key.push_str(s),
                None => self.key.push('\0'),
            }
            self.key.push('\u{1}');
        }
        if let Some(i) = self.index.get(self.key.as_str()) {
            return *i;
        }
        self.pairs.push(PairTally {
            vm_state: vm_state.map(str::to_owned),
            task_state: task_state.map(str::to_owned),
            statuses: Vec::new(),
        });
        self.index.insert(self.key.clone(), self.pairs.len() - 1);
        self.pairs.len() - 1
    }

    /// Judges every pair seen against `profile`, exactly as
    /// [`judge_observed`](super::judge_observed) documents.
    pub fn judge(&self, profile: &Profile) -> Vec<CaseResult> {
        let mut pairs: Vec<&PairTally> = self.pairs.iter().collect();
        let mut results = Vec::new();
        for case in profile.cases() {
            let at = pairs
                .iter()
                .position(|p| p.vm_state == case.vm_state && p.task_state == case.task_state);
            match at {
                Some(i) => results.push(judge_pair(case, pairs.remove(i))),
                None if case.group == Group::Valid => results.push(not_observed(case)),
                None => {}
            }
        }
        pairs.sort_by(|a, b| (&a.vm_state, &a.task_state).cmp(&(&b.vm_state, &b.task_state)));
        for pair in pairs {
            let (vm, task) = (pair.vm_state.as_deref(), pair.task_state.as_deref());
            let case = Case {
                id: CaseId::new(profile.name(), vm, task),
                profile: profile.name().to_owned(),
                group: Group::Probe,
                expected: profile.expected_status(vm, task),
                vm_state: pair.vm_state.clone(),
                task_state: pair.task_state.clone(),
            };
            results.push(judge_pair(case, pair));
        }
        results
    }
}

fn not_observed(case: Case) -> CaseResult {
    CaseResult {
        case,
        outcome: Outcome::Skip,
        observed: None,
        detail: Some(NOT_OBSERVED.to_owned()),
        evidence: None,
        duration: Duration::ZERO,
        views_agree: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::builtin_profile;

    #[test]
    fn memory_is_per_pair_and_status_not_per_server() {
        let mut tally = ObservedTally::default();
        for n in 0..10_000 {
            let id = format!("s{n}");
            let status = if n % 2 == 0 { "ACTIVE" } else { "SHUTOFF" };
            tally.add(&id, Some("active"), None, status, || {
                Some(format!("{{{n}}}"))
            });
        }
        assert_eq!(tally.servers(), 10_000);
        assert_eq!(tally.pairs.len(), 1);
        let statuses = &tally.pairs[0].statuses;
        assert_eq!(
            statuses
                .iter()
                .map(|s| (
                    s.status.as_str(),
                    s.count,
                    s.ids.len(),
                    s.evidence.as_deref()
                ))
                .collect::<Vec<_>>(),
            [
                ("ACTIVE", 5000, MAX_EXAMPLE_IDS, Some("{0}")),
                ("SHUTOFF", 5000, MAX_EXAMPLE_IDS, Some("{1}"))
            ]
        );
    }

    #[test]
    fn a_merged_tally_counts_as_if_its_servers_came_last() {
        let mut a = ObservedTally::default();
        a.add("s1", Some("stopped"), None, "SHUTOFF", || Some("1".into()));
        let mut b = ObservedTally::default();
        b.add("s2", Some("stopped"), None, "ACTIVE", || Some("2".into()));
        b.add("s3", Some("stopped"), None, "SHUTOFF", || Some("3".into()));
        a.merge(b);
        assert_eq!(a.servers(), 3);
        let statuses = &a.pairs[0].statuses;
        assert_eq!(
            statuses
                .iter()
                .map(|s| (s.status.as_str(), s.count, s.first, s.ids.clone()))
                .collect::<Vec<_>>(),
            [
                ("SHUTOFF", 2, 0, vec!["s1".to_owned(), "s3".to_owned()]),
                ("ACTIVE", 1, 1, vec!["s2".to_owned()])
            ]
        );
    }

    #[test]
    fn a_failure_names_the_first_ids_and_counts_the_rest() {
        let ecs = builtin_profile("ecs").unwrap();
        let mut tally = ObservedTally::default();
        for n in 0..25 {
            tally.add(&format!("s{n}"), Some("stopped"), None, "ACTIVE", || None);
        }
        let results = tally.judge(&ecs);
        let stopped = results
            .iter()
            .find(|r| r.case.id.as_str() == "ecs/stopped/null")
            .unwrap();
        let ids: Vec<String> = (0..20).map(|n| format!("s{n}")).collect();
        assert_eq!(
            stopped.detail.as_deref(),
            Some(
                format!(
                    "expected SHUTOFF for stopped / null, observed ACTIVE on 25 ({}, and 5 more)",
                    ids.join(", ")
                )
                .as_str()
            )
        );
    }
}
