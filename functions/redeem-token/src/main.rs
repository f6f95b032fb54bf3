use std::sync::Arc;

use lambda_http::Error;
use redeem_token::{App, handle};
use visits_domain::ports::ChimeSeats;
use visits_runtime::config::{core, policy_from_env, tokens};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    let policy = Arc::new(policy_from_env()?);
    let tokens = tokens(Arc::new(visits_kms::from_env(&aws)?), &policy);
    let prefetch = tokens.clone();
    // Chime only: a retired admission's seat leaves the meeting when a newer link is redeemed.
    let seats = Arc::new(ChimeSeats(Arc::new(visits_chime::from_env(&aws))));
    let app = App::new(core(Arc::new(visits_dynamodb::from_env(&aws)?), policy), tokens, seats);
    // The KMS public key, fetched beside the first request's reads (once per process).
    visits_http::event::run(|request| {
        prefetch.prefetch();
        handle(&app, request)
    })
    .await
}
