//! The adapters the tests drive, as paths: the Rust reference adapter
//! (`examples/reference_adapter.rs`) and the fixture adapters in `tests/fixtures/adapters/`.
//! `cargo test` builds examples before running tests; when only one test target was built, this
//! builds the example once (into the same target directory). Shared by `adapters.rs`,
//! `adapters_v2.rs` and `certify.rs`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The path of `tests/fixtures/adapters/NAME`.
#[allow(dead_code)] // certify.rs drives only the reference adapter
pub(crate) fn fixture(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        "adapters",
        name,
    ]
    .iter()
    .collect();
    path.to_str().expect("UTF-8 path").to_owned()
}

/// The reference adapter binary's path.
pub(crate) fn reference_adapter() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let exe = std::env::current_exe().expect("test executable path");
        // target/<profile>/deps/<test>-<hash> -> target/<profile>/examples/reference_adapter
        let profile_dir = exe.parent().and_then(Path::parent).expect("target dir");
        let path = profile_dir.join("examples").join("reference_adapter");
        if !path.exists() {
            let status = std::process::Command::new(env!("CARGO"))
                .args([
                    "build",
                    "-q",
                    "-p",
                    "harness",
                    "--example",
                    "reference_adapter",
                ])
                .status()
                .expect("cargo build --example reference_adapter");
            assert!(status.success(), "building the reference adapter failed");
        }
        path.to_str().expect("UTF-8 path").to_owned()
    })
}
