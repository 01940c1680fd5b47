//! A profile-independent check (a status filter query), turned into a case per profile.

use crate::case::{Case, CaseId, Group};
use crate::outcome::{CaseResult, Outcome};
use std::time::Duration;

/// The verdict of one check that does not depend on the profile (e.g. `?status=REBOOT`).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    /// The check's name, the last part of its case id (e.g. `REBOOT`).
    pub name: String,
    /// What should have been seen.
    pub expected: String,
    /// What was seen.
    pub observed: Option<String>,
    /// The verdict.
    pub outcome: Outcome,
    /// One line: what differed, why skipped, or what went wrong.
    pub detail: Option<String>,
    /// Server JSON or answer body for the report.
    pub evidence: Option<String>,
    /// Time spent.
    pub duration: Duration,
}

impl CheckResult {
    /// The case `<profile>/<group>/<name>` carrying this verdict.
    ///
    /// # Examples
    ///
    /// ```
    /// use harness::case::Group;
    /// use harness::judge::CheckResult;
    /// use harness::outcome::Outcome;
    /// use std::time::Duration;
    ///
    /// // Arrange
    /// let check = CheckResult { name: "REBOOT".into(), expected: "x".into(), observed: None,
    ///     outcome: Outcome::Pass, detail: None, evidence: None, duration: Duration::ZERO };
    ///
    /// // Act
    /// let case = check.to_case("nova", Group::Filter);
    ///
    /// // Assert
    /// assert_eq!(case.case.id.as_str(), "nova/filter/REBOOT");
    /// assert_eq!(case.case.display_name(), "status=REBOOT");
    /// ```
    pub fn to_case(&self, profile: &str, group: Group) -> CaseResult {
        CaseResult {
            case: Case {
                id: CaseId(format!("{profile}/{group}/{}", self.name)),
                profile: profile.to_owned(),
                group,
                vm_state: None,
                task_state: None,
                expected: self.expected.clone(),
            },
            outcome: self.outcome,
            observed: self.observed.clone(),
            detail: self.detail.clone(),
            evidence: self.evidence.clone(),
            duration: self.duration,
            views_agree: true,
        }
    }
}
