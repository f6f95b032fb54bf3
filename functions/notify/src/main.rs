use std::sync::Arc;

use lambda_http::Error;
use notify::{App, handle};
use visits_domain::rules::Policy;
use visits_runtime::config::{core, policy_from_env};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    // Links must point at the deployed site, never at the local default.
    let policy = Arc::new(Policy { join_base_url: visits_aws::required("JOIN_BASE_URL")?, ..policy_from_env()? });
    let notifier = Arc::new(visits_aws_notify::from_env(&aws)?);
    let app = App::new(core(Arc::new(visits_dynamodb::from_env(&aws)?), policy), notifier);
    visits_http::event::run(|request| handle(&app, request)).await
}
