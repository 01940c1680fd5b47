//! Errors of the adapter protocol, one variant per protocol step (bowtie's `exceptions.py`).

use std::time::Duration;

/// Starting or stopping an adapter failed: the run cannot go on with it.
///
/// Failures *during a case* are not errors but [`Observation::Errored`](crate::outcome::Observation)
/// outcomes; this type is for the steps around the cases (spawn, handshake, stop).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The adapter process could not be started (empty command, not found, not executable).
    #[error("failed to spawn adapter `{command}`")]
    Spawn {
        /// The command as given.
        command: String,
        /// Why the operating system refused.
        #[source]
        source: std::io::Error,
    },
    /// The adapter answered `start` with something that is not a handshake answer.
    #[error("failed to complete the handshake with adapter `{command}`: {reason}")]
    Handshake {
        /// The command as given.
        command: String,
        /// What was wrong, in one line.
        reason: String,
        /// What the adapter wrote on stderr.
        stderr: String,
    },
    /// The adapter speaks another protocol version.
    #[error(
        "failed to agree on a protocol version with adapter `{command}`: it speaks version {got}, the harness speaks version {expected} (and still accepts 1)"
    )]
    VersionMismatch {
        /// The command as given.
        command: String,
        /// The version the harness speaks.
        expected: u32,
        /// The version the adapter answered (as JSON).
        got: String,
    },
    /// The adapter wrote a line that is not JSON where a protocol message was due.
    #[error("failed to read adapter `{command}`: {reason}")]
    Protocol {
        /// The command as given.
        command: String,
        /// What was wrong, in one line.
        reason: String,
        /// What the adapter wrote on stderr.
        stderr: String,
    },
    /// The adapter answered with JSON that is not a valid message for the step.
    #[error("failed to understand adapter `{command}` during {step}: {reason}")]
    InvalidResponse {
        /// The command as given.
        command: String,
        /// The protocol step (`start`, `stop`).
        step: &'static str,
        /// What was wrong, in one line.
        reason: String,
        /// What the adapter wrote on stderr.
        stderr: String,
    },
    /// The adapter did not answer (or exit) in time, and was killed.
    #[error("failed to hear from adapter `{command}` during {step} within {after:?}")]
    Timeout {
        /// The command as given.
        command: String,
        /// The protocol step (`start`, `stop`).
        step: &'static str,
        /// The timeout that expired.
        after: Duration,
        /// What the adapter wrote on stderr.
        stderr: String,
    },
    /// The adapter exited when it should not have (or not with status 0 on `stop`).
    #[error("failed to keep adapter `{command}` running during {step}: it exited ({status})")]
    Crashed {
        /// The command as given.
        command: String,
        /// The protocol step (`start`, `stop`).
        step: &'static str,
        /// How it exited, e.g. `exit status: 3`.
        status: String,
        /// What the adapter wrote on stderr.
        stderr: String,
    },
}

impl TargetError {
    /// What the adapter wrote on stderr before the error, if anything was captured.
    ///
    /// ```
    /// use harness::target::adapter::TargetError;
    ///
    /// // Arrange
    /// let err = TargetError::VersionMismatch { command: "x".into(), expected: 1, got: "2".into() };
    ///
    /// // Act / Assert
    /// assert_eq!(err.stderr(), None);
    /// ```
    pub fn stderr(&self) -> Option<&str> {
        match self {
            TargetError::Spawn { .. } | TargetError::VersionMismatch { .. } => None,
            TargetError::Handshake { stderr, .. }
            | TargetError::Protocol { stderr, .. }
            | TargetError::InvalidResponse { stderr, .. }
            | TargetError::Timeout { stderr, .. }
            | TargetError::Crashed { stderr, .. } => {
                Some(stderr.as_str()).filter(|s| !s.is_empty())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_step_and_the_command() {
        let rows = [
            (
                TargetError::Crashed {
                    command: "a/run".into(),
                    step: "start",
                    status: "exit status: 3".into(),
                    stderr: String::new(),
                },
                "failed to keep adapter `a/run` running during start: it exited (exit status: 3)",
            ),
            (
                TargetError::Timeout {
                    command: "a/run".into(),
                    step: "stop",
                    after: Duration::from_millis(1500),
                    stderr: "x".into(),
                },
                "failed to hear from adapter `a/run` during stop within 1.5s",
            ),
            (
                TargetError::VersionMismatch {
                    command: "a/run".into(),
                    expected: 2,
                    got: "3".into(),
                },
                "failed to agree on a protocol version with adapter `a/run`: it speaks version 3, the harness speaks version 2 (and still accepts 1)",
            ),
        ];
        for (err, want) in rows {
            assert_eq!(err.to_string(), want);
        }
    }

    #[test]
    fn empty_stderr_is_reported_as_none() {
        let err = TargetError::Handshake {
            command: "a".into(),
            reason: "r".into(),
            stderr: String::new(),
        };
        assert_eq!(err.stderr(), None);
    }
}
