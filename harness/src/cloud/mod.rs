//! Real clouds: OpenStack configuration, Keystone auth and a small Nova client.
//!
//! [`load_cloud`] resolves a [`CloudConfig`] the way openstacksdk and `openstack` do
//! (`clouds.yaml` + `secure.yaml`, `OS_*` variables, or `--target` + token);
//! [`CloudSession::connect`] authenticates against Keystone v3 and picks the compute endpoint;
//! [`ComputeClient::connect`] negotiates a microversion and reads servers. Secrets are
//! [`Secret`]s, which never print; [`redact_url`] makes URLs safe for reports. Every HTTP
//! client comes from [`http_client`].

mod auth;
mod catalog;
mod compute;
mod config;
mod config_auth;
mod config_files;
mod config_types;
mod microversion;
mod observe;
mod retry;
mod secret;
mod server;
mod tls;

pub use auth::{
    AuthenticateError, CloudSession, SessionOptions, Token, authenticate, token_request_body,
};
pub use catalog::{CatalogEndpoint, CatalogService};
pub use compute::{ComputeClient, ComputeError, ComputeOptions};
pub use config::{LoadCloudConfigError, load_cloud};
pub use config_files::ConfigSources;
pub use config_types::{
    AppCredentialRef, AuthConfig, CloudConfig, CloudRequest, DomainRef, Interface, Scope, UserRef,
};
pub use microversion::{Microversion, ParseMicroversionError, VersionInfo};
pub use observe::{NOT_OBSERVED, ObservedServer, judge_observed};
pub use retry::RetryPolicy;
pub use secret::{Secret, redact_url};
pub use server::Server;
pub use tls::{BuildHttpClientError, TlsOptions, http_client};
