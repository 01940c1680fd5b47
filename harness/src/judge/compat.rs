//! Which profiles a target's observations agree with.

use crate::case::{Group, Profile, builtin_profiles};
use crate::outcome::CaseResult;
use crate::report::Compatibility;
use std::collections::BTreeMap;

/// Evaluates every observed `(vm_state, task_state) → status` against each profile.
///
/// A profile conforms when at least one pair was observed and none of the observed statuses
/// differs from what the profile expects for that pair. `scope` is recorded on each entry: `None`
/// when `results` are the whole run's, or the run profile whose cases they are.
pub fn compatibility<'a>(
    results: impl IntoIterator<Item = &'a CaseResult>,
    profiles: &[Profile],
    scope: Option<&str>,
) -> Vec<Compatibility> {
    // The same pair may be observed once per profile run; count each pair once.
    let mut observed: BTreeMap<(Option<String>, Option<String>), String> = BTreeMap::new();
    for r in results {
        // Only pair cases say what status a (vm_state, task_state) derives; a filter check or a
        // lifecycle step is not a pair of any table.
        if !matches!(r.case.group, Group::Valid | Group::Invalid | Group::Probe) {
            continue;
        }
        if let Some(status) = &r.observed {
            observed
                .entry((r.case.vm_state.clone(), r.case.task_state.clone()))
                .or_insert_with(|| status.clone());
        }
    }
    profiles
        .iter()
        .map(|p| {
            let differences = observed
                .iter()
                .filter(|((vm, task), status)| {
                    p.expected_status(vm.as_deref(), task.as_deref()) != **status
                })
                .count();
            Compatibility {
                profile: p.name().to_owned(),
                scope: scope.map(str::to_owned),
                conforms: !observed.is_empty() && differences == 0,
                differences,
            }
        })
        .collect()
}

/// The compatibility of a whole run with every built-in profile.
///
/// When each run profile's cases met a target of their own (`per_profile`: the embedded fake and
/// fetch adapters start one fake per profile) and more than one profile ran, each run profile's
/// results are judged on their own, scoped to it; otherwise the run is one target, scope `None`.
pub fn run_compatibility(
    results: &[CaseResult],
    run_profiles: &[Profile],
    per_profile: bool,
) -> Vec<Compatibility> {
    let known = builtin_profiles();
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
        let summary: Vec<(&str, bool, usize)> = compat
            .iter()
            .map(|c| (c.profile.as_str(), c.conforms, c.differences))
            .collect();
        // ecs expects UNKNOWN for the six pairs ecs-openstack adds; nova differs on the pairs
        // ecs-openstack sends to UNKNOWN and Nova to a vm_state default.
        assert_eq!(summary[0], ("ecs", false, 6));
        assert_eq!(summary[1], ("ecs-openstack", true, 0));
        assert_eq!(summary[2].0, "nova");
        assert!(!summary[2].1);
        assert!(compat.iter().all(|c| c.scope.is_none()));
    }

    #[test]
    fn one_deviating_observation_breaks_conformance_and_is_scoped() {
        let all = builtin_profiles();
        let ecs = all.iter().find(|p| p.name() == "ecs").unwrap();
        let results = observed(ecs, &[("ecs/active/rebooting", "ACTIVE")]);
        let compat = compatibility(&results, &all, Some("ecs"));
        assert_eq!((compat[0].conforms, compat[0].differences), (false, 1));
        assert_eq!(compat[0].scope.as_deref(), Some("ecs"));
    }

    #[test]
    fn nothing_observed_conforms_to_nothing() {
        let all = builtin_profiles();
        assert!(
            compatibility(&[] as &[CaseResult], &all, None)
                .iter()
                .all(|c| !c.conforms)
        );
    }
}
