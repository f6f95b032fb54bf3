use std::sync::Arc;

use lambda_http::Error;
use signup::{App, handle};
use visits_domain::usecases::Signups;
use visits_runtime::config::{core, policy_from_env, tokens};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    let policy = Arc::new(policy_from_env()?);
    // Signup tokens are only signed here, never verified: no public key to prefetch.
    let signer = visits_kms::from_env(&aws)?;
    let mac = Arc::new(signer.mac_from_env()?);
    let tokens = tokens(Arc::new(signer), &policy);
    let store = Arc::new(visits_dynamodb::from_env(&aws)?);
    let signups = Signups::new(
        core(store.clone(), policy),
        tokens,
        store,
        mac,
        Arc::new(visits_aws_notify::from_env(&aws)?),
        Arc::new(visits_cognito::from_env(&aws)?),
    );
    let app = App::new(signups);
    visits_http::event::run(|request| handle(&app, request)).await
}
