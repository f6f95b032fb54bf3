use std::sync::Arc;

use book_visit::{App, handle};
use lambda_http::Error;
use visits_domain::usecases::Bookings;
use visits_runtime::config::{core, policy_from_env, tokens};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    let policy = Arc::new(policy_from_env()?);
    let tokens = tokens(Arc::new(visits_kms::from_env(&aws)?), &policy);
    let prefetch = tokens.clone();
    let store = Arc::new(visits_dynamodb::from_env(&aws)?);
    let app = App::new(Bookings::new(core(store.clone(), policy), tokens, store));
    // The KMS public key that checks signup tokens, fetched beside the first request (once).
    visits_http::event::run(|request| {
        prefetch.prefetch();
        handle(&app, request)
    })
    .await
}
