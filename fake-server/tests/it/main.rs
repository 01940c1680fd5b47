//! Black-box tests of the fake through its real HTTP edges (both engines).

mod bulk;
mod control;
mod derivation;
mod filters;
mod identity;
mod lifecycle;
mod list_order;
mod listing;
mod nova_behaviour;
mod support;
mod timeline;
mod validation;
