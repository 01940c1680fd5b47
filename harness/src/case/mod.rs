//! Profiles and the cases enumerated from them.
//!
//! A profile (`cases/profiles/<name>.json`) is a status-derivation table: vm_state + task_state →
//! status, with its vocabulary and a fallback rule for unlisted pairs. This module loads profiles
//! (from a path or the embedded built-ins), checks them (`harness cases check`), enumerates their
//! cases deterministically, compares two of them (`harness cases diff`) and renders the
//! `cases/generated/<name>.json` files. It knows nothing of HTTP.
//!
//! The main types are [`Profile`] and [`Case`].
//!
//! # Examples
//!
//! ```
//! use harness::case::{Group, builtin_profile};
//!
//! // Arrange
//! let profile = builtin_profile("ecs-openstack")?;
//!
//! // Act
//! let counts = profile.counts();
//!
//! // Assert
//! assert_eq!((counts.valid, counts.invalid, counts.probe), (50, 298, 40));
//! # Ok::<(), harness::case::LoadProfileError>(())
//! ```

mod builtin;
mod check;
mod check_error;
mod diff;
mod document;
mod enumerate;
mod generated;
mod locate;
mod model;
mod profile;
mod scenario;

pub use builtin::{
    BUILTIN_NAMES, DEFAULT_PROFILE, builtin_profile, builtin_profiles, resolve_profiles,
};
pub use check_error::CheckProfileError;
pub use diff::{Difference, diff};
pub use document::{
    Declaration, Description, FORMAT_VERSION, Fallback, ProfileDocument, Row, SourceRef, UNKNOWN,
};
pub use enumerate::{GroupCounts, PROBE_TASK_STATES, PROBE_VM_STATES};
pub use generated::{
    GENERATE_COMMAND, GENERATED_FORMAT_VERSION, generated_file_name, generated_json,
};
pub use locate::{Position, locate};
pub use model::{Case, CaseId, Group, state_label};
pub use profile::{LoadProfileError, Profile};
pub use scenario::{
    Expectation, ListServer, Reproduces, SCENARIO_FORMAT_VERSION, Scenario, ScenarioError,
    ScenarioKind, Step, WaitTarget, builtin_scenarios,
};
