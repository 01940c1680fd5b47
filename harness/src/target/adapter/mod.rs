//! SDK adapters: a subprocess speaking the JSON-lines protocol of `adapters/PROTOCOL.md`
//! (version 2; version 1 adapters are still accepted for derive and fetch).
//!
//! The main type is [`AdapterTarget`]: start it with a command, ask it one [`Question`] at a
//! time with [`AdapterTarget::ask`], stop it. Crashes, hangs and protocol violations during a
//! question become [`Broken`] replies and the adapter is restarted; failures around the
//! questions (spawn, handshake, stop) are [`TargetError`]s named after the protocol step.
//! [`check`] is `harness adapter check`.

mod check;
mod error;
mod model;
mod process;
mod protocol;
mod question;
mod target;

pub use check::{CheckLine, CheckReport, SAMPLE_CASES, check};
pub use error::TargetError;
pub use model::{ModelKind, RAISES, StatusModel};
pub use protocol::{
    Answer, Capability, FetchInfo, ListedServer, PROTOCOL_V1, PROTOCOL_VERSION, WaitAnswer,
    WaitOutcome, WaitSpec, WaitUntil,
};
pub use question::Question;
pub use target::{AdapterOptions, AdapterTarget, Broken, observation};
