//! Where observations come from.
//!
//! A target is named on the command line with `--target`:
//!
//! * `fake` (the default): the fake server, embedded in-process, one instance per profile so that
//!   each profile's cases meet a fake that derives status the same way.
//! * `http://…` / `https://…`: a URL. When it offers the fake's control plane (`GET /_fake/`)
//!   every case is injected and read back; otherwise it is a cloud, handled by observe mode.
//! * `adapter:CMD`: an SDK adapter subprocess speaking the JSON-lines protocol of
//!   `adapters/PROTOCOL.md`.
//!
//! The main types are [`TargetSpec`] and [`ControlPlane`].

pub mod adapter;
mod control;
mod spec;

pub use control::{
    BulkSeeded, ControlPlane, ControlPlaneError, ControlPlaneOptions, FakeInfo, SeededServer,
};
pub use spec::{ParseTargetError, TargetSpec};
