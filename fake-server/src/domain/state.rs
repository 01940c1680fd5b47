//! The three state vocabularies: `vm_state`, `task_state` and `status`.
//!
//! Wire spellings live only here (`as_str` / `FromStr`). An unknown string becomes an explicit
//! `Unrecognized` variant rather than a parse failure, because invalid pairs are test data.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// Any other string, kept verbatim (including `""` and upper-case spellings).
            Unrecognized(String),
        }

        impl $name {
            /// Every recognised value, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling, exactly as stored and echoed.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Unrecognized(other) => other,
                }
            }

            /// Whether this value is one of the recognised ones.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unrecognized(_))
            }
        }

        impl FromStr for $name {
            type Err = Infallible;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(match s {
                    $($wire => $name::$variant,)+
                    other => $name::Unrecognized(other.to_owned()),
                })
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s.parse() {
                    Ok(v) => v,
                    Err(never) => match never {},
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// Nova's `vm_state` (the stable state of an instance).
    ///
    /// ```
    /// use fake_server::domain::VmState;
    /// // Arrange, Act
    /// let soft: VmState = "soft-delete".into();
    /// let odd: VmState = "ACTIVE".into();
    /// // Assert
    /// assert_eq!(soft, VmState::SoftDelete);
    /// assert_eq!(odd, VmState::Unrecognized("ACTIVE".to_owned()));
    /// ```
    VmState {
        /// `active`
        Active => "active",
        /// `building`
        Building => "building",
        /// `paused`
        Paused => "paused",
        /// `suspended`
        Suspended => "suspended",
        /// `stopped`
        Stopped => "stopped",
        /// `rescued`
        Rescued => "rescued",
        /// `resized`
        Resized => "resized",
        /// `soft-delete` (with a hyphen)
        SoftDelete => "soft-delete",
        /// `deleted`
        Deleted => "deleted",
        /// `error`
        Error => "error",
        /// `shelved`
        Shelved => "shelved",
        /// `shelved_offloaded`
        ShelvedOffloaded => "shelved_offloaded",
    }
}

vocabulary! {
    /// Nova's `task_state` (the transition in progress, if any).
    ///
    /// ```
    /// use fake_server::domain::TaskState;
    /// assert_eq!(TaskState::from("powering-off"), TaskState::PoweringOff);
    /// assert_eq!(TaskState::PoweringOff.as_str(), "powering-off");
    /// ```
    TaskState {
        /// `scheduling`
        Scheduling => "scheduling",
        /// `block_device_mapping`
        BlockDeviceMapping => "block_device_mapping",
        /// `networking`
        Networking => "networking",
        /// `spawning`
        Spawning => "spawning",
        /// `image_snapshot`
        ImageSnapshot => "image_snapshot",
        /// `image_snapshot_pending`
        ImageSnapshotPending => "image_snapshot_pending",
        /// `image_pending_upload`
        ImagePendingUpload => "image_pending_upload",
        /// `image_uploading`
        ImageUploading => "image_uploading",
        /// `image_backup`
        ImageBackup => "image_backup",
        /// `updating_password`
        UpdatingPassword => "updating_password",
        /// `resize_prep`
        ResizePrep => "resize_prep",
        /// `resize_migrating`
        ResizeMigrating => "resize_migrating",
        /// `resize_migrated`
        ResizeMigrated => "resize_migrated",
        /// `resize_finish`
        ResizeFinish => "resize_finish",
        /// `resize_reverting`
        ResizeReverting => "resize_reverting",
        /// `resize_confirming`
        ResizeConfirming => "resize_confirming",
        /// `rebooting`
        Rebooting => "rebooting",
        /// `reboot_pending`
        RebootPending => "reboot_pending",
        /// `reboot_started`
        RebootStarted => "reboot_started",
        /// `rebooting_hard`
        RebootingHard => "rebooting_hard",
        /// `reboot_pending_hard`
        RebootPendingHard => "reboot_pending_hard",
        /// `reboot_started_hard`
        RebootStartedHard => "reboot_started_hard",
        /// `pausing`
        Pausing => "pausing",
        /// `unpausing`
        Unpausing => "unpausing",
        /// `suspending`
        Suspending => "suspending",
        /// `resuming`
        Resuming => "resuming",
        /// `powering-off` (with a hyphen)
        PoweringOff => "powering-off",
        /// `powering-on` (with a hyphen)
        PoweringOn => "powering-on",
        /// `rescuing`
        Rescuing => "rescuing",
        /// `unrescuing`
        Unrescuing => "unrescuing",
        /// `rebuilding`
        Rebuilding => "rebuilding",
        /// `rebuild_block_device_mapping`
        RebuildBlockDeviceMapping => "rebuild_block_device_mapping",
        /// `rebuild_spawning`
        RebuildSpawning => "rebuild_spawning",
        /// `migrating`
        Migrating => "migrating",
        /// `deleting`
        Deleting => "deleting",
        /// `soft-deleting` (with a hyphen)
        SoftDeleting => "soft-deleting",
        /// `restoring`
        Restoring => "restoring",
        /// `shelving`
        Shelving => "shelving",
        /// `shelving_image_pending_upload`
        ShelvingImagePendingUpload => "shelving_image_pending_upload",
        /// `shelving_image_uploading`
        ShelvingImageUploading => "shelving_image_uploading",
        /// `shelving_offloading`
        ShelvingOffloading => "shelving_offloading",
        /// `unshelving`
        Unshelving => "unshelving",
    }
}

vocabulary! {
    /// The API-visible server `status` (Nova's 20-value enum).
    ///
    /// A deviation may name any other string; it is kept as `Unrecognized`.
    ///
    /// ```
    /// use fake_server::domain::Status;
    /// assert_eq!(Status::from("VERIFY_RESIZE"), Status::VerifyResize);
    /// assert_eq!(Status::SoftDeleted.as_str(), "SOFT_DELETED");
    /// ```
    Status {
        /// `ACTIVE`
        Active => "ACTIVE",
        /// `BUILD`
        Build => "BUILD",
        /// `DELETED`
        Deleted => "DELETED",
        /// `ERROR`
        Error => "ERROR",
        /// `HARD_REBOOT`
        HardReboot => "HARD_REBOOT",
        /// `MIGRATING`
        Migrating => "MIGRATING",
        /// `PASSWORD`
        Password => "PASSWORD",
        /// `PAUSED`
        Paused => "PAUSED",
        /// `REBOOT`
        Reboot => "REBOOT",
        /// `REBUILD`
        Rebuild => "REBUILD",
        /// `RESCUE`
        Rescue => "RESCUE",
        /// `RESIZE`
        Resize => "RESIZE",
        /// `REVERT_RESIZE`
        RevertResize => "REVERT_RESIZE",
        /// `SHELVED`
        Shelved => "SHELVED",
        /// `SHELVED_OFFLOADED`
        ShelvedOffloaded => "SHELVED_OFFLOADED",
        /// `SHUTOFF`
        Shutoff => "SHUTOFF",
        /// `SOFT_DELETED`
        SoftDeleted => "SOFT_DELETED",
        /// `SUSPENDED`
        Suspended => "SUSPENDED",
        /// `UNKNOWN`
        Unknown => "UNKNOWN",
        /// `VERIFY_RESIZE`
        VerifyResize => "VERIFY_RESIZE",
    }
}

/// Nova's power state codes (`OS-EXT-STS:power_state`).
pub mod power {
    /// `NOSTATE` (Nova's "pending").
    pub const NOSTATE: i64 = 0;
    /// `RUNNING`.
    pub const RUNNING: i64 = 1;
    /// `PAUSED`.
    pub const PAUSED: i64 = 3;
    /// `SHUTDOWN`.
    pub const SHUTDOWN: i64 = 4;
    /// `CRASHED`.
    pub const CRASHED: i64 = 6;
    /// `SUSPENDED`.
    pub const SUSPENDED: i64 = 7;
}

impl VmState {
    /// The power state consistent with this vm_state (what a healthy hypervisor reports).
    ///
    /// ```
    /// use fake_server::domain::{VmState, power};
    /// assert_eq!(VmState::Stopped.consistent_power_state(), power::SHUTDOWN);
    /// assert_eq!(VmState::Paused.consistent_power_state(), power::PAUSED);
    /// ```
    pub fn consistent_power_state(&self) -> i64 {
        match self {
            VmState::Active | VmState::Rescued | VmState::Resized => power::RUNNING,
            VmState::Paused => power::PAUSED,
            VmState::Suspended => power::SUSPENDED,
            // Nova records the driver's SHUTDOWN when it offloads a shelved server.
            VmState::Stopped
            | VmState::SoftDelete
            | VmState::Shelved
            | VmState::ShelvedOffloaded => power::SHUTDOWN,
            VmState::Building | VmState::Deleted | VmState::Error | VmState::Unrecognized(_) => {
                power::NOSTATE
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_value_round_trips_through_its_wire_spelling() {
        for v in VmState::KNOWN {
            assert_eq!(&VmState::from(v.as_str()), v);
        }
        for t in TaskState::KNOWN {
            assert_eq!(&TaskState::from(t.as_str()), t);
        }
        for s in Status::KNOWN {
            assert_eq!(&Status::from(s.as_str()), s);
        }
    }

    #[test]
    fn vocabularies_have_novas_sizes() {
        assert_eq!(VmState::KNOWN.len(), 12);
        assert_eq!(TaskState::KNOWN.len(), 42);
        assert_eq!(Status::KNOWN.len(), 20);
    }

    #[test]
    fn matching_is_case_sensitive() {
        assert!(!TaskState::from("REBOOTING").is_known());
        assert!(!VmState::from("").is_known());
    }
}
