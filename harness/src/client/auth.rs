//! Keystone v3 authentication and the session that keeps a token fresh.
//!
//! The main type is [`CloudSession`].

use super::catalog::{CatalogService, parse_catalog, select_endpoint};
use super::config::{AppCredentialRef, AuthConfig, CloudConfig, DomainRef, Scope, UserRef};
use super::secret::{Secret, redact_url};
use super::tls::{BuildHttpClientError, http_client};
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// A Keystone token and what came with it.
#[derive(Debug, Clone)]
pub struct Token {
    /// The `X-Subject-Token` value.
    pub value: Secret,
    /// `token.expires_at`; `None` for a static token or an answer without it.
    pub expires_at: Option<DateTime<FixedOffset>>,
    /// `token.project.id`.
    pub project_id: Option<String>,
    /// `token.user.id`.
    pub user_id: Option<String>,
    /// `token.roles[].name`.
    pub roles: Vec<String>,
    /// `token.catalog`.
    pub catalog: Vec<CatalogService>,
}

impl Token {
    /// A token given on the command line or in `clouds.yaml`, used as is.
    pub fn fixed(value: Secret) -> Self {
        Token {
            value,
            expires_at: None,
            project_id: None,
            user_id: None,
            roles: Vec::new(),
            catalog: Vec::new(),
        }
    }

    /// Whether the token has the `admin` role (needed for `--all-projects`).
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == "admin")
    }

    /// Whether the token expires within `margin` from now.
    pub fn expires_within(&self, margin: Duration) -> bool {
        let Some(expires_at) = self.expires_at else {
            return false;
        };
        let margin = chrono::Duration::from_std(margin).unwrap_or(chrono::Duration::MAX);
        expires_at.with_timezone(&Utc) <= Utc::now() + margin
    }
}

/// Session settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionOptions {
    /// Re-authenticate when the token expires within this margin.
    pub refresh_margin: Duration,
    /// Deadline of one Keystone request.
    pub request_timeout: Duration,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            refresh_margin: Duration::from_secs(120),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Why authentication failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthenticateError {
    /// The HTTP client could not be built (TLS settings).
    #[error("failed to set up HTTPS for cloud `{cloud}`")]
    Tls {
        /// The cloud.
        cloud: String,
        /// What went wrong.
        #[source]
        source: BuildHttpClientError,
    },
    /// Keystone could not be reached or did not answer in time.
    #[error("failed to reach Keystone at {url}")]
    Unreachable {
        /// The token URL (redacted).
        url: String,
        /// The transport error (without its URL).
        #[source]
        source: reqwest::Error,
    },
    /// Keystone refused the credentials or the request.
    #[error("failed to authenticate at {url}: Keystone answered HTTP {status}: {message}")]
    Rejected {
        /// The token URL (redacted).
        url: String,
        /// The HTTP status.
        status: u16,
        /// Keystone's `error.message`, or the start of the body.
        message: String,
    },
    /// Keystone's answer lacked something a token needs.
    #[error("failed to read Keystone's answer from {url}: {problem}")]
    InvalidResponse {
        /// The token URL (redacted).
        url: String,
        /// What was wrong.
        problem: String,
    },
    /// The catalog has no usable compute endpoint.
    #[error("failed to find the compute endpoint of cloud `{cloud}`: {problem}")]
    NoComputeEndpoint {
        /// The cloud.
        cloud: String,
        /// Why, listing what the catalog has.
        problem: String,
    },
}

/// The Keystone v3 `POST /auth/tokens` body for `auth`; `None` for an admin token.
///
/// # Examples
///
/// ```
/// use harness::client::{AppCredentialRef, AuthConfig, Secret};
/// use harness::client::token_request_body;
///
/// // Arrange
/// let auth = AuthConfig::ApplicationCredential {
///     auth_url: "http://k/v3".into(),
///     credential: AppCredentialRef::Id("ac1".into()),
///     secret: Secret::new("s"),
/// };
///
/// // Act
/// let body = token_request_body(&auth).unwrap();
///
/// // Assert
/// assert_eq!(
///     body,
///     serde_json::json!({"auth": {"identity": {"methods": ["application_credential"],
///         "application_credential": {"id": "ac1", "secret": "s"}}}})
/// );
/// ```
pub fn token_request_body(auth: &AuthConfig) -> Option<Value> {
    let (identity, scope) = match auth {
        AuthConfig::Password {
            user,
            password,
            scope,
            ..
        } => {
            let mut user = user_json(user);
            user["password"] = json!(password.expose());
            (
                json!({"methods": ["password"], "password": {"user": user}}),
                scope.as_ref(),
            )
        }
        AuthConfig::ApplicationCredential {
            credential, secret, ..
        } => {
            let mut cred = match credential {
                AppCredentialRef::Id(id) => json!({"id": id}),
                AppCredentialRef::Name { name, user } => {
                    json!({"name": name, "user": user_json(user)})
                }
            };
            cred["secret"] = json!(secret.expose());
            (
                json!({"methods": ["application_credential"], "application_credential": cred}),
                None,
            )
        }
        AuthConfig::Token { token, scope, .. } => (
            json!({"methods": ["token"], "token": {"id": token.expose()}}),
            scope.as_ref(),
        ),
        AuthConfig::AdminToken { .. } => return None,
    };
    let mut auth = json!({"identity": identity});
    if let Some(scope) = scope {
        auth["scope"] = json!({"project": match scope {
            Scope::ProjectId(id) => json!({"id": id}),
            Scope::ProjectName { name, domain } => json!({"name": name, "domain": domain_json(domain)}),
        }});
    }
    Some(json!({ "auth": auth }))
}

fn domain_json(domain: &DomainRef) -> Value {
    match domain {
        DomainRef::Id(id) => json!({"id": id}),
        DomainRef::Name(name) => json!({"name": name}),
    }
}

fn user_json(user: &UserRef) -> Value {
    match user {
        UserRef::Id(id) => json!({"id": id}),
        UserRef::Name { name, domain } => json!({"name": name, "domain": domain_json(domain)}),
    }
}

/// Requests a token from Keystone (`POST {auth_url}/auth/tokens`), or wraps an admin token.
pub async fn authenticate(
    http: &reqwest::Client,
    auth: &AuthConfig,
    timeout: Duration,
) -> Result<Token, AuthenticateError> {
    let (auth_url, body) = match (auth, token_request_body(auth)) {
        (AuthConfig::AdminToken { token, .. }, _) => return Ok(Token::fixed(token.clone())),
        (
            AuthConfig::Password { auth_url, .. }
            | AuthConfig::ApplicationCredential { auth_url, .. }
            | AuthConfig::Token { auth_url, .. },
            Some(body),
        ) => (auth_url, body),
        _ => unreachable!("every Keystone auth type has a request body"),
    };
    let url = format!("{}/auth/tokens", auth_url.trim_end_matches('/'));
    let shown = redact_url(&url);
    let unreachable = |e: reqwest::Error| AuthenticateError::Unreachable {
        url: shown.clone(),
        source: e.without_url(),
    };
    let response = http
        .post(&url)
        .header(reqwest::header::ACCEPT, "application/json")
        .json(&body)
        .timeout(timeout)
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    let subject = response
        .headers()
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.map_err(unreachable)?;
    if !status.is_success() {
        return Err(AuthenticateError::Rejected {
            url: shown,
            status: status.as_u16(),
            message: error_message(&text),
        });
    }
    let invalid = |problem: &str| AuthenticateError::InvalidResponse {
        url: shown.clone(),
        problem: problem.to_owned(),
    };
    let subject = subject.ok_or_else(|| invalid("no X-Subject-Token header"))?;
    let doc: Value = serde_json::from_str(&text).map_err(|_| invalid("the body is not JSON"))?;
    let token = doc
        .get("token")
        .filter(|t| t.is_object())
        .ok_or_else(|| invalid("the body has no `token` object"))?;
    let expires_at = match token.get("expires_at").and_then(Value::as_str) {
        None => None,
        Some(text) => Some(
            DateTime::parse_from_rfc3339(text)
                .map_err(|_| invalid("`token.expires_at` is not an RFC 3339 time"))?,
        ),
    };
    let id_of = |key: &str| {
        token
            .get(key)
            .and_then(|v| v.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Ok(Token {
        value: Secret::new(subject),
        expires_at,
        project_id: id_of("project"),
        user_id: id_of("user"),
        roles: token
            .get("roles")
            .and_then(Value::as_array)
            .map(|roles| {
                roles
                    .iter()
                    .filter_map(|r| r.get("name").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        catalog: parse_catalog(token),
    })
}

/// An OpenStack error body's message: `{"<kind>": {"message": ...}}` (Keystone's `error`,
/// Nova's `itemNotFound`, `badRequest`, …), else the start of the body.
pub(crate) fn error_message(body: &str) -> String {
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(body) {
        for value in map.values() {
            if let Some(message) = value.get("message").and_then(Value::as_str) {
                return message.to_owned();
            }
        }
    }
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return "(empty body)".to_owned();
    }
    trimmed.chars().take(200).collect()
}

/// An authenticated connection to one cloud: HTTP client, current token, compute endpoint.
///
/// Tokens are refreshed before they expire (see [`SessionOptions::refresh_margin`]), and
/// [`CloudSession::reauthenticate`] gets a new one after a 401.
#[derive(Debug)]
pub struct CloudSession {
    http: reqwest::Client,
    config: CloudConfig,
    options: SessionOptions,
    token: Mutex<Arc<Token>>,
    compute_endpoint: String,
}

impl CloudSession {
    /// Builds the HTTP client from the cloud's TLS settings, authenticates and picks the
    /// compute endpoint.
    pub async fn connect(
        config: CloudConfig,
        options: SessionOptions,
    ) -> Result<Self, AuthenticateError> {
        let http = http_client(&config.tls).map_err(|source| AuthenticateError::Tls {
            cloud: config.name.clone(),
            source,
        })?;
        Self::connect_with_client(http, config, options).await
    }

    /// Like [`CloudSession::connect`], with a given HTTP client.
    pub async fn connect_with_client(
        http: reqwest::Client,
        config: CloudConfig,
        options: SessionOptions,
    ) -> Result<Self, AuthenticateError> {
        let token = authenticate(&http, &config.auth, options.request_timeout).await?;
        let endpoint = match (&config.compute_endpoint_override, &config.auth) {
            (Some(url), _) | (None, AuthConfig::AdminToken { endpoint: url, .. }) => url.clone(),
            (None, _) => select_endpoint(
                &token.catalog,
                "compute",
                config.region_name.as_deref(),
                config.interface,
            )
            .map_err(|problem| AuthenticateError::NoComputeEndpoint {
                cloud: config.name.clone(),
                problem,
            })?,
        };
        Ok(CloudSession {
            http,
            config,
            options,
            token: Mutex::new(Arc::new(token)),
            compute_endpoint: endpoint.trim_end_matches('/').to_owned(),
        })
    }

    /// The HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The cloud's configuration.
    pub fn config(&self) -> &CloudConfig {
        &self.config
    }

    /// The compute endpoint, without a trailing slash.
    pub fn compute_endpoint(&self) -> &str {
        &self.compute_endpoint
    }

    /// Whether TLS verification is off (reports must then carry a warning).
    pub fn insecure(&self) -> bool {
        self.config.tls.insecure
    }

    /// The current token, renewed first when it is about to expire.
    pub async fn token(&self) -> Result<Arc<Token>, AuthenticateError> {
        let mut current = self.token.lock().await;
        if current.expires_within(self.options.refresh_margin) {
            *current = Arc::new(self.fresh_token().await?);
        }
        Ok(Arc::clone(&current))
    }

    /// Replaces `rejected` (a token the cloud answered 401 to) with a new one; if another task
    /// already replaced it, returns that one. A fixed token cannot be renewed and is returned.
    pub async fn reauthenticate(&self, rejected: &Token) -> Result<Arc<Token>, AuthenticateError> {
        let mut current = self.token.lock().await;
        if current.value == rejected.value {
            *current = Arc::new(self.fresh_token().await?);
        }
        Ok(Arc::clone(&current))
    }

    async fn fresh_token(&self) -> Result<Token, AuthenticateError> {
        authenticate(&self.http, &self.config.auth, self.options.request_timeout).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openstack_error_bodies_give_their_message() {
        let cases = [
            (
                "keystone",
                r#"{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}"#,
                "The request you have made requires authentication.",
            ),
            (
                "nova",
                r#"{"itemNotFound":{"code":404,"message":"Instance x could not be found."}}"#,
                "Instance x could not be found.",
            ),
            (
                "not json",
                "<html>bad gateway</html>",
                "<html>bad gateway</html>",
            ),
            ("empty", "", "(empty body)"),
        ];
        for (name, body, expected) in cases {
            assert_eq!(error_message(body), expected, "{name}");
        }
    }

    #[test]
    fn token_near_expiry_needs_renewal() {
        let soon = Token {
            expires_at: Some((Utc::now() + chrono::Duration::seconds(30)).fixed_offset()),
            ..Token::fixed(Secret::new("t"))
        };
        assert!(soon.expires_within(Duration::from_secs(60)));
        assert!(!soon.expires_within(Duration::from_secs(1)));
        assert!(!Token::fixed(Secret::new("t")).expires_within(Duration::from_secs(3600)));
    }

    #[test]
    fn password_body_scopes_to_a_project_by_name() {
        let auth = AuthConfig::Password {
            auth_url: "http://k/v3".into(),
            user: UserRef::Name {
                name: "alice".into(),
                domain: DomainRef::Name("Default".into()),
            },
            password: Secret::new("pw"),
            scope: Some(Scope::ProjectName {
                name: "demo".into(),
                domain: DomainRef::Id("default".into()),
            }),
        };
        assert_eq!(
            token_request_body(&auth).unwrap(),
            json!({"auth": {
                "identity": {"methods": ["password"], "password": {"user": {
                    "name": "alice", "domain": {"name": "Default"}, "password": "pw"}}},
                "scope": {"project": {"name": "demo", "domain": {"id": "default"}}}}})
        );
    }
}
