//! Running cases through an SDK adapter, blind (protocol v2, `harness/src/kinds/`): derive
//! questions once for the run, the fetch-like kinds per profile against that profile's own fake;
//! the judge sees what the adapter answered and what the fake's journal recorded.

use super::events::Progress;
use super::execute::{RunError, TargetRun};
use crate::case::{Case, Group};
use crate::kinds::{AdapterSession, Sink};
use crate::outcome::CaseResult;
use crate::target::adapter::{AdapterOptions, AdapterTarget, Capability, PROTOCOL_V1};

/// Starts the adapter (a failed start or handshake is [`RunError::Adapter`]) and records its
/// metadata, capabilities, protocol version and status model as run properties.
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
    let mut run = TargetRun {
        implementation: Some(adapter.implementation().clone()),
        properties: vec![
            ("adapter.capabilities".into(), capabilities.join(",")),
            (
                "adapter.protocol".into(),
                format!("v{}", adapter.protocol_version()),
            ),
        ],
        warnings: Vec::new(),
        // Fetch adapters meet one fake per profile; a derive adapter is one target.
        per_profile: adapter.can(Capability::Fetch),
    };
    if let Some(model) = adapter.status_model() {
        run.properties
            .push(("adapter.status_model".into(), model.summary()));
    }
    if adapter.protocol_version() == PROTOCOL_V1 {
        run.warnings.push(
            "adapter protocol v1: the adapter answered version 1 to the handshake; v1 adapters are certified for derive and fetch only"
                .to_owned(),
        );
    }
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

/// True when a profile's cases need its fake: anything but derive questions.
pub(super) fn needs_fake(session: &AdapterSession<'_>, cases: &[Case]) -> bool {
    cases.iter().any(|c| {
        !matches!(c.group, Group::Valid | Group::Invalid | Group::Probe) || !session.derives()
    })
}

impl Sink for Progress<'_> {
    fn stopped(&self) -> bool {
        Progress::stopped(self)
    }

    fn record(&mut self, result: CaseResult) {
        Progress::record(self, result);
    }

    fn not_run(&self, case: &Case) -> CaseResult {
        self.skipped(case)
    }
}
