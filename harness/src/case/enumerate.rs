//! Deterministic case enumeration: `valid`, then `invalid`, then `probe`.
//!
//! Within `valid` and `invalid` the order is the profile's vm_state order, and for each vm_state
//! null first, then the profile's task_state order. `probe` lists the out-of-vocabulary vm_states
//! ([`PROBE_VM_STATES`], each with a null task) and then, for each declared vm_state in order, the
//! out-of-vocabulary task_states ([`PROBE_TASK_STATES`]).

use serde::{Deserialize, Serialize};

use super::model::{Case, CaseId, Group};
use super::profile::Profile;

/// vm_states outside every vocabulary: unknown, empty, wrong case, and null.
pub const PROBE_VM_STATES: [Option<&str>; 4] = [Some("bogus"), Some(""), Some("ACTIVE"), None];

/// task_states outside every vocabulary: unknown, wrong case, and empty.
pub const PROBE_TASK_STATES: [&str; 3] = ["bogus", "REBOOTING", ""];

/// How many cases a profile has in each group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCounts {
    /// Pairs a row lists.
    pub valid: usize,
    /// Other pairs of the vocabulary.
    pub invalid: usize,
    /// Out-of-vocabulary values.
    pub probe: usize,
}

impl GroupCounts {
    /// Counts the groups of a list of cases.
    pub fn of(cases: &[Case]) -> GroupCounts {
        let mut counts = GroupCounts::default();
        for case in cases {
            match case.group {
                Group::Valid => counts.valid += 1,
                Group::Invalid => counts.invalid += 1,
                Group::Probe => counts.probe += 1,
                // Observe and lifecycle checks are never enumerated from a profile.
                Group::Filter
                | Group::Lifecycle
                | Group::Challenge
                | Group::Surface
                | Group::List
                | Group::Wait => {}
            }
        }
        counts
    }

    /// All three groups together.
    pub fn total(&self) -> usize {
        self.valid + self.invalid + self.probe
    }
}

impl Profile {
    /// Every case of the profile, in the documented order.
    ///
    /// # Examples
    ///
    /// ```
    /// use harness::case::{Group, builtin_profile};
    ///
    /// // Arrange
    /// let ecs = builtin_profile("ecs")?;
    ///
    /// // Act
    /// let cases = ecs.cases();
    ///
    /// // Assert
    /// assert_eq!(cases.len(), 44 + 180 + 28);
    /// assert_eq!(cases[0].id.as_str(), "ecs/building/null");
    /// assert_eq!(cases[0].group, Group::Valid);
    /// # Ok::<(), harness::case::LoadProfileError>(())
    /// ```
    pub fn cases(&self) -> Vec<Case> {
        let vm_states = self.vm_states();
        let tasks: Vec<Option<&str>> = std::iter::once(None)
            .chain(self.task_states().into_iter().map(Some))
            .collect();
        let mut valid = Vec::new();
        let mut invalid = Vec::new();
        for &vm in &vm_states {
            for &task in &tasks {
                let case = self.case(Group::Valid, Some(vm), task);
                if self.lists(Some(vm), task) {
                    valid.push(case);
                } else {
                    invalid.push(Case {
                        group: Group::Invalid,
                        ..case
                    });
                }
            }
        }
        let mut probe = Vec::new();
        for vm in PROBE_VM_STATES {
            probe.push(self.case(Group::Probe, vm, None));
        }
        for &vm in &vm_states {
            for task in PROBE_TASK_STATES {
                probe.push(self.case(Group::Probe, Some(vm), Some(task)));
            }
        }
        valid.extend(invalid);
        valid.extend(probe);
        valid
    }

    /// The number of cases in each group.
    pub fn counts(&self) -> GroupCounts {
        GroupCounts::of(&self.cases())
    }

    fn case(&self, group: Group, vm_state: Option<&str>, task_state: Option<&str>) -> Case {
        Case {
            id: CaseId::new(self.name(), vm_state, task_state),
            profile: self.name().to_owned(),
            group,
            vm_state: vm_state.map(str::to_owned),
            task_state: task_state.map(str::to_owned),
            expected: self.expected_status(vm_state, task_state),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Profile {
        let text = r#"{
  "format_version": 1, "name": "t", "title": "t", "source": {"document": "d"},
  "fallback": "unknown",
  "statuses": [{"name": "ON"}, {"name": "UNKNOWN"}],
  "vm_states": [{"name": "on"}, {"name": "off"}],
  "task_states": [{"name": "a"}, {"name": "b"}],
  "rows": [{"vm_state": "off", "task_states": ["b", null], "status": "ON", "source": "s"}]
}"#;
        Profile::from_slice("t.json", text.as_bytes()).unwrap()
    }

    #[test]
    fn cases_follow_group_then_vm_state_then_null_then_task_order() {
        let ids: Vec<String> = tiny().cases().iter().map(|c| c.id.to_string()).collect();
        assert_eq!(
            ids,
            [
                "t/off/null",
                "t/off/b", // valid, in vocabulary order (null first)
                "t/on/null",
                "t/on/a",
                "t/on/b",
                "t/off/a", // invalid
                "t/bogus/null",
                "t/\"\"/null",
                "t/ACTIVE/null",
                "t/null/null", // probe vm_states
                "t/on/bogus",
                "t/on/REBOOTING",
                "t/on/\"\"", // probe task_states per vm_state
                "t/off/bogus",
                "t/off/REBOOTING",
                "t/off/\"\"",
            ]
        );
    }

    #[test]
    fn counts_add_up_to_vocabulary_and_probes() {
        let counts = tiny().counts();
        assert_eq!((counts.valid, counts.invalid, counts.probe), (2, 4, 10));
        assert_eq!(counts.total(), 16);
    }

    #[test]
    fn probe_cases_carry_their_raw_values() {
        let cases = tiny().cases();
        let empty = cases
            .iter()
            .find(|c| c.id.as_str() == "t/\"\"/null")
            .unwrap();
        assert_eq!(empty.vm_state.as_deref(), Some(""));
        let null = cases
            .iter()
            .find(|c| c.id.as_str() == "t/null/null")
            .unwrap();
        assert_eq!(
            (null.vm_state.as_deref(), null.task_state.as_deref()),
            (None, None)
        );
        assert!(
            cases
                .iter()
                .filter(|c| c.group == Group::Probe)
                .all(|c| c.expected == "UNKNOWN")
        );
    }
}
