//! [`AdapterTarget`]: drives one adapter subprocess through the protocol, case by case.

use super::error::TargetError;
use super::model::StatusModel;
use super::process::{AdapterProcess, Violation};
use super::protocol::Request;
use super::protocol::{
    Answer, Capability, PROTOCOL_V1, PROTOCOL_VERSION, RunResponse, SeqOnly, StartResponse,
    VersionOnly, check_start,
};
use super::question::Question;
use crate::outcome::{Observation, Seen};
use crate::report::Implementation;
use std::path::PathBuf;
use std::time::Duration;

/// How to run an adapter.
///
/// ```
/// use harness::target::adapter::AdapterOptions;
/// use std::time::Duration;
///
/// // Arrange / Act
/// let options = AdapterOptions::new(Duration::from_secs(5));
///
/// // Assert
/// assert_eq!(options.timeout, Duration::from_secs(5));
/// assert_eq!(options.startup_timeout, AdapterOptions::DEFAULT_STARTUP_TIMEOUT);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterOptions {
    /// How long the harness waits for each answer (and for the exit after `stop`).
    pub timeout: Duration,
    /// How long the harness waits for the answer to `start`: longer than `timeout`, because a
    /// `run` script may install its venv on first use (upstream Nova takes about 35 s).
    pub startup_timeout: Duration,
    /// The working directory of the adapter; the harness's own when `None`.
    pub cwd: Option<PathBuf>,
}

impl AdapterOptions {
    /// The default per-answer timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    /// The default timeout for the `start` answer.
    pub const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(600);

    /// Options with the given per-answer timeout, the default startup timeout (or `timeout`, if
    /// longer) and the harness's working directory.
    pub fn new(timeout: Duration) -> Self {
        AdapterOptions {
            timeout,
            startup_timeout: timeout.max(Self::DEFAULT_STARTUP_TIMEOUT),
            cwd: None,
        }
    }
}

impl AdapterOptions {
    /// The `start` timeout after a restart: the first start already did any one-time setup, so
    /// an adapter that hangs on every restart costs `max(timeout, 30 s)` per case, not the whole
    /// startup timeout.
    fn restart_timeout(&self) -> Duration {
        self.startup_timeout
            .min(self.timeout.max(Duration::from_secs(30)))
    }
}

impl Default for AdapterOptions {
    fn default() -> Self {
        AdapterOptions::new(Self::DEFAULT_TIMEOUT)
    }
}

/// An SDK adapter subprocess speaking protocol v2, or v1 (`adapters/PROTOCOL.md`).
///
/// A case that the adapter crashes on, hangs on, or answers with a protocol violation becomes an
/// [`Observation::Errored`] carrying the adapter's stderr; the adapter is killed and started again
/// (with a new handshake) for the next case.
///
/// ```no_run
/// use harness::target::adapter::{AdapterOptions, AdapterTarget, Question};
/// # async fn demo() -> Result<(), harness::target::adapter::TargetError> {
/// // Arrange
/// let mut adapter = AdapterTarget::start("adapters/nova/run", AdapterOptions::default()).await?;
///
/// // Act
/// let answer = adapter.ask(&Question::derive("q0000abcd-1", Some("active"), Some("rebooting"))).await;
///
/// // Assert
/// println!("{} says {answer:?}", adapter.implementation().name);
/// adapter.stop().await
/// # }
/// ```
pub struct AdapterTarget {
    command: String,
    argv: Vec<String>,
    options: AdapterOptions,
    process: Option<AdapterProcess>,
    implementation: Implementation,
    capabilities: Vec<Capability>,
    seq: u64,
    restarts: usize,
}

impl std::fmt::Debug for AdapterTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdapterTarget")
            .field("command", &self.command)
            .field("implementation", &self.implementation)
            .field("capabilities", &self.capabilities)
            .field("running", &self.process.is_some())
            .field("restarts", &self.restarts)
            .finish()
    }
}

impl AdapterTarget {
    /// Starts `command` (split on whitespace, no shell) and performs the `start` handshake.
    pub async fn start(command: &str, options: AdapterOptions) -> Result<Self, TargetError> {
        let argv: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
        let (process, implementation, capabilities) =
            handshake(command, &argv, &options, options.startup_timeout).await?;

        Ok(AdapterTarget {
            command: command.to_owned(),
            argv,
            options,
            process: Some(process),
            implementation,
            capabilities,
            seq: 0,
            restarts: 0,
        })
    }

    /// What is under test, from the handshake.
    pub fn implementation(&self) -> &Implementation {
        &self.implementation
    }

    /// What the adapter can do, from the handshake.
    pub fn capabilities(&self) -> &[Capability] {
        &self.capabilities
    }

    /// The command the adapter was started with.
    pub fn command(&self) -> &str {
        &self.command
    }

    /// How many times the adapter was started again after a crash, hang or violation.
    pub fn restarts(&self) -> usize {
        self.restarts
    }

    /// The protocol version agreed in the handshake: 2, or 1 for an older adapter.
    pub fn protocol_version(&self) -> u32 {
        self.implementation.protocol_version.unwrap_or(PROTOCOL_V1)
    }

    /// The SDK's status model, from a v2 handshake (required with `surface` or `list`).
    pub fn status_model(&self) -> Option<&StatusModel> {
        self.implementation.status_model.as_ref()
    }

    /// True when the adapter declared `capability`.
    pub fn can(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }

    /// Asks the adapter one question.
    ///
    /// Never fails the run: a crash, hang or protocol violation is a [`Broken`] reply (and the
    /// adapter is restarted for the next question); an `errored` answer is
    /// [`Answer::Errored`] with the adapter's traceback and stderr as its `traceback`.
    pub async fn ask(&mut self, question: &Question<'_>) -> Result<Answer, Broken> {
        if !self.can(question.kind) {
            return Err(Broken::new(format!(
                "adapter does not declare the `{}` capability",
                question.kind.as_str()
            )));
        }
        let mut process = match self.process.take() {
            Some(process) => process,
            None => match handshake(
                &self.command,
                &self.argv,
                &self.options,
                self.options.restart_timeout(),
            )
            .await
            {
                Ok((process, ..)) => {
                    self.restarts += 1;
                    process
                }
                Err(err) => {
                    return Err(Broken {
                        message: format!("failed to restart the adapter: {err}"),
                        detail: err.stderr().map(str::to_owned),
                    });
                }
            },
        };
        self.seq += 1;
        let line = question
            .request(self.seq, self.protocol_version())
            .to_line();
        process.clear_stderr();
        match exchange(
            &mut process,
            &line,
            self.seq,
            question.kind,
            self.options.timeout,
        )
        .await
        {
            Ok(Answer::Errored { message, traceback }) => {
                let stderr = process.take_stderr().await;
                self.process = Some(process);
                let mut detail: Vec<String> = traceback.into_iter().collect();
                if !stderr.is_empty() {
                    detail.push(format!("stderr:\n{stderr}"));
                }
                Ok(Answer::Errored {
                    message,
                    traceback: Some(detail.join("\n")).filter(|d| !d.is_empty()),
                })
            }
            Ok(answer) => {
                self.process = Some(process);
                Ok(answer)
            }
            Err(violation) => {
                // The stream can no longer be trusted: kill the adapter; the next case restarts it.
                process.kill().await;
                let stderr = process.take_stderr().await;
                Err(Broken {
                    message: violation.message(),
                    detail: Some(stderr).filter(|s| !s.is_empty()),
                })
            }
        }
    }

    /// Sends `stop` and waits (one timeout) for the adapter to exit with status 0.
    pub async fn stop(mut self) -> Result<(), TargetError> {
        let Some(mut process) = self.process.take() else {
            return Ok(());
        };
        let _ = process.send(&Request::Stop.to_line()).await;
        let status = process.close_and_wait(self.options.timeout).await;
        match status {
            Some(status) if status.success() => Ok(()),
            Some(status) => Err(TargetError::Crashed {
                command: self.command,
                step: "stop",
                status: status.to_string(),
                stderr: process.take_stderr().await,
            }),
            None => {
                process.kill().await;
                Err(TargetError::Timeout {
                    command: self.command,
                    step: "stop",
                    after: self.options.timeout,
                    stderr: process.take_stderr().await,
                })
            }
        }
    }
}

/// Sends one request and reads its answer, checking `seq` first, then the whole answer.
async fn exchange(
    process: &mut AdapterProcess,
    line: &str,
    seq: u64,
    kind: Capability,
    timeout: Duration,
) -> Result<Answer, Violation> {
    // A failed write means the adapter is gone; reading then reports how it exited.
    let _ = process.send(line).await;
    let value = process.receive(timeout).await?;
    let got = serde_json::from_value::<SeqOnly>(value.clone())
        .map_err(|e| Violation::Invalid(e.to_string()))?
        .seq
        .ok_or_else(|| Violation::Invalid("missing field `seq`".to_owned()))?;
    if got != seq {
        return Err(Violation::WrongSeq {
            got: got.to_string(),
            expected: seq,
        });
    }
    serde_json::from_value::<RunResponse>(value)
        .map_err(|e| e.to_string())
        .and_then(|r| r.into_answer(kind))
        .map_err(Violation::Invalid)
}

/// Spawns the adapter and performs the `start` handshake.
async fn handshake(
    command: &str,
    argv: &[String],
    options: &AdapterOptions,
    timeout: Duration,
) -> Result<(AdapterProcess, Implementation, Vec<Capability>), TargetError> {
    let mut process = AdapterProcess::spawn(argv, options.cwd.as_deref()).map_err(|source| {
        TargetError::Spawn {
            command: command.to_owned(),
            source,
        }
    })?;
    let start = Request::Start {
        version: PROTOCOL_VERSION,
    }
    .to_line();
    let _ = process.send(&start).await;
    let value = match process.receive(timeout).await {
        Ok(value) => value,
        Err(violation) => {
            process.kill().await;
            let stderr = process.take_stderr().await;
            return Err(start_error(command, violation, stderr));
        }
    };
    let failed = |reason: String, stderr: String| TargetError::InvalidResponse {
        command: command.to_owned(),
        step: "start",
        reason,
        stderr,
    };
    let version = match serde_json::from_value::<VersionOnly>(value.clone()) {
        Ok(VersionOnly {
            version: Some(version),
        }) => version,
        Ok(VersionOnly { version: None }) => {
            process.kill().await;
            return Err(failed(
                "missing field `version`".to_owned(),
                process.take_stderr().await,
            ));
        }
        Err(e) => {
            process.kill().await;
            return Err(failed(e.to_string(), process.take_stderr().await));
        }
    };
    let version = match version.as_u64() {
        Some(v) if v == u64::from(PROTOCOL_VERSION) => PROTOCOL_VERSION,
        Some(v) if v == u64::from(PROTOCOL_V1) => PROTOCOL_V1,
        _ => {
            process.kill().await;
            return Err(TargetError::VersionMismatch {
                command: command.to_owned(),
                expected: PROTOCOL_VERSION,
                got: version.to_string(),
            });
        }
    };
    let checked = serde_json::from_value::<StartResponse>(value)
        .map_err(|e| e.to_string())
        .and_then(|r| check_start(&r, version).map(|()| r));
    let response = match checked {
        Ok(response) => response,
        Err(reason) => {
            process.kill().await;
            return Err(failed(reason, process.take_stderr().await));
        }
    };
    let mut capabilities = response.capabilities;
    capabilities.sort_unstable();
    capabilities.dedup();
    let mut implementation = response.implementation.into_implementation(version);
    implementation.status_model = response.status_model;
    Ok((process, implementation, capabilities))
}

/// Maps a violation during `start` to the error named after it.
fn start_error(command: &str, violation: Violation, stderr: String) -> TargetError {
    let command = command.to_owned();
    match violation {
        Violation::Timeout(after) => TargetError::Timeout {
            command,
            step: "start",
            after,
            stderr,
        },
        Violation::Exited(status) => TargetError::Crashed {
            command,
            step: "start",
            status: status.map_or_else(|| "stdout closed".to_owned(), |s| s.to_string()),
            stderr,
        },
        v @ (Violation::NotJson { .. } | Violation::NotUtf8) => TargetError::Protocol {
            command,
            reason: v.message(),
            stderr,
        },
        v @ (Violation::WrongSeq { .. } | Violation::Invalid(_)) => TargetError::Handshake {
            command,
            reason: v.message(),
            stderr,
        },
    }
}

/// Turns a derive or fetch reply into an observation: a status is seen, `skipped` is a skip,
/// an `errored` answer or a broken exchange an error.
///
/// ```
/// use harness::outcome::Observation;
/// use harness::target::adapter::{Answer, observation};
///
/// // Arrange
/// let reply = Ok(Answer::Skipped { reason: "no".into(), issue_url: None });
///
/// // Act / Assert
/// assert_eq!(observation(reply), Observation::Skipped { reason: "no".into() });
/// ```
pub fn observation(reply: Result<Answer, Broken>) -> Observation {
    match reply {
        Ok(Answer::Status {
            status,
            vm_state,
            task_state,
        }) => Observation::Seen(Seen {
            status,
            vm_state,
            task_state,
            other_views: Vec::new(),
            server_json: None,
        }),
        Ok(Answer::Skipped { reason, issue_url }) => Observation::Skipped {
            reason: match issue_url {
                Some(url) => format!("{reason} ({url})"),
                None => reason,
            },
        },
        Ok(Answer::Errored { message, traceback }) => Observation::Errored {
            message: reported(&message),
            detail: traceback,
        },
        // `ask` only returns the shapes of the question's kind; derive and fetch have one.
        Ok(other) => Observation::Errored {
            message: format!("a derive or fetch question got another kind of answer: {other:?}"),
            detail: None,
        },
        Err(Broken { message, detail }) => Observation::Errored { message, detail },
    }
}

/// The one-line message of an adapter's `errored` answer.
pub(crate) fn reported(message: &str) -> String {
    format!("adapter reported an error: {}", one_line(message))
}

/// Joins a multi-line message into one line.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A question that got no trustworthy answer: the adapter crashed, hung, broke the protocol or
/// could not be restarted. Always an error, never a verdict on the SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// One line.
    pub message: String,
    /// The adapter's stderr, if any.
    pub detail: Option<String>,
}

impl Broken {
    fn new(message: String) -> Self {
        Broken {
            message,
            detail: None,
        }
    }
}
