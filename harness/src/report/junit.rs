//! `junit.xml`: one `testsuite` per profile × group, strict enough for Jenkins' xunit schema.
//!
//! # Layout
//!
//! * `<testsuites name="conformance">` with the run's totals and wall time.
//! * One `<testsuite name="<profile>.<group>">` per profile and group that has cases (groups in
//!   the order valid, invalid, probe), with `<properties>`: harness version, target, profile,
//!   profile digest, start and finish, implementation metadata, extra run properties, the
//!   profile compatibility verdicts and the warnings.
//! * One `<testcase classname="conformance.<profile>.<group>" name="<vm> / <task> -> <STATUS>">`
//!   per case; the name is [`Case::display_name`](crate::case::Case::display_name), unique within
//!   its suite and stable between runs (Jenkins keys history on classname + name; GitLab keeps
//!   only the first of duplicate names).
//! * A conformance failure is `<failure type="mismatch" message="expected X, observed Y">` with
//!   the server JSON seen as its text; an error is `<error type="error" message="…">` with the
//!   detail as text and the evidence (response body, adapter stderr) in the case's
//!   `<system-err>`; a skip is `<skipped message="reason">`.
//!
//! # Implementation notes
//!
//! quick-junit always writes a `skipped` attribute on `<testsuites>`, which `junit-10.xsd` does
//! not allow there (it allows it on `<testsuite>`), so [`to_junit_string`] removes it from the
//! root tag after serialising. No report uuid or timestamp is set on the root for the same
//! reason. Every time is rounded to whole milliseconds; the schema's `SUREFIRE_TIME` rejects
//! more than 3 decimals.

use super::model::RunReport;
use super::summary::{plural, problem_message, round_to_millis};
use crate::case::Group;
use crate::outcome::{CaseResult, Outcome};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// The name of the `<testsuites>` root.
pub const ROOT_NAME: &str = "conformance";

/// Serialises the run as JUnit XML.
///
/// # Examples
///
/// ```
/// use harness::report::{junit, testing::sample_report};
///
/// // Arrange
/// let report = sample_report();
///
/// // Act
/// let xml = junit::to_junit_string(&report);
///
/// // Assert
/// assert!(xml.contains(r#"<testsuite name="ecs-openstack.valid" tests="2""#));
/// assert!(xml.contains(r#"message="expected REBOOT, observed ACTIVE""#));
/// ```
pub fn to_junit_string(report: &RunReport) -> String {
    let junit = to_junit_report(report);
    let mut bytes = Vec::new();
    // Serialising into a Vec cannot fail on I/O, and XmlString has already removed every
    // character XML cannot carry, so an error here is a broken invariant.
    junit
        .serialize(&mut bytes)
        .expect("serialising JUnit into memory cannot fail");
    let xml = String::from_utf8(bytes).expect("quick-junit writes UTF-8");
    strip_root_skipped(&xml)
}

/// Builds the quick-junit model of the run (before the root `skipped` attribute is dropped).
pub fn to_junit_report(report: &RunReport) -> Report {
    let mut junit = Report::new(ROOT_NAME);
    junit.set_time(round_to_millis(report.wall_time()));
    for profile in report.profile_names() {
        for group in Group::ALL {
            let results: Vec<&CaseResult> = report.results_of(profile, Some(group)).collect();
            if results.is_empty() {
                continue;
            }
            junit.add_test_suite(suite(report, profile, group, &results));
        }
    }
    junit
}

/// The suite name of a profile's group, e.g. `ecs-openstack.valid`.
pub fn suite_name(profile: &str, group: Group) -> String {
    format!("{profile}.{group}")
}

/// The test case class name of a profile's group, e.g. `conformance.ecs-openstack.valid`.
pub fn class_name(profile: &str, group: Group) -> String {
    format!("{ROOT_NAME}.{profile}.{group}")
}

fn suite(report: &RunReport, profile: &str, group: Group, results: &[&CaseResult]) -> TestSuite {
    let mut suite = TestSuite::new(suite_name(profile, group));
    suite.set_timestamp(report.started);
    suite.add_properties(properties(report, profile));
    let classname = class_name(profile, group);
    let mut time = Duration::ZERO;
    for result in results {
        let case = test_case(result, &classname);
        time += case.time.unwrap_or_default();
        suite.add_test_case(case);
    }
    suite.set_time(time);
    suite
}

fn properties(report: &RunReport, profile: &str) -> Vec<Property> {
    let mut props = vec![
        Property::new("harness.version", &report.harness_version),
        Property::new("target", &report.target),
        Property::new("profile", profile),
    ];
    if let Some(run) = report.profiles.iter().find(|p| p.name == profile) {
        props.push(Property::new("profile.digest", &run.digest));
    }
    props.push(Property::new("run.started", report.started.to_rfc3339()));
    props.push(Property::new("run.finished", report.finished.to_rfc3339()));
    if let Some(implementation) = &report.implementation {
        props.push(Property::new("implementation.name", &implementation.name));
        props.push(Property::new(
            "implementation.version",
            &implementation.version,
        ));
        props.push(Property::new(
            "implementation.language",
            &implementation.language,
        ));
        if let Some(homepage) = &implementation.homepage {
            props.push(Property::new("implementation.homepage", homepage));
        }
    }
    for (key, value) in &report.properties {
        props.push(Property::new(key, value));
    }
    for compatibility in &report.compatibility {
        let verdict = match compatibility.conforms {
            Some(true) => "conforms".to_owned(),
            Some(false) => plural(compatibility.differences, "difference"),
            None => super::summary::unknown_reason(compatibility).to_owned(),
        };
        let key = match &compatibility.scope {
            None => format!("compatibility.{}", compatibility.profile),
            Some(scope) => format!("compatibility.{scope}.{}", compatibility.profile),
        };
        props.push(Property::new(key, verdict));
    }
    for (n, warning) in report.warnings.iter().enumerate() {
        props.push(Property::new(format!("warning.{}", n + 1), warning));
    }
    props
}

fn test_case(result: &CaseResult, classname: &str) -> TestCase {
    let status = match result.outcome {
        Outcome::Pass => TestCaseStatus::success(),
        Outcome::Fail => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_type("mismatch")
                .set_message(one_line(&problem_message(result)));
            if let Some(evidence) = &result.evidence {
                status.set_description(evidence);
            }
            status
        }
        Outcome::Error => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            let message = problem_message(result);
            status.set_type("error").set_message(one_line(&message));
            status.set_description(message);
            status
        }
        Outcome::Skip => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(one_line(result.detail.as_deref().unwrap_or("skipped")));
            status
        }
    };
    let mut case = TestCase::new(result.case.display_name(), status);
    case.set_classname(classname);
    case.set_time(round_to_millis(result.duration));
    if result.outcome == Outcome::Error
        && let Some(evidence) = &result.evidence
    {
        case.set_system_err(evidence);
    }
    case
}

/// Attribute values are read as one line (XML normalises newlines in attributes to spaces);
/// say so explicitly, so every consumer shows the same text.
fn one_line(text: &str) -> String {
    text.split(['\r', '\n'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Drops the `skipped="N"` attribute from the `<testsuites …>` start tag only.
fn strip_root_skipped(xml: &str) -> String {
    let Some(start) = xml.find("<testsuites") else {
        return xml.to_owned();
    };
    let end = xml[start..].find('>').map_or(xml.len(), |i| start + i);
    let tag = &xml[start..end];
    let Some(attr) = tag.find(" skipped=\"") else {
        return xml.to_owned();
    };
    let value_start = attr + " skipped=\"".len();
    let Some(value_len) = tag[value_start..].find('"') else {
        return xml.to_owned();
    };
    let mut out = String::with_capacity(xml.len());
    out.push_str(&xml[..start + attr]);
    out.push_str(&xml[start + value_start + value_len + 1..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::sample_report;

    fn parsed() -> Report {
        let xml = to_junit_string(&sample_report());
        Report::deserialize_from_str(&xml).expect("our own JUnit parses back")
    }

    #[test]
    fn one_suite_per_profile_and_group_with_exact_counts() {
        let junit = parsed();
        let rows: Vec<(String, usize, usize, usize, usize)> = junit
            .test_suites
            .iter()
            .map(|s| {
                let name = s.name.to_string();
                (name, s.tests, s.failures, s.errors, s.skipped)
            })
            .collect();
        let want = [
            ("ecs-openstack.valid", 2, 1, 0, 0),
            ("ecs-openstack.invalid", 1, 0, 1, 0),
            ("ecs-openstack.probe", 2, 0, 0, 1),
            ("ecs.valid", 2, 0, 0, 0),
            ("ecs.invalid", 1, 1, 0, 0),
            ("ecs.probe", 1, 0, 0, 0),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(n, t, f, e, s)| (n.to_string(), *t, *f, *e, *s))
            .collect();
        assert_eq!(rows, want);
        assert_eq!(
            (junit.tests, junit.failures, junit.errors),
            (9, 2, 1),
            "root totals"
        );
    }

    #[test]
    fn a_failure_says_expected_and_observed_and_carries_the_server_json() {
        let junit = parsed();
        let case = &junit.test_suites[0].test_cases[1];
        assert_eq!(case.name.as_str(), "active / rebooting -> REBOOT");
        assert_eq!(
            case.classname.as_deref(),
            Some("conformance.ecs-openstack.valid")
        );
        let TestCaseStatus::NonSuccess {
            kind,
            message,
            ty,
            description,
            ..
        } = &case.status
        else {
            panic!("expected a failure, got {:?}", case.status);
        };
        assert_eq!(*kind, NonSuccessKind::Failure);
        assert_eq!(message.as_deref(), Some("expected REBOOT, observed ACTIVE"));
        assert_eq!(ty.as_deref(), Some("mismatch"));
        assert_eq!(
            description.as_deref(),
            Some(r#"{"server": {"id": "s-1", "name": "conf-<run>&1", "status": "ACTIVE"}}"#)
        );
        assert_eq!(case.time, Some(Duration::from_millis(2)));
    }

    #[test]
    fn a_failure_without_detail_still_names_both_statuses() {
        let junit = parsed();
        let case = &junit.test_suites[4].test_cases[0];
        assert_eq!(case.name.as_str(), "stopped / rebooting -> UNKNOWN");
        let TestCaseStatus::NonSuccess { message, .. } = &case.status else {
            panic!("expected a failure, got {:?}", case.status);
        };
        assert_eq!(
            message.as_deref(),
            Some("expected UNKNOWN, observed SHUTOFF")
        );
    }

    #[test]
    fn an_error_has_its_message_and_the_evidence_in_system_err() {
        let junit = parsed();
        let case = &junit.test_suites[1].test_cases[0];
        let TestCaseStatus::NonSuccess { kind, message, .. } = &case.status else {
            panic!("expected an error, got {:?}", case.status);
        };
        assert_eq!(*kind, NonSuccessKind::Error);
        assert_eq!(
            message.as_deref(),
            Some("GET /compute/v2.1/servers/s-2 answered HTTP 500")
        );
        assert_eq!(
            case.system_err.as_deref(),
            Some("<html>Internal Server Error</html>")
        );
    }

    #[test]
    fn a_skip_carries_its_reason_and_probe_names_spell_empty_and_null() {
        let junit = parsed();
        let probe = &junit.test_suites[2];
        let names: Vec<&str> = probe.test_cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["bogus / null -> UNKNOWN", "\"\" / null -> UNKNOWN"]);
        let TestCaseStatus::Skipped { message, .. } = &probe.test_cases[0].status else {
            panic!("expected a skip");
        };
        assert_eq!(
            message.as_deref(),
            Some("adapter declined: unknown vm_state")
        );
    }

    #[test]
    fn suites_carry_run_profile_and_implementation_properties() {
        let junit = parsed();
        let props: Vec<(String, String)> = junit.test_suites[3]
            .properties
            .iter()
            .map(|p| (p.name.to_string(), p.value.to_string()))
            .collect();
        let want = [
            ("harness.version", "0.1.0"),
            ("target", "http://127.0.0.1:8774"),
            ("profile", "ecs"),
            ("profile.digest", "sha256:bbbb"),
            ("run.started", "2025-01-02T03:04:05.123+00:00"),
            ("run.finished", "2025-01-02T03:04:06.500+00:00"),
            ("implementation.name", "openstacksdk"),
            ("implementation.version", "4.1.0"),
            ("implementation.language", "python"),
            (
                "implementation.homepage",
                "https://docs.openstack.org/openstacksdk/",
            ),
            ("microversion", "2.100"),
            ("compatibility.ecs-openstack", "1 difference"),
            ("compatibility.ecs", "1 difference"),
            ("compatibility.nova", "7 differences"),
            ("warning.1", "TLS certificate verification is off"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(props, want);
    }

    #[test]
    fn the_root_has_no_skipped_uuid_or_timestamp_and_times_have_three_decimals() {
        let xml = to_junit_string(&sample_report());
        let root = xml.lines().nth(1).expect("a root line");
        assert_eq!(
            root,
            r#"<testsuites name="conformance" tests="9" failures="2" errors="1" time="1.377">"#
        );
        assert!(xml.contains(r#"<testcase name="active / null -&gt; ACTIVE" classname="conformance.ecs-openstack.valid" time="0.001"/>"#));
    }

    #[test]
    fn messages_are_one_line_while_the_text_keeps_every_line() {
        let mut report = sample_report();
        report.cases[2].detail = Some("adapter crashed\nTraceback: boom".to_owned());
        let junit = Report::deserialize_from_str(&to_junit_string(&report)).expect("parses");
        let TestCaseStatus::NonSuccess {
            message,
            description,
            ..
        } = &junit.test_suites[1].test_cases[0].status
        else {
            panic!("expected an error");
        };
        assert_eq!(message.as_deref(), Some("adapter crashed Traceback: boom"));
        assert_eq!(
            description.as_deref(),
            Some("adapter crashed\nTraceback: boom")
        );
    }

    #[test]
    fn stripping_touches_only_the_root_tag() {
        let xml = "<?xml?>\n<testsuites name=\"x\" tests=\"1\" skipped=\"3\" failures=\"0\">\n<testsuite name=\"s\" skipped=\"3\">";
        assert_eq!(
            strip_root_skipped(xml),
            "<?xml?>\n<testsuites name=\"x\" tests=\"1\" failures=\"0\">\n<testsuite name=\"s\" skipped=\"3\">"
        );
    }
}
