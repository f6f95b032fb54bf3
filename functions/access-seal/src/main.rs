use std::sync::Arc;

use access_seal::{App, handle};
use lambda_runtime::{Error, service_fn};
use visits_domain::usecases::AccessSeals;
use visits_runtime::config::{core, policy_from_env, tokens};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    let policy = Arc::new(policy_from_env()?);
    // The seal key is its own KMS key: the link key never signs a seal.
    let seal_tokens = tokens(Arc::new(visits_kms::seal_signer_from_env(&aws)?), &policy);
    let core = core(Arc::new(visits_dynamodb::from_env(&aws)?), policy);
    let app = App::new(AccessSeals::new(core, seal_tokens, Arc::new(visits_seal_store::from_env(&aws)?)));
    lambda_runtime::run(service_fn(|event| handle(&app, event))).await
}
