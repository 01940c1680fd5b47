//! The resolved shape of a cloud: what was asked for, how to authenticate, which endpoint.

use crate::client::Secret;
use crate::client::TlsOptions;
use std::fmt;
use std::path::PathBuf;

/// What the command line asks for; every field is optional.
///
/// Fields left `None` fall back to the environment (`OS_CLOUD`, `OS_REGION_NAME`,
/// `OS_INTERFACE`, `OS_CACERT`, `OS_INSECURE`, `OS_TOKEN`), as `openstack` does, and then to
/// the cloud's own settings.
#[derive(Debug, Clone, Default)]
pub struct CloudRequest {
    /// `--os-cloud NAME`.
    pub cloud: Option<String>,
    /// `--os-region-name`.
    pub region_name: Option<String>,
    /// `--os-interface` (`public`, `internal`, `admin`).
    pub interface: Option<String>,
    /// `--cacert PATH`.
    pub cacert: Option<PathBuf>,
    /// `--insecure` (only ever turns verification off).
    pub insecure: bool,
    /// `--token`.
    pub token: Option<Secret>,
    /// `--target URL`: a compute endpoint that replaces the catalog's.
    pub endpoint_override: Option<String>,
}

/// The catalog interface an endpoint is picked from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interface {
    /// `public` (the default).
    #[default]
    Public,
    /// `internal`.
    Internal,
    /// `admin`.
    Admin,
}

impl Interface {
    /// The catalog spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Interface::Public => "public",
            Interface::Internal => "internal",
            Interface::Admin => "admin",
        }
    }

    /// Parses `public`, `internal` or `admin`, also in keystoneauth's `publicURL` form.
    pub fn parse(value: &str) -> Option<Interface> {
        match value.strip_suffix("URL").unwrap_or(value) {
            "public" => Some(Interface::Public),
            "internal" => Some(Interface::Internal),
            "admin" => Some(Interface::Admin),
            _ => None,
        }
    }
}

impl fmt::Display for Interface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user or project domain, by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainRef {
    /// `*_domain_id`.
    Id(String),
    /// `*_domain_name`.
    Name(String),
}

/// A Keystone user, by id or by name within a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    /// `user_id`.
    Id(String),
    /// `username` + user domain.
    Name {
        /// The user name.
        name: String,
        /// The user's domain.
        domain: DomainRef,
    },
}

/// What a token is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `project_id`.
    ProjectId(String),
    /// `project_name` + project domain.
    ProjectName {
        /// The project name.
        name: String,
        /// The project's domain.
        domain: DomainRef,
    },
}

/// An application credential, by id or by name + user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppCredentialRef {
    /// `application_credential_id`.
    Id(String),
    /// `application_credential_name` + its user.
    Name {
        /// The credential name.
        name: String,
        /// The owning user.
        user: UserRef,
    },
}

/// How to get a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthConfig {
    /// `password` / `v3password`: Keystone v3 password method.
    Password {
        /// Keystone v3 URL (`…/v3`).
        auth_url: String,
        /// The user.
        user: UserRef,
        /// The password.
        password: Secret,
        /// The project scope; `None` lets Keystone use the user's default project.
        scope: Option<Scope>,
    },
    /// `v3applicationcredential` / `application_credential`.
    ApplicationCredential {
        /// Keystone v3 URL (`…/v3`).
        auth_url: String,
        /// The credential.
        credential: AppCredentialRef,
        /// Its secret.
        secret: Secret,
    },
    /// `token` / `v3token`: exchange an existing token for a scoped one.
    Token {
        /// Keystone v3 URL (`…/v3`).
        auth_url: String,
        /// The existing token.
        token: Secret,
        /// The project scope.
        scope: Option<Scope>,
    },
    /// `admin_token` / `token_endpoint`, or `--target URL` with `--token`: no Keystone.
    AdminToken {
        /// The compute endpoint the token is sent to.
        endpoint: String,
        /// The token.
        token: Secret,
    },
}

impl AuthConfig {
    /// The auth type name as written in `clouds.yaml`.
    pub fn type_name(&self) -> &'static str {
        match self {
            AuthConfig::Password { .. } => "password",
            AuthConfig::ApplicationCredential { .. } => "v3applicationcredential",
            AuthConfig::Token { .. } => "v3token",
            AuthConfig::AdminToken { .. } => "admin_token",
        }
    }
}

/// A fully resolved cloud: how to authenticate and which endpoint to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudConfig {
    /// The cloud's name (`envvars` for `OS_*`, `target` for `--target` + token).
    pub name: String,
    /// Where it was read from, for messages and reports (no secrets).
    pub origin: String,
    /// How to authenticate.
    pub auth: AuthConfig,
    /// Region to pick from the catalog.
    pub region_name: Option<String>,
    /// Interface to pick from the catalog.
    pub interface: Interface,
    /// TLS verification.
    pub tls: TlsOptions,
    /// A compute endpoint that replaces the catalog's (`--target`, `compute_endpoint_override`).
    pub compute_endpoint_override: Option<String>,
    /// `compute_api_version` when it names a microversion such as `2.60`.
    pub compute_api_version: Option<String>,
}
