//! Server actions: Nova's allowed-state checks and the task_state walks they start.
//!
//! The tables follow `nova/compute/api.py` (`check_instance_lock`, `check_instance_state`) and
//! the manager's task sequences, as summarised in the status-derivation reference (§5).

use std::fmt;

use super::server::{Ending, Phase, Server, ServerId, Walk};
use super::state::{TaskState, VmState, power};

/// A server action (or DELETE / create), in Nova's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `reboot` with `type` SOFT (`hard == false`) or HARD.
    Reboot {
        /// HARD reboot.
        hard: bool,
    },
    /// `os-stop`.
    Stop,
    /// `os-start`.
    Start,
    /// `pause`.
    Pause,
    /// `unpause`.
    Unpause,
    /// `suspend`.
    Suspend,
    /// `resume`.
    Resume,
    /// `rescue`.
    Rescue,
    /// `unrescue`.
    Unrescue,
    /// `resize` to a flavor.
    Resize {
        /// The new flavor id.
        flavor_id: String,
    },
    /// `addSecurityGroup` / `removeSecurityGroup` (no state check, only the lock).
    SecurityGroup,
    /// `injectNetworkInfo` (no state check, only the lock).
    InjectNetworkInfo,
    /// `confirmResize`.
    ConfirmResize,
    /// `revertResize`.
    RevertResize,
    /// `shelve` (image-backed, immediate offload as with Nova's default `shelved_offload_time` 0).
    Shelve,
    /// `shelveOffload`.
    ShelveOffload,
    /// `unshelve`.
    Unshelve,
    /// `rebuild`.
    Rebuild,
    /// `changePassword`.
    ChangePassword,
    /// `restore` (of a soft-deleted server).
    Restore,
    /// `forceDelete`.
    ForceDelete,
    /// `createImage`.
    CreateImage,
    /// `DELETE /servers/{id}`; `soft` when a reclaim interval is configured.
    Delete {
        /// Soft delete (restorable) instead of destroying.
        soft: bool,
    },
}

impl Action {
    /// The name Nova uses in its 409 message (`Cannot '<name>' instance …`).
    pub fn nova_name(&self) -> &'static str {
        match self {
            Action::Reboot { .. } => "reboot",
            Action::Stop => "stop",
            Action::Start => "start",
            Action::Pause => "pause",
            Action::Unpause => "unpause",
            Action::Suspend => "suspend",
            Action::Resume => "resume",
            Action::Rescue => "rescue",
            Action::Unrescue => "unrescue",
            Action::Resize { .. } => "resize",
            Action::SecurityGroup => "securityGroup",
            Action::InjectNetworkInfo => "injectNetworkInfo",
            Action::ConfirmResize => "confirmResize",
            Action::RevertResize => "revertResize",
            Action::Shelve => "shelve",
            Action::ShelveOffload => "shelveOffload",
            Action::Unshelve => "unshelve",
            Action::Rebuild => "rebuild",
            Action::ChangePassword => "changePassword",
            Action::Restore => "restore",
            Action::ForceDelete => "forceDelete",
            Action::CreateImage => "createImage",
            Action::Delete { .. } => "delete",
        }
    }

    /// Whether a lock held on the server refuses this action for a non-admin.
    fn honours_lock(&self) -> bool {
        // Nova's security group actions update ports and never check the lock.
        !matches!(self, Action::CreateImage | Action::SecurityGroup)
    }

    /// Allowed vm_states (`None`: any) and task_states (`None`: any).
    fn allowed(
        &self,
    ) -> (
        Option<&'static [VmState]>,
        Option<&'static [Option<TaskState>]>,
    ) {
        use TaskState as T;
        use VmState as V;
        const IDLE: &[Option<TaskState>] = &[None];
        const ALLOW_REBOOT: &[Option<TaskState>] = &[
            None,
            Some(T::Rebooting),
            Some(T::RebootPending),
            Some(T::RebootStarted),
            Some(T::RebootingHard),
            Some(T::Pausing),
            Some(T::Unpausing),
            Some(T::Suspending),
            Some(T::Resuming),
        ];
        let vms: &'static [VmState] = match self {
            Action::Reboot { hard: false }
            | Action::Pause
            | Action::Suspend
            | Action::ChangePassword => &[V::Active],
            Action::Reboot { hard: true } => {
                &[V::Active, V::Stopped, V::Paused, V::Suspended, V::Error]
            }
            Action::Stop => &[V::Active, V::Error],
            Action::Start => &[V::Stopped],
            Action::Unpause => &[V::Paused],
            Action::Resume => &[V::Suspended],
            Action::Rescue | Action::Rebuild => &[V::Active, V::Stopped, V::Error],
            Action::Unrescue => &[V::Rescued],
            Action::Resize { .. } => &[V::Active, V::Stopped],
            Action::ConfirmResize | Action::RevertResize => &[V::Resized],
            Action::Shelve | Action::CreateImage => {
                &[V::Active, V::Stopped, V::Paused, V::Suspended]
            }
            Action::ShelveOffload => &[V::Shelved],
            Action::Unshelve => &[V::Shelved, V::ShelvedOffloaded],
            Action::Restore => &[V::SoftDelete],
            Action::ForceDelete
            | Action::Delete { .. }
            | Action::SecurityGroup
            | Action::InjectNetworkInfo => return (None, None),
        };
        let tasks = match self {
            Action::Reboot { hard: true } => ALLOW_REBOOT,
            _ => IDLE,
        };
        (Some(vms), Some(tasks))
    }
}

/// Which state attribute refused an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateAttr {
    /// `vm_state`.
    VmState,
    /// `task_state`.
    TaskState,
}

impl fmt::Display for StateAttr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StateAttr::VmState => "vm_state",
            StateAttr::TaskState => "task_state",
        })
    }
}

/// Failed to start an action on a server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The server's state does not allow the action (Nova: 409 `InstanceInvalidState`).
    #[error("failed to {action} server {id}: it is in {attr} {value}")]
    InvalidState {
        /// Nova's action name.
        action: &'static str,
        /// The server.
        id: ServerId,
        /// The refusing attribute.
        attr: StateAttr,
        /// Its value (`None` for null).
        value: String,
    },
    /// The server is locked and the caller is not an admin (Nova: 409 `InstanceIsLocked`).
    #[error("failed to {action} server {id}: it is locked")]
    Locked {
        /// Nova's action name.
        action: &'static str,
        /// The server.
        id: ServerId,
    },
}

impl TransitionError {
    /// Nova's own wording for the 409 body.
    ///
    /// ```
    /// use fake_server::domain::{Action, plan_action, Server, ServerId, VmState};
    /// # let server = fake_server::domain::Server {
    /// #     id: ServerId::new("s1"), name: "n".into(), project_id: "p".into(), user_id: "u".into(),
    /// #     vm_state: Some(VmState::Stopped), task_state: None, power_state: Some(4), locked: false,
    /// #     locked_reason: None, flavor_id: "1".into(), image_id: None, description: None,
    /// #     metadata: vec![], created_unix: 0, updated_unix: 0, fault: None, walk: None,
    /// #     resize_from: None, reclaim_at_ms: None, seq: 0, status_override: None, timeline: None,
    /// #     access_ipv4: None, access_ipv6: None, security_groups: vec![], networked: true,
    /// #     old_flavor: None, terminated_unix: None };
    /// // Arrange: `server` is stopped.
    /// // Act
    /// let err = plan_action(&server, &Action::Pause, false, 0).unwrap_err();
    /// // Assert
    /// assert_eq!(err.nova_message(), "Cannot 'pause' instance s1 while it is in vm_state stopped");
    /// ```
    pub fn nova_message(&self) -> String {
        match self {
            TransitionError::InvalidState {
                action,
                id,
                attr,
                value,
            } => {
                format!("Cannot '{action}' instance {id} while it is in {attr} {value}")
            }
            TransitionError::Locked { id, .. } => format!("Instance {id} is locked"),
        }
    }
}

fn phases(vm: &Option<VmState>, tasks: &[TaskState]) -> Vec<Phase> {
    tasks
        .iter()
        .map(|t| Phase {
            vm_state: vm.clone(),
            task_state: Some(t.clone()),
        })
        .collect()
}

fn settle(vm_state: VmState) -> Ending {
    let power_state = vm_state.consistent_power_state();
    Ending::Settle {
        vm_state,
        power_state,
    }
}

/// Checks an action against the server's state and returns the walk it starts at `now_ms`.
///
/// `is_admin` bypasses a lock, as in Nova.
pub fn plan_action(
    server: &Server,
    action: &Action,
    is_admin: bool,
    now_ms: u64,
) -> Result<Walk, TransitionError> {
    check_allowed(server, action, is_admin)?;
    let (phases, ending) = phases_and_ending(server, action);
    let flavor_after = match action {
        Action::Resize { flavor_id } => Some(flavor_id.clone()),
        Action::RevertResize => server.old_flavor.clone(),
        _ => None,
    };
    Ok(Walk {
        phases,
        ending,
        started_ms: now_ms,
        flavor_after,
    })
}

/// Nova's `check_instance_lock` and `check_instance_state` for `action`: a lock (unless admin),
/// then the vm_state and task_state the action accepts, with Nova's conflict texts.
fn check_allowed(server: &Server, action: &Action, is_admin: bool) -> Result<(), TransitionError> {
    let name = action.nova_name();
    if server.locked && !is_admin && action.honours_lock() {
        return Err(TransitionError::Locked {
            action: name,
            id: server.id.clone(),
        });
    }
    let (vms, tasks) = action.allowed();
    let show = |s: Option<&str>| s.unwrap_or("None").to_owned();
    if let Some(vms) = vms
        && !server.vm_state.as_ref().is_some_and(|v| vms.contains(v))
    {
        return Err(TransitionError::InvalidState {
            action: name,
            id: server.id.clone(),
            attr: StateAttr::VmState,
            value: show(server.vm_state.as_ref().map(VmState::as_str)),
        });
    }
    if let Some(tasks) = tasks
        && !tasks.contains(&server.task_state)
    {
        return Err(TransitionError::InvalidState {
            action: name,
            id: server.id.clone(),
            attr: StateAttr::TaskState,
            value: show(server.task_state.as_ref().map(TaskState::as_str)),
        });
    }
    Ok(())
}

/// The phases `action` walks through from the server's state and how it ends: Nova's task_state
/// sequence per action (`nova/compute/api.py` and `manager.py`), one row per action.
fn phases_and_ending(server: &Server, action: &Action) -> (Vec<Phase>, Ending) {
    use TaskState as T;
    let vm = &server.vm_state;
    match action {
        Action::Reboot { hard: false } => (
            phases(vm, &[T::Rebooting, T::RebootPending, T::RebootStarted]),
            settle(VmState::Active),
        ),
        Action::Reboot { hard: true } => (
            phases(
                vm,
                &[T::RebootingHard, T::RebootPendingHard, T::RebootStartedHard],
            ),
            settle(VmState::Active),
        ),
        Action::Stop => (phases(vm, &[T::PoweringOff]), settle(VmState::Stopped)),
        Action::Start => (phases(vm, &[T::PoweringOn]), settle(VmState::Active)),
        Action::Pause => (phases(vm, &[T::Pausing]), settle(VmState::Paused)),
        Action::Unpause => (phases(vm, &[T::Unpausing]), settle(VmState::Active)),
        Action::Suspend => (phases(vm, &[T::Suspending]), settle(VmState::Suspended)),
        Action::Resume => (phases(vm, &[T::Resuming]), settle(VmState::Active)),
        Action::Rescue => (phases(vm, &[T::Rescuing]), settle(VmState::Rescued)),
        Action::Unrescue => (phases(vm, &[T::Unrescuing]), settle(VmState::Active)),
        Action::ChangePassword => (phases(vm, &[T::UpdatingPassword]), settle(VmState::Active)),
        Action::Rebuild => rebuild_walk(vm),
        Action::SecurityGroup | Action::InjectNetworkInfo => (Vec::new(), Ending::Unchanged),
        Action::Resize { .. } => resize_walk(vm),
        Action::ConfirmResize => (
            Vec::new(),
            settle(server.resize_from.clone().unwrap_or(VmState::Active)),
        ),
        Action::RevertResize => (
            phases(vm, &[T::ResizeReverting]),
            settle(server.resize_from.clone().unwrap_or(VmState::Active)),
        ),
        Action::Shelve => shelve_walk(vm),
        Action::ShelveOffload => (
            phases(vm, &[T::ShelvingOffloading]),
            settle(VmState::ShelvedOffloaded),
        ),
        Action::Unshelve => {
            let tasks: &[T] = if *vm == Some(VmState::ShelvedOffloaded) {
                &[T::Unshelving, T::Spawning]
            } else {
                &[T::Unshelving]
            };
            (phases(vm, tasks), settle(VmState::Active))
        }
        Action::Restore => (phases(vm, &[T::Restoring]), settle(VmState::Active)),
        Action::ForceDelete | Action::Delete { soft: false } => {
            (phases(vm, &[T::Deleting]), Ending::Remove)
        }
        Action::Delete { soft: true } => (phases(vm, &[T::SoftDeleting]), Ending::SoftDelete),
        Action::CreateImage => (
            phases(
                vm,
                &[
                    T::ImageSnapshotPending,
                    T::ImageSnapshot,
                    T::ImagePendingUpload,
                    T::ImageUploading,
                ],
            ),
            Ending::Unchanged,
        ),
    }
}

/// Rebuild: rebuilding → block device mapping → spawning; a stopped server is powered off again
/// (Nova saves ACTIVE with `powering-off` in between) and ends SHUTOFF.
fn rebuild_walk(vm: &Option<VmState>) -> (Vec<Phase>, Ending) {
    use TaskState as T;
    let was_stopped = *vm == Some(VmState::Stopped);
    let mut p = phases(
        vm,
        &[
            T::Rebuilding,
            T::RebuildBlockDeviceMapping,
            T::RebuildSpawning,
        ],
    );
    if was_stopped {
        p.push(Phase {
            vm_state: Some(VmState::Active),
            task_state: Some(T::PoweringOff),
        });
        (p, settle(VmState::Stopped))
    } else {
        (p, settle(VmState::Active))
    }
}

/// Resize: prep → migrating → migrated → finish, then VERIFY_RESIZE with the power state the
/// server had.
fn resize_walk(vm: &Option<VmState>) -> (Vec<Phase>, Ending) {
    use TaskState as T;
    let was_stopped = *vm == Some(VmState::Stopped);
    let p = phases(
        vm,
        &[
            T::ResizePrep,
            T::ResizeMigrating,
            T::ResizeMigrated,
            T::ResizeFinish,
        ],
    );
    let power_state = if was_stopped {
        power::SHUTDOWN
    } else {
        power::RUNNING
    };
    (
        p,
        Ending::Settle {
            vm_state: VmState::Resized,
            power_state,
        },
    )
}

/// Shelve: shelving → image upload → offloading (as SHELVED), ending SHELVED_OFFLOADED.
fn shelve_walk(vm: &Option<VmState>) -> (Vec<Phase>, Ending) {
    use TaskState as T;
    let mut p = phases(
        vm,
        &[
            T::Shelving,
            T::ShelvingImagePendingUpload,
            T::ShelvingImageUploading,
        ],
    );
    p.push(Phase {
        vm_state: Some(VmState::Shelved),
        task_state: Some(T::ShelvingOffloading),
    });
    (p, settle(VmState::ShelvedOffloaded))
}

/// The walk a new server goes through: building, scheduling → networking →
/// block_device_mapping → spawning, then active.
pub fn create_walk(now_ms: u64) -> Walk {
    use TaskState as T;
    let building = Some(VmState::Building);
    Walk {
        phases: phases(
            &building,
            &[
                T::Scheduling,
                T::Networking,
                T::BlockDeviceMapping,
                T::Spawning,
            ],
        ),
        ending: settle(VmState::Active),
        started_ms: now_ms,
        flavor_after: None,
    }
}
