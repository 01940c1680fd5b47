//! The wire messages of protocol v1 (`adapters/PROTOCOL.md`, `adapters/protocol.schema.json`).
//!
//! Requests are serialized from borrowed data; answers are parsed in two steps so that the most
//! useful complaint comes first: the field that routes the message (`version`, `seq`) is read
//! leniently, then the whole message strictly (`deny_unknown_fields`, so a misspelt `stauts` is
//! named rather than reported as a missing `status`).

use crate::report::Implementation;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The protocol version this harness speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// What an adapter can do, from its `start` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Capability {
    /// Computes the status from `case.vm_state` / `case.task_state` (a library, upstream Nova).
    Derive,
    /// Fetches the seeded server with its SDK from `run.fetch` and answers what the SDK surfaced.
    Fetch,
}

impl Capability {
    /// `derive` or `fetch`, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Derive => "derive",
            Capability::Fetch => "fetch",
        }
    }
}

/// Where a `fetch` adapter finds the case's server: the `fetch` object of a `run` request.
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
///     server_id: "s".into(),
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
    /// A token valid for `project_id`.
    pub token: String,
    /// The project owning the server.
    pub project_id: String,
    /// The server seeded for the case.
    pub server_id: String,
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
        case: CaseMessage<'a>,
        server: &'a Value,
        #[serde(skip_serializing_if = "Option::is_none")]
        fetch: Option<&'a FetchInfo>,
    },
    Stop,
}

/// The `case` object of a `run` request. Deliberately without the expected status.
#[derive(Debug, Serialize)]
pub(crate) struct CaseMessage<'a> {
    pub(crate) id: &'a str,
    pub(crate) vm_state: Option<&'a str>,
    pub(crate) task_state: Option<&'a str>,
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

impl From<ImplementationMessage> for Implementation {
    fn from(m: ImplementationMessage) -> Self {
        Implementation {
            name: m.name,
            version: m.version,
            language: m.language,
            homepage: m.homepage,
        }
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

/// A `run` answer once it is known to be exactly one of the three kinds.
#[derive(Debug, PartialEq)]
pub(crate) enum Answer {
    Status {
        status: String,
        vm_state: Option<Option<String>>,
        task_state: Option<Option<String>>,
    },
    Skipped {
        reason: String,
        issue_url: Option<String>,
    },
    Errored {
        message: String,
        traceback: Option<String>,
    },
}

impl RunResponse {
    /// Checks that exactly one of `status`, `skipped`, `errored` is present.
    pub(crate) fn into_answer(self) -> Result<Answer, String> {
        let echoes = self.vm_state.is_some() || self.task_state.is_some();
        match (self.status, self.skipped, self.errored) {
            (Some(status), None, None) => Ok(Answer::Status {
                status,
                vm_state: self.vm_state,
                task_state: self.task_state,
            }),
            (None, Some(s), None) if !echoes => Ok(Answer::Skipped {
                reason: s.reason,
                issue_url: s.issue_url,
            }),
            (None, None, Some(e)) if !echoes => Ok(Answer::Errored {
                message: e.message,
                traceback: e.traceback,
            }),
            (None, None, None) => Err("it has none of `status`, `skipped`, `errored`".to_owned()),
            (None, _, _) if echoes => {
                Err("`vm_state`/`task_state` may only come with `status`".to_owned())
            }
            _ => Err("it has more than one of `status`, `skipped`, `errored`".to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(line: &str) -> Result<Answer, String> {
        // As in the harness: the line is parsed as JSON first, then read as an answer.
        let value: Value = serde_json::from_str(line).unwrap();
        serde_json::from_value::<RunResponse>(value)
            .map_err(|e| e.to_string())
            .and_then(RunResponse::into_answer)
    }

    #[test]
    fn run_request_carries_no_expected_status_and_omits_absent_fetch() {
        let server = serde_json::json!({"status": "REBOOT"});
        let line = Request::Run {
            seq: 7,
            case: CaseMessage {
                id: "p/active/null",
                vm_state: Some("active"),
                task_state: None,
            },
            server: &server,
            fetch: None,
        }
        .to_line();
        assert_eq!(
            line,
            r#"{"cmd":"run","seq":7,"case":{"id":"p/active/null","vm_state":"active","task_state":null},"server":{"status":"REBOOT"}}"#
        );
        assert_eq!(Request::Stop.to_line(), r#"{"cmd":"stop"}"#);
        assert_eq!(
            Request::Start { version: 1 }.to_line(),
            r#"{"cmd":"start","version":1}"#
        );
    }

    #[test]
    fn answers_are_classified_and_echoed_null_differs_from_absent() {
        let rows: [(&str, Result<Answer, String>); 6] = [
            (
                r#"{"seq":1,"status":"ACTIVE"}"#,
                Ok(Answer::Status {
                    status: "ACTIVE".into(),
                    vm_state: None,
                    task_state: None,
                }),
            ),
            (
                r#"{"seq":1,"status":"ACTIVE","vm_state":"active","task_state":null}"#,
                Ok(Answer::Status {
                    status: "ACTIVE".into(),
                    vm_state: Some(Some("active".into())),
                    task_state: Some(None),
                }),
            ),
            (
                r#"{"seq":1,"skipped":{"reason":"r"}}"#,
                Ok(Answer::Skipped {
                    reason: "r".into(),
                    issue_url: None,
                }),
            ),
            (
                r#"{"seq":1,"status":"A","errored":{"message":"m"}}"#,
                Err("it has more than one of `status`, `skipped`, `errored`".into()),
            ),
            (
                r#"{"seq":1}"#,
                Err("it has none of `status`, `skipped`, `errored`".into()),
            ),
            (
                r#"{"seq":1,"stauts":"A"}"#,
                Err("unknown field `stauts`, expected one of `seq`, `status`, `vm_state`, `task_state`, `skipped`, `errored`".into()),
            ),
        ];
        for (line, want) in rows {
            assert_eq!(answer(line), want, "{line}");
        }
    }
}
