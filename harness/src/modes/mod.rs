//! Runs against a real cloud, where the harness cannot inject states: it reads what is there.
//!
//! [`run_cloud`] (`run.rs`) is a whole cloud run: it loads the cloud's configuration and
//! connects through [`client`](crate::client), then runs observe mode ([`observe_cloud`],
//! `observe.rs`: every server read page by page and folded as it arrives, Nova's
//! [`StatusFilter`] checked for each status seen against a compact index of the walk,
//! `walk_index.rs` and `filter_check.rs`) and,
//! when asked, [`lifecycle`] mode (scratch servers driven through every action, then deleted by
//! their tag). Every verdict comes from the [`judge`](crate::judge).

mod filter_check;
pub mod lifecycle;
mod observe;
mod run;
mod status_filter;
mod walk_index;

pub use observe::{CloudObservation, UNKNOWN_STATUS, observe_cloud, scope_query};
pub use run::{CloudRunError, CloudRunOptions, run_cloud};
pub use status_filter::StatusFilter;
