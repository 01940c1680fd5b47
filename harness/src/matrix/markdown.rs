//! `matrix.md`: the same matrix as a GitHub-flavoured Markdown table.

use super::model::{DIFFERS_WIDTH, Matrix, State, shorten};
use crate::report::Counts;
use std::fmt::Write as _;

/// `2 fail · 1 error · 3 skip`, listing only what is not zero (empty when all passed).
pub fn problem_counts(counts: &Counts) -> String {
    [
        (counts.fail, "fail"),
        (counts.error, "error"),
        (counts.skip, "skip"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| format!("{n} {word}"))
    .collect::<Vec<_>>()
    .join(" · ")
}

/// The marker in front of a Markdown cell: ✅ all passed, ❌ a failure, ⚠️ an error, ⏸️ skips.
fn marker(state: State) -> &'static str {
    match state {
        State::Pass => "✅",
        State::Fail => "❌",
        State::Error => "⚠️",
        State::Incomplete => "⏸️",
        State::Empty => "",
    }
}

/// Renders the matrix as a Markdown table, cells linking to each run's `index.html`.
///
/// # Examples
///
/// ```
/// use harness::matrix::{Matrix, markdown::to_markdown};
/// use harness::report::{json::ResultsRecord, testing::sample_report};
///
/// // Arrange
/// let run = ResultsRecord::from_report(&sample_report());
/// let matrix = Matrix::of(&[("r/results.json".into(), run)]);
///
/// // Act
/// let md = to_markdown(&matrix);
///
/// // Assert
/// assert!(md.contains("| ❌ 1/2 (1 fail) |"), "{md}");
/// ```
pub fn to_markdown(matrix: &Matrix) -> String {
    let mut md = String::from("| implementation | version | language |");
    for column in &matrix.columns {
        let _ = write!(md, " {} {} |", column.profile, column.group);
    }
    md.push_str(" what differs |\n|---|---|---|");
    for _ in &matrix.columns {
        md.push_str("---|");
    }
    md.push_str("---|\n");
    for row in &matrix.rows {
        let name = match &row.link {
            Some(href) => format!("[{}]({})", cell(&row.name), href.replace(' ', "%20")),
            None => cell(&row.name),
        };
        let _ = write!(
            md,
            "| {name} | {} | {} |",
            cell(&row.version),
            cell(&row.language)
        );
        for (column, counts) in matrix.columns.iter().zip(&row.cells) {
            let Some(counts) = counts else {
                md.push_str(" — |");
                continue;
            };
            let extra = problem_counts(counts);
            let mut text = format!(
                "{} {}/{}",
                marker(State::of(counts)),
                counts.pass,
                counts.total()
            );
            if !extra.is_empty() {
                let _ = write!(text, " ({extra})");
            }
            match &row.link {
                Some(href) => {
                    let _ = write!(
                        md,
                        " [{text}]({}#profile-{}) |",
                        href.replace(' ', "%20"),
                        column.profile
                    );
                }
                None => {
                    let _ = write!(md, " {text} |");
                }
            }
        }
        let mut differs: Vec<String> = row
            .differs
            .iter()
            .map(|d| cell(&shorten(d, DIFFERS_WIDTH)))
            .collect();
        if row.more > 0 {
            differs.push(format!("… and {} more", row.more));
        }
        if differs.is_empty() {
            differs.push("nothing: every case passed".to_owned());
        }
        let _ = writeln!(md, " {} |", differs.join("<br>"));
    }
    md
}

/// Text safe inside a table cell: no pipe, no line break, no HTML.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
