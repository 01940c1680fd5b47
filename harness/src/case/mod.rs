//! Profiles and the cases enumerated from them.
//!
//! The main types are [`Profile`] and [`Case`].

mod model;

pub use model::{Case, CaseId, Group, state_label};
