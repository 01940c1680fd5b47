//! The adapter protocol (v1 and v2, see `adapters/PROTOCOL.md`) for the Rust adapters, with no
//! dependency beyond `serde_json`. Each adapter includes this file with
//! `#[path = "../../rust-common/protocol.rs"] mod protocol;` (the adapters are separate Cargo
//! projects, outside the workspace, so a shared crate would be a third project to build).
//!
//! An adapter implements [`Adapter`] and calls [`serve`]. stdout carries protocol lines only;
//! everything else goes to stderr.

// Not every adapter uses every helper.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::io::{BufRead, Write};

/// The newest protocol version spoken here.
const NEWEST: u64 = 2;

/// What the handshake says about the implementation under test.
pub struct Handshake {
    /// `{"name", "version", "language", "homepage"}` of the SDK (not of the adapter).
    pub implementation: Value,
    /// Every kind answered under v2 (`fetch`, `surface`, `list`, `wait`).
    pub capabilities: &'static [&'static str],
    /// The SDK's status model (DESIGN-v2 §2).
    pub status_model: Value,
}

/// One SDK behind the protocol.
pub trait Adapter {
    /// The handshake's contents.
    fn handshake(&self) -> Handshake;
    /// Answers one `run` of `kind` (v1 requests are `fetch` when they carry `fetch`, otherwise
    /// `derive`). Returns the answer without `seq`; an `Err` is answered as [`errored`].
    fn run(&mut self, kind: &str, request: &Value) -> Result<Value, String>;
}

/// An `errored` answer; `message` is folded onto one line.
pub fn errored(message: impl std::fmt::Display) -> Value {
    let one_line = message
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    json!({"errored": {"message": one_line}})
}

/// An error and its sources on one line (`outer: cause: root cause`), so that e.g. the serde
/// message behind an SDK's "error decoding response body" reaches the report.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

/// A `skipped` answer with its reason.
pub fn skipped(reason: &str) -> Value {
    json!({"skipped": {"reason": reason}})
}

/// A string member of the request's `fetch` object, or an error naming it.
pub fn fetch_field<'a>(request: &'a Value, field: &str) -> Result<&'a str, String> {
    request
        .get("fetch")
        .and_then(|f| f.get(field))
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the run request has no fetch.{field}"))
}

/// Reads requests from stdin until `stop` or EOF and answers each on stdout.
pub fn serve(adapter: &mut impl Adapter) {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    let mut version = NEWEST;
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let request: Value = match serde_json::from_str(&line) {
            Ok(request) => request,
            Err(e) => {
                eprintln!("adapter: ignoring a request that is not JSON: {e}");
                continue;
            }
        };
        let answer = match request.get("cmd").and_then(Value::as_str) {
            Some("start") => {
                let asked = request.get("version").and_then(Value::as_u64);
                version = if asked == Some(1) { 1 } else { NEWEST };
                start_answer(&adapter.handshake(), version)
            }
            Some("run") => {
                let kind = run_kind(&request, version);
                let mut answer = adapter.run(&kind, &request).unwrap_or_else(errored);
                answer["seq"] = request.get("seq").cloned().unwrap_or(Value::Null);
                answer
            }
            Some("stop") => return,
            other => {
                eprintln!("adapter: ignoring unknown command {other:?}");
                continue;
            }
        };
        if writeln!(stdout, "{answer}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            return;
        }
    }
}

/// The `start` answer for the version spoken: v1 knows only `derive` and `fetch`.
fn start_answer(handshake: &Handshake, version: u64) -> Value {
    let mut answer = json!({"version": version, "implementation": handshake.implementation});
    if version == 1 {
        let v1: Vec<&str> = handshake
            .capabilities
            .iter()
            .copied()
            .filter(|c| matches!(*c, "derive" | "fetch"))
            .collect();
        answer["capabilities"] = json!(v1);
    } else {
        answer["capabilities"] = json!(handshake.capabilities);
        answer["status_model"] = handshake.status_model.clone();
    }
    answer
}

/// v2 names the kind; v1 fetches when `fetch` is present and derives otherwise.
fn run_kind(request: &Value, version: u64) -> String {
    match request.get("kind").and_then(Value::as_str) {
        Some(kind) if version >= 2 => kind.to_owned(),
        _ if request.get("fetch").is_some() => "fetch".to_owned(),
        _ => "derive".to_owned(),
    }
}
