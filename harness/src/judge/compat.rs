//! Which profiles a target's observations agree with.

use crate::case::{Group, Profile, builtin_profiles};
use crate::outcome::{CaseResult, Outcome};
use crate::report::Compatibility;
use std::collections::BTreeMap;

/// What the run showed for one (vm_state, task_state) pair.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PairSeen {
    /// Every view agreed on this status.
    Status(String),
    /// The views contradicted each other (or rewrote the injected states): no table matches.
    Contradictory,
    /// Errored or skipped: nothing to judge it by.
    Unknown,
}

/// Evaluates every observed `(vm_state, task_state) → status` against each profile, from the
/// judge's results alone.
///
/// A profile conforms (`Some(true)`) only when every pair in `results` was seen, every view of
/// it agreed, and each status is the one the profile expects; it does not (`Some(false)`) when
/// a pair shows another status or the views contradict each other (counted in `differences`);
/// otherwise, when some pair errored or was skipped, or nothing was observed at all, it is
/// unknown (`None`), never "yes". Only pair cases (groups valid, invalid, probe) count. `scope`
/// is recorded on each entry: `None` when `results` are the whole run's, or the run profile
/// whose cases they are.
pub fn compatibility<'a>(
    results: impl IntoIterator<Item = &'a CaseResult>,
    profiles: &[Profile],
    scope: Option<&str>,
) -> Vec<Compatibility> {
    // The same pair may be seen once per profile run: an unknown or contradictory sighting
    // outweighs a clean one, and the first clean status is kept.
    let mut seen: BTreeMap<(Option<String>, Option<String>), PairSeen> = BTreeMap::new();
    for r in results {
        if !matches!(r.case.group, Group::Valid | Group::Invalid | Group::Probe) {
            continue;
        }
        let now = match (r.outcome, &r.observed) {
            (Outcome::Pass | Outcome::Fail, Some(status)) if r.views_agree => {
                PairSeen::Status(status.clone())
            }
            (Outcome::Pass | Outcome::Fail, Some(_)) => PairSeen::Contradictory,
            _ => PairSeen::Unknown,
        };
        let entry = seen
            .entry((r.case.vm_state.clone(), r.case.task_state.clone()))
            .or_insert_with(|| now.clone());
        if matches!(entry, PairSeen::Status(_)) && !matches!(now, PairSeen::Status(_)) {
            *entry = now;
        }
    }
    profiles
        .iter()
        .map(|p| {
            let differences = seen
                .iter()
                .filter(|((vm, task), pair)| match pair {
                    PairSeen::Status(status) => {
                        p.expected_status(vm.as_deref(), task.as_deref()) != *status
                    }
                    PairSeen::Contradictory => true,
                    PairSeen::Unknown => false,
                })
                .count();
            let unknown = seen.values().any(|pair| *pair == PairSeen::Unknown);
            let conforms = if differences > 0 {
                Some(false)
            } else if unknown || seen.is_empty() {
                None
            } else {
                Some(true)
            };
            Compatibility {
                profile: p.name().to_owned(),
                scope: scope.map(str::to_owned),
                conforms,
                differences,
                pairs: seen.len(),
            }
        })
        .collect()
}

/// The compatibility of a whole run with every built-in profile.
///
/// When each run profile's cases met a target of their own (`per_profile`: the embedded fake and
/// fetch adapters start one fake per profile) and more than one profile ran, each run profile's
/// results are judged on their own, scoped to it; otherwise the run is one target, scope `None`.
///
/// In a run against a real cloud (`cloud`), a pair no server showed is coverage, not a skip: it
/// does not make a profile unknown.
pub fn run_compatibility(
    results: &[CaseResult],
    run_profiles: &[Profile],
    per_profile: bool,
    cloud: bool,
) -> Vec<Compatibility> {
    let known = builtin_profiles();
    let covered: Vec<CaseResult>;
    let results = if cloud {
        covered = results
            .iter()
            .filter(|r| r.outcome != Outcome::Skip)
            .cloned()
            .collect();
        &covered[..]
    } else {
        results
    };
    if per_profile && run_profiles.len() > 1 {
        run_profiles
            .iter()
            .flat_map(|p| {
                let mine = results.iter().filter(|r| r.case.profile == p.name());
                compatibility(mine, &known, Some(p.name()))
            })
            .collect()
    } else {
        compatibility(results, &known, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::builtin_profiles;
    use crate::outcome::Outcome;
    use std::time::Duration;

    fn observed(profile: &Profile, overrides: &[(&str, &str)]) -> Vec<CaseResult> {
        profile
            .cases()
            .into_iter()
            .map(|case| {
                let status = overrides
                    .iter()
                    .find(|(id, _)| *id == case.id.as_str())
                    .map_or(case.expected.clone(), |(_, s)| (*s).to_owned());
                CaseResult {
                    outcome: Outcome::Pass,
                    observed: Some(status),
                    detail: None,
                    evidence: None,
                    duration: Duration::ZERO,
                    views_agree: true,

                    case,
                }
            })
            .collect()
    }

    #[test]
    fn a_target_following_ecs_openstack_conforms_to_it_alone() {
        let all = builtin_profiles();
        let eo = all.iter().find(|p| p.name() == "ecs-openstack").unwrap();
        let compat = compatibility(&observed(eo, &[]), &all, None);
        let summary: Vec<(&str, Option<bool>, usize)> = compat
            .iter()
            .map(|c| (c.profile.as_str(), c.conforms, c.differences))
            .collect();
        // ecs expects UNKNOWN for the six pairs ecs-openstack adds; nova differs on the pairs
        // ecs-openstack sends to UNKNOWN and Nova to a vm_state default.
        assert_eq!(summary[0], ("ecs", Some(false), 6));
        assert_eq!(summary[1], ("ecs-openstack", Some(true), 0));
        assert_eq!(summary[2].0, "nova");
        assert_eq!(summary[2].1, Some(false));
        assert!(compat.iter().all(|c| c.scope.is_none()));
    }

    #[test]
    fn one_deviating_observation_breaks_conformance_and_is_scoped() {
        let all = builtin_profiles();
        let ecs = all.iter().find(|p| p.name() == "ecs").unwrap();
        let results = observed(ecs, &[("ecs/active/rebooting", "ACTIVE")]);
        let compat = compatibility(&results, &all, Some("ecs"));
        assert_eq!(
            (compat[0].conforms, compat[0].differences),
            (Some(false), 1)
        );
        assert_eq!(compat[0].scope.as_deref(), Some("ecs"));
    }

    #[test]
    fn nothing_observed_conforms_to_nothing() {
        let all = builtin_profiles();
        let compat = compatibility(&[] as &[CaseResult], &all, None);
        assert_eq!(compat.len(), all.len());
        assert!(compat.iter().all(|c| c.conforms.is_none() && c.pairs == 0));
    }

    fn profile(name: &str) -> Profile {
        builtin_profiles()
            .into_iter()
            .find(|p| p.name() == name)
            .unwrap()
    }

    #[test]
    fn errors_among_passes_make_every_profile_unknown_never_yes() {
        let eo = profile("ecs-openstack");
        let mut results = observed(&eo, &[]);
        for r in results.iter_mut().skip(31) {
            (r.outcome, r.observed, r.views_agree) = (Outcome::Error, None, false);
        }
        let compat = compatibility(&results, std::slice::from_ref(&eo), None);
        assert_eq!((compat[0].conforms, compat[0].differences), (None, 0));
        assert_eq!(compat[0].pairs, results.len());
    }

    #[test]
    fn an_empty_listing_makes_every_case_fail_and_no_profile_conform() {
        // GET /servers/{id} shows the expected status, /servers/detail shows nothing: the
        // judge fails every case, and compatibility must not say "yes" to anything.
        let eo = profile("ecs-openstack");
        let mut results = observed(&eo, &[]);
        for r in &mut results {
            (r.outcome, r.views_agree) = (Outcome::Fail, false);
        }
        let compat = compatibility(&results, &builtin_profiles(), None);
        assert!(
            compat
                .iter()
                .all(|c| c.conforms == Some(false) && c.differences == 388),
            "{compat:?}"
        );
    }
}
