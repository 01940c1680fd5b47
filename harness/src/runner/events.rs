//! Events: what the runner tells its caller while it works, and the running tally behind them
//! (recorded results, the `--max-fail` budget).

use crate::case::Case;
use crate::judge::judge;
use crate::outcome::{CaseResult, Observation, Outcome};
use std::time::Duration;

/// What the runner tells its caller while it works.
#[derive(Debug)]
pub enum RunEvent<'a> {
    /// The run is about to start `total` cases.
    Started {
        /// Cases selected across all profiles.
        total: usize,
    },
    /// A profile's cases are about to run.
    ProfileStarted {
        /// The profile.
        profile: &'a str,
        /// Its selected cases.
        cases: usize,
    },
    /// A case has its verdict.
    CaseFinished(&'a CaseResult),
}

/// What the runner has recorded so far, and whether `--max-fail` says stop.
pub(super) struct Progress<'f> {
    on_event: &'f mut dyn FnMut(&RunEvent<'_>),
    failures: usize,
    pub(super) max_fail: Option<usize>,
    pub(super) results: Vec<CaseResult>,
}

impl<'f> Progress<'f> {
    pub(super) fn new(
        on_event: &'f mut dyn FnMut(&RunEvent<'_>),
        max_fail: Option<usize>,
        total: usize,
    ) -> Self {
        Progress {
            on_event,
            failures: 0,
            max_fail,
            results: Vec::with_capacity(total),
        }
    }

    pub(super) fn emit(&mut self, event: &RunEvent<'_>) {
        (self.on_event)(event);
    }

    pub(super) fn stopped(&self) -> bool {
        self.max_fail.is_some_and(|m| self.failures >= m)
    }

    pub(super) fn record(&mut self, result: CaseResult) {
        if matches!(result.outcome, Outcome::Fail | Outcome::Error) {
            self.failures += 1;
        }
        (self.on_event)(&RunEvent::CaseFinished(&result));
        self.results.push(result);
    }

    /// Records `case` as skipped because `--max-fail` was reached.
    pub(super) fn skip(&mut self, case: &Case) {
        let skipped = self.skipped(case);
        self.record(skipped);
    }

    /// The skip of `case` because `--max-fail` was reached.
    pub(super) fn skipped(&self, case: &Case) -> CaseResult {
        let reason = format!(
            "not run: --max-fail {} reached",
            self.max_fail.unwrap_or_default()
        );
        judge(case, Observation::Skipped { reason }, Duration::ZERO)
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
