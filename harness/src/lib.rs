//! Conformance harness for cloud-server status derivation.
//!
//! The harness reads status-derivation profiles (`cases/profiles/*.json`), enumerates every case
//! from them ([`case`]), runs the cases against a target ([`target`], [`runner`]), decides every
//! verdict in one place ([`judge`]) and writes reports ([`report`]). The flow is the one of
//! cargo-nextest: list, run, report. Against a real cloud, [`modes`] reads (observe) or drives
//! (lifecycle) servers instead of injecting them; every request to an OpenStack API goes through
//! [`client`].
#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod case;
pub mod certify;
pub mod client;
pub mod compare;
pub mod exit_code;
pub mod judge;
pub mod kinds;
pub mod matrix;
pub mod modes;
pub mod outcome;
pub mod report;
pub mod runner;
pub mod target;
mod yaml;

/// The harness version, as written into every report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The README's Rust examples, compiled and run as doctests so that they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
