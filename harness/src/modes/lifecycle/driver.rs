//! Drives one scratch server through its program: request, then poll until settled.

use super::pick::Resources;
use super::plan::{Program, Request, Settle, Step};
use super::record::{StepOutcome, StepRecord, Triple};
use crate::client::ComputeClient;
use crate::client::ComputeError;
use crate::client::Server;
use crate::judge::ObservedServer;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The metadata key every scratch server carries; its value is the run id.
pub const TAG_KEY: &str = "conformance-kit";

/// What the programs share: the client, choices, timing, and what they created and saw.
pub(super) struct Driver<'a> {
    /// The compute client.
    pub client: &'a ComputeClient,
    /// Flavor, image and network.
    pub resources: &'a Resources,
    /// The run id (server names and the tag).
    pub run_id: &'a str,
    /// Interval between polls.
    pub poll: Duration,
    /// Deadline of each step.
    pub step_timeout: Duration,
    /// Ids of every server created, for the cleanup.
    pub created: Mutex<Vec<String>>,
    /// Every distinct (server, vm_state, task_state, status) seen.
    pub observed: Mutex<Vec<ObservedServer>>,
    /// Progress callback: server name, step label, current status.
    pub on_progress: &'a (dyn Fn(&str, &str, &str) + Sync),
}

impl std::fmt::Debug for Driver<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("run_id", &self.run_id)
            .field("poll", &self.poll)
            .finish_non_exhaustive()
    }
}

fn refused(e: &ComputeError) -> Option<String> {
    match e {
        ComputeError::Http { status, .. } if status.is_client_error() && status.as_u16() != 404 => {
            Some(e.to_string())
        }
        _ => None,
    }
}

impl Driver<'_> {
    /// Runs every step of `program` on a new server; never panics, always returns one record
    /// per step.
    pub(super) async fn run_program(&self, program: Program) -> Vec<StepRecord> {
        let name = format!("conformance-{}-{}", self.run_id, program.name);
        let mut records: Vec<StepRecord> = Vec::new();
        let mut id: Option<String> = None;
        let mut abort: Option<String> = None;
        let mut flavor_now = self.resources.flavor.clone();
        for &step in program.steps {
            let not_run = |reason: String| StepRecord {
                program: program.name,
                step,
                outcome: StepOutcome::NotRun(reason),
                seen: Vec::new(),
                duration: Duration::ZERO,
            };
            let done = |label: &str| records.iter().find(|r| r.step.label == label);
            if let Some(reason) = &abort {
                records.push(not_run(reason.clone()));
                continue;
            }
            if let Some(req) = step.requires
                && !done(req).is_some_and(StepRecord::settled_as_expected)
            {
                records.push(not_run(format!(
                    "not run: `{req}` did not settle as expected"
                )));
                continue;
            }
            if step.label == "shelve-offload"
                && done("shelve").and_then(StepRecord::settled_vm) == Some("shelved_offloaded")
            {
                records.push(not_run(
                    "not run: the cloud offloaded the server at shelve (shelved_offload_time 0)"
                        .to_owned(),
                ));
                continue;
            }
            if step.label == "restore"
                && done("delete").is_some_and(|r| r.outcome == StepOutcome::Gone)
            {
                records.push(not_run(
                    "not run: the cloud deleted the server at once (no soft delete)".to_owned(),
                ));
                continue;
            }
            let body = match step.request {
                Request::Action("resize") => match &self.resources.resize_flavor {
                    None => {
                        records.push(not_run("not run: the cloud has one flavor only".to_owned()));
                        continue;
                    }
                    Some(other) => {
                        let target = if flavor_now == *other {
                            self.resources.flavor.clone()
                        } else {
                            other.clone()
                        };
                        Some(json!({"resize": {"flavorRef": target}}))
                    }
                },
                _ => None,
            };
            let record = self
                .run_step(program.name, step, &name, &mut id, body)
                .await;
            if step.label == "confirm-resize" && record.settled_as_expected() {
                flavor_now = match &self.resources.resize_flavor {
                    Some(o) if flavor_now != *o => o.clone(),
                    _ => self.resources.flavor.clone(),
                };
            }
            match &record.outcome {
                StepOutcome::TimedOut { .. } | StepOutcome::Failed(_) => {
                    abort = Some(format!("not run: `{}` did not finish", step.label));
                }
                StepOutcome::Refused(_) if step.request == Request::Create => {
                    abort = Some("not run: the cloud refused to create the server".to_owned());
                }
                StepOutcome::Settled { at, .. } if at.vm_state.as_deref() == Some("error") => {
                    abort = Some(format!(
                        "not run: the server went to ERROR at `{}`",
                        step.label
                    ));
                }
                StepOutcome::Gone => abort = Some("not run: the server is gone".to_owned()),
                _ => {}
            }
            records.push(record);
        }
        records
    }

    fn action_body(&self, step: &Step, action: &str) -> Value {
        match step.label {
            "reboot-soft" => json!({"reboot": {"type": "SOFT"}}),
            "reboot-hard" => json!({"reboot": {"type": "HARD"}}),
            "rebuild" => json!({"rebuild": {"imageRef": self.resources.image}}),
            "change-password" => {
                // A throwaway password nobody needs: it is never printed or stored.
                let pass = format!("Ck-{:x}{:x}", rand_u64(), rand_u64());
                json!({"changePassword": {"adminPass": pass}})
            }
            _ => json!({ action: Value::Null }),
        }
    }

    fn create_body(&self, name: &str) -> Value {
        let mut server = json!({
            "name": name,
            "flavorRef": self.resources.flavor,
            "imageRef": self.resources.image,
            "metadata": {TAG_KEY: self.run_id},
        });
        if let Some(networks) = &self.resources.networks {
            server["networks"] = networks.clone();
        }
        json!({ "server": server })
    }

    async fn run_step(
        &self,
        program: &'static str,
        step: Step,
        name: &str,
        id: &mut Option<String>,
        body: Option<Value>,
    ) -> StepRecord {
        let started = Instant::now();
        let finish = |outcome: StepOutcome, seen: Vec<Triple>| StepRecord {
            program,
            step,
            outcome,
            seen,
            duration: started.elapsed(),
        };
        (self.on_progress)(name, step.label, "requested");
        let sent = match (step.request, id.as_deref()) {
            (Request::Create, _) => {
                let answer = self
                    .client
                    .send(Method::POST, &["servers"], Some(&self.create_body(name)))
                    .await;
                match answer {
                    Ok(v) => match v.pointer("/server/id").and_then(Value::as_str) {
                        Some(new) => {
                            *id = Some(new.to_owned());
                            if let Ok(mut created) = self.created.lock() {
                                created.push(new.to_owned());
                            }
                            Ok(())
                        }
                        None => Err(StepOutcome::Failed(
                            "the create answer has no server id".to_owned(),
                        )),
                    },
                    Err(e) => Err(step_error(&e)),
                }
            }
            (_, None) => Err(StepOutcome::NotRun("not run: no server".to_owned())),
            (Request::Action(action), Some(sid)) => {
                let body = body.unwrap_or_else(|| self.action_body(&step, action));
                self.client
                    .send(Method::POST, &["servers", sid, "action"], Some(&body))
                    .await
                    .map(|_| ())
                    .map_err(|e| step_error(&e))
            }
            (Request::Delete, Some(sid)) => self
                .client
                .send(Method::DELETE, &["servers", sid], None)
                .await
                .map(|_| ())
                .map_err(|e| step_error(&e)),
        };
        if let Err(outcome) = sent {
            return finish(outcome, Vec::new());
        }
        let Some(sid) = id.clone() else {
            return finish(StepOutcome::Failed("no server id".to_owned()), Vec::new());
        };
        let mut seen: Vec<Triple> = Vec::new();
        let deadline = started + self.step_timeout;
        loop {
            match self.client.get_server(&sid).await {
                Ok(server) => {
                    let now = Triple::of(&server);
                    self.record(&server);
                    if seen.last() != Some(&now) {
                        (self.on_progress)(name, step.label, &now.status);
                        seen.push(now.clone());
                    }
                    if settled(step.settle, &now) {
                        let json = server.as_json().to_string();
                        return finish(StepOutcome::Settled { at: now, json }, seen);
                    }
                }
                Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => {
                    let outcome = match step.settle {
                        Settle::Deleted | Settle::Gone => StepOutcome::Gone,
                        Settle::Vm(_) => StepOutcome::Failed(format!("the server vanished: {e}")),
                    };
                    return finish(outcome, seen);
                }
                Err(e) => return finish(StepOutcome::Failed(e.to_string()), seen),
            }
            if Instant::now() + self.poll > deadline {
                let last = seen.last().cloned();
                return finish(
                    StepOutcome::TimedOut {
                        last,
                        after: self.step_timeout,
                    },
                    seen,
                );
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    fn record(&self, server: &Server) {
        let Some(seen) = ObservedServer::from_server(server) else {
            return;
        };
        if let Ok(mut all) = self.observed.lock()
            && !all.iter().any(|o| {
                o.id == seen.id
                    && o.vm_state == seen.vm_state
                    && o.task_state == seen.task_state
                    && o.status == seen.status
            })
        {
            all.push(seen);
        }
    }
}

fn step_error(e: &ComputeError) -> StepOutcome {
    match refused(e) {
        Some(message) => StepOutcome::Refused(message),
        None => StepOutcome::Failed(e.to_string()),
    }
}

/// Whether a polled state ends a step: no task, and the expected vm_state (or ERROR).
fn settled(settle: Settle, now: &Triple) -> bool {
    if now.task_state.is_some() {
        return false;
    }
    let vm = now.vm_state.as_deref();
    match settle {
        Settle::Vm(states) => vm.is_some_and(|v| states.contains(&v) || v == "error"),
        Settle::Deleted => matches!(vm, Some("soft-delete" | "error")),
        Settle::Gone => vm == Some("error"),
    }
}

/// A random number from the standard library's hasher seed (no extra dependency).
fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(Instant::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(vm: &str, task: Option<&str>, status: &str) -> Triple {
        Triple::seen(vm, task, status)
    }

    #[test]
    fn a_step_settles_only_without_a_task_in_an_expected_or_error_state() {
        let stopped = Settle::Vm(&["stopped"]);
        assert!(!settled(
            stopped,
            &t("active", Some("powering-off"), "ACTIVE")
        ));
        assert!(!settled(stopped, &t("active", None, "ACTIVE")));
        assert!(settled(stopped, &t("stopped", None, "SHUTOFF")));
        assert!(settled(stopped, &t("error", None, "ERROR")));
        assert!(settled(
            Settle::Deleted,
            &t("soft-delete", None, "SOFT_DELETED")
        ));
        assert!(!settled(
            Settle::Gone,
            &t("soft-delete", None, "SOFT_DELETED")
        ));
    }

    #[test]
    fn triples_print_as_pair_and_status() {
        assert_eq!(
            t("active", Some("rebooting"), "REBOOT").label(),
            "active/rebooting REBOOT"
        );
    }
}
