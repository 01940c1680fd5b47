//! Reading the runs and writing the matrix's files.

use super::badge::Badge;
use super::html::to_html;
use super::markdown::to_markdown;
use super::model::Matrix;
use crate::report::json::{ResultsRecord, read_results};
use std::path::{Component, Path, PathBuf};

/// The page's file name.
pub const MATRIX_HTML: &str = "matrix.html";
/// The Markdown table's file name.
pub const MATRIX_MD: &str = "matrix.md";
/// The folder holding one badge JSON per implementation.
pub const BADGES_DIR: &str = "badges";

/// What [`write_matrix`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenMatrix {
    /// The matrix, links set.
    pub matrix: Matrix,
    /// `matrix.html`.
    pub html: PathBuf,
    /// `matrix.md`.
    pub markdown: PathBuf,
    /// One badge per row, in row order.
    pub badges: Vec<PathBuf>,
}

/// Why no matrix was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MatrixError {
    /// No results.json was given.
    #[error("no results.json given: pass one or more (e.g. reports/*/results.json)")]
    NoInput,
    /// A results.json could not be read.
    #[error(transparent)]
    Read(#[from] crate::report::json::ReadResultsError),
    /// An output file could not be written.
    #[error("failed to write {path}: {source}")]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Reads every results.json and writes `matrix.html`, `matrix.md` and `badges/<slug>.json`
/// into `out` (created with its parents). Each row links to the `index.html` next to its
/// results.json, relative to `out`, when there is one.
///
/// # Examples
///
/// ```
/// use harness::matrix::write_matrix;
/// use harness::report::{testing::sample_report, write_all};
///
/// // Arrange: one run's reports in run/, the matrix in site/.
/// let dir = tempfile::tempdir().unwrap();
/// let run = dir.path().join("run");
/// write_all(&sample_report(), &run, None).unwrap();
///
/// // Act
/// let written = write_matrix(&dir.path().join("site"), &[run.join("results.json")]).unwrap();
///
/// // Assert
/// assert_eq!(written.matrix.rows[0].link.as_deref(), Some("../run/index.html"));
/// assert!(written.badges[0].ends_with("site/badges/openstacksdk-4.1.0.json"));
/// ```
pub fn write_matrix(out: &Path, inputs: &[PathBuf]) -> Result<WrittenMatrix, MatrixError> {
    if inputs.is_empty() {
        return Err(MatrixError::NoInput);
    }
    let runs: Vec<(PathBuf, ResultsRecord)> = inputs
        .iter()
        .map(|p| read_results(p).map(|r| (p.clone(), r)))
        .collect::<Result<_, _>>()?;
    let badges_dir = out.join(BADGES_DIR);
    create_dir(&badges_dir)?;
    let mut matrix = Matrix::of(&runs);
    for row in &mut matrix.rows {
        let index = row.source.with_file_name(crate::report::HTML_FILE);
        if index.is_file() {
            row.link = relative_href(out, &index);
        }
    }
    let generated = format!(
        "harness {}, {}",
        crate::VERSION,
        chrono::Local::now().format("%Y-%m-%d %H:%M %Z")
    );
    let html = out.join(MATRIX_HTML);
    let markdown = out.join(MATRIX_MD);
    write(&html, &to_html(&matrix, &generated))?;
    write(&markdown, &to_markdown(&matrix))?;
    let mut badges = Vec::with_capacity(matrix.rows.len());
    for row in &matrix.rows {
        let path = badges_dir.join(format!("{}.json", row.slug));
        write(&path, &Badge::of(row).to_json())?;
        badges.push(path);
    }
    Ok(WrittenMatrix {
        matrix,
        html,
        markdown,
        badges,
    })
}

fn create_dir(path: &Path) -> Result<(), MatrixError> {
    std::fs::create_dir_all(path).map_err(|source| MatrixError::Write {
        path: path.to_owned(),
        source,
    })
}

fn write(path: &Path, text: &str) -> Result<(), MatrixError> {
    std::fs::write(path, text).map_err(|source| MatrixError::Write {
        path: path.to_owned(),
        source,
    })
}

/// The href of `target` from a page in `from_dir`, with `/` separators; `None` when either path
/// cannot be resolved or is not UTF-8.
pub fn relative_href(from_dir: &Path, target: &Path) -> Option<String> {
    let from = std::fs::canonicalize(from_dir).ok()?;
    let to = std::fs::canonicalize(target).ok()?;
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    for component in &to[common..] {
        parts.push(component.as_os_str().to_str()?.to_owned());
    }
    Some(parts.join("/"))
}
