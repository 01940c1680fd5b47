//! The verdict on a whole run, and the exit code it earns: one rule, here only.
//!
//! In precedence order: any `fail` makes the run *not conformant* (exit 1); else any `error`
//! makes it *errored* (exit 2: nothing is certified); else any `skip`, whatever its cause (an
//! adapter declined, `--max-fail`, a target that could not be reached), makes it *incomplete*
//! (exit 3); else every selected case ran and passed: *conformant* (exit 0).
//!
//! A run against a real cloud (observe or lifecycle mode) cannot inject states: pairs the cloud
//! does not show, and steps it refused or could not run, are *coverage*, not skips of the
//! implementation. Its verdict is *observed*, titled "conformant on N of M pairs (coverage X%)"
//! and never plain "conformant"; it exits 0 when nothing observed failed or errored (an empty
//! cloud says "conformant on 0 of M pairs (coverage 0.0%)").

use crate::case::Group;
use crate::outcome::{CaseResult, Outcome};

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

    /// The verdict these counts earn on their own (not a cloud run): any fail, else any error,
    /// else any skip or no case at all (incomplete), else conformant. Never [`Verdict::Observed`].
    ///
    /// ```
    /// use harness::judge::Verdict;
    /// use harness::report::Counts;
    ///
    /// let skipped = Counts { pass: 251, fail: 0, error: 0, skip: 1 };
    /// assert_eq!(skipped.verdict(), Verdict::Incomplete);
    /// ```
    pub fn verdict(&self) -> Verdict {
        if self.fail > 0 {
            Verdict::NotConformant
        } else if self.error > 0 {
            Verdict::Errored
        } else if self.skip > 0 || self.pass == 0 {
            Verdict::Incomplete
        } else {
            Verdict::Conformant
        }
    }
}

/// The one-word judgement on a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every selected case ran and passed.
    Conformant,
    /// At least one conformance failure.
    NotConformant,
    /// No failure, but some cases errored: conformance is unknown.
    Errored,
    /// No failure or error, but some cases were skipped: conformance is unknown.
    Incomplete,
    /// A cloud run with no failure or error among what the cloud showed (see [`Coverage`]).
    Observed,
}

impl Verdict {
    /// `results.json`'s word: `conformant`, `non-conformant`, `errored`, `incomplete` or
    /// `observed`.
    pub fn as_word(self) -> &'static str {
        match self {
            Verdict::Conformant => "conformant",
            Verdict::NotConformant => "non-conformant",
            Verdict::Errored => "errored",
            Verdict::Incomplete => "incomplete",
            Verdict::Observed => "observed",
        }
    }

    /// The process exit code (see [`crate::exit_code`]): 0 conformant or observed without a
    /// problem, 1 not conformant, 2 errored, 3 incomplete.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Conformant | Verdict::Observed => crate::exit_code::SUCCESS,
            Verdict::NotConformant => crate::exit_code::FAILURES,
            Verdict::Errored => crate::exit_code::ERROR,
            Verdict::Incomplete => crate::exit_code::INCOMPLETE,
        }
    }

    /// A badge for titles: `✅`, `❌`, `⚠️`, `⏸️` or `🔎`.
    pub fn badge(self) -> &'static str {
        match self {
            Verdict::Conformant => "✅",
            Verdict::NotConformant => "❌",
            Verdict::Errored => "⚠️",
            Verdict::Incomplete => "⏸️",
            Verdict::Observed => "🔎",
        }
    }
}

/// What a cloud run covered: the pair cases (groups valid, invalid, probe) of every profile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Pair cases that passed.
    pub passed: usize,
    /// Pair cases the cloud showed (judged pass, fail or error).
    pub observed: usize,
    /// Pair cases in all: observed ones plus the table rows no server showed.
    pub pairs: usize,
}

impl Coverage {
    /// `observed / pairs` in percent (0 when there are no pairs).
    pub fn percent(&self) -> f64 {
        if self.pairs == 0 {
            0.0
        } else {
            100.0 * self.observed as f64 / self.pairs as f64
        }
    }
}

/// The judgement on a whole run: its verdict, the counts it rests on, and for cloud runs what
/// they covered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judgement {
    /// The verdict.
    pub verdict: Verdict,
    /// Outcome counts of every case.
    pub counts: Counts,
    /// For cloud runs: the coverage (their skips are coverage, not part of the verdict).
    pub coverage: Option<Coverage>,
}

impl Judgement {
    /// Judges a run's results; `cloud` for observe and lifecycle runs against a real cloud.
    ///
    /// # Examples
    ///
    /// ```
    /// use harness::judge::{Judgement, Verdict};
    /// use harness::report::testing::sample_report;
    ///
    /// // Arrange: one failure among passes, errors and a skip.
    /// let report = sample_report();
    ///
    /// // Act
    /// let judgement = Judgement::of(&report.cases, false);
    ///
    /// // Assert
    /// assert_eq!(judgement.verdict, Verdict::NotConformant);
    /// assert_eq!(judgement.verdict.exit_code(), 1);
    /// ```
    pub fn of(results: &[CaseResult], cloud: bool) -> Judgement {
        let counts = Counts::of(results);
        let coverage = cloud.then(|| {
            let pairs: Vec<&CaseResult> = results
                .iter()
                .filter(|r| matches!(r.case.group, Group::Valid | Group::Invalid | Group::Probe))
                .collect();
            Coverage {
                passed: pairs.iter().filter(|r| r.outcome == Outcome::Pass).count(),
                observed: pairs.iter().filter(|r| r.outcome != Outcome::Skip).count(),
                pairs: pairs.len(),
            }
        });
        // A cloud run's skips are coverage: without a fail or an error, it is observed.
        let verdict = match counts.verdict() {
            Verdict::Incomplete | Verdict::Conformant if coverage.is_some() => Verdict::Observed,
            verdict => verdict,
        };
        Judgement {
            verdict,
            counts,
            coverage,
        }
    }

    /// The title: `conformant`, `not conformant`, `errors, conformance unknown`,
    /// `incomplete: N skipped, conformance unknown`, or for an observed cloud
    /// `conformant on N of M pairs (coverage X%)`.
    pub fn title(&self) -> String {
        match (self.verdict, self.coverage) {
            (Verdict::Conformant, _) => "conformant".to_owned(),
            (Verdict::NotConformant, _) => "not conformant".to_owned(),
            (Verdict::Errored, _) => "errors, conformance unknown".to_owned(),
            (Verdict::Incomplete, _) => format!(
                "incomplete: {} of {} cases skipped, conformance unknown",
                self.counts.skip,
                self.counts.total()
            ),
            (Verdict::Observed, coverage) => {
                let c = coverage.unwrap_or_default();
                format!(
                    "conformant on {} of {} pairs (coverage {:.1}%)",
                    c.passed,
                    c.pairs,
                    c.percent()
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Case, CaseId};
    use std::time::Duration;

    fn results(group: Group, outcomes: &[(Outcome, usize)]) -> Vec<CaseResult> {
        let mut out = Vec::new();
        for &(outcome, n) in outcomes {
            for i in 0..n {
                out.push(CaseResult {
                    case: Case {
                        id: CaseId(format!("ecs/{group}/{}-{i}", outcome.as_str())),
                        profile: "ecs".into(),
                        group,
                        vm_state: None,
                        task_state: None,
                        expected: "ACTIVE".into(),
                    },
                    outcome,
                    observed: None,
                    detail: None,
                    evidence: None,
                    duration: Duration::ZERO,
                    views_agree: outcome == Outcome::Pass,
                });
            }
        }
        out
    }

    #[test]
    fn failures_outrank_errors_errors_outrank_skips_and_skips_are_never_conformant() {
        use Outcome::{Error, Fail, Pass, Skip};
        type Row = (&'static str, Vec<(Outcome, usize)>, Verdict, i32);
        let rows: [Row; 6] = [
            ("clean run", vec![(Pass, 3)], Verdict::Conformant, 0),
            (
                "one failure",
                vec![(Pass, 3), (Fail, 1), (Error, 2)],
                Verdict::NotConformant,
                1,
            ),
            (
                "errors only",
                vec![(Pass, 3), (Error, 1), (Skip, 1)],
                Verdict::Errored,
                2,
            ),
            (
                "one skip",
                vec![(Pass, 3), (Skip, 1)],
                Verdict::Incomplete,
                3,
            ),
            (
                "all but one skipped",
                vec![(Pass, 1), (Skip, 387)],
                Verdict::Incomplete,
                3,
            ),
            ("all skipped", vec![(Skip, 4)], Verdict::Incomplete, 3),
        ];
        for (name, outcomes, want, exit) in rows {
            let judgement = Judgement::of(&results(Group::Valid, &outcomes), false);
            assert_eq!(judgement.verdict, want, "{name}");
            assert_eq!(judgement.verdict.exit_code(), exit, "{name}: exit code");
            if want != Verdict::Conformant {
                assert!(
                    !judgement.title().contains("conformant") || want == Verdict::NotConformant,
                    "{name}: {}",
                    judgement.title()
                );
            }
        }
        let one = Judgement::of(&results(Group::Valid, &[(Pass, 1), (Skip, 387)]), false);
        assert_eq!(
            one.title(),
            "incomplete: 387 of 388 cases skipped, conformance unknown"
        );
    }

    #[test]
    fn a_cloud_run_counts_unobserved_pairs_as_coverage_not_as_skips() {
        use Outcome::{Error, Pass, Skip};
        let mut some = results(Group::Valid, &[(Pass, 2), (Skip, 42)]);
        some.extend(results(Group::Lifecycle, &[(Pass, 3), (Skip, 1)]));
        let none = results(Group::Valid, &[(Skip, 44)]);
        for (cases, title) in [
            (some, "conformant on 2 of 44 pairs (coverage 4.5%)"),
            (none, "conformant on 0 of 44 pairs (coverage 0.0%)"),
        ] {
            let judgement = Judgement::of(&cases, true);
            let code = judgement.verdict.exit_code();
            assert_eq!(
                (judgement.verdict, code, judgement.title().as_str()),
                (Verdict::Observed, 0, title)
            );
        }
        let errored = Judgement::of(&results(Group::Valid, &[(Pass, 2), (Error, 1)]), true);
        assert_eq!(errored.verdict, Verdict::Errored);
    }
}
