//! `summary.md`: a short GitHub-flavoured Markdown summary for `$GITHUB_STEP_SUMMARY`.
//!
//! Sections: a title with the verdict, the run's properties, counts per profile and group,
//! profile compatibility, every failure and error in one table (capped at
//! [`MAX_PROBLEM_ROWS`] rows to stay far below GitHub's 1 MiB step-summary limit), the
//! warnings, and the implementation under test.

use super::Counts;
use super::model::RunReport;
use super::summary::{plain_mismatch, plural, problem_message};
use crate::case::Group;
use crate::outcome::Outcome;
use std::fmt::Write as _;

/// At most this many failure/error rows are listed; the rest are counted.
pub const MAX_PROBLEM_ROWS: usize = 500;

/// Renders the run as Markdown.
///
/// # Examples
///
/// ```
/// use harness::report::{markdown, testing::sample_report};
///
/// // Arrange
/// let report = sample_report();
///
/// // Act
/// let md = markdown::to_markdown(&report);
///
/// // Assert
/// assert!(md.starts_with("# ❌ Conformance: not conformant\n"));
/// ```
pub fn to_markdown(report: &RunReport) -> String {
    let mut md = String::new();
    let totals = report.totals();
    let judgement = report.judgement();
    let _ = writeln!(
        md,
        "# {} Conformance: {}\n",
        judgement.verdict.badge(),
        judgement.title()
    );
    let _ = writeln!(
        md,
        "{} cases: {} passed, {}, {}, {} skipped.\n",
        totals.total(),
        totals.pass,
        plural(totals.fail, "failure"),
        plural(totals.error, "error"),
        totals.skip
    );
    properties(report, &mut md);
    counts(report, &mut md);
    compatibility(report, &mut md);
    problems(report, &mut md);
    if !report.warnings.is_empty() {
        md.push_str("## Warnings\n\n");
        for warning in &report.warnings {
            let _ = writeln!(md, "- ⚠️ {}", inline(warning));
        }
        md.push('\n');
    }
    md
}

fn properties(report: &RunReport, md: &mut String) {
    md.push_str("| property | value |\n|---|---|\n");
    let mut row = |key: &str, value: &str| {
        let _ = writeln!(md, "| {key} | {} |", cell(value));
    };
    row("target", &report.target);
    row("scope", &super::summary::scope_text(report));
    row("harness", &report.harness_version);
    if let Some(implementation) = &report.implementation {
        let mut text = format!(
            "{} {} ({})",
            implementation.name, implementation.version, implementation.language
        );
        if let Some(homepage) = &implementation.homepage {
            let _ = write!(text, " {homepage}");
        }
        row("implementation", &text);
    }
    for profile in &report.profiles {
        row(&format!("profile `{}`", profile.name), &profile.digest);
    }
    row("started", &report.started.to_rfc3339());
    row(
        "wall time",
        &format!("{:.3} s", report.wall_time().as_secs_f64()),
    );
    for (key, value) in &report.properties {
        row(&cell(key), value);
    }
    md.push('\n');
}

fn counts(report: &RunReport, md: &mut String) {
    md.push_str("## Counts\n\n");
    md.push_str("| profile | group | cases | pass | fail | error | skip |\n");
    md.push_str("|---|---|--:|--:|--:|--:|--:|\n");
    let row = |md: &mut String, profile: &str, group: &str, c: Counts| {
        let _ = writeln!(
            md,
            "| {profile} | {group} | {} | {} | {} | {} | {} |",
            c.total(),
            c.pass,
            c.fail,
            c.error,
            c.skip
        );
    };
    for profile in report.profile_names() {
        for group in Group::ALL {
            let c = report.counts_of(profile, Some(group));
            if c.total() > 0 {
                row(md, &format!("`{}`", cell(profile)), group.as_str(), c);
            }
        }
    }
    row(md, "**total**", "", report.totals());
    md.push('\n');
}

fn compatibility(report: &RunReport, md: &mut String) {
    if report.compatibility.is_empty() {
        return;
    }
    md.push_str(
        "## Profile compatibility\n\n| observations | profile | conforms | differences |\n",
    );
    md.push_str("|---|---|---|--:|\n");
    for c in &report.compatibility {
        let conforms = match c.conforms {
            Some(true) => "✅ yes".to_owned(),
            Some(false) => "❌ no".to_owned(),
            None => format!("❔ {}", super::summary::unknown_reason(c)),
        };
        let _ = writeln!(
            md,
            "| {} | `{}` | {conforms} | {} |",
            cell(&super::summary::scope_label(report, c.scope.as_deref())),
            cell(&c.profile),
            c.differences
        );
    }
    md.push('\n');
}

fn problems(report: &RunReport, md: &mut String) {
    let all: Vec<_> = report.problems().collect();
    if all.is_empty() {
        return;
    }
    let _ = writeln!(md, "## Failures and errors ({})\n", all.len());
    md.push_str("| id | outcome | expected | observed | detail |\n|---|---|---|---|---|\n");
    for result in all.iter().take(MAX_PROBLEM_ROWS) {
        let outcome = match result.outcome {
            Outcome::Fail => "❌ fail",
            _ => "⚠️ error",
        };
        let _ = writeln!(
            md,
            "| `{}` | {outcome} | {} | {} | {} |",
            cell(result.case.id.as_str()),
            cell(&result.case.expected),
            result.observed.as_deref().map_or("—".to_owned(), cell),
            match result.outcome {
                // The expected and observed columns already say what a plain mismatch is.
                Outcome::Fail if problem_message(result) == plain_mismatch(result) => "—".into(),
                _ => cell(&problem_message(result)),
            },
        );
    }
    if all.len() > MAX_PROBLEM_ROWS {
        let _ = writeln!(
            md,
            "\n…and {} more; see `results.json`.",
            all.len() - MAX_PROBLEM_ROWS
        );
    }
    md.push('\n');
}

/// Makes text safe inside a table cell: one line, no column breaks, no raw HTML.
fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

/// Makes text safe as one line of Markdown: no line breaks, no raw HTML.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{sample_report, sample_report_with_unknowns};

    fn section<'a>(md: &'a str, heading: &str) -> Vec<&'a str> {
        md.lines()
            .skip_while(|l| *l != heading)
            .skip(1)
            .take_while(|l| !l.starts_with("## "))
            .filter(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn the_title_and_totals_line_give_the_verdict() {
        let md = to_markdown(&sample_report());
        let head: Vec<&str> = md.lines().take(3).collect();
        assert_eq!(
            head,
            [
                "# ❌ Conformance: not conformant",
                "",
                "9 cases: 5 passed, 2 failures, 1 error, 1 skipped."
            ]
        );
    }

    #[test]
    fn the_problem_table_lists_every_failure_and_error() {
        let md = to_markdown(&sample_report());
        assert_eq!(
            section(&md, "## Failures and errors (3)"),
            [
                "| id | outcome | expected | observed | detail |",
                "|---|---|---|---|---|",
                "| `ecs-openstack/active/rebooting` | ❌ fail | REBOOT | ACTIVE | — |",
                "| `ecs-openstack/building/rebooting` | ⚠️ error | UNKNOWN | — | GET /compute/v2.1/servers/s-2 answered HTTP 500 |",
                "| `ecs/stopped/rebooting` | ❌ fail | UNKNOWN | SHUTOFF | — |",
            ]
        );
    }

    #[test]
    fn counts_are_per_profile_and_group_with_a_total() {
        let md = to_markdown(&sample_report());
        assert_eq!(
            section(&md, "## Counts"),
            [
                "| profile | group | cases | pass | fail | error | skip |",
                "|---|---|--:|--:|--:|--:|--:|",
                "| `ecs-openstack` | valid | 2 | 1 | 1 | 0 | 0 |",
                "| `ecs-openstack` | invalid | 1 | 0 | 0 | 1 | 0 |",
                "| `ecs-openstack` | probe | 2 | 1 | 0 | 0 | 1 |",
                "| `ecs` | valid | 2 | 2 | 0 | 0 | 0 |",
                "| `ecs` | invalid | 1 | 0 | 1 | 0 | 0 |",
                "| `ecs` | probe | 1 | 1 | 0 | 0 | 0 |",
                "| **total** |  | 9 | 5 | 2 | 1 | 1 |",
            ]
        );
    }

    #[test]
    fn compatibility_warnings_and_implementation_are_shown() {
        let md = to_markdown(&sample_report());
        assert_eq!(
            section(&md, "## Profile compatibility")[2..],
            [
                "| all cases | `ecs-openstack` | ❌ no | 1 |",
                "| all cases | `ecs` | ❌ no | 1 |",
                "| all cases | `nova` | ❌ no | 7 |",
            ]
        );
        assert_eq!(
            section(&md, "## Warnings"),
            ["- ⚠️ TLS certificate verification is off"]
        );
        assert!(md.contains(
            "| implementation | openstacksdk 4.1.0 (python) https://docs.openstack.org/openstacksdk/ |"
        ));
    }

    #[test]
    fn an_unknown_compatibility_says_why() {
        // As the terminal line and JUnit do.
        let md = to_markdown(&sample_report_with_unknowns());
        assert_eq!(
            section(&md, "## Profile compatibility")[2..],
            [
                "| all cases | `ecs-openstack` | ❔ unknown (errors or skips) | 1 |",
                "| all cases | `ecs` | ❔ unknown (no status cases in scope) | 1 |",
                "| all cases | `nova` | ❌ no | 7 |",
            ]
        );
    }

    #[test]
    fn a_failure_with_more_to_say_than_the_statuses_shows_its_detail() {
        let mut report = sample_report();
        report.cases[7].detail =
            Some("/servers/detail showed ACTIVE | echoed vm_state active".into());
        let md = to_markdown(&report);
        assert!(md.contains(
            "| `ecs/stopped/rebooting` | ❌ fail | UNKNOWN | SHUTOFF | expected UNKNOWN, observed \
             SHUTOFF: /servers/detail showed ACTIVE \\| echoed vm_state active |"
        ));
    }

    #[test]
    fn cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(cell("a|b\n<i>&"), "a\\|b &lt;i&gt;&amp;");
    }

    #[test]
    fn a_clean_run_has_no_problem_section() {
        let mut report = sample_report();
        report.cases.retain(|r| r.outcome == Outcome::Pass);
        let md = to_markdown(&report);
        assert!(md.starts_with("# ✅ Conformance: conformant\n"));
        assert!(!md.contains("## Failures and errors"));
    }
}
