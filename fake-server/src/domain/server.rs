//! A server record and its in-progress walk through task states.

use std::fmt;

use super::state::{TaskState, VmState};

/// A server id (a UUID-shaped string).
///
/// ```
/// use fake_server::domain::ServerId;
/// let id = ServerId::new("8a1c5b7e-0000-4000-8000-000000000001");
/// assert_eq!(id.as_str(), "8a1c5b7e-0000-4000-8000-000000000001");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServerId(String);

impl ServerId {
    /// Wraps a string.
    pub fn new(id: impl Into<String>) -> Self {
        ServerId(id.into())
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An instance fault (shown by Nova only when the status is ERROR or DELETED).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// HTTP-like code (500 for compute failures).
    pub code: u16,
    /// One-line message.
    pub message: String,
    /// Details (hidden from non-admins when `code` is 500).
    pub details: String,
    /// When it happened (Unix seconds).
    pub created_unix: i64,
}

/// One state a server passes through during a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    /// The vm_state during the phase.
    pub vm_state: Option<VmState>,
    /// The task_state during the phase.
    pub task_state: Option<TaskState>,
}

/// How a walk ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Settle in a vm_state with no task and the given power state.
    Settle {
        /// Final vm_state.
        vm_state: VmState,
        /// Final power state.
        power_state: i64,
    },
    /// Leave the vm_state and power state as they were before the walk.
    Unchanged,
    /// The server is destroyed (GET gives 404).
    Remove,
    /// The server becomes `soft-delete` and is reclaimed after the reclaim interval.
    SoftDelete,
}

/// A timed sequence of phases: phase `k` is shown from `started_ms + k * step_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walk {
    /// Phases in order (may be empty: the ending applies at once).
    pub phases: Vec<Phase>,
    /// The ending, applied after the last phase.
    pub ending: Ending,
    /// Clock time the walk started.
    pub started_ms: u64,
    /// The flavor the server has once the walk ends (resize, revert), if it changes.
    pub flavor_after: Option<String>,
}

/// One step of a scripted timeline (see [`Timeline`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Serve this pair (and status, when given) to the next `polls` polls.
    State {
        /// The vm_state served.
        vm_state: Option<VmState>,
        /// The task_state served.
        task_state: Option<TaskState>,
        /// A status to report instead of the derived one.
        status: Option<String>,
        /// How many polls see this step (at least 1).
        polls: u32,
    },
    /// The server is gone: 404 from this poll on.
    Gone,
}

/// A scripted sequence of states that advances per *poll* (a GET of the server by a
/// non-admin caller), not per clock tick, so a waiter sees the same sequence at any polling
/// interval. The last step is served forever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// The steps, in order (never empty).
    pub steps: Vec<Step>,
    /// The step the next poll sees.
    pub index: usize,
    /// Polls already served from that step.
    pub served: u32,
}

impl Timeline {
    /// A timeline at its first step; `None` when `steps` is empty.
    pub fn new(steps: Vec<Step>) -> Option<Self> {
        (!steps.is_empty()).then_some(Timeline {
            steps,
            index: 0,
            served: 0,
        })
    }

    /// The step the next poll sees.
    pub fn current(&self) -> &Step {
        &self.steps[self.index.min(self.steps.len() - 1)]
    }

    /// Counts one poll of the current step and moves on when its polls are used up.
    fn count_poll(&mut self) {
        let polls = match self.current() {
            Step::State { polls, .. } => (*polls).max(1),
            Step::Gone => return,
        };
        self.served += 1;
        if self.served >= polls && self.index + 1 < self.steps.len() {
            self.index += 1;
            self.served = 0;
        }
    }
}

/// A server: its states plus the few attributes Nova bodies need.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// Id.
    pub id: ServerId,
    /// Name.
    pub name: String,
    /// Owning project.
    pub project_id: String,
    /// Owning user id.
    pub user_id: String,
    /// `OS-EXT-STS:vm_state`.
    pub vm_state: Option<VmState>,
    /// `OS-EXT-STS:task_state`.
    pub task_state: Option<TaskState>,
    /// `OS-EXT-STS:power_state` (any integer may be seeded).
    pub power_state: Option<i64>,
    /// Whether the server is locked.
    pub locked: bool,
    /// Why it is locked (2.73).
    pub locked_reason: Option<String>,
    /// Flavor id.
    pub flavor_id: String,
    /// Image id (`None` for a volume-backed server).
    pub image_id: Option<String>,
    /// Free-form description (2.19).
    pub description: Option<String>,
    /// Metadata key/values.
    pub metadata: Vec<(String, String)>,
    /// Creation time (Unix seconds).
    pub created_unix: i64,
    /// Last update (Unix seconds).
    pub updated_unix: i64,
    /// The instance fault, if any.
    pub fault: Option<Fault>,
    /// The walk in progress, if any.
    pub walk: Option<Walk>,
    /// The vm_state before a resize (restored by confirm/revert).
    pub resize_from: Option<VmState>,
    /// Clock time at which a soft-deleted server is reclaimed.
    pub reclaim_at_ms: Option<u64>,
    /// Insertion order (listing order is newest first).
    pub seq: u64,
    /// A status reported instead of the derived one (any string, even empty).
    pub status_override: Option<String>,
    /// A scripted timeline advancing per poll.
    pub timeline: Option<Timeline>,
    /// `accessIPv4` (`None`: shown as `""`).
    pub access_ipv4: Option<String>,
    /// `accessIPv6` (`None`: shown as `""`).
    pub access_ipv6: Option<String>,
    /// Security group names on the server's ports (none without a network).
    pub security_groups: Vec<String>,
    /// Whether the server has network ports (`networks: "none"` gives none).
    pub networked: bool,
    /// The flavor before an unconfirmed resize (what a revert goes back to).
    pub old_flavor: Option<String>,
    /// When it was destroyed (Unix seconds); set on tombstones only.
    pub terminated_unix: Option<i64>,
}

/// Whether a walk step changed a server (or destroyed it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advance {
    /// Nothing to do, or the server changed but lives on.
    Alive,
    /// The server is gone.
    Removed,
}

impl Server {
    /// Shows the timeline's current step (if it is a state); `false` when that step is
    /// [`Step::Gone`].
    pub fn show_step(&mut self) -> bool {
        let Some(timeline) = &self.timeline else {
            return true;
        };
        match timeline.current().clone() {
            Step::State {
                vm_state,
                task_state,
                status,
                ..
            } => {
                self.vm_state = vm_state;
                self.task_state = task_state;
                self.status_override = status;
                true
            }
            Step::Gone => false,
        }
    }

    /// One poll: shows the current step and counts it. `false` when the server is gone.
    pub fn poll(&mut self) -> bool {
        let alive = self.show_step();
        if let Some(t) = &mut self.timeline {
            t.count_poll();
        }
        alive
    }

    /// Applies the walk and reclaim timer up to clock time `now_ms`.
    ///
    /// `step_ms` is how long each phase lasts; `reclaim_ms` is the soft-delete reclaim interval.
    pub fn advance(&mut self, now_ms: u64, step_ms: u64, reclaim_ms: Option<u64>) -> Advance {
        if let Some(walk) = &self.walk {
            let step = step_ms.max(1);
            let k = usize::try_from(now_ms.saturating_sub(walk.started_ms) / step)
                .unwrap_or(usize::MAX);
            if let Some(phase) = walk.phases.get(k) {
                let phase = phase.clone();
                self.vm_state = phase.vm_state;
                self.task_state = phase.task_state;
            } else {
                let ending = walk.ending.clone();
                if let Some(flavor) = walk.flavor_after.clone() {
                    self.flavor_id = flavor;
                }
                let ended_ms = walk
                    .started_ms
                    .saturating_add(step.saturating_mul(walk.phases.len() as u64));
                self.walk = None;
                self.task_state = None;
                match ending {
                    Ending::Settle {
                        vm_state,
                        power_state,
                    } => {
                        self.vm_state = Some(vm_state);
                        self.power_state = Some(power_state);
                    }
                    Ending::Unchanged => {}
                    Ending::Remove => return Advance::Removed,
                    Ending::SoftDelete => {
                        self.vm_state = Some(VmState::SoftDelete);
                        self.power_state = Some(super::state::power::SHUTDOWN);
                        self.reclaim_at_ms = reclaim_ms.map(|r| ended_ms.saturating_add(r));
                    }
                }
            }
        }
        if self.walk.is_none() && self.reclaim_at_ms.is_some_and(|at| now_ms >= at) {
            return Advance::Removed;
        }
        Advance::Alive
    }

    /// Whether the server still has a timer running (a walk or a pending reclaim).
    pub fn is_moving(&self) -> bool {
        self.walk.is_some() || self.reclaim_at_ms.is_some()
    }

    /// Walk progress in percent (0 when idle).
    pub fn progress(&self, now_ms: u64, step_ms: u64) -> u8 {
        match &self.walk {
            Some(w) if !w.phases.is_empty() => {
                let done = now_ms.saturating_sub(w.started_ms) / step_ms.max(1);
                let pct = (done.min(w.phases.len() as u64) * 100) / w.phases.len() as u64;
                u8::try_from(pct).unwrap_or(100)
            }
            _ => 0,
        }
    }
}
