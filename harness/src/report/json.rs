//! `results.json`: the machine-readable report, `format_version` 2 (version 1 is still read).
//!
//! The shape is fixed by `docs/ARCHITECTURE.md` ("results.json"):
//!
//! ```json
//! {"format_version": 2, "harness_version": "0.1.0", "target": "fake (embedded)",
//!  "started": "RFC 3339", "finished": "RFC 3339", "profiles": [{"name", "digest"}],
//!  "verdict": "conformant" | "non-conformant" | "errored" | "incomplete" | "observed",
//!  "scope": {"cases": "all cases" | "cases matching `GLOB`", "filters": [GLOB], "profiles": [name]},
//!  "implementation": null | {"name","version","language","homepage","protocol_version","status_model"},
//!  "seed": null | N, "timelines": [{"case","polls":[{"status","vm_state","task_state","gone"}],"outcome","last_step_from_poll"}],
//!  "compatibility": [{"profile", "scope", "conforms": true | false | null, "differences": N}],
//!  "cases": [{"id","profile","group","vm_state","task_state","expected","observed","outcome","detail"}]}
//! ```
//!
//! Version 1 had no `verdict` and `scope`, and `conforms` was never null; it reads back with
//! `verdict` and `scope` null.
//!
//! Every key is always written (absent values are `null`). The `…Record` types are the wire
//! types; they are kept apart from the domain types ([`RunReport`], [`CaseResult`]) so that
//! the domain can change without changing the file other people's tools read. `harness compare`
//! reads files back with [`read_results`].
//!
//! # Implementation notes
//!
//! Unknown keys are ignored on reading, so a later minor addition does not break older readers;
//! a `format_version` other than 1 or 2 is refused.

use super::model::RunReport;
use super::timeline::WaitTimeline;
use crate::case::Group;
use crate::outcome::{CaseResult, Outcome};
use crate::target::adapter::StatusModel;
use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The `format_version` this module writes.
pub const FORMAT_VERSION: u32 = 2;

/// Every `format_version` this module reads.
pub const READABLE_VERSIONS: [u32; 2] = [1, 2];

/// Which cases a run covered (format 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeRecord {
    /// `all cases`, or `cases matching …` for a `--filter` run.
    pub cases: String,
    /// The `--filter` patterns (empty: every case).
    pub filters: Vec<String>,
    /// The profiles run.
    pub profiles: Vec<String>,
}

/// The whole `results.json` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsRecord {
    /// [`FORMAT_VERSION`] when written; 1 or 2 when read.
    pub format_version: u32,
    /// Version of the harness that wrote the file.
    pub harness_version: String,
    /// The target, credentials redacted.
    pub target: String,
    /// RFC 3339 start time.
    pub started: String,
    /// RFC 3339 finish time.
    pub finished: String,
    /// The profiles run, with the digest of their files.
    pub profiles: Vec<ProfileRecord>,
    /// The run's verdict (format 2; `None` when read from format 1).
    #[serde(default)]
    pub verdict: Option<String>,
    /// Which cases the run covered (format 2; `None` when read from format 1).
    #[serde(default)]
    pub scope: Option<ScopeRecord>,
    /// The adapter's metadata, `null` for non-adapter targets.
    pub implementation: Option<ImplementationRecord>,
    /// Agreement of the observations with every known profile.
    pub compatibility: Vec<CompatibilityRecord>,
    /// Every case, in run order.
    pub cases: Vec<CaseRecord>,
    /// The seed of an adapter run's blind questions (`harness --seed N` replays it), or `null`.
    #[serde(default)]
    pub seed: Option<u64>,
    /// What the fake served to each wait case's waiter, poll by poll.
    #[serde(default)]
    pub timelines: Vec<WaitTimeline>,
}

/// One profile of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileRecord {
    /// Profile name.
    pub name: String,
    /// `sha256:<hex>` of the profile file.
    pub digest: String,
}

/// An SDK adapter's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImplementationRecord {
    /// Name, e.g. `openstacksdk`.
    pub name: String,
    /// Version of the implementation.
    pub version: String,
    /// Language, e.g. `python`.
    pub language: String,
    /// Homepage URL, or `null`.
    pub homepage: Option<String>,
    /// The adapter protocol version agreed in the handshake (1 or 2), or `null`.
    #[serde(default)]
    pub protocol_version: Option<u32>,
    /// The SDK's status model from a v2 handshake, or `null`.
    #[serde(default)]
    pub status_model: Option<StatusModel>,
}

/// Whether the observations agree with one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompatibilityRecord {
    /// Profile name.
    pub profile: String,
    /// The run profile whose observations were judged; null for the whole run.
    #[serde(default)]
    pub scope: Option<String>,
    /// `true` when every pair in scope passed in every view and agrees with the profile,
    /// `false` when one disagrees, `null` when unknown (errors or skips, or nothing observed).
    pub conforms: Option<bool>,
    /// How many observed pairs the profile expects differently.
    pub differences: usize,
}

/// One case and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// Case id, `<profile>/<vm_state>/<task_state>`.
    pub id: String,
    /// Profile name.
    pub profile: String,
    /// `valid`, `invalid` or `probe`.
    pub group: Group,
    /// The injected vm_state, `null` for none.
    pub vm_state: Option<String>,
    /// The injected task_state, `null` for none.
    pub task_state: Option<String>,
    /// The status the profile expects.
    pub expected: String,
    /// The status observed, `null` when nothing was observed.
    pub observed: Option<String>,
    /// `pass`, `fail`, `error` or `skip`.
    pub outcome: Outcome,
    /// One line explaining a non-pass, or `null`.
    pub detail: Option<String>,
}

impl ResultsRecord {
    /// The wire form of a finished run.
    pub fn from_report(report: &RunReport) -> ResultsRecord {
        ResultsRecord {
            format_version: FORMAT_VERSION,
            harness_version: report.harness_version.clone(),
            target: report.target.clone(),
            started: report.started.to_rfc3339_opts(SecondsFormat::Millis, true),
            finished: report.finished.to_rfc3339_opts(SecondsFormat::Millis, true),
            profiles: report
                .profiles
                .iter()
                .map(|p| ProfileRecord {
                    name: p.name.clone(),
                    digest: p.digest.clone(),
                })
                .collect(),
            verdict: Some(report.verdict().as_word().to_owned()),
            scope: Some(ScopeRecord {
                cases: report.scope.label(),
                filters: report.scope.filters.clone(),
                profiles: report.profiles.iter().map(|p| p.name.clone()).collect(),
            }),
            implementation: report
                .implementation
                .as_ref()
                .map(|i| ImplementationRecord {
                    name: i.name.clone(),
                    version: i.version.clone(),
                    language: i.language.clone(),
                    homepage: i.homepage.clone(),
                    protocol_version: i.protocol_version,
                    status_model: i.status_model.clone(),
                }),
            compatibility: report
                .compatibility
                .iter()
                .map(|c| CompatibilityRecord {
                    profile: c.profile.clone(),
                    scope: c.scope.clone(),
                    conforms: c.conforms,
                    differences: c.differences,
                })
                .collect(),
            cases: report.cases.iter().map(CaseRecord::from_result).collect(),
            seed: report.seed,
            timelines: report.timelines.clone(),
        }
    }
}

impl CaseRecord {
    /// The wire form of one result.
    pub fn from_result(result: &CaseResult) -> CaseRecord {
        CaseRecord {
            id: result.case.id.to_string(),
            profile: result.case.profile.clone(),
            group: result.case.group,
            vm_state: result.case.vm_state.clone(),
            task_state: result.case.task_state.clone(),
            expected: result.case.expected.clone(),
            observed: result.observed.clone(),
            outcome: result.outcome,
            detail: result.detail.clone(),
        }
    }
}

/// Serialises the run as pretty-printed `results.json` text, ending in a newline.
///
/// # Examples
///
/// ```
/// use harness::report::{json, testing::sample_report};
///
/// // Arrange
/// let report = sample_report();
///
/// // Act
/// let text = json::to_json_string(&report);
///
/// // Assert
/// assert!(text.starts_with("{\n  \"format_version\": 2,"));
/// ```
pub fn to_json_string(report: &RunReport) -> String {
    let record = ResultsRecord::from_report(report);
    // Plain structs with string keys always serialise.
    let mut text = serde_json::to_string_pretty(&record).expect("records always serialise");
    text.push('\n');
    text
}

/// Why a `results.json` could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadResultsError {
    /// The file could not be read.
    #[error("failed to read results file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid results document (the source names line and column).
    #[error("failed to parse results file {path}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The JSON error, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// The file has a `format_version` this harness does not read.
    #[error(
        "failed to read results file {path}: format_version {found} is not supported (expected 1 or 2)"
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u64,
    },
}

/// Reads a `results.json` written by [`to_json_string`] (or any compatible writer).
///
/// # Examples
///
/// ```
/// use harness::report::{json, testing::sample_report};
///
/// // Arrange
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("results.json");
/// std::fs::write(&path, json::to_json_string(&sample_report())).unwrap();
///
/// // Act
/// let record = json::read_results(&path).unwrap();
///
/// // Assert
/// assert_eq!(record.cases.len(), 9);
/// ```
pub fn read_results(path: &Path) -> Result<ResultsRecord, ReadResultsError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReadResultsError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_results(&text, path)
}

/// Parses `results.json` text; `path` is only used in errors.
pub fn parse_results(text: &str, path: &Path) -> Result<ResultsRecord, ReadResultsError> {
    // Check the version first, so a future format gives a version error rather than a
    // confusing missing-field error.
    #[derive(Deserialize)]
    struct Version {
        format_version: u64,
    }
    let version: Version =
        serde_json::from_str(text).map_err(|source| ReadResultsError::Parse {
            path: path.to_owned(),
            source,
        })?;
    if !READABLE_VERSIONS
        .iter()
        .any(|v| u64::from(*v) == version.format_version)
    {
        return Err(ReadResultsError::UnsupportedVersion {
            path: path.to_owned(),
            found: version.format_version,
        });
    }
    serde_json::from_str(text).map_err(|source| ReadResultsError::Parse {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::sample_report;
    use std::error::Error as _;

    #[test]
    fn a_written_file_reads_back_to_the_same_record() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("results.json");
        let report = sample_report();
        std::fs::write(&path, to_json_string(&report)).expect("writable");

        let record = read_results(&path).expect("readable");

        assert_eq!(record, ResultsRecord::from_report(&report));
        assert_eq!(record.started, "2025-01-02T03:04:05.123Z");
        assert_eq!(record.cases[1].outcome, Outcome::Fail);
        assert_eq!(record.cases[2].observed, None);
    }

    #[test]
    fn every_key_is_written_with_nulls_for_absent_values() {
        let value: serde_json::Value =
            serde_json::from_str(&to_json_string(&sample_report())).expect("valid JSON");
        let case = &value["cases"][2];
        assert_eq!(
            case,
            &serde_json::json!({
                "id": "ecs-openstack/building/rebooting",
                "profile": "ecs-openstack",
                "group": "invalid",
                "vm_state": "building",
                "task_state": "rebooting",
                "expected": "UNKNOWN",
                "observed": null,
                "outcome": "error",
                "detail": "GET /compute/v2.1/servers/s-2 answered HTTP 500"
            })
        );
        let text = to_json_string(&sample_report());
        let top_level: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("  \"") && !l.starts_with("   "))
            .map(|l| l.trim_start().split('"').nth(1).unwrap_or_default())
            .collect();
        assert_eq!(
            top_level,
            [
                "format_version",
                "harness_version",
                "target",
                "started",
                "finished",
                "profiles",
                "verdict",
                "scope",
                "implementation",
                "compatibility",
                "cases",
                "seed",
                "timelines"
            ]
        );
        assert_eq!(value["profiles"][1]["digest"], "sha256:bbbb");
        assert_eq!(value["compatibility"][2]["differences"], 7);
        assert_eq!(value["format_version"], 2);
        assert_eq!(value["verdict"], "non-conformant");
        assert_eq!(
            value["scope"],
            serde_json::json!({"cases": "all cases", "filters": [],
                               "profiles": ["ecs-openstack", "ecs"]})
        );
    }

    #[test]
    fn format_1_still_reads_with_conforms_as_a_boolean_and_no_verdict() {
        let text = r#"{"format_version": 1, "harness_version": "0.1.0", "target": "fake (embedded)",
            "started": "2025-01-01T00:00:00.000Z", "finished": "2025-01-01T00:00:01.000Z",
            "profiles": [], "implementation": null,
            "compatibility": [{"profile": "ecs", "scope": null, "conforms": true, "differences": 0}],
            "cases": []}"#;
        let record = parse_results(text, Path::new("v1/results.json")).expect("version 1 reads");
        assert_eq!(record.format_version, 1);
        assert_eq!((record.verdict, record.scope), (None, None));
        assert_eq!(record.compatibility[0].conforms, Some(true));
    }

    #[test]
    fn another_format_version_is_refused_by_name() {
        let err = parse_results(r#"{"format_version": 3}"#, Path::new("old/results.json"))
            .expect_err("version 3 is unknown");
        assert_eq!(
            err.to_string(),
            "failed to read results file old/results.json: format_version 3 is not supported (expected 1 or 2)"
        );
    }

    #[test]
    fn a_bad_field_names_the_file_and_the_position() {
        let text = "{\"format_version\": 1,\n \"harness_version\": 3}";
        let err = parse_results(text, Path::new("r.json")).expect_err("wrong type");
        assert_eq!(err.to_string(), "failed to parse results file r.json");
        let source = err.source().expect("a source").to_string();
        assert!(source.contains("line 2"), "{source}");
    }

    #[test]
    fn a_missing_file_is_a_read_error_naming_it() {
        let err = read_results(Path::new("/nonexistent/results.json")).expect_err("absent");
        assert!(matches!(err, ReadResultsError::Read { .. }));
        assert_eq!(
            err.to_string(),
            "failed to read results file /nonexistent/results.json"
        );
    }
}
