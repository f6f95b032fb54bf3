use std::sync::Arc;

use lambda_http::Error;
use schedule_visit::{App, handle};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    let policy = Arc::new(visits_runtime::config::policy_from_env()?);
    let store = Arc::new(visits_dynamodb::from_env(&aws)?);
    let app = App::new(visits_runtime::config::core(store, policy));
    visits_http::event::run(|request| handle(&app, request)).await
}
