//! Every case of every profile against the embedded fake, one named test per case id.
//!
//! `cargo test -p harness --test conformance -- ecs/active` runs the cases whose id contains
//! `ecs/active`. The cases come from `cases/profiles/*.json` through the harness library; the
//! fake derives status with its own, independent code, so this cross-checks two encodings of the
//! seeds. All cases run through the real HTTP edge in one batch (about a second), then each
//! trial reports its own verdict.

use harness::case::builtin_profiles;
use harness::outcome::Outcome;
use harness::runner::{RunOptions, Runner};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let options = RunOptions {
        profiles: builtin_profiles(),
        ..RunOptions::default()
    };
    let report = runtime
        .block_on(Runner::new(options).execute(|_| {}))
        .expect("the run against the embedded fake starts");
    let trials = report
        .cases
        .into_iter()
        .map(|r| {
            let name = r.case.id.to_string();
            let kind = r.case.group.as_str();
            Trial::test(name, move || match r.outcome {
                Outcome::Pass => Ok(()),
                other => Err(Failed::from(format!(
                    "{}: {} ({})",
                    other.as_str(),
                    r.detail.unwrap_or_default(),
                    r.case.display_name()
                ))),
            })
            .with_kind(kind)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
