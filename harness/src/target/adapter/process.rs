//! One adapter subprocess: spawn it, write request lines, read answer lines with a timeout,
//! drain its stderr continuously, kill it.
//!
//! Implementation notes: stderr is read by its own task into a bounded buffer from the moment the
//! process starts, so an adapter that logs a lot can never block on a full pipe while the harness
//! waits on stdout. The process is started in its own process group and killed as a group, so a
//! `run` script that forks (instead of `exec`ing) its interpreter does not leave orphans holding
//! the pipes open.

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::task::JoinHandle;

/// How much of the adapter's stderr is kept (the tail).
const STDERR_LIMIT: usize = 64 * 1024;
/// How long to wait for the last stderr bytes (and for an exit status) once stdout closed.
const GRACE: Duration = Duration::from_millis(500);
/// How long a live adapter's stderr is given to catch up before it is read.
const SETTLE: Duration = Duration::from_millis(50);

/// What went wrong while exchanging one message.
#[derive(Debug)]
pub(crate) enum Violation {
    /// stdout closed (the process exited) before an answer; the exit status if it was reaped.
    Exited(Option<ExitStatus>),
    /// No answer line within the timeout.
    Timeout(Duration),
    /// A line that is not UTF-8.
    NotUtf8,
    /// A line that is not JSON.
    NotJson { line: String, error: String },
    /// An answer to another `seq`.
    WrongSeq { got: String, expected: u64 },
    /// JSON that is not a valid answer.
    Invalid(String),
}

impl Violation {
    /// The one-line explanation shown in reports and by `harness adapter check`.
    pub(crate) fn message(&self) -> String {
        match self {
            Violation::Exited(Some(status)) => {
                format!("adapter exited ({status}) before answering")
            }
            Violation::Exited(None) => "adapter closed its stdout before answering".to_owned(),
            Violation::Timeout(after) => format!("adapter did not answer within {after:?}"),
            Violation::NotUtf8 => "adapter wrote a line that is not UTF-8".to_owned(),
            Violation::NotJson { line, error } => {
                format!(
                    "adapter wrote a line that is not JSON: {:?} ({error})",
                    shorten(line)
                )
            }
            Violation::WrongSeq { got, expected } => {
                format!("adapter answered seq {got}, expected seq {expected}")
            }
            Violation::Invalid(reason) => format!("adapter sent an invalid answer: {reason}"),
        }
    }
}

/// Keeps quoted lines in one-line messages short.
fn shorten(line: &str) -> String {
    const MAX: usize = 80;
    match line.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_owned(),
    }
}

/// A running adapter.
pub(crate) struct AdapterProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_task: Option<JoinHandle<()>>,
}

impl AdapterProcess {
    /// Starts `argv` with piped stdio in its own process group.
    pub(crate) fn spawn(argv: &[String], cwd: Option<&Path>) -> std::io::Result<Self> {
        let (program, args) = argv.split_first().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "the command is empty")
        })?;
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(dir) = cwd {
            command.current_dir(dir);
        }
        #[cfg(unix)]
        command.process_group(0);
        let mut child = command.spawn()?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            unreachable!("all three streams were piped");
        };
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let stderr_task = tokio::spawn(drain(stderr, Arc::clone(&buffer)));
        Ok(AdapterProcess {
            child,
            stdin: Some(stdin),
            stdout: BufReader::new(stdout).lines(),
            stderr: buffer,
            stderr_task: Some(stderr_task),
        })
    }

    /// Writes one line. A failure means the adapter is gone; the caller then reads EOF.
    pub(crate) async fn send(&mut self, line: &str) -> std::io::Result<()> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::BrokenPipe))?;
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        stdin.write_all(&bytes).await?;
        stdin.flush().await
    }

    /// Reads the next line and parses it as JSON, within `timeout`.
    pub(crate) async fn receive(
        &mut self,
        timeout: Duration,
    ) -> Result<serde_json::Value, Violation> {
        let line = match tokio::time::timeout(timeout, self.stdout.next_line()).await {
            Err(_) => return Err(Violation::Timeout(timeout)),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                return Err(Violation::NotUtf8);
            }
            Ok(Err(_)) | Ok(Ok(None)) => return Err(Violation::Exited(self.wait(GRACE).await)),
            Ok(Ok(Some(line))) => line,
        };
        serde_json::from_str(&line).map_err(|e| Violation::NotJson {
            line,
            error: e.to_string(),
        })
    }

    /// Closes stdin and waits up to `timeout` for the process to exit.
    pub(crate) async fn close_and_wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        self.stdin = None;
        self.wait(timeout).await
    }

    async fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        tokio::time::timeout(timeout, self.child.wait())
            .await
            .ok()
            .and_then(Result::ok)
    }

    /// Kills the whole process group and reaps the process.
    pub(crate) async fn kill(&mut self) {
        self.kill_group();
        let _ = self.child.start_kill();
        let _ = self.wait(GRACE).await;
    }

    fn kill_group(&self) {
        #[cfg(unix)]
        if let Some(pid) = self.child.id().and_then(|p| i32::try_from(p).ok()) {
            // SAFETY: killpg has no memory-safety preconditions; the group was created at spawn
            // (process_group(0) makes the child's pid its group id) and the child is not yet
            // reaped (`id()` returns None afterwards), so the id cannot have been reused.
            unsafe {
                libc::killpg(pid, libc::SIGKILL);
            }
        }
    }

    /// Clears the captured stderr (at the start of a case).
    pub(crate) fn clear_stderr(&self) {
        lock(&self.stderr).clear();
    }

    /// Returns (and clears) the stderr captured so far. When the process has died it first
    /// waits (up to a grace period) for the drain task to read the last bytes; when it is alive,
    /// it gives the drain task a moment to catch up with what was written before the answer.
    ///
    /// Implementation notes: stdout and stderr are separate pipes, so a line written on stderr
    /// just before the answer may still sit in its pipe when the answer is read. Only the rare
    /// paths (errors) read stderr, so the short settle time costs nothing on passing cases.
    pub(crate) async fn take_stderr(&mut self) -> String {
        let exited = matches!(self.child.try_wait(), Ok(Some(_)));
        if exited && let Some(task) = self.stderr_task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(GRACE, task).await.is_err() {
                abort.abort();
            }
        } else if !exited {
            tokio::time::sleep(SETTLE).await;
        }
        let bytes = std::mem::take(&mut *lock(&self.stderr));
        String::from_utf8_lossy(&bytes).trim_end().to_owned()
    }
}

impl Drop for AdapterProcess {
    fn drop(&mut self) {
        self.kill_group();
        if let Some(task) = &self.stderr_task {
            task.abort();
        }
    }
}

fn lock(buffer: &Mutex<Vec<u8>>) -> std::sync::MutexGuard<'_, Vec<u8>> {
    // A poisoned buffer only means a drain task panicked mid-append; the bytes are still usable.
    buffer
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Copies stderr into `buffer`, keeping the last `STDERR_LIMIT` bytes.
async fn drain(mut stderr: tokio::process::ChildStderr, buffer: Arc<Mutex<Vec<u8>>>) {
    let mut chunk = [0u8; 8192];
    while let Ok(n) = stderr.read(&mut chunk).await {
        if n == 0 {
            break;
        }
        let mut buf = lock(&buffer);
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > STDERR_LIMIT {
            let cut = buf.len() - STDERR_LIMIT;
            buf.drain(..cut);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violation_messages_are_one_line() {
        let rows = [
            (
                Violation::Timeout(Duration::from_secs(2)),
                "adapter did not answer within 2s",
            ),
            (
                Violation::WrongSeq {
                    got: "1".into(),
                    expected: 2,
                },
                "adapter answered seq 1, expected seq 2",
            ),
            (
                Violation::NotJson {
                    line: "x".repeat(100),
                    error: "expected value at line 1 column 1".into(),
                },
                "adapter wrote a line that is not JSON: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…\" (expected value at line 1 column 1)",
            ),
            (
                Violation::Exited(None),
                "adapter closed its stdout before answering",
            ),
        ];
        for (violation, want) in rows {
            assert_eq!(violation.message(), want);
        }
    }
}
