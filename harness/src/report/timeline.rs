//! [`WaitTimeline`]: what the fake served to an SDK waiter, poll by poll, and where it returned
//! (for `results.json` and the picture in `index.html`).

use serde::{Deserialize, Serialize};

/// One GET of the waited-on server, as the fake's journal recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Poll {
    /// The status served (`None` for a 404).
    pub status: Option<String>,
    /// The vm_state served.
    #[serde(default)]
    pub vm_state: Option<String>,
    /// The task_state served.
    #[serde(default)]
    pub task_state: Option<String>,
    /// The server was gone (404).
    #[serde(default)]
    pub gone: bool,
}

impl Poll {
    /// `ERROR`, `ACTIVE (powering-off)`, or `404`.
    pub fn label(&self) -> String {
        if self.gone {
            return "404".to_owned();
        }
        let status = self.status.as_deref().unwrap_or("?");
        match &self.task_state {
            Some(task) => format!("{status} ({task})"),
            None => status.to_owned(),
        }
    }
}

/// The polls of one wait case, and how the waiter ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitTimeline {
    /// The case id (`<profile>/wait/<scenario>`).
    pub case: String,
    /// Every poll, in order; the waiter returned after the last one.
    pub polls: Vec<Poll>,
    /// How the waiter ended (`reached`, `failed`, `gone`, `timeout`), if it answered.
    pub outcome: Option<String>,
    /// The poll (1-based) from which the timeline's last step is served.
    pub last_step_from_poll: usize,
}
