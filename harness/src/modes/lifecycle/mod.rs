//! Lifecycle mode: scratch servers driven through Nova's actions, every state seen judged.
//!
//! [`run_lifecycle`] picks resources ([`pick_resources`]), runs the [`PROGRAMS`] concurrently
//! (one tagged server each, polled every `poll`), and always ends with [`cleanup_tagged`] for the
//! run, also when interrupted. [`judge_step`] turns each [`StepRecord`] into a case.

mod cleanup;
mod driver;
mod pick;
mod plan;
mod record;
mod run;

pub use cleanup::{CleanupReport, cleanup_tagged, tag_of};
pub use driver::TAG_KEY;
pub use pick::{PickError, ResourceChoice, Resources, pick_resources};
pub use plan::{PROGRAMS, Program, Request, Settle, Step};
pub use record::{StepOutcome, StepRecord, Triple};

pub use run::{LifecycleOptions, LifecycleRun, new_run_id, run_lifecycle};
