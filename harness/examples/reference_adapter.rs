//! The reference SDK adapter: protocol v2 (`adapters/PROTOCOL.md`) in plain Rust, with no
//! dependency beyond `serde_json`.
//!
//! It is a `derive` adapter: it computes the status from the case's `vm_state` and `task_state`
//! with its own copy of the `ecs-openstack` table (Huawei ECS Table 4 plus Nova's PASSWORD,
//! PAUSED, SUSPENDED, RESCUE and SOFT_DELETED rows; any other pair is UNKNOWN). Run it with
//!
//! ```text
//! cargo run -p harness -- --target "adapter:cargo run -q -p harness --example reference_adapter"
//! ```
//!
//! or talk to it by hand: `cargo run -q -p harness --example reference_adapter`, then type
//! `{"cmd":"start","version":2}` and press Enter.
//!
//! For the harness's own tests it can also misbehave on purpose, chosen by the environment
//! variable `REFERENCE_ADAPTER_MISBEHAVE` (counts are `run` requests of this process, from 1):
//!
//! | value | behaviour |
//! |---|---|
//! | `crash-at:N` | writes a line on stderr and exits with status 3 instead of answering run N |
//! | `hang-at:N` | never answers run N (and ignores stdin from then on) |
//! | `garbage-at:N` | answers run N with a line that is not JSON |
//! | `wrong-seq-at:N` | answers run N with the `seq` of the previous run |
//! | `wrong-status:VM/TASK,VM/TASK` | answers `ACTIVE` for the listed pairs (`null` = no state) |
//! | `version:V` | answers `start` with protocol version V |

use serde_json::{Value, json};
use std::io::{BufRead, Write};

/// The protocol version this adapter speaks.
const PROTOCOL_VERSION: u64 = 2;

fn main() {
    let misbehave = Misbehave::from_env();
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    let mut runs = 0u64;
    let mut previous_seq = Value::Null;

    // One request per line; stdin closing (EOF) ends the session like `stop` does.
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        // A request the adapter cannot read is the harness's bug; say so on stderr and go on.
        // stderr is the only place for anything that is not a protocol answer.
        let request: Value = match serde_json::from_str(&line) {
            Ok(request) => request,
            Err(e) => {
                eprintln!("reference adapter: ignoring a request that is not JSON: {e}");
                continue;
            }
        };
        let answer = match request.get("cmd").and_then(Value::as_str) {
            // The handshake: the protocol version spoken, what is under test, what it can do.
            Some("start") => json!({
                "version": misbehave.version.unwrap_or(PROTOCOL_VERSION),
                "implementation": {
                    "name": "reference-adapter",
                    "version": env!("CARGO_PKG_VERSION"),
                    "language": "rust",
                    "homepage": "https://example.invalid/status-conformance-kit",
                },
                "capabilities": ["derive"],
            }),
            Some("run") => {
                runs += 1;
                // `seq` is opaque: copy it back exactly as received.
                let seq = request.get("seq").cloned().unwrap_or(Value::Null);
                let case = request.get("case");
                let vm_state = case.and_then(|c| c.get("vm_state")).and_then(Value::as_str);
                let task_state = case
                    .and_then(|c| c.get("task_state"))
                    .and_then(Value::as_str);
                let kind = request.get("kind").and_then(Value::as_str);
                let answer = match misbehave.at(runs) {
                    // A v2 request says what it asks; this adapter only derives.
                    _ if kind.is_some_and(|k| k != "derive") => json!({"seq": seq,
                    "errored": {"message": format!(
                        "the reference adapter only derives; it was asked {}",
                        kind.unwrap_or_default()
                    )}}),
                    Some(Fault::Crash) => {
                        eprintln!("reference adapter: crashing at run {runs} as asked");
                        std::process::exit(3);
                    }
                    Some(Fault::Hang) => {
                        eprintln!("reference adapter: hanging at run {runs} as asked");
                        loop {
                            std::thread::park();
                        }
                    }
                    Some(Fault::Garbage) => {
                        // Not JSON: the harness must report this case as errored.
                        let _ = writeln!(stdout, "this is not JSON");
                        let _ = stdout.flush();
                        continue;
                    }
                    Some(Fault::WrongSeq) => json!({"seq": previous_seq, "status": "ACTIVE"}),
                    None if misbehave.wrong_status(vm_state, task_state) => {
                        json!({"seq": seq, "status": "ACTIVE"})
                    }
                    // The real work of a derive adapter: states in, status out. The case id is
                    // opaque (`q<nonce>-<n>`): nothing else in the request names the profile.
                    None => json!({"seq": seq, "status": derive(vm_state, task_state)}),
                };
                previous_seq = seq;
                answer
            }
            // `stop` has no answer: exit with status 0.
            Some("stop") => return,
            other => {
                eprintln!("reference adapter: ignoring unknown command {other:?}");
                continue;
            }
        };
        // One answer, one line, flushed at once: the harness is waiting for it.
        if writeln!(stdout, "{answer}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            // The harness went away; nothing left to do.
            return;
        }
    }
}

/// The `ecs-openstack` table. Matching is exact and case-sensitive; `None` is a null state.
fn derive(vm_state: Option<&str>, task_state: Option<&str>) -> &'static str {
    const BUILD_TASKS: [&str; 4] = [
        "scheduling",
        "block_device_mapping",
        "networking",
        "spawning",
    ];
    const REBOOT: [&str; 3] = ["rebooting", "reboot_pending", "reboot_started"];
    const HARD_REBOOT: [&str; 3] = [
        "rebooting_hard",
        "reboot_pending_hard",
        "reboot_started_hard",
    ];
    const REBUILD: [&str; 3] = [
        "rebuilding",
        "rebuild_block_device_mapping",
        "rebuild_spawning",
    ];
    const RESIZE: [&str; 4] = [
        "resize_prep",
        "resize_migrating",
        "resize_migrated",
        "resize_finish",
    ];
    const SHELVED: [&str; 4] = [
        "shelving",
        "shelving_image_pending_upload",
        "shelving_image_uploading",
        "unshelving",
    ];
    let Some(vm) = vm_state else {
        return "UNKNOWN";
    };
    let task = task_state;
    let is = |set: &[&str]| task.is_some_and(|t| set.contains(&t));
    match vm {
        "building" if task.is_none() || is(&BUILD_TASKS) => "BUILD",
        "active" if is(&REBOOT) => "REBOOT",
        "active" if is(&HARD_REBOOT) => "HARD_REBOOT",
        "active" if is(&REBUILD) => "REBUILD",
        "active" if is(&["migrating"]) => "MIGRATING",
        "active" if is(&["updating_password"]) => "PASSWORD",
        "active" if task.is_none() || is(&["powering-off", "deleting"]) => "ACTIVE",
        "stopped" if is(&RESIZE) => "RESIZE",
        "stopped" if is(&REBUILD) => "REBUILD",
        "stopped" if task.is_none() || is(&["powering-on", "deleting"]) => "SHUTOFF",
        "resized" if is(&["resize_reverting"]) => "REVERT_RESIZE",
        "resized" if task.is_none() => "VERIFY_RESIZE",
        "error" if is(&REBUILD) => "REBUILD",
        "error" if task.is_none() || is(&["deleting"]) => "ERROR",
        "deleted" if task.is_none() => "DELETED",
        "shelved" if task.is_none() || is(&SHELVED) => "SHELVED",
        "shelved_offloaded" if task.is_none() || is(&["shelving_offloading", "unshelving"]) => {
            "SHELVED_OFFLOADED"
        }
        "paused" if task.is_none() => "PAUSED",
        "paused" if is(&["migrating"]) => "MIGRATING",
        "suspended" if task.is_none() => "SUSPENDED",
        "rescued" if task.is_none() => "RESCUE",
        "soft-delete" if task.is_none() => "SOFT_DELETED",
        _ => "UNKNOWN",
    }
}

/// A deliberate protocol violation, for the harness's tests.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    Crash,
    Hang,
    Garbage,
    WrongSeq,
}

/// What `REFERENCE_ADAPTER_MISBEHAVE` asks for.
#[derive(Default)]
struct Misbehave {
    /// Fault and the run it happens at.
    fault: Option<(Fault, u64)>,
    /// (vm_state, task_state) pairs answered wrongly.
    wrong: Vec<(Option<String>, Option<String>)>,
    /// Protocol version to claim in the handshake.
    version: Option<u64>,
}

impl Misbehave {
    fn from_env() -> Misbehave {
        let Ok(spec) = std::env::var("REFERENCE_ADAPTER_MISBEHAVE") else {
            return Misbehave::default();
        };
        let (kind, arg) = spec.split_once(':').unwrap_or((spec.as_str(), ""));
        let at = || match arg.parse::<u64>() {
            Ok(n) => n,
            Err(_) => usage(&spec),
        };
        let state = |s: &str| (s != "null").then(|| s.to_owned());
        let mut m = Misbehave::default();
        match kind {
            "crash-at" => m.fault = Some((Fault::Crash, at())),
            "hang-at" => m.fault = Some((Fault::Hang, at())),
            "garbage-at" => m.fault = Some((Fault::Garbage, at())),
            "wrong-seq-at" => m.fault = Some((Fault::WrongSeq, at())),
            "version" => m.version = Some(at()),
            "wrong-status" => {
                for pair in arg.split(',') {
                    let Some((vm, task)) = pair.split_once('/') else {
                        usage(&spec)
                    };
                    m.wrong.push((state(vm), state(task)));
                }
            }
            _ => usage(&spec),
        }
        m
    }

    fn at(&self, run: u64) -> Option<Fault> {
        self.fault.filter(|(_, n)| *n == run).map(|(f, _)| f)
    }

    fn wrong_status(&self, vm: Option<&str>, task: Option<&str>) -> bool {
        self.wrong
            .iter()
            .any(|(v, t)| v.as_deref() == vm && t.as_deref() == task)
    }
}

fn usage(spec: &str) -> ! {
    eprintln!(
        "reference adapter: REFERENCE_ADAPTER_MISBEHAVE={spec:?} is not one of crash-at:N, \
         hang-at:N, garbage-at:N, wrong-seq-at:N, wrong-status:VM/TASK[,VM/TASK...], version:V"
    );
    std::process::exit(2);
}
