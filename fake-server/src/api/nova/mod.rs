//! Nova v2.1: version documents, servers, flavors and actions.
//!
//! The main entry is `handle`, which checks the token, negotiates the microversion and
//! dispatches; every compute response carries the negotiated microversion headers.

mod actions;
mod cache;
mod flavors;
mod listing;
mod microversion;
mod requests;
mod route;
mod schemas;
mod servers;
mod sorting;
mod view;
mod view_parts;
#[cfg(test)]
mod view_tests;

pub(crate) use cache::RenderCache;
pub use microversion::{MAX_MINOR, Microversion};
pub(crate) use route::handle;
pub(crate) use servers::served;

/// The image every seeded server reports (there is no image service).
pub const DEFAULT_IMAGE: &str = "7a1c3c7e-6c0b-4d6f-9d0e-2f6f1f3b9a01";
