//! `harness adapter check CMD`: the handshake plus three sample cases, each step explained in one
//! line (bowtie's `smoke`).

use super::target::{AdapterOptions, AdapterTarget, observation};
use super::{Capability, FetchInfo, Question};
use crate::case::{Case, builtin_profile};
use crate::outcome::Observation;
use crate::target::{ControlPlane, ControlPlaneOptions};
use std::fmt;

/// The profile the sample cases come from.
const SAMPLE_PROFILE: &str = "ecs-openstack";
/// Sample cases on which every built-in profile (and upstream Nova) agrees: a table row, a status
/// outside Huawei's own vocabulary, and a probe.
pub const SAMPLE_CASES: [&str; 3] = [
    "ecs-openstack/active/rebooting",
    "ecs-openstack/active/updating_password",
    "ecs-openstack/bogus/null",
];

/// One line of a check: what was checked and whether it was fine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckLine {
    /// False when this line is a violation (or a wrong answer).
    pub ok: bool,
    /// The explanation, one line.
    pub text: String,
}

impl fmt::Display for CheckLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.ok { "ok" } else { "error" };
        write!(f, "{mark}: {}", self.text)
    }
}

/// The outcome of [`check`]: one line per step, plus the adapter's stderr for the failed ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// One line per step, in order.
    pub lines: Vec<CheckLine>,
    /// What the adapter wrote on stderr around the failed steps.
    pub stderr: Vec<String>,
}

impl CheckReport {
    /// True when every step was fine.
    pub fn ok(&self) -> bool {
        self.lines.iter().all(|l| l.ok)
    }

    fn push(&mut self, ok: bool, text: String) {
        self.lines.push(CheckLine { ok, text });
    }
}

/// Runs the handshake and the [`SAMPLE_CASES`] against `command`, then stops it.
///
/// A `fetch`-only adapter needs a fake with a control plane to fetch from: pass its base URL as
/// `fake` (e.g. a `fake-server --listen 127.0.0.1:8774` started separately).
///
/// ```no_run
/// # async fn demo() {
/// use harness::target::adapter::{AdapterOptions, check};
///
/// // Arrange / Act
/// let report = check("adapters/nova/run", AdapterOptions::default(), None).await;
///
/// // Assert
/// assert!(report.ok(), "{:?}", report.lines);
/// # }
/// ```
pub async fn check(command: &str, options: AdapterOptions, fake: Option<&str>) -> CheckReport {
    let mut report = CheckReport::default();
    let mut adapter = match AdapterTarget::start(command, options).await {
        Ok(adapter) => adapter,
        Err(err) => {
            report.push(false, format!("handshake: {err}"));
            report.stderr.extend(err.stderr().map(str::to_owned));
            return report;
        }
    };
    let imp = adapter.implementation().clone();
    let capabilities: Vec<&str> = adapter.capabilities().iter().map(|c| c.as_str()).collect();
    report.push(
        true,
        format!(
            "handshake: {} {} ({}), capabilities: {}",
            imp.name,
            imp.version,
            imp.language,
            capabilities.join(", ")
        ),
    );
    let cases = match sample_cases() {
        Ok(cases) => cases,
        Err(text) => {
            report.push(false, text);
            return report;
        }
    };
    let derives = adapter.can(Capability::Derive);
    let fake = fake.filter(|_| adapter.can(Capability::Fetch));
    let fetch = match (derives, fake) {
        (_, Some(base)) => match seed(base, &cases).await {
            Ok(fetch) => fetch.into_iter().map(Some).collect(),
            Err(text) => {
                report.push(false, text);
                return report;
            }
        },
        (true, None) => vec![None; cases.len()],
        (false, None) => {
            report.push(
                false,
                "sample cases: the adapter does not derive; pass --fake URL (a fake-server with its control plane) to seed servers for it".to_owned(),
            );
            return report;
        }
    };
    for (n, (case, fetch)) in cases.iter().zip(&fetch).enumerate() {
        // Blind as in a run: an opaque id, the pair only for derive.
        let id = format!("qcheck000-{}", n + 1);
        let question = match fetch {
            Some(f) => Question::fetching(&id, Capability::Fetch, f)
                .with_pair(case.vm_state.as_deref(), case.task_state.as_deref()),
            None => Question::derive(&id, case.vm_state.as_deref(), case.task_state.as_deref()),
        };
        let observation = observation(adapter.ask(&question).await);
        let (ok, text) = explain(case, &observation);
        if let Observation::Errored {
            detail: Some(detail),
            ..
        } = &observation
        {
            report.stderr.push(detail.clone());
        }
        report.push(ok, format!("{}: {text}", case.id));
    }
    if let Err(err) = adapter.stop().await {
        report.stderr.extend(err.stderr().map(str::to_owned));
        report.push(false, format!("stop: {err}"));
    } else {
        report.push(true, "stop: exited with status 0".to_owned());
    }
    report
}

/// The sample cases, from the built-in profile.
fn sample_cases() -> Result<Vec<Case>, String> {
    let profile = builtin_profile(SAMPLE_PROFILE).map_err(|e| format!("sample cases: {e}"))?;
    let all = profile.cases();
    SAMPLE_CASES
        .iter()
        .map(|id| {
            all.iter()
                .find(|c| c.id.as_str() == *id)
                .cloned()
                .ok_or_else(|| format!("sample cases: profile {SAMPLE_PROFILE} has no case {id}"))
        })
        .collect()
}

/// Seeds one server per case in the fake at `base` and says where to fetch each.
async fn seed(base: &str, cases: &[Case]) -> Result<Vec<FetchInfo>, String> {
    let options = ControlPlaneOptions::default();
    let info = match ControlPlane::probe(base, &options).await {
        Ok(Some(info)) => info,
        Ok(None) => {
            return Err(format!(
                "fake: {base} offers no control plane (GET /_fake/)"
            ));
        }
        Err(e) => return Err(format!("fake: {e}")),
    };
    let plane = ControlPlane::connect(base, info, options)
        .await
        .map_err(|e| format!("fake: {e}"))?;
    let wanted: Vec<_> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let name = format!("adapter-check-{i}");
            (c.vm_state.clone(), c.task_state.clone(), name)
        })
        .collect();
    let seeded = plane
        .seed(&wanted)
        .await
        .map_err(|e| format!("fake: {e}"))?;
    Ok(seeded
        .into_iter()
        .map(|s| FetchInfo {
            compute_url: plane.info().compute_url.clone(),
            auth_url: plane.info().identity_url.clone(),
            token: plane.token().to_owned(),
            project_id: s.project_id,
            server_id: Some(s.id),
        })
        .collect())
}

/// One line for one sample case.
fn explain(case: &Case, observation: &Observation) -> (bool, String) {
    match observation {
        Observation::Seen(seen) if seen.status != case.expected => (
            false,
            format!(
                "answered {}, but every profile expects {}",
                seen.status, case.expected
            ),
        ),
        Observation::Seen(seen) => {
            let mut wrong = Vec::new();
            if let Some(vm) = &seen.vm_state
                && vm != &case.vm_state
            {
                wrong.push(format!("vm_state {}", show(vm.as_deref())));
            }
            if let Some(task) = &seen.task_state
                && task != &case.task_state
            {
                wrong.push(format!("task_state {}", show(task.as_deref())));
            }
            if wrong.is_empty() {
                (true, format!("answered {}", seen.status))
            } else {
                (
                    false,
                    format!(
                        "answered {} but echoed {}",
                        seen.status,
                        wrong.join(" and ")
                    ),
                )
            }
        }
        Observation::Skipped { reason } => (true, format!("skipped: {reason}")),
        Observation::Errored { message, .. } => (false, message.clone()),
    }
}

fn show(state: Option<&str>) -> String {
    state.map_or_else(|| "null".to_owned(), |s| format!("{s:?}"))
}
