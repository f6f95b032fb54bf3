use std::sync::Arc;

use clinician_applications::{App, handle};
use lambda_http::Error;
use visits_domain::usecases::Applications;
use visits_runtime::config::{core, policy_from_env, tokens};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    let policy = Arc::new(policy_from_env()?);
    let signer = visits_kms::from_env(&aws)?;
    let mac = Arc::new(signer.mac_from_env()?);
    let tokens = tokens(Arc::new(signer), &policy);
    let prefetch = tokens.clone();
    let store = Arc::new(visits_dynamodb::from_env(&aws)?);
    let applications = Applications::new(
        core(store.clone(), policy),
        tokens,
        store,
        mac,
        Arc::new(visits_aws_notify::from_env(&aws)?),
        Arc::new(visits_cognito::from_env(&aws)?),
    );
    let app = App::new(applications, Arc::new(visits_cognito::user_tokens_from_env(&aws)?));
    // The KMS public key (applicant tokens are checked here), fetched beside the first request.
    visits_http::event::run(|request| {
        prefetch.prefetch();
        handle(&app, request)
    })
    .await
}
