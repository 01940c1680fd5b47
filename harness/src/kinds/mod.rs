//! What the harness asks an SDK adapter, blind, and how the answers are judged (protocol v2:
//! `derive`, `fetch` with proof and challenges, `surface`, `list`, `wait`).
//!
//! [`RunPlan`] holds the run's seed and everything drawn from it (opaque ids, the shuffled
//! derive questions, the challenge statuses); [`AdapterSession`] asks the questions and records
//! results through a [`Sink`]; the verdicts themselves are [`crate::judge::kinds`]'s.

mod cases;
mod plan;
mod session;

pub use crate::judge::kinds::{Fetched, NOT_FETCHED, proves_fetch, token_fingerprint};
pub use cases::{capability_cases, scenario_cases, served_path, surface_cases, surface_pair};
pub use plan::{Pair, RunPlan};
pub use session::{AdapterSession, Sink, WAIT_INTERVAL_S};
