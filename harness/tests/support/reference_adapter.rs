//! The adapters the tests drive, as paths: the Rust reference adapter
//! (`examples/reference_adapter.rs`) and the fixture adapters in `tests/fixtures/adapters/`.
//! `cargo test` builds examples before running tests, but `cargo test --test NAME` does not, so a
//! binary left from an older checkout would be driven; this therefore asks cargo to build the
//! example once per test process (a no-op when it is fresh, into the same target directory and
//! profile). Shared by `adapters.rs`, `adapters_v2.rs` and `certify.rs`.

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
        let mut build = std::process::Command::new(env!("CARGO"));
        build.args([
            "build",
            "-q",
            "-p",
            "harness",
            "--example",
            "reference_adapter",
        ]);
        if profile_dir
            .file_name()
            .is_some_and(|name| name == "release")
        {
            build.arg("--release");
        }
        let status = build
            .status()
            .expect("cargo build --example reference_adapter");
        assert!(status.success(), "building the reference adapter failed");
        assert!(path.exists(), "cargo built no {}", path.display());
        path.to_str().expect("UTF-8 path").to_owned()
    })
}
