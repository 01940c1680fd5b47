//! Where observations come from: the embedded fake, an HTTP target, an SDK adapter.

pub mod adapter;
