//! Report writers. Each sees only the finished [`RunReport`].
//!
//! One file per format: [`junit`] (`junit.xml`), [`json`] (`results.json`), [`markdown`]
//! (`summary.md`) and [`html`] (`index.html`). [`write_all`] writes all four into the report
//! directory; [`terminal_summary`] is the text the CLI prints at the end. Shared counting and
//! the run's verdict come from the [`judge`](crate::judge) ([`Counts`], [`Verdict`]).

pub mod html;
mod html_kinds;
mod html_style;
pub mod json;
pub mod junit;
pub mod markdown;
mod model;
mod summary;
mod terminal;
#[doc(hidden)]
pub mod testing;
mod timeline;
mod write;

pub use crate::judge::{Counts, Verdict};
pub use html_kinds::timeline_svg;
pub use model::{Compatibility, Implementation, ProfileRun, RunReport, RunScope};
pub use terminal::terminal_summary;
pub use timeline::{Poll, WaitTimeline};
pub use write::{
    HTML_FILE, JUNIT_FILE, RESULTS_FILE, SUMMARY_FILE, WriteReportError, WrittenReports, write_all,
};
