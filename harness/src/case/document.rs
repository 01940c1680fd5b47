//! The profile file as written on disk (`cases/profiles/<name>.json`, format version 1).
//!
//! These types mirror `cases/schema/profile.schema.json` field for field. Unknown fields are
//! rejected so that a typo such as `"task_state"` for `"task_states"` is an error with a line and
//! column instead of a silently empty row.

use serde::{Deserialize, Serialize};

/// The only profile format version this harness reads.
pub const FORMAT_VERSION: u32 = 1;

/// The status every profile's fallback rule can produce.
pub const UNKNOWN: &str = "UNKNOWN";

/// A whole profile file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileDocument {
    /// Editor hint pointing at the schema; ignored by the harness.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Must be [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Short name used in case ids (`ecs`, `ecs-openstack`, `nova`).
    pub name: String,
    /// One-line human title.
    pub title: String,
    /// Which document and version the profile encodes.
    pub source: SourceRef,
    /// Free-form remarks on the transcription.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The rule for pairs no row lists.
    pub fallback: Fallback,
    /// Every status the profile knows, in the source's order.
    pub statuses: Vec<Declaration>,
    /// Every vm_state the profile knows, in the source's order.
    pub vm_states: Vec<Declaration>,
    /// Every task_state the profile knows (null is implicit), in the source's order.
    pub task_states: Vec<Declaration>,
    /// The status table.
    pub rows: Vec<Row>,
}

/// Where a profile comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    /// The document's title.
    pub document: String,
    /// Its version, revision or commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The seed file(s) the profile was transcribed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    /// Where to read the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The rule for a (vm_state, task_state) pair that no row lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// Any unlisted pair is `UNKNOWN` (Huawei's note under Table 4).
    Unknown,
    /// Nova's rule: a known vm_state gives its `default_status`; an unknown or null vm_state gives
    /// `UNKNOWN`.
    VmStateDefault,
}

impl Fallback {
    /// The spelling used in profile files.
    pub fn as_str(self) -> &'static str {
        match self {
            Fallback::Unknown => "unknown",
            Fallback::VmStateDefault => "vm_state_default",
        }
    }
}

/// One declared status, vm_state or task_state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    /// The exact wire string (case-sensitive).
    pub name: String,
    /// The source's description, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Description>,
    /// Only on vm_states, only with [`Fallback::VmStateDefault`]: the status of this vm_state with
    /// a null or unlisted task_state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_status: Option<String>,
}

/// A description in Chinese and/or English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// Chinese text, as in the Huawei document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
    /// English text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

/// One row of the table: a vm_state, some task_states (None = no task) and their status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// The vm_state of every pair in the row.
    pub vm_state: String,
    /// The task_states; `None` is JSON null, "no task".
    pub task_states: Vec<Option<String>>,
    /// The status every pair of the row gives.
    pub status: String,
    /// Where in the source the row comes from (table and row, or file and entry).
    pub source: String,
}
