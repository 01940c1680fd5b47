//! Clap definitions and dispatch for the `harness` binary: `app.rs` holds the top-level parser
//! and `--help` text, each other file one subcommand (`run.rs` the default one; `cloud.rs` the
//! flags of runs against real clouds).

mod adapter;
mod app;
mod cases;
mod certify;
mod cleanup;
mod cloud;
mod compare;
mod matrix;
mod run;
mod verify;

pub(crate) use app::{fail, main};
