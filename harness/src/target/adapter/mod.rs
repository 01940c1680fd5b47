//! SDK adapters: a subprocess speaking the JSON-lines protocol of `adapters/PROTOCOL.md`.
//!
//! The main type is [`AdapterTarget`]: start it with a command, ask it for one case at a time
//! with [`AdapterTarget::run`], stop it. Crashes, hangs and protocol violations during a case
//! become [`Observation::Errored`](crate::outcome::Observation) outcomes and the adapter is
//! restarted; failures around the cases (spawn, handshake, stop) are [`TargetError`]s named
//! after the protocol step. [`check`] is `harness adapter check`.

mod check;
mod error;
mod process;
mod protocol;
mod target;

pub use check::{CheckLine, CheckReport, SAMPLE_CASES, check};
pub use error::TargetError;
pub use protocol::{Capability, FetchInfo, PROTOCOL_VERSION};
pub use target::{AdapterOptions, AdapterTarget};
