//! Tests of `harness::cloud`: configuration files and variables, Keystone auth, the compute
//! client and secret hygiene, against wiremock servers on 127.0.0.1.

#[path = "cloud/compute.rs"]
mod compute;
#[path = "cloud/config.rs"]
mod config;
#[path = "cloud/fake.rs"]
mod fake;
#[path = "cloud/keystone.rs"]
mod keystone;
#[path = "cloud/secrets.rs"]
mod secrets;

use harness::cloud::ConfigSources;
use std::path::{Path, PathBuf};

/// A fixture file under `tests/fixtures/clouds/`.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/clouds")
        .join(name)
}

/// Sources with the given variables, plus a `HOME` and current directory in `dir` that hold no
/// configuration, so the machine's own files never leak into a test.
fn sources_in(dir: &Path, vars: &[(&str, &str)]) -> ConfigSources {
    let home = dir.join("home");
    let cwd = dir.join("cwd");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&cwd).unwrap();
    let mut env: Vec<(String, String)> = vec![
        ("HOME".into(), home.display().to_string()),
        (
            "XDG_CONFIG_DIRS".into(),
            dir.join("xdg").display().to_string(),
        ),
    ];
    env.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    ConfigSources::new(env, cwd)
}
