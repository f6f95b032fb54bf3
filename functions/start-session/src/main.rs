use std::sync::Arc;

use lambda_http::Error;
use start_session::{App, handle};
use visits_domain::ports::ProviderRouter;
use visits_runtime::config::{core, policy_from_env, tokens};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    let policy = Arc::new(policy_from_env()?);
    let tokens = tokens(Arc::new(visits_kms::from_env(&aws)?), &policy);
    let prefetch = tokens.clone();
    let video = Arc::new(ProviderRouter {
        chime: Arc::new(visits_chime::from_env(&aws)),
        connect: Arc::new(visits_connect::from_env(&aws)?),
    });
    let recorder = Arc::new(visits_media_pipelines::from_env(&aws)?);
    let app = App::new(core(Arc::new(visits_dynamodb::from_env(&aws)?), policy), tokens, video, recorder);
    // The KMS public key, fetched beside the first request's reads (once per process).
    visits_http::event::run(|request| {
        prefetch.prefetch();
        handle(&app, request)
    })
    .await
}
