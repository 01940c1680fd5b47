//! Nova's `?status=` list filter, computed from the `nova` profile (`_STATE_MAP`).
//!
//! `task_and_vm_state_from_status` turns a status into two *independent* sets: every vm_state
//! whose default or override gives it, and every task_state whose override gives it; the task
//! set is dropped when the status is some vm_state's default. Clouds filter by Nova's map
//! whatever status table they display, so the expectation comes from the `nova` profile.

use crate::case::{Profile, builtin_profile};
use std::collections::BTreeSet;

/// The vm_state and task_state sets `?status=X` selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusFilter {
    /// Servers must have one of these vm_states.
    pub vm_states: BTreeSet<String>,
    /// Servers must have one of these task_states; `None` when the task is not filtered.
    pub task_states: Option<BTreeSet<String>>,
}

impl StatusFilter {
    /// The filter Nova applies for `status` (case-insensitive); `None` for a status no map entry
    /// gives (Nova answers 400 from 2.38, an empty list before).
    ///
    /// # Examples
    ///
    /// ```
    /// use harness::modes::StatusFilter;
    ///
    /// // Arrange, act
    /// let reboot = StatusFilter::nova("reboot").unwrap();
    ///
    /// // Assert
    /// assert!(reboot.matches(Some("active"), Some("reboot_pending")));
    /// assert!(!reboot.matches(Some("active"), None));
    /// assert!(StatusFilter::nova("FROBNICATING").is_none());
    /// ```
    pub fn nova(status: &str) -> Option<StatusFilter> {
        // The nova profile is compiled in; failing to load it is a build defect.
        let nova = builtin_profile("nova").ok()?;
        Self::from_profile(&nova, status)
    }

    /// The filter computed from any profile with `vm_state_default` fallback.
    pub fn from_profile(map: &Profile, status: &str) -> Option<StatusFilter> {
        let hit = |s: &str| s.eq_ignore_ascii_case(status);
        let mut vm_states = BTreeSet::new();
        let mut task_states = BTreeSet::new();
        let mut saw_default = false;
        for vm in map.vm_states() {
            if map.default_status(vm).is_some_and(hit) {
                vm_states.insert(vm.to_owned());
                saw_default = true;
            }
        }
        for row in map.rows() {
            for task in row.task_states.iter().flatten() {
                if hit(&row.status) {
                    vm_states.insert(row.vm_state.clone());
                    task_states.insert(task.clone());
                }
            }
        }
        if vm_states.is_empty() {
            return None;
        }
        Some(StatusFilter {
            vm_states,
            task_states: (!saw_default).then_some(task_states),
        })
    }

    /// Whether a server with this pair is selected (SQL `IN`: null never matches).
    pub fn matches(&self, vm_state: Option<&str>, task_state: Option<&str>) -> bool {
        let vm_ok = vm_state.is_some_and(|v| self.vm_states.contains(v));
        let task_ok = match &self.task_states {
            None => true,
            Some(set) => task_state.is_some_and(|t| set.contains(t)),
        };
        vm_ok && task_ok
    }

    /// `vm_state in {…}` and, when filtered, `task_state in {…}`, for reports.
    pub fn describe(&self) -> String {
        let join = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
        match &self.task_states {
            None => format!("vm_state in {{{}}}, any task_state", join(&self.vm_states)),
            Some(t) => format!(
                "vm_state in {{{}}} and task_state in {{{}}}",
                join(&self.vm_states),
                join(t)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn an_override_status_filters_both_sets() {
        let f = StatusFilter::nova("REBOOT").unwrap();
        assert_eq!(f.vm_states, set(&["active"]));
        assert_eq!(
            f.task_states,
            Some(set(&["reboot_pending", "reboot_started", "rebooting"]))
        );
        let resize = StatusFilter::nova("resize").unwrap();
        assert_eq!(resize.vm_states, set(&["active", "stopped"]));
        assert_eq!(resize.task_states.map(|t| t.len()), Some(4));
    }

    #[test]
    fn a_default_status_drops_the_task_filter() {
        let f = StatusFilter::nova("ACTIVE").unwrap();
        assert_eq!(f.vm_states, set(&["active"]));
        assert_eq!(f.task_states, None);
        assert!(f.matches(Some("active"), Some("rebooting")));
        let shutoff = StatusFilter::nova("shutoff").unwrap();
        assert_eq!(shutoff.vm_states, set(&["stopped"]));
        assert!(shutoff.matches(Some("stopped"), Some("resize_prep")));
    }

    #[test]
    fn unknown_statuses_select_nothing_and_nulls_never_match() {
        assert_eq!(StatusFilter::nova("UNKNOWN"), None);
        assert_eq!(StatusFilter::nova("FROBNICATING"), None);
        let f = StatusFilter::nova("PASSWORD").unwrap();
        assert!(!f.matches(None, Some("updating_password")));
        assert!(!f.matches(Some("active"), None));
        assert_eq!(
            f.describe(),
            "vm_state in {active} and task_state in {updating_password}"
        );
    }
}
