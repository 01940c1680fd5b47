//! Counting outcomes and deciding the verdict, shared by every writer.

use super::model::RunReport;
use crate::case::Group;
use crate::judge::{Counts, Judgement, Verdict};
use crate::outcome::{CaseResult, Outcome};
use std::time::Duration;

impl RunReport {
    /// The profile names of the run: those of [`RunReport::profiles`] in order, then any other
    /// profile a case names, in order of first appearance.
    pub fn profile_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.profiles.iter().map(|p| p.name.as_str()).collect();
        for result in &self.cases {
            if !names.contains(&result.case.profile.as_str()) {
                names.push(&result.case.profile);
            }
        }
        names
    }

    /// The results of one profile (and group, when given), in run order.
    pub fn results_of<'a>(
        &'a self,
        profile: &'a str,
        group: Option<Group>,
    ) -> impl Iterator<Item = &'a CaseResult> + 'a {
        self.cases
            .iter()
            .filter(move |r| r.case.profile == profile && group.is_none_or(|g| r.case.group == g))
    }

    /// Outcome counts of one profile (and group, when given).
    pub fn counts_of(&self, profile: &str, group: Option<Group>) -> Counts {
        Counts::of(self.results_of(profile, group))
    }

    /// Outcome counts of the whole run.
    pub fn totals(&self) -> Counts {
        Counts::of(&self.cases)
    }

    /// The [`judge`](crate::judge)'s judgement on the whole run (a cloud run's skips are
    /// coverage).
    pub fn judgement(&self) -> Judgement {
        Judgement::of(&self.cases, self.scope.cloud)
    }

    /// The verdict on the whole run.
    pub fn verdict(&self) -> Verdict {
        self.judgement().verdict
    }

    /// Wall time from start to finish (zero if the clock went backwards).
    pub fn wall_time(&self) -> Duration {
        (self.finished - self.started).to_std().unwrap_or_default()
    }

    /// The cases that did not pass or skip: failures and errors, in run order.
    pub fn problems(&self) -> impl Iterator<Item = &CaseResult> {
        self.cases
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Fail | Outcome::Error))
    }
}

/// Rounds to whole milliseconds, since strict JUnit consumers reject more than 3 decimals.
pub(crate) fn round_to_millis(duration: Duration) -> Duration {
    let micros = duration.as_micros();
    let millis = (micros + 500) / 1000;
    Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}

/// `1 failure`, `2 failures`: a count and an English noun.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Who was observed, for compatibility tables: the run's cases (all, or those `--filter`
/// selected), or one run profile's share of them.
pub(crate) fn scope_label(report: &RunReport, scope: Option<&str>) -> String {
    match scope {
        None => report.scope.label(),
        Some(profile) if report.scope.filters.is_empty() => format!("{profile} cases"),
        Some(profile) => format!("{profile} {}", report.scope.label()),
    }
}

/// The run's scope in words: `all cases` (or the `--filter` patterns) and the profiles run.
pub(crate) fn scope_text(report: &RunReport) -> String {
    let profiles: Vec<&str> = report.profiles.iter().map(|p| p.name.as_str()).collect();
    format!("{} of {}", report.scope.label(), profiles.join(", "))
}

/// A compatibility entry in words: `yes`, `no (N differences)` or `unknown (…)`.
pub(crate) fn conforms_label(c: &super::model::Compatibility) -> String {
    match c.conforms {
        Some(true) => "yes".to_owned(),
        Some(false) => format!("no ({})", plural(c.differences, "difference")),
        None => unknown_reason(c).to_owned(),
    }
}

/// Why a compatibility entry is unknown: no status case was in scope, or some errored or
/// were skipped.
pub(crate) fn unknown_reason(c: &super::model::Compatibility) -> &'static str {
    if c.pairs == 0 {
        "unknown (no status cases in scope)"
    } else {
        "unknown (errors or skips)"
    }
}

/// `expected X, observed Y` (`nothing` when nothing was observed).
pub(crate) fn plain_mismatch(result: &CaseResult) -> String {
    format!(
        "expected {}, observed {}",
        result.case.expected,
        result.observed.as_deref().unwrap_or("nothing")
    )
}

/// `expected X, observed Y`, plus the detail when it says more than that.
pub(crate) fn problem_message(result: &CaseResult) -> String {
    let base = plain_mismatch(result);
    match result.detail.as_deref() {
        // A detail that already opens with the mismatch says it all.
        Some(detail) if detail.starts_with(&base) => detail.to_owned(),
        Some(detail) if !detail.is_empty() && detail != base => {
            if result.outcome == Outcome::Fail {
                format!("{base}: {detail}")
            } else {
                detail.to_owned()
            }
        }
        _ => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_to_the_nearest_millisecond() {
        assert_eq!(
            round_to_millis(Duration::from_micros(1_499)),
            Duration::from_millis(1)
        );
        assert_eq!(
            round_to_millis(Duration::from_micros(1_500)),
            Duration::from_millis(2)
        );
        assert_eq!(round_to_millis(Duration::from_nanos(400)), Duration::ZERO);
    }
}
