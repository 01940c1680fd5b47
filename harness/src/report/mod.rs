//! Report writers. Each sees only the finished [`RunReport`].
//!
//! One file per format: [`junit`] (`junit.xml`), [`json`] (`results.json`). Shared counting
//! and the run's verdict live in [`Counts`] and [`Verdict`].

pub mod json;
pub mod junit;
mod model;
mod summary;
#[doc(hidden)]
pub mod testing;

pub use model::{Compatibility, Implementation, ProfileRun, RunReport};
pub use summary::{Counts, Verdict};
