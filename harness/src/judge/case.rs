//! Turns what a target showed into a verdict. Pure functions, no I/O.

use crate::case::{Case, state_label};
use crate::outcome::{CaseResult, Observation, Outcome, Seen};
use std::time::Duration;

/// Compares an observation with the case's expectation.
///
/// A case passes only when every view shows the expected status and every echoed state equals
/// the injected one. A differing status or state is a `fail`; an errored observation an `error`.
pub fn judge(case: &Case, observation: Observation, duration: Duration) -> CaseResult {
    let mut views_agree = false;
    let (outcome, observed, detail, evidence) = match observation {
        Observation::Seen(seen) => {
            views_agree = agree(case, &seen);
            let evidence = seen.server_json.clone();
            let observed = Some(seen.status.clone());
            match mismatch(case, &seen) {
                None => (Outcome::Pass, observed, None, evidence),
                Some(why) => (Outcome::Fail, observed, Some(why), evidence),
            }
        }
        Observation::Skipped { reason } => (Outcome::Skip, None, Some(reason), None),
        Observation::Errored { message, detail } => (Outcome::Error, None, Some(message), detail),
    };
    CaseResult {
        case: case.clone(),
        outcome,
        observed,
        detail,
        evidence,
        duration,
        views_agree,
    }
}

/// Every other view shows the primary view's status, and every echoed state is the injected one.
fn agree(case: &Case, seen: &Seen) -> bool {
    seen.other_views
        .iter()
        .all(|(_, status)| *status == seen.status)
        && seen.vm_state.as_ref().is_none_or(|vm| *vm == case.vm_state)
        && seen
            .task_state
            .as_ref()
            .is_none_or(|task| *task == case.task_state)
}

fn mismatch(case: &Case, seen: &Seen) -> Option<String> {
    let mut problems = Vec::new();
    if seen.status != case.expected {
        problems.push(format!(
            "expected {}, observed {}",
            case.expected,
            show(Some(&seen.status))
        ));
    }
    for (view, status) in &seen.other_views {
        if *status == case.expected || *status == seen.status {
            // Agreeing with the primary view adds nothing to say.
            continue;
        }
        if seen.status == case.expected {
            problems.push(format!(
                "expected {} in {view}, observed {}",
                case.expected,
                show(Some(status))
            ));
        } else {
            problems.push(format!("{view} shows {}", show(Some(status))));
        }
    }
    let echoes = [
        ("vm_state", &seen.vm_state, &case.vm_state),
        ("task_state", &seen.task_state, &case.task_state),
    ];
    for (field, echoed, injected) in echoes {
        if let Some(echoed) = echoed
            && echoed != injected
        {
            problems.push(format!(
                "{field} injected as {} but shown as {}",
                state_label(injected.as_deref()),
                state_label(echoed.as_deref())
            ));
        }
    }
    if problems.is_empty() {
        None
    } else {
        Some(problems.join("; "))
    }
}

fn show(s: Option<&str>) -> String {
    match s {
        None => "nothing".to_owned(),
        Some("") => "\"\"".to_owned(),
        Some(s) => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{CaseId, Group};

    fn case(vm: Option<&str>, task: Option<&str>, expected: &str) -> Case {
        Case {
            id: CaseId::new("ecs", vm, task),
            profile: "ecs".into(),
            group: Group::Valid,
            vm_state: vm.map(str::to_owned),
            task_state: task.map(str::to_owned),
            expected: expected.into(),
        }
    }

    fn seen(status: &str, vm: Option<&str>, task: Option<&str>) -> Seen {
        Seen {
            status: status.into(),
            vm_state: Some(vm.map(str::to_owned)),
            task_state: Some(task.map(str::to_owned)),
            other_views: vec![],
            server_json: Some("{}".into()),
        }
    }

    /// The judgement of `c` on what one view showed, observed instantly.
    fn judged(c: &Case, s: Seen) -> CaseResult {
        judge(c, Observation::Seen(s), Duration::ZERO)
    }

    #[test]
    fn matching_status_and_echoes_pass() {
        let c = case(Some("active"), Some("rebooting"), "REBOOT");
        let r = judged(&c, seen("REBOOT", Some("active"), Some("rebooting")));
        assert_eq!(r.outcome, Outcome::Pass);
        assert_eq!(r.detail, None);
    }

    #[test]
    fn a_different_status_fails_with_expected_and_observed() {
        let c = case(Some("active"), Some("rebooting"), "REBOOT");
        let r = judged(&c, seen("ACTIVE", Some("active"), Some("rebooting")));
        assert_eq!(r.outcome, Outcome::Fail);
        assert_eq!(r.observed.as_deref(), Some("ACTIVE"));
        assert_eq!(
            r.detail.as_deref(),
            Some("expected REBOOT, observed ACTIVE")
        );
    }

    #[test]
    fn the_listing_view_is_judged_next_to_show() {
        // (expected, show, /servers/detail, detail): a disagreeing listing fails even when show
        // passes; views that disagree with each other are both named; a listing agreeing with a
        // wrong show adds nothing.
        let rows = [
            (
                "SHUTOFF",
                "SHUTOFF",
                "ACTIVE",
                "expected SHUTOFF in /servers/detail, observed ACTIVE",
            ),
            (
                "REBOOT",
                "ACTIVE",
                "HARD_REBOOT",
                "expected REBOOT, observed ACTIVE; /servers/detail shows HARD_REBOOT",
            ),
            (
                "REBOOT",
                "ACTIVE",
                "ACTIVE",
                "expected REBOOT, observed ACTIVE",
            ),
        ];
        for (expected, shown, listed, detail) in rows {
            let c = case(Some("active"), Some("rebooting"), expected);
            let mut s = seen(shown, Some("active"), Some("rebooting"));
            s.other_views
                .push(("/servers/detail".into(), listed.into()));
            let r = judged(&c, s);
            assert_eq!(
                (r.outcome, r.detail.as_deref()),
                (Outcome::Fail, Some(detail))
            );
            assert_eq!(r.views_agree, shown == listed, "{detail}");
        }
    }

    #[test]
    fn a_rewritten_state_fails_even_with_the_right_status() {
        let c = case(Some("ACTIVE"), None, "UNKNOWN");
        let r = judged(&c, seen("UNKNOWN", Some("active"), None));
        assert_eq!(r.outcome, Outcome::Fail);
        assert_eq!(
            r.detail.as_deref(),
            Some("vm_state injected as ACTIVE but shown as active")
        );
    }

    #[test]
    fn echoes_a_target_does_not_report_are_not_checked() {
        let c = case(Some("active"), None, "ACTIVE");
        let mut s = seen("ACTIVE", None, None);
        s.vm_state = None;
        s.task_state = None;
        assert_eq!(judged(&c, s).outcome, Outcome::Pass);
    }

    #[test]
    fn errors_and_skips_keep_their_message() {
        let c = case(Some("active"), None, "ACTIVE");
        let e = judge(
            &c,
            Observation::Errored {
                message: "timed out".into(),
                detail: None,
            },
            Duration::ZERO,
        );
        assert_eq!(
            (e.outcome, e.detail.as_deref()),
            (Outcome::Error, Some("timed out"))
        );
        let s = judge(
            &c,
            Observation::Skipped {
                reason: "not supported".into(),
            },
            Duration::ZERO,
        );
        assert_eq!(
            (s.outcome, s.detail.as_deref()),
            (Outcome::Skip, Some("not supported"))
        );
    }
}
