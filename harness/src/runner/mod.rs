//! Runs cases against a target and collects a [`RunReport`](crate::report::RunReport).
//!
//! The main type is [`Runner`]: build it from [`RunOptions`], call [`Runner::execute`] with a
//! callback that receives [`RunEvent`]s (the terminal progress bar is one such consumer), and
//! hand the report it returns to the writers in [`report`](crate::report).

mod filter;
mod imp;
mod progress;
mod read;

pub use filter::{CaseFilter, FilterError};
pub use imp::{RunError, RunEvent, RunOptions, Runner};
