//! A server as the compute API returned it.

use serde_json::Value;

/// A server body (`GET /servers/{id}` or one entry of `/servers/detail`), kept as JSON so
/// nothing the cloud said is lost, with typed accessors for the fields the harness checks.
///
/// # Examples
///
/// ```
/// use harness::client::Server;
///
/// // Arrange
/// let body = serde_json::json!({"id": "s1", "status": "REBOOT",
///     "OS-EXT-STS:vm_state": "active", "OS-EXT-STS:task_state": "rebooting",
///     "OS-EXT-STS:power_state": 1});
///
/// // Act
/// let server = Server::new(body);
///
/// // Assert
/// assert_eq!(server.status(), Some("REBOOT"));
/// assert_eq!(server.vm_state(), Some("active"));
/// assert_eq!(server.task_state(), Some("rebooting"));
/// assert_eq!(server.power_state(), Some(1));
/// assert_eq!(server.shown_task_state(), Some(Some("rebooting")));
/// assert_eq!(Server::new(serde_json::json!({"id": "s2"})).shown_vm_state(), None);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Server(Value);

impl Server {
    /// Wraps a server body.
    pub fn new(body: Value) -> Self {
        Server(body)
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// `id`.
    pub fn id(&self) -> Option<&str> {
        self.text("id")
    }

    /// `name`.
    pub fn name(&self) -> Option<&str> {
        self.text("name")
    }

    /// `status`.
    pub fn status(&self) -> Option<&str> {
        self.text("status")
    }

    /// `OS-EXT-STS:vm_state` (None when null or absent).
    pub fn vm_state(&self) -> Option<&str> {
        self.text("OS-EXT-STS:vm_state")
    }

    /// `OS-EXT-STS:task_state` (None when null or absent).
    pub fn task_state(&self) -> Option<&str> {
        self.text("OS-EXT-STS:task_state")
    }

    /// `OS-EXT-STS:vm_state` as shown, telling absent from null: `None` when the body has no
    /// such field, `Some(None)` when it is null (or not a string).
    pub fn shown_vm_state(&self) -> Option<Option<&str>> {
        self.shown("OS-EXT-STS:vm_state")
    }

    /// `OS-EXT-STS:task_state` as shown, telling absent from null (see
    /// [`Server::shown_vm_state`]).
    pub fn shown_task_state(&self) -> Option<Option<&str>> {
        self.shown("OS-EXT-STS:task_state")
    }

    fn shown(&self, key: &str) -> Option<Option<&str>> {
        self.0.get(key).map(Value::as_str)
    }

    /// `OS-EXT-STS:power_state` (None when null, absent or not an integer).
    pub fn power_state(&self) -> Option<i64> {
        self.0.get("OS-EXT-STS:power_state").and_then(Value::as_i64)
    }

    /// Whether the body shows the extended status fields at all (a policy can hide them).
    pub fn has_extended_status(&self) -> bool {
        self.0.get("OS-EXT-STS:vm_state").is_some()
    }

    /// Any other field.
    pub fn field(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// The whole body.
    pub fn as_json(&self) -> &Value {
        &self.0
    }

    /// The whole body, owned.
    pub fn into_json(self) -> Value {
        self.0
    }
}

/// The `href` of the `rel: next` entry of a listing's `servers_links`, if any.
pub(crate) fn next_link(page: &Value) -> Option<&str> {
    page.get("servers_links").and_then(next_href)
}

/// The `href` of the `rel: next` entry of a `servers_links` list, if any.
pub(crate) fn next_href(links: &Value) -> Option<&str> {
    links
        .as_array()
        .and_then(|links| {
            links
                .iter()
                .find(|l| l.get("rel").and_then(Value::as_str) == Some("next"))
        })
        .and_then(|l| l.get("href"))
        .and_then(Value::as_str)
}
