//! Talking to OpenStack: configuration, Keystone auth, the service catalog and a small Nova
//! client. Every HTTP request the harness sends to a compute API goes through here, whether the
//! other end is a real cloud (observe and lifecycle [`modes`](crate::modes)) or the fake server
//! behind a control-plane target ([`ControlPlane`](crate::target::ControlPlane), which adds only
//! the fake's `/_fake/` calls).
//!
//! [`load_cloud`] resolves a [`CloudConfig`] the way openstacksdk and `openstack` do
//! (`clouds.yaml` + `secure.yaml`, `OS_*` variables, or `--target` + token; see [`config`]);
//! [`CloudSession::connect`] authenticates against Keystone v3 and picks the compute endpoint;
//! [`ComputeClient::connect`] negotiates a microversion, reads servers ([`Server`], or page by page as
//! [`ListedServer`]s with [`ComputeClient::walk_servers`]) with pagination, retries and an optional rate limit, and sends actions. Secrets are [`Secret`]s,
//! which never print; [`redact_url`] makes URLs safe for reports. Every HTTP client comes from
//! [`http_client`].

mod auth;
mod catalog;
mod compute;
mod compute_error;
pub mod config;
mod listing;
mod microversion;
mod retry;
mod secret;
mod server;
mod tls;

pub use auth::{
    AuthenticateError, CloudSession, SessionOptions, Token, authenticate, token_request_body,
};
pub(crate) use catalog::select_endpoint;
pub use catalog::{CatalogEndpoint, CatalogService};
pub use compute::{ComputeClient, ComputeOptions};
pub use compute_error::ComputeError;
pub use config::{
    AppCredentialRef, AuthConfig, CloudConfig, CloudRequest, ConfigSources, DomainRef, Interface,
    LoadCloudConfigError, Scope, UserRef, load_cloud,
};
pub use listing::{ListedServer, Text, server_json};
pub use microversion::{Microversion, ParseMicroversionError, VersionInfo};
pub use retry::RetryPolicy;
pub use secret::{Secret, redact_url};
pub use server::Server;
pub use tls::{BuildHttpClientError, TlsOptions, http_client};
