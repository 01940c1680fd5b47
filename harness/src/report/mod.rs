//! Report writers. Each sees only the finished [`RunReport`].

mod model;

pub use model::{Compatibility, Implementation, ProfileRun, RunReport};
