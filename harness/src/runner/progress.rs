//! The runner's running tally: recorded results, the `--max-fail` budget, and events.

use super::imp::RunEvent;
use crate::case::Case;
use crate::judge::judge;
use crate::outcome::{CaseResult, Observation, Outcome};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// What the runner has recorded so far, and whether `--max-fail` says stop.
pub(super) struct Progress<'f> {
    pub(super) on_event: &'f mut dyn FnMut(&RunEvent<'_>),
    pub(super) failures: Arc<AtomicUsize>,
    pub(super) max_fail: Option<usize>,
    pub(super) results: Vec<CaseResult>,
}

impl Progress<'_> {
    pub(super) fn stopped(&self) -> bool {
        self.max_fail
            .is_some_and(|m| self.failures.load(Ordering::SeqCst) >= m)
    }

    pub(super) fn record(&mut self, result: CaseResult) {
        if matches!(result.outcome, Outcome::Fail | Outcome::Error) {
            self.failures.fetch_add(1, Ordering::SeqCst);
        }
        (self.on_event)(&RunEvent::CaseFinished(&result));
        self.results.push(result);
    }
}

pub(super) fn errored(case: &Case, message: &str, duration: Duration) -> CaseResult {
    judge(
        case,
        Observation::Errored {
            message: message.to_owned(),
            detail: None,
        },
        duration,
    )
}

pub(super) fn skipped_by_max_fail(case: &Case, max_fail: Option<usize>) -> CaseResult {
    let reason = format!(
        "not run: --max-fail {} reached",
        max_fail.unwrap_or_default()
    );
    judge(case, Observation::Skipped { reason }, Duration::ZERO)
}

pub(super) fn skip_all(cases: &[Case], progress: &mut Progress<'_>) {
    for c in cases {
        progress.record(skipped_by_max_fail(c, progress.max_fail));
    }
}
