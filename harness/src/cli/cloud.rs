//! Flags and dispatch for runs against real clouds (observe and lifecycle mode).

use clap::Args;
use harness::case::Profile;
use harness::client::{
    CloudRequest, ComputeOptions, ConfigSources, Microversion, Secret, SessionOptions,
};
use harness::modes::CloudRunOptions;
use harness::modes::lifecycle::{LifecycleOptions, ResourceChoice, new_run_id};
use harness::target::TargetSpec;
use std::path::PathBuf;
use std::time::Duration;

/// How to reach and authenticate against a cloud (shared by `run` and `cleanup`).
#[derive(Debug, Args, Clone)]
pub(crate) struct ConnectArgs {
    /// Cloud to use from clouds.yaml (OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack/,
    /// /etc/openstack/, plus secure.yaml); selects observe mode.
    #[arg(long, value_name = "NAME", env = "OS_CLOUD")]
    pub(crate) os_cloud: Option<String>,

    /// Region of the compute endpoint in the catalog.
    #[arg(long, value_name = "REGION")]
    pub(crate) os_region_name: Option<String>,

    /// Catalog interface: public (default), internal or admin.
    #[arg(long, value_name = "INTERFACE")]
    pub(crate) os_interface: Option<String>,

    /// A Keystone token to use with --target URL as the compute endpoint (or OS_TOKEN). Never
    /// printed.
    #[arg(long, value_name = "TOKEN", hide_env_values = true)]
    pub(crate) token: Option<String>,

    /// CA bundle for TLS verification (private CAs).
    #[arg(long, value_name = "PATH")]
    pub(crate) cacert: Option<PathBuf>,

    /// Do not verify TLS certificates; every report then carries a warning.
    #[arg(long)]
    pub(crate) insecure: bool,

    /// Use exactly this compute microversion (default: the highest both sides support).
    #[arg(long, value_name = "X.Y")]
    pub(crate) microversion: Option<Microversion>,

    /// At most this many compute requests per second.
    #[arg(long, value_name = "N")]
    pub(crate) max_rps: Option<f64>,
}

/// Observe and lifecycle flags of `harness run`.
#[derive(Debug, Args, Clone)]
pub(crate) struct CloudArgs {
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,

    /// List the servers of every project (`all_tenants=1`; needs the admin role).
    #[arg(long)]
    pub(crate) all_projects: bool,

    /// Lifecycle mode: create scratch servers and drive them through every action (needs
    /// --allow-mutations).
    #[arg(long)]
    pub(crate) lifecycle: bool,

    /// Allow lifecycle mode to create, change and delete its own (tagged) servers.
    #[arg(long)]
    pub(crate) allow_mutations: bool,

    /// Flavor (id or name) of the scratch servers (default: the smallest).
    #[arg(long, value_name = "FLAVOR")]
    pub(crate) flavor: Option<String>,

    /// Flavor to resize to (default: the next larger one).
    #[arg(long, value_name = "FLAVOR")]
    pub(crate) resize_flavor: Option<String>,

    /// Image id of the scratch servers (default: the smallest bootable active image).
    #[arg(long, value_name = "IMAGE")]
    pub(crate) image: Option<String>,

    /// Network uuid to attach (default: networks "none" from 2.37).
    #[arg(long, value_name = "UUID")]
    pub(crate) network: Option<String>,

    /// Interval between polls of a scratch server, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 250, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) poll_ms: u64,

    /// Deadline of each lifecycle step (and of each server's cleanup), in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 600.0)]
    pub(crate) step_timeout: f64,
}

impl ConnectArgs {
    /// The cloud request; `target` is the endpoint override when it is a URL.
    pub(crate) fn request(&self, target: Option<&TargetSpec>) -> CloudRequest {
        CloudRequest {
            cloud: self.os_cloud.clone(),
            region_name: self.os_region_name.clone(),
            interface: self.os_interface.clone(),
            cacert: self.cacert.clone(),
            insecure: self.insecure,
            token: self.token.clone().map(Secret::new),
            endpoint_override: match target {
                Some(TargetSpec::Url(u)) => Some(u.clone()),
                _ => None,
            },
        }
    }

    pub(crate) fn compute(&self, timeout: Duration) -> ComputeOptions {
        ComputeOptions {
            microversion: self.microversion,
            max_rps: self.max_rps,
            request_timeout: timeout,
            ..ComputeOptions::default()
        }
    }

    /// Whether credentials for a cloud are given: `--os-cloud`/OS_CLOUD, or `--token`/OS_TOKEN.
    pub(crate) fn has_credentials(&self) -> bool {
        self.os_cloud.is_some() || self.token.is_some() || env_set("OS_TOKEN")
    }
}

fn env_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty())
}

/// Where `harness run` goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The runner's control-plane, fake or adapter path.
    Runner(TargetSpec),
    /// Observe (and maybe lifecycle) against a cloud.
    Cloud,
}

/// Decides the mode: `--os-cloud`/OS_CLOUD, or a token with `--target URL`, or OS_AUTH_URL
/// without `--target` → cloud; `--target URL` without credentials → the control-plane path
/// (which falls back to the cloud when OS_AUTH_URL is set and the URL has no control plane).
pub(crate) fn mode(target: Option<&TargetSpec>, args: &CloudArgs) -> Result<Mode, String> {
    let c = &args.connect;
    let cloud = match target {
        Some(TargetSpec::Adapter(_)) if c.os_cloud.is_some() || c.token.is_some() => {
            return Err(
                "--os-cloud and --token cannot be combined with --target adapter:CMD".into(),
            );
        }
        Some(TargetSpec::Adapter(_)) | Some(TargetSpec::Fake) => false,
        Some(TargetSpec::Url(_)) => c.has_credentials(),
        None => c.os_cloud.is_some() || env_set("OS_AUTH_URL"),
    };
    if args.lifecycle && !args.allow_mutations {
        return Err(
            "--lifecycle creates, changes and deletes servers on the target: add \
                    --allow-mutations to allow it"
                .into(),
        );
    }
    if args.lifecycle && !cloud {
        return Err(
            "--lifecycle needs a cloud: give --os-cloud NAME (or OS_* variables, or \
                    --target URL with --token)"
                .into(),
        );
    }
    if !(args.step_timeout > 0.0 && args.step_timeout.is_finite()) {
        return Err("--step-timeout must be a positive number of seconds".into());
    }
    Ok(if cloud {
        Mode::Cloud
    } else {
        Mode::Runner(target.cloned().unwrap_or(TargetSpec::Fake))
    })
}

/// Whether a `--target URL` run without a control plane should become an observe run.
pub(crate) fn fallback_to_cloud() -> bool {
    env_set("OS_AUTH_URL") || env_set("OS_CLOUD")
}

/// The options of a cloud run.
pub(crate) fn options(
    args: &CloudArgs,
    target: Option<&TargetSpec>,
    profiles: Vec<Profile>,
    timeout: Duration,
) -> CloudRunOptions {
    CloudRunOptions {
        request: args.connect.request(target),
        sources: ConfigSources::from_process(),
        profiles,
        compute: args.connect.compute(timeout),
        session: SessionOptions {
            request_timeout: timeout,
            ..SessionOptions::default()
        },
        all_projects: args.all_projects,
        lifecycle: args.lifecycle.then(|| LifecycleOptions {
            run_id: new_run_id(),
            poll: Duration::from_millis(args.poll_ms),
            step_timeout: Duration::from_secs_f64(args.step_timeout),
            resources: ResourceChoice {
                flavor: args.flavor.clone(),
                resize_flavor: args.resize_flavor.clone(),
                image: args.image.clone(),
                network: args.network.clone(),
            },
        }),
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
