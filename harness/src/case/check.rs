//! `cases check`: the consistency rules a parsed profile must satisfy.
//!
//! Every problem is reported (not just the first), each naming the file, the line and column where
//! the offending value starts, and its JSON location, such as
//! `my.json:17:17: rows[3].task_states[1]: …` (the compiler-style prefix editors jump to).

use std::collections::HashMap;

use super::check_error::CheckProfileError;
use super::document::{Declaration, FORMAT_VERSION, Fallback, ProfileDocument, UNKNOWN};
use super::enumerate::{PROBE_TASK_STATES, PROBE_VM_STATES};
use super::locate::locate;
use super::model::state_label;

/// Checks a parsed profile; `file` names it in every error and `text` (the file's contents)
/// gives each error its line and column. An empty result means the profile is sound.
pub(crate) fn check_document(
    file: &str,
    text: &str,
    doc: &ProfileDocument,
) -> Vec<CheckProfileError> {
    let mut errors = check_rules(file, doc);
    for error in &mut errors {
        let (path, at) = error.anchor();
        *at = locate(text, &path);
    }
    errors
}

/// Every rule of `cases check`, with positions still unset.
fn check_rules(file: &str, doc: &ProfileDocument) -> Vec<CheckProfileError> {
    let mut errors = Vec::new();
    let file_owned = || file.to_owned();
    if doc.format_version != FORMAT_VERSION {
        errors.push(CheckProfileError::UnsupportedFormatVersion {
            file: file_owned(),
            at: None,
            found: doc.format_version,
        });
    }
    if doc.name.is_empty() || doc.name.contains('/') {
        errors.push(CheckProfileError::InvalidProfileName {
            file: file_owned(),
            at: None,
            name: doc.name.clone(),
        });
    }
    let statuses = declare(file, "statuses", &doc.statuses, &[], &mut errors);
    let probe_vms: Vec<&str> = PROBE_VM_STATES.iter().flatten().copied().collect();
    let vm_states = declare(file, "vm_states", &doc.vm_states, &probe_vms, &mut errors);
    let task_states = declare(
        file,
        "task_states",
        &doc.task_states,
        &PROBE_TASK_STATES,
        &mut errors,
    );
    if !statuses.contains_key(UNKNOWN) {
        errors.push(CheckProfileError::MissingUnknownStatus {
            file: file_owned(),
            at: None,
        });
    }
    check_defaults(file, doc, &statuses, &mut errors);

    let declared = Declared {
        statuses: &statuses,
        vm_states: &vm_states,
        task_states: &task_states,
    };
    check_rows(file, doc, &declared, &mut errors);
    errors
}

/// The names a profile declares, each with its index in its list.
struct Declared<'d, 'a> {
    statuses: &'d HashMap<&'a str, usize>,
    vm_states: &'d HashMap<&'a str, usize>,
    task_states: &'d HashMap<&'a str, usize>,
}

/// Every row: declared names, non-empty task lists, no pair listed twice (the same status) or
/// with two statuses, and Nova's null rows.
fn check_rows(
    file: &str,
    doc: &ProfileDocument,
    declared: &Declared<'_, '_>,
    errors: &mut Vec<CheckProfileError>,
) {
    let file_owned = || file.to_owned();
    // (vm_state, task_state) -> (first row, status).
    let mut seen: HashMap<(&str, Option<&str>), (usize, &str)> = HashMap::new();
    for (row_index, row) in doc.rows.iter().enumerate() {
        if !declared.vm_states.contains_key(row.vm_state.as_str()) {
            errors.push(CheckProfileError::UndeclaredVmState {
                file: file_owned(),
                at: None,
                row: row_index,
                vm_state: row.vm_state.clone(),
            });
        }
        if !declared.statuses.contains_key(row.status.as_str()) {
            errors.push(CheckProfileError::UndeclaredStatus {
                file: file_owned(),
                at: None,
                row: row_index,
                status: row.status.clone(),
            });
        }
        if row.task_states.is_empty() {
            errors.push(CheckProfileError::EmptyTaskStates {
                file: file_owned(),
                at: None,
                row: row_index,
            });
        }
        for (index, task) in row.task_states.iter().enumerate() {
            let task = task.as_deref();
            if let Some(name) = task
                && !declared.task_states.contains_key(name)
            {
                errors.push(CheckProfileError::UndeclaredTaskState {
                    file: file_owned(),
                    at: None,
                    row: row_index,
                    index,
                    task_state: name.to_owned(),
                });
            }
            let key = (row.vm_state.as_str(), task);
            match seen.get(&key) {
                Some(&(first_row, first_status)) => {
                    errors.push(CheckProfileError::RepeatedPair {
                        file: file_owned(),
                        at: None,
                        row: row_index,
                        index,
                        first_row,
                        vm_state: row.vm_state.clone(),
                        task_state: state_label(task),
                        status: row.status.clone(),
                        first_status: first_status.to_owned(),
                    });
                }
                None => {
                    seen.insert(key, (row_index, row.status.as_str()));
                }
            }
        }
        if doc.fallback == Fallback::VmStateDefault && row.task_states.contains(&None) {
            check_null_row(file, doc, row_index, declared.vm_states, errors);
        }
    }
}

/// Indexes a declaration list by name, reporting empty, duplicate and reserved names.
fn declare<'a>(
    file: &str,
    field: &'static str,
    decls: &'a [Declaration],
    reserved: &[&str],
    errors: &mut Vec<CheckProfileError>,
) -> HashMap<&'a str, usize> {
    let mut names = HashMap::new();
    for (index, decl) in decls.iter().enumerate() {
        let name = decl.name.as_str();
        if name.is_empty() || name.contains('/') {
            errors.push(CheckProfileError::InvalidName {
                file: file.to_owned(),
                at: None,
                field,
                index,
                name: name.to_owned(),
            });
        } else if reserved.contains(&name) {
            errors.push(CheckProfileError::ReservedName {
                file: file.to_owned(),
                at: None,
                field,
                index,
                name: name.to_owned(),
            });
        }
        if let Some(&first) = names.get(name) {
            errors.push(CheckProfileError::DuplicateDeclaration {
                file: file.to_owned(),
                at: None,
                field,
                index,
                first,
                name: name.to_owned(),
            });
        } else {
            names.insert(name, index);
        }
    }
    names
}

/// Checks `default_status` on every vm_state against the fallback rule and the statuses.
fn check_defaults(
    file: &str,
    doc: &ProfileDocument,
    statuses: &HashMap<&str, usize>,
    errors: &mut Vec<CheckProfileError>,
) {
    for (index, vm) in doc.vm_states.iter().enumerate() {
        match (doc.fallback, &vm.default_status) {
            (Fallback::VmStateDefault, None) => {
                errors.push(CheckProfileError::MissingDefaultStatus {
                    file: file.to_owned(),
                    at: None,
                    index,
                    vm_state: vm.name.clone(),
                })
            }
            (Fallback::Unknown, Some(_)) => {
                errors.push(CheckProfileError::UnexpectedDefaultStatus {
                    file: file.to_owned(),
                    at: None,
                    index,
                    vm_state: vm.name.clone(),
                })
            }
            (Fallback::VmStateDefault, Some(status)) if !statuses.contains_key(status.as_str()) => {
                errors.push(CheckProfileError::UndeclaredDefaultStatus {
                    file: file.to_owned(),
                    at: None,
                    index,
                    status: status.clone(),
                })
            }
            _ => {}
        }
    }
}

/// Under `vm_state_default`, a `(vm_state, null)` row must agree with the vm_state's default,
/// because Nova derives a null task_state from the default and nothing else.
fn check_null_row(
    file: &str,
    doc: &ProfileDocument,
    row_index: usize,
    vm_states: &HashMap<&str, usize>,
    errors: &mut Vec<CheckProfileError>,
) {
    let row = &doc.rows[row_index];
    let Some(&index) = vm_states.get(row.vm_state.as_str()) else {
        return;
    };
    if let Some(default_status) = &doc.vm_states[index].default_status
        && *default_status != row.status
    {
        errors.push(CheckProfileError::DefaultMismatch {
            file: file.to_owned(),
            at: None,
            row: row_index,
            index,
            vm_state: row.vm_state.clone(),
            status: row.status.clone(),
            default_status: default_status.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Position;

    /// Checks a small profile (rows start on line 4) with the given `rows` array.
    fn check(rows: &str) -> Vec<CheckProfileError> {
        let text = format!(
            r#"{{"format_version": 1, "name": "t", "title": "t", "source": {{"document": "d"}},
  "fallback": "unknown", "statuses": [{{"name": "ON"}}, {{"name": "OFF"}}, {{"name": "UNKNOWN"}}],
  "vm_states": [{{"name": "on"}}], "task_states": [{{"name": "a"}}],
  "rows": {rows}}}"#
        );
        let doc: ProfileDocument = serde_json::from_str(&text).unwrap();
        check_document("t.json", &text, &doc)
    }

    #[test]
    fn sound_document_has_no_errors() {
        let errors = check(
            r#"[{"vm_state": "on", "task_states": ["a", null], "status": "ON", "source": "s"}]"#,
        );
        assert_eq!(errors, []);
    }

    #[test]
    fn null_pair_listed_twice_with_two_statuses_conflicts() {
        let errors = check(
            r#"[{"vm_state": "on", "task_states": [null], "status": "ON", "source": "s"},
                {"vm_state": "on", "task_states": [null], "status": "OFF", "source": "s"}]"#,
        );
        assert_eq!(
            errors,
            [CheckProfileError::RepeatedPair {
                file: "t.json".to_owned(),
                at: Some(Position {
                    line: 5,
                    column: 52
                }),
                row: 1,
                index: 0,
                first_row: 0,
                vm_state: "on".to_owned(),
                task_state: "null".to_owned(),
                status: "OFF".to_owned(),
                first_status: "ON".to_owned(),
            }]
        );
    }

    #[test]
    fn row_with_every_name_undeclared_reports_each_field() {
        let errors =
            check(r#"[{"vm_state": "x", "task_states": ["y"], "status": "Z", "source": "s"}]"#);
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "t.json:4:25: rows[0].vm_state: vm_state \"x\" is not declared in vm_states",
                "t.json:4:62: rows[0].status: status \"Z\" is not declared in statuses",
                "t.json:4:46: rows[0].task_states[0]: task_state \"y\" is not declared in task_states",
            ]
        );
    }

    #[test]
    fn missing_default_status_points_at_the_vm_state_object() {
        let text = "{\"format_version\": 1, \"name\": \"t\", \"title\": \"t\",
  \"source\": {\"document\": \"d\"}, \"fallback\": \"vm_state_default\",
  \"statuses\": [{\"name\": \"ON\"}, {\"name\": \"UNKNOWN\"}],
  \"vm_states\": [{\"name\": \"on\", \"default_status\": \"ON\"},
    {\"name\": \"off\"}], \"task_states\": [], \"rows\": []}";
        let doc: ProfileDocument = serde_json::from_str(text).unwrap();
        let messages: Vec<String> = check_document("t.json", text, &doc)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            messages,
            [
                "t.json:5:5: vm_states[1].default_status: missing for vm_state \"off\" (fallback vm_state_default needs one on every vm_state)"
            ]
        );
    }

    #[test]
    fn error_without_a_position_keeps_the_file_and_field_prefix() {
        let error = CheckProfileError::UndeclaredStatus {
            file: "t.json".to_owned(),
            at: None,
            row: 3,
            status: "Z".to_owned(),
        };
        assert_eq!(
            error.to_string(),
            "t.json: rows[3].status: status \"Z\" is not declared in statuses"
        );
    }

    #[test]
    fn error_whose_field_is_not_in_the_text_falls_back_to_file_and_field() {
        let doc: ProfileDocument =
            serde_json::from_str(include_str!("../../../cases/profiles/ecs.json")).unwrap();
        let mut doc = doc;
        doc.rows[1].status = "REBOOTT".to_owned();
        let messages: Vec<String> = check_document("t.json", "{}", &doc)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            messages,
            ["t.json: rows[1].status: status \"REBOOTT\" is not declared in statuses"]
        );
    }

    #[test]
    fn builtin_profiles_pass_every_check() {
        for (file, text) in [
            ("ecs", include_str!("../../../cases/profiles/ecs.json")),
            (
                "ecs-openstack",
                include_str!("../../../cases/profiles/ecs-openstack.json"),
            ),
            ("nova", include_str!("../../../cases/profiles/nova.json")),
        ] {
            let doc: ProfileDocument = serde_json::from_str(text).unwrap();
            assert_eq!(check_document(file, text, &doc), [], "{file}");
        }
    }
}
