//! `local-aws-setup`: on the local AWS (loopback only), creates what the template would (the
//! table, the signing and MAC keys under their aliases, the verified sender, the user pool and its
//! groups) and the visit the sample events name. Safe to run again. Reads `TABLE_NAME`,
//! `SIGNING_KEY_ID`, `MAC_KEY_ID`, `SENDER_EMAIL`, `USER_POOL_NAME` and checks `USER_POOL_ID`.

use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = visits_aws::sdk_config().await;
    let provisioned = local_server::provision::local_aws(&config).await?;
    let policy = Arc::new(visits_runtime::config::policy_from_env()?);
    let core = visits_runtime::config::core(Arc::new(visits_dynamodb::from_env(&config)?), policy);
    local_server::samples::seed_visit(&core).await?;
    eprintln!(
        "local-aws-setup: table, signing key {}, MAC key {}, sender, user pool {} and the sample visit are ready",
        provisioned.signing_key, provisioned.mac_key, provisioned.user_pool_id
    );
    Ok(())
}
