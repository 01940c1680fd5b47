//! The judgement of the adapter kinds of protocol v2 (DESIGN-v2 §2): proven fetches, surface,
//! list and wait. Pure functions, no I/O: the runner gathers the answer and the fake's journal,
//! these say pass or fail and why.

use crate::outcome::Outcome;
use crate::report::Poll;
use crate::target::adapter::{ListedServer, ModelKind, StatusModel, WaitAnswer, WaitOutcome};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A verdict with its one-line reason (for a non-pass).
pub type Verdict = (Outcome, Option<String>);

/// The message of an answer the journal does not back.
pub const NOT_FETCHED: &str = "answered without fetching";

/// How the fake's journal names a token: the first 16 hex digits of its SHA-256.
///
/// ```
/// use harness::judge::kinds::token_fingerprint;
///
/// // Arrange / Act / Assert
/// assert_eq!(token_fingerprint("abc"), "ba7816bf8f01cfea");
/// ```
pub fn token_fingerprint(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// What the harness looks for in the journal.
#[derive(Debug, Clone, Copy)]
pub enum Fetched<'a> {
    /// A GET of this server (Nova `/servers/{id}` or ECS `/v1/{project}/cloudservers/{id}`).
    Server(&'a str),
    /// A GET of a server listing.
    Listing,
}

/// True when `entries` (the journal between the `run` and the answer) hold the GET that proves
/// the adapter fetched, made with the token whose fingerprint is `token`.
///
/// ```
/// use harness::judge::kinds::{Fetched, proves_fetch};
/// use serde_json::json;
///
/// // Arrange
/// let entries = [json!({"seq": 4, "method": "GET", "path": "/compute/v2.1/servers/s-1",
///                       "server_id": "s-1", "token": "0123456789abcdef", "status": 200})];
///
/// // Act / Assert
/// assert!(proves_fetch(&entries, Fetched::Server("s-1"), "0123456789abcdef"));
/// assert!(!proves_fetch(&entries, Fetched::Server("s-1"), "ffffffffffffffff"));
/// assert!(!proves_fetch(&entries, Fetched::Listing, "0123456789abcdef"));
/// ```
pub fn proves_fetch(entries: &[Value], what: Fetched<'_>, token: &str) -> bool {
    entries.iter().any(|e| {
        let get = e.get("method").and_then(Value::as_str) == Some("GET");
        let mine = e.get("token").and_then(Value::as_str) == Some(token);
        let path = e.get("path").and_then(Value::as_str).unwrap_or_default();
        let hit = match what {
            Fetched::Server(id) => e.get("server_id").and_then(Value::as_str) == Some(id),
            Fetched::Listing => {
                e.get("server_id").is_none_or(Value::is_null)
                    && (path.ends_with("/servers")
                        || path.ends_with("/servers/detail")
                        || path.ends_with("/cloudservers/detail")
                        || path.ends_with("/cloudservers"))
            }
        };
        get && mine && hit
    })
}

/// The polls of one server in the journal: GETs of `server_id` with the adapter's token, in
/// order, with what was served.
pub fn polls_of(entries: &[Value], server_id: &str, token: &str) -> Vec<Poll> {
    entries
        .iter()
        .filter(|e| {
            e.get("method").and_then(Value::as_str) == Some("GET")
                && e.get("token").and_then(Value::as_str) == Some(token)
                && e.get("server_id").and_then(Value::as_str) == Some(server_id)
        })
        .map(|e| {
            let served = e.get("served");
            let field = |k: &str| {
                served
                    .and_then(|s| s.get(k))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let http = e.get("status").and_then(Value::as_u64).unwrap_or_default();
            Poll {
                status: field("status"),
                vm_state: field("vm_state"),
                task_state: field("task_state"),
                gone: http == 404,
            }
        })
        .collect()
}

/// Judges a `surface` answer for status `expected` of a profile whose statuses are `statuses`.
pub fn surface(
    expected: &str,
    status: &str,
    typed: &str,
    model: &StatusModel,
    statuses: &[&str],
) -> Verdict {
    if status != expected {
        return fail(format!(
            "surface: SDK surfaced status {status:?} for a server the fake shows as {expected}"
        ));
    }
    match own_typed(expected, typed, model, statuses) {
        Some(why) => fail(format!("surface: {why}")),
        None => (Outcome::Pass, None),
    }
}

/// Why `typed` is not the SDK's own typed value for `status` (None when it is).
fn own_typed(status: &str, typed: &str, model: &StatusModel, statuses: &[&str]) -> Option<String> {
    let Some(declared) = model.typed_for(status) else {
        return Some(format!(
            "SDK surfaced {typed:?} for {status}, which its model does not list (it declares that it raises)"
        ));
    };
    if typed != declared {
        return Some(format!(
            "SDK surfaced {typed:?} but declares {declared:?} for {status}"
        ));
    }
    let catch_all = model
        .unknown
        .as_deref()
        .filter(|_| model.kind == ModelKind::Enum);
    if catch_all == Some(typed) && status != crate::case::UNKNOWN {
        return Some(format!(
            "{status} surfaced as {typed:?}, the SDK's catch-all"
        ));
    }
    // A clash counts with statuses the SDK maps explicitly; those that fall into the catch-all
    // are judged on their own case.
    let shared = statuses.iter().find(|other| {
        **other != status && model.values.get(**other).map(String::as_str) == Some(typed)
    });
    shared
        .map(|other| format!("{status} surfaced as {typed:?}, which the SDK also uses for {other}"))
}

/// A server a `list` case seeded, as the judge needs it.
#[derive(Debug, Clone)]
pub struct SeededListServer {
    /// Its id.
    pub id: String,
    /// The status the fake serves for it.
    pub status: String,
    /// True for the odd one.
    pub odd: bool,
}

/// Judges a `list` answer: every seeded server exactly once, the ordinary ones with their status
/// (and their own typed value), the odd one raw or as the declared unknown value.
pub fn list(
    seeded: &[SeededListServer],
    servers: &[ListedServer],
    model: Option<&StatusModel>,
    statuses: &[&str],
) -> Verdict {
    let mut problems = Vec::new();
    for s in seeded {
        let found: Vec<&ListedServer> = servers.iter().filter(|l| l.id == s.id).collect();
        let [got] = found.as_slice() else {
            problems.push(if found.is_empty() {
                format!("the server showing {:?} is missing", s.status)
            } else {
                format!(
                    "the server showing {:?} is listed {} times",
                    s.status,
                    found.len()
                )
            });
            continue;
        };
        if s.odd {
            let raw = got.status == s.status;
            let unknown = model
                .and_then(|m| m.unknown.as_deref().filter(|_| m.kind == ModelKind::Enum))
                .is_some_and(|u| got.typed.as_deref() == Some(u));
            if !raw && !unknown {
                problems.push(format!(
                    "the odd status {:?} surfaced as {:?}{} (expected: raw, or the SDK's declared unknown value)",
                    s.status,
                    got.status,
                    typed_suffix(got)
                ));
            }
            continue;
        }
        if got.status != s.status {
            problems.push(format!(
                "{} surfaced as {:?}{}",
                s.status,
                got.status,
                typed_suffix(got)
            ));
        } else if let (Some(model), Some(typed)) = (model, got.typed.as_deref())
            && let Some(why) = own_typed(&s.status, typed, model, statuses)
        {
            problems.push(why);
        }
    }
    if problems.is_empty() {
        (Outcome::Pass, None)
    } else {
        fail(format!("list: {}", problems.join("; ")))
    }
}

fn typed_suffix(l: &ListedServer) -> String {
    l.typed
        .as_deref()
        .map_or_else(String::new, |t| format!(" (typed {t:?})"))
}

/// What a `wait` case expects, for one profile.
#[derive(Debug, Clone)]
pub struct WaitExpectation<'a> {
    /// The statuses served per timeline step, for the failure text (e.g. `BUILD → ERROR`).
    pub path: &'a str,
    /// How many polls (1-based) until the last step is first served.
    pub last_step_from_poll: usize,
    /// The expected outcome.
    pub outcome: WaitOutcome,
    /// At most this many polls from the first poll that served the last step.
    pub within_polls: Option<u32>,
    /// The target status (for the text).
    pub target: Option<&'a str>,
}

/// Judges a `wait` answer against the polls the fake's journal recorded.
pub fn wait(expect: &WaitExpectation<'_>, answer: &WaitAnswer, polls: &[Poll]) -> Verdict {
    let n = polls.len();
    let prefix = format!("wait: {}", expect.path);
    if n == 0 {
        return (
            Outcome::Error,
            Some(format!(
                "{NOT_FETCHED}: the waiter answered {} without polling the server",
                answer.outcome.as_str()
            )),
        );
    }
    if answer.outcome == WaitOutcome::Reached
        && let Some(last) = polls.last()
        && let Some(task) = &last.task_state
    {
        return fail(format!(
            "{prefix}: waiter returned at poll {n} while task_state was {task} (status {}; expected: wait until no task runs)",
            last.status.as_deref().unwrap_or("none")
        ));
    }
    if answer.outcome != expect.outcome {
        let wanted = match expect.outcome {
            WaitOutcome::Failed => "fail fast".to_owned(),
            WaitOutcome::Gone => "treat the server as gone".to_owned(),
            WaitOutcome::Reached => format!("reach {}", expect.target.unwrap_or("the target")),
            WaitOutcome::Timeout => "keep waiting until its own timeout".to_owned(),
        };
        let did = match answer.outcome {
            WaitOutcome::Timeout => format!("waiter still polling after {n} polls"),
            other => format!("waiter returned {} after {n} polls", other.as_str()),
        };
        return fail(format!("{prefix}: {did} (expected: {wanted})"));
    }
    if let Some(within) = expect.within_polls {
        let since = (n + 1).saturating_sub(expect.last_step_from_poll);
        if n < expect.last_step_from_poll {
            return fail(format!(
                "{prefix}: waiter returned {} after {n} polls, before the last step was served (poll {})",
                answer.outcome.as_str(),
                expect.last_step_from_poll
            ));
        }
        if since > within as usize {
            return fail(format!(
                "{prefix}: waiter took {since} polls after the last step appeared (expected: at most {within})"
            ));
        }
    }
    (Outcome::Pass, None)
}

fn fail(why: String) -> Verdict {
    (Outcome::Fail, Some(why))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::adapter::StatusModel;

    fn model(json: &str) -> StatusModel {
        serde_json::from_str(json).unwrap()
    }

    const STATUSES: [&str; 5] = ["ACTIVE", "SHUTOFF", "ERROR", "RESCUE", "UNKNOWN"];

    #[test]
    fn surface_catches_catch_all_shared_bucket_and_lies() {
        let pkg = model(
            r#"{"kind":"enum","name":"pkgcloud","values":{"ACTIVE":"running","ERROR":"error","RESCUE":"error"},"unknown":"unknown"}"#,
        );
        let rows = [
            ("ACTIVE", "ACTIVE", "running", (Outcome::Pass, None)),
            (
                "SHUTOFF",
                "SHUTOFF",
                "unknown",
                fail("surface: SHUTOFF surfaced as \"unknown\", the SDK's catch-all".into()),
            ),
            (
                "RESCUE",
                "RESCUE",
                "error",
                fail(
                    "surface: RESCUE surfaced as \"error\", which the SDK also uses for ERROR"
                        .into(),
                ),
            ),
            (
                "ACTIVE",
                "ACTIVE",
                "stopped",
                fail(
                    "surface: SDK surfaced \"stopped\" but declares \"running\" for ACTIVE".into(),
                ),
            ),
            ("UNKNOWN", "UNKNOWN", "unknown", (Outcome::Pass, None)),
            (
                "ACTIVE",
                "active",
                "running",
                fail(
                    "surface: SDK surfaced status \"active\" for a server the fake shows as ACTIVE"
                        .into(),
                ),
            ),
        ];
        for (expected, status, typed, want) in rows {
            assert_eq!(
                surface(expected, status, typed, &pkg, &STATUSES),
                want,
                "{expected} {typed}"
            );
        }
        let string = model(r#"{"kind":"string","name":"str","values":{},"unknown":null}"#);
        assert_eq!(
            surface("RESCUE", "RESCUE", "RESCUE", &string, &STATUSES),
            (Outcome::Pass, None)
        );
    }

    fn listed(id: &str, status: &str, typed: Option<&str>) -> ListedServer {
        ListedServer {
            id: id.into(),
            status: status.into(),
            typed: typed.map(str::to_owned),
        }
    }

    #[test]
    fn list_needs_every_server_once_and_the_odd_one_raw_or_unknown() {
        let seeded = [
            SeededListServer {
                id: "a".into(),
                status: "ACTIVE".into(),
                odd: false,
            },
            SeededListServer {
                id: "b".into(),
                status: "SHUTOFF".into(),
                odd: false,
            },
            SeededListServer {
                id: "x".into(),
                status: "HIBERNATED".into(),
                odd: true,
            },
        ];
        let enum_model = model(
            r#"{"kind":"enum","name":"S","values":{"ACTIVE":"Active","SHUTOFF":"ShutOff"},"unknown":"Unknown"}"#,
        );
        let good = [
            listed("a", "ACTIVE", Some("Active")),
            listed("b", "SHUTOFF", Some("ShutOff")),
            listed("x", "HIBERNATED", Some("Unknown")),
        ];
        assert_eq!(
            list(&seeded, &good, Some(&enum_model), &STATUSES),
            (Outcome::Pass, None)
        );
        let bad = [
            listed("a", "ACTIVE", Some("Active")),
            listed("a", "ACTIVE", Some("Active")),
            listed("x", "ACTIVE", Some("Active")),
        ];
        assert_eq!(
            list(&seeded, &bad, Some(&enum_model), &STATUSES),
            fail("list: the server showing \"ACTIVE\" is listed 2 times; the server showing \"SHUTOFF\" is missing; the odd status \"HIBERNATED\" surfaced as \"ACTIVE\" (typed \"Active\") (expected: raw, or the SDK's declared unknown value)".into())
        );
    }

    fn poll(status: &str, task: Option<&str>) -> Poll {
        Poll {
            status: Some(status.into()),
            vm_state: None,
            task_state: task.map(str::to_owned),
            gone: false,
        }
    }

    fn answer(outcome: WaitOutcome) -> WaitAnswer {
        WaitAnswer {
            outcome,
            status: None,
            message: None,
        }
    }

    #[test]
    fn wait_fails_a_waiter_that_ignores_error_or_trusts_status_during_a_task() {
        let expect = WaitExpectation {
            path: "BUILD → ERROR",
            last_step_from_poll: 3,
            outcome: WaitOutcome::Failed,
            within_polls: Some(3),
            target: Some("ACTIVE"),
        };
        let mut polls = vec![poll("BUILD", Some("spawning")); 2];
        polls.extend(vec![poll("ERROR", None); 28]);
        assert_eq!(
            wait(&expect, &answer(WaitOutcome::Timeout), &polls),
            fail(
                "wait: BUILD → ERROR: waiter still polling after 30 polls (expected: fail fast)"
                    .into()
            )
        );
        assert_eq!(
            wait(&expect, &answer(WaitOutcome::Failed), &polls[..3]),
            (Outcome::Pass, None)
        );
        assert_eq!(
            wait(&expect, &answer(WaitOutcome::Failed), &polls[..6]),
            fail("wait: BUILD → ERROR: waiter took 4 polls after the last step appeared (expected: at most 3)".into())
        );
        assert_eq!(
            wait(&expect, &answer(WaitOutcome::Failed), &[]).0,
            Outcome::Error
        );
        let trust = WaitExpectation {
            path: "ACTIVE → SHUTOFF",
            last_step_from_poll: 4,
            outcome: WaitOutcome::Timeout,
            within_polls: None,
            target: Some("ACTIVE"),
        };
        assert_eq!(
            wait(&trust, &answer(WaitOutcome::Reached), &[poll("ACTIVE", Some("powering-off"))]),
            fail("wait: ACTIVE → SHUTOFF: waiter returned at poll 1 while task_state was powering-off (status ACTIVE; expected: wait until no task runs)".into())
        );
    }

    #[test]
    fn listing_and_server_fetches_are_told_apart() {
        let entries = [
            serde_json::json!({"method": "GET", "path": "/compute/v2.1/servers/detail",
                                          "token": "t", "status": 200}),
        ];
        assert!(proves_fetch(&entries, Fetched::Listing, "t"));
        assert!(!proves_fetch(&entries, Fetched::Server("a"), "t"));
    }
}
