//! Running `harness certify` and `harness verify` from a test: one run's exit code and output,
//! the certify command line, and the failed checks (✘ lines) of a verify. Shared by `certify.rs`
//! and `certify_python.rs`.

use assert_cmd::Command;
use std::path::Path;

/// One finished run of the harness binary.
pub(crate) struct Output {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Output {
    /// Runs `cmd` to its end.
    pub(crate) fn of(cmd: &mut Command) -> Output {
        let out = cmd.output().expect("runs");
        Output {
            code: out.status.code().expect("an exit code"),
            stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
        }
    }
}

pub(crate) fn harness() -> Command {
    Command::cargo_bin("harness").expect("the harness binary")
}

/// `harness ARGS` in `cwd`.
pub(crate) fn run(args: &[&str], cwd: &Path) -> Output {
    Output::of(harness().args(args).current_dir(cwd))
}

/// `harness certify --product PRODUCT.yaml --target TARGET --out OUT` in `cwd`, not yet run
/// (add flags or environment before [`Output::of`]).
pub(crate) fn certify(cwd: &Path, target: &str, out: &str) -> Command {
    let mut cmd = harness();
    cmd.args([
        "certify",
        "--product",
        "PRODUCT.yaml",
        "--target",
        target,
        "--out",
        out,
    ])
    .current_dir(cwd);
    cmd
}

/// The ✘ lines (failed checks) of a verify output.
pub(crate) fn failed_lines(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| l.starts_with('✘')).collect()
}
