//! `verify-access-log FROM TO`: every hour of the access log from FROM until before TO (RFC 3339)
//! checked against its seal, on the deployment the environment names (`TABLE_NAME`,
//! `SEAL_BUCKET`, `SEAL_KEY_ID`, and the AWS credentials and region). Prints the report as JSON;
//! exits 1 when it found anything, 2 when it could not check.

use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use visits_domain::usecases::AccessSeals;
use visits_runtime::config::{core, policy_from_env, tokens};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("verify-access-log: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<bool, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [from, to] = args.as_slice() else { return Err("usage: verify-access-log FROM TO (RFC 3339)".into()) };
    let instant = |raw: &str| {
        DateTime::parse_from_rfc3339(raw).map(|at| at.with_timezone(&Utc)).map_err(|e| format!("{raw}: {e}"))
    };
    let (from, to) = (instant(from)?, instant(to)?);
    let aws = visits_aws::sdk_config().await;
    let policy = Arc::new(policy_from_env().map_err(|e| e.to_string())?);
    let signer = visits_kms::seal_signer_from_env(&aws).map_err(|e| e.to_string())?;
    let store = visits_dynamodb::from_env(&aws).map_err(|e| e.to_string())?;
    let seals = visits_seal_store::from_env(&aws).map_err(|e| e.to_string())?;
    let seals =
        AccessSeals::new(core(Arc::new(store), policy.clone()), tokens(Arc::new(signer), &policy), Arc::new(seals));
    let report = seals.verify(from, to).await.map_err(|e| e.to_string())?;
    println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    Ok(report.is_intact())
}
