//! A fake OpenStack Nova / Huawei ECS compute API, for conformance tests of server status.
//!
//! It serves Keystone v3 (`/identity/v3`), Nova v2.1 (`/compute/v2.1`, microversions 2.1–2.96),
//! Huawei ECS native (`/v1/{project_id}/cloudservers`) and a `/_fake/` control plane that seeds
//! servers in any `(vm_state, task_state)` pair. Status is derived per built-in [`Profile`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use fake_server::{FakeServer, Profile};
//! // Arrange
//! let fake = FakeServer::builder()
//!     .profile(Profile::EcsOpenstack)
//!     .deviation(Some("active"), Some("resize_prep"), "RESIZE")
//!     .start()
//!     .await
//!     .unwrap();
//! // Act
//! let control = format!("{}/_fake/", fake.uri());
//! // Assert
//! assert!(control.starts_with("http://127.0.0.1:"));
//! # }
//! ```
//!
//! Layers: [`domain`] (plain Rust rules) ← [`api`] (plain request → response) ← two HTTP
//! edges (wiremock, embedded; hyper, standalone).
#![warn(missing_docs)]

pub mod api;
pub mod banner;
pub mod domain;
mod edge;
mod facade;

pub use domain::{Deviation, ParseDeviationError, ParseProfileError, Profile};
pub use facade::{Engine, FakeServer, FakeServerBuilder, FakeServerStartError, ParseEngineError};
