//! What a lifecycle step saw and how it ended.

use super::plan::{Settle, Step};
use crate::client::Server;
use std::time::Duration;

/// One (vm_state, task_state, status) seen while polling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triple {
    /// `OS-EXT-STS:vm_state`.
    pub vm_state: Option<String>,
    /// `OS-EXT-STS:task_state`.
    pub task_state: Option<String>,
    /// `status`.
    pub status: String,
}

impl Triple {
    /// A triple as a test writes it: `vm`, `task` (`None` for null) and `status`.
    #[cfg(test)]
    pub(crate) fn seen(vm: &str, task: Option<&str>, status: &str) -> Triple {
        Triple {
            vm_state: Some(vm.to_owned()),
            task_state: task.map(str::to_owned),
            status: status.to_owned(),
        }
    }

    pub(super) fn of(server: &Server) -> Triple {
        Triple {
            vm_state: server.vm_state().map(str::to_owned),
            task_state: server.task_state().map(str::to_owned),
            status: server.status().unwrap_or("(none)").to_owned(),
        }
    }

    /// `vm/task STATUS`, for details.
    pub fn label(&self) -> String {
        format!(
            "{}/{} {}",
            self.vm_state.as_deref().unwrap_or("null"),
            self.task_state.as_deref().unwrap_or("null"),
            self.status
        )
    }
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq)]
pub enum StepOutcome {
    /// The server settled (task null) in this state; `json` is its body.
    Settled {
        /// The settled state.
        at: Triple,
        /// The server JSON.
        json: String,
    },
    /// The server is gone (404).
    Gone,
    /// The cloud refused the request (4xx): its message.
    Refused(String),
    /// Not attempted, and why.
    NotRun(String),
    /// No settled state before the deadline.
    TimedOut {
        /// The last state seen.
        last: Option<Triple>,
        /// The deadline.
        after: Duration,
    },
    /// Something broke (transport, 5xx, a vanished server).
    Failed(String),
}

/// A step and what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    /// The server's program name.
    pub program: &'static str,
    /// The step.
    pub step: Step,
    /// How it ended.
    pub outcome: StepOutcome,
    /// Every state seen while it ran, consecutive repeats dropped.
    pub seen: Vec<Triple>,
    /// Time spent.
    pub duration: Duration,
}

impl StepRecord {
    /// Whether the step ended as its [`Settle`] says.
    pub fn settled_as_expected(&self) -> bool {
        match (&self.outcome, self.step.settle) {
            (StepOutcome::Settled { at, .. }, Settle::Vm(states)) => {
                at.vm_state.as_deref().is_some_and(|v| states.contains(&v))
            }
            (StepOutcome::Settled { at, .. }, Settle::Deleted) => {
                at.vm_state.as_deref() == Some("soft-delete")
            }
            (StepOutcome::Gone, Settle::Deleted | Settle::Gone) => true,
            _ => false,
        }
    }

    pub(super) fn settled_vm(&self) -> Option<&str> {
        match &self.outcome {
            StepOutcome::Settled { at, .. } => at.vm_state.as_deref(),
            _ => None,
        }
    }
}
