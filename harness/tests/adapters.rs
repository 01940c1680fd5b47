//! The adapter protocol from the harness's side: the Rust reference adapter
//! (`examples/reference_adapter.rs`, optionally misbehaving via `REFERENCE_ADAPTER_MISBEHAVE`) and
//! the shell fixtures in `tests/fixtures/adapters/`, driven through `AdapterTarget` and through
//! `harness adapter check`.
//!
//! Timeouts are short (1–2 s) and every test that could hang asserts a generous wall-time bound:
//! a hang guard, not a performance test.

use assert_cmd::Command;
use harness::case::{Case, builtin_profile};
use harness::outcome::{Observation, Seen};
use harness::target::adapter::{
    AdapterOptions, AdapterTarget, Capability, FetchInfo, Question, TargetError, observation,
};
use rstest::rstest;

#[path = "support/reference_adapter.rs"]
mod reference;
use reference::{fixture, reference_adapter};
use std::time::{Duration, Instant};

/// The hang guard: the test finished within `secs` (generous; not a performance bound).
fn assert_hang_guard(started: Instant, secs: u64) {
    let took = started.elapsed();
    assert!(took < Duration::from_secs(secs), "took {took:?}");
}

fn options(timeout_secs: u64) -> AdapterOptions {
    AdapterOptions {
        timeout: Duration::from_secs(timeout_secs),
        startup_timeout: Duration::from_secs(timeout_secs),
        cwd: None,
    }
}

/// Starts the reference adapter with `REFERENCE_ADAPTER_MISBEHAVE` set (or not) for this adapter
/// only: the variable is passed through a `env` wrapper so tests can run in parallel.
async fn reference(misbehave: Option<&str>, timeout_secs: u64) -> AdapterTarget {
    AdapterTarget::start(&reference_command(misbehave), options(timeout_secs))
        .await
        .expect("reference adapter starts")
}

fn reference_command(misbehave: Option<&str>) -> String {
    match misbehave {
        Some(m) => format!(
            "env REFERENCE_ADAPTER_MISBEHAVE={m} {}",
            reference_adapter()
        ),
        None => reference_adapter().to_owned(),
    }
}

fn cases() -> Vec<Case> {
    builtin_profile("ecs-openstack")
        .expect("built-in profile")
        .cases()
}

fn case(id: &str) -> Case {
    cases()
        .into_iter()
        .find(|c| c.id.as_str() == id)
        .unwrap_or_else(|| panic!("no case {id}"))
}

/// Asks a derive question for a case's pair, under an opaque id.
async fn derive(adapter: &mut AdapterTarget, case: &Case) -> Observation {
    let question = Question::derive(
        "q0000test-1",
        case.vm_state.as_deref(),
        case.task_state.as_deref(),
    );
    observation(adapter.ask(&question).await)
}

fn seen(status: &str) -> Observation {
    Observation::Seen(Seen {
        status: status.to_owned(),
        vm_state: None,
        task_state: None,
        other_views: Vec::new(),
        server_json: None,
    })
}

fn errored(message: &str, detail: Option<&str>) -> Observation {
    Observation::Errored {
        message: message.to_owned(),
        detail: detail.map(str::to_owned),
    }
}

/// Runs the first `n` ecs-openstack cases and returns the observations.
async fn run_first(adapter: &mut AdapterTarget, n: usize) -> Vec<Observation> {
    let mut out = Vec::new();
    for case in cases().iter().take(n) {
        out.push(derive(adapter, case).await);
    }
    out
}

fn expected_first(n: usize) -> Vec<Observation> {
    cases().iter().take(n).map(|c| seen(&c.expected)).collect()
}

#[tokio::test]
async fn reference_adapter_derives_every_ecs_openstack_case_as_the_profile_expects() {
    let mut adapter = reference(None, 5).await;
    assert_eq!(adapter.implementation().name, "reference-adapter");
    assert_eq!(adapter.implementation().language, "rust");
    assert_eq!(adapter.capabilities(), &[Capability::Derive]);
    let all = cases();
    assert_eq!(all.len(), 388);
    for case in &all {
        assert_eq!(
            derive(&mut adapter, case).await,
            seen(&case.expected),
            "{}",
            case.id
        );
    }
    assert_eq!(adapter.restarts(), 0);
    adapter.stop().await.expect("clean stop");
}

/// A reference adapter misbehaving at one run (`REFERENCE_ADAPTER_MISBEHAVE`): that case errors
/// with `message` (and the adapter's stderr), every other case of the first `n` is derived as
/// expected, and the adapter is restarted once.
#[rstest]
#[case::crashing_at_case_three(
    "crash-at:3",
    5,
    2,
    "adapter exited (exit status: 3) before answering",
    Some("reference adapter: crashing at run 3 as asked")
)]
#[case::writing_a_line_that_is_not_json(
    "garbage-at:2",
    3,
    1,
    "adapter wrote a line that is not JSON: \"this is not JSON\" (expected ident at line 1 column 2)",
    None
)]
#[case::answering_with_the_wrong_seq(
    "wrong-seq-at:2",
    3,
    1,
    "adapter answered seq 1, expected seq 2",
    None
)]
#[tokio::test]
async fn a_misbehaving_adapter_errors_that_case_only_and_is_restarted(
    #[case] misbehave: &str,
    #[case] n: usize,
    #[case] errored_at: usize,
    #[case] message: &str,
    #[case] stderr: Option<&str>,
) {
    let mut adapter = reference(Some(misbehave), 2).await;
    let got = run_first(&mut adapter, n).await;
    let mut want = expected_first(n);
    want[errored_at] = errored(message, stderr);
    assert_eq!(got, want);
    assert_eq!(adapter.restarts(), 1);
    adapter.stop().await.expect("clean stop");
}

#[tokio::test]
async fn hanging_adapter_is_killed_after_the_timeout_and_restarted_for_the_next_case() {
    let started = Instant::now();
    let mut adapter = reference(Some("hang-at:2"), 1).await;
    // Runs per process: 1 ok, 2 hangs; restart; 1 ok (case 3), 2 hangs (case 4); restart; case 5.
    let got = run_first(&mut adapter, 5).await;
    let hang = errored(
        "adapter did not answer within 1s",
        Some("reference adapter: hanging at run 2 as asked"),
    );
    let mut want = expected_first(5);
    want[1] = hang.clone();
    want[3] = hang;
    assert_eq!(got, want);
    assert_eq!(adapter.restarts(), 2);
    adapter.stop().await.expect("clean stop");
    assert_hang_guard(started, 10);
}

#[tokio::test]
async fn wrong_status_for_two_named_pairs_is_seen_as_such_without_errors() {
    let mut adapter = reference(Some("wrong-status:active/rebooting,stopped/null"), 5).await;
    let mut differing = Vec::new();
    for case in cases() {
        match derive(&mut adapter, &case).await {
            Observation::Seen(s) if s.status != case.expected => {
                differing.push(format!("{} -> {}", case.id, s.status));
            }
            Observation::Seen(_) => {}
            other => panic!("{}: {other:?}", case.id),
        }
    }
    assert_eq!(
        differing,
        [
            "ecs-openstack/active/rebooting -> ACTIVE",
            "ecs-openstack/stopped/null -> ACTIVE"
        ]
    );
    assert_eq!(adapter.restarts(), 0);
}

/// The error of an adapter that fails to start (2 s timeouts).
async fn start_failure(command: &str) -> TargetError {
    match AdapterTarget::start(command, options(2)).await {
        Err(err) => err,
        Ok(_) => panic!("`{command}` started"),
    }
}

#[tokio::test]
async fn handshake_failures_are_errors_named_after_the_step() {
    let started = Instant::now();
    let version = AdapterTarget::start(&reference_command(Some("version:3")), options(2)).await;
    assert!(
        matches!(&version, Err(TargetError::VersionMismatch { got, expected: 2, .. }) if got == "3"),
        "{version:?}"
    );

    let exit = AdapterTarget::start(&fixture("exit-at-start.sh"), options(2)).await;
    match exit {
        Err(err @ TargetError::Crashed { .. }) => {
            assert_eq!(
                err.to_string(),
                format!(
                    "failed to keep adapter `{}` running during start: it exited (exit status: 5)",
                    fixture("exit-at-start.sh")
                )
            );
            assert_eq!(err.stderr(), Some("boom"));
        }
        other => panic!("{other:?}"),
    }

    type Kind = fn(&TargetError) -> bool;
    let garbage = fixture("garbage-at-start.sh");
    let empty = fixture("no-capabilities.sh");
    let missing = "/nonexistent/adapter --flag";
    let rows: [(&str, Kind, String); 3] = [
        (
            &garbage,
            |e| matches!(e, TargetError::Protocol { .. }),
            format!(
                "failed to read adapter `{garbage}`: adapter wrote a line that is not JSON: \"hello\" (expected value at line 1 column 1)"
            ),
        ),
        (
            &empty,
            |e| matches!(e, TargetError::InvalidResponse { .. }),
            format!("failed to understand adapter `{empty}` during start: `capabilities` is empty"),
        ),
        (
            missing,
            |e| matches!(e, TargetError::Spawn { .. }),
            format!("failed to spawn adapter `{missing}`"),
        ),
    ];
    for (command, kind, message) in rows {
        let err = start_failure(command).await;
        assert!(kind(&err), "{err:?}");
        assert_eq!(err.to_string(), message);
    }
    assert!(matches!(
        AdapterTarget::start("   ", options(2)).await,
        Err(TargetError::Spawn { .. })
    ));
    assert_hang_guard(started, 10);
}

#[tokio::test]
async fn silent_adapter_times_out_at_start_and_its_forked_children_are_killed() {
    let started = Instant::now();
    let silent = AdapterTarget::start(&fixture("silent.sh"), options(1)).await;
    match silent {
        Err(TargetError::Timeout {
            step,
            after,
            stderr,
            ..
        }) => {
            assert_eq!(step, "start");
            assert_eq!(after, Duration::from_secs(1));
            assert_eq!(stderr, "silent: not answering");
        }
        other => panic!("{other:?}"),
    }
    // The forked `sleep 60` held stderr open: without a process-group kill the stderr drain
    // would wait for it (bounded only by the grace period).
    assert_hang_guard(started, 5);
}

#[tokio::test]
async fn adapter_flooding_stderr_does_not_deadlock() {
    let started = Instant::now();
    let mut adapter = AdapterTarget::start(&fixture("stderr-flood.sh"), options(5))
        .await
        .expect("starts");
    let got = run_first(&mut adapter, 3).await;
    assert_eq!(got, vec![seen("ACTIVE"); 3]);
    adapter.stop().await.expect("clean stop");
    assert_hang_guard(started, 20);
}

#[tokio::test]
async fn skipped_errored_invalid_and_echoing_answers_map_to_observations() {
    let mut adapter = AdapterTarget::start(&fixture("answers.sh"), options(2))
        .await
        .expect("starts");
    let got = run_first(&mut adapter, 5).await;
    assert_eq!(
        got,
        vec![
            Observation::Skipped {
                reason: "not supported (https://example.invalid/1)".into()
            },
            errored(
                "adapter reported an error: KeyError: vm_state second line",
                Some("Traceback (most recent call last):\n  boom\nstderr:\nanswers: about to fail"),
            ),
            Observation::Seen(Seen {
                status: "ACTIVE".into(),
                vm_state: Some(Some("active".into())),
                task_state: Some(None),
                other_views: Vec::new(),
                server_json: None,
            }),
            errored(
                "adapter sent an invalid answer: it has more than one of `status`, `skipped`, `errored`",
                None,
            ),
            // A new process after the invalid answer: its run 1 is a skip again.
            Observation::Skipped {
                reason: "not supported (https://example.invalid/1)".into()
            },
        ]
    );
    assert_eq!(adapter.restarts(), 1);
}

#[tokio::test]
async fn fetch_adapters_get_the_fetch_info_and_are_never_asked_what_they_do_not_declare() {
    let mut adapter = AdapterTarget::start(&fixture("fetch-echo.sh"), options(2))
        .await
        .expect("starts");
    assert_eq!(adapter.capabilities(), &[Capability::Fetch]);
    assert_eq!(adapter.protocol_version(), 1);
    let c = case("ecs-openstack/active/rebooting");
    let fetch = FetchInfo {
        compute_url: "http://127.0.0.1:1/compute/v2.1".into(),
        auth_url: "http://127.0.0.1:1/identity/v3".into(),
        token: "t".into(),
        project_id: "p".into(),
        server_id: Some("srv-42".into()),
    };
    let question = Question::fetching("q0000test-1", Capability::Fetch, &fetch)
        .with_pair(c.vm_state.as_deref(), c.task_state.as_deref());
    assert_eq!(observation(adapter.ask(&question).await), seen("srv-42"));
    assert_eq!(
        observation(
            adapter
                .ask(&Question::derive("q0000test-2", Some("active"), None))
                .await
        ),
        errored("adapter does not declare the `derive` capability", None)
    );
    // A derive adapter is never asked to fetch.
    let mut derive_only = AdapterTarget::start(&fixture("answers.sh"), options(2))
        .await
        .expect("starts");
    assert_eq!(
        observation(derive_only.ask(&question).await),
        errored("adapter does not declare the `fetch` capability", None)
    );
}

#[tokio::test]
async fn unclean_stop_is_reported_as_a_crash_during_stop() {
    let mut adapter = AdapterTarget::start(&fixture("bad-stop.sh"), options(2))
        .await
        .expect("starts");
    run_first(&mut adapter, 1).await;
    match adapter.stop().await {
        Err(err @ TargetError::Crashed { .. }) => {
            assert!(
                err.to_string()
                    .ends_with("during stop: it exited (exit status: 1)")
            );
            assert_eq!(err.stderr(), Some("bad-stop: refusing to stop cleanly"));
        }
        other => panic!("{other:?}"),
    }
}

/// `harness adapter check --timeout SECS COMMAND`, with `REFERENCE_ADAPTER_MISBEHAVE` if given.
fn adapter_check(misbehave: Option<&str>, secs: &str, command: &str) -> assert_cmd::assert::Assert {
    let mut cmd = Command::cargo_bin("harness").expect("harness binary");
    if let Some(m) = misbehave {
        cmd.env("REFERENCE_ADAPTER_MISBEHAVE", m);
    }
    cmd.args(["adapter", "check", "--timeout", secs, command])
        .assert()
}

#[test]
fn adapter_check_passes_the_reference_adapter() {
    adapter_check(None, "5", reference_adapter())
        .code(0)
        .stdout(concat!(
            "ok: handshake: reference-adapter 0.1.0 (rust), capabilities: derive\n",
            "ok: ecs-openstack/active/rebooting: answered REBOOT\n",
            "ok: ecs-openstack/active/updating_password: answered PASSWORD\n",
            "ok: ecs-openstack/bogus/null: answered UNKNOWN\n",
            "ok: stop: exited with status 0\n",
        ));
}

#[test]
fn adapter_check_explains_each_violation_in_one_line_and_exits_2() {
    let started = Instant::now();
    adapter_check(Some("hang-at:2"), "1", reference_adapter())
        .code(2)
        .stdout(concat!(
            "ok: handshake: reference-adapter 0.1.0 (rust), capabilities: derive\n",
            "ok: ecs-openstack/active/rebooting: answered REBOOT\n",
            "error: ecs-openstack/active/updating_password: adapter did not answer within 1s\n",
            "ok: ecs-openstack/bogus/null: answered UNKNOWN\n",
            "ok: stop: exited with status 0\n",
        ))
        .stderr("adapter stderr:\n  reference adapter: hanging at run 2 as asked\n");
    assert_hang_guard(started, 10);

    adapter_check(
        Some("wrong-status:active/updating_password"),
        "2",
        reference_adapter(),
    )
    .code(2)
        .stdout(concat!(
            "ok: handshake: reference-adapter 0.1.0 (rust), capabilities: derive\n",
            "ok: ecs-openstack/active/rebooting: answered REBOOT\n",
            "error: ecs-openstack/active/updating_password: answered ACTIVE, but every profile expects PASSWORD\n",
            "ok: ecs-openstack/bogus/null: answered UNKNOWN\n",
            "ok: stop: exited with status 0\n",
        ));

    adapter_check(None, "2", &fixture("exit-at-start.sh"))
        .code(2)
        .stdout(format!(
            "error: handshake: failed to keep adapter `{}` running during start: it exited (exit status: 5)\n",
            fixture("exit-at-start.sh")
        ));
}

/// The worked transcript of `adapters/PROTOCOL.md` is real: fed the `>` lines, the reference
/// adapter writes exactly the `<` lines and exits 0.
#[test]
fn protocol_md_transcript_is_what_the_reference_adapter_says() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../adapters/PROTOCOL.md"
    ))
    .expect("PROTOCOL.md");
    let requests: String = doc
        .lines()
        .filter_map(|l| l.strip_prefix("> "))
        .map(|l| format!("{l}\n"))
        .collect();
    let answers: String = doc
        .lines()
        .filter_map(|l| l.strip_prefix("< "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(requests.lines().count(), 5);
    Command::new(reference_adapter())
        .write_stdin(requests)
        .timeout(Duration::from_secs(10))
        .assert()
        .code(0)
        .stdout(answers);
}

/// `protocol.schema.json` defines every message of PROTOCOL.md, one `$defs` entry each.
#[test]
fn protocol_schema_defines_every_message() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../adapters/protocol.schema.json"
    ))
    .expect("protocol.schema.json");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let mut defs: Vec<&str> = schema["$defs"]
        .as_object()
        .expect("$defs")
        .keys()
        .map(String::as_str)
        .collect();
    defs.sort_unstable();
    assert_eq!(
        defs,
        [
            "fetch",
            "implementation",
            "run",
            "run_response",
            "start",
            "start_response",
            "status_model",
            "stop",
            "wait"
        ]
    );
}

/// `adapters/venv-run.sh` (what every Python adapter's `run` uses): the first start creates the
/// venv with its setup chatter on stderr only (the handshake still works), a second start reuses
/// it, and a changed `requirements.txt` rebuilds it.
#[tokio::test]
async fn python_adapter_venv_is_created_once_cached_and_rebuilt_on_new_requirements() {
    let dir = tempfile::tempdir().expect("tempdir");
    let adapters = concat!(env!("CARGO_MANIFEST_DIR"), "/../adapters");
    std::fs::write(
        dir.path().join("requirements.txt"),
        "# nothing to install\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("adapter.py"),
        // venv-run.sh puts adapters/ on PYTHONPATH, so the library imports without a path hack.
        "import adapterlib\n\
         class A(adapterlib.Adapter):\n\
         \x20   implementation = {'name': 't', 'version': '0', 'language': 'python'}\n\
         \x20   def derive(self, vm_state, task_state):\n\
         \x20       return 'ACTIVE'\n\
         adapterlib.main(A)\n",
    )
    .unwrap();
    let command = format!("{adapters}/venv-run.sh {} adapter.py", dir.path().display());
    let stamp = dir.path().join(".venv").join(".stamp");
    let c = case("ecs-openstack/active/null");
    let start_and_run = || async {
        let mut adapter = AdapterTarget::start(&command, options(120))
            .await
            .expect("starts");
        assert_eq!(derive(&mut adapter, &c).await, seen("ACTIVE"));
        adapter.stop().await.expect("clean stop");
    };

    start_and_run().await;
    let first = std::fs::metadata(&stamp)
        .expect("stamp written")
        .modified()
        .unwrap();
    let first_stamp = std::fs::read_to_string(&stamp).unwrap();

    start_and_run().await;
    assert_eq!(
        std::fs::metadata(&stamp).unwrap().modified().unwrap(),
        first
    );

    std::fs::write(dir.path().join("requirements.txt"), "# changed\n").unwrap();
    start_and_run().await;
    assert_ne!(std::fs::read_to_string(&stamp).unwrap(), first_stamp);
}
