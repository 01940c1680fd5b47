//! The API layer: Keystone, Nova, ECS-native and control-plane handling.
//!
//! A plain [`ApiRequest`] goes in and a plain [`ApiResponse`] comes out (with edge directives:
//! a delay, or dropping the connection), so both HTTP edges share every rule. The main type is
//! [`Api`].

mod control;
mod core;
mod decode;
pub(crate) mod ecs;
mod error;
mod faults;
mod http;
pub(crate) mod identity;
mod images;
mod journal;
mod json;
pub mod nova;
mod render;
mod schema;

pub use core::{Api, ApiConfig};
pub use http::{ApiRequest, ApiResponse, MAX_BODY_BYTES};
pub use identity::{UserEntry, UsersFile};
pub use journal::DEFAULT_JOURNAL_CAPACITY;
