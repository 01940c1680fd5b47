//! Running cases through an SDK adapter: the fake serves each case's server, derive adapters
//! are handed its JSON, fetch adapters read it back through their SDK; the judge sees what the
//! adapter answered.

use super::control::seed_cases;
use super::events::Progress;
use super::execute::{RunError, TargetRun};
use crate::case::Case;
use crate::judge::judge;
use crate::outcome::Observation;
use crate::target::ControlPlane;
use crate::target::adapter::{AdapterOptions, AdapterTarget, Capability, FetchInfo};
use std::time::Instant;

/// Starts the adapter (a failed start or handshake is [`RunError::Adapter`]) and records its
/// metadata and capabilities as run properties.
pub(super) async fn start(
    command: &str,
    options: AdapterOptions,
) -> Result<(AdapterTarget, TargetRun), RunError> {
    let adapter = AdapterTarget::start(command, options)
        .await
        .map_err(|source| RunError::Adapter {
            command: command.to_owned(),
            source,
        })?;
    let capabilities: Vec<&str> = adapter.capabilities().iter().map(|c| c.as_str()).collect();
    let run = TargetRun {
        implementation: Some(adapter.implementation().clone()),
        properties: vec![("adapter.capabilities".into(), capabilities.join(","))],
        warnings: Vec::new(),
        // Fetch adapters meet one fake per profile; a derive adapter is one target.
        per_profile: adapter.capabilities().contains(&Capability::Fetch),
    };
    Ok((adapter, run))
}

/// Stops the adapter, recording its restarts and an unclean stop.
pub(super) async fn stop(adapter: AdapterTarget, run: &mut TargetRun) {
    run.properties
        .push(("adapter.restarts".into(), adapter.restarts().to_string()));
    if adapter.restarts() > 0 {
        run.warnings.push(format!(
            "the adapter was restarted {} time(s) after crashing, hanging or breaking the protocol",
            adapter.restarts()
        ));
    }
    if let Err(e) = adapter.stop().await {
        run.warnings
            .push(format!("the adapter did not stop cleanly: {e}"));
    }
}

/// Seeds every case in the fake, then asks the adapter about each, one at a time.
pub(super) async fn run_adapter(
    cp: &ControlPlane,
    adapter: &mut AdapterTarget,
    cases: &[Case],
    run_tag: &str,
    progress: &mut Progress<'_>,
) {
    let Some(seeded) = seed_cases(cp, cases, run_tag, progress).await else {
        return;
    };
    for (case, server) in cases.iter().zip(&seeded) {
        if progress.stopped() {
            progress.skip(case);
            continue;
        }
        let start = Instant::now();
        let observation = match cp.show(&server.id).await {
            Err(e) => Observation::Errored {
                message: format!("failed to read the seeded server from the fake: {e}"),
                detail: None,
            },
            Ok(shown) => {
                let fetch = FetchInfo {
                    compute_url: cp.info().compute_url.clone(),
                    auth_url: cp.info().identity_url.clone(),
                    token: cp.token().to_owned(),
                    project_id: cp.project_id().to_owned(),
                    server_id: server.id.clone(),
                };
                let obs = adapter.run(case, shown.as_json(), Some(&fetch)).await;
                with_evidence(obs, shown.as_json())
            }
        };
        progress.record(judge(case, observation, start.elapsed()));
    }
}

/// Keeps the server JSON the adapter was given as the evidence of its verdict.
fn with_evidence(observation: Observation, server: &serde_json::Value) -> Observation {
    match observation {
        Observation::Seen(mut seen) if seen.server_json.is_none() => {
            seen.server_json = serde_json::to_string_pretty(server).ok();
            Observation::Seen(seen)
        }
        other => other,
    }
}
