//! Tests of `harness::client`: configuration files and variables, Keystone auth, the compute
//! client and secret hygiene, against wiremock servers on 127.0.0.1.

#[path = "client/compute.rs"]
mod compute;
#[path = "client/config.rs"]
mod config;
#[path = "client/fake.rs"]
mod fake;
#[path = "client/keystone.rs"]
mod keystone;
#[path = "client/secrets.rs"]
mod secrets;

use harness::client::{CloudRequest, CloudSession, ConfigSources, SessionOptions, load_cloud};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// A connected session for the cloud the `OS_*` variables `vars` describe, with `OS_AUTH_URL`
/// set to `{base}/identity/v3` (default request and session options).
async fn env_session(base: &str, vars: &[(&str, &str)]) -> Arc<CloudSession> {
    let dir = tempfile::tempdir().unwrap();
    let auth_url = format!("{base}/identity/v3");
    let mut all = vec![("OS_AUTH_URL", auth_url.as_str())];
    all.extend_from_slice(vars);
    let cloud = load_cloud(&CloudRequest::default(), &sources_in(dir.path(), &all)).unwrap();
    Arc::new(
        CloudSession::connect(cloud, SessionOptions::default())
            .await
            .unwrap(),
    )
}
