//! The judge: every verdict of the harness is decided here, and only here.
//!
//! Whatever produced an observation (the embedded fake, a URL with the fake's control plane, an
//! SDK adapter, observe mode reading a cloud, lifecycle mode driving one), the judge turns
//! *(case or observation, expected status, what each view showed)* into an
//! [`Outcome`](crate::outcome::Outcome):
//!
//! * [`judge`]: a seeded case against what `GET /servers/{id}`, `/servers/detail` or an adapter
//!   showed (`case.rs`);
//! * [`judge_observed`]: the servers observe mode read from a cloud, grouped by pair
//!   (`observed.rs`), or folded as they arrive into an [`ObservedTally`] (`tally.rs`);
//! * [`judge_step`]: one lifecycle step (`lifecycle.rs`);
//! * [`CheckResult::to_case`]: a profile-independent check such as `?status=REBOOT`
//!   (`check.rs`).
//!
//! * [`kinds`]: the adapter kinds of protocol v2: proven fetches, `surface`, `list` and `wait`
//!   (`kinds.rs`).
//!
//! From those results alone it derives which profiles the target conforms to
//! ([`compatibility`], [`run_compatibility`], `compat.rs`) and the run's [`Verdict`] and exit
//! code ([`Judgement`], `verdict.rs`).

mod case;
mod check;
mod compat;
pub mod kinds;
mod lifecycle;
mod observed;
mod tally;
mod verdict;

pub use case::judge;
pub use check::CheckResult;
pub use compat::{compatibility, run_compatibility};
pub use lifecycle::judge_step;
pub use observed::{NOT_OBSERVED, ObservedServer, judge_observed};
pub use tally::{MAX_EXAMPLE_IDS, ObservedTally};
pub use verdict::{Counts, Coverage, Judgement, Verdict};
