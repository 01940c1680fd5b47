//! Writing every report of a run into a directory.

use super::model::RunReport;
use super::{html, json, junit, markdown};
use std::path::{Path, PathBuf};

/// File name of the JUnit report inside the report directory.
pub const JUNIT_FILE: &str = "junit.xml";
/// File name of the machine-readable report.
pub const RESULTS_FILE: &str = "results.json";
/// File name of the Markdown summary.
pub const SUMMARY_FILE: &str = "summary.md";
/// File name of the HTML page.
pub const HTML_FILE: &str = "index.html";

/// Where [`write_all`] put each report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenReports {
    /// The JUnit XML file (in the report directory unless `--junit` moved it).
    pub junit: PathBuf,
    /// `results.json`.
    pub results: PathBuf,
    /// `summary.md`.
    pub summary: PathBuf,
    /// `index.html`.
    pub html: PathBuf,
}

/// Why the reports could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteReportError {
    /// A directory could not be created.
    #[error("failed to create report directory {path}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A report file could not be written.
    #[error("failed to write report {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Writes `junit.xml`, `results.json`, `summary.md` and `index.html` into `dir` (created with
/// its parents), or the JUnit file to `junit_path` instead when given. Each file is written to
/// a temporary sibling and renamed, so a reader never sees half a report.
///
/// # Examples
///
/// ```
/// use harness::report::{testing::sample_report, write_all};
///
/// // Arrange
/// let dir = tempfile::tempdir().unwrap();
/// let report = sample_report();
///
/// // Act
/// let written = write_all(&report, &dir.path().join("reports"), None).unwrap();
///
/// // Assert
/// assert!(written.junit.ends_with("reports/junit.xml"));
/// assert!(std::fs::read_to_string(&written.html).unwrap().starts_with("<!DOCTYPE html>"));
/// ```
pub fn write_all(
    report: &RunReport,
    dir: &Path,
    junit_path: Option<&Path>,
) -> Result<WrittenReports, WriteReportError> {
    create_dir(dir)?;
    let junit = match junit_path {
        Some(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                create_dir(parent)?;
            }
            path.to_owned()
        }
        None => dir.join(JUNIT_FILE),
    };
    let written = WrittenReports {
        junit,
        results: dir.join(RESULTS_FILE),
        summary: dir.join(SUMMARY_FILE),
        html: dir.join(HTML_FILE),
    };
    write_file(&written.junit, &junit::to_junit_string(report))?;
    write_file(&written.results, &json::to_json_string(report))?;
    write_file(&written.summary, &markdown::to_markdown(report))?;
    write_file(&written.html, &html::to_html(report))?;
    Ok(written)
}

fn create_dir(path: &Path) -> Result<(), WriteReportError> {
    std::fs::create_dir_all(path).map_err(|source| WriteReportError::CreateDir {
        path: path.to_owned(),
        source,
    })
}

fn write_file(path: &Path, contents: &str) -> Result<(), WriteReportError> {
    let error = |source| WriteReportError::Write {
        path: path.to_owned(),
        source,
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, contents).map_err(error)?;
    std::fs::rename(&tmp, path).map_err(|source| {
        // Best effort: do not leave the temporary file behind.
        let _ = std::fs::remove_file(&tmp);
        error(source)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::sample_report;

    #[test]
    fn all_four_reports_land_in_the_directory_and_nothing_else() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let out = dir.path().join("a/b");

        let written = write_all(&sample_report(), &out, None).expect("writable");

        let names = crate::report::testing::file_names(&out);
        assert_eq!(
            names,
            ["index.html", "junit.xml", "results.json", "summary.md"]
        );
        assert_eq!(written.results, out.join("results.json"));
        let junit = std::fs::read_to_string(&written.junit).expect("readable");
        assert_eq!(junit, junit::to_junit_string(&sample_report()));
    }

    #[test]
    fn an_explicit_junit_path_is_used_and_its_directory_created() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let junit_path = dir.path().join("ci/out/conformance.xml");

        let written = write_all(&sample_report(), &dir.path().join("r"), Some(&junit_path))
            .expect("writable");

        assert_eq!(written.junit, junit_path);
        assert!(junit_path.is_file());
        assert!(!dir.path().join("r/junit.xml").exists());
    }

    #[test]
    fn a_directory_that_is_a_file_gives_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let blocker = dir.path().join("reports");
        std::fs::write(&blocker, "not a dir").expect("writable");

        let err = write_all(&sample_report(), &blocker, None).expect_err("not a directory");

        assert_eq!(
            err.to_string(),
            format!("failed to create report directory {}", blocker.display())
        );
    }

    #[test]
    fn an_unwritable_junit_path_gives_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("a temp dir");
        // A directory where the file should be makes the final rename fail.
        let junit_path = dir.path().join("junit.xml");
        std::fs::create_dir(&junit_path).expect("creatable");
        std::fs::write(junit_path.join("keep"), "x").expect("writable");

        let err = write_all(&sample_report(), &dir.path().join("r"), Some(&junit_path))
            .expect_err("a directory is in the way");

        assert!(matches!(err, WriteReportError::Write { .. }));
        assert_eq!(
            err.to_string(),
            format!("failed to write report {}", junit_path.display())
        );
        assert!(!dir.path().join("junit.xml.tmp").exists());
    }
}
