//! Runs a function's real binary, with its real `lambda_runtime` loop, on one event: a local
//! [Lambda Runtime API](https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) hands the
//! event to the process and takes back its response or error, as Lambda does. What `sam local
//! invoke` does in Docker, without Docker.
//!
//! # Layout
//! - [`runtime_api`]: the Runtime API: one event out, one answer back.
//! - [`settings`]: the function's environment from a SAM `--env-vars` file.
//! - [`section`]: measured tables written into the docs (`make bench`).

pub mod runtime_api;
pub mod section;
pub mod settings;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::AsyncReadExt;
use tokio::process::Command;

/// How an invocation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The handler's response (for an HTTP function, the API Gateway response document).
    Response(Value),
    /// The error the runtime reported for this invocation, or for its start.
    Error(Value),
    /// The process ended before answering, with what it wrote to stderr.
    Exited { status: String, stderr: String },
}

/// Whether the function's own log lines go to this process's output (`make invoke`) or nowhere
/// (tests, which only look at the answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logs {
    Show,
    Hide,
}

/// How long a cold start took, from the process's spawn, and the memory it reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColdStart {
    /// Until the process first asked the Runtime API for an event.
    pub init: Duration,
    /// Until it posted its answer to that event.
    pub first_response: Duration,
    /// Its peak resident memory (`VmHWM`), read just after it answered.
    pub peak_rss_kib: Option<u64>,
}

/// Starts `binary` as Lambda would, with `env` added to this process's environment, hands it
/// `event`, and returns its answer. The process is stopped afterwards.
pub async fn invoke(
    binary: &Path,
    function_name: &str,
    env: &BTreeMap<String, String>,
    event: &Value,
    logs: Logs,
    timeout: Duration,
) -> Result<Outcome, String> {
    invoke_timed(binary, function_name, env, event, logs, timeout).await.map(|(outcome, _)| outcome)
}

/// [`invoke`], timing the cold start (`None` if the process never answered).
pub async fn invoke_timed(
    binary: &Path,
    function_name: &str,
    env: &BTreeMap<String, String>,
    event: &Value,
    logs: Logs,
    timeout: Duration,
) -> Result<(Outcome, Option<ColdStart>), String> {
    let mut api = runtime_api::RuntimeApi::start(function_name, event.clone()).await?;
    let mut command = Command::new(binary);
    command
        .envs(env)
        .env("AWS_LAMBDA_RUNTIME_API", api.address())
        .env("AWS_LAMBDA_FUNCTION_NAME", function_name)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{function_name}"))
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command.stdout(if logs == Logs::Show { Stdio::inherit() } else { Stdio::null() });
    let spawned = Instant::now();
    let mut child = command.spawn().map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    // Read stderr as it comes, so a chatty process never blocks on a full pipe.
    let mut stderr = child.stderr.take().ok_or("no stderr pipe")?;
    let stderr = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let mut cold_start = None;
    let outcome = tokio::select! {
        answer = api.answer() => {
            let answered = Instant::now();
            cold_start = api.first_poll().map(|polled| ColdStart {
                init: polled - spawned,
                first_response: answered - spawned,
                peak_rss_kib: child.id().and_then(peak_rss_kib),
            });
            answer
        }
        status = child.wait() => {
            let status = status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
            Ok(Outcome::Exited { status, stderr: String::new() })
        }
        _ = tokio::time::sleep(timeout) => Err(format!("{function_name} did not answer within {timeout:?}")),
    };
    let _ = child.kill().await;
    let stderr = stderr.await.unwrap_or_default();
    if logs == Logs::Show {
        eprint!("{stderr}");
    }
    match outcome {
        Ok(Outcome::Exited { status, .. }) => Ok((Outcome::Exited { status, stderr }, None)),
        other => other.map(|outcome| (outcome, cold_start)),
    }
}

/// A process's peak resident set, from Linux's `/proc`; `None` elsewhere.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
