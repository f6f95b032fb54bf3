//! `lambda-invoke BINARY EVENT_FILE [ENV_FILE]`: runs a function's binary on one event through the
//! local Runtime API and prints its answer. The function's variables come from the SAM env-vars
//! file (its `Parameters`, then the block of the function's logical id); a variable also set in
//! this shell wins, so the endpoints of the running local AWS replace the file's Docker ones.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use local_invoke::{Logs, Outcome, invoke, settings};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(Outcome::Response(answer)) => {
            println!("{}", serde_json::to_string_pretty(&answer).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Ok(Outcome::Error(error)) => {
            eprintln!("lambda-invoke: the function reported an error:");
            println!("{}", serde_json::to_string_pretty(&error).unwrap_or_default());
            ExitCode::FAILURE
        }
        Ok(Outcome::Exited { status, stderr }) => {
            eprintln!("{stderr}lambda-invoke: the function exited ({status}) without answering");
            ExitCode::FAILURE
        }
        Err(message) => {
            eprintln!("lambda-invoke: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<Outcome, String> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: lambda-invoke BINARY EVENT_FILE [ENV_FILE]";
    let binary = PathBuf::from(args.next().ok_or(usage)?);
    let event_file = args.next().ok_or(usage)?;
    let env_file = args.next().unwrap_or_else(|| "events/local-env.json".into());
    let read = |path: &str| -> Result<serde_json::Value, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
    };
    let event = read(&event_file)?;
    let function = binary.file_name().and_then(|n| n.to_str()).ok_or("BINARY names no file")?.to_owned();
    let env: BTreeMap<String, String> = settings::from_env_file(&read(&env_file)?, &settings::logical_id(&function))
        .into_iter()
        .map(|(name, value)| {
            let value = std::env::var(&name).unwrap_or(value);
            (name, value)
        })
        .collect();
    invoke(&binary, &function, &env, &event, Logs::Show, Duration::from_secs(30)).await
}
