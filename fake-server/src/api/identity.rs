//! Keystone v3: version documents, `POST /auth/tokens`, and token checks.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::http::{ApiRequest, ApiResponse};
use crate::domain::IdGenerator;

/// One user allowed by `--users FILE`.
///
/// The file is JSON: `{"users": [{"name": "alice", "password": "pw", "project": "demo",
/// "roles": ["member"]}]}`. `project` defaults to the user name, `roles` to `["member",
/// "reader"]` (a user named `admin` gets `admin` too).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    /// User name.
    pub name: String,
    /// Password.
    pub password: String,
    /// Default (and only) project name.
    #[serde(default)]
    pub project: Option<String>,
    /// Role names (`admin` makes the user an administrator).
    #[serde(default)]
    pub roles: Option<Vec<String>>,
}

/// The parsed `--users FILE`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsersFile {
    /// Allowed users.
    pub users: Vec<UserEntry>,
}

/// Who a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub(crate) user_name: String,
    pub(crate) user_id: String,
    pub(crate) project_name: String,
    pub(crate) project_id: String,
    pub(crate) roles: Vec<String>,
    pub(crate) expires: DateTime<Utc>,
}

impl Identity {
    pub(crate) fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == "admin")
    }
}

/// A stable 32-hex id for a name (FNV-1a, two lanes), like Keystone's uuid hex ids.
pub(crate) fn stable_id(kind: &str, name: &str) -> String {
    let (a, b) = stable_lanes(kind, name);
    format!("{a:016x}{b:016x}")
}

/// The two 64-bit lanes [`stable_id`] prints in hex.
pub(crate) fn stable_lanes(kind: &str, name: &str) -> (u64, u64) {
    let lane = |seed: u64| {
        let mut h = seed;
        for b in kind.bytes().chain([b':']).chain(name.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
        h
    };
    (lane(0xcbf2_9ce4_8422_2325), lane(0x8422_2325_cbf2_9ce4))
}

/// The project id of a project (or user) name.
pub(crate) fn project_id_for(name: &str) -> String {
    stable_id("project", name)
}

/// The user id of a user name.
pub(crate) fn user_id_for(name: &str) -> String {
    stable_id("user", name)
}

fn default_roles(user: &str) -> Vec<String> {
    let mut roles = vec!["member".to_owned(), "reader".to_owned()];
    if user == "admin" {
        roles.insert(0, "admin".to_owned());
    }
    roles
}

const MAX_TOKENS: usize = 100_000;

/// Issued tokens and the user table.
#[derive(Debug)]
pub(crate) struct Keystone {
    users: Option<Vec<UserEntry>>,
    ttl_secs: i64,
    tokens: HashMap<String, Identity>,
    order: VecDeque<String>,
    rng: IdGenerator,
}

impl Keystone {
    pub(crate) fn new(users: Option<Vec<UserEntry>>, ttl_secs: i64) -> Self {
        Keystone {
            users,
            ttl_secs,
            tokens: HashMap::new(),
            order: VecDeque::new(),
            rng: IdGenerator::from_time(),
        }
    }

    /// The identity behind a token, if it is known and not expired.
    pub(crate) fn check(&self, token: Option<&str>) -> Option<&Identity> {
        let id = self.tokens.get(token?)?;
        (id.expires > Utc::now()).then_some(id)
    }

    /// The identity of a user for seeding (no password check).
    pub(crate) fn identity_of(&self, user: &str) -> (String, String) {
        let project = self
            .users
            .as_ref()
            .and_then(|us| us.iter().find(|u| u.name == user))
            .and_then(|u| u.project.clone())
            .unwrap_or_else(|| user.to_owned());
        (user_id_for(user), project_id_for(&project))
    }

    fn issue(&mut self, identity: Identity) -> String {
        let token = format!(
            "fake{:016x}{:016x}{:016x}",
            self.rng.next_u64(),
            self.rng.next_u64(),
            self.rng.next_u64()
        );
        if self.order.len() >= MAX_TOKENS
            && let Some(old) = self.order.pop_front()
        {
            self.tokens.remove(&old);
        }
        self.order.push_back(token.clone());
        self.tokens.insert(token.clone(), identity);
        token
    }

    /// The user a login names, with its project and roles: any name when there is no users
    /// file, else a listed user whose password is `secret` (`None`: unknown or wrong secret).
    fn resolve_user(
        &self,
        name: &str,
        secret: Option<&str>,
    ) -> Option<(String, String, Vec<String>)> {
        match &self.users {
            None => Some((name.to_owned(), name.to_owned(), default_roles(name))),
            Some(users) => users
                .iter()
                .find(|u| u.name == name && secret == Some(u.password.as_str()))
                .map(|u| {
                    (
                        u.name.clone(),
                        u.project.clone().unwrap_or_else(|| u.name.clone()),
                        u.roles.clone().unwrap_or_else(|| default_roles(&u.name)),
                    )
                }),
        }
    }

    /// `POST /identity/v3/auth/tokens`.
    pub(crate) fn authenticate(&mut self, req: &ApiRequest, base: &str) -> ApiResponse {
        let body: AuthBody = match serde_json::from_slice(&req.body) {
            Ok(b) => b,
            Err(e) if e.is_data() => {
                return keystone_error(
                    400,
                    "Bad Request",
                    &format!("Invalid input for field 'auth': {e}"),
                );
            }
            Err(_) => return keystone_error(400, "Bad Request", "Malformed request body"),
        };
        let identity = body.auth.identity;
        let Some(methods) = identity.methods else {
            return keystone_error(
                400,
                "Bad Request",
                "Invalid input for field 'auth.identity.methods'",
            );
        };
        let method = methods.first().map_or("", String::as_str);
        let (user_name, mut project_name, mut roles) = match method {
            "password" => {
                let user = identity.password.map(|p| p.user).unwrap_or_default();
                let Some(name) = user.name.or(user.id) else {
                    return keystone_error(
                        400,
                        "Bad Request",
                        "Invalid input for field 'auth.identity.password.user.name'",
                    );
                };
                let password = user.password.unwrap_or_default();
                match self.resolve_user(&name, Some(&password)) {
                    Some(found) => found,
                    None => return unauthorized(),
                }
            }
            "token" => {
                let token = identity.token.and_then(|t| t.id);
                let Some(old) = self.check(token.as_deref()) else {
                    return unauthorized();
                };
                (
                    old.user_name.clone(),
                    old.project_name.clone(),
                    old.roles.clone(),
                )
            }
            "application_credential" => {
                let cred = identity.application_credential.unwrap_or_default();
                let Some(name) = cred.name.or(cred.id) else {
                    return keystone_error(
                        400,
                        "Bad Request",
                        "Invalid input for field 'auth.identity.application_credential.id'",
                    );
                };
                // With `--users`, a credential acts for a listed user and its secret is that
                // user's password.
                let user = cred.user.and_then(|u| u.name).unwrap_or(name);
                match self.resolve_user(&user, cred.secret.as_deref()) {
                    Some(found) => found,
                    None => return unauthorized(),
                }
            }
            other => {
                return keystone_error(
                    401,
                    "Unauthorized",
                    &format!("Unsupported authentication method: {other}"),
                );
            }
        };
        let scope = body.auth.scope.and_then(|s| s.project).unwrap_or_default();
        let mut project_id = None;
        if let Some(name) = scope.name {
            if self.users.is_some() && name != project_name {
                return unauthorized();
            }
            project_name = name;
        } else if let Some(id) = scope.id {
            project_id = Some(id);
        }
        if self.users.is_none() && roles.is_empty() {
            roles = default_roles(&user_name);
        }
        let now = Utc::now();
        let identity = Identity {
            user_id: user_id_for(&user_name),
            project_id: project_id.unwrap_or_else(|| project_id_for(&project_name)),
            user_name,
            project_name,
            roles,
            expires: now + chrono::Duration::seconds(self.ttl_secs),
        };
        let body = token_body(&identity, method, now, base);
        let token = self.issue(identity);
        ApiResponse::json(201, &body).with_header("x-subject-token", token)
    }
}

/// `POST /auth/tokens`: the parts the fake reads (every field optional, so a missing one
/// gets Keystone's message rather than serde's).
#[derive(Debug, Deserialize)]
struct AuthBody {
    auth: Auth,
}

#[derive(Debug, Deserialize)]
struct Auth {
    identity: AuthIdentity,
    scope: Option<AuthScope>,
}

#[derive(Debug, Deserialize)]
struct AuthIdentity {
    methods: Option<Vec<String>>,
    password: Option<PasswordMethod>,
    token: Option<TokenMethod>,
    application_credential: Option<AppCredential>,
}

#[derive(Debug, Deserialize)]
struct PasswordMethod {
    #[serde(default)]
    user: UserRef,
}

#[derive(Debug, Default, Deserialize)]
struct UserRef {
    name: Option<String>,
    id: Option<String>,
    password: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TokenMethod {
    id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct AppCredential {
    id: Option<String>,
    name: Option<String>,
    secret: Option<String>,
    user: Option<UserRef>,
}

#[derive(Debug, Deserialize)]
struct AuthScope {
    project: Option<ProjectRef>,
}

#[derive(Debug, Default, Deserialize)]
struct ProjectRef {
    name: Option<String>,
    id: Option<String>,
}

fn keystone_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn token_body(id: &Identity, method: &str, now: DateTime<Utc>, base: &str) -> Value {
    let domain = json!({"id": "default", "name": "Default"});
    let endpoints = |url: String, service: &str| {
        ["public", "internal", "admin"]
            .iter()
            .map(|iface| {
                json!({"id": stable_id(service, iface), "interface": iface, "region": "RegionOne",
                       "region_id": "RegionOne", "url": url})
            })
            .collect::<Vec<_>>()
    };
    json!({"token": {
        "methods": [method],
        "user": {"domain": domain, "id": id.user_id, "name": id.user_name, "password_expires_at": null},
        "audit_ids": [stable_id("audit", &keystone_time(now))[..22]],
        "expires_at": keystone_time(id.expires),
        "issued_at": keystone_time(now),
        "project": {"domain": domain, "id": id.project_id, "name": id.project_name},
        "is_domain": false,
        "roles": id.roles.iter().map(|r| json!({"id": stable_id("role", r), "name": r})).collect::<Vec<_>>(),
        "catalog": [
            {"endpoints": endpoints(format!("{base}/compute/v2.1"), "compute"), "id": stable_id("service", "compute"),
             "type": "compute", "name": "nova"},
            {"endpoints": endpoints(format!("{base}/identity/v3"), "identity"), "id": stable_id("service", "identity"),
             "type": "identity", "name": "keystone"},
            {"endpoints": endpoints(format!("{base}/image"), "image"), "id": stable_id("service", "image"),
             "type": "image", "name": "glance"},
        ],
    }})
}

fn keystone_error(code: u16, title: &str, message: &str) -> ApiResponse {
    ApiResponse::json(
        code,
        &json!({"error": {"code": code, "title": title, "message": message}}),
    )
}

fn unauthorized() -> ApiResponse {
    keystone_error(
        401,
        "Unauthorized",
        "The request you have made requires authentication.",
    )
}

/// `GET /identity/v3`.
pub(crate) fn version_v3(base: &str) -> ApiResponse {
    ApiResponse::json(200, &json!({"version": v3_doc(base)}))
}

/// `GET /identity` (and `/identity/`).
pub(crate) fn versions(base: &str) -> ApiResponse {
    ApiResponse::json(300, &json!({"versions": {"values": [v3_doc(base)]}}))
}

fn v3_doc(base: &str) -> Value {
    json!({"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
           "links": [{"rel": "self", "href": format!("{base}/identity/v3/")}],
           "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_ids_are_stable_32_hex_and_name_dependent() {
        assert_eq!(project_id_for("admin"), project_id_for("admin"));
        assert_ne!(project_id_for("admin"), project_id_for("alice"));
        assert_eq!(project_id_for("admin").len(), 32);
        assert!(project_id_for("x").chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn users_file_restricts_passwords() {
        let users: UsersFile = serde_json::from_str(
            r#"{"users":[{"name":"alice","password":"pw","roles":["admin"]}]}"#,
        )
        .unwrap();
        let mut k = Keystone::new(Some(users.users), 60);
        let auth = |pw: &str| {
            ApiRequest::new("POST", "/identity/v3/auth/tokens").with_body(format!(
                r#"{{"auth":{{"identity":{{"methods":["password"],"password":{{"user":{{"name":"alice","password":"{pw}"}}}}}}}}}}"#
            ))
        };
        assert_eq!(k.authenticate(&auth("nope"), "http://x").status, 401);
        let ok = k.authenticate(&auth("pw"), "http://x");
        assert_eq!(ok.status, 201);
        let token = ok.header("x-subject-token").unwrap();
        assert!(k.check(Some(token)).unwrap().is_admin());
    }
}
