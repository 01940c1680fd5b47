//! `cases diff`: where two profiles expect different statuses.

use super::model::state_label;
use super::profile::Profile;

/// One pair on which two profiles disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The vm_state of the pair.
    pub vm_state: String,
    /// The task_state of the pair (None = null).
    pub task_state: Option<String>,
    /// What the first profile expects.
    pub left: String,
    /// What the second profile expects.
    pub right: String,
}

impl Difference {
    /// `vm_state / task_state`, with `null` for a null task.
    pub fn pair_label(&self) -> String {
        format!(
            "{} / {}",
            self.vm_state,
            state_label(self.task_state.as_deref())
        )
    }
}

/// Every pair of the union of both vocabularies on which `left` and `right` expect different
/// statuses. Order: vm_states of `left` then the extra ones of `right`; for each, null, then the
/// task_states of `left`, then the extra ones of `right`.
///
/// # Examples
///
/// ```
/// use harness::case::{builtin_profile, diff};
///
/// // Arrange
/// let ecs = builtin_profile("ecs")?;
/// let nova = builtin_profile("nova")?;
///
/// // Act
/// let differences = diff(&ecs, &nova);
///
/// // Assert: Huawei's Table 4 has no active + resize_prep row; Nova says RESIZE.
/// assert!(differences.iter().any(|d| d.vm_state == "active"
///     && d.task_state.as_deref() == Some("resize_prep")
///     && d.left == "UNKNOWN"
///     && d.right == "RESIZE"));
/// # Ok::<(), harness::case::LoadProfileError>(())
/// ```
pub fn diff(left: &Profile, right: &Profile) -> Vec<Difference> {
    let vm_states = union(left.vm_states(), right.vm_states());
    let task_states = union(left.task_states(), right.task_states());
    let tasks: Vec<Option<&str>> = std::iter::once(None)
        .chain(task_states.iter().copied().map(Some))
        .collect();
    let mut differences = Vec::new();
    for vm in vm_states {
        for &task in &tasks {
            let a = left.expected_status(Some(vm), task);
            let b = right.expected_status(Some(vm), task);
            if a != b {
                differences.push(Difference {
                    vm_state: vm.to_owned(),
                    task_state: task.map(str::to_owned),
                    left: a,
                    right: b,
                });
            }
        }
    }
    differences
}

/// `first` followed by the items of `second` that `first` lacks.
fn union<'a>(first: Vec<&'a str>, second: Vec<&'a str>) -> Vec<&'a str> {
    let mut all = first;
    for item in second {
        if !all.contains(&item) {
            all.push(item);
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str, vm_states: &str, rows: &str) -> Profile {
        let text = format!(
            r#"{{"format_version": 1, "name": "{name}", "title": "t", "source": {{"document": "d"}},
  "fallback": "unknown", "statuses": [{{"name": "ON"}}, {{"name": "UNKNOWN"}}],
  "vm_states": {vm_states}, "task_states": [{{"name": "a"}}], "rows": {rows}}}"#
        );
        Profile::from_slice(name, text.as_bytes()).unwrap()
    }

    #[test]
    fn diff_covers_the_union_of_both_vocabularies() {
        let left = profile("l", r#"[{"name": "on"}]"#, "[]");
        let right = profile(
            "r",
            r#"[{"name": "on"}, {"name": "x"}]"#,
            r#"[{"vm_state": "x", "task_states": ["a"], "status": "ON", "source": "s"}]"#,
        );
        let differences = diff(&left, &right);
        assert_eq!(
            differences,
            [Difference {
                vm_state: "x".to_owned(),
                task_state: Some("a".to_owned()),
                left: "UNKNOWN".to_owned(),
                right: "ON".to_owned(),
            }]
        );
        assert_eq!(differences[0].pair_label(), "x / a");
        assert_eq!(diff(&right, &left).len(), 1);
    }

    #[test]
    fn a_profile_never_differs_from_itself() {
        let p = profile("p", r#"[{"name": "on"}]"#, "[]");
        assert!(diff(&p, &p).is_empty());
    }
}
