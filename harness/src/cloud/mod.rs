//! Real clouds: OpenStack configuration, Keystone auth and a small Nova client.
//!
//! [`load_cloud`] resolves a [`CloudConfig`] the way openstacksdk and `openstack` do
//! (`clouds.yaml` + `secure.yaml`, `OS_*` variables, or `--target` + token);
//! [`CloudSession::connect`] authenticates against Keystone v3 and picks the compute endpoint;
//! [`ComputeClient::connect`] negotiates a microversion, reads servers and sends actions.
//! Secrets are [`Secret`]s, which never print; [`redact_url`] makes URLs safe for reports.
//! Every HTTP client comes from [`http_client`].
//!
//! On top of those, [`run_cloud`] is a whole run against a cloud: observe mode
//! ([`observe_cloud`]: every server judged with [`judge_observed`], Nova's [`StatusFilter`]
//! checked for each status seen) and, when asked, [`lifecycle`] mode (scratch servers driven
//! through every action, then deleted by their tag).

mod auth;
mod catalog;
mod check;
mod compute;
mod compute_error;
mod config;
mod config_auth;
mod config_files;
mod config_types;
pub mod lifecycle;
mod microversion;
mod observe;
mod observe_run;
mod retry;
mod run;
mod secret;
mod server;
pub(crate) use server::next_link;
mod status_filter;
mod tls;

pub use auth::{
    AuthenticateError, CloudSession, SessionOptions, Token, authenticate, token_request_body,
};
pub use catalog::{CatalogEndpoint, CatalogService};
pub use check::CheckResult;
pub use compute::{ComputeClient, ComputeOptions};
pub use compute_error::ComputeError;
pub use config::{LoadCloudConfigError, load_cloud};
pub use config_files::ConfigSources;
pub use config_types::{
    AppCredentialRef, AuthConfig, CloudConfig, CloudRequest, DomainRef, Interface, Scope, UserRef,
};
pub use microversion::{Microversion, ParseMicroversionError, VersionInfo};
pub use observe::{NOT_OBSERVED, ObservedServer, judge_observed};
pub use observe_run::{CloudObservation, UNKNOWN_STATUS, observe_cloud, scope_query};
pub use retry::RetryPolicy;
pub use run::{CloudRunError, CloudRunOptions, run_cloud};
pub use secret::{Secret, redact_url};
pub use server::Server;
pub use status_filter::StatusFilter;
pub use tls::{BuildHttpClientError, TlsOptions, http_client};
