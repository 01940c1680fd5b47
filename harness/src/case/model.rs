//! The enumerated test case: one (vm_state, task_state) pair of one profile and its expected status.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which part of a profile a case comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// A pair that a row of the profile's table lists.
    Valid,
    /// Any other pair of the profile's vocabulary; expected per the fallback rule.
    Invalid,
    /// A value outside the vocabulary (unknown, empty, wrong case, null vm_state).
    Probe,
    /// A cloud's `?status=` list filter (observe mode; never enumerated from a profile).
    Filter,
    /// A lifecycle step's settled state (lifecycle mode; never enumerated from a profile).
    Lifecycle,
    /// A fetch adapter's per-run challenge: a server whose status the fake reports as a random
    /// value known only to the harness.
    Challenge,
    /// An SDK's typed view of one status of the profile (adapter `surface` cases).
    Surface,
    /// A listing with one odd status among ordinary ones (adapter `list` scenarios).
    List,
    /// An SDK waiter on a scripted timeline (adapter `wait` scenarios).
    Wait,
}

impl Group {
    /// All groups, in report order.
    pub const ALL: [Group; 9] = [
        Group::Valid,
        Group::Invalid,
        Group::Probe,
        Group::Filter,
        Group::Lifecycle,
        Group::Challenge,
        Group::Surface,
        Group::List,
        Group::Wait,
    ];

    /// The lower-case name used in ids, JUnit class names and `results.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Valid => "valid",
            Group::Invalid => "invalid",
            Group::Probe => "probe",
            Group::Filter => "filter",
            Group::Lifecycle => "lifecycle",
            Group::Challenge => "challenge",
            Group::Surface => "surface",
            Group::List => "list",
            Group::Wait => "wait",
        }
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stable case id: `<profile>/<vm_state>/<task_state>`, with `null` for a null state and `""`
/// for an empty string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(pub String);

impl CaseId {
    /// Builds the id of a pair in a profile.
    pub fn new(profile: &str, vm_state: Option<&str>, task_state: Option<&str>) -> Self {
        CaseId(format!(
            "{profile}/{}/{}",
            state_label(vm_state),
            state_label(task_state)
        ))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a state is written in ids and test names: `null`, `""`, or the value itself.
pub fn state_label(state: Option<&str>) -> String {
    match state {
        None => "null".to_owned(),
        Some("") => "\"\"".to_owned(),
        Some(s) => s.to_owned(),
    }
}

/// One conformance case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Stable id, see [`CaseId`].
    pub id: CaseId,
    /// Name of the profile the case comes from.
    pub profile: String,
    /// Which part of the profile the case comes from.
    pub group: Group,
    /// The injected `OS-EXT-STS:vm_state` (None = JSON null).
    pub vm_state: Option<String>,
    /// The injected `OS-EXT-STS:task_state` (None = JSON null).
    pub task_state: Option<String>,
    /// The status the profile expects.
    pub expected: String,
}

impl Case {
    /// A human-readable, stable test name such as `active / rebooting -> REBOOT`; unique
    /// within its profile and group (JUnit keys history on it).
    ///
    /// ```
    /// use harness::case::{Case, CaseId, Group};
    ///
    /// // Arrange: two challenges that (in a profile with one valid pair) share their pair.
    /// let challenge = |n: u32| Case {
    ///     id: CaseId(format!("nova/challenge/{n}")),
    ///     profile: "nova".into(),
    ///     group: Group::Challenge,
    ///     vm_state: Some("active".into()),
    ///     task_state: None,
    ///     expected: "SHUTOFF".into(),
    /// };
    ///
    /// // Act / Assert: the number keeps their names apart.
    /// assert_eq!(challenge(1).display_name(), "challenge 1: active / null -> SHUTOFF");
    /// assert_eq!(challenge(3).display_name(), "challenge 3: active / null -> SHUTOFF");
    /// let valid = Case { group: Group::Valid, id: CaseId("nova/active/null".into()), ..challenge(1) };
    /// assert_eq!(valid.display_name(), "active / null -> SHUTOFF");
    /// ```
    pub fn display_name(&self) -> String {
        if matches!(
            self.group,
            Group::Filter | Group::Lifecycle | Group::Surface | Group::List | Group::Wait
        ) {
            // Checks, not pairs: the id after `<profile>/<group>/` names them, e.g.
            // `status=REBOOT` or `basic/stop -> SHUTOFF`.
            let prefix = format!("{}/{}/", self.profile, self.group);
            let tail = self
                .id
                .as_str()
                .strip_prefix(&prefix)
                .unwrap_or(self.id.as_str());
            return match self.group {
                Group::Filter => format!("status={tail}"),
                Group::Surface => format!("surface {tail}"),
                Group::List | Group::Wait => format!("{} {tail}: {}", self.group, self.expected),
                _ => format!("{tail} -> {}", self.expected),
            };
        }
        let pair = format!(
            "{} / {} -> {}",
            state_label(self.vm_state.as_deref()),
            state_label(self.task_state.as_deref()),
            self.expected
        );
        match self.group {
            // `challenge 2: active / null -> CHALLENGE_…`: the number keeps the names unique
            // even for a profile with fewer than three valid pairs.
            Group::Challenge => {
                let n = self.id.as_str().rsplit('/').next().unwrap_or_default();
                format!("challenge {n}: {pair}")
            }
            _ => pair,
        }
    }
}
