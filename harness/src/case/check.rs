//! `cases check`: the consistency rules a parsed profile must satisfy.
//!
//! Every problem is reported (not just the first), each naming the file, the line and column where
//! the offending value starts, and its JSON location, such as
//! `my.json:17:17: rows[3].task_states[1]: …` (the compiler-style prefix editors jump to).

use std::collections::HashMap;

use super::document::{Declaration, FORMAT_VERSION, Fallback, ProfileDocument, UNKNOWN};
use super::enumerate::{PROBE_TASK_STATES, PROBE_VM_STATES};
use super::locate::{Position, locate};
use super::model::state_label;

/// One problem found in a profile file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckProfileError {
    /// `format_version` is not [`FORMAT_VERSION`].
    #[error("{}: format_version: unsupported format_version {found} (this harness reads 1)", place(.file, .at))]
    UnsupportedFormatVersion {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// The version found.
        found: u32,
    },
    /// The profile name is empty or contains `/`, which would break case ids.
    #[error("{}: name: {name:?} must be non-empty and contain no '/'", place(.file, .at))]
    InvalidProfileName {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// The name found.
        name: String,
    },
    /// A declared name is empty or contains `/`.
    #[error("{}: {field}[{index}].name: {name:?} must be non-empty and contain no '/'", place(.file, .at))]
    InvalidName {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// `statuses`, `vm_states` or `task_states`.
        field: &'static str,
        /// Index in that list.
        index: usize,
        /// The name found.
        name: String,
    },
    /// A name is declared twice in the same list.
    #[error("{}: {field}[{index}].name: {name:?} is already declared at {field}[{first}]", place(.file, .at))]
    DuplicateDeclaration {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// `statuses`, `vm_states` or `task_states`.
        field: &'static str,
        /// Index of the second declaration.
        index: usize,
        /// Index of the first declaration.
        first: usize,
        /// The repeated name.
        name: String,
    },
    /// A vm_state or task_state is one of the probe values, which would duplicate case ids.
    #[error("{}: {field}[{index}].name: {name:?} is reserved for probe cases", place(.file, .at))]
    ReservedName {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// `vm_states` or `task_states`.
        field: &'static str,
        /// Index in that list.
        index: usize,
        /// The reserved name.
        name: String,
    },
    /// `UNKNOWN` is not among the statuses, but every fallback rule can produce it.
    #[error("{}: statuses: UNKNOWN is not declared, but the fallback rule produces it", place(.file, .at))]
    MissingUnknownStatus {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
    },
    /// A vm_state lacks `default_status` under fallback `vm_state_default`.
    #[error(
        "{}: vm_states[{index}].default_status: missing for vm_state {vm_state:?} (fallback vm_state_default needs one on every vm_state)", place(.file, .at)
    )]
    MissingDefaultStatus {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// Index in `vm_states`.
        index: usize,
        /// The vm_state.
        vm_state: String,
    },
    /// A vm_state has `default_status` under fallback `unknown`, where it would be ignored.
    #[error(
        "{}: vm_states[{index}].default_status: not allowed with fallback \"unknown\" (vm_state {vm_state:?})", place(.file, .at)
    )]
    UnexpectedDefaultStatus {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// Index in `vm_states`.
        index: usize,
        /// The vm_state.
        vm_state: String,
    },
    /// A `default_status` names a status not in `statuses`.
    #[error(
        "{}: vm_states[{index}].default_status: status {status:?} is not declared in statuses", place(.file, .at)
    )]
    UndeclaredDefaultStatus {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// Index in `vm_states`.
        index: usize,
        /// The undeclared status.
        status: String,
    },
    /// A row names a vm_state not in `vm_states`.
    #[error("{}: rows[{row}].vm_state: vm_state {vm_state:?} is not declared in vm_states", place(.file, .at))]
    UndeclaredVmState {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// Index in `rows`.
        row: usize,
        /// The undeclared vm_state.
        vm_state: String,
    },
    /// A row names a task_state not in `task_states`.
    #[error(
        "{}: rows[{row}].task_states[{index}]: task_state {task_state:?} is not declared in task_states", place(.file, .at)
    )]
    UndeclaredTaskState {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// Index in `rows`.
        row: usize,
        /// Index in the row's `task_states`.
        index: usize,
        /// The undeclared task_state.
        task_state: String,
    },
    /// A row names a status not in `statuses`.
    #[error("{}: rows[{row}].status: status {status:?} is not declared in statuses", place(.file, .at))]
    UndeclaredStatus {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// Index in `rows`.
        row: usize,
        /// The undeclared status.
        status: String,
    },
    /// A row lists no task_state at all.
    #[error("{}: rows[{row}].task_states: empty list (write [null] for \"no task\")", place(.file, .at))]
    EmptyTaskStates {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// Index in `rows`.
        row: usize,
    },
    /// The same pair is listed twice with the same status.
    #[error(
        "{}: rows[{row}].task_states[{index}]: pair ({vm_state}, {task_state}) is already listed in rows[{first_row}]", place(.file, .at)
    )]
    DuplicatePair {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// Index in `rows` of the repeat.
        row: usize,
        /// Index in the row's `task_states`.
        index: usize,
        /// Index in `rows` of the first listing.
        first_row: usize,
        /// The vm_state.
        vm_state: String,
        /// The task_state as written in ids (`null` for null).
        task_state: String,
    },
    /// The same pair is mapped to two different statuses.
    #[error(
        "{}: rows[{row}].task_states[{index}]: pair ({vm_state}, {task_state}) maps to {status} here but to {first_status} in rows[{first_row}]", place(.file, .at)
    )]
    ConflictingPair {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// Index in `rows` of the second mapping.
        row: usize,
        /// Index in the row's `task_states`.
        index: usize,
        /// Index in `rows` of the first mapping.
        first_row: usize,
        /// The vm_state.
        vm_state: String,
        /// The task_state as written in ids (`null` for null).
        task_state: String,
        /// The status of the second mapping.
        status: String,
        /// The status of the first mapping.
        first_status: String,
    },
    /// Under `vm_state_default`, a `(vm_state, null)` row disagrees with the vm_state's default.
    #[error(
        "{}: rows[{row}].status: ({vm_state}, null) maps to {status} but vm_states[{index}].default_status is {default_status}", place(.file, .at)
    )]
    DefaultMismatch {
        /// The profile file.
        file: String,
        /// Where the field's value starts in the file, if found.
        at: Option<Position>,
        /// Index in `rows`.
        row: usize,
        /// Index in `vm_states`.
        index: usize,
        /// The vm_state.
        vm_state: String,
        /// The row's status.
        status: String,
        /// The declared default.
        default_status: String,
    },
}

/// `FILE:LINE:COL`, or `FILE` when the field could not be located.
fn place(file: &str, at: &Option<Position>) -> String {
    match at {
        Some(position) => format!("{file}:{position}"),
        None => file.to_owned(),
    }
}

impl CheckProfileError {
    /// The JSON path whose value this error points at, and its position slot. A missing
    /// `default_status` points at the vm_state object that lacks it.
    fn anchor(&mut self) -> (String, &mut Option<Position>) {
        use CheckProfileError as E;
        match self {
            E::UnsupportedFormatVersion { at, .. } => ("format_version".to_owned(), at),
            E::InvalidProfileName { at, .. } => ("name".to_owned(), at),
            E::InvalidName {
                field, index, at, ..
            }
            | E::DuplicateDeclaration {
                field, index, at, ..
            }
            | E::ReservedName {
                field, index, at, ..
            } => (format!("{field}[{index}].name"), at),
            E::MissingUnknownStatus { at, .. } => ("statuses".to_owned(), at),
            E::MissingDefaultStatus { index, at, .. } => (format!("vm_states[{index}]"), at),
            E::UnexpectedDefaultStatus { index, at, .. }
            | E::UndeclaredDefaultStatus { index, at, .. } => {
                (format!("vm_states[{index}].default_status"), at)
            }
            E::UndeclaredVmState { row, at, .. } => (format!("rows[{row}].vm_state"), at),
            E::UndeclaredStatus { row, at, .. } | E::DefaultMismatch { row, at, .. } => {
                (format!("rows[{row}].status"), at)
            }
            E::EmptyTaskStates { row, at, .. } => (format!("rows[{row}].task_states"), at),
            E::UndeclaredTaskState { row, index, at, .. }
            | E::DuplicatePair { row, index, at, .. }
            | E::ConflictingPair { row, index, at, .. } => {
                (format!("rows[{row}].task_states[{index}]"), at)
            }
        }
    }
}

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

    // (vm_state, task_state) -> (first row, status).
    let mut seen: HashMap<(&str, Option<&str>), (usize, &str)> = HashMap::new();
    for (row_index, row) in doc.rows.iter().enumerate() {
        if !vm_states.contains_key(row.vm_state.as_str()) {
            errors.push(CheckProfileError::UndeclaredVmState {
                file: file_owned(),
                at: None,
                row: row_index,
                vm_state: row.vm_state.clone(),
            });
        }
        if !statuses.contains_key(row.status.as_str()) {
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
                && !task_states.contains_key(name)
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
                Some(&(first_row, first_status)) if first_status == row.status => {
                    errors.push(CheckProfileError::DuplicatePair {
                        file: file_owned(),
                        at: None,
                        row: row_index,
                        index,
                        first_row,
                        vm_state: row.vm_state.clone(),
                        task_state: state_label(task),
                    });
                }
                Some(&(first_row, first_status)) => {
                    errors.push(CheckProfileError::ConflictingPair {
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
            check_null_row(file, doc, row_index, &vm_states, &mut errors);
        }
    }
    errors
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
            [CheckProfileError::ConflictingPair {
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
