//! Command-line arguments of the `fake-server` binary.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use fake_server::api::UsersFile;
use fake_server::{Deviation, Engine, FakeServerBuilder, Profile};

/// A fake OpenStack Nova / Huawei ECS compute API with a control plane.
#[derive(Debug, Parser)]
#[command(version, about)]
pub(crate) struct Cli {
    /// Address to listen on (loopback unless given explicitly).
    #[arg(long, default_value = "127.0.0.1:8774")]
    listen: SocketAddr,
    /// Status derivation profile: ecs, ecs-openstack or nova.
    #[arg(long, default_value = "ecs-openstack")]
    profile: Profile,
    /// Override one pair: VM/TASK=STATUS (`null` for a null state). Repeatable.
    #[arg(long = "deviation", value_name = "VM/TASK=STATUS")]
    deviations: Vec<Deviation>,
    /// Length of each lifecycle task step, in milliseconds of clock time.
    #[arg(long, default_value_t = 500)]
    step_ms: u64,
    /// Use a manual clock, advanced with POST /_fake/clock.
    #[arg(long)]
    manual_clock: bool,
    /// Do not serve the /_fake/ control plane.
    #[arg(long)]
    no_control: bool,
    /// Token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl: u64,
    /// Make DELETE soft-delete servers, reclaiming them after S seconds of clock time.
    #[arg(long, value_name = "S")]
    reclaim_interval: Option<u64>,
    /// Accept only the users in this JSON file: {"users": [{"name", "password", "project"?, "roles"?}]}.
    #[arg(long, value_name = "FILE")]
    users: Option<PathBuf>,
    /// HTTP engine: hyper (default; no per-request retention) or wiremock.
    #[arg(long, default_value = "hyper")]
    engine: Engine,
    /// Requests the journal (GET /_fake/journal) keeps before dropping the oldest.
    #[arg(long, value_name = "N", default_value_t = fake_server::api::DEFAULT_JOURNAL_CAPACITY)]
    journal_capacity: usize,
    /// Render every server body afresh (no reuse of unchanged bodies); for measurements.
    #[arg(long)]
    no_render_cache: bool,
}

impl Cli {
    pub(crate) fn builder(&self) -> anyhow::Result<FakeServerBuilder> {
        let mut b = fake_server::FakeServer::builder()
            .listen(self.listen)
            .profile(self.profile)
            .deviations(self.deviations.clone())
            .step(Duration::from_millis(self.step_ms))
            .manual_clock(self.manual_clock)
            .control(!self.no_control)
            .token_ttl(Duration::from_secs(self.token_ttl))
            .engine(self.engine)
            .render_cache(!self.no_render_cache)
            .journal_capacity(self.journal_capacity);
        if let Some(s) = self.reclaim_interval {
            b = b.reclaim_interval(Duration::from_secs(s));
        }
        if let Some(path) = &self.users {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("failed to read {}", path.display()))?;
            let file: UsersFile = serde_json::from_str(&text)
                .with_context(|| format!("failed to parse {}", path.display()))?;
            b = b.users(file.users);
        }
        Ok(b)
    }

    pub(crate) fn control(&self) -> bool {
        !self.no_control
    }
}
