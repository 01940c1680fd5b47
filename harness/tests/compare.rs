//! `harness compare OLD NEW`: exact output and exit codes of the real binary.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// One case of a results.json, as the harness writes it.
fn case(id: &str, outcome: &str, expected: &str, observed: Option<&str>) -> Value {
    let mut parts = id.splitn(3, '/');
    json!({
        "id": id,
        "profile": parts.next(),
        "group": "valid",
        "vm_state": parts.next(),
        "task_state": parts.next(),
        "expected": expected,
        "observed": observed,
        "outcome": outcome,
        "detail": null
    })
}

fn pass(id: &str, status: &str) -> Value {
    case(id, "pass", status, Some(status))
}

/// Writes `dir/name/results.json` with the given cases and returns its path.
fn results(dir: &TempDir, name: &str, cases: Vec<Value>) -> PathBuf {
    let doc = json!({
        "format_version": 1,
        "harness_version": "0.1.0",
        "target": "fake (embedded)",
        "started": "2025-01-01T00:00:00.000Z",
        "finished": "2025-01-01T00:00:01.000Z",
        "profiles": [{"name": "ecs", "digest": "sha256:aaaa"}],
        "implementation": null,
        "compatibility": [{"profile": "ecs", "conforms": true, "differences": 0}],
        "cases": cases
    });
    write(
        dir,
        name,
        &serde_json::to_string_pretty(&doc).expect("serialises"),
    )
}

fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name).join("results.json");
    std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
    std::fs::write(&path, text).expect("writable");
    path
}

fn compare(old: &Path, new: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    cargo_bin_cmd!("harness")
        .arg("compare")
        .arg(old)
        .arg(new)
        .args(extra)
        .assert()
}

/// `compare` of the [`baseline`] against a results.json holding `new_cases`.
fn compare_to_baseline(new_cases: Vec<Value>, extra: &[&str]) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = baseline(&dir);
    let new = results(&dir, "new", new_cases);
    compare(&old, &new, extra)
}

/// The stderr of a finished `compare`.
fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// Last night: two passes, one failure, one error.
fn baseline(dir: &TempDir) -> PathBuf {
    results(
        dir,
        "old",
        vec![
            pass("ecs/active/null", "ACTIVE"),
            pass("ecs/stopped/null", "SHUTOFF"),
            case("ecs/building/null", "fail", "BUILD", Some("ACTIVE")),
            case("ecs/paused/null", "error", "PAUSED", None),
        ],
    )
}

#[test]
fn a_regression_is_listed_and_exits_1() {
    compare_to_baseline(
        vec![
            case("ecs/active/null", "fail", "ACTIVE", Some("ERROR")),
            pass("ecs/stopped/null", "SHUTOFF"),
            case("ecs/building/null", "fail", "BUILD", Some("ACTIVE")),
            case("ecs/paused/null", "error", "PAUSED", None),
        ],
        &[],
    )
    .code(1)
    .stderr("")
    .stdout(
        "1 regression: 0 fixes, 0 new cases, 0 removed cases, 0 other changes, 3 unchanged\n\
         regressions:\n  ecs/active/null: pass -> fail (observed ERROR, expected ACTIVE)\n",
    );
}

#[test]
fn fixes_new_and_removed_cases_are_listed_and_exit_0() {
    compare_to_baseline(
        vec![
            pass("ecs/active/null", "ACTIVE"),
            pass("ecs/stopped/null", "SHUTOFF"),
            pass("ecs/building/null", "BUILD"),
            pass("ecs/rescued/null", "RESCUE"),
        ],
        &[],
    )
    .code(0)
    .stdout(
        "no regressions: 1 fix, 1 new case, 1 removed case, 0 other changes, 2 unchanged\n\
         fixes:\n  ecs/building/null: fail (observed ACTIVE, expected BUILD) -> pass\n\
         new cases:\n  ecs/rescued/null: pass\n\
         removed cases:\n  ecs/paused/null: error\n",
    );
}

#[test]
fn a_passing_case_that_vanished_is_a_regression() {
    compare_to_baseline(
        vec![
            pass("ecs/active/null", "ACTIVE"),
            case("ecs/building/null", "fail", "BUILD", Some("ACTIVE")),
            case("ecs/paused/null", "error", "PAUSED", None),
        ],
        &[],
    )
    .code(1)
    .stdout(
        "1 regression: 0 fixes, 0 new cases, 0 removed cases, 0 other changes, 3 unchanged\n\
         regressions:\n  ecs/stopped/null: pass -> missing\n",
    );
}

#[test]
fn the_same_file_twice_has_no_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = baseline(&dir);

    compare(&old, &old, &[]).code(0).stdout(
        "no regressions: 0 fixes, 0 new cases, 0 removed cases, 0 other changes, 4 unchanged\n",
    );
}

#[test]
fn markdown_format_prints_a_table_for_the_step_summary() {
    compare_to_baseline(
        vec![
            case("ecs/active/null", "skip", "ACTIVE", None),
            pass("ecs/stopped/null", "SHUTOFF"),
            case("ecs/building/null", "fail", "BUILD", Some("ACTIVE")),
            pass("ecs/paused/null", "PAUSED"),
        ],
        &["--format", "markdown"],
    )
    .code(0)
    .stdout(
        "**no regressions: 1 fix, 0 new cases, 0 removed cases, 1 other change, 2 unchanged**\n\
         \n\
         | change | case | before | after |\n\
         |---|---|---|---|\n\
         | fix | `ecs/paused/null` | error | pass |\n\
         | changed | `ecs/active/null` | pass | skip |\n",
    );
}

#[test]
fn json_format_is_machine_readable_and_keeps_the_exit_code() {
    let output = compare_to_baseline(vec![], &["--format", "json"])
        .code(1)
        .get_output()
        .stdout
        .clone();
    let value: Value = serde_json::from_slice(&output).expect("stdout is JSON");

    assert_eq!(value["regressions"].as_array().map(Vec::len), Some(2));
    assert_eq!(value["regressions"][1]["id"], "ecs/stopped/null");
    assert_eq!(value["regressions"][1]["after"], Value::Null);
    assert_eq!(value["removed_cases"].as_array().map(Vec::len), Some(2));
    assert_eq!(value["unchanged"], 0);
}

#[test]
fn a_missing_file_exits_2_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = baseline(&dir);
    let absent = dir.path().join("nope/results.json");

    let assert = compare(&old, &absent, &[]).code(2).stdout("");

    let stderr = stderr_of(&assert);
    assert_eq!(
        stderr.lines().next(),
        Some(format!("error: failed to read results file {}", absent.display()).as_str())
    );
}

#[test]
fn malformed_json_exits_2_naming_the_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = baseline(&dir);
    let bad = write(
        &dir,
        "bad",
        "{\"format_version\": 1,\n  \"cases\": [,]\n}\n",
    );

    let assert = compare(&old, &bad, &[]).code(2).stdout("");

    let stderr = stderr_of(&assert);
    assert_eq!(
        stderr,
        format!(
            "error: failed to parse results file {}\n  caused by: expected value at line 2 column 13\n",
            bad.display()
        )
    );
}

#[test]
fn a_file_of_another_format_version_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = write(&dir, "future", "{\"format_version\": 3, \"cases\": []}");
    let new = baseline(&dir);

    let assert = compare(&old, &new, &[]).code(2);

    let stderr = stderr_of(&assert);
    assert_eq!(
        stderr,
        format!(
            "error: failed to read results file {}: format_version 3 is not supported (expected 1 or 2)\n",
            old.display()
        )
    );
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = baseline(&dir);

    compare(&old, &old, &["--format", "yaml"])
        .code(2)
        .stdout("");
}
