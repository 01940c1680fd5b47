//! The cases of the v2 kinds for one profile: `surface` (one per status), `list` and `wait`
//! (one per scenario), `challenge` (three per run, from the [`RunPlan`](super::RunPlan)).

use super::RunPlan;
use crate::case::{Case, CaseId, Group, Profile, Scenario, ScenarioKind, UNKNOWN};
use crate::target::adapter::Capability;

/// The cases a profile gains from an adapter's capabilities (`can` answers for the adapter):
/// challenges for a fetch adapter, surface cases, list and wait scenarios, in that order.
pub fn capability_cases(
    profile: &Profile,
    can: impl Fn(Capability) -> bool,
    plan: &mut RunPlan,
    scenarios: &[Scenario],
) -> Vec<Case> {
    let mut out = Vec::new();
    if can(Capability::Fetch) {
        out.extend(plan.challenges(profile));
    }
    if can(Capability::Surface) {
        out.extend(surface_cases(profile));
    }
    if can(Capability::List) {
        out.extend(scenario_cases(profile, scenarios, ScenarioKind::List));
    }
    if can(Capability::Wait) {
        out.extend(scenario_cases(profile, scenarios, ScenarioKind::Wait));
    }
    out
}

/// The pair a `surface` case seeds for `status`: the first row giving it, else a vm_state whose
/// default it is, else (for UNKNOWN) a vm_state no profile knows. Checked against the profile.
pub fn surface_pair(profile: &Profile, status: &str) -> Option<(Option<String>, Option<String>)> {
    let from_row = profile.rows().iter().find(|r| r.status == status).map(|r| {
        (
            Some(r.vm_state.clone()),
            r.task_states.first().cloned().flatten(),
        )
    });
    let from_default = || {
        profile
            .vm_states()
            .into_iter()
            .find(|vm| profile.default_status(vm) == Some(status))
            .map(|vm| (Some(vm.to_owned()), None))
    };
    let probe = || (status == UNKNOWN).then(|| (Some("bogus".to_owned()), None));
    let pair = from_row.or_else(from_default).or_else(probe)?;
    (profile.expected_status(pair.0.as_deref(), pair.1.as_deref()) == status).then_some(pair)
}

/// One `surface` case per status of the profile that some pair gives.
pub fn surface_cases(profile: &Profile) -> Vec<Case> {
    profile
        .statuses()
        .into_iter()
        .filter_map(|status| {
            let (vm_state, task_state) = surface_pair(profile, status)?;
            Some(Case {
                id: CaseId(format!("{}/surface/{status}", profile.name())),
                profile: profile.name().to_owned(),
                group: Group::Surface,
                vm_state,
                task_state,
                expected: status.to_owned(),
            })
        })
        .collect()
}

/// The statuses served per step of a wait scenario under a profile, deduplicated in a row:
/// `BUILD → ERROR`.
pub fn served_path(profile: &Profile, scenario: &Scenario) -> String {
    let mut path: Vec<String> = Vec::new();
    for step in &scenario.timeline {
        let label = if step.gone {
            "404".to_owned()
        } else if let Some(status) = &step.status {
            status.clone()
        } else {
            profile.expected_status(
                step.vm_state.clone().flatten().as_deref(),
                step.task_state.clone().flatten().as_deref(),
            )
        };
        if path.last() != Some(&label) {
            path.push(label);
        }
    }
    path.join(" → ")
}

/// One case per scenario of `kind`: `<profile>/<kind>/<scenario>`, expecting a short text.
pub fn scenario_cases(profile: &Profile, scenarios: &[Scenario], kind: ScenarioKind) -> Vec<Case> {
    scenarios
        .iter()
        .filter(|s| s.kind == kind)
        .map(|s| {
            let expected = match kind {
                ScenarioKind::List => {
                    format!("{} servers, the odd one raw or unknown", s.servers.len())
                }
                ScenarioKind::Wait => match s.expectation(profile.name()) {
                    Some(e) => match e.within_polls {
                        Some(1) => format!("{} within 1 poll", e.outcome.as_str()),
                        Some(n) => format!("{} within {n} polls", e.outcome.as_str()),
                        None => e.outcome.as_str().to_owned(),
                    },
                    None => "no expectation".to_owned(),
                },
            };
            let group = match kind {
                ScenarioKind::List => Group::List,
                ScenarioKind::Wait => Group::Wait,
            };
            Case {
                id: CaseId(format!("{}/{}/{}", profile.name(), kind.as_str(), s.name)),
                profile: profile.name().to_owned(),
                group,
                vm_state: None,
                task_state: None,
                expected,
            }
        })
        .collect()
}

/// The scenario a list or wait case was made from.
pub(super) fn scenario_of<'a>(case: &Case, scenarios: &'a [Scenario]) -> Option<&'a Scenario> {
    let name = case.id.as_str().rsplit('/').next()?;
    scenarios.iter().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{builtin_profile, builtin_scenarios};

    #[test]
    fn every_status_of_every_profile_has_a_surface_case() {
        for name in crate::case::BUILTIN_NAMES {
            let profile = builtin_profile(name).unwrap();
            let cases = surface_cases(&profile);
            let ids: Vec<&str> = cases.iter().map(|c| c.expected.as_str()).collect();
            assert_eq!(ids, profile.statuses(), "{name}");
        }
        let nova = builtin_profile("nova").unwrap();
        let shutoff = surface_cases(&nova)
            .into_iter()
            .find(|c| c.expected == "SHUTOFF")
            .unwrap();
        assert_eq!(shutoff.id.as_str(), "nova/surface/SHUTOFF");
    }

    #[test]
    fn wait_cases_expect_per_profile_and_name_the_path() {
        let scenarios = builtin_scenarios().unwrap();
        let ecs = builtin_profile("ecs").unwrap();
        let cases = scenario_cases(&ecs, &scenarios, ScenarioKind::Wait);
        let rescue = cases
            .iter()
            .find(|c| c.id.as_str() == "ecs/wait/rescue-to-rescued")
            .unwrap();
        assert_eq!(rescue.expected, "timeout");
        let build = scenarios
            .iter()
            .find(|s| s.name == "build-then-error")
            .unwrap();
        assert_eq!(served_path(&ecs, build), "BUILD → ERROR");
        let nova = builtin_profile("nova").unwrap();
        let gone = scenarios
            .iter()
            .find(|s| s.name == "delete-then-gone")
            .unwrap();
        assert_eq!(served_path(&nova, gone), "ACTIVE → 404");
    }

    #[test]
    fn every_case_name_is_unique_within_its_junit_suite() {
        // JUnit consumers key history on classname + name and GitLab keeps only the first of
        // two equal names, so a suite (profile × group) must never repeat one, whatever the seed.
        let scenarios = builtin_scenarios().unwrap();
        for name in crate::case::BUILTIN_NAMES {
            let profile = builtin_profile(name).unwrap();
            for seed in 0..50 {
                let mut plan = RunPlan::new(seed);
                let mut cases = profile.cases();
                cases.extend(capability_cases(&profile, |_| true, &mut plan, &scenarios));
                let mut seen = std::collections::BTreeSet::new();
                for case in &cases {
                    let key = (case.group, case.display_name());
                    assert!(seen.insert(key), "{name} seed {seed}: {} repeats", case.id);
                }
            }
        }
    }
}
