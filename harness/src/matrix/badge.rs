//! shields.io endpoint badges: one JSON file per implementation.
//!
//! The format is shields.io's "endpoint" schema (`https://img.shields.io/endpoint?url=…`):
//! `{"schemaVersion": 1, "label": …, "message": …, "color": …}`. Only a run where every case
//! passed is green; a skip says "incomplete", an error "errored", never a pass.

use super::model::{Row, State};
use serde::Serialize;

/// The badge's label.
pub const LABEL: &str = "status conformance";

/// A shields.io endpoint badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Badge {
    /// Always 1.
    #[serde(rename = "schemaVersion")]
    pub schema_version: u32,
    /// Left-hand text.
    pub label: String,
    /// Right-hand text.
    pub message: String,
    /// A shields.io colour name.
    pub color: String,
}

impl Badge {
    /// The badge of one implementation.
    ///
    /// # Examples
    ///
    /// ```
    /// use harness::matrix::{Badge, Matrix};
    /// use harness::report::{json::ResultsRecord, testing::sample_report};
    ///
    /// // Arrange: the sample run has a failure, an error and a skip.
    /// let run = ResultsRecord::from_report(&sample_report());
    /// let matrix = Matrix::of(&[("r/results.json".into(), run)]);
    ///
    /// // Act
    /// let badge = Badge::of(&matrix.rows[0]);
    ///
    /// // Assert
    /// assert_eq!((badge.message.as_str(), badge.color.as_str()), ("2 of 9 failing", "red"));
    /// ```
    pub fn of(row: &Row) -> Badge {
        let t = &row.totals;
        let (message, color) = match State::of(t) {
            State::Pass => (format!("conformant ({} cases)", t.pass), "brightgreen"),
            State::Fail => (format!("{} of {} failing", t.fail, t.total()), "red"),
            State::Error => (
                format!("errored ({} of {} cases)", t.error, t.total()),
                "orange",
            ),
            State::Incomplete => (
                format!("incomplete ({} of {} skipped)", t.skip, t.total()),
                "yellow",
            ),
            State::Empty => ("no cases".to_owned(), "lightgrey"),
        };
        Badge {
            schema_version: 1,
            label: LABEL.to_owned(),
            message,
            color: color.to_owned(),
        }
    }

    /// Pretty JSON ending in a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("plain records always serialise");
        text.push('\n');
        text
    }
}
