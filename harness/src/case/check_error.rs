//! [`CheckProfileError`]: one problem `cases check` found, and where it is in the file.

use super::locate::Position;

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
    /// The same pair is listed again: with the same status (a duplicate) or another (a conflict).
    #[error(
        "{}: rows[{row}].task_states[{index}]: pair ({vm_state}, {task_state}) {}", place(.file, .at), repeated(.status, .first_status, *.first_row)
    )]
    RepeatedPair {
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
        /// The status of the repeat.
        status: String,
        /// The status of the first listing.
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
/// How a repeated pair differs from its first listing.
fn repeated(status: &str, first_status: &str, first_row: usize) -> String {
    if status == first_status {
        format!("is already listed in rows[{first_row}]")
    } else {
        format!("maps to {status} here but to {first_status} in rows[{first_row}]")
    }
}

fn place(file: &str, at: &Option<Position>) -> String {
    match at {
        Some(position) => format!("{file}:{position}"),
        None => file.to_owned(),
    }
}

impl CheckProfileError {
    /// The JSON path whose value this error points at, and its position slot. A missing
    /// `default_status` points at the vm_state object that lacks it.
    pub(super) fn anchor(&mut self) -> (String, &mut Option<Position>) {
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
            | E::RepeatedPair { row, index, at, .. } => {
                (format!("rows[{row}].task_states[{index}]"), at)
            }
        }
    }
}
