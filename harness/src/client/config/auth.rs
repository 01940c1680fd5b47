//! Reading one cloud's settings, with openstacksdk's aliases and defaults, into an
//! [`AuthConfig`].
//!
//! Implementation notes: openstacksdk accepts auth options both inside `auth:` and at the top
//! level of a cloud (the `OS_*` cloud has only the top level). A value inside `auth:` wins,
//! except for project and domain settings, where the top-level value wins (its
//! `_fix_backwards_auth`). `tenant_*` are aliases of `project_*`, `auth_token` of `token`,
//! `auth_plugin` of `auth_type`, `endpoint_type` of `interface`; `domain_*` fills in
//! `user_domain_*` and `project_domain_*`.

use super::files::merge;
use super::load::{LoadCloudConfigError, is_true};
use super::types::{AppCredentialRef, AuthConfig, DomainRef, Scope, UserRef};
use crate::client::Secret;
use serde_json::{Map, Value};

/// One cloud's settings before interpretation, with enough context to name a field in an error.
#[derive(Debug, Clone)]
pub(crate) struct RawCloud {
    name: String,
    origin: String,
    from_env: bool,
    map: Map<String, Value>,
}

/// The auth types understood, for error messages.
const SUPPORTED_AUTH_TYPES: &str = "password, v3password, v3applicationcredential, \
     application_credential, token, v3token, admin_token, token_endpoint";

impl RawCloud {
    pub(crate) fn from_env(name: String, map: Map<String, Value>) -> Self {
        RawCloud {
            name,
            origin: "the environment (OS_* variables)".to_owned(),
            from_env: true,
            map,
        }
    }

    pub(crate) fn from_file(name: String, origin: String, map: Map<String, Value>) -> Self {
        RawCloud {
            name,
            origin,
            from_env: false,
            map,
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    /// How a top-level setting is spelled where it came from.
    pub(crate) fn field_name(&self, key: &str) -> String {
        if self.from_env {
            format!("OS_{}", key.to_ascii_uppercase())
        } else {
            format!("`clouds.{}.{key}`", self.name)
        }
    }

    /// How an auth setting is spelled where it came from.
    fn auth_field_name(&self, key: &str) -> String {
        if self.from_env {
            format!("OS_{}", key.to_ascii_uppercase())
        } else {
            format!("`clouds.{}.auth.{key}`", self.name)
        }
    }

    pub(crate) fn invalid(&self, problem: String) -> LoadCloudConfigError {
        LoadCloudConfigError::Invalid {
            cloud: self.name.clone(),
            origin: self.origin.clone(),
            problem,
        }
    }

    /// A top-level scalar as a string; numbers are accepted, as openstacksdk does.
    pub(crate) fn string(&self, key: &str) -> Result<Option<String>, LoadCloudConfigError> {
        scalar(self.map.get(key), || self.field_name(key)).map_err(|p| self.invalid(p))
    }

    /// A top-level boolean: YAML `true`/`false`, or a string where only `true` is true.
    pub(crate) fn boolean(&self, key: &str) -> Result<Option<bool>, LoadCloudConfigError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => Ok(Some(is_true(s))),
            Some(other) => Err(self.invalid(format!(
                "{} must be true or false, found {}",
                self.field_name(key),
                kind(other)
            ))),
        }
    }

    fn auth_map(&self) -> Result<Option<&Map<String, Value>>, LoadCloudConfigError> {
        match self.map.get("auth") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(auth)) => Ok(Some(auth)),
            Some(other) => Err(self.invalid(format!(
                "{} must be a mapping, found {}",
                self.field_name("auth"),
                kind(other)
            ))),
        }
    }

    /// An auth setting, looked up under each alias in `auth:` and at the top level.
    fn auth_string(&self, keys: &[&str]) -> Result<Option<String>, LoadCloudConfigError> {
        let top_wins = keys
            .iter()
            .any(|k| k.starts_with("project") || k.contains("domain"));
        let auth = self.auth_map()?;
        let from_auth = |key: &str| {
            scalar(auth.and_then(|a| a.get(key)), || self.auth_field_name(key))
                .map_err(|p| self.invalid(p))
        };
        let mut found_auth = None;
        let mut found_top = None;
        for key in keys {
            found_auth = found_auth.or(from_auth(key)?);
            found_top = found_top.or(self.string(key)?);
        }
        Ok(if top_wins {
            found_top.or(found_auth)
        } else {
            found_auth.or(found_top)
        })
    }

    fn secret(&self, keys: &[&str]) -> Result<Option<Secret>, LoadCloudConfigError> {
        Ok(self.auth_string(keys)?.map(Secret::new))
    }

    fn missing(&self, auth_type: &str, what: &str) -> LoadCloudConfigError {
        self.invalid(format!("auth_type `{auth_type}` needs {what}"))
    }

    /// Picks the region (`regions:` list or `region_name:`) and merges its `values`.
    pub(crate) fn select_region(
        &mut self,
        asked: Option<&str>,
    ) -> Result<Option<String>, LoadCloudConfigError> {
        let mut known: Vec<(String, Map<String, Value>)> = Vec::new();
        match self.map.get("regions") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    match item {
                        Value::String(name) => known.push((name.clone(), Map::new())),
                        Value::Object(entry) => match (entry.get("name"), entry.get("values")) {
                            (Some(Value::String(name)), None | Some(Value::Null)) => {
                                known.push((name.clone(), Map::new()))
                            }
                            (Some(Value::String(name)), Some(Value::Object(values))) => {
                                known.push((name.clone(), values.clone()))
                            }
                            _ => {
                                return Err(self.invalid(format!(
                                    "every entry of {} needs a string `name` and optional \
                                     mapping `values`",
                                    self.field_name("regions")
                                )));
                            }
                        },
                        other => {
                            return Err(self.invalid(format!(
                                "entries of {} must be names or mappings, found {}",
                                self.field_name("regions"),
                                kind(other)
                            )));
                        }
                    }
                }
            }
            Some(other) => {
                return Err(self.invalid(format!(
                    "{} must be a list, found {}",
                    self.field_name("regions"),
                    kind(other)
                )));
            }
        }
        if known.is_empty() {
            let listed: Vec<String> = match self.map.get("region_name") {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                _ => self
                    .string("region_name")?
                    .map(|s| s.split(',').map(|r| r.trim().to_owned()).collect())
                    .unwrap_or_default(),
            };
            known = listed
                .into_iter()
                .filter(|r: &String| !r.is_empty())
                .map(|r| (r, Map::new()))
                .collect();
        }
        let chosen = match asked {
            None => known.into_iter().next(),
            Some(name) if known.is_empty() => Some((name.to_owned(), Map::new())),
            Some(name) => {
                let names: Vec<String> = known.iter().map(|(n, _)| n.clone()).collect();
                match known.into_iter().find(|(n, _)| n == name) {
                    Some(found) => Some(found),
                    None => {
                        return Err(self.invalid(format!(
                            "region `{name}` is not a region of this cloud; valid regions: {} \
                             (region names are case sensitive)",
                            names.join(", ")
                        )));
                    }
                }
            }
        };
        Ok(chosen.map(|(name, values)| {
            merge(&mut self.map, &values);
            name
        }))
    }

    fn domain(&self, prefix: &str) -> Result<Option<DomainRef>, LoadCloudConfigError> {
        let id = [format!("{prefix}_domain_id")];
        let name = [format!("{prefix}_domain_name")];
        let id_keys: Vec<&str> = id.iter().map(String::as_str).collect();
        let name_keys: Vec<&str> = name.iter().map(String::as_str).collect();
        if let Some(id) = self.auth_string(&id_keys)? {
            return Ok(Some(DomainRef::Id(id)));
        }
        if let Some(name) = self.auth_string(&name_keys)? {
            return Ok(Some(DomainRef::Name(name)));
        }
        if let Some(id) = self.auth_string(&["domain_id", "default_domain_id"])? {
            return Ok(Some(DomainRef::Id(id)));
        }
        Ok(self
            .auth_string(&["domain_name", "default_domain_name"])?
            .map(DomainRef::Name))
    }

    /// The domain a user or project (`prefix`) given by name needs; missing is an error.
    fn named_domain(
        &self,
        prefix: &str,
        auth_type: &str,
    ) -> Result<DomainRef, LoadCloudConfigError> {
        self.domain(prefix)?.ok_or_else(|| {
            self.missing(
                auth_type,
                &format!(
                    "{} or {} with a {prefix} name",
                    self.auth_field_name(&format!("{prefix}_domain_name")),
                    self.auth_field_name(&format!("{prefix}_domain_id"))
                ),
            )
        })
    }

    fn user(&self, auth_type: &str) -> Result<Option<UserRef>, LoadCloudConfigError> {
        if let Some(id) = self.auth_string(&["user_id"])? {
            return Ok(Some(UserRef::Id(id)));
        }
        let Some(name) = self.auth_string(&["username", "user_name"])? else {
            return Ok(None);
        };
        let domain = self.named_domain("user", auth_type)?;
        Ok(Some(UserRef::Name { name, domain }))
    }

    fn scope(&self, auth_type: &str) -> Result<Option<Scope>, LoadCloudConfigError> {
        if let Some(id) = self.auth_string(&["project_id", "tenant_id"])? {
            return Ok(Some(Scope::ProjectId(id)));
        }
        let Some(name) = self.auth_string(&["project_name", "tenant_name"])? else {
            return Ok(None);
        };
        let domain = self.named_domain("project", auth_type)?;
        Ok(Some(Scope::ProjectName { name, domain }))
    }

    fn auth_url(&self, auth_type: &str) -> Result<String, LoadCloudConfigError> {
        let url = self
            .auth_string(&["auth_url"])?
            .ok_or_else(|| self.missing(auth_type, &self.auth_field_name("auth_url")))?;
        keystone_v3_url(&url).map_err(|problem| {
            self.invalid(format!("{} {problem}", self.auth_field_name("auth_url")))
        })
    }
}

/// The Keystone v3 base URL: `…/v3` as given, or `/v3` appended to an unversioned URL.
fn keystone_v3_url(url: &str) -> Result<String, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("must be an http or https URL".to_owned());
    }
    let trimmed = url.trim_end_matches('/');
    if trimmed.ends_with("/v3") {
        Ok(trimmed.to_owned())
    } else if trimmed.ends_with("/v2.0") {
        Err("points at Keystone v2.0, which is not supported; use the v3 URL".to_owned())
    } else {
        Ok(format!("{trimmed}/v3"))
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn scalar(value: Option<&Value>, name: impl Fn() -> String) -> Result<Option<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(format!(
            "{} must be a string, found {}",
            name(),
            kind(other)
        )),
    }
}

/// Interprets a cloud's auth settings; `token_override` is `--token`.
pub(crate) fn auth_config(
    raw: &RawCloud,
    token_override: Option<Secret>,
) -> Result<AuthConfig, LoadCloudConfigError> {
    let token = match token_override.clone() {
        Some(t) => Some(t),
        None => raw.secret(&["token", "auth_token"])?,
    };
    let explicit_type = raw
        .string("auth_type")?
        .or(raw.string("auth_plugin")?)
        .map(|t| t.to_ascii_lowercase());
    let has_auth_url = raw.auth_string(&["auth_url"])?.is_some();
    let auth_type = match (&explicit_type, &token) {
        // `--token` replaces whatever the cloud would have used, as in `openstack --os-token`.
        (_, Some(_)) if token_override.is_some() => if has_auth_url {
            "v3token"
        } else {
            "admin_token"
        }
        .to_owned(),
        (Some(t), _) => t.clone(),
        (None, Some(_)) if raw.auth_string(&["password"])?.is_none() => if has_auth_url {
            "v3token"
        } else {
            "admin_token"
        }
        .to_owned(),
        (None, _) => "password".to_owned(),
    };
    match auth_type.as_str() {
        "password" | "v3password" => password_auth(raw, &auth_type),
        "v3applicationcredential" | "application_credential" => {
            app_credential_auth(raw, &auth_type)
        }
        "token" | "v3token" => {
            let auth_url = raw.auth_url(&auth_type)?;
            let token =
                token.ok_or_else(|| raw.missing(&auth_type, &raw.auth_field_name("token")))?;
            let scope = raw.scope(&auth_type)?;
            Ok(AuthConfig::Token {
                auth_url,
                token,
                scope,
            })
        }
        "admin_token" | "token_endpoint" => {
            let token =
                token.ok_or_else(|| raw.missing(&auth_type, &raw.auth_field_name("token")))?;
            let endpoint = match raw.auth_string(&["endpoint", "url"])? {
                Some(e) => e,
                None => raw.string("compute_endpoint_override")?.ok_or_else(|| {
                    raw.missing(
                        &auth_type,
                        &format!(
                            "{} (the compute endpoint) or --target URL",
                            raw.auth_field_name("endpoint")
                        ),
                    )
                })?,
            };
            Ok(AuthConfig::AdminToken { endpoint, token })
        }
        other => Err(raw.invalid(format!(
            "auth_type `{other}` ({}) is not supported; use one of {SUPPORTED_AUTH_TYPES}",
            raw.field_name("auth_type")
        ))),
    }
}

/// `password` / `v3password`: a user (by name or id), a password and an optional scope.
fn password_auth(raw: &RawCloud, auth_type: &str) -> Result<AuthConfig, LoadCloudConfigError> {
    let auth_url = raw.auth_url(auth_type)?;
    let user = raw.user(auth_type)?.ok_or_else(|| {
        raw.missing(
            auth_type,
            &format!(
                "{} or {}",
                raw.auth_field_name("username"),
                raw.auth_field_name("user_id")
            ),
        )
    })?;
    let password = raw
        .secret(&["password"])?
        .ok_or_else(|| raw.missing(auth_type, &raw.auth_field_name("password")))?;
    let scope = raw.scope(auth_type)?;
    Ok(AuthConfig::Password {
        auth_url,
        user,
        password,
        scope,
    })
}

/// `v3applicationcredential`: a credential by id, or by name with its user, and its secret.
fn app_credential_auth(
    raw: &RawCloud,
    auth_type: &str,
) -> Result<AuthConfig, LoadCloudConfigError> {
    let auth_url = raw.auth_url(auth_type)?;
    let secret = raw
        .secret(&["application_credential_secret"])?
        .ok_or_else(|| {
            raw.missing(
                auth_type,
                &raw.auth_field_name("application_credential_secret"),
            )
        })?;
    let credential = if let Some(id) = raw.auth_string(&["application_credential_id"])? {
        AppCredentialRef::Id(id)
    } else if let Some(name) = raw.auth_string(&["application_credential_name"])? {
        let user = raw.user(auth_type)?.ok_or_else(|| {
            raw.missing(
                auth_type,
                &format!(
                    "{} or {} with an application credential name",
                    raw.auth_field_name("username"),
                    raw.auth_field_name("user_id")
                ),
            )
        })?;
        AppCredentialRef::Name { name, user }
    } else {
        return Err(raw.missing(
            auth_type,
            &format!(
                "{} or {}",
                raw.auth_field_name("application_credential_id"),
                raw.auth_field_name("application_credential_name")
            ),
        ));
    };
    Ok(AuthConfig::ApplicationCredential {
        auth_url,
        credential,
        secret,
    })
}
