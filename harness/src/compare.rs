//! Comparing two runs: what regressed, what was fixed, what is new, what went away.
//!
//! The main function is [`compare`], which matches the cases of two `results.json` documents
//! ([`ResultsRecord`]) by `id` and sorts every difference into one bucket of a [`Comparison`].
//! [`render`] prints a comparison as text (terminal), Markdown (`$GITHUB_STEP_SUMMARY`) or JSON.
//! `harness compare OLD/results.json NEW/results.json` is the command-line face of this module;
//! the nightly CI workflow uses it to fail when a cloud regressed against the previous night.
//!
//! # Implementation notes
//!
//! Each case lands in exactly one bucket, so the counts add up to the union of both runs:
//!
//! | before | after | bucket |
//! |---|---|---|
//! | pass | fail, error | regression |
//! | pass | (missing) | regression |
//! | fail, error | pass | fix |
//! | (missing) | anything | new case |
//! | fail, error, skip | (missing) | removed case |
//! | anything else that differs in outcome, expected or observed status | | other change |
//!
//! Ids are unique within a run the harness writes. Should a file repeat an id anyway, the n-th
//! occurrence in one file is matched with the n-th occurrence in the other, so the comparison
//! stays total and deterministic instead of silently dropping a case.

use crate::outcome::Outcome;
use crate::report::json::{CaseRecord, ResultsRecord};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;

/// A case's verdict in one run: the part of a [`CaseRecord`] a comparison looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseState {
    /// `pass`, `fail`, `error` or `skip`.
    pub outcome: Outcome,
    /// The status the profile expected.
    pub expected: String,
    /// The status observed, `None` when nothing was observed.
    pub observed: Option<String>,
}

/// One case that differs between the runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The case id (with `#N` appended for the N-th repeat of an id within a file).
    pub id: String,
    /// The verdict in the old run, `None` when the case was not in it.
    pub before: Option<CaseState>,
    /// The verdict in the new run, `None` when the case is not in it any more.
    pub after: Option<CaseState>,
}

/// Every difference between two runs, sorted into buckets (see the module docs).
///
/// Changes keep the order of the new run; cases missing from the new run follow in the order of
/// the old run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// A case that passed and now fails, errors, or is missing.
    pub regressions: Vec<Change>,
    /// A case that failed or errored and now passes.
    pub fixes: Vec<Change>,
    /// A case only the new run has.
    pub new_cases: Vec<Change>,
    /// A case only the old run has, and which did not pass there.
    pub removed_cases: Vec<Change>,
    /// Any other difference in outcome, expected or observed status (e.g. pass → skip).
    pub other_changes: Vec<Change>,
    /// How many cases are the same in both runs.
    pub unchanged: usize,
}

impl Comparison {
    /// True when at least one case regressed: `harness compare` then exits 1.
    pub fn has_regressions(&self) -> bool {
        !self.regressions.is_empty()
    }
}

/// How [`render`] prints a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text for a terminal or a CI log.
    Text,
    /// A Markdown section for `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// The [`Comparison`] as pretty-printed JSON.
    Json,
}

/// Compares two runs case by case (matched by `id`).
///
/// # Examples
///
/// ```
/// use harness::compare::compare;
/// use harness::outcome::Outcome;
/// use harness::report::{json::ResultsRecord, testing::sample_report};
///
/// // Arrange: the same run twice, except that one case now fails.
/// let old = ResultsRecord::from_report(&sample_report());
/// let mut new = old.clone();
/// let case = new.cases.iter_mut().find(|c| c.outcome == Outcome::Pass).unwrap();
/// case.outcome = Outcome::Fail;
/// case.observed = Some("ERROR".to_owned());
///
/// // Act
/// let comparison = compare(&old, &new);
///
/// // Assert
/// assert_eq!(comparison.regressions.len(), 1);
/// assert!(comparison.has_regressions());
/// assert_eq!(comparison.unchanged, old.cases.len() - 1);
/// ```
pub fn compare(old: &ResultsRecord, new: &ResultsRecord) -> Comparison {
    let old_cases = keyed(&old.cases);
    let new_cases = keyed(&new.cases);
    let old_index: HashMap<&str, &CaseRecord> =
        old_cases.iter().map(|(k, c)| (k.as_str(), *c)).collect();
    let new_keys: std::collections::HashSet<&str> =
        new_cases.iter().map(|(k, _)| k.as_str()).collect();

    let mut comparison = Comparison::default();
    for (key, case) in &new_cases {
        let after = state(case);
        let Some(old_case) = old_index.get(key.as_str()) else {
            comparison.new_cases.push(change(key, None, Some(after)));
            continue;
        };
        let before = state(old_case);
        if before == after {
            comparison.unchanged += 1;
            continue;
        }
        let bucket = match (before.outcome, after.outcome) {
            (Outcome::Pass, Outcome::Fail | Outcome::Error) => &mut comparison.regressions,
            (Outcome::Fail | Outcome::Error, Outcome::Pass) => &mut comparison.fixes,
            _ => &mut comparison.other_changes,
        };
        bucket.push(change(key, Some(before), Some(after)));
    }
    for (key, case) in &old_cases {
        if new_keys.contains(key.as_str()) {
            continue;
        }
        let before = state(case);
        let bucket = if before.outcome == Outcome::Pass {
            &mut comparison.regressions
        } else {
            &mut comparison.removed_cases
        };
        bucket.push(change(key, Some(before), None));
    }
    comparison
}

/// Prints a comparison in the given format; the text ends with a newline.
///
/// # Examples
///
/// ```
/// use harness::compare::{compare, render, Format};
/// use harness::report::{json::ResultsRecord, testing::sample_report};
///
/// // Arrange
/// let run = ResultsRecord::from_report(&sample_report());
///
/// // Act
/// let text = render(&compare(&run, &run), Format::Text);
///
/// // Assert
/// assert_eq!(text, "no regressions: 0 fixes, 0 new cases, 0 removed cases, 0 other changes, 9 unchanged\n");
/// ```
pub fn render(comparison: &Comparison, format: Format) -> String {
    match format {
        Format::Text => render_text(comparison),
        Format::Markdown => render_markdown(comparison),
        Format::Json => {
            // Plain structs with string keys always serialise.
            let mut text =
                serde_json::to_string_pretty(comparison).expect("comparisons always serialise");
            text.push('\n');
            text
        }
    }
}

/// Pairs each case with its matching key: the id, or `id#N` for the N-th repeat (N ≥ 2).
fn keyed(cases: &[CaseRecord]) -> Vec<(String, &CaseRecord)> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    cases
        .iter()
        .map(|case| {
            let n = seen.entry(case.id.as_str()).or_insert(0);
            *n += 1;
            let key = if *n == 1 {
                case.id.clone()
            } else {
                format!("{}#{n}", case.id)
            };
            (key, case)
        })
        .collect()
}

fn state(case: &CaseRecord) -> CaseState {
    CaseState {
        outcome: case.outcome,
        expected: case.expected.clone(),
        observed: case.observed.clone(),
    }
}

fn change(key: &str, before: Option<CaseState>, after: Option<CaseState>) -> Change {
    Change {
        id: key.to_owned(),
        before,
        after,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The one-line verdict, e.g. `2 regressions: 1 fix, 0 new cases, …, 40 unchanged`.
fn headline(c: &Comparison) -> String {
    let head = match c.regressions.len() {
        0 => "no regressions".to_owned(),
        n => plural(n, "regression", "regressions"),
    };
    format!(
        "{head}: {}, {}, {}, {}, {} unchanged",
        plural(c.fixes.len(), "fix", "fixes"),
        plural(c.new_cases.len(), "new case", "new cases"),
        plural(c.removed_cases.len(), "removed case", "removed cases"),
        plural(c.other_changes.len(), "other change", "other changes"),
        c.unchanged
    )
}

const REMOVED: &str = "removed cases";

/// The sections in print order, with their headings.
fn sections(c: &Comparison) -> [(&'static str, &[Change]); 5] {
    [
        ("regressions", &c.regressions),
        ("fixes", &c.fixes),
        ("new cases", &c.new_cases),
        (REMOVED, &c.removed_cases),
        ("other changes", &c.other_changes),
    ]
}

/// One side of a change: `pass`, `fail (observed X, expected Y)`, `error`, `skip`, `missing`.
///
/// When both sides would print the same (the outcome is unchanged but a status moved), both are
/// printed in full, so the line shows what changed.
fn describe(side: Option<&CaseState>, full: bool) -> String {
    let Some(s) = side else {
        return "missing".to_owned();
    };
    let observed = s.observed.as_deref().unwrap_or("nothing");
    if full {
        format!(
            "{} (observed {observed}, expected {})",
            s.outcome.as_str(),
            s.expected
        )
    } else if s.outcome == Outcome::Fail {
        format!("fail (observed {observed}, expected {})", s.expected)
    } else {
        s.outcome.as_str().to_owned()
    }
}

fn describe_pair(change: &Change) -> (String, String) {
    let (before, after) = (change.before.as_ref(), change.after.as_ref());
    let short = (describe(before, false), describe(after, false));
    if short.0 == short.1 {
        (describe(before, true), describe(after, true))
    } else {
        short
    }
}

fn render_text(c: &Comparison) -> String {
    let mut out = headline(c);
    out.push('\n');
    for (title, changes) in sections(c) {
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title}:");
        for change in changes {
            let (before, after) = describe_pair(change);
            let _ = match (&change.before, &change.after) {
                (None, _) => writeln!(out, "  {}: {after}", change.id),
                (_, None) if title == REMOVED => writeln!(out, "  {}: {before}", change.id),
                _ => writeln!(out, "  {}: {before} -> {after}", change.id),
            };
        }
    }
    out
}

fn render_markdown(c: &Comparison) -> String {
    let mut out = format!("**{}**\n", headline(c));
    let changes: Vec<(&str, &Change)> = sections(c)
        .into_iter()
        .flat_map(|(title, changes)| changes.iter().map(move |change| (title, change)))
        .collect();
    if changes.is_empty() {
        return out;
    }
    out.push_str("\n| change | case | before | after |\n|---|---|---|---|\n");
    for (title, change) in changes {
        let (mut before, mut after) = describe_pair(change);
        // A case absent from one run has no verdict there; "missing" is kept for a passing
        // case that disappeared, because that is the regression.
        if change.before.is_none() {
            before = "—".to_owned();
        }
        if change.after.is_none() && title == REMOVED {
            after = "—".to_owned();
        }
        let kind = match title {
            "regressions" => "regression",
            "fixes" => "fix",
            "new cases" => "new",
            REMOVED => "removed",
            _ => "changed",
        };
        let _ = writeln!(
            out,
            "| {kind} | `{}` | {} | {} |",
            change.id,
            escape_cell(&before),
            escape_cell(&after)
        );
    }
    out
}

/// Keeps a status with a `|` from breaking the Markdown table.
fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Group;

    fn case(id: &str, outcome: Outcome, expected: &str, observed: Option<&str>) -> CaseRecord {
        let mut parts = id.splitn(3, '/');
        let profile = parts.next().unwrap_or_default().to_owned();
        CaseRecord {
            id: id.to_owned(),
            profile,
            group: Group::Valid,
            vm_state: parts.next().map(str::to_owned),
            task_state: parts.next().map(str::to_owned),
            expected: expected.to_owned(),
            observed: observed.map(str::to_owned),
            outcome,
            detail: None,
        }
    }

    fn pass(id: &str, status: &str) -> CaseRecord {
        case(id, Outcome::Pass, status, Some(status))
    }

    fn run(cases: Vec<CaseRecord>) -> ResultsRecord {
        ResultsRecord {
            format_version: 1,
            harness_version: "0.1.0".to_owned(),
            target: "fake (embedded)".to_owned(),
            started: "2025-01-01T00:00:00.000Z".to_owned(),
            finished: "2025-01-01T00:00:01.000Z".to_owned(),
            profiles: Vec::new(),
            verdict: None,
            scope: None,
            implementation: None,
            compatibility: Vec::new(),
            cases,
            seed: None,
            timelines: Vec::new(),
        }
    }

    fn ids(changes: &[Change]) -> Vec<&str> {
        changes.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn identical_runs_have_no_changes() {
        let old = run(vec![
            pass("ecs/active/null", "ACTIVE"),
            case("ecs/active/bogus", Outcome::Fail, "UNKNOWN", Some("ACTIVE")),
        ]);

        let comparison = compare(&old, &old.clone());

        assert_eq!(
            comparison,
            Comparison {
                unchanged: 2,
                ..Comparison::default()
            }
        );
        assert!(!comparison.has_regressions());
    }

    #[test]
    fn a_pass_that_now_fails_or_errors_is_a_regression() {
        let old = run(vec![
            pass("ecs/a/null", "ACTIVE"),
            pass("ecs/b/null", "BUILD"),
        ]);
        let new = run(vec![
            case("ecs/a/null", Outcome::Fail, "ACTIVE", Some("ERROR")),
            case("ecs/b/null", Outcome::Error, "BUILD", None),
        ]);

        let comparison = compare(&old, &new);

        assert_eq!(ids(&comparison.regressions), ["ecs/a/null", "ecs/b/null"]);
        assert_eq!(
            comparison.regressions[0].after,
            Some(CaseState {
                outcome: Outcome::Fail,
                expected: "ACTIVE".to_owned(),
                observed: Some("ERROR".to_owned())
            })
        );
        assert_eq!(comparison.unchanged, 0);
        assert!(comparison.has_regressions());
    }

    #[test]
    fn a_pass_that_disappeared_is_a_regression_and_other_losses_are_removals() {
        let old = run(vec![
            pass("ecs/a/null", "ACTIVE"),
            case("ecs/b/null", Outcome::Skip, "BUILD", None),
            case("ecs/c/null", Outcome::Fail, "SHUTOFF", Some("ACTIVE")),
        ]);

        let comparison = compare(&old, &run(Vec::new()));

        assert_eq!(ids(&comparison.regressions), ["ecs/a/null"]);
        assert_eq!(comparison.regressions[0].after, None);
        assert_eq!(ids(&comparison.removed_cases), ["ecs/b/null", "ecs/c/null"]);
    }

    #[test]
    fn a_fail_or_error_that_now_passes_is_a_fix() {
        let old = run(vec![
            case("ecs/a/null", Outcome::Fail, "ACTIVE", Some("ERROR")),
            case("ecs/b/null", Outcome::Error, "BUILD", None),
        ]);
        let new = run(vec![
            pass("ecs/a/null", "ACTIVE"),
            pass("ecs/b/null", "BUILD"),
        ]);

        let comparison = compare(&old, &new);

        assert_eq!(ids(&comparison.fixes), ["ecs/a/null", "ecs/b/null"]);
        assert!(!comparison.has_regressions());
    }

    #[test]
    fn a_case_only_the_new_run_has_is_new_whatever_its_outcome() {
        let old = run(vec![pass("ecs/a/null", "ACTIVE")]);
        let new = run(vec![
            pass("ecs/a/null", "ACTIVE"),
            case("ecs/b/null", Outcome::Fail, "BUILD", Some("ACTIVE")),
        ]);

        let comparison = compare(&old, &new);

        assert_eq!(ids(&comparison.new_cases), ["ecs/b/null"]);
        assert_eq!(comparison.new_cases[0].before, None);
        assert_eq!(comparison.unchanged, 1);
        assert!(!comparison.has_regressions());
    }

    #[test]
    fn other_differences_are_other_changes_not_regressions() {
        let old = run(vec![
            pass("ecs/a/null", "ACTIVE"),
            case("ecs/b/null", Outcome::Fail, "BUILD", Some("ACTIVE")),
            case("ecs/c/null", Outcome::Fail, "BUILD", Some("ACTIVE")),
        ]);
        let new = run(vec![
            case("ecs/a/null", Outcome::Skip, "ACTIVE", None),
            case("ecs/b/null", Outcome::Fail, "BUILD", Some("ERROR")),
            case("ecs/c/null", Outcome::Error, "BUILD", None),
        ]);

        let comparison = compare(&old, &new);

        assert_eq!(
            ids(&comparison.other_changes),
            ["ecs/a/null", "ecs/b/null", "ecs/c/null"]
        );
        assert!(!comparison.has_regressions());
    }

    #[test]
    fn a_repeated_id_is_matched_occurrence_by_occurrence() {
        let old = run(vec![pass("x/a/null", "ACTIVE"), pass("x/a/null", "ACTIVE")]);
        let new = run(vec![
            pass("x/a/null", "ACTIVE"),
            case("x/a/null", Outcome::Fail, "ACTIVE", Some("ERROR")),
        ]);

        let comparison = compare(&old, &new);

        assert_eq!(ids(&comparison.regressions), ["x/a/null#2"]);
        assert_eq!(comparison.unchanged, 1);
    }

    #[test]
    fn text_lists_each_bucket_with_before_and_after() {
        let old = run(vec![
            pass("ecs/a/null", "ACTIVE"),
            pass("ecs/gone/null", "ACTIVE"),
            case("ecs/b/null", Outcome::Error, "BUILD", None),
            case("ecs/old/null", Outcome::Skip, "BUILD", None),
            case("ecs/c/null", Outcome::Fail, "BUILD", Some("ACTIVE")),
        ]);
        let new = run(vec![
            case("ecs/a/null", Outcome::Fail, "ACTIVE", Some("ERROR")),
            pass("ecs/b/null", "BUILD"),
            pass("ecs/new/null", "PAUSED"),
            case("ecs/c/null", Outcome::Fail, "BUILD", Some("ERROR")),
        ]);

        let text = render(&compare(&old, &new), Format::Text);

        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            [
                "2 regressions: 1 fix, 1 new case, 1 removed case, 1 other change, 0 unchanged",
                "regressions:",
                "  ecs/a/null: pass -> fail (observed ERROR, expected ACTIVE)",
                "  ecs/gone/null: pass -> missing",
                "fixes:",
                "  ecs/b/null: error -> pass",
                "new cases:",
                "  ecs/new/null: pass",
                "removed cases:",
                "  ecs/old/null: skip",
                "other changes:",
                "  ecs/c/null: fail (observed ACTIVE, expected BUILD) -> fail (observed ERROR, expected BUILD)",
            ]
        );
    }

    #[test]
    fn an_unchanged_outcome_with_a_moved_status_prints_both_sides_in_full() {
        let old = run(vec![pass("ecs/a/null", "ACTIVE")]);
        let new = run(vec![pass("ecs/a/null", "SHUTOFF")]);

        let text = render(&compare(&old, &new), Format::Text);

        assert_eq!(
            text.lines().nth(2),
            Some(
                "  ecs/a/null: pass (observed ACTIVE, expected ACTIVE) -> pass (observed SHUTOFF, expected SHUTOFF)"
            )
        );
    }

    #[test]
    fn markdown_is_a_headline_and_one_table_row_per_change() {
        let old = run(vec![
            pass("ecs/a/null", "ACTIVE"),
            pass("ecs/gone/null", "ACTIVE"),
        ]);
        let new = run(vec![
            case("ecs/a/null", Outcome::Error, "ACTIVE", None),
            pass("ecs/new/null", "A|B"),
        ]);

        let markdown = render(&compare(&old, &new), Format::Markdown);

        assert_eq!(
            markdown,
            "**2 regressions: 0 fixes, 1 new case, 0 removed cases, 0 other changes, 0 unchanged**\n\n\
             | change | case | before | after |\n|---|---|---|---|\n\
             | regression | `ecs/a/null` | pass | error |\n\
             | regression | `ecs/gone/null` | pass | missing |\n\
             | new | `ecs/new/null` | — | pass |\n"
        );
    }

    #[test]
    fn json_carries_every_bucket_and_the_unchanged_count() {
        let old = run(vec![pass("ecs/a/null", "ACTIVE")]);
        let new = run(vec![case(
            "ecs/a/null",
            Outcome::Fail,
            "ACTIVE",
            Some("ERROR"),
        )]);

        let value: serde_json::Value =
            serde_json::from_str(&render(&compare(&old, &new), Format::Json)).expect("JSON");

        assert_eq!(
            value,
            serde_json::json!({
                "regressions": [{
                    "id": "ecs/a/null",
                    "before": {"outcome": "pass", "expected": "ACTIVE", "observed": "ACTIVE"},
                    "after": {"outcome": "fail", "expected": "ACTIVE", "observed": "ERROR"}
                }],
                "fixes": [], "new_cases": [], "removed_cases": [], "other_changes": [],
                "unchanged": 0
            })
        );
    }
}
