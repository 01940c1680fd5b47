//! Which profiles a target's observations agree with.

use crate::case::Profile;
use crate::outcome::CaseResult;
use crate::report::Compatibility;
use std::collections::BTreeMap;

/// Evaluates every observed `(vm_state, task_state) → status` against each profile.
///
/// A profile conforms when at least one pair was observed and none of the observed statuses
/// differs from what the profile expects for that pair.
pub fn compatibility(results: &[CaseResult], profiles: &[Profile]) -> Vec<Compatibility> {
    // The same pair may be observed once per profile run; count each pair once.
    let mut observed: BTreeMap<(Option<String>, Option<String>), String> = BTreeMap::new();
    for r in results {
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
                conforms: !observed.is_empty() && differences == 0,
                differences,
            }
        })
        .collect()
}
