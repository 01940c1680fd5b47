//! Counting outcomes and deciding the verdict, shared by every writer.

use super::model::RunReport;
use crate::case::Group;
use crate::outcome::{CaseResult, Outcome};
use std::time::Duration;

/// How many cases ended in each outcome.
///
/// # Examples
///
/// ```
/// use harness::outcome::Outcome;
/// use harness::report::Counts;
///
/// // Arrange
/// let mut counts = Counts::default();
///
/// // Act
/// counts.add(Outcome::Pass);
/// counts.add(Outcome::Fail);
///
/// // Assert
/// assert_eq!((counts.pass, counts.fail, counts.total()), (1, 1, 2));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Cases that passed.
    pub pass: usize,
    /// Conformance failures.
    pub fail: usize,
    /// Cases where nothing trustworthy was observed.
    pub error: usize,
    /// Cases not run or declined.
    pub skip: usize,
}

impl Counts {
    /// Counts one more case with this outcome.
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Pass => self.pass += 1,
            Outcome::Fail => self.fail += 1,
            Outcome::Error => self.error += 1,
            Outcome::Skip => self.skip += 1,
        }
    }

    /// Counts every result of an iterator.
    pub fn of<'a>(results: impl IntoIterator<Item = &'a CaseResult>) -> Counts {
        let mut counts = Counts::default();
        for result in results {
            counts.add(result.outcome);
        }
        counts
    }

    /// All cases counted.
    pub fn total(&self) -> usize {
        self.pass + self.fail + self.error + self.skip
    }
}

/// The one-word judgement on a run, as shown in report titles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every case ran and passed.
    Conformant,
    /// At least one conformance failure.
    NotConformant,
    /// No failure, but some cases errored: conformance is unknown.
    Errored,
    /// No case was executed (none selected, or every case skipped).
    NothingRun,
}

impl Verdict {
    /// Judges counts: failures win over errors, errors over a clean run.
    pub fn of(counts: Counts) -> Verdict {
        if counts.fail > 0 {
            Verdict::NotConformant
        } else if counts.error > 0 {
            Verdict::Errored
        } else if counts.pass == 0 {
            Verdict::NothingRun
        } else {
            Verdict::Conformant
        }
    }

    /// Lower-case words for titles, e.g. `not conformant`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Conformant => "conformant",
            Verdict::NotConformant => "not conformant",
            Verdict::Errored => "errors, conformance unknown",
            Verdict::NothingRun => "no case run",
        }
    }

    /// The process exit code this verdict earns (see [`crate::exit_code`]): 0 conformant,
    /// 1 not conformant, 2 errored or nothing run.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Conformant => crate::exit_code::SUCCESS,
            Verdict::NotConformant => crate::exit_code::FAILURES,
            Verdict::Errored | Verdict::NothingRun => crate::exit_code::ERROR,
        }
    }

    /// A one-character badge: `✅`, `❌`, `⚠️` or `∅`.
    pub fn badge(self) -> &'static str {
        match self {
            Verdict::Conformant => "✅",
            Verdict::NotConformant => "❌",
            Verdict::Errored => "⚠️",
            Verdict::NothingRun => "∅",
        }
    }
}

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

    /// The verdict on the whole run.
    pub fn verdict(&self) -> Verdict {
        Verdict::of(self.totals())
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

/// Who was observed, for compatibility tables: the whole run, or one run profile's cases.
pub(crate) fn scope_label(scope: Option<&str>) -> String {
    match scope {
        None => "all cases".to_owned(),
        Some(profile) => format!("{profile} cases"),
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
    fn failures_outrank_errors_and_an_empty_run_is_not_conformant() {
        let rows = [
            ("clean run", (3, 0, 0, 1), Verdict::Conformant, 0),
            ("one failure", (3, 1, 2, 0), Verdict::NotConformant, 1),
            ("errors only", (3, 0, 1, 0), Verdict::Errored, 2),
            ("all skipped", (0, 0, 0, 4), Verdict::NothingRun, 2),
            ("empty", (0, 0, 0, 0), Verdict::NothingRun, 2),
        ];
        for (name, (pass, fail, error, skip), want, exit) in rows {
            let counts = Counts {
                pass,
                fail,
                error,
                skip,
            };
            assert_eq!(Verdict::of(counts), want, "{name}");
            assert_eq!(Verdict::of(counts).exit_code(), exit, "{name}: exit code");
        }
    }

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
