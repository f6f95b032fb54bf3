use std::sync::Arc;

use audit_stream::{App, Stdout, handle};
use lambda_runtime::{Error, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    let app = App::new(Arc::new(visits_dynamodb::from_env(&aws)?), Arc::new(Stdout));
    lambda_runtime::run(service_fn(|event| handle(&app, event))).await
}
