//! The finished run that every report writer reads.

use crate::case::Profile;
use crate::outcome::CaseResult;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// Metadata of an SDK adapter, from its `start` handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Implementation {
    /// Name, e.g. `openstacksdk`.
    pub name: String,
    /// Version of the implementation under test.
    pub version: String,
    /// Language, e.g. `python`.
    pub language: String,
    /// Homepage URL.
    #[serde(default)]
    pub homepage: Option<String>,
    /// The adapter protocol version agreed in the handshake (1 or 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<u32>,
    /// The SDK's status model, declared in a v2 handshake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_model: Option<crate::target::adapter::StatusModel>,
}

/// One profile of the run, with the digest of the profile file its cases came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileRun {
    /// Profile name.
    pub name: String,
    /// `sha256:<hex>` of the profile file.
    pub digest: String,
}

/// Whether every observation of the run agrees with a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compatibility {
    /// Profile name.
    pub profile: String,
    /// Whose observations were judged: `None` for the whole run (one target answered every
    /// case), or the run profile whose cases were observed on a target of their own (the
    /// embedded fake and fetch adapters start one fake per profile).
    pub scope: Option<String>,
    /// `Some(true)` when every pair in scope passed in every view and agrees with the
    /// profile, `Some(false)` when one disagrees, `None` (unknown) when none disagrees but some
    /// errored or were skipped, or nothing was observed.
    pub conforms: Option<bool>,
    /// How many observed pairs this profile expects differently.
    pub differences: usize,
    /// How many status pairs were in scope (seen, errored or skipped): 0 when the run selected
    /// none (e.g. `--filter '*/wait/*'`), so "unknown" means "nothing to judge", not "errors".
    #[serde(default)]
    pub pairs: usize,
}

/// Which cases a run covered, printed with every verdict and compatibility table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunScope {
    /// The `--filter` patterns; empty when every case of the profiles ran.
    pub filters: Vec<String>,
    /// True for a run against a real cloud (observe or lifecycle mode): what the cloud did not
    /// show is coverage, not a skip.
    pub cloud: bool,
}

impl RunScope {
    /// `all cases`, or `cases matching `P`, `Q``: never "all cases" for a filtered run.
    ///
    /// ```
    /// use harness::report::RunScope;
    ///
    /// let filtered = RunScope { filters: vec!["ecs/active/*".into()], cloud: false };
    /// assert_eq!(filtered.label(), "cases matching `ecs/active/*`");
    /// assert_eq!(RunScope::default().label(), "all cases");
    /// ```
    pub fn label(&self) -> String {
        if self.filters.is_empty() {
            return "all cases".to_owned();
        }
        let patterns: Vec<String> = self.filters.iter().map(|f| format!("`{f}`")).collect();
        format!("cases matching {}", patterns.join(", "))
    }
}

/// A finished run: everything the reports show.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    /// Version of the harness.
    pub harness_version: String,
    /// The target, credentials redacted (e.g. `fake (embedded)`, `http://127.0.0.1:8774`).
    pub target: String,
    /// The adapter's metadata, for adapter targets.
    pub implementation: Option<Implementation>,
    /// When the run started.
    pub started: DateTime<FixedOffset>,
    /// When the run finished.
    pub finished: DateTime<FixedOffset>,
    /// The profiles run, in order.
    pub profiles: Vec<ProfileRun>,
    /// Agreement of the observations with every known profile.
    pub compatibility: Vec<Compatibility>,
    /// Extra properties for the reports (`key`, `value`), already redacted.
    pub properties: Vec<(String, String)>,
    /// Warnings to show in every report (e.g. TLS verification off).
    pub warnings: Vec<String>,
    /// Which cases the run covered.
    pub scope: RunScope,
    /// Every case, in run order.
    pub cases: Vec<CaseResult>,
    /// The seed of an adapter run's blind questions (`--seed N` replays it).
    pub seed: Option<u64>,
    /// What the fake served to each wait case's waiter, poll by poll.
    pub timelines: Vec<super::WaitTimeline>,
}

impl RunReport {
    /// The report of a finished run, for every kind of run (the [`Runner`](crate::runner::Runner)
    /// and [`run_cloud`](crate::modes::run_cloud)): the harness version, `finished` now, each
    /// profile with its digest, and the compatibility the [`judge`](crate::judge) derives from
    /// `cases` alone (skips of a cloud run are coverage; per profile when `per_profile`, see
    /// [`run_compatibility`](crate::judge::run_compatibility)). Implementation, properties and
    /// warnings start empty.
    pub fn new(
        target: String,
        started: DateTime<FixedOffset>,
        profiles: &[Profile],
        cases: Vec<CaseResult>,
        scope: RunScope,
        per_profile: bool,
    ) -> RunReport {
        RunReport {
            harness_version: crate::VERSION.to_owned(),
            target,
            implementation: None,
            started,
            finished: chrono::Local::now().fixed_offset(),
            profiles: profiles
                .iter()
                .map(|p| ProfileRun {
                    name: p.name().to_owned(),
                    digest: p.digest().to_owned(),
                })
                .collect(),
            compatibility: crate::judge::run_compatibility(
                &cases,
                profiles,
                per_profile,
                scope.cloud,
            ),
            scope,
            properties: Vec::new(),
            warnings: Vec::new(),
            cases,
            seed: None,
            timelines: Vec::new(),
        }
    }
}
