//! Scenarios as data: `cases/scenarios/*.json` (schema `cases/schema/scenario.schema.json`).
//!
//! A scenario is a `list` (servers seeded side by side, one with a status outside every profile)
//! or a `wait` (one server whose `(vm_state, task_state)` follows a timeline, advancing per poll)
//! case, with the outcome each profile expects and the public report it reproduces. The built-in
//! scenarios are embedded in the binary; [`Scenario::from_slice`] loads any file with errors that
//! say `FILE:LINE:COL: FIELD: message`.

use super::locate::locate;
use crate::target::adapter::{WaitOutcome, WaitUntil};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `format_version` this harness reads.
pub const SCENARIO_FORMAT_VERSION: u32 = 1;

/// The built-in scenarios: `(file name, contents)`, in file-name order.
const BUILTIN: [(&str, &str); 12] = [
    (
        "build-then-error.json",
        include_str!("../../../cases/scenarios/build-then-error.json"),
    ),
    (
        "delete-soft-deleted.json",
        include_str!("../../../cases/scenarios/delete-soft-deleted.json"),
    ),
    (
        "delete-then-gone.json",
        include_str!("../../../cases/scenarios/delete-then-gone.json"),
    ),
    (
        "list-empty-status.json",
        include_str!("../../../cases/scenarios/list-empty-status.json"),
    ),
    (
        "list-every-status.json",
        include_str!("../../../cases/scenarios/list-every-status.json"),
    ),
    (
        "list-future-status.json",
        include_str!("../../../cases/scenarios/list-future-status.json"),
    ),
    (
        "list-lowercase-status.json",
        include_str!("../../../cases/scenarios/list-lowercase-status.json"),
    ),
    (
        "pause-to-paused.json",
        include_str!("../../../cases/scenarios/pause-to-paused.json"),
    ),
    (
        "powering-off-then-shutoff.json",
        include_str!("../../../cases/scenarios/powering-off-then-shutoff.json"),
    ),
    (
        "reboot-then-active.json",
        include_str!("../../../cases/scenarios/reboot-then-active.json"),
    ),
    (
        "rescue-to-rescued.json",
        include_str!("../../../cases/scenarios/rescue-to-rescued.json"),
    ),
    (
        "shelve-to-offloaded.json",
        include_str!("../../../cases/scenarios/shelve-to-offloaded.json"),
    ),
];

/// Every built-in scenario, parsed and checked.
///
/// ```
/// use harness::case::builtin_scenarios;
///
/// // Arrange / Act
/// let scenarios = builtin_scenarios().unwrap();
///
/// // Assert
/// assert!(scenarios.iter().any(|s| s.name == "build-then-error"));
/// ```
pub fn builtin_scenarios() -> Result<Vec<Scenario>, ScenarioError> {
    BUILTIN
        .iter()
        .map(|(file, text)| {
            Scenario::from_slice(&format!("cases/scenarios/{file}"), text.as_bytes())
        })
        .collect()
}

/// `list` or `wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScenarioKind {
    /// A listing with one odd status among ordinary servers.
    List,
    /// A waiter on a server following a timeline.
    Wait,
}

impl ScenarioKind {
    /// `list` or `wait`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScenarioKind::List => "list",
            ScenarioKind::Wait => "wait",
        }
    }
}

/// A public report the scenario reproduces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reproduces {
    /// Its URL.
    pub url: String,
    /// What it says, in one line.
    pub summary: String,
}

/// One step of a timeline: served to the next `polls` GETs of the server (the last forever).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// `OS-EXT-STS:vm_state` (absent for a `gone` step).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub vm_state: Option<Option<String>>,
    /// `OS-EXT-STS:task_state`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_state: Option<Option<String>>,
    /// Overrides the derived status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// How many polls the step lasts (the last step lasts forever).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polls: Option<u32>,
    /// The server is gone (404) from this step on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gone: bool,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

impl Step {
    /// `vm_state/task_state`, `gone`, or with the status override.
    pub fn label(&self) -> String {
        if self.gone {
            return "gone".to_owned();
        }
        let state =
            |s: &Option<Option<String>>| super::state_label(s.as_ref().and_then(|s| s.as_deref()));
        let pair = format!("{}/{}", state(&self.vm_state), state(&self.task_state));
        match &self.status {
            Some(s) => format!("{pair} (status {s:?})"),
            None => pair,
        }
    }
}

/// What a `wait` scenario asks the waiter to wait for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitTarget {
    /// `status` or `deleted`.
    pub until: WaitUntil,
    /// The status to wait for (`null` for `deleted`).
    #[serde(default)]
    pub target: Option<String>,
    /// The waiter's timeout, in seconds.
    pub timeout_s: f64,
}

/// A server of a `list` scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListServer {
    /// `OS-EXT-STS:vm_state`.
    pub vm_state: Option<String>,
    /// `OS-EXT-STS:task_state`.
    pub task_state: Option<String>,
    /// Overrides the derived status (the odd server's).
    #[serde(default)]
    pub status: Option<String>,
}

/// What a profile expects of a `wait` scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// How the waiter must end.
    pub outcome: WaitOutcome,
    /// At most this many polls from the first poll that served the last step.
    #[serde(default)]
    pub within_polls: Option<u32>,
}

/// One scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// `../schema/scenario.schema.json`.
    #[serde(rename = "$schema", default, skip_serializing)]
    pub schema: Option<String>,
    /// Always [`SCENARIO_FORMAT_VERSION`].
    pub format_version: u32,
    /// The file name without `.json`; case ids end with it.
    pub name: String,
    /// `list` or `wait`.
    pub kind: ScenarioKind,
    /// One line for reports.
    pub title: String,
    /// The public reports it reproduces (at least one).
    pub reproduces: Vec<Reproduces>,
    /// `wait`: the steps the server goes through.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<Step>,
    /// `wait`: what the waiter waits for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<WaitTarget>,
    /// `list`: the servers seeded side by side.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<ListServer>,
    /// `list`: the index of the odd server in `servers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub odd: Option<usize>,
    /// `wait`: the expectation per profile name, `default` for the others.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub expect: BTreeMap<String, Expectation>,
}

/// A scenario file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .errors.join("\n"))]
pub struct ScenarioError {
    /// The file as named.
    pub file: String,
    /// One line per problem: `FILE:LINE:COL: FIELD: message`.
    pub errors: Vec<String>,
}

impl Scenario {
    /// Parses and checks a scenario file; `file` names it in errors.
    pub fn from_slice(file: &str, bytes: &[u8]) -> Result<Scenario, ScenarioError> {
        let fail = |errors: Vec<String>| ScenarioError {
            file: file.to_owned(),
            errors,
        };
        let text = std::str::from_utf8(bytes)
            .map_err(|e| fail(vec![format!("{file}: not UTF-8: {e}")]))?;
        let scenario: Scenario = serde_json::from_str(text).map_err(|e| {
            fail(vec![format!(
                "{file}:{}:{}: {}",
                e.line(),
                e.column(),
                e.to_string()
                    .rsplit_once(" at line ")
                    .map_or_else(|| e.to_string(), |(m, _)| m.to_owned())
            )])
        })?;
        let problems = scenario.problems(file);
        if problems.is_empty() {
            return Ok(scenario);
        }
        Err(fail(
            problems
                .into_iter()
                .map(|(path, message)| {
                    let at = locate(text, &path)
                        .or_else(|| locate(text, path.split('.').next().unwrap_or_default()))
                        .map_or_else(String::new, |p| format!(":{p}"));
                    format!("{file}{at}: {path}: {message}")
                })
                .collect(),
        ))
    }

    /// The expectation for a profile (its own, or `default`).
    pub fn expectation(&self, profile: &str) -> Option<&Expectation> {
        self.expect
            .get(profile)
            .or_else(|| self.expect.get("default"))
    }

    /// Every problem as `(field path, message)`.
    fn problems(&self, file: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut bad = |path: &str, message: String| out.push((path.to_owned(), message));
        if self.format_version != SCENARIO_FORMAT_VERSION {
            bad(
                "format_version",
                format!(
                    "is {}, this harness reads {SCENARIO_FORMAT_VERSION}",
                    self.format_version
                ),
            );
        }
        let stem = std::path::Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if self.name != stem {
            bad(
                "name",
                format!("is {:?} but the file is {stem}.json", self.name),
            );
        }
        if self.title.trim().is_empty() {
            bad("title", "is empty".to_owned());
        }
        if self.reproduces.is_empty() {
            bad("reproduces", "needs at least one public report".to_owned());
        }
        for (i, r) in self.reproduces.iter().enumerate() {
            if !r.url.starts_with("https://") {
                bad(
                    &format!("reproduces[{i}].url"),
                    "must be an https:// URL".to_owned(),
                );
            }
        }
        match self.kind {
            ScenarioKind::Wait => self.wait_problems(&mut bad),
            ScenarioKind::List => self.list_problems(&mut bad),
        }
        out
    }

    fn wait_problems(&self, bad: &mut impl FnMut(&str, String)) {
        if !self.servers.is_empty() || self.odd.is_some() {
            bad("servers", "is for list scenarios only".to_owned());
        }
        if self.timeline.is_empty() {
            bad(
                "timeline",
                "a wait scenario needs at least one step".to_owned(),
            );
        }
        let last = self.timeline.len().saturating_sub(1);
        for (i, step) in self.timeline.iter().enumerate() {
            let at = format!("timeline[{i}]");
            if step.gone
                && (step.vm_state.is_some() || step.task_state.is_some() || step.status.is_some())
            {
                bad(
                    &at,
                    "a gone step has no vm_state, task_state or status".to_owned(),
                );
            }
            if !step.gone && step.vm_state.is_none() {
                bad(&at, "needs `vm_state` (or `\"gone\": true`)".to_owned());
            }
            if step.polls == Some(0) {
                bad(&format!("{at}.polls"), "must be at least 1".to_owned());
            }
            if i < last && step.polls.is_none() {
                bad(
                    &at,
                    "needs `polls` (only the last step lasts forever)".to_owned(),
                );
            }
        }
        match &self.wait {
            None => bad("wait", "a wait scenario needs `wait`".to_owned()),
            Some(w) => {
                if !(w.timeout_s > 0.0 && w.timeout_s.is_finite()) {
                    bad(
                        "wait.timeout_s",
                        "must be a positive number of seconds".to_owned(),
                    );
                }
                match (w.until, &w.target) {
                    (WaitUntil::Status, None) => {
                        bad(
                            "wait.target",
                            "waiting for a status needs the status".to_owned(),
                        );
                    }
                    (WaitUntil::Deleted, Some(_)) => {
                        bad(
                            "wait.target",
                            "must be null when waiting for deletion".to_owned(),
                        );
                    }
                    _ => {}
                }
            }
        }
        if let Some(w) = &self.wait {
            self.timeout_problems(w, last, bad);
        }
        if !self.expect.contains_key("default") {
            bad("expect", "needs a `default` expectation".to_owned());
        }
        for name in self.expect.keys() {
            if name != "default" && !super::BUILTIN_NAMES.contains(&name.as_str()) {
                bad(
                    &format!("expect.{name}"),
                    format!(
                        "is not a profile (one of {})",
                        super::BUILTIN_NAMES.join(", ")
                    ),
                );
            }
        }
    }

    /// A waiter that returns must have had time to: its outcome shows at the first poll that
    /// serves the last step at the earliest, and a waiter that sleeps a second before each poll
    /// (gophercloud's `WaitFor`) makes poll N at about N s, so `timeout_s` is at least N + 2.
    /// Shorter, the outcome is a race that a loaded machine loses (cases/README.md).
    fn timeout_problems(&self, w: &WaitTarget, last: usize, bad: &mut impl FnMut(&str, String)) {
        let first: u32 = self
            .timeline
            .iter()
            .take(last)
            .map(|s| s.polls.unwrap_or(1))
            .sum::<u32>()
            + 1;
        let needed = f64::from(first) + 2.0;
        if w.timeout_s >= needed {
            return;
        }
        if let Some((name, e)) = self
            .expect
            .iter()
            .find(|(_, e)| e.outcome != WaitOutcome::Timeout)
        {
            bad(
                "wait.timeout_s",
                format!(
                    "is {} s, but expect.{name} ({}) shows at poll {first} at the earliest, which \
                     a waiter sleeping 1 s before each poll makes at about {first} s: give it at \
                     least {needed} s",
                    w.timeout_s,
                    e.outcome.as_str()
                ),
            );
        }
    }

    fn list_problems(&self, bad: &mut impl FnMut(&str, String)) {
        if !self.timeline.is_empty() || self.wait.is_some() || !self.expect.is_empty() {
            bad(
                "timeline",
                "timeline, wait and expect are for wait scenarios only".to_owned(),
            );
        }
        if self.servers.len() < 2 {
            bad(
                "servers",
                "a list scenario needs the odd server and at least one other".to_owned(),
            );
        }
        match self.odd {
            None => bad("odd", "a list scenario names its odd server".to_owned()),
            Some(i) if i >= self.servers.len() => {
                bad(
                    "odd",
                    format!("is {i}, but there are {} servers", self.servers.len()),
                );
            }
            Some(i) if self.servers[i].status.is_none() => {
                bad(
                    &format!("servers[{i}]"),
                    "the odd server needs a `status`".to_owned(),
                );
            }
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_scenario_loads_and_every_file_is_built_in() {
        let all = builtin_scenarios().unwrap();
        assert_eq!(all.len(), BUILTIN.len());
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../cases/scenarios");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let builtin: Vec<&str> = BUILTIN.iter().map(|(f, _)| *f).collect();
        assert_eq!(files, builtin, "add new scenario files to BUILTIN");
    }

    #[test]
    fn errors_name_file_line_column_and_field() {
        let text = "{\"format_version\": 1, \"name\": \"x\", \"kind\": \"wait\", \"title\": \"t\",\n \"reproduces\": [{\"url\": \"http://a\", \"summary\": \"s\"}],\n \"timeline\": [{\"vm_state\": \"building\", \"task_state\": null}, {\"vm_state\": \"error\", \"task_state\": null}],\n \"wait\": {\"until\": \"status\", \"target\": \"ACTIVE\", \"timeout_s\": 4},\n \"expect\": {\"default\": {\"outcome\": \"failed\"}, \"aws\": {\"outcome\": \"failed\"}}}";
        let err = Scenario::from_slice("cases/scenarios/x.json", text.as_bytes()).unwrap_err();
        assert_eq!(
            err.errors,
            [
                "cases/scenarios/x.json:2:25: reproduces[0].url: must be an https:// URL",
                "cases/scenarios/x.json:3:15: timeline[0]: needs `polls` (only the last step lasts forever)",
                "cases/scenarios/x.json:5:54: expect.aws: is not a profile (one of ecs, ecs-openstack, nova)",
            ]
        );
        let typo =
            Scenario::from_slice("y.json", b"{\"format_version\": 1,\n \"nmae\": 1}").unwrap_err();
        assert_eq!(
            typo.errors,
            [
                "y.json:2:7: unknown field `nmae`, expected one of `$schema`, `format_version`, `name`, `kind`, `title`, `reproduces`, `timeline`, `wait`, `servers`, `odd`, `expect`"
            ]
        );
    }

    #[test]
    fn a_timeout_a_one_second_poller_cannot_meet_is_refused_unless_timing_out_is_expected() {
        let scenario = |timeout: &str, outcome: &str| {
            format!(
                "{{\"format_version\": 1, \"name\": \"x\", \"kind\": \"wait\", \"title\": \"t\",\n \
                 \"reproduces\": [{{\"url\": \"https://a\", \"summary\": \"s\"}}],\n \
                 \"timeline\": [{{\"vm_state\": \"building\", \"task_state\": null, \"polls\": 2}}, \
                 {{\"vm_state\": \"error\", \"task_state\": null}}],\n \
                 \"wait\": {{\"until\": \"status\", \"target\": \"ACTIVE\", \"timeout_s\": {timeout}}},\n \
                 \"expect\": {{\"default\": {{\"outcome\": \"{outcome}\"}}}}}}"
            )
        };
        let err = Scenario::from_slice("x.json", scenario("3", "failed").as_bytes()).unwrap_err();
        assert_eq!(
            err.errors,
            [
                "x.json:4:63: wait.timeout_s: is 3 s, but expect.default (failed) shows at poll 3 at the earliest, which a waiter sleeping 1 s before each poll makes at about 3 s: give it at least 5 s"
            ]
        );
        assert!(Scenario::from_slice("x.json", scenario("5", "failed").as_bytes()).is_ok());
        assert!(Scenario::from_slice("x.json", scenario("2", "timeout").as_bytes()).is_ok());
    }
}
