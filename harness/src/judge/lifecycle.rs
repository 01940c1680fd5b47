//! Lifecycle steps as cases: `<profile>/lifecycle/<server>/<step>`, judged per profile.

use crate::case::{Case, CaseId, Group, Profile};
use crate::modes::lifecycle::{Settle, StepOutcome, StepRecord};
use crate::outcome::{CaseResult, Outcome};

/// The case of one step for `profile`.
///
/// `pass` when the server settled as the step expects (vm_state, no task) and showed the status
/// the profile gives that state; `fail` when it settled elsewhere or showed another status;
/// `skip` when the cloud refused the step (with its message) or the step was not run; `error`
/// on a timeout or a broken request. The detail lists every state seen on the way.
pub fn judge_step(profile: &Profile, record: &StepRecord) -> CaseResult {
    let step = record.step;
    let primary = step.settle.primary_vm_state();
    let expected = match step.settle {
        Settle::Vm(_) => profile.expected_status(primary, None),
        Settle::Deleted => format!("{} or gone", profile.expected_status(primary, None)),
        Settle::Gone => "gone".to_owned(),
    };
    let (outcome, observed, detail, evidence) = step_verdict(profile, record, primary);
    CaseResult {
        case: Case {
            id: CaseId(format!(
                "{}/lifecycle/{}/{}",
                profile.name(),
                record.program,
                step.label
            )),
            profile: profile.name().to_owned(),
            group: Group::Lifecycle,
            vm_state: primary.map(str::to_owned),
            task_state: None,
            expected,
        },
        outcome,
        observed,
        detail: (!detail.is_empty()).then_some(detail),
        evidence,
        duration: record.duration,
        views_agree: true,
    }
}

/// What a step's record shows: outcome, observed status, detail (with every state seen on the
/// way) and evidence.
fn step_verdict(
    profile: &Profile,
    record: &StepRecord,
    primary: Option<&str>,
) -> (Outcome, Option<String>, String, Option<String>) {
    let step = record.step;
    let seen = if record.seen.is_empty() {
        String::new()
    } else {
        let labels: Vec<String> = record.seen.iter().map(|t| t.label()).collect();
        format!("seen: {}", labels.join(" -> "))
    };
    let with_seen = |text: String| {
        if seen.is_empty() {
            text
        } else if text.is_empty() {
            seen.clone()
        } else {
            format!("{text}; {seen}")
        }
    };
    match &record.outcome {
        StepOutcome::Settled { at, json } => {
            let vm = at.vm_state.as_deref();
            let vm_ok = record.settled_as_expected();
            let want = profile.expected_status(vm, None);
            let problem = if !vm_ok {
                format!(
                    "expected vm_state {} with no task, settled in {}",
                    primary.unwrap_or("(gone)"),
                    at.label()
                )
            } else if at.status != want {
                format!(
                    "expected {want} for {}/null, observed {}",
                    vm.unwrap_or("null"),
                    at.status
                )
            } else {
                String::new()
            };
            let outcome = if problem.is_empty() {
                Outcome::Pass
            } else {
                Outcome::Fail
            };
            (
                outcome,
                Some(at.status.clone()),
                with_seen(problem),
                Some(json.clone()),
            )
        }
        StepOutcome::Gone => {
            let ok = record.settled_as_expected();
            let problem = if ok {
                String::new()
            } else {
                "the server is gone (HTTP 404)".to_owned()
            };
            let outcome = if ok { Outcome::Pass } else { Outcome::Fail };
            (outcome, Some("gone".to_owned()), with_seen(problem), None)
        }
        StepOutcome::Refused(message) => (
            Outcome::Skip,
            None,
            format!("the cloud refused `{}`: {message}", step.label),
            None,
        ),
        StepOutcome::NotRun(reason) => (Outcome::Skip, None, reason.clone(), None),
        StepOutcome::TimedOut { last, after } => (
            Outcome::Error,
            last.as_ref().map(|t| t.status.clone()),
            with_seen(format!(
                "did not settle within {} s (last seen: {})",
                after.as_secs_f64(),
                last.as_ref().map_or("nothing".to_owned(), |t| t.label())
            )),
            None,
        ),
        StepOutcome::Failed(message) => (Outcome::Error, None, with_seen(message.clone()), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::builtin_profile;
    use crate::modes::lifecycle::{PROGRAMS, Triple};
    use std::time::Duration;

    fn record(label: &str, outcome: StepOutcome, seen: Vec<Triple>) -> StepRecord {
        let step = *PROGRAMS[0].steps.iter().find(|s| s.label == label).unwrap();
        StepRecord {
            program: "basic",
            step,
            outcome,
            seen,
            duration: Duration::from_millis(5),
        }
    }

    fn t(vm: &str, task: Option<&str>, status: &str) -> Triple {
        Triple::seen(vm, task, status)
    }

    #[test]
    fn a_stop_that_settles_in_shutoff_passes_and_lists_what_was_seen() {
        let nova = builtin_profile("nova").unwrap();
        let seen = vec![
            t("active", Some("powering-off"), "ACTIVE"),
            t("stopped", None, "SHUTOFF"),
        ];
        let settled = StepOutcome::Settled {
            at: seen[1].clone(),
            json: "{}".into(),
        };
        let r = judge_step(&nova, &record("stop", settled, seen));
        assert_eq!(r.case.id.as_str(), "nova/lifecycle/basic/stop");
        assert_eq!(r.case.display_name(), "basic/stop -> SHUTOFF");
        assert_eq!(r.outcome, Outcome::Pass);
        assert_eq!(
            r.detail.as_deref(),
            Some("seen: active/powering-off ACTIVE -> stopped/null SHUTOFF")
        );
    }

    #[test]
    fn settling_elsewhere_fails_and_a_refusal_is_skipped_with_the_message() {
        let nova = builtin_profile("nova").unwrap();
        let wrong = StepOutcome::Settled {
            at: t("active", None, "ACTIVE"),
            json: "{}".into(),
        };
        let r = judge_step(&nova, &record("pause", wrong, vec![]));
        assert_eq!(r.outcome, Outcome::Fail);
        assert_eq!(
            r.detail.as_deref(),
            Some("expected vm_state paused with no task, settled in active/null ACTIVE")
        );
        let refused = StepOutcome::Refused("HTTP 409: no".into());
        let r = judge_step(&nova, &record("rescue", refused, vec![]));
        assert_eq!(
            (r.outcome, r.detail.as_deref()),
            (
                Outcome::Skip,
                Some("the cloud refused `rescue`: HTTP 409: no")
            )
        );
    }

    #[test]
    fn a_timeout_is_an_error_naming_the_last_state() {
        let nova = builtin_profile("nova").unwrap();
        let last = t("active", Some("rebooting"), "REBOOT");
        let timed_out = StepOutcome::TimedOut {
            last: Some(last.clone()),
            after: Duration::from_secs(2),
        };
        let r = judge_step(&nova, &record("reboot-soft", timed_out, vec![last]));
        assert_eq!(r.outcome, Outcome::Error);
        assert_eq!(
            r.detail.as_deref(),
            Some(
                "did not settle within 2 s (last seen: active/rebooting REBOOT); seen: \
                 active/rebooting REBOOT"
            )
        );
    }
}
