//! The tokio runtime each Rust adapter drives its async SDK with. Included like `protocol.rs`:
//! `#[path = "../../rust-common/runtime.rs"] mod runtime;` (needs `tokio` with `rt`).

/// A current-thread runtime with I/O and timers; an adapter that cannot start one says so on
/// stderr (`ADAPTER: cannot start a tokio runtime: …`) and exits 2 (infrastructure).
pub fn current_thread(adapter: &str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| {
            eprintln!("{adapter}: cannot start a tokio runtime: {e}");
            std::process::exit(2);
        })
}
