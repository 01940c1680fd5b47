//! A hand-built [`RunReport`] for examples and tests of the writers.
//!
//! Not part of the stable API: it exists so that doc examples, unit tests and the integration
//! tests all exercise the writers on the same, fully known run.

use super::model::{Compatibility, Implementation, ProfileRun, RunReport};
use crate::case::{Case, CaseId, Group};
use crate::outcome::{CaseResult, Outcome};
use chrono::DateTime;
use std::time::Duration;

/// [`sample_report`] with an unknown compatibility for each reason: `ecs-openstack` "errors or
/// skips" (status cases in scope, some not judged), `ecs` "no status cases in scope".
pub fn sample_report_with_unknowns() -> RunReport {
    let mut report = sample_report();
    report.compatibility[0].conforms = None;
    report.compatibility[1].conforms = None;
    report.compatibility[1].pairs = 0;
    report
}

/// Two profiles with every outcome: `ecs-openstack` (1 fail, 1 error, 1 skip, 2 pass) and `ecs`
/// (1 fail, 3 pass). The failing ecs-openstack case carries server JSON with `<`, `&` and `"`
/// so escaping can be checked.
pub fn sample_report() -> RunReport {
    let started = DateTime::parse_from_rfc3339("2025-01-02T03:04:05.123+00:00")
        .expect("a valid literal timestamp");
    let finished = DateTime::parse_from_rfc3339("2025-01-02T03:04:06.5+00:00")
        .expect("a valid literal timestamp");
    let cases = vec![
        result(
            case(
                "ecs-openstack",
                Group::Valid,
                Some("active"),
                None,
                "ACTIVE",
            ),
            Outcome::Pass,
            Some("ACTIVE"),
            None,
            None,
            1_235,
        ),
        result(
            case(
                "ecs-openstack",
                Group::Valid,
                Some("active"),
                Some("rebooting"),
                "REBOOT",
            ),
            Outcome::Fail,
            Some("ACTIVE"),
            Some("expected REBOOT, observed ACTIVE"),
            Some(r#"{"server": {"id": "s-1", "name": "conf-<run>&1", "status": "ACTIVE"}}"#),
            1_600,
        ),
        result(
            case(
                "ecs-openstack",
                Group::Invalid,
                Some("building"),
                Some("rebooting"),
                "UNKNOWN",
            ),
            Outcome::Error,
            None,
            Some("GET /compute/v2.1/servers/s-2 answered HTTP 500"),
            Some("<html>Internal Server Error</html>"),
            3_000,
        ),
        result(
            case(
                "ecs-openstack",
                Group::Probe,
                Some("bogus"),
                None,
                "UNKNOWN",
            ),
            Outcome::Skip,
            None,
            Some("adapter declined: unknown vm_state"),
            None,
            0,
        ),
        result(
            case("ecs-openstack", Group::Probe, Some(""), None, "UNKNOWN"),
            Outcome::Pass,
            Some("UNKNOWN"),
            None,
            None,
            1_000,
        ),
        result(
            case("ecs", Group::Valid, Some("active"), None, "ACTIVE"),
            Outcome::Pass,
            Some("ACTIVE"),
            None,
            None,
            1_000,
        ),
        result(
            case("ecs", Group::Valid, Some("stopped"), None, "SHUTOFF"),
            Outcome::Pass,
            Some("SHUTOFF"),
            None,
            None,
            1_000,
        ),
        result(
            case(
                "ecs",
                Group::Invalid,
                Some("stopped"),
                Some("rebooting"),
                "UNKNOWN",
            ),
            Outcome::Fail,
            Some("SHUTOFF"),
            None,
            Some(r#"{"server": {"id": "s-3", "status": "SHUTOFF"}}"#),
            1_000,
        ),
        result(
            case("ecs", Group::Probe, None, None, "UNKNOWN"),
            Outcome::Pass,
            Some("UNKNOWN"),
            None,
            None,
            1_000,
        ),
    ];
    RunReport {
        harness_version: "0.1.0".to_owned(),
        target: "http://127.0.0.1:8774".to_owned(),
        implementation: Some(Implementation {
            name: "openstacksdk".to_owned(),
            version: "4.1.0".to_owned(),
            language: "python".to_owned(),
            homepage: Some("https://docs.openstack.org/openstacksdk/".to_owned()),
            protocol_version: None,
            status_model: None,
        }),
        started,
        finished,
        scope: crate::report::RunScope::default(),
        profiles: vec![
            ProfileRun {
                name: "ecs-openstack".to_owned(),
                digest: "sha256:aaaa".to_owned(),
            },
            ProfileRun {
                name: "ecs".to_owned(),
                digest: "sha256:bbbb".to_owned(),
            },
        ],
        compatibility: vec![
            Compatibility {
                scope: None,
                profile: "ecs-openstack".to_owned(),
                conforms: Some(false),
                differences: 1,
                pairs: 3,
            },
            Compatibility {
                scope: None,
                profile: "ecs".to_owned(),
                conforms: Some(false),
                differences: 1,
                pairs: 3,
            },
            Compatibility {
                scope: None,
                profile: "nova".to_owned(),
                conforms: Some(false),
                differences: 7,
                pairs: 3,
            },
        ],
        properties: vec![("microversion".to_owned(), "2.100".to_owned())],
        warnings: vec!["TLS certificate verification is off".to_owned()],
        cases,
        seed: None,
        timelines: Vec::new(),
    }
}

/// A case of `profile` with its id built the standard way.
pub fn case(
    profile: &str,
    group: Group,
    vm_state: Option<&str>,
    task_state: Option<&str>,
    expected: &str,
) -> Case {
    Case {
        id: CaseId::new(profile, vm_state, task_state),
        profile: profile.to_owned(),
        group,
        vm_state: vm_state.map(str::to_owned),
        task_state: task_state.map(str::to_owned),
        expected: expected.to_owned(),
    }
}

/// A result for `case`; `micros` is its duration.
pub fn result(
    case: Case,
    outcome: Outcome,
    observed: Option<&str>,
    detail: Option<&str>,
    evidence: Option<&str>,
    micros: u64,
) -> CaseResult {
    CaseResult {
        case,
        outcome,
        observed: observed.map(str::to_owned),
        detail: detail.map(str::to_owned),
        evidence: evidence.map(str::to_owned),
        duration: Duration::from_micros(micros),
        views_agree: true,
    }
}

/// The names of the entries of `dir`, sorted (panics when it cannot be listed: for tests).
pub fn file_names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("listable")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}
