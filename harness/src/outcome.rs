//! What a target showed for a case, and the verdict on it.

use crate::case::Case;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What a target returned for one case, before it is compared with the expectation.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// The target showed a server (or an adapter answered a status).
    Seen(Seen),
    /// The target declined the case (an adapter's `skipped`, a cloud that refused a step).
    Skipped {
        /// Why, in the target's words.
        reason: String,
    },
    /// Nothing trustworthy was observed: transport error, timeout, 5xx, malformed body, adapter
    /// crash or protocol violation.
    Errored {
        /// One line saying what went wrong.
        message: String,
        /// Anything useful to debug it (adapter stderr, response body).
        detail: Option<String>,
    },
}

/// A status observed for a case, with the states the target echoed.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    /// The `status` shown.
    pub status: String,
    /// The vm_state echoed, when the target reports one (`Some(None)` = JSON null).
    pub vm_state: Option<Option<String>>,
    /// The task_state echoed, when the target reports one (`Some(None)` = JSON null).
    pub task_state: Option<Option<String>>,
    /// Other views of the same server that must agree (e.g. `/servers/detail` next to
    /// `/servers/{id}`): a label and the status seen there.
    pub other_views: Vec<(String, String)>,
    /// The server JSON seen, for failure reports.
    pub server_json: Option<String>,
}

/// The verdict on one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Observed status and echoed states match.
    Pass,
    /// The target showed something else: a conformance failure.
    Fail,
    /// Nothing trustworthy was observed.
    Error,
    /// Not run or declined.
    Skip,
}

impl Outcome {
    /// `pass`, `fail`, `error` or `skip`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
            Outcome::Skip => "skip",
        }
    }
}

/// A case, what was seen, and the verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    /// The case.
    pub case: Case,
    /// The verdict.
    pub outcome: Outcome,
    /// The status observed, if any.
    pub observed: Option<String>,
    /// One line explaining a non-pass (expected vs observed, error message, skip reason).
    pub detail: Option<String>,
    /// The server JSON (or adapter stderr) for the report's failure text.
    pub evidence: Option<String>,
    /// Wall time spent on the case (its share of a batch for batched targets).
    pub duration: Duration,
    /// True when every view of the target showed the observed status and every echoed state
    /// equals the injected one (false when nothing was observed). Compatibility with another
    /// profile rests on it: a target whose views disagree conforms to no table.
    pub views_agree: bool,
}
