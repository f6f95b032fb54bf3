use std::sync::Arc;

use lambda_http::Error;
use uploads::{App, handle};
use visits_domain::usecases::Uploads;
use visits_runtime::config::{core, policy_from_env, tokens};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    let policy = Arc::new(policy_from_env()?);
    let tokens = tokens(Arc::new(visits_kms::from_env(&aws)?), &policy);
    let prefetch = tokens.clone();
    let store = Arc::new(visits_dynamodb::from_env(&aws)?);
    let uploads =
        Uploads::new(core(store.clone(), policy), tokens, store.clone(), store, Arc::new(visits_s3::from_env(&aws)?));
    let app = App::new(uploads, Arc::new(visits_cognito::user_tokens_from_env(&aws)?));
    // The KMS public key (applicant tokens are checked here), fetched beside the first request.
    visits_http::event::run(|request| {
        prefetch.prefetch();
        handle(&app, request)
    })
    .await
}
