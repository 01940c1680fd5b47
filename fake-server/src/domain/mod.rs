//! The fake cloud's domain: servers, states, clock, lifecycle and status derivation.
//!
//! Plain synchronous Rust with no HTTP, async runtime or JSON values, so that the rules can be
//! read and tested on their own. The main types are [`Cloud`] (every server plus the clock) and
//! [`Deriver`] (a profile plus deviations: `(vm_state, task_state)` → `status`).

mod clock;
mod cloud;
mod filter;
mod index;
mod lifecycle;
mod server;
mod state;
mod status;

pub use clock::{AdvanceClockError, Clock};
pub(crate) use cloud::IdGenerator;
pub use cloud::{Cloud, Narrowing, NewServer, Timing};
pub use filter::StatusFilter;
pub use lifecycle::{Action, StateAttr, TransitionError, create_walk, plan_action};
pub use server::{Advance, Ending, Fault, Phase, Server, ServerId, Step, Timeline, Walk};
pub use state::{Status, TaskState, VmState, power};
pub use status::{
    Deriver, Deviation, ParseDeviationError, ParseProfileError, Profile, derive_status, ecs_row,
    nova_default, nova_override, nova_status,
};
