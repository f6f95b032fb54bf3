use std::sync::Arc;

use attendance::{App, handle};
use lambda_runtime::{Error, service_fn};
use visits_domain::usecases::{Attendances, CaptureFollower};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    let policy = Arc::new(visits_runtime::config::policy_from_env()?);
    let store = Arc::new(visits_dynamodb::from_env(&aws)?);
    let core = visits_runtime::config::core(store, policy);
    let files = Arc::new(visits_recordings::from_env(&aws)?);
    let app = App::new(Attendances::new(core.clone()), CaptureFollower::new(core, files));
    lambda_runtime::run(service_fn(|event| handle(&app, event))).await
}
