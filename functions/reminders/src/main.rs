use std::sync::Arc;

use lambda_runtime::{Error, service_fn};
use reminders::{App, handle};
use visits_domain::usecases::{Links, Notifications};
use visits_runtime::config::{core, policy_from_env};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    let policy = Arc::new(policy_from_env()?);
    let core = core(Arc::new(visits_dynamodb::from_env(&aws)?), policy);
    let notifications = Notifications::new(Arc::new(Links::new(core)), Arc::new(visits_aws_notify::from_env(&aws)?));
    let app = App::new(notifications);
    lambda_runtime::run(service_fn(|event| handle(&app, event))).await
}
