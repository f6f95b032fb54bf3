//! `local-aws-setup`: on the local AWS (loopback only), creates what the template would (the
//! table, the signing key under its alias, the verified sender) and the visit the sample events
//! name. Safe to run again. Reads `TABLE_NAME`, `SIGNING_KEY_ID`, `SENDER_EMAIL`.

use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = visits_aws::sdk_config().await;
    let key_id = local_server::provision::local_aws(&config).await?;
    let policy = Arc::new(visits_runtime::config::policy_from_env());
    let core = visits_runtime::config::core(Arc::new(visits_dynamodb::from_env(&config)?), policy);
    local_server::samples::seed_visit(&core).await?;
    eprintln!("local-aws-setup: table, signing key {key_id}, sender and the sample visit are ready");
    Ok(())
}
