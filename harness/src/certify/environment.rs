//! `environment.json`: where and with what a bundle was made.
//!
//! The harness version, the exact command, the target, the profiles with their digests, the
//! adapter's metadata (its `start` handshake and what the run learnt of it: capabilities,
//! restarts) and the operating system. `harness verify` checks it against `results.json`.

use crate::report::RunReport;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `format_version` of `environment.json`.
pub const ENVIRONMENT_FORMAT_VERSION: u32 = 1;

/// The whole `environment.json` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    /// Always [`ENVIRONMENT_FORMAT_VERSION`].
    pub format_version: u32,
    /// The harness that made the bundle.
    pub harness_version: String,
    /// The command that reproduces the bundle, one argument per item.
    pub command: Vec<String>,
    /// The target, credentials redacted.
    pub target: String,
    /// Each profile run and the `sha256:` digest of its file.
    pub profiles: Vec<ProfileDigest>,
    /// The adapter's handshake metadata as results.json records it; null for other targets.
    pub implementation: Option<serde_json::Value>,
    /// What the run recorded about the adapter (`adapter.capabilities`, `adapter.restarts`, …).
    pub adapter: BTreeMap<String, String>,
    /// The machine the run was made on.
    pub os: Os,
}

/// A profile and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDigest {
    /// Profile name.
    pub name: String,
    /// `sha256:<hex>` of the profile file.
    pub digest: String,
}

/// The operating system the bundle was made on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Os {
    /// `linux`, `macos`, `windows`, … (Rust's `std::env::consts::OS`).
    pub family: String,
    /// `x86_64`, `aarch64`, …
    pub arch: String,
    /// The distribution's `PRETTY_NAME` from `/etc/os-release`, when there is one.
    pub release: Option<String>,
}

impl Os {
    /// The running machine.
    pub fn current() -> Os {
        let release = std::fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                    .map(|v| v.trim().trim_matches('"').to_owned())
            });
        Os {
            family: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
            release,
        }
    }
}

impl Environment {
    /// The record of a finished run made with `command`; `implementation` is results.json's
    /// `implementation` member as written.
    pub fn of(
        report: &RunReport,
        command: &[String],
        implementation: Option<serde_json::Value>,
    ) -> Environment {
        Environment {
            format_version: ENVIRONMENT_FORMAT_VERSION,
            harness_version: report.harness_version.clone(),
            command: command.to_vec(),
            target: report.target.clone(),
            profiles: report
                .profiles
                .iter()
                .map(|p| ProfileDigest {
                    name: p.name.clone(),
                    digest: p.digest.clone(),
                })
                .collect(),
            implementation,
            adapter: report
                .properties
                .iter()
                .filter(|(k, _)| k.starts_with("adapter."))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            os: Os::current(),
        }
    }

    /// Pretty JSON ending in a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("plain records always serialise");
        text.push('\n');
        text
    }
}
