//! [`AdapterSession`]: asks an adapter every question of a run, blind, and judges the answers.
//!
//! Derive questions go out once per run (the union of every profile's pairs, shuffled); the
//! fetch-like kinds go out per profile, against that profile's fake, with a token of the
//! adapter's own (a fake user named after the run nonce) so that the fake's journal proves
//! which GETs the adapter made between a `run` and its answer.

use super::cases::{capability_cases, scenario_of, served_path};
use super::plan::{Pair, RunPlan};
use crate::case::{Case, Group, Profile, Scenario};
use crate::judge::judge as judge_status;
use crate::judge::kinds::{self as judge, Fetched, NOT_FETCHED, SeededListServer, WaitExpectation};
use crate::outcome::{CaseResult, Observation, Outcome};
use crate::report::WaitTimeline;
use crate::target::ControlPlane;
use crate::target::adapter::{
    AdapterTarget, Answer, Broken, Capability, FetchInfo, Question, WaitSpec, observation,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Where results go: the runner's tally (events, `--max-fail`).
pub trait Sink {
    /// True once `--max-fail` is reached: the remaining cases are skipped.
    fn stopped(&self) -> bool;
    /// Records one result.
    fn record(&mut self, result: CaseResult);
    /// The skip of a case not run because of `--max-fail`.
    fn not_run(&self, case: &Case) -> CaseResult;
}

/// The waiter's polling interval sent in every `wait` question.
pub const WAIT_INTERVAL_S: f64 = 0.05;

/// One adapter, one run: the plan, the scenarios, and the wait timelines seen so far.
pub struct AdapterSession<'a> {
    adapter: &'a mut AdapterTarget,
    plan: RunPlan,
    scenarios: Vec<Scenario>,
    timelines: Vec<WaitTimeline>,
    /// The newest journal seq seen on the current profile's fake.
    cursor: u64,
}

impl std::fmt::Debug for AdapterSession<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdapterSession")
            .field("seed", &self.plan.seed())
            .field("scenarios", &self.scenarios.len())
            .finish()
    }
}

/// What one fetch-like case needs once seeded.
struct Seeded<'c> {
    case: &'c Case,
    server_id: String,
}

impl<'a> AdapterSession<'a> {
    /// A session over a started adapter.
    pub fn new(adapter: &'a mut AdapterTarget, plan: RunPlan, scenarios: Vec<Scenario>) -> Self {
        AdapterSession {
            adapter,
            plan,
            scenarios,
            timelines: Vec::new(),
            cursor: 0,
        }
    }

    /// The cases a profile gains from the adapter's capabilities: challenges for a fetch
    /// adapter, surface cases, list and wait scenarios.
    pub fn extra_cases(&mut self, profile: &Profile) -> Vec<Case> {
        let adapter = &*self.adapter;
        capability_cases(profile, |c| adapter.can(c), &mut self.plan, &self.scenarios)
    }

    /// True when the status cases (valid, invalid, probe) are asked as derive questions.
    pub fn derives(&self) -> bool {
        self.adapter.can(Capability::Derive) && !self.adapter.can(Capability::Fetch)
    }

    /// The seed and the wait timelines, for the report.
    pub fn finish(self) -> (u64, Vec<WaitTimeline>) {
        (self.plan.seed(), self.timelines)
    }

    /// Asks every derive question of the run (the same whatever is judged) and judges each
    /// answer against every selected case with that pair.
    pub async fn derive(&mut self, cases: &[Case], sink: &mut dyn Sink) {
        let mut by_pair: HashMap<Pair, Vec<&Case>> = HashMap::new();
        for c in cases.iter().filter(|c| is_status_case(c)) {
            by_pair
                .entry((c.vm_state.clone(), c.task_state.clone()))
                .or_default()
                .push(c);
        }
        for (vm, task) in self.plan.derive_pairs() {
            if sink.stopped() {
                break;
            }
            let id = self.plan.next_id();
            let started = Instant::now();
            let question = Question::derive(&id, vm.as_deref(), task.as_deref());
            let obs = observation(self.adapter.ask(&question).await);
            let elapsed = started.elapsed();
            for case in by_pair.remove(&(vm, task)).unwrap_or_default() {
                sink.record(judge_status(case, obs.clone(), elapsed));
            }
        }
        for case in by_pair.into_values().flatten() {
            let skipped = sink.not_run(case);
            sink.record(skipped);
        }
    }

    /// Runs a profile's fetch-like cases against its fake.
    pub async fn profile(
        &mut self,
        cp: &ControlPlane,
        profile: &Profile,
        cases: &[Case],
        sink: &mut dyn Sink,
    ) {
        let fetches = self.adapter.can(Capability::Fetch);
        let mine: Vec<&Case> = cases
            .iter()
            .filter(|c| !is_status_case(c) || fetches)
            .collect();
        if mine.is_empty() {
            return;
        }
        self.cursor = 0;
        let user = format!("adapter-{}", self.plan.nonce());
        let access = match Access::new(cp, &user).await {
            Ok(access) => access,
            Err(message) => {
                for c in mine {
                    sink.record(error(c, message.clone(), Duration::ZERO));
                }
                return;
            }
        };
        let single: Vec<&Case> = mine
            .iter()
            .copied()
            .filter(|c| !matches!(c.group, Group::List | Group::Wait))
            .collect();
        self.single_server_cases(cp, &access, profile, &single, sink)
            .await;
        let mut lists = 0;
        for case in mine.iter().filter(|c| c.group == Group::List) {
            if sink.stopped() {
                sink.record(sink.not_run(case));
                continue;
            }
            lists += 1;
            let result = self.list_case(cp, profile, case, lists).await;
            sink.record(result);
        }
        for case in mine.iter().filter(|c| c.group == Group::Wait) {
            if sink.stopped() {
                sink.record(sink.not_run(case));
                continue;
            }
            let result = self.wait_case(cp, &access, profile, case).await;
            sink.record(result);
        }
    }

    /// Fetch, challenge and surface cases: one seeded server each, asked in shuffled order.
    async fn single_server_cases(
        &mut self,
        cp: &ControlPlane,
        access: &Access,
        profile: &Profile,
        cases: &[&Case],
        sink: &mut dyn Sink,
    ) {
        let items: Vec<Value> = cases
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut item = json!({"vm_state": c.vm_state, "task_state": c.task_state,
                                      "name": format!("conf-{}-{i}", self.plan.nonce()),
                                      "user": access.user});
                if c.group == Group::Challenge {
                    item["status"] = json!(c.expected);
                }
                item
            })
            .collect();
        let seeded = match cp.seed_items(&items).await {
            Ok(seeded) => seeded,
            Err(e) => {
                for c in cases {
                    sink.record(error(
                        c,
                        format!("failed to seed the case's server: {e}"),
                        Duration::ZERO,
                    ));
                }
                return;
            }
        };
        let mut order: Vec<Seeded<'_>> = cases
            .iter()
            .zip(seeded)
            .map(|(case, s)| Seeded {
                case,
                server_id: s.id,
            })
            .collect();
        self.plan.shuffle(&mut order);
        for s in order {
            if sink.stopped() {
                sink.record(sink.not_run(s.case));
                continue;
            }
            let result = self.single(cp, access, profile, &s).await;
            sink.record(result);
        }
    }

    /// Asks one fetch, challenge or surface question and checks the journal for the GET.
    async fn single(
        &mut self,
        cp: &ControlPlane,
        access: &Access,
        profile: &Profile,
        s: &Seeded<'_>,
    ) -> CaseResult {
        let started = Instant::now();
        let fetch = access.fetch(cp, Some(&s.server_id));
        let id = self.plan.next_id();
        let kind = match s.case.group {
            Group::Surface => Capability::Surface,
            _ => Capability::Fetch,
        };
        let question = Question::fetching(&id, kind, &fetch)
            .with_pair(s.case.vm_state.as_deref(), s.case.task_state.as_deref());
        let (reply, journal) = match self.ask_journaled(cp, &question).await {
            Ok(both) => both,
            Err(message) => return error(s.case, message, started.elapsed()),
        };
        let fetched =
            judge::proves_fetch(&journal, Fetched::Server(&s.server_id), &access.fingerprint);
        let answered = matches!(reply, Ok(Answer::Status { .. } | Answer::Surface { .. }));
        // A fake without DESIGN-v2 §4 journals requests without a `token` key at all.
        if answered
            && !fetched
            && !journal.is_empty()
            && !journal.iter().any(|e| e.get("token").is_some())
        {
            return error(
                s.case,
                "cannot prove the fetch: the fake's journal records no token fingerprints (a fake-server without DESIGN-v2 §4)".to_owned(),
                started.elapsed(),
            );
        }
        if answered && !fetched {
            return error(
                s.case,
                format!(
                    "{NOT_FETCHED}: the fake saw no GET of the server with this adapter's token between the run and the answer"
                ),
                started.elapsed(),
            );
        }
        match (kind, reply) {
            (Capability::Surface, Ok(Answer::Surface { status, typed })) => {
                let statuses = profile.statuses();
                let (outcome, detail) = match self.adapter.status_model() {
                    Some(model) => {
                        judge::surface(&s.case.expected, &status, &typed, model, &statuses)
                    }
                    None => (
                        Outcome::Error,
                        Some("surface answer without a status_model".to_owned()),
                    ),
                };
                let observed = format!("{status} (typed {typed:?})");
                result(s.case, outcome, Some(observed), detail, started.elapsed())
            }
            (_, reply) => judge_status(s.case, observation(reply), started.elapsed()),
        }
    }

    /// Sends a question between two journal reads; returns the reply and the journal entries
    /// made meanwhile.
    async fn ask_journaled(
        &mut self,
        cp: &ControlPlane,
        question: &Question<'_>,
    ) -> Result<(Result<Answer, Broken>, Vec<Value>), String> {
        let before = journal_after(cp, self.cursor).await?;
        self.cursor = last_seq(&before).unwrap_or(self.cursor);
        let reply = self.adapter.ask(question).await;
        let entries = journal_after(cp, self.cursor).await?;
        self.cursor = last_seq(&entries).unwrap_or(self.cursor);
        Ok((reply, entries))
    }

    /// A list case: the scenario's servers seeded for a user of their own, one listing.
    async fn list_case(
        &mut self,
        cp: &ControlPlane,
        profile: &Profile,
        case: &Case,
        n: usize,
    ) -> CaseResult {
        let started = Instant::now();
        let Some(scenario) = scenario_of(case, &self.scenarios) else {
            return error(case, "no such scenario".to_owned(), Duration::ZERO);
        };
        let user = format!("adapter-{}-l{n}", self.plan.nonce());
        let access = match Access::new(cp, &user).await {
            Ok(a) => a,
            Err(message) => return error(case, message, started.elapsed()),
        };
        let items: Vec<Value> = scenario
            .servers
            .iter()
            .map(|s| {
                let mut item =
                    json!({"vm_state": s.vm_state, "task_state": s.task_state, "user": user});
                if let Some(status) = &s.status {
                    item["status"] = json!(status);
                }
                item
            })
            .collect();
        let seeded = match cp.seed_items(&items).await {
            Ok(s) => s,
            Err(e) => {
                return error(
                    case,
                    format!("failed to seed the listing: {e}"),
                    started.elapsed(),
                );
            }
        };
        let expected: Vec<SeededListServer> = scenario
            .servers
            .iter()
            .zip(&seeded)
            .enumerate()
            .map(|(i, (s, got))| SeededListServer {
                id: got.id.clone(),
                status: s.status.clone().unwrap_or_else(|| {
                    profile.expected_status(s.vm_state.as_deref(), s.task_state.as_deref())
                }),
                odd: scenario.odd == Some(i),
            })
            .collect();
        let fetch = access.fetch(cp, None);
        let id = self.plan.next_id();
        let question = Question::fetching(&id, Capability::List, &fetch);
        let (reply, journal) = match self.ask_journaled(cp, &question).await {
            Ok(both) => both,
            Err(message) => return error(case, message, started.elapsed()),
        };
        let elapsed = started.elapsed();
        match reply {
            Ok(Answer::List(servers)) => {
                if !judge::proves_fetch(&journal, Fetched::Listing, &access.fingerprint) {
                    return error(
                        case,
                        format!("{NOT_FETCHED}: the fake saw no listing with this adapter's token"),
                        elapsed,
                    );
                }
                let statuses: Vec<&str> = profile.statuses();
                let (outcome, detail) =
                    judge::list(&expected, &servers, self.adapter.status_model(), &statuses);
                let observed = format!("{} servers listed", servers.len());
                result(case, outcome, Some(observed), detail, elapsed)
            }
            Ok(Answer::Errored { message, traceback }) => CaseResult {
                evidence: traceback,
                ..result(
                    case,
                    Outcome::Fail,
                    Some("the listing failed".to_owned()),
                    Some(format!(
                        "list: the SDK failed the whole listing: {}",
                        one_line(&message)
                    )),
                    elapsed,
                )
            },
            other => judge_status(case, observation(other), elapsed),
        }
    }

    /// A wait case: one server on the scenario's timeline, the SDK's own waiter, the journal's
    /// polls.
    async fn wait_case(
        &mut self,
        cp: &ControlPlane,
        access: &Access,
        profile: &Profile,
        case: &Case,
    ) -> CaseResult {
        let started = Instant::now();
        let Some(scenario) = scenario_of(case, &self.scenarios).cloned() else {
            return error(case, "no such scenario".to_owned(), Duration::ZERO);
        };
        let (Some(target), Some(expect)) = (&scenario.wait, scenario.expectation(profile.name()))
        else {
            return error(
                case,
                "the scenario has no wait or expectation".to_owned(),
                Duration::ZERO,
            );
        };
        let item = json!({"vm_state": scenario.timeline[0].vm_state.clone().flatten(),
                          "task_state": scenario.timeline[0].task_state.clone().flatten(),
                          "user": access.user, "timeline": scenario.timeline});
        let server_id = match cp.seed_items(&[item]).await {
            Ok(mut s) if s.len() == 1 => s.remove(0).id,
            Ok(_) => {
                return error(
                    case,
                    "the fake seeded no server".to_owned(),
                    started.elapsed(),
                );
            }
            Err(e) => {
                return error(
                    case,
                    format!("failed to seed the timeline: {e}"),
                    started.elapsed(),
                );
            }
        };
        let spec = WaitSpec {
            until: target.until,
            target: target.target.clone(),
            timeout_s: target.timeout_s,
            interval_s: WAIT_INTERVAL_S,
        };
        let fetch = access.fetch(cp, Some(&server_id));
        let id = self.plan.next_id();
        let question = Question::fetching(&id, Capability::Wait, &fetch).with_wait(&spec);
        let (reply, journal) = match self.ask_journaled(cp, &question).await {
            Ok(both) => both,
            Err(message) => return error(case, message, started.elapsed()),
        };
        let polls = judge::polls_of(&journal, &server_id, &access.fingerprint);
        let last_step_from_poll = 1 + scenario
            .timeline
            .iter()
            .rev()
            .skip(1)
            .map(|s| s.polls.unwrap_or(1) as usize)
            .sum::<usize>();
        let path = served_path(profile, &scenario);
        let elapsed = started.elapsed();
        let outcome_name = match &reply {
            Ok(Answer::Wait(w)) => Some(w.outcome.as_str().to_owned()),
            _ => None,
        };
        self.timelines.push(WaitTimeline {
            case: case.id.to_string(),
            polls: polls.clone(),
            outcome: outcome_name,
            last_step_from_poll,
        });
        match reply {
            Ok(Answer::Wait(answer)) => {
                let expectation = WaitExpectation {
                    path: &path,
                    last_step_from_poll,
                    outcome: expect.outcome,
                    within_polls: expect.within_polls,
                    target: target.target.as_deref(),
                };
                let (outcome, detail) = judge::wait(&expectation, &answer, &polls);
                let observed = format!("{} after {} polls", answer.outcome.as_str(), polls.len());
                CaseResult {
                    evidence: answer.message.clone(),
                    ..result(case, outcome, Some(observed), detail, elapsed)
                }
            }
            other => judge_status(case, observation(other), elapsed),
        }
    }
}

/// The adapter's own fake user: its token, project and the token's journal fingerprint.
struct Access {
    user: String,
    token: String,
    project_id: String,
    fingerprint: String,
}

impl Access {
    async fn new(cp: &ControlPlane, user: &str) -> Result<Access, String> {
        let (token, project_id) = cp
            .token_for(user)
            .await
            .map_err(|e| format!("failed to get a token for the adapter's user: {e}"))?;
        Ok(Access {
            user: user.to_owned(),
            fingerprint: judge::token_fingerprint(&token),
            token,
            project_id,
        })
    }

    fn fetch(&self, cp: &ControlPlane, server_id: Option<&str>) -> FetchInfo {
        FetchInfo {
            compute_url: cp.info().compute_url.clone(),
            auth_url: cp.info().identity_url.clone(),
            token: self.token.clone(),
            project_id: self.project_id.clone(),
            server_id: server_id.map(str::to_owned),
        }
    }
}

async fn journal_after(cp: &ControlPlane, after: u64) -> Result<Vec<Value>, String> {
    cp.journal_after(after)
        .await
        .map_err(|e| format!("failed to read the fake's journal: {e}"))
}

fn last_seq(entries: &[Value]) -> Option<u64> {
    entries
        .iter()
        .filter_map(|e| e.get("seq").and_then(Value::as_u64))
        .max()
}

fn is_status_case(case: &Case) -> bool {
    matches!(case.group, Group::Valid | Group::Invalid | Group::Probe)
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn result(
    case: &Case,
    outcome: Outcome,
    observed: Option<String>,
    detail: Option<String>,
    duration: Duration,
) -> CaseResult {
    CaseResult {
        case: case.clone(),
        outcome,
        observed,
        detail,
        evidence: None,
        duration,
        // One view (the adapter's answer); a pass means it agreed with what the fake served.
        views_agree: outcome == Outcome::Pass,
    }
}

fn error(case: &Case, message: String, duration: Duration) -> CaseResult {
    judge_status(
        case,
        Observation::Errored {
            message,
            detail: None,
        },
        duration,
    )
}
