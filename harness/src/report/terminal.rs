//! The plain-text summary the CLI prints when a run ends.

use super::model::RunReport;
use super::summary::{conforms_label, plural, problem_message, scope_label, scope_text};
use crate::case::Group;
use crate::outcome::Outcome;
use std::fmt::Write as _;

/// At most this many failures and errors are listed in the terminal; the rest are counted.
pub(crate) const MAX_TERMINAL_PROBLEMS: usize = 50;

/// Counts per profile, the failures and errors, profile compatibility, the implementation under
/// test, warnings and a final `result:` line. Plain text without colour; every line ends in a newline.
///
/// # Examples
///
/// ```
/// use harness::report::{terminal_summary, testing::sample_report};
///
/// // Arrange
/// let report = sample_report();
///
/// // Act
/// let text = terminal_summary(&report);
///
/// // Assert
/// assert!(text.contains("  FAIL  ecs/stopped/rebooting: expected UNKNOWN, observed SHUTOFF\n"));
/// ```
pub fn terminal_summary(report: &RunReport) -> String {
    let mut out = String::new();
    let names = report.profile_names();
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
    for profile in &names {
        let c = report.counts_of(profile, None);
        let groups: Vec<String> = Group::ALL
            .iter()
            .filter_map(|&g| {
                let gc = report.counts_of(profile, Some(g));
                (gc.total() > 0).then(|| format!("{g} {}/{}", gc.pass, gc.total()))
            })
            .collect();
        let _ = writeln!(
            out,
            "{profile:<width$}  {}: {} pass, {} fail, {} error, {} skip  ({} passed)",
            plural(c.total(), "case"),
            c.pass,
            c.fail,
            c.error,
            c.skip,
            groups.join(", ")
        );
    }
    let problems: Vec<_> = report.problems().collect();
    if !problems.is_empty() {
        out.push_str("failures and errors:\n");
        for result in problems.iter().take(MAX_TERMINAL_PROBLEMS) {
            let label = if result.outcome == Outcome::Fail {
                "FAIL "
            } else {
                "ERROR"
            };
            let message = problem_message(result).replace('\n', " ");
            let _ = writeln!(out, "  {label} {}: {message}", result.case.id);
        }
        if problems.len() > MAX_TERMINAL_PROBLEMS {
            let _ = writeln!(
                out,
                "  …and {} more (see summary.md or results.json)",
                problems.len() - MAX_TERMINAL_PROBLEMS
            );
        }
    }
    let mut scopes: Vec<Option<&str>> = Vec::new();
    for c in &report.compatibility {
        if !scopes.contains(&c.scope.as_deref()) {
            scopes.push(c.scope.as_deref());
        }
    }
    for scope in scopes {
        let verdicts: Vec<String> = report
            .compatibility
            .iter()
            .filter(|c| c.scope.as_deref() == scope)
            .map(|c| format!("{} {}", c.profile, conforms_label(c)))
            .collect();
        let _ = match scope {
            None => writeln!(
                out,
                "conforms to ({}): {}",
                scope_text(report),
                verdicts.join(", ")
            ),
            Some(_) => writeln!(
                out,
                "{} conform to: {}",
                scope_label(report, scope),
                verdicts.join(", ")
            ),
        };
    }
    if let Some(i) = &report.implementation {
        let _ = writeln!(
            out,
            "implementation: {} {} ({})",
            i.name, i.version, i.language
        );
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    let totals = report.totals();
    let _ = writeln!(
        out,
        "result: {}: {}, {} passed, {}, {}, {} skipped in {:.3} s",
        report.judgement().title(),
        plural(totals.total(), "case"),
        totals.pass,
        plural(totals.fail, "failure"),
        plural(totals.error, "error"),
        totals.skip,
        report.wall_time().as_secs_f64()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::sample_report;

    #[test]
    fn the_summary_counts_profiles_and_lists_every_problem() {
        let text = terminal_summary(&sample_report());
        assert_eq!(
            text,
            "\
ecs-openstack  5 cases: 2 pass, 1 fail, 1 error, 1 skip  (valid 1/2, invalid 0/1, probe 1/2 passed)
ecs            4 cases: 3 pass, 1 fail, 0 error, 0 skip  (valid 2/2, invalid 0/1, probe 1/1 passed)
failures and errors:
  FAIL  ecs-openstack/active/rebooting: expected REBOOT, observed ACTIVE
  ERROR ecs-openstack/building/rebooting: GET /compute/v2.1/servers/s-2 answered HTTP 500
  FAIL  ecs/stopped/rebooting: expected UNKNOWN, observed SHUTOFF
conforms to (all cases of ecs-openstack, ecs): ecs-openstack no (1 difference), ecs no (1 difference), nova no (7 differences)
implementation: openstacksdk 4.1.0 (python)
warning: TLS certificate verification is off
result: not conformant: 9 cases, 5 passed, 2 failures, 1 error, 1 skipped in 1.377 s
"
        );
    }

    #[test]
    fn long_problem_lists_are_cut_with_a_count() {
        let mut report = sample_report();
        let failing = report.cases[1].clone();
        report.cases = vec![failing; MAX_TERMINAL_PROBLEMS + 3];
        let text = terminal_summary(&report);
        assert_eq!(text.matches("  FAIL  ").count(), MAX_TERMINAL_PROBLEMS);
        assert!(text.contains("  …and 3 more (see summary.md or results.json)\n"));
    }
}
