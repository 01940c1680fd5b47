//! [`Question`]: one `run` request as the harness means it, rendered for the protocol version
//! the adapter speaks.

use super::protocol::{Capability, CaseMessage, FetchInfo, PROTOCOL_V1, Request, WaitSpec};
use serde_json::json;

/// One question to an adapter: an opaque id, the kind, and what that kind needs.
///
/// The pair (`vm_state`, `task_state`) goes on the wire only for `derive` questions (and, for
/// schema compatibility, in every v1 question); fetch-like kinds find the server through
/// `fetch`. Nothing in a question carries the expected status or the profile judged.
///
/// ```
/// use harness::target::adapter::{Capability, Question};
///
/// // Arrange
/// let q = Question::derive("q0000abcd-3", Some("active"), None);
///
/// // Act / Assert
/// assert_eq!(q.kind, Capability::Derive);
/// assert_eq!(q.id, "q0000abcd-3");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Question<'a> {
    /// The opaque, per-run id (`q<8 hex>-<n>`).
    pub id: &'a str,
    /// What is asked.
    pub kind: Capability,
    /// The case's vm_state (sent for derive, and in v1).
    pub vm_state: Option<&'a str>,
    /// The case's task_state (sent for derive, and in v1).
    pub task_state: Option<&'a str>,
    /// Where the server (or the listing) is: every kind but derive.
    pub fetch: Option<&'a FetchInfo>,
    /// What to wait for: wait questions.
    pub wait: Option<&'a WaitSpec>,
}

impl<'a> Question<'a> {
    /// A derive question for a pair.
    pub fn derive(id: &'a str, vm_state: Option<&'a str>, task_state: Option<&'a str>) -> Self {
        Question {
            id,
            kind: Capability::Derive,
            vm_state,
            task_state,
            fetch: None,
            wait: None,
        }
    }

    /// A fetch-like question (`fetch`, `surface`, `list`, `wait`) about the server in `fetch`.
    /// The pair is only sent to v1 adapters (whose schema requires it).
    pub fn fetching(id: &'a str, kind: Capability, fetch: &'a FetchInfo) -> Self {
        Question {
            id,
            kind,
            vm_state: None,
            task_state: None,
            fetch: Some(fetch),
            wait: None,
        }
    }

    /// The same question with the pair (for a v1 fetch, which echoes it in `case`).
    pub fn with_pair(mut self, vm_state: Option<&'a str>, task_state: Option<&'a str>) -> Self {
        self.vm_state = vm_state;
        self.task_state = task_state;
        self
    }

    /// The same question with a wait spec.
    pub fn with_wait(mut self, wait: &'a WaitSpec) -> Self {
        self.wait = Some(wait);
        self
    }

    /// The `run` request for an adapter speaking `version`.
    pub(crate) fn request(&self, seq: u64, version: u32) -> Request<'a> {
        if version == PROTOCOL_V1 {
            // v1: kind-less; `case` always has the pair and `server` only id + the two states.
            let id = self
                .fetch
                .and_then(|f| f.server_id.as_deref())
                .unwrap_or(self.id);
            return Request::Run {
                seq,
                kind: None,
                case: CaseMessage {
                    id: self.id,
                    vm_state: Some(self.vm_state),
                    task_state: Some(self.task_state),
                },
                server: Some(json!({"id": id, "OS-EXT-STS:vm_state": self.vm_state,
                                    "OS-EXT-STS:task_state": self.task_state})),
                fetch: self.fetch.filter(|_| self.kind == Capability::Fetch),
                wait: None,
            };
        }
        let derive = self.kind == Capability::Derive;
        Request::Run {
            seq,
            kind: Some(self.kind),
            case: CaseMessage {
                id: self.id,
                vm_state: derive.then_some(self.vm_state),
                task_state: derive.then_some(self.task_state),
            },
            server: None,
            fetch: self.fetch.filter(|_| !derive),
            wait: self.wait.filter(|_| self.kind == Capability::Wait),
        }
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn fetch() -> FetchInfo {
        FetchInfo {
            compute_url: "c".into(),
            auth_url: "a".into(),
            token: "t".into(),
            project_id: "p".into(),
            server_id: Some("s-1".into()),
        }
    }

    /// A fetch question with a pair: v1 adapters get the pair and a server body, v2 only the
    /// fetch.
    #[rstest]
    #[case::v1_fetch_gets_a_server_without_status_and_the_pair(
        1,
        r#"{"cmd":"run","seq":2,"case":{"id":"q00000001-2","vm_state":"active","task_state":"rebooting"},"server":{"OS-EXT-STS:task_state":"rebooting","OS-EXT-STS:vm_state":"active","id":"s-1"},"fetch":{"compute_url":"c","auth_url":"a","token":"t","project_id":"p","server_id":"s-1"}}"#
    )]
    #[case::v2_fetch_gets_no_pair(
        2,
        r#"{"cmd":"run","seq":2,"kind":"fetch","case":{"id":"q00000001-2"},"fetch":{"compute_url":"c","auth_url":"a","token":"t","project_id":"p","server_id":"s-1"}}"#
    )]
    fn a_fetch_question(#[case] version: u32, #[case] want: &str) {
        let f = fetch();
        let q = Question::fetching("q00000001-2", Capability::Fetch, &f)
            .with_pair(Some("active"), Some("rebooting"));
        assert_eq!(q.request(2, version).to_line(), want);
    }

    #[test]
    fn v1_derive_gets_the_opaque_id_as_server_id() {
        let q = Question::derive("q00000001-1", None, Some(""));
        assert_eq!(
            q.request(1, 1).to_line(),
            r#"{"cmd":"run","seq":1,"case":{"id":"q00000001-1","vm_state":null,"task_state":""},"server":{"OS-EXT-STS:task_state":"","OS-EXT-STS:vm_state":null,"id":"q00000001-1"}}"#
        );
    }
}
