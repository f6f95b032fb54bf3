use std::sync::Arc;

use lambda_runtime::{Error, service_fn};
use upload_scanned::{App, handle};
use visits_domain::usecases::ScanResults;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    let policy = Arc::new(visits_runtime::config::policy_from_env()?);
    let store = Arc::new(visits_dynamodb::from_env(&aws)?);
    let app = App::new(ScanResults::new(visits_runtime::config::core(store.clone(), policy), store.clone(), store));
    lambda_runtime::run(service_fn(|event| handle(&app, event))).await
}
