//! Profiles, case enumeration and the `harness cases` commands, tested from the outside.
//!
//! The Table 4 list below is an independent transcription of the Huawei seed
//! (`000_8b2df2705162a32e.txt`), typed in by hand, so a slip in `cases/profiles/ecs.json` shows
//! up as a difference between two transcriptions.

use std::path::{Path, PathBuf};
use std::process::Command;

use harness::case::{
    Group, Profile, builtin_profile, builtin_profiles, diff, generated_file_name, generated_json,
    resolve_profiles,
};
use rstest::rstest;
use serde_json::{Value, json};

/// Runs the `harness` binary; returns (exit code, stdout, stderr).
fn harness(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(args)
        .output()
        .expect("the harness binary runs");
    (
        output.status.code().expect("exited with a code"),
        String::from_utf8(output.stdout).expect("utf-8 stdout"),
        String::from_utf8(output.stderr).expect("utf-8 stderr"),
    )
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

#[rstest]
#[case::ecs("ecs", 8, 27, 44, 180, 28)]
#[case::ecs_openstack("ecs-openstack", 12, 28, 50, 298, 40)]
#[case::nova("nova", 12, 42, 39, 477, 40)]
fn profile_has_exact_vocabulary_and_group_counts(
    #[case] name: &str,
    #[case] vm_states: usize,
    #[case] task_states: usize,
    #[case] valid: usize,
    #[case] invalid: usize,
    #[case] probe: usize,
) {
    let profile = builtin_profile(name).unwrap();
    let counts = profile.counts();
    assert_eq!(profile.vm_states().len(), vm_states);
    assert_eq!(profile.task_states().len(), task_states);
    assert_eq!(
        (counts.valid, counts.invalid, counts.probe),
        (valid, invalid, probe)
    );
    assert_eq!(counts.valid + counts.invalid, vm_states * (task_states + 1));
    assert_eq!(probe, 4 + 3 * vm_states);
}

#[rstest]
#[case::ecs("ecs", 15)]
#[case::ecs_openstack("ecs-openstack", 20)]
#[case::nova("nova", 20)]
fn profile_declares_the_sources_statuses(#[case] name: &str, #[case] statuses: usize) {
    let profile = builtin_profile(name).unwrap();
    assert_eq!(profile.statuses().len(), statuses);
    assert!(profile.statuses().contains(&"UNKNOWN"));
}

#[rstest]
#[case::ecs_powering_off_hyphen("ecs", Some("active"), Some("powering-off"), "ACTIVE")]
#[case::ecs_powering_on_hyphen("ecs", Some("stopped"), Some("powering-on"), "SHUTOFF")]
#[case::ecs_underscore_spelling_is_unknown("ecs", Some("active"), Some("powering_off"), "UNKNOWN")]
#[case::ecs_password_is_not_huawei("ecs", Some("active"), Some("updating_password"), "UNKNOWN")]
#[case::ecs_active_resize_is_not_in_table_4("ecs", Some("active"), Some("resize_prep"), "UNKNOWN")]
#[case::ecs_shelved_offloading("ecs", Some("shelved"), Some("shelving_offloading"), "UNKNOWN")]
#[case::ecs_deleted_with_task("ecs", Some("deleted"), Some("deleting"), "UNKNOWN")]
#[case::ecs_null_vm_state("ecs", None, None, "UNKNOWN")]
#[case::ecs_openstack_soft_delete_hyphen(
    "ecs-openstack",
    Some("soft-delete"),
    None,
    "SOFT_DELETED"
)]
#[case::ecs_openstack_soft_deleted_spelling("ecs-openstack", Some("soft_deleted"), None, "UNKNOWN")]
#[case::ecs_openstack_paused_migrating(
    "ecs-openstack",
    Some("paused"),
    Some("migrating"),
    "MIGRATING"
)]
#[case::ecs_openstack_password(
    "ecs-openstack",
    Some("active"),
    Some("updating_password"),
    "PASSWORD"
)]
#[case::ecs_openstack_paused_unpausing(
    "ecs-openstack",
    Some("paused"),
    Some("unpausing"),
    "UNKNOWN"
)]
#[case::nova_unlisted_task_gives_default("nova", Some("active"), Some("image_uploading"), "ACTIVE")]
#[case::nova_bogus_vm_state("nova", Some("bogus"), None, "UNKNOWN")]
#[case::nova_null_vm_state("nova", None, Some("rebooting"), "UNKNOWN")]
#[case::nova_upper_case_task_is_unlisted("nova", Some("active"), Some("REBOOTING"), "ACTIVE")]
#[case::nova_upper_case_vm_state("nova", Some("ACTIVE"), None, "UNKNOWN")]
#[case::nova_empty_task("nova", Some("stopped"), Some(""), "SHUTOFF")]
#[case::nova_soft_delete_restoring("nova", Some("soft-delete"), Some("restoring"), "SOFT_DELETED")]
#[case::nova_resize_confirming_is_commented_out(
    "nova",
    Some("resized"),
    Some("resize_confirming"),
    "VERIFY_RESIZE"
)]
#[case::nova_error_hard_reboot("nova", Some("error"), Some("rebooting_hard"), "ERROR")]
#[case::nova_stopped_rebuild("nova", Some("stopped"), Some("rebuild_spawning"), "REBUILD")]
fn expected_status_follows_rows_then_fallback(
    #[case] profile: &str,
    #[case] vm_state: Option<&str>,
    #[case] task_state: Option<&str>,
    #[case] expected: &str,
) {
    let profile = builtin_profile(profile).unwrap();
    assert_eq!(profile.expected_status(vm_state, task_state), expected);
}

#[rstest]
#[case::valid("ecs/active/powering-off", Group::Valid, "ACTIVE")]
#[case::invalid("ecs/active/resize_prep", Group::Invalid, "UNKNOWN")]
#[case::invalid_shelving_under_active("ecs/active/shelving", Group::Invalid, "UNKNOWN")]
#[case::nova_invalid("nova/active/image_uploading", Group::Invalid, "ACTIVE")]
#[case::nova_probe_vm("nova/bogus/null", Group::Probe, "UNKNOWN")]
#[case::nova_probe_task("nova/active/REBOOTING", Group::Probe, "ACTIVE")]
#[case::nova_probe_empty_vm("nova/\"\"/null", Group::Probe, "UNKNOWN")]
#[case::nova_probe_null_vm("nova/null/null", Group::Probe, "UNKNOWN")]
#[case::openstack_valid("ecs-openstack/paused/migrating", Group::Valid, "MIGRATING")]
#[case::openstack_soft_delete("ecs-openstack/soft-delete/null", Group::Valid, "SOFT_DELETED")]
fn case_id_has_group_and_expected_status(
    #[case] id: &str,
    #[case] group: Group,
    #[case] expected: &str,
) {
    let profile = builtin_profile(id.split('/').next().unwrap()).unwrap();
    let cases = profile.cases();
    let case = cases
        .iter()
        .find(|c| c.id.as_str() == id)
        .unwrap_or_else(|| panic!("no case {id}"));
    assert_eq!((case.group, case.expected.as_str()), (group, expected));
}

#[test]
fn ecs_has_no_updating_password_case_but_expects_unknown_for_it() {
    // updating_password is not in Huawei's Table 3, so no ecs case injects it; a cloud that
    // reports it anyway must show UNKNOWN under the strict reading of Table 4.
    let ecs = builtin_profile("ecs").unwrap();
    assert!(!ecs.task_states().contains(&"updating_password"));
    assert!(
        !ecs.cases()
            .iter()
            .any(|c| c.task_state.as_deref() == Some("updating_password"))
    );
    assert_eq!(
        ecs.expected_status(Some("active"), Some("updating_password")),
        "UNKNOWN"
    );
}

#[test]
fn case_ids_are_unique_and_order_is_group_then_vm_state_then_null_first() {
    for profile in builtin_profiles() {
        let cases = profile.cases();
        let mut ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), cases.len(), "{}", profile.name());
        let groups: Vec<Group> = cases.iter().map(|c| c.group).collect();
        assert!(
            groups.is_sorted(),
            "{}: groups out of order",
            profile.name()
        );
    }
    let nova = builtin_profile("nova").unwrap();
    let first: Vec<String> = nova
        .cases()
        .iter()
        .take(3)
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(
        first,
        [
            "nova/active/null",
            "nova/active/updating_password",
            "nova/active/resize_prep"
        ]
    );
    let probes: Vec<String> = nova
        .cases()
        .iter()
        .filter(|c| c.group == Group::Probe)
        .take(7)
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(
        probes,
        [
            "nova/bogus/null",
            "nova/\"\"/null",
            "nova/ACTIVE/null",
            "nova/null/null",
            "nova/active/bogus",
            "nova/active/REBOOTING",
            "nova/active/\"\"",
        ]
    );
}

/// Table 4 of the Huawei seed, pair by pair (an independent transcription).
const TABLE_4: [(&str, Option<&str>, &str); 44] = [
    ("building", Some("scheduling"), "BUILD"),
    ("building", Some("block_device_mapping"), "BUILD"),
    ("building", Some("networking"), "BUILD"),
    ("building", Some("spawning"), "BUILD"),
    ("building", None, "BUILD"),
    ("active", Some("rebooting"), "REBOOT"),
    ("active", Some("reboot_pending"), "REBOOT"),
    ("active", Some("reboot_started"), "REBOOT"),
    ("active", Some("rebooting_hard"), "HARD_REBOOT"),
    ("active", Some("reboot_pending_hard"), "HARD_REBOOT"),
    ("active", Some("reboot_started_hard"), "HARD_REBOOT"),
    ("active", Some("rebuilding"), "REBUILD"),
    ("active", Some("rebuild_block_device_mapping"), "REBUILD"),
    ("active", Some("rebuild_spawning"), "REBUILD"),
    ("active", Some("migrating"), "MIGRATING"),
    ("active", Some("powering-off"), "ACTIVE"),
    ("active", Some("deleting"), "ACTIVE"),
    ("active", None, "ACTIVE"),
    ("stopped", Some("resize_prep"), "RESIZE"),
    ("stopped", Some("resize_migrating"), "RESIZE"),
    ("stopped", Some("resize_migrated"), "RESIZE"),
    ("stopped", Some("resize_finish"), "RESIZE"),
    ("stopped", Some("rebuilding"), "REBUILD"),
    ("stopped", Some("rebuild_block_device_mapping"), "REBUILD"),
    ("stopped", Some("rebuild_spawning"), "REBUILD"),
    ("stopped", Some("powering-on"), "SHUTOFF"),
    ("stopped", Some("deleting"), "SHUTOFF"),
    ("stopped", None, "SHUTOFF"),
    ("resized", Some("resize_reverting"), "REVERT_RESIZE"),
    ("resized", None, "VERIFY_RESIZE"),
    ("error", Some("rebuilding"), "REBUILD"),
    ("error", Some("rebuild_block_device_mapping"), "REBUILD"),
    ("error", Some("rebuild_spawning"), "REBUILD"),
    ("error", Some("deleting"), "ERROR"),
    ("error", None, "ERROR"),
    ("deleted", None, "DELETED"),
    ("shelved", Some("shelving"), "SHELVED"),
    ("shelved", Some("shelving_image_pending_upload"), "SHELVED"),
    ("shelved", Some("shelving_image_uploading"), "SHELVED"),
    ("shelved", Some("unshelving"), "SHELVED"),
    ("shelved", None, "SHELVED"),
    (
        "shelved_offloaded",
        Some("shelving_offloading"),
        "SHELVED_OFFLOADED",
    ),
    ("shelved_offloaded", Some("unshelving"), "SHELVED_OFFLOADED"),
    ("shelved_offloaded", None, "SHELVED_OFFLOADED"),
];

#[test]
fn cases_list_ecs_json_valid_group_equals_table_4_pair_for_pair() {
    let (code, stdout, stderr) =
        harness(&["cases", "list", "--profile", "ecs", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let cases: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(cases.len(), 252);
    let mut listed: Vec<(String, Option<String>, String)> = cases
        .iter()
        .filter(|c| c["group"] == "valid")
        .map(|c| {
            (
                c["vm_state"].as_str().unwrap().to_owned(),
                c["task_state"].as_str().map(str::to_owned),
                c["expected"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut table: Vec<(String, Option<String>, String)> = TABLE_4
        .iter()
        .map(|(vm, task, status)| {
            (
                (*vm).to_owned(),
                task.map(str::to_owned),
                (*status).to_owned(),
            )
        })
        .collect();
    listed.sort();
    table.sort();
    assert_eq!(listed, table);
    // Every other pair of the 8 x 28 vocabulary is UNKNOWN.
    let invalid: Vec<&Value> = cases.iter().filter(|c| c["group"] == "invalid").collect();
    assert_eq!(invalid.len(), 180);
    assert!(invalid.iter().all(|c| c["expected"] == "UNKNOWN"));
    assert_eq!(
        cases[0],
        json!({"id": "ecs/building/null", "profile": "ecs", "group": "valid",
               "vm_state": "building", "task_state": null, "expected": "BUILD"})
    );
}

#[test]
fn cases_list_table_prints_one_line_per_case_with_a_header() {
    let (code, stdout, _) = harness(&["cases", "list", "--profile", "all"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1 + 252 + 388 + 556);
    assert!(lines[0].starts_with("ID") && lines[0].ends_with("EXPECTED"));
    let row: Vec<&str> = lines
        .iter()
        .find(|l| l.starts_with("nova/bogus/null "))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(row, ["nova/bogus/null", "probe", "UNKNOWN"]);
}

#[test]
fn cases_list_unknown_profile_exits_2_naming_it() {
    let (code, stdout, stderr) = harness(&["cases", "list", "--profile", "openstack"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        "error: failed to find profile \"openstack\" (built-in: ecs, ecs-openstack, nova; or `all`, or a path to a .json file)\n"
    );
}

#[test]
fn generated_files_are_current() {
    for profile in builtin_profiles() {
        let path = repo_root()
            .join("cases/generated")
            .join(generated_file_name(&profile));
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == generated_json(&profile),
            "{} is missing or stale; regenerate with `cargo run -p harness -- cases generate`",
            path.display()
        );
    }
}

#[test]
fn cases_generate_writes_files_and_check_detects_staleness() {
    let dir = tempfile::tempdir().unwrap();
    let dir_arg = dir.path().to_str().unwrap();
    let (code, _, stderr) = harness(&["cases", "generate", "--check", "--dir", dir_arg]);
    assert_eq!(code, 2);
    assert!(stderr.contains(
        "ecs.json is missing or stale; regenerate with `cargo run -p harness -- cases generate`"
    ));
    assert_eq!(harness(&["cases", "generate", "--dir", dir_arg]).0, 0);
    assert_eq!(
        harness(&["cases", "generate", "--check", "--dir", dir_arg]).0,
        0
    );
    let nova = dir.path().join("nova.json");
    let text = std::fs::read_to_string(&nova).unwrap();
    std::fs::write(&nova, text.replace("\"VERIFY_RESIZE\"", "\"ACTIVE\"")).unwrap();
    let (code, _, stderr) = harness(&["cases", "generate", "--check", "--dir", dir_arg]);
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("nova.json is missing or stale"));
}

#[test]
fn generated_file_has_counts_digest_and_cases() {
    let profile = builtin_profile("nova").unwrap();
    let value: Value = serde_json::from_str(&generated_json(&profile)).unwrap();
    assert_eq!(value["format_version"], 1);
    assert_eq!(value["profile"], "nova");
    assert_eq!(value["profile_digest"], profile.digest());
    assert_eq!(
        value["counts"],
        json!({"valid": 39, "invalid": 477, "probe": 40})
    );
    assert_eq!(value["cases"].as_array().unwrap().len(), 556);
}

#[test]
fn digest_is_sha256_of_the_profile_file() {
    let from_disk = Profile::from_path(repo_root().join("cases/profiles/ecs.json")).unwrap();
    let embedded = builtin_profile("ecs").unwrap();
    assert_eq!(from_disk.digest(), embedded.digest());
    assert!(embedded.digest().starts_with("sha256:"));
    assert_eq!(embedded.digest().len(), "sha256:".len() + 64);
    assert_ne!(embedded.digest(), builtin_profile("nova").unwrap().digest());
}

#[test]
fn resolve_profiles_accepts_names_paths_all_and_commas() {
    let path = repo_root().join("cases/profiles/nova.json");
    let args = vec![format!("ecs,{}", path.display()), "all".to_owned()];
    let names: Vec<String> = resolve_profiles(&args)
        .unwrap()
        .iter()
        .map(|p| p.name().to_owned())
        .collect();
    assert_eq!(names, ["ecs", "nova", "ecs-openstack"]);
    let default: Vec<String> = resolve_profiles(&[])
        .unwrap()
        .iter()
        .map(|p| p.name().to_owned())
        .collect();
    assert_eq!(default, ["ecs-openstack"]);
}

/// The disagreements status-derivation.md §6.3 lists, as (vm_state, task_state, ecs, nova).
const DOCUMENTED: [(&str, Option<&str>, &str, &str); 14] = [
    ("active", Some("resize_prep"), "UNKNOWN", "RESIZE"),
    ("active", Some("resize_finish"), "UNKNOWN", "RESIZE"),
    ("active", Some("updating_password"), "UNKNOWN", "PASSWORD"),
    ("paused", None, "UNKNOWN", "PAUSED"),
    ("paused", Some("migrating"), "UNKNOWN", "MIGRATING"),
    ("suspended", None, "UNKNOWN", "SUSPENDED"),
    ("rescued", None, "UNKNOWN", "RESCUE"),
    ("soft-delete", None, "UNKNOWN", "SOFT_DELETED"),
    ("active", Some("image_uploading"), "UNKNOWN", "ACTIVE"),
    ("stopped", Some("rebooting_hard"), "UNKNOWN", "SHUTOFF"),
    ("error", Some("powering-off"), "UNKNOWN", "ERROR"),
    ("building", Some("deleting"), "UNKNOWN", "BUILD"),
    (
        "shelved_offloaded",
        Some("spawning"),
        "UNKNOWN",
        "SHELVED_OFFLOADED",
    ),
    ("shelved", Some("shelving_offloading"), "UNKNOWN", "SHELVED"),
];

#[test]
fn diff_ecs_nova_lists_the_documented_disagreements_and_no_table_4_pair() {
    let ecs = builtin_profile("ecs").unwrap();
    let nova = builtin_profile("nova").unwrap();
    let differences = diff(&ecs, &nova);
    for (vm, task, left, right) in DOCUMENTED {
        assert!(
            differences.iter().any(|d| d.vm_state == vm
                && d.task_state.as_deref() == task
                && d.left == left
                && d.right == right),
            "missing {vm}/{task:?}: {left} vs {right}"
        );
    }
    // §6.3 "Agreements": every pair Huawei lists gives the same status in Nova.
    for (vm, task, _) in TABLE_4 {
        assert!(
            !differences
                .iter()
                .any(|d| d.vm_state == vm && d.task_state.as_deref() == task)
        );
    }
    // Nova never says UNKNOWN for a known vm_state, so every other pair of its 12 x 43 differs.
    assert_eq!(differences.len(), 12 * 43 - 44);
    assert!(diff(&nova, &nova).is_empty());
}

#[test]
fn cases_diff_prints_a_table_and_a_count() {
    let (code, stdout, stderr) = harness(&["cases", "diff", "ecs", "ecs-openstack"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "PAIR                        ecs      ecs-openstack\n\
         active / updating_password  UNKNOWN  PASSWORD\n\
         paused / null               UNKNOWN  PAUSED\n\
         paused / migrating          UNKNOWN  MIGRATING\n\
         suspended / null            UNKNOWN  SUSPENDED\n\
         rescued / null              UNKNOWN  RESCUE\n\
         soft-delete / null          UNKNOWN  SOFT_DELETED\n\
         6 of 348 pairs differ between ecs and ecs-openstack\n"
    );
}

fn push(list: &mut Value, item: Value) {
    list.as_array_mut().expect("a JSON array").push(item);
}

fn ecs_value() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("cases/profiles/ecs.json")).unwrap(),
    )
    .unwrap()
}

fn nova_value() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("cases/profiles/nova.json")).unwrap(),
    )
    .unwrap()
}

/// Writes `text` to a temporary `.json` file and runs `harness cases check` on it.
fn check_text(text: &str) -> (i32, String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profile.json");
    std::fs::write(&path, text).unwrap();
    let file = path.display().to_string();
    let (code, stdout, stderr) = harness(&["cases", "check", &file]);
    (code, stdout, stderr, file)
}

#[rstest]
#[case::format_version(ecs_value, |d: &mut Value| d["format_version"] = json!(2),
    "4:21: format_version: unsupported format_version 2 (this harness reads 1)")]
#[case::profile_name(ecs_value, |d: &mut Value| d["name"] = json!("a/b"),
    "5:11: name: \"a/b\" must be non-empty and contain no '/'")]
#[case::empty_name(ecs_value, |d: &mut Value| push(&mut d["task_states"], json!({"name": ""})),
    "472:15: task_states[27].name: \"\" must be non-empty and contain no '/'")]
#[case::duplicate_declaration(ecs_value, |d: &mut Value| push(&mut d["vm_states"], json!({"name": "active"})),
    "531:15: vm_states[8].name: \"active\" is already declared at vm_states[1]")]
#[case::reserved_probe_name(ecs_value, |d: &mut Value| push(&mut d["task_states"], json!({"name": "REBOOTING"})),
    "472:15: task_states[27].name: \"REBOOTING\" is reserved for probe cases")]
#[case::reserved_probe_vm_state(ecs_value, |d: &mut Value| push(&mut d["vm_states"], json!({"name": "bogus"})),
    "531:15: vm_states[8].name: \"bogus\" is reserved for probe cases")]
#[case::missing_unknown(ecs_value, |d: &mut Value| d["statuses"][14]["name"] = json!("GONE"),
    "174:15: statuses: UNKNOWN is not declared, but the fallback rule produces it")]
#[case::undeclared_vm_state(ecs_value, |d: &mut Value| d["rows"][13]["vm_state"] = json!("paused"),
    "143:19: rows[13].vm_state: vm_state \"paused\" is not declared in vm_states")]
#[case::undeclared_task_state(ecs_value, |d: &mut Value| d["rows"][1]["task_states"][2] = json!("reboot_Started"),
    "29:9: rows[1].task_states[2]: task_state \"reboot_Started\" is not declared in task_states")]
#[case::undeclared_status(ecs_value, |d: &mut Value| d["rows"][4]["status"] = json!("Migrating"),
    "55:17: rows[4].status: status \"Migrating\" is not declared in statuses")]
#[case::empty_task_states(ecs_value, |d: &mut Value| d["rows"][13]["task_states"] = json!([]),
    "140:22: rows[13].task_states: empty list (write [null] for \"no task\")")]
#[case::duplicate_pair(ecs_value, |d: &mut Value| d["rows"][15]["task_states"][0] = json!("unshelving"),
    "162:9: rows[15].task_states[1]: pair (shelved_offloaded, unshelving) is already listed in rows[15]")]
#[case::duplicate_pair_across_rows(ecs_value, |d: &mut Value| d["rows"][8]["task_states"][0] = json!("rebuilding"),
    "96:9: rows[8].task_states[0]: pair (stopped, rebuilding) maps to SHUTOFF here but to REBUILD in rows[7]")]
#[case::conflicting_pair(ecs_value, |d: &mut Value| d["rows"][10]["task_states"][0] = json!("resize_reverting"),
    "114:9: rows[10].task_states[0]: pair (resized, resize_reverting) maps to VERIFY_RESIZE here but to REVERT_RESIZE in rows[9]")]
#[case::conflicting_null_pair(ecs_value, |d: &mut Value| d["rows"][13]["vm_state"] = json!("error"),
    "141:9: rows[13].task_states[0]: pair (error, null) maps to DELETED here but to ERROR in rows[12]")]
#[case::unexpected_default(ecs_value, |d: &mut Value| d["vm_states"][0]["default_status"] = json!("BUILD"),
    "475:25: vm_states[0].default_status: not allowed with fallback \"unknown\" (vm_state \"building\")")]
#[case::missing_default(nova_value, |d: &mut Value| { d["vm_states"][4].as_object_mut().unwrap().remove("default_status"); },
    "488:5: vm_states[4].default_status: missing for vm_state \"stopped\" (fallback vm_state_default needs one on every vm_state)")]
#[case::undeclared_default(nova_value, |d: &mut Value| d["vm_states"][1]["default_status"] = json!("BUILDING"),
    "477:25: vm_states[1].default_status: status \"BUILDING\" is not declared in statuses\n\
     error: {file}:80:17: rows[7].status: (building, null) maps to BUILD but vm_states[1].default_status is BUILDING")]
#[case::default_mismatch(nova_value, |d: &mut Value| d["vm_states"][0]["default_status"] = json!("ERROR"),
    "15:17: rows[0].status: (active, null) maps to ACTIVE but vm_states[0].default_status is ERROR")]
fn cases_check_reports_each_problem_with_file_line_and_field(
    #[case] base: fn() -> Value,
    #[case] mutate: fn(&mut Value),
    #[case] message: &str,
) {
    let mut document = base();
    mutate(&mut document);
    let (code, stdout, stderr, file) =
        check_text(&serde_json::to_string_pretty(&document).unwrap());
    assert_eq!((code, stdout.as_str()), (2, ""));
    let message = message.replace("{file}", &file);
    assert_eq!(stderr, format!("error: {file}:{message}\n"));
}

#[test]
fn cases_check_reports_every_problem_not_just_the_first() {
    let mut document = ecs_value();
    document["rows"][0]["status"] = json!("BUILDING");
    document["rows"][1]["vm_state"] = json!("Active");
    let (code, _, stderr, file) = check_text(&document.to_string());
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error: {file}:1:375: rows[0].status: status \"BUILDING\" is not declared in statuses\n\
             error: {file}:1:608: rows[1].vm_state: vm_state \"Active\" is not declared in vm_states\n"
        )
    );
}

#[rstest]
#[case::missing_comma(
    "{\n  \"format_version\": 1\n  \"name\": \"x\"\n}",
    3,
    3,
    "expected `,` or `}`"
)]
#[case::truncated("{\n  \"format_version\": 1,\n", 3, 0, "EOF while parsing a value")]
#[case::unknown_field(
    "{\n  \"format_version\": 1,\n  \"nmae\": \"x\"\n}",
    3,
    8,
    "unknown field `nmae`, expected one of `$schema`, `format_version`, `name`, `title`, `source`, `notes`, `fallback`, `statuses`, `vm_states`, `task_states`, `rows`"
)]
#[case::wrong_type(
    "{\n  \"format_version\": \"1\"\n}",
    2,
    23,
    "invalid type: string \"1\", expected u32"
)]
fn cases_check_reports_malformed_json_with_line_and_column(
    #[case] text: &str,
    #[case] line: usize,
    #[case] column: usize,
    #[case] message: &str,
) {
    let (code, stdout, stderr, file) = check_text(text);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        format!(
            "error: failed to parse profile {file} at line {line}, column {column}: {message}\n"
        )
    );
}

#[test]
fn cases_check_missing_file_exits_2_with_the_io_cause() {
    let (code, _, stderr) = harness(&["cases", "check", "no/such/profile.json"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: failed to read profile no/such/profile.json\n  caused by: No such file or directory (os error 2)\n"
    );
}

#[test]
fn cases_check_without_files_checks_the_builtins() {
    let (code, stdout, stderr) = harness(&["cases", "check"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(
        stdout,
        "ok: cases/profiles/ecs.json: profile ecs (44 valid, 180 invalid, 28 probe)\n\
         ok: cases/profiles/ecs-openstack.json: profile ecs-openstack (50 valid, 298 invalid, 40 probe)\n\
         ok: cases/profiles/nova.json: profile nova (39 valid, 477 invalid, 40 probe)\n\
         ok: cases/scenarios/build-then-error.json: wait scenario, 2 public reports\n\
         ok: cases/scenarios/delete-soft-deleted.json: wait scenario, 2 public reports\n\
         ok: cases/scenarios/delete-then-gone.json: wait scenario, 1 public report\n\
         ok: cases/scenarios/list-empty-status.json: list scenario, 1 public report\n\
         ok: cases/scenarios/list-every-status.json: list scenario, 4 public reports\n\
         ok: cases/scenarios/list-future-status.json: list scenario, 1 public report\n\
         ok: cases/scenarios/list-lowercase-status.json: list scenario, 1 public report\n\
         ok: cases/scenarios/pause-to-paused.json: wait scenario, 1 public report\n\
         ok: cases/scenarios/powering-off-then-shutoff.json: wait scenario, 2 public reports\n\
         ok: cases/scenarios/reboot-then-active.json: wait scenario, 1 public report\n\
         ok: cases/scenarios/rescue-to-rescued.json: wait scenario, 1 public report\n\
         ok: cases/scenarios/shelve-to-offloaded.json: wait scenario, 1 public report\n"
    );
}

/// A broken scenario file is named with line, column and field; exit 2.
#[test]
fn cases_check_names_file_line_and_field_of_a_broken_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir(&scenarios).unwrap();
    let file = scenarios.join("bad.json");
    std::fs::write(
        &file,
        "{\"format_version\": 1, \"name\": \"bad\", \"kind\": \"list\", \"title\": \"t\",\n \"reproduces\": [{\"url\": \"https://a\", \"summary\": \"s\"}],\n \"servers\": [{\"vm_state\": \"active\", \"task_state\": null}, {\"vm_state\": \"active\", \"task_state\": null}],\n \"odd\": 5}\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let (code, _, stderr) = harness(&["cases", "check", path]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!("error: {path}:4:9: odd: is 5, but there are 2 servers\n")
    );
}

#[test]
fn cases_check_mixes_ok_and_failing_files_and_exits_2() {
    let good = repo_root().join("cases/profiles/nova.json");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "42").unwrap();
    let (code, stdout, stderr) = harness(&[
        "cases",
        "check",
        good.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        stdout.ends_with("profile nova (39 valid, 477 invalid, 40 probe)\n"),
        "{stdout}"
    );
    assert_eq!(
        stderr,
        format!(
            "error: failed to parse profile {} at line 1, column 2: invalid type: integer `42`, expected struct ProfileDocument\n",
            bad.display()
        )
    );
}
