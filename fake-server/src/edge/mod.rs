//! The two thin HTTP edges over the same [`Api`](crate::api::Api).
//!
//! * `wiremock`: mounts the fake on a `wiremock::MockServer` (embedded use, Rust tests).
//!   wiremock keeps a clone of every request a mock matches until `reset()`, which is harmless
//!   for short runs and fatal for long ones.
//! * `hyper`: a plain accept loop with no retention, for the standalone binary and load.

pub(crate) mod hyper;
pub(crate) mod wiremock;
