//! Nova's `?status=` list filter (`task_and_vm_state_from_status`).
//!
//! A status list becomes two *independent* sets, a vm_state set and a task_state set, and the
//! task filter is dropped as soon as any requested status is some vm_state's default. The
//! filter always follows Nova's map, whatever the profile, because that is how ECS filters too.

use std::collections::BTreeSet;

use super::state::{TaskState, VmState};
use super::status::{nova_default, nova_override};

/// The vm_state and task_state sets a `?status=` list selects.
///
/// ```
/// use fake_server::domain::{StatusFilter, TaskState, VmState};
/// // Arrange, Act
/// let f = StatusFilter::from_statuses(["reboot"]);
/// // Assert
/// assert!(f.matches(Some(&VmState::Active), Some(&TaskState::RebootPending)));
/// assert!(!f.matches(Some(&VmState::Active), None));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatusFilter {
    /// Servers must have one of these vm_states.
    pub vm_states: BTreeSet<VmState>,
    /// Servers must have one of these task_states; `None` when the task is not filtered.
    pub task_states: Option<BTreeSet<TaskState>>,
}

impl StatusFilter {
    /// Builds the filter for the given status values (compared case-insensitively).
    pub fn from_statuses<'a>(statuses: impl IntoIterator<Item = &'a str>) -> Self {
        let wanted: Vec<String> = statuses.into_iter().map(str::to_lowercase).collect();
        let hit = |s: &str| wanted.iter().any(|w| *w == s.to_lowercase());
        let mut vm_states = BTreeSet::new();
        let mut task_states = BTreeSet::new();
        let mut saw_default = false;
        for vm in VmState::KNOWN {
            if hit(nova_default(vm).as_str()) {
                vm_states.insert(vm.clone());
                saw_default = true;
            }
            for task in TaskState::KNOWN {
                if nova_override(vm, task).is_some_and(|s| hit(s.as_str())) {
                    vm_states.insert(vm.clone());
                    task_states.insert(task.clone());
                }
            }
        }
        StatusFilter {
            vm_states,
            task_states: (!saw_default).then_some(task_states),
        }
    }

    /// True when no status matched any map entry (an invalid status value).
    pub fn is_empty(&self) -> bool {
        self.vm_states.is_empty()
    }

    /// True when the vm_state set is exactly `{deleted}` (the admin-only DELETED listing).
    pub fn is_only_deleted(&self) -> bool {
        self.vm_states.len() == 1 && self.vm_states.contains(&VmState::Deleted)
    }

    /// Whether a server with this pair passes the filter (SQL `IN` semantics: null never matches).
    pub fn matches(&self, vm: Option<&VmState>, task: Option<&TaskState>) -> bool {
        let vm_ok = vm.is_some_and(|v| self.vm_states.contains(v));
        let task_ok = match &self.task_states {
            None => true,
            Some(set) => task.is_some_and(|t| set.contains(t)),
        };
        vm_ok && task_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<T: AsRef<str>>(it: impl IntoIterator<Item = T>) -> Vec<String> {
        let mut v: Vec<String> = it.into_iter().map(|x| x.as_ref().to_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn reboot_selects_active_and_the_three_soft_reboot_tasks() {
        let f = StatusFilter::from_statuses(["reboot"]);
        assert_eq!(names(f.vm_states.iter().map(VmState::as_str)), ["active"]);
        assert_eq!(
            names(f.task_states.unwrap().iter().map(TaskState::as_str)),
            ["reboot_pending", "reboot_started", "rebooting"]
        );
    }

    #[test]
    fn resize_and_reboot_is_a_cross_product() {
        let f = StatusFilter::from_statuses(["resize", "reboot"]);
        assert_eq!(
            names(f.vm_states.iter().map(VmState::as_str)),
            ["active", "stopped"]
        );
        assert_eq!(f.task_states.as_ref().map(BTreeSet::len), Some(7));
        // A stopped server rebooting would not show REBOOT, but the filter still selects it.
        assert!(f.matches(Some(&VmState::Stopped), Some(&TaskState::Rebooting)));
    }

    #[test]
    fn a_default_status_drops_the_task_filter() {
        let f = StatusFilter::from_statuses(["SHUTOFF", "REBOOT"]);
        assert_eq!(f.task_states, None);
        assert!(f.matches(Some(&VmState::Active), None));
        assert!(f.matches(Some(&VmState::Stopped), Some(&TaskState::ResizePrep)));
    }

    #[test]
    fn unknown_and_bogus_statuses_select_nothing() {
        assert!(StatusFilter::from_statuses(["UNKNOWN"]).is_empty());
        assert!(StatusFilter::from_statuses(["baloney"]).is_empty());
    }

    #[test]
    fn deleted_alone_is_recognised() {
        assert!(StatusFilter::from_statuses(["deleted"]).is_only_deleted());
        assert!(!StatusFilter::from_statuses(["deleted", "active"]).is_only_deleted());
    }

    #[test]
    fn unrecognised_vm_states_never_match() {
        let f = StatusFilter::from_statuses(["ACTIVE"]);
        assert!(!f.matches(Some(&VmState::from("ACTIVE")), None));
        assert!(!f.matches(None, None));
    }
}
