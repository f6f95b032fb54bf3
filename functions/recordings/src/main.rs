use std::sync::Arc;

use lambda_http::Error;
use recordings::{App, handle};
use visits_domain::usecases::KeptCaptures;
use visits_runtime::config::{core, policy_from_env};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    let core = core(Arc::new(visits_dynamodb::from_env(&aws)?), Arc::new(policy_from_env()?));
    let app = App::new(KeptCaptures::new(core, Arc::new(visits_recordings::from_env(&aws)?)));
    visits_http::event::run(|request| handle(&app, request)).await
}
