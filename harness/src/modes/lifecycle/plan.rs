//! What lifecycle mode does: three scratch servers, each driven through its own list of steps.

/// How a step is requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// `POST /servers` (the server's first step).
    Create,
    /// `POST /servers/{id}/action` with this action key.
    Action(&'static str),
    /// `DELETE /servers/{id}`.
    Delete,
}

/// When a step has settled, and what it must settle to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// task_state null and vm_state one of these (the first is the one Nova documents).
    Vm(&'static [&'static str]),
    /// Soft-deleted (vm_state `soft-delete`, task null) or gone (404).
    Deleted,
    /// Gone (404).
    Gone,
}

impl Settle {
    /// The vm_state the step is expected to end in, when it ends with a server.
    pub fn primary_vm_state(self) -> Option<&'static str> {
        match self {
            Settle::Vm(states) => states.first().copied(),
            Settle::Deleted => Some("soft-delete"),
            Settle::Gone => None,
        }
    }
}

/// One lifecycle step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Its name within the server's program, e.g. `stop` (case id `<profile>/lifecycle/<server>/<label>`).
    pub label: &'static str,
    /// The request that starts it.
    pub request: Request,
    /// Its expected end.
    pub settle: Settle,
    /// The step that must have settled as expected for this one to make sense (e.g. `unpause`
    /// needs `pause`); otherwise it is skipped.
    pub requires: Option<&'static str>,
}

const fn step(
    label: &'static str,
    request: Request,
    settle: Settle,
    requires: Option<&'static str>,
) -> Step {
    Step {
        label,
        request,
        settle,
        requires,
    }
}

const ACTIVE: Settle = Settle::Vm(&["active"]);

/// A scratch server and its steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Program {
    /// The server's role, part of its name and of its case ids: `basic`, `resize`, `shelve`.
    pub name: &'static str,
    /// The steps, in order; the first is `create`.
    pub steps: &'static [Step],
}

use Request::{Action, Create, Delete};

/// Reboots, power, pause, suspend, rescue, password and rebuild.
pub(super) const BASIC: Program = Program {
    name: "basic",
    steps: &[
        step("create", Create, ACTIVE, None),
        step("reboot-soft", Action("reboot"), ACTIVE, None),
        step("reboot-hard", Action("reboot"), ACTIVE, None),
        step("stop", Action("os-stop"), Settle::Vm(&["stopped"]), None),
        step("start", Action("os-start"), ACTIVE, Some("stop")),
        step("pause", Action("pause"), Settle::Vm(&["paused"]), None),
        step("unpause", Action("unpause"), ACTIVE, Some("pause")),
        step(
            "suspend",
            Action("suspend"),
            Settle::Vm(&["suspended"]),
            None,
        ),
        step("resume", Action("resume"), ACTIVE, Some("suspend")),
        step("rescue", Action("rescue"), Settle::Vm(&["rescued"]), None),
        step("unrescue", Action("unrescue"), ACTIVE, Some("rescue")),
        step("change-password", Action("changePassword"), ACTIVE, None),
        step("rebuild", Action("rebuild"), ACTIVE, None),
        step("delete", Delete, Settle::Deleted, None),
    ],
};

/// Resize + confirm, resize + revert from ACTIVE, resize + revert from SHUTOFF.
pub(super) const RESIZE: Program = Program {
    name: "resize",
    steps: &[
        step("create", Create, ACTIVE, None),
        step("resize", Action("resize"), Settle::Vm(&["resized"]), None),
        step(
            "confirm-resize",
            Action("confirmResize"),
            ACTIVE,
            Some("resize"),
        ),
        step(
            "resize-again",
            Action("resize"),
            Settle::Vm(&["resized"]),
            None,
        ),
        step(
            "revert-resize",
            Action("revertResize"),
            ACTIVE,
            Some("resize-again"),
        ),
        step("stop", Action("os-stop"), Settle::Vm(&["stopped"]), None),
        step(
            "resize-shutoff",
            Action("resize"),
            Settle::Vm(&["resized"]),
            Some("stop"),
        ),
        step(
            "revert-resize-shutoff",
            Action("revertResize"),
            Settle::Vm(&["stopped"]),
            Some("resize-shutoff"),
        ),
        step("delete", Delete, Settle::Deleted, None),
    ],
};

/// Shelve, offload, unshelve; then delete, restore and force-delete where the cloud soft-deletes.
pub(super) const SHELVE: Program = Program {
    name: "shelve",
    steps: &[
        step("create", Create, ACTIVE, None),
        step(
            "shelve",
            Action("shelve"),
            Settle::Vm(&["shelved", "shelved_offloaded"]),
            None,
        ),
        step(
            "shelve-offload",
            Action("shelveOffload"),
            Settle::Vm(&["shelved_offloaded"]),
            Some("shelve"),
        ),
        step("unshelve", Action("unshelve"), ACTIVE, Some("shelve")),
        step("delete", Delete, Settle::Deleted, None),
        step("restore", Action("restore"), ACTIVE, Some("delete")),
        step("delete-again", Delete, Settle::Deleted, Some("restore")),
        step(
            "force-delete",
            Action("forceDelete"),
            Settle::Gone,
            Some("delete-again"),
        ),
    ],
};

/// Every program lifecycle mode runs, concurrently, one server each.
pub const PROGRAMS: [Program; 3] = [BASIC, RESIZE, SHELVE];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_program_starts_with_create_and_labels_are_unique() {
        for program in PROGRAMS {
            assert_eq!(
                program.steps[0].request,
                Request::Create,
                "{}",
                program.name
            );
            let mut labels: Vec<&str> = program.steps.iter().map(|s| s.label).collect();
            labels.sort();
            labels.dedup();
            assert_eq!(labels.len(), program.steps.len(), "{}", program.name);
        }
    }

    #[test]
    fn a_required_step_comes_earlier_in_the_same_program() {
        for program in PROGRAMS {
            for (i, s) in program.steps.iter().enumerate() {
                if let Some(req) = s.requires {
                    assert!(
                        program.steps[..i].iter().any(|p| p.label == req),
                        "{}/{} requires {req}",
                        program.name,
                        s.label
                    );
                }
            }
        }
    }

    #[test]
    fn the_programs_cover_every_action_the_issue_lists() {
        let actions: Vec<&str> = PROGRAMS
            .iter()
            .flat_map(|p| p.steps)
            .filter_map(|s| match s.request {
                Request::Action(a) => Some(a),
                _ => None,
            })
            .collect();
        for wanted in [
            "reboot",
            "os-stop",
            "os-start",
            "pause",
            "unpause",
            "suspend",
            "resume",
            "rescue",
            "unrescue",
            "resize",
            "confirmResize",
            "revertResize",
            "changePassword",
            "rebuild",
            "shelve",
            "shelveOffload",
            "unshelve",
            "restore",
            "forceDelete",
        ] {
            assert!(actions.contains(&wanted), "{wanted}");
        }
        assert_eq!(Settle::Gone.primary_vm_state(), None);
    }
}
