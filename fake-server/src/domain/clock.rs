//! The fake's clock: real time, or a manual clock advanced by the control plane.

use std::time::Instant;

/// Where the fake's notion of "now" comes from.
///
/// Every lifecycle step lasts a fixed number of clock milliseconds, so a manual clock makes
/// action walks fully deterministic.
///
/// ```
/// use fake_server::domain::Clock;
/// // Arrange
/// let mut clock = Clock::manual();
/// // Act
/// let now = clock.advance(1500).unwrap();
/// // Assert
/// assert_eq!(now, 1500);
/// assert_eq!(clock.now_ms(), 1500);
/// assert!(Clock::real().advance(1).is_err());
/// ```
#[derive(Debug, Clone)]
pub enum Clock {
    /// Milliseconds since the clock was created (or reset).
    Real {
        /// The origin.
        origin: Instant,
    },
    /// Milliseconds advanced so far by hand.
    Manual {
        /// The current time.
        now_ms: u64,
    },
}

/// Failed to advance the clock because it follows real time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to advance the clock: it follows real time (start with --manual-clock)")]
pub struct AdvanceClockError;

impl Clock {
    /// A clock following real time.
    pub fn real() -> Self {
        Clock::Real {
            origin: Instant::now(),
        }
    }

    /// A manual clock at 0.
    pub fn manual() -> Self {
        Clock::Manual { now_ms: 0 }
    }

    /// Whether this is a manual clock.
    pub fn is_manual(&self) -> bool {
        matches!(self, Clock::Manual { .. })
    }

    /// The current time in milliseconds.
    pub fn now_ms(&self) -> u64 {
        match self {
            Clock::Real { origin } => {
                u64::try_from(origin.elapsed().as_millis()).unwrap_or(u64::MAX)
            }
            Clock::Manual { now_ms } => *now_ms,
        }
    }

    /// Advances a manual clock; returns the new time.
    pub fn advance(&mut self, ms: u64) -> Result<u64, AdvanceClockError> {
        match self {
            Clock::Real { .. } => Err(AdvanceClockError),
            Clock::Manual { now_ms } => {
                *now_ms = now_ms.saturating_add(ms);
                Ok(*now_ms)
            }
        }
    }

    /// Back to the start (0 for a manual clock, now for a real one).
    pub fn reset(&mut self) {
        *self = if self.is_manual() {
            Clock::manual()
        } else {
            Clock::real()
        };
    }
}
