//! The matrix itself: one row per `results.json`, one column per profile × case kind.

use crate::case::Group;
use crate::judge::Verdict;
use crate::outcome::Outcome;
use crate::report::Counts;
use crate::report::json::{CaseRecord, ResultsRecord};
use std::path::PathBuf;

/// How many failing cases the "what differs" column spells out per implementation.
pub const DIFFERS_SHOWN: usize = 3;

/// A column: one profile's cases of one kind (the result group: valid, invalid, probe, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Profile name.
    pub profile: String,
    /// Case kind.
    pub group: Group,
}

/// What a set of outcomes amounts to: the run verdict of its counts ([`Counts::verdict`]), with
/// no case at all told apart from an incomplete one. A skip or an error is never a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Every case passed (and there was at least one).
    Pass,
    /// At least one conformance failure.
    Fail,
    /// No failure, but at least one error.
    Error,
    /// No failure or error, but at least one skip.
    Incomplete,
    /// No case at all.
    Empty,
}

impl State {
    /// The state of some counts.
    ///
    /// # Examples
    ///
    /// ```
    /// use harness::matrix::State;
    /// use harness::report::Counts;
    ///
    /// let skipped = Counts { pass: 251, fail: 0, error: 0, skip: 1 };
    /// assert_eq!(State::of(&skipped), State::Incomplete);
    /// ```
    pub fn of(counts: &Counts) -> State {
        match counts.verdict() {
            Verdict::NotConformant => State::Fail,
            Verdict::Errored => State::Error,
            Verdict::Incomplete if counts.total() == 0 => State::Empty,
            Verdict::Incomplete => State::Incomplete,
            // Counts alone are never `Observed`; a cell is a plain run's cases.
            Verdict::Conformant | Verdict::Observed => State::Pass,
        }
    }

    /// The CSS class and word: `pass`, `fail`, `error`, `incomplete`, `empty`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pass => "pass",
            State::Fail => "fail",
            State::Error => "error",
            State::Incomplete => "incomplete",
            State::Empty => "empty",
        }
    }
}

/// One implementation (one `results.json`).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The implementation's name, or the target for runs without an adapter.
    pub name: String,
    /// Its version (the harness version for runs without an adapter).
    pub version: String,
    /// Its language (`-` for runs without an adapter).
    pub language: String,
    /// The results.json it comes from.
    pub source: PathBuf,
    /// The target, as the report names it.
    pub target: String,
    /// Counts per column (`None`: no case of that column in this run), aligned with
    /// [`Matrix::columns`].
    pub cells: Vec<Option<Counts>>,
    /// Counts over the whole run.
    pub totals: Counts,
    /// The first few cases that did not pass, in words.
    pub differs: Vec<String>,
    /// How many more did not pass.
    pub more: usize,
    /// A file-name-safe identifier, unique in the matrix (`name-version`).
    pub slug: String,
    /// The href of the run's own `index.html`, relative to the matrix page; `None` when there is
    /// none next to its results.json. Set by [`write_matrix`](super::write_matrix).
    pub link: Option<String>,
}

/// The whole matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// Columns, by profile (first appearance) then case kind (report order).
    pub columns: Vec<Column>,
    /// Rows, in input order.
    pub rows: Vec<Row>,
}

impl Matrix {
    /// Builds the matrix of some runs, each with the path it was read from.
    pub fn of(runs: &[(PathBuf, ResultsRecord)]) -> Matrix {
        let mut columns: Vec<Column> = Vec::new();
        let mut profiles: Vec<&str> = Vec::new();
        for (_, run) in runs {
            for case in &run.cases {
                if !profiles.contains(&case.profile.as_str()) {
                    profiles.push(&case.profile);
                }
            }
        }
        for profile in &profiles {
            for group in Group::ALL {
                let present = runs.iter().any(|(_, r)| {
                    r.cases
                        .iter()
                        .any(|c| c.profile == *profile && c.group == group)
                });
                if present {
                    columns.push(Column {
                        profile: (*profile).to_owned(),
                        group,
                    });
                }
            }
        }
        let mut slugs: Vec<String> = Vec::new();
        let rows = runs
            .iter()
            .map(|(path, run)| {
                let row = row(path, run, &columns, &slugs);
                slugs.push(row.slug.clone());
                row
            })
            .collect();
        Matrix { columns, rows }
    }
}

fn row(path: &std::path::Path, run: &ResultsRecord, columns: &[Column], taken: &[String]) -> Row {
    let (name, version, language) = match &run.implementation {
        Some(i) => (i.name.clone(), i.version.clone(), i.language.clone()),
        None => (
            run.target.clone(),
            run.harness_version.clone(),
            "-".to_owned(),
        ),
    };
    let cells = columns
        .iter()
        .map(|col| {
            let mut counts = Counts::default();
            let mut any = false;
            for case in run
                .cases
                .iter()
                .filter(|c| c.profile == col.profile && c.group == col.group)
            {
                counts.add(case.outcome);
                any = true;
            }
            any.then_some(counts)
        })
        .collect();
    let mut totals = Counts::default();
    for case in &run.cases {
        totals.add(case.outcome);
    }
    let problems: Vec<&CaseRecord> = run
        .cases
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .collect();
    let differs = problems
        .iter()
        .take(DIFFERS_SHOWN)
        .map(|c| in_words(c))
        .collect();
    let mut slug = slugify(&format!("{name}-{version}"));
    let base = slug.clone();
    let mut n = 2;
    while taken.contains(&slug) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    Row {
        name,
        version,
        language,
        source: path.to_owned(),
        target: run.target.clone(),
        cells,
        totals,
        differs,
        more: problems.len().saturating_sub(DIFFERS_SHOWN),
        slug,
        link: None,
    }
}

/// A case that did not pass, in words, e.g. `nova active/rebooting: expected REBOOT, observed
/// ACTIVE`.
pub fn in_words(case: &CaseRecord) -> String {
    let tail = case
        .id
        .strip_prefix(&format!("{}/", case.profile))
        .unwrap_or(&case.id);
    let what = match case.outcome {
        Outcome::Fail => match &case.observed {
            Some(observed) => format!("expected {}, observed {observed}", case.expected),
            None => format!(
                "expected {}: {}",
                case.expected,
                case.detail.as_deref().unwrap_or("failed")
            ),
        },
        Outcome::Error => format!("error: {}", case.detail.as_deref().unwrap_or("no detail")),
        Outcome::Skip => format!(
            "skipped: {}",
            case.detail.as_deref().unwrap_or("no reason given")
        ),
        Outcome::Pass => "passed".to_owned(),
    };
    format!("{} {tail}: {what}", case.profile)
}

/// At most `max` characters of `text`, ending in `…` when cut (for table cells; the full text
/// stays in the run's own report).
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// How many characters of a "what differs" line the page and the table show.
pub const DIFFERS_WIDTH: usize = 110;

/// Lower-case letters, digits, `.`, `_` and `-`; anything else becomes `-`.
pub fn slugify(text: &str) -> String {
    let slug: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let mut collapsed = String::with_capacity(slug.len());
    for c in slug.chars() {
        if !(c == '-' && collapsed.ends_with('-')) {
            collapsed.push(c);
        }
    }
    let trimmed = collapsed.trim_matches('-');
    if trimmed.is_empty() {
        "run".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_outcome_wins_and_a_skip_is_never_a_pass() {
        let rows = [
            ((5, 1, 1, 1), State::Fail),
            ((5, 0, 1, 1), State::Error),
            ((5, 0, 0, 1), State::Incomplete),
            ((0, 0, 0, 3), State::Incomplete),
            ((5, 0, 0, 0), State::Pass),
            ((0, 0, 0, 0), State::Empty),
        ];
        for ((pass, fail, error, skip), want) in rows {
            let counts = Counts {
                pass,
                fail,
                error,
                skip,
            };
            assert_eq!(State::of(&counts), want, "{counts:?}");
        }
    }

    #[test]
    fn long_lines_are_cut_with_an_ellipsis_and_short_ones_kept() {
        assert_eq!(shorten("abcdef", 6), "abcdef");
        assert_eq!(shorten("abcdefg", 6), "abcde…");
        assert_eq!(shorten("ééééééé", 4), "ééé…");
    }

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(slugify("fake (embedded)-0.1.0"), "fake-embedded-0.1.0");
        assert_eq!(
            slugify("@huaweicloud/huaweicloud-sdk-ecs-3.1.2"),
            "huaweicloud-huaweicloud-sdk-ecs-3.1.2"
        );
        assert_eq!(slugify("///"), "run");
    }
}
