//! The wire messages of protocol v2 and v1 (`adapters/PROTOCOL.md`, `adapters/protocol.schema.json`).
//!
//! Requests are serialized from borrowed data; answers are parsed in two steps so that the most
//! useful complaint comes first: the field that routes the message (`version`, `seq`) is read
//! leniently, then the whole message strictly (`deny_unknown_fields`, so a misspelt `stauts` is
//! named rather than reported as a missing `status`).

use super::model::StatusModel;
use crate::report::Implementation;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The protocol version this harness asks for.
pub const PROTOCOL_VERSION: u32 = 2;
/// The older version still accepted (derive and fetch only; reported as such).
pub const PROTOCOL_V1: u32 = 1;

/// What an adapter can do, from its `start` answer; also the `kind` of a `run` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Capability {
    /// Computes the status from `case.vm_state` / `case.task_state` (a library, upstream Nova).
    Derive,
    /// Fetches the seeded server with its SDK from `run.fetch` and answers what the SDK surfaced.
    Fetch,
    /// Fetches the server and answers the raw status plus the SDK's typed value (v2).
    Surface,
    /// Lists the servers with the SDK's own list call and answers every one (v2).
    List,
    /// Calls the SDK's own waiter on a server that follows a scripted timeline (v2).
    Wait,
}

impl Capability {
    /// Every capability, in protocol order.
    pub const ALL: [Capability; 5] = [
        Capability::Derive,
        Capability::Fetch,
        Capability::Surface,
        Capability::List,
        Capability::Wait,
    ];

    /// `derive`, `fetch`, `surface`, `list` or `wait`, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Derive => "derive",
            Capability::Fetch => "fetch",
            Capability::Surface => "surface",
            Capability::List => "list",
            Capability::Wait => "wait",
        }
    }

    /// The capabilities protocol v1 knows.
    pub fn in_v1(self) -> bool {
        matches!(self, Capability::Derive | Capability::Fetch)
    }
}

/// Where an adapter finds the case's server (or servers): the `fetch` object of a `run` request.
///
/// ```
/// use harness::target::adapter::FetchInfo;
///
/// // Arrange
/// let info = FetchInfo {
///     compute_url: "http://127.0.0.1:8774/compute/v2.1".into(),
///     auth_url: "http://127.0.0.1:8774/identity/v3".into(),
///     token: "t".into(),
///     project_id: "p".into(),
///     server_id: Some("s".into()),
/// };
///
/// // Act
/// let json = serde_json::to_value(&info).unwrap();
///
/// // Assert
/// assert_eq!(json["server_id"], "s");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchInfo {
    /// Nova endpoint, including `/v2.1`.
    pub compute_url: String,
    /// Keystone v3 endpoint.
    pub auth_url: String,
    /// A token valid for `project_id`, handed to this adapter only.
    pub token: String,
    /// The project owning the server.
    pub project_id: String,
    /// The server seeded for the case (absent for `list` cases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<String>,
}

/// What a `wait` case asks the SDK's waiter to wait for: the `wait` object of a `run` request.
///
/// ```
/// use harness::target::adapter::{WaitSpec, WaitUntil};
///
/// // Arrange
/// let spec = WaitSpec { until: WaitUntil::Status, target: Some("ACTIVE".into()), timeout_s: 3.0, interval_s: 0.05 };
///
/// // Act
/// let json = serde_json::to_string(&spec).unwrap();
///
/// // Assert
/// assert_eq!(json, r#"{"until":"status","target":"ACTIVE","timeout_s":3.0,"interval_s":0.05}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitSpec {
    /// Wait for a status, or for the server to be gone.
    pub until: WaitUntil,
    /// The status to wait for (`None` when waiting for deletion).
    pub target: Option<String>,
    /// The waiter's own timeout, in seconds.
    pub timeout_s: f64,
    /// The waiter's polling interval, in seconds.
    pub interval_s: f64,
}

/// `wait.until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WaitUntil {
    /// Wait until the server shows `target`.
    Status,
    /// Wait until the server is gone (deleted).
    Deleted,
}

/// A request from the harness, one JSON line.
#[derive(Debug, Serialize)]
#[serde(tag = "cmd", rename_all = "lowercase")]
pub(crate) enum Request<'a> {
    Start {
        version: u32,
    },
    Run {
        seq: u64,
        /// v2 only.
        #[serde(skip_serializing_if = "Option::is_none")]
        kind: Option<Capability>,
        case: CaseMessage<'a>,
        /// v1 only: `{"id", "OS-EXT-STS:vm_state", "OS-EXT-STS:task_state"}`, never a status.
        #[serde(skip_serializing_if = "Option::is_none")]
        server: Option<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        fetch: Option<&'a FetchInfo>,
        #[serde(skip_serializing_if = "Option::is_none")]
        wait: Option<&'a WaitSpec>,
    },
    Stop,
}

/// The `case` object of a `run` request: an opaque id and, for derive (and every v1) case, the
/// pair. Deliberately without the expected status or any hint of the profile.
#[derive(Debug, Serialize)]
pub(crate) struct CaseMessage<'a> {
    pub(crate) id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) vm_state: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) task_state: Option<Option<&'a str>>,
}

impl Request<'_> {
    /// The request as one line, without the newline.
    pub(crate) fn to_line(&self) -> String {
        // Serializing these types cannot fail: every map key is a string.
        serde_json::to_string(self).unwrap_or_else(|e| unreachable!("request serializes: {e}"))
    }
}

/// The `start` answer, read strictly after its version was checked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StartResponse {
    #[expect(dead_code, reason = "checked before, by VersionOnly")]
    pub(crate) version: Value,
    pub(crate) implementation: ImplementationMessage,
    pub(crate) capabilities: Vec<Capability>,
    #[serde(default)]
    pub(crate) status_model: Option<StatusModel>,
}

/// The first, lenient read of a `start` answer.
#[derive(Debug, Deserialize)]
pub(crate) struct VersionOnly {
    pub(crate) version: Option<Value>,
}

/// `implementation` of the `start` answer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImplementationMessage {
    name: String,
    version: String,
    language: String,
    #[serde(default)]
    homepage: Option<String>,
}

impl ImplementationMessage {
    pub(crate) fn into_implementation(self, protocol_version: u32) -> Implementation {
        Implementation {
            name: self.name,
            version: self.version,
            language: self.language,
            homepage: self.homepage,
            protocol_version: Some(protocol_version),
            status_model: None,
        }
    }
}

/// Checks a parsed `start` answer against the version it claims; returns the one-line reason.
pub(crate) fn check_start(response: &StartResponse, version: u32) -> Result<(), String> {
    if response.capabilities.is_empty() {
        return Err("`capabilities` is empty".to_owned());
    }
    if version == PROTOCOL_V1 {
        if let Some(c) = response.capabilities.iter().find(|c| !c.in_v1()) {
            return Err(format!(
                "capability `{}` needs protocol version 2, but the adapter answered version 1",
                c.as_str()
            ));
        }
        if response.status_model.is_some() {
            return Err(
                "`status_model` needs protocol version 2, but the adapter answered version 1"
                    .to_owned(),
            );
        }
        return Ok(());
    }
    let typed = response
        .capabilities
        .iter()
        .find(|c| matches!(c, Capability::Surface | Capability::List));
    match (&response.status_model, typed) {
        (None, Some(c)) => Err(format!(
            "`status_model` is required with capability `{}`",
            c.as_str()
        )),
        (Some(model), _) => model.validate().map_err(|e| format!("status_model: {e}")),
        (None, None) => Ok(()),
    }
}

/// The first, lenient read of a `run` answer.
#[derive(Debug, Deserialize)]
pub(crate) struct SeqOnly {
    pub(crate) seq: Option<Value>,
}

/// A `run` answer, read strictly once its `seq` matched.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunResponse {
    #[expect(dead_code, reason = "checked before, by SeqOnly")]
    seq: Value,
    #[serde(default)]
    status: Option<String>,
    #[serde(default, deserialize_with = "present")]
    vm_state: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    task_state: Option<Option<String>>,
    #[serde(default)]
    typed: Option<String>,
    #[serde(default)]
    servers: Option<Vec<ListedServer>>,
    #[serde(default)]
    wait: Option<WaitAnswer>,
    #[serde(default)]
    skipped: Option<SkippedMessage>,
    #[serde(default)]
    errored: Option<ErroredMessage>,
}

/// Maps a present field (even `null`) to `Some`, so that an absent field stays `None`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SkippedMessage {
    pub(crate) reason: String,
    #[serde(default)]
    pub(crate) issue_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ErroredMessage {
    pub(crate) message: String,
    #[serde(default)]
    pub(crate) traceback: Option<String>,
}

/// One server of a `list` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListedServer {
    /// The server's id, as the SDK returned it.
    pub id: String,
    /// The raw status the SDK holds.
    pub status: String,
    /// The SDK's typed value, rendered as a string (optional for a string model).
    #[serde(default)]
    pub typed: Option<String>,
}

/// The `wait` object of a `wait` answer: what the SDK's waiter did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitAnswer {
    /// How the waiter ended.
    pub outcome: WaitOutcome,
    /// The status the waiter last saw, if it says.
    #[serde(default)]
    pub status: Option<String>,
    /// The waiter's message (e.g. the exception text), one line.
    #[serde(default)]
    pub message: Option<String>,
}

/// How an SDK waiter ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WaitOutcome {
    /// The waiter returned the server in the target status.
    Reached,
    /// The waiter raised its failure-status error.
    Failed,
    /// The waiter said the server is gone.
    Gone,
    /// The waiter's own timeout expired.
    Timeout,
}

impl WaitOutcome {
    /// `reached`, `failed`, `gone` or `timeout`.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitOutcome::Reached => "reached",
            WaitOutcome::Failed => "failed",
            WaitOutcome::Gone => "gone",
            WaitOutcome::Timeout => "timeout",
        }
    }
}

/// A `run` answer once it is known to be exactly one of the shapes allowed for its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// derive, fetch: the status, with the states a fetch adapter echoed.
    Status {
        /// The status derived or surfaced.
        status: String,
        /// `vm_state` echoed (`Some(None)` = null).
        vm_state: Option<Option<String>>,
        /// `task_state` echoed (`Some(None)` = null).
        task_state: Option<Option<String>>,
    },
    /// surface: the raw status and the SDK's typed value.
    Surface {
        /// The raw status the SDK holds.
        status: String,
        /// The typed value, rendered as a string.
        typed: String,
    },
    /// list: every server the SDK's list call returned.
    List(Vec<ListedServer>),
    /// wait: how the SDK's waiter ended.
    Wait(WaitAnswer),
    /// The implementation declined the case.
    Skipped {
        /// Why.
        reason: String,
        /// An issue tracking it.
        issue_url: Option<String>,
    },
    /// The implementation failed on the case.
    Errored {
        /// One line.
        message: String,
        /// A traceback, if any.
        traceback: Option<String>,
    },
}

impl RunResponse {
    /// Checks that the answer has exactly one shape, and that the shape fits `kind`.
    pub(crate) fn into_answer(self, kind: Capability) -> Result<Answer, String> {
        let main = main_field(kind);
        let fields = [
            ("status", self.status.is_some()),
            ("vm_state", self.vm_state.is_some()),
            ("task_state", self.task_state.is_some()),
            ("typed", self.typed.is_some()),
            ("servers", self.servers.is_some()),
            ("wait", self.wait.is_some()),
        ];
        let present: Vec<&str> = fields.iter().filter(|f| f.1).map(|f| f.0).collect();
        let results = usize::from(!present.is_empty())
            + usize::from(self.skipped.is_some())
            + usize::from(self.errored.is_some());
        if results == 0 {
            return Err(format!("it has none of `{main}`, `skipped`, `errored`"));
        }
        if results > 1 {
            if self.status.is_none() && self.servers.is_none() && self.wait.is_none() {
                return Err(format!(
                    "`{}` may only come with `{main}`",
                    present.join("`/`")
                ));
            }
            return Err(format!(
                "it has more than one of `{main}`, `skipped`, `errored`"
            ));
        }
        if let Some(s) = self.skipped {
            return Ok(Answer::Skipped {
                reason: s.reason,
                issue_url: s.issue_url,
            });
        }
        if let Some(e) = self.errored {
            return Ok(Answer::Errored {
                message: e.message,
                traceback: e.traceback,
            });
        }
        let allowed = allowed_fields(kind);
        if let Some(f) = present.iter().find(|f| !allowed.contains(f)) {
            return Err(format!(
                "`{f}` is not part of a {} answer (it has {})",
                kind.as_str(),
                allowed
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        match kind {
            Capability::Derive | Capability::Fetch => Ok(Answer::Status {
                status: self.status.ok_or_else(|| missing(kind, "status"))?,
                vm_state: self.vm_state,
                task_state: self.task_state,
            }),
            Capability::Surface => Ok(Answer::Surface {
                status: self.status.ok_or_else(|| missing(kind, "status"))?,
                typed: self.typed.ok_or_else(|| missing(kind, "typed"))?,
            }),
            Capability::List => Ok(Answer::List(
                self.servers.ok_or_else(|| missing(kind, "servers"))?,
            )),
            Capability::Wait => Ok(Answer::Wait(
                self.wait.ok_or_else(|| missing(kind, "wait"))?,
            )),
        }
    }
}

/// The field that carries a result of this kind.
fn main_field(kind: Capability) -> &'static str {
    match kind {
        Capability::Derive | Capability::Fetch | Capability::Surface => "status",
        Capability::List => "servers",
        Capability::Wait => "wait",
    }
}

fn allowed_fields(kind: Capability) -> &'static [&'static str] {
    match kind {
        Capability::Derive | Capability::Fetch => &["status", "vm_state", "task_state"],
        Capability::Surface => &["status", "typed"],
        Capability::List => &["servers"],
        Capability::Wait => &["wait"],
    }
}

fn missing(kind: Capability, field: &str) -> String {
    format!("a {} answer needs `{field}`", kind.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(kind: Capability, line: &str) -> Result<Answer, String> {
        // As in the harness: the line is parsed as JSON first, then read as an answer.
        let value: Value = serde_json::from_str(line).unwrap();
        serde_json::from_value::<RunResponse>(value)
            .map_err(|e| e.to_string())
            .and_then(|r| r.into_answer(kind))
    }

    #[test]
    fn v2_derive_request_carries_kind_and_pair_but_no_server() {
        let line = Request::Run {
            seq: 7,
            kind: Some(Capability::Derive),
            case: CaseMessage {
                id: "q0000abcd-7",
                vm_state: Some(Some("active")),
                task_state: Some(None),
            },
            server: None,
            fetch: None,
            wait: None,
        }
        .to_line();
        assert_eq!(
            line,
            r#"{"cmd":"run","seq":7,"kind":"derive","case":{"id":"q0000abcd-7","vm_state":"active","task_state":null}}"#
        );
        assert_eq!(Request::Stop.to_line(), r#"{"cmd":"stop"}"#);
        assert_eq!(
            Request::Start { version: 2 }.to_line(),
            r#"{"cmd":"start","version":2}"#
        );
    }

    #[test]
    fn v2_list_request_carries_no_pair_and_no_server_id() {
        let fetch = FetchInfo {
            compute_url: "c".into(),
            auth_url: "a".into(),
            token: "t".into(),
            project_id: "p".into(),
            server_id: None,
        };
        let line = Request::Run {
            seq: 1,
            kind: Some(Capability::List),
            case: CaseMessage {
                id: "q1-1",
                vm_state: None,
                task_state: None,
            },
            server: None,
            fetch: Some(&fetch),
            wait: None,
        }
        .to_line();
        assert_eq!(
            line,
            r#"{"cmd":"run","seq":1,"kind":"list","case":{"id":"q1-1"},"fetch":{"compute_url":"c","auth_url":"a","token":"t","project_id":"p"}}"#
        );
    }

    #[test]
    fn answers_are_classified_and_echoed_null_differs_from_absent() {
        use Capability::*;
        let rows: [(Capability, &str, Result<Answer, String>); 14] = [
            (
                Fetch,
                r#"{"seq":1,"status":"ACTIVE"}"#,
                Ok(Answer::Status {
                    status: "ACTIVE".into(),
                    vm_state: None,
                    task_state: None,
                }),
            ),
            (
                Fetch,
                r#"{"seq":1,"status":"ACTIVE","vm_state":"active","task_state":null}"#,
                Ok(Answer::Status {
                    status: "ACTIVE".into(),
                    vm_state: Some(Some("active".into())),
                    task_state: Some(None),
                }),
            ),
            (
                Derive,
                r#"{"seq":1,"skipped":{"reason":"r"}}"#,
                Ok(Answer::Skipped {
                    reason: "r".into(),
                    issue_url: None,
                }),
            ),
            (
                Derive,
                r#"{"seq":1,"status":"A","errored":{"message":"m"}}"#,
                Err("it has more than one of `status`, `skipped`, `errored`".into()),
            ),
            (
                Derive,
                r#"{"seq":1}"#,
                Err("it has none of `status`, `skipped`, `errored`".into()),
            ),
            (
                Derive,
                r#"{"seq":1,"task_state":null,"skipped":{"reason":"r"}}"#,
                Err("`task_state` may only come with `status`".into()),
            ),
            (
                Derive,
                r#"{"seq":1,"stauts":"A"}"#,
                Err("unknown field `stauts`, expected one of `seq`, `status`, `vm_state`, `task_state`, `typed`, `servers`, `wait`, `skipped`, `errored`".into()),
            ),
            (
                Surface,
                r#"{"seq":1,"status":"SHUTOFF","typed":"ShutOff"}"#,
                Ok(Answer::Surface {
                    status: "SHUTOFF".into(),
                    typed: "ShutOff".into(),
                }),
            ),
            (
                Surface,
                r#"{"seq":1,"status":"SHUTOFF"}"#,
                Err("a surface answer needs `typed`".into()),
            ),
            (
                Derive,
                r#"{"seq":1,"status":"SHUTOFF","typed":"ShutOff"}"#,
                Err("`typed` is not part of a derive answer (it has `status`, `vm_state`, `task_state`)".into()),
            ),
            (
                List,
                r#"{"seq":1,"servers":[{"id":"a","status":"ACTIVE"}]}"#,
                Ok(Answer::List(vec![ListedServer {
                    id: "a".into(),
                    status: "ACTIVE".into(),
                    typed: None,
                }])),
            ),
            (
                List,
                r#"{"seq":1}"#,
                Err("it has none of `servers`, `skipped`, `errored`".into()),
            ),
            (
                Wait,
                r#"{"seq":1,"wait":{"outcome":"failed","status":"ERROR"}}"#,
                Ok(Answer::Wait(WaitAnswer {
                    outcome: WaitOutcome::Failed,
                    status: Some("ERROR".into()),
                    message: None,
                })),
            ),
            (
                Wait,
                r#"{"seq":1,"wait":{"outcome":"done"}}"#,
                Err("unknown variant `done`, expected one of `reached`, `failed`, `gone`, `timeout`".into()),
            ),
        ];
        for (kind, line, want) in rows {
            assert_eq!(answer(kind, line), want, "{line}");
        }
    }
}
