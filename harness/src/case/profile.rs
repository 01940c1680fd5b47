//! [`Profile`]: a loaded, checked status-derivation table with its lookup index.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::check::check_document;
use super::check_error::CheckProfileError;
use super::document::{Fallback, ProfileDocument, Row, SourceRef, UNKNOWN};

/// Why a profile could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadProfileError {
    /// The file could not be read.
    #[error("failed to read profile {path}")]
    Read {
        /// The path given.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid JSON, or not a profile document.
    #[error("failed to parse profile {file} at line {line}, column {column}: {message}")]
    Parse {
        /// The profile file.
        file: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the parser expected, without its own position suffix.
        message: String,
    },
    /// The file parsed but broke one or more `cases check` rules.
    #[error("failed to check profile {file}: {}", join_errors(.errors))]
    Check {
        /// The profile file.
        file: String,
        /// Every problem found, in document order.
        errors: Vec<CheckProfileError>,
    },
    /// A name is neither a built-in profile, `all`, nor a `.json` path.
    #[error(
        "failed to find profile {name:?} (built-in: ecs, ecs-openstack, nova; or `all`, or a path to a .json file)"
    )]
    UnknownProfile {
        /// The name given.
        name: String,
    },
    /// Two different profiles with the same name were asked for in one run.
    #[error("failed to resolve profiles: two different profiles are named {name:?}")]
    DuplicateName {
        /// The repeated profile name.
        name: String,
    },
}

fn join_errors(errors: &[CheckProfileError]) -> String {
    let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

/// What one vm_state maps to.
#[derive(Debug, Clone, Default)]
struct VmEntry {
    /// `default_status` (only under [`Fallback::VmStateDefault`]).
    default: Option<String>,
    /// The status of `(vm_state, null)` if a row lists it.
    null: Option<String>,
    /// The status of `(vm_state, task)` for every listed task.
    tasks: HashMap<String, String>,
}

/// A loaded and checked status-derivation profile.
///
/// # Examples
///
/// ```
/// use harness::case::builtin_profile;
///
/// // Arrange
/// let nova = builtin_profile("nova")?;
///
/// // Act
/// let status = nova.expected_status(Some("active"), Some("image_uploading"));
///
/// // Assert: Nova falls back to the vm_state's default for an unlisted task_state.
/// assert_eq!(status, "ACTIVE");
/// # Ok::<(), harness::case::LoadProfileError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Profile {
    file: String,
    document: ProfileDocument,
    digest: String,
    table: HashMap<String, VmEntry>,
}

impl Profile {
    /// Loads and checks a profile file.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let profile = harness::case::Profile::from_path("cases/profiles/ecs.json")?;
    /// assert_eq!(profile.name(), "ecs");
    /// # Ok::<(), harness::case::LoadProfileError>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Profile, LoadProfileError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| LoadProfileError::Read {
            path: path.to_owned(),
            source,
        })?;
        Profile::from_slice(&path.display().to_string(), &bytes)
    }

    /// Parses and checks a profile from bytes; `file` names it in errors.
    ///
    /// # Examples
    ///
    /// ```
    /// use harness::case::{LoadProfileError, Profile};
    ///
    /// // Arrange
    /// let text = b"{\n  \"format_version\": 1,\n  \"name\": oops\n}";
    ///
    /// // Act
    /// let error = Profile::from_slice("broken.json", text).unwrap_err();
    ///
    /// // Assert
    /// assert!(matches!(error, LoadProfileError::Parse { line: 3, column: 11, .. }));
    /// ```
    pub fn from_slice(file: &str, bytes: &[u8]) -> Result<Profile, LoadProfileError> {
        let document: ProfileDocument =
            serde_json::from_slice(bytes).map_err(|error| parse_error(file, &error))?;
        // serde_json accepted the bytes, so they are UTF-8; a lossy view would only cost positions.
        let text = String::from_utf8_lossy(bytes);
        let errors = check_document(file, &text, &document);
        if !errors.is_empty() {
            return Err(LoadProfileError::Check {
                file: file.to_owned(),
                errors,
            });
        }
        let digest = format!("sha256:{:x}", Sha256::digest(bytes));
        let table = index(&document);
        Ok(Profile {
            file: file.to_owned(),
            document,
            digest,
            table,
        })
    }

    /// The profile's name, as used in case ids.
    pub fn name(&self) -> &str {
        &self.document.name
    }

    /// The profile's one-line title.
    pub fn title(&self) -> &str {
        &self.document.title
    }

    /// The file the profile was loaded from (`cases/profiles/<name>.json` for built-ins).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Which document and version the profile encodes.
    pub fn source(&self) -> &SourceRef {
        &self.document.source
    }

    /// The rule for unlisted pairs.
    pub fn fallback(&self) -> Fallback {
        self.document.fallback
    }

    /// `sha256:<hex>` of the profile file's bytes.
    pub fn digest(&self) -> String {
        self.digest.clone()
    }

    /// The declared vm_states, in profile order.
    pub fn vm_states(&self) -> Vec<&str> {
        self.document
            .vm_states
            .iter()
            .map(|d| d.name.as_str())
            .collect()
    }

    /// The declared task_states (without null), in profile order.
    pub fn task_states(&self) -> Vec<&str> {
        self.document
            .task_states
            .iter()
            .map(|d| d.name.as_str())
            .collect()
    }

    /// The declared statuses, in profile order.
    pub fn statuses(&self) -> Vec<&str> {
        self.document
            .statuses
            .iter()
            .map(|d| d.name.as_str())
            .collect()
    }

    /// The table rows, in file order.
    pub fn rows(&self) -> &[Row] {
        &self.document.rows
    }

    /// The whole parsed document.
    pub fn document(&self) -> &ProfileDocument {
        &self.document
    }

    /// The `default_status` of a vm_state (only under fallback `vm_state_default`).
    pub fn default_status(&self, vm_state: &str) -> Option<&str> {
        self.table.get(vm_state)?.default.as_deref()
    }

    /// Whether a row lists the pair (exact, case-sensitive match).
    pub fn lists(&self, vm_state: Option<&str>, task_state: Option<&str>) -> bool {
        self.listed_status(vm_state, task_state).is_some()
    }

    /// The status the profile expects for a pair: the row that lists it, else the fallback rule.
    ///
    /// Matching is exact and case-sensitive, as in Nova (`ACTIVE` is not `active`).
    ///
    /// # Examples
    ///
    /// ```
    /// // Arrange
    /// let ecs = harness::case::builtin_profile("ecs")?;
    ///
    /// // Act and assert: listed pair, then an unlisted one.
    /// assert_eq!(ecs.expected_status(Some("active"), Some("powering-off")), "ACTIVE");
    /// assert_eq!(ecs.expected_status(Some("active"), Some("updating_password")), "UNKNOWN");
    /// # Ok::<(), harness::case::LoadProfileError>(())
    /// ```
    pub fn expected_status(&self, vm_state: Option<&str>, task_state: Option<&str>) -> String {
        if let Some(status) = self.listed_status(vm_state, task_state) {
            return status.to_owned();
        }
        let fallback = match self.document.fallback {
            Fallback::Unknown => None,
            Fallback::VmStateDefault => vm_state
                .and_then(|vm| self.table.get(vm))
                .and_then(|e| e.default.as_deref()),
        };
        fallback.unwrap_or(UNKNOWN).to_owned()
    }

    fn listed_status(&self, vm_state: Option<&str>, task_state: Option<&str>) -> Option<&str> {
        let entry = self.table.get(vm_state?)?;
        match task_state {
            None => entry.null.as_deref(),
            Some(task) => entry.tasks.get(task).map(String::as_str),
        }
    }
}

/// Builds the lookup index of a checked document.
fn index(document: &ProfileDocument) -> HashMap<String, VmEntry> {
    let mut table: HashMap<String, VmEntry> = document
        .vm_states
        .iter()
        .map(|vm| {
            let entry = VmEntry {
                default: vm.default_status.clone(),
                ..VmEntry::default()
            };
            (vm.name.clone(), entry)
        })
        .collect();
    for row in &document.rows {
        let entry = table.entry(row.vm_state.clone()).or_default();
        for task in &row.task_states {
            match task {
                None => entry.null = Some(row.status.clone()),
                Some(task) => {
                    entry.tasks.insert(task.clone(), row.status.clone());
                }
            }
        }
    }
    table
}

/// Converts a serde_json error into [`LoadProfileError::Parse`], dropping serde's own
/// " at line L column C" suffix so the position is not printed twice.
fn parse_error(file: &str, error: &serde_json::Error) -> LoadProfileError {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
    LoadProfileError::Parse {
        file: file.to_owned(),
        line: error.line(),
        column: error.column(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = r#"{
  "format_version": 1, "name": "tiny", "title": "t", "source": {"document": "d"},
  "fallback": "vm_state_default",
  "statuses": [{"name": "ON"}, {"name": "BUSY"}, {"name": "UNKNOWN"}],
  "vm_states": [{"name": "on", "default_status": "ON"}],
  "task_states": [{"name": "work"}],
  "rows": [{"vm_state": "on", "task_states": ["work"], "status": "BUSY", "source": "s"}]
}"#;

    #[test]
    fn listed_pair_wins_over_the_fallback() {
        let profile = Profile::from_slice("tiny.json", TINY.as_bytes()).unwrap();
        assert_eq!(profile.expected_status(Some("on"), Some("work")), "BUSY");
        assert!(profile.lists(Some("on"), Some("work")));
    }

    #[test]
    fn vm_state_default_applies_to_null_unlisted_and_wrong_case_tasks() {
        let profile = Profile::from_slice("tiny.json", TINY.as_bytes()).unwrap();
        for task in [None, Some("other"), Some("WORK"), Some("")] {
            assert_eq!(profile.expected_status(Some("on"), task), "ON", "{task:?}");
            assert!(!profile.lists(Some("on"), task));
        }
    }

    #[test]
    fn unknown_or_null_vm_state_derives_unknown_under_every_fallback() {
        let nova_like = Profile::from_slice("tiny.json", TINY.as_bytes()).unwrap();
        let strict_text = TINY
            .replace("\"vm_state_default\"", "\"unknown\"")
            .replace(", \"default_status\": \"ON\"", "");
        let strict = Profile::from_slice("strict.json", strict_text.as_bytes()).unwrap();
        for profile in [&nova_like, &strict] {
            assert_eq!(profile.expected_status(None, None), "UNKNOWN");
            assert_eq!(profile.expected_status(Some("ON"), None), "UNKNOWN");
            assert_eq!(profile.expected_status(None, Some("work")), "UNKNOWN");
        }
        assert_eq!(strict.expected_status(Some("on"), None), "UNKNOWN");
    }

    #[test]
    fn parse_error_carries_position_once() {
        let error = Profile::from_slice("x.json", b"{\n  \"name\": }").unwrap_err();
        assert_eq!(
            error.to_string(),
            "failed to parse profile x.json at line 2, column 11: expected value"
        );
    }

    #[test]
    fn check_error_lists_every_problem_in_the_message() {
        let text = TINY.replace("\"BUSY\", \"source\"", "\"IDLE\", \"source\"");
        let error = Profile::from_slice("t.json", text.as_bytes()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "failed to check profile t.json: t.json:7:66: rows[0].status: status \"IDLE\" is not declared in statuses"
        );
    }

    #[test]
    fn digest_is_sha256_of_the_exact_bytes() {
        let profile = Profile::from_slice("tiny.json", TINY.as_bytes()).unwrap();
        let spaced = format!("{TINY} ");
        let other = Profile::from_slice("tiny.json", spaced.as_bytes()).unwrap();
        assert_eq!(profile.digest().len(), 7 + 64);
        assert_ne!(profile.digest(), other.digest());
    }
}
