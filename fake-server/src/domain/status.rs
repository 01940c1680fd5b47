//! Status derivation: `(vm_state, task_state)` → `status`, per built-in profile.
//!
//! Written independently of `cases/` so that running the harness against the fake cross-checks
//! two encodings of the same sources. Nova's structure is mirrored: each vm_state has a default
//! status plus a few task_state overrides ([`nova_status`]). Huawei's ECS table is strict: a pair
//! it does not list is `UNKNOWN` ([`ecs_row`]).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use super::server::Server;
use super::state::{Status, TaskState, VmState};

/// A built-in derivation profile.
///
/// ```
/// use fake_server::domain::Profile;
/// // Arrange, Act
/// let p: Profile = "ecs-openstack".parse().unwrap();
/// // Assert
/// assert_eq!(p, Profile::EcsOpenstack);
/// assert_eq!(p.as_str(), "ecs-openstack");
/// assert!("aws".parse::<Profile>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// Huawei ECS Table 4, strictly: unlisted pairs are `UNKNOWN`.
    Ecs,
    /// ECS Table 4 plus the OpenStack statuses PASSWORD, PAUSED, MIGRATING (paused), SUSPENDED,
    /// RESCUE and SOFT_DELETED; still strict. The default.
    #[default]
    EcsOpenstack,
    /// Upstream Nova: per-vm_state default plus overrides.
    Nova,
}

/// Failed to parse a profile name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to parse profile `{name}`: expected one of ecs, ecs-openstack, nova")]
pub struct ParseProfileError {
    /// The rejected name.
    pub name: String,
}

impl Profile {
    /// Every built-in profile.
    pub const ALL: [Profile; 3] = [Profile::Ecs, Profile::EcsOpenstack, Profile::Nova];

    /// The profile's name as used on the command line and in case ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Ecs => "ecs",
            Profile::EcsOpenstack => "ecs-openstack",
            Profile::Nova => "nova",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = ParseProfileError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ecs" => Ok(Profile::Ecs),
            "ecs-openstack" => Ok(Profile::EcsOpenstack),
            "nova" => Ok(Profile::Nova),
            other => Err(ParseProfileError {
                name: other.to_owned(),
            }),
        }
    }
}

/// Derives the status of a pair under `profile`, without deviations.
///
/// ```
/// use fake_server::domain::{derive_status, Profile, Status, TaskState, VmState};
/// // Arrange
/// let vm = Some(VmState::Active);
/// let task = Some(TaskState::ImageUploading);
/// // Act
/// let nova = derive_status(Profile::Nova, vm.as_ref(), task.as_ref());
/// let ecs = derive_status(Profile::Ecs, vm.as_ref(), task.as_ref());
/// // Assert
/// assert_eq!(nova, Status::Active);
/// assert_eq!(ecs, Status::Unknown);
/// ```
pub fn derive_status(profile: Profile, vm: Option<&VmState>, task: Option<&TaskState>) -> Status {
    match profile {
        Profile::Nova => nova_status(vm, task),
        Profile::Ecs => ecs_row(vm, task).unwrap_or(Status::Unknown),
        Profile::EcsOpenstack => ecs_row(vm, task)
            .or_else(|| openstack_extra_row(vm, task))
            .unwrap_or(Status::Unknown),
    }
}

/// Nova's `status_from_state`: the vm_state's default unless the task_state overrides it;
/// an unknown or null vm_state is `UNKNOWN`.
pub fn nova_status(vm: Option<&VmState>, task: Option<&TaskState>) -> Status {
    let Some(vm) = vm else {
        return Status::Unknown;
    };
    match task.and_then(|t| nova_override(vm, t)) {
        Some(status) => status,
        None => nova_default(vm),
    }
}

/// The default status of a vm_state in Nova's map (`UNKNOWN` for an unrecognised one).
pub fn nova_default(vm: &VmState) -> Status {
    match vm {
        VmState::Active => Status::Active,
        VmState::Building => Status::Build,
        VmState::Stopped => Status::Shutoff,
        VmState::Resized => Status::VerifyResize,
        VmState::Paused => Status::Paused,
        VmState::Suspended => Status::Suspended,
        VmState::Rescued => Status::Rescue,
        VmState::Error => Status::Error,
        VmState::Deleted => Status::Deleted,
        VmState::SoftDelete => Status::SoftDeleted,
        VmState::Shelved => Status::Shelved,
        VmState::ShelvedOffloaded => Status::ShelvedOffloaded,
        VmState::Unrecognized(_) => Status::Unknown,
    }
}

fn rebuild(task: &TaskState) -> bool {
    matches!(
        task,
        TaskState::Rebuilding | TaskState::RebuildBlockDeviceMapping | TaskState::RebuildSpawning
    )
}

fn resize(task: &TaskState) -> bool {
    matches!(
        task,
        TaskState::ResizePrep
            | TaskState::ResizeMigrating
            | TaskState::ResizeMigrated
            | TaskState::ResizeFinish
    )
}

fn soft_reboot(task: &TaskState) -> bool {
    matches!(
        task,
        TaskState::Rebooting | TaskState::RebootPending | TaskState::RebootStarted
    )
}

fn hard_reboot(task: &TaskState) -> bool {
    matches!(
        task,
        TaskState::RebootingHard | TaskState::RebootPendingHard | TaskState::RebootStartedHard
    )
}

/// One of Nova's 27 explicit task_state overrides, if `(vm, task)` is one.
pub fn nova_override(vm: &VmState, task: &TaskState) -> Option<Status> {
    match vm {
        VmState::Active if soft_reboot(task) => Some(Status::Reboot),
        VmState::Active if hard_reboot(task) => Some(Status::HardReboot),
        VmState::Active if *task == TaskState::UpdatingPassword => Some(Status::Password),
        VmState::Active | VmState::Stopped | VmState::Error if rebuild(task) => {
            Some(Status::Rebuild)
        }
        VmState::Active | VmState::Paused if *task == TaskState::Migrating => {
            Some(Status::Migrating)
        }
        VmState::Active | VmState::Stopped if resize(task) => Some(Status::Resize),
        VmState::Resized if *task == TaskState::ResizeReverting => Some(Status::RevertResize),
        _ => None,
    }
}

/// The status Huawei ECS Table 4 lists for a pair, or `None` when the table has no such row.
pub fn ecs_row(vm: Option<&VmState>, task: Option<&TaskState>) -> Option<Status> {
    use TaskState as T;
    let vm = vm?;
    match (vm, task) {
        (
            VmState::Building,
            None | Some(T::Scheduling | T::BlockDeviceMapping | T::Networking | T::Spawning),
        ) => Some(Status::Build),
        (VmState::Active, Some(t)) if soft_reboot(t) => Some(Status::Reboot),
        (VmState::Active, Some(t)) if hard_reboot(t) => Some(Status::HardReboot),
        (VmState::Active | VmState::Stopped | VmState::Error, Some(t)) if rebuild(t) => {
            Some(Status::Rebuild)
        }
        (VmState::Active, Some(T::Migrating)) => Some(Status::Migrating),
        (VmState::Active, None | Some(T::PoweringOff | T::Deleting)) => Some(Status::Active),
        (VmState::Stopped, Some(t)) if resize(t) => Some(Status::Resize),
        (VmState::Stopped, None | Some(T::PoweringOn | T::Deleting)) => Some(Status::Shutoff),
        (VmState::Resized, Some(T::ResizeReverting)) => Some(Status::RevertResize),
        (VmState::Resized, None) => Some(Status::VerifyResize),
        (VmState::Error, None | Some(T::Deleting)) => Some(Status::Error),
        (VmState::Deleted, None) => Some(Status::Deleted),
        (
            VmState::Shelved,
            None
            | Some(
                T::Shelving
                | T::ShelvingImagePendingUpload
                | T::ShelvingImageUploading
                | T::Unshelving,
            ),
        ) => Some(Status::Shelved),
        (VmState::ShelvedOffloaded, None | Some(T::ShelvingOffloading | T::Unshelving)) => {
            Some(Status::ShelvedOffloaded)
        }
        _ => None,
    }
}

/// The six rows `ecs-openstack` adds to Table 4 (taken from Nova's map).
fn openstack_extra_row(vm: Option<&VmState>, task: Option<&TaskState>) -> Option<Status> {
    match (vm?, task) {
        (VmState::Active, Some(TaskState::UpdatingPassword)) => Some(Status::Password),
        (VmState::Paused, None) => Some(Status::Paused),
        (VmState::Paused, Some(TaskState::Migrating)) => Some(Status::Migrating),
        (VmState::Suspended, None) => Some(Status::Suspended),
        (VmState::Rescued, None) => Some(Status::Rescue),
        (VmState::SoftDelete, None) => Some(Status::SoftDeleted),
        _ => None,
    }
}

/// One overridden pair: `vm_state/task_state=STATUS` on the command line.
///
/// ```
/// use fake_server::domain::Deviation;
/// // Arrange, Act
/// let d: Deviation = "active/resize_prep=RESIZE".parse().unwrap();
/// let n: Deviation = "null/null=ERROR".parse().unwrap();
/// // Assert
/// assert_eq!(d.vm_state.as_deref(), Some("active"));
/// assert_eq!(d.task_state.as_deref(), Some("resize_prep"));
/// assert_eq!(d.status, "RESIZE");
/// assert_eq!(n.vm_state, None);
/// assert_eq!(n.to_string(), "null/null=ERROR");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Deviation {
    /// The vm_state (`None` for null).
    pub vm_state: Option<String>,
    /// The task_state (`None` for null).
    pub task_state: Option<String>,
    /// The status served for this pair instead of the derived one.
    pub status: String,
}

/// Failed to parse a `VM/TASK=STATUS` deviation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "failed to parse deviation `{input}`: expected VM/TASK=STATUS (use `null` for a null state)"
)]
pub struct ParseDeviationError {
    /// The rejected text.
    pub input: String,
}

impl Deviation {
    /// Builds a deviation from optional states and a status.
    pub fn new(vm_state: Option<&str>, task_state: Option<&str>, status: &str) -> Self {
        Deviation {
            vm_state: vm_state.map(str::to_owned),
            task_state: task_state.map(str::to_owned),
            status: status.to_owned(),
        }
    }
}

impl FromStr for Deviation {
    type Err = ParseDeviationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseDeviationError {
            input: s.to_owned(),
        };
        let (pair, status) = s.rsplit_once('=').ok_or_else(err)?;
        let (vm, task) = pair.split_once('/').ok_or_else(err)?;
        if status.is_empty() {
            return Err(err());
        }
        let state = |x: &str| (x != "null").then(|| x.to_owned());
        Ok(Deviation {
            vm_state: state(vm),
            task_state: state(task),
            status: status.to_owned(),
        })
    }
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let vm = self.vm_state.as_deref().unwrap_or("null");
        let task = self.task_state.as_deref().unwrap_or("null");
        write!(f, "{vm}/{task}={}", self.status)
    }
}

/// A profile plus its deviations: the fake's complete derivation rule.
///
/// ```
/// use fake_server::domain::{Deriver, Deviation, Profile, Status, TaskState, VmState};
/// // Arrange
/// let d = Deriver::new(Profile::Ecs, [Deviation::new(Some("active"), Some("resize_prep"), "RESIZE")]);
/// // Act
/// let s = d.derive(Some(&VmState::Active), Some(&TaskState::ResizePrep));
/// // Assert
/// assert_eq!(s, Status::Resize);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Deriver {
    profile: Profile,
    deviations: Vec<Deviation>,
    index: HashMap<(Option<String>, Option<String>), Status>,
}

impl Deriver {
    /// A deriver for `profile` with the given deviations (a later one wins for the same pair).
    pub fn new(profile: Profile, deviations: impl IntoIterator<Item = Deviation>) -> Self {
        let deviations: Vec<Deviation> = deviations.into_iter().collect();
        let index = deviations
            .iter()
            .map(|d| {
                (
                    (d.vm_state.clone(), d.task_state.clone()),
                    Status::from(d.status.as_str()),
                )
            })
            .collect();
        Deriver {
            profile,
            deviations,
            index,
        }
    }

    /// The profile.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The deviations, in the order given.
    pub fn deviations(&self) -> &[Deviation] {
        &self.deviations
    }

    /// The status a server reports: its override when it has one, else the derived one.
    pub fn status_of(&self, s: &Server) -> Status {
        match &s.status_override {
            Some(status) => Status::from(status.as_str()),
            None => self.derive(s.vm_state.as_ref(), s.task_state.as_ref()),
        }
    }

    /// The status served for a pair.
    pub fn derive(&self, vm: Option<&VmState>, task: Option<&TaskState>) -> Status {
        if !self.index.is_empty() {
            let key = (
                vm.map(|v| v.as_str().to_owned()),
                task.map(|t| t.as_str().to_owned()),
            );
            if let Some(status) = self.index.get(&key) {
                return status.clone();
            }
        }
        derive_status(self.profile, vm, task)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOT_IN_ECS_TABLE_3: [&str; 15] = [
        "image_snapshot",
        "image_snapshot_pending",
        "image_pending_upload",
        "image_uploading",
        "image_backup",
        "updating_password",
        "resize_confirming",
        "pausing",
        "unpausing",
        "suspending",
        "resuming",
        "rescuing",
        "unrescuing",
        "soft-deleting",
        "restoring",
    ];

    fn tasks(ecs: bool, extra: &[&str]) -> Vec<Option<TaskState>> {
        let mut out: Vec<Option<TaskState>> = TaskState::KNOWN
            .iter()
            .filter(|t| {
                !ecs || !NOT_IN_ECS_TABLE_3.contains(&t.as_str()) || extra.contains(&t.as_str())
            })
            .cloned()
            .map(Some)
            .collect();
        out.push(None);
        out
    }

    fn listed(profile: Profile, vms: &[VmState], tasks: &[Option<TaskState>]) -> usize {
        vms.iter()
            .flat_map(|vm| tasks.iter().map(move |t| (vm, t)))
            .filter(|(vm, t)| match profile {
                Profile::Ecs => ecs_row(Some(vm), t.as_ref()).is_some(),
                Profile::EcsOpenstack => ecs_row(Some(vm), t.as_ref())
                    .or_else(|| openstack_extra_row(Some(vm), t.as_ref()))
                    .is_some(),
                Profile::Nova => t.as_ref().is_some_and(|t| nova_override(vm, t).is_some()),
            })
            .count()
    }

    #[test]
    fn ecs_table_4_lists_44_pairs_of_its_224() {
        let vms: Vec<VmState> = [
            "building",
            "active",
            "stopped",
            "resized",
            "error",
            "deleted",
            "shelved",
            "shelved_offloaded",
        ]
        .map(VmState::from)
        .to_vec();
        let tasks = tasks(true, &[]);
        assert_eq!(vms.len() * tasks.len(), 224);
        assert_eq!(listed(Profile::Ecs, &vms, &tasks), 44);
    }

    #[test]
    fn ecs_openstack_lists_50_pairs_of_its_348() {
        let tasks = tasks(true, &["updating_password"]);
        assert_eq!(VmState::KNOWN.len() * tasks.len(), 348);
        assert_eq!(listed(Profile::EcsOpenstack, VmState::KNOWN, &tasks), 50);
    }

    #[test]
    fn nova_has_27_overrides() {
        // active 15 + stopped 7 + resized 1 + paused 1 + error 3. The reference page's prose
        // says 25, but its own table (and Nova's `_STATE_MAP`) lists 27.
        assert_eq!(
            listed(Profile::Nova, VmState::KNOWN, &tasks(false, &[])),
            27
        );
    }

    #[test]
    fn derivation_matches_the_reference_for_representative_pairs() {
        type Row<'a> = (&'a str, Profile, Option<&'a str>, Option<&'a str>, Status);
        let rows: &[Row<'_>] = &[
            (
                "nova known vm unlisted task gives default",
                Profile::Nova,
                Some("active"),
                Some("powering-off"),
                Status::Active,
            ),
            (
                "nova stopped resize",
                Profile::Nova,
                Some("stopped"),
                Some("resize_prep"),
                Status::Resize,
            ),
            (
                "nova unknown vm",
                Profile::Nova,
                Some("bogus"),
                None,
                Status::Unknown,
            ),
            (
                "nova null vm",
                Profile::Nova,
                None,
                Some("rebooting"),
                Status::Unknown,
            ),
            (
                "nova upper-case task falls back",
                Profile::Nova,
                Some("active"),
                Some("REBOOTING"),
                Status::Active,
            ),
            (
                "nova resize_confirming is not mapped",
                Profile::Nova,
                Some("resized"),
                Some("resize_confirming"),
                Status::VerifyResize,
            ),
            (
                "ecs active resize is missing",
                Profile::Ecs,
                Some("active"),
                Some("resize_prep"),
                Status::Unknown,
            ),
            (
                "ecs paused is absent",
                Profile::Ecs,
                Some("paused"),
                None,
                Status::Unknown,
            ),
            (
                "ecs shelved shelving",
                Profile::Ecs,
                Some("shelved"),
                Some("shelving"),
                Status::Shelved,
            ),
            (
                "ecs shelved offloading is missing",
                Profile::Ecs,
                Some("shelved"),
                Some("shelving_offloading"),
                Status::Unknown,
            ),
            (
                "ecs deleted with task",
                Profile::Ecs,
                Some("deleted"),
                Some("deleting"),
                Status::Unknown,
            ),
            (
                "ecs-openstack password",
                Profile::EcsOpenstack,
                Some("active"),
                Some("updating_password"),
                Status::Password,
            ),
            (
                "ecs-openstack soft delete",
                Profile::EcsOpenstack,
                Some("soft-delete"),
                None,
                Status::SoftDeleted,
            ),
            (
                "ecs-openstack paused with task",
                Profile::EcsOpenstack,
                Some("paused"),
                Some("unpausing"),
                Status::Unknown,
            ),
        ];
        for (name, profile, vm, task, want) in rows {
            let vm = vm.map(VmState::from);
            let task = task.map(TaskState::from);
            assert_eq!(
                &derive_status(*profile, vm.as_ref(), task.as_ref()),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn a_deviation_overrides_only_its_pair() {
        let d = Deriver::new(
            Profile::Nova,
            ["null/null=ERROR".parse::<Deviation>().unwrap()],
        );
        assert_eq!(d.derive(None, None), Status::Error);
        assert_eq!(d.derive(None, Some(&TaskState::Spawning)), Status::Unknown);
    }

    #[test]
    fn malformed_deviations_are_rejected() {
        for bad in ["active=ACTIVE", "active/null", "active/null=", ""] {
            assert!(bad.parse::<Deviation>().is_err(), "{bad}");
        }
    }
}
