//! Protocol v2 end to end: whole `harness` runs against fixture adapters
//! (`tests/fixtures/adapters/gaming.py`, `sdk.py`, standard-library Python) and the embedded
//! fake. Adapters that game the verdict are refused (non-zero exit, no report claims
//! "conformant"); each bug class of issue 12 is caught by its scenario with the exact failure
//! text; an SDK without the bugs passes every kind.

use assert_cmd::Command;
use serde_json::Value;

#[path = "support/reference_adapter.rs"]
mod reference;
use reference::{fixture, reference_adapter};

/// A finished run: exit code and its report directory.
struct Run {
    code: i32,
    dir: tempfile::TempDir,
}

impl Run {
    fn results(&self) -> Value {
        let text = std::fs::read_to_string(self.dir.path().join("results.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// `(id, outcome, detail)` of every non-passing case.
    fn problems(&self) -> Vec<(String, String, String)> {
        self.results()["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["outcome"] != "pass")
            .map(|c| {
                (
                    c["id"].as_str().unwrap().to_owned(),
                    c["outcome"].as_str().unwrap().to_owned(),
                    c["detail"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    fn reports(&self) -> Vec<(String, String)> {
        ["junit.xml", "results.json", "summary.md", "index.html"]
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(self.dir.path().join(f)).unwrap();
                ((*f).to_owned(), text)
            })
            .collect()
    }

    /// The value of the JUnit property `name` (the first one), e.g. `compatibility.nova`.
    fn junit_property(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.dir.path().join("junit.xml")).unwrap();
        let key = format!("<property name=\"{name}\" value=\"");
        let at = text
            .find(&key)
            .unwrap_or_else(|| panic!("no property {name}"))
            + key.len();
        text[at..].split('"').next().unwrap().to_owned()
    }

    /// Asserts that no report calls the run conformant.
    fn assert_refused(&self) {
        assert_ne!(self.code, 0);
        for (file, text) in self.reports() {
            assert!(!claims_conformant(&text), "{file} claims conformant");
        }
    }
}

/// True when `text` says "conformant" other than as "non-conformant" / "not conformant".
fn claims_conformant(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.match_indices("conformant").any(|(i, _)| {
        let before = &lower[..i];
        !(before.ends_with("non-") || before.ends_with("not "))
    })
}

fn harness(target: &str, profiles: &[&str], filters: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = vec![
        "--target".into(),
        format!("adapter:{target}"),
        "--report-dir".into(),
        dir.path().display().to_string(),
        "--quiet".into(),
        "--timeout".into(),
        "20".into(),
    ];
    for p in profiles {
        args.extend(["--profile".to_owned(), (*p).to_owned()]);
    }
    for f in filters {
        args.extend(["--filter".to_owned(), (*f).to_owned()]);
    }
    let out = Command::cargo_bin("harness")
        .unwrap()
        .args(&args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        dir,
    }
}

fn python(script: &str, mode: &str) -> String {
    format!("python3 {} {mode}", fixture(script))
}

#[test]
fn the_claims_check_tells_verdicts_apart() {
    assert!(claims_conformant("# ✅ Conformance: conformant"));
    assert!(!claims_conformant("not conformant; non-conformant"));
}

#[test]
fn a_derive_adapter_echoing_any_status_it_is_given_is_refused() {
    let run = harness(&python("gaming.py", "echo-status"), &["all"], &[]);
    run.assert_refused();
    assert_eq!(run.code, 1);
    assert_eq!(run.results()["verdict"], "non-conformant");
}

#[test]
fn a_derive_adapter_looking_expected_values_up_by_case_id_is_refused() {
    let run = harness(&python("gaming.py", "lookup-generated"), &["all"], &[]);
    run.assert_refused();
    assert_eq!(run.code, 1);
    // The three tables contradict each other: one set of answers cannot pass them all.
    let failing: std::collections::BTreeSet<String> = run
        .problems()
        .iter()
        .map(|(id, _, _)| id.split('/').next().unwrap().to_owned())
        .collect();
    assert_eq!(failing.len(), 3, "{failing:?}");
}

#[test]
fn an_adapter_answering_one_question_and_skipping_the_rest_is_incomplete() {
    let run = harness(&python("gaming.py", "skip-all-but-one"), &["all"], &[]);
    run.assert_refused();
    assert_eq!(run.code, 3);
    let results = run.results();
    assert_eq!(results["verdict"], "incomplete");
    let cases = results["cases"].as_array().unwrap();
    let passed = cases.iter().filter(|c| c["outcome"] == "pass").count();
    let skipped = cases.iter().filter(|c| c["outcome"] == "skip").count();
    // bogus/null is a probe of every profile: one answer, three passes.
    assert_eq!((passed, skipped, cases.len()), (3, 1193, 1196));
    assert_eq!(
        run.junit_property("compatibility.nova"),
        "unknown (errors or skips)"
    );
}

#[test]
fn a_run_without_status_cases_says_so_instead_of_blaming_errors_or_skips() {
    let run = harness(&python("sdk.py", "good"), &["nova"], &["nova/list/"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.problems(), []);
    let results = run.results();
    assert_eq!(results["cases"].as_array().unwrap().len(), 4);
    let compat = results["compatibility"].as_array().unwrap();
    assert_eq!(compat.len(), 3);
    assert!(compat.iter().all(|c| c["conforms"].is_null()), "{compat:?}");
    for profile in ["ecs", "ecs-openstack", "nova"] {
        assert_eq!(
            run.junit_property(&format!("compatibility.{profile}")),
            "unknown (no status cases in scope)"
        );
    }
}

#[test]
fn a_fetch_adapter_that_never_fetches_is_refused_and_loses_the_challenges() {
    let run = harness(
        &python("sdk.py", "never-fetch"),
        &["nova"],
        &["nova/active/null", "nova/challenge/"],
    );
    run.assert_refused();
    assert_eq!(run.code, 2);
    let problems = run.problems();
    let ids: Vec<&str> = problems.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "nova/active/null",
            "nova/challenge/1",
            "nova/challenge/2",
            "nova/challenge/3"
        ]
    );
    for (id, outcome, detail) in &problems {
        assert_eq!(outcome, "error", "{id}");
        assert_eq!(
            detail,
            "answered without fetching: the fake saw no GET of the server with this adapter's token between the run and the answer",
            "{id}"
        );
    }
}

/// Runs the `sdk.py` fixture with one bug against every list and wait scenario (and surface)
/// of `nova`, returning the failing cases.
fn bug(mode: &str) -> (Run, Vec<(String, String, String)>) {
    let run = harness(
        &python("sdk.py", mode),
        &["nova"],
        &["nova/surface/", "nova/list/", "nova/wait/"],
    );
    let problems = run.problems();
    (run, problems)
}

/// Runs the fixture SDK with bug `mode`: the run is refused and exactly `ids` have problems.
fn refused_with(mode: &str, ids: &[&str]) -> (Run, Vec<(String, String, String)>) {
    let (run, problems) = bug(mode);
    run.assert_refused();
    let got: Vec<&str> = problems.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(got, ids);
    (run, problems)
}

fn detail_of<'a>(problems: &'a [(String, String, String)], id: &str) -> &'a str {
    problems
        .iter()
        .find(|(i, _, _)| i == id)
        .map(|(_, o, d)| {
            assert_eq!(o, "fail", "{id}");
            d.as_str()
        })
        .unwrap_or_else(|| panic!("{id} did not fail: {problems:?}"))
}

#[test]
fn a_strict_enum_failing_the_whole_list_is_caught_by_the_list_scenarios() {
    let (run, problems) = bug("strict-enum");
    run.assert_refused();
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert_eq!(
        detail_of(&problems, "nova/list/list-future-status"),
        "list: the SDK failed the whole listing: Unexpected ServerStatus: HIBERNATED"
    );
    assert_eq!(
        detail_of(&problems, "nova/list/list-lowercase-status"),
        "list: the SDK failed the whole listing: Unexpected ServerStatus: active"
    );
}

#[test]
fn a_catch_all_collapsing_shutoff_is_caught_by_surface_and_list() {
    let (run, problems) = bug("catch-all");
    run.assert_refused();
    assert_eq!(
        detail_of(&problems, "nova/surface/SHUTOFF"),
        "surface: SHUTOFF surfaced as \"unknown\", the SDK's catch-all"
    );
    assert_eq!(
        detail_of(&problems, "nova/list/list-every-status"),
        "list: SHUTOFF surfaced as \"unknown\", the SDK's catch-all"
    );
    // Every other status has its own typed value; UNKNOWN may be the catch-all.
    assert!(
        !problems
            .iter()
            .any(|(id, _, _)| id == "nova/surface/UNKNOWN")
    );
}

#[test]
fn a_waiter_ignoring_error_is_caught_by_build_then_error() {
    let (run, problems) = refused_with("waiter-ignores-error", &["nova/wait/build-then-error"]);
    let detail = detail_of(&problems, "nova/wait/build-then-error");
    assert!(
        detail.starts_with("wait: BUILD → ERROR: waiter still polling after ")
            && detail.ends_with(" polls (expected: fail fast)"),
        "{detail}"
    );
    let timeline = &run.results()["timelines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["case"] == "nova/wait/build-then-error")
        .unwrap()
        .clone();
    let polls = timeline["polls"].as_array().unwrap();
    assert_eq!(polls[0]["status"], "BUILD");
    assert_eq!(polls[1]["status"], "BUILD");
    assert!(polls[2..].iter().all(|p| p["status"] == "ERROR"));
    assert_eq!(timeline["outcome"], "timeout");
}

#[test]
fn a_delete_waiter_ignoring_soft_delete_is_caught_by_delete_soft_deleted() {
    let (_run, problems) = refused_with("soft-delete-not-gone", &["nova/wait/delete-soft-deleted"]);
    let detail = detail_of(&problems, "nova/wait/delete-soft-deleted");
    assert!(
        detail.starts_with("wait: ACTIVE → SOFT_DELETED: waiter still polling after ")
            && detail.ends_with("(expected: treat the server as gone)"),
        "{detail}"
    );
}

#[test]
fn statuses_missing_from_an_allowed_set_are_caught_by_the_shelve_rescue_and_pause_scenarios() {
    let (_run, problems) = refused_with(
        "allowed-set",
        &[
            "nova/wait/pause-to-paused",
            "nova/wait/rescue-to-rescued",
            "nova/wait/shelve-to-offloaded",
        ],
    );
    assert_eq!(
        detail_of(&problems, "nova/wait/rescue-to-rescued"),
        "wait: ACTIVE → RESCUE: waiter returned failed after 3 polls (expected: reach RESCUE)"
    );
}

#[test]
fn a_waiter_trusting_status_while_a_task_runs_is_caught_by_powering_off_then_shutoff() {
    let (_run, problems) = refused_with("trusts-status", &["nova/wait/powering-off-then-shutoff"]);
    assert_eq!(
        detail_of(&problems, "nova/wait/powering-off-then-shutoff"),
        "wait: ACTIVE → SHUTOFF: waiter returned at poll 1 while task_state was powering-off (status ACTIVE; expected: wait until no task runs)"
    );
}

#[test]
fn an_sdk_without_the_bugs_passes_every_kind_and_the_reports_show_them() {
    let run = harness(
        &python("sdk.py", "good"),
        &["nova", "ecs"],
        &[
            "nova/active/",
            "nova/challenge/",
            "nova/surface/",
            "nova/list/",
            "nova/wait/",
            "ecs/wait/",
        ],
    );
    assert_eq!(run.problems(), []);
    assert_eq!(run.code, 0);
    let results = run.results();
    assert_eq!(results["verdict"], "conformant");
    assert_eq!(results["implementation"]["protocol_version"], 2);
    assert_eq!(results["implementation"]["status_model"]["kind"], "string");
    assert!(results["seed"].is_u64());
    let groups: std::collections::BTreeSet<&str> = results["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["group"].as_str().unwrap())
        .collect();
    assert_eq!(
        groups.into_iter().collect::<Vec<_>>(),
        [
            "challenge",
            "invalid",
            "list",
            "probe",
            "surface",
            "valid",
            "wait"
        ]
    );
    // 8 wait scenarios under nova and ecs, each with its polls.
    assert_eq!(results["timelines"].as_array().unwrap().len(), 16);
    let reports = run.reports();
    let text = |f: &str| &reports.iter().find(|(n, _)| n == f).unwrap().1;
    assert!(text("index.html").contains("<svg class=\"timeline\""));
    for group in ["challenge", "surface", "list", "wait"] {
        assert!(
            text("junit.xml").contains(&format!("<testsuite name=\"nova.{group}\"")),
            "{group}"
        );
    }
    assert!(text("summary.md").contains("| seed |"));
}

#[test]
fn a_version_1_adapter_still_runs_and_every_report_says_so() {
    let reference = reference_adapter();
    let run = harness(
        &format!("env REFERENCE_ADAPTER_MISBEHAVE=version:1 {reference}"),
        &["ecs-openstack"],
        &[],
    );
    assert_eq!(run.code, 0, "{:?}", run.problems());
    assert_eq!(run.results()["implementation"]["protocol_version"], 1);
    // The human reports say it in words, results.json in `implementation.protocol_version`.
    for (file, text) in run.reports() {
        if file != "results.json" {
            assert!(text.contains("adapter protocol v1"), "{file}");
        }
    }
}

/// Runs `record.py` with `--seed` and returns the `run` requests it received.
fn questions(profile: &str, seed: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("questions.jsonl");
    Command::cargo_bin("harness")
        .unwrap()
        .env("RECORD_FILE", &record)
        .args(["--target", &format!("adapter:{}", python("record.py", ""))])
        .args(["--profile", profile, "--seed", seed, "--quiet"])
        .args(["--report-dir", &dir.path().display().to_string()])
        .assert()
        .code(1);
    std::fs::read_to_string(&record)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn derive_questions_are_blind_the_same_for_every_profile_and_replayed_by_the_seed() {
    let ecs = questions("ecs", "11");
    let all = questions("all", "11");
    // The union of every built-in profile's pairs, whatever is judged, in the seed's order.
    assert_eq!(ecs.len(), 556);
    let pairs = |qs: &[Value]| -> Vec<(Value, Value)> {
        qs.iter()
            .map(|q| {
                (
                    q["case"]["vm_state"].clone(),
                    q["case"]["task_state"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(pairs(&ecs), pairs(&all));
    let other = questions("ecs", "12");
    assert_ne!(pairs(&ecs), pairs(&other));
    for (n, q) in ecs.iter().enumerate() {
        // Only what a derivation needs: kind, an opaque id, the pair. No server, no status.
        let keys: Vec<&str> = q.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["case", "cmd", "kind", "seq"], "{q}");
        let id = q["case"]["id"].as_str().unwrap();
        let (nonce, count) = id.strip_prefix('q').unwrap().split_once('-').unwrap();
        assert!(
            nonce.len() == 8 && nonce.chars().all(|c| c.is_ascii_hexdigit()),
            "{id}"
        );
        assert_eq!(count, (n + 1).to_string());
    }
}
