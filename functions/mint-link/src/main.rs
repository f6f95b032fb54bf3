use std::sync::Arc;

use lambda_http::Error;
use mint_link::{App, handle};
use visits_domain::rules::Policy;
use visits_runtime::config::{core, policy_from_env, tokens};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    // Links must point at the deployed site, never at the local default.
    let policy = Arc::new(Policy { join_base_url: visits_aws::required("JOIN_BASE_URL")?, ..policy_from_env()? });
    let tokens = tokens(Arc::new(visits_kms::from_env(&aws)?), &policy);
    let prefetch = tokens.clone();
    let app = App::new(core(Arc::new(visits_dynamodb::from_env(&aws)?), policy), tokens);
    // The KMS public key, fetched beside the first request's reads (once per process).
    visits_http::event::run(|request| {
        prefetch.prefetch();
        handle(&app, request)
    })
    .await
}
