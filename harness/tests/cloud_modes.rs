//! Observe and lifecycle mode end to end: the harness binary against the project's fake
//! cloud (in-process, without its control plane unless a test needs the journal or faults),
//! authenticating through Keystone with a clouds.yaml fixture.

#[path = "cloud_modes/auth.rs"]
mod auth;
#[path = "cloud_modes/cleanup.rs"]
mod cleanup;
#[path = "cloud_modes/faults.rs"]
mod faults;
#[path = "cloud_modes/lifecycle.rs"]
mod lifecycle;
#[path = "cloud_modes/observe.rs"]
mod observe;
#[path = "cloud_modes/secrets.rs"]
mod secrets;
#[path = "cloud_modes/support.rs"]
mod support;
