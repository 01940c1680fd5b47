//! Runs cases against a target and collects a [`RunReport`](crate::report::RunReport), in
//! cargo-nextest's shape: list, run, events, report.
//!
//! * list: [`Selection`] (`select.rs`, with [`CaseFilter`] for `--filter` in `filter.rs`);
//! * run: per target, `control.rs` (seed, list and read back on a fake's control plane) or
//!   `adapter.rs` (ask an SDK adapter), every observation judged by [`judge`](crate::judge);
//! * events: [`RunEvent`]s to the caller's callback, the `--max-fail` tally (`events.rs`);
//! * report: [`RunReport::new`](crate::report::RunReport::new), the constructor cloud runs
//!   share.
//!
//! The entry point is [`Runner`] (`execute.rs`): build it from [`RunOptions`], call
//! [`Runner::execute`], and hand the report it returns to the writers in
//! [`report`](crate::report).

mod adapter;
mod control;
mod events;
mod execute;
mod filter;
mod select;

pub use events::RunEvent;
pub use execute::{RunError, RunOptions, Runner};
pub use filter::{CaseFilter, FilterError};
pub use select::Selection;
