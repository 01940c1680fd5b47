//! The four reports written to disk, read back, and the JUnit file checked by
//! `.ci/check-junit.py` (Jenkins xunit `junit-10.xsd` + junitparser).
//!
//! The Python check needs `python3` and, on its first run, PyPI. Without them the test fails
//! with the reason; set `SKIP_PY_CHECKS=1` to skip it on purpose.

use harness::report::json::{ResultsRecord, read_results};
use harness::report::junit::{to_junit_report, to_junit_string};
use harness::report::testing::sample_report;
use harness::report::write_all;
use std::path::{Path, PathBuf};
use std::process::Command;

fn checker() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/check-junit.py")
}

/// Runs the checker on `files`; `None` when skipped on purpose.
fn run_checker(files: &[&Path]) -> Option<(i32, String)> {
    if std::env::var("SKIP_PY_CHECKS").as_deref() == Ok("1") {
        println!("skipping .ci/check-junit.py: SKIP_PY_CHECKS=1");
        return None;
    }
    let output = Command::new("python3")
        .arg(checker())
        .args(files)
        .output()
        .unwrap_or_else(|err| {
            panic!(
                "failed to run python3 {} ({err}); install python3 or set SKIP_PY_CHECKS=1",
                checker().display()
            )
        });
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code().unwrap_or(-1);
    assert_ne!(
        code, 2,
        "check-junit.py could not set itself up (no PyPI?); set SKIP_PY_CHECKS=1 to skip:\n{stderr}"
    );
    Some((code, String::from_utf8_lossy(&output.stdout).into_owned()))
}

#[test]
fn written_reports_read_back_and_the_junit_file_passes_the_strict_checks() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temp dir");
    let report = sample_report();

    // Act
    let written = write_all(&report, &dir.path().join("reports"), None).expect("writable");

    // Assert: results.json round-trips to the same record.
    let record = read_results(&written.results).expect("readable");
    assert_eq!(record, ResultsRecord::from_report(&report));
    assert_eq!(record.cases.len(), 9);

    // Assert: the summary and page name the failure.
    let summary = std::fs::read_to_string(&written.summary).expect("readable");
    assert!(
        summary.contains("| `ecs-openstack/active/rebooting` | ❌ fail | REBOOT | ACTIVE | — |")
    );
    let html = std::fs::read_to_string(&written.html).expect("readable");
    assert!(html.contains("<td class=\"o-fail g-valid\" title=\"ecs-openstack/active/rebooting"));

    // Assert: the strict schema and junitparser accept the JUnit file, with the right totals.
    let Some((code, stdout)) = run_checker(&[&written.junit]) else {
        return;
    };
    assert_eq!(code, 0, "check-junit.py rejected our JUnit:\n{stdout}");
    let line = stdout.lines().next().unwrap_or_default();
    assert!(
        line.starts_with(&format!(
            "ok {}: 9 tests, 2 failures, 1 errors, 1 skipped in 6 suites",
            written.junit.display()
        )),
        "{stdout}"
    );
}

#[test]
fn the_checker_rejects_what_strict_consumers_reject() {
    // Arrange: quick-junit's raw output (root `skipped`, which junit-10.xsd forbids), a file
    // whose declared counts lie, and a file with no test case.
    let dir = tempfile::tempdir().expect("a temp dir");
    let report = sample_report();
    let raw = dir.path().join("raw.xml");
    std::fs::write(
        &raw,
        to_junit_report(&report).to_string().expect("serialisable"),
    )
    .expect("writable");
    let lying = dir.path().join("lying.xml");
    std::fs::write(
        &lying,
        to_junit_string(&report).replacen(
            r#"name="ecs.valid" tests="2""#,
            r#"name="ecs.valid" tests="3""#,
            1,
        ),
    )
    .expect("writable");
    let empty = dir.path().join("empty.xml");
    std::fs::write(
        &empty,
        "<?xml version=\"1.0\"?>\n<testsuites name=\"x\" tests=\"0\" failures=\"0\" errors=\"0\"/>\n",
    )
    .expect("writable");
    let good = dir.path().join("good.xml");
    std::fs::write(&good, to_junit_string(&report)).expect("writable");

    // Act
    let Some((code, stdout)) = run_checker(&[&raw, &lying, &empty, &good]) else {
        return;
    };

    // Assert
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(
        lines[0],
        format!(
            "FAIL {}: does not validate against junit-10.xsd at /testsuites: \
             'skipped' attribute not allowed for element",
            raw.display()
        )
    );
    assert_eq!(
        lines[1],
        format!(
            "FAIL {}: suite 'ecs.valid' declares tests=3 but holds 2",
            lying.display()
        )
    );
    assert_eq!(
        lines[2],
        format!("FAIL {}: holds no test case", empty.display())
    );
    assert!(
        lines[3].starts_with(&format!("ok {}: 9 tests", good.display())),
        "{stdout}"
    );
}
