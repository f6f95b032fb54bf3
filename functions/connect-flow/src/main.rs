use connect_flow::{App, handle};
use lambda_runtime::{Error, service_fn};
use visits_embedded::EmbeddedWorld;

#[tokio::main]
async fn main() -> Result<(), Error> {
    visits_http::telemetry::init();
    let world = EmbeddedWorld::demo(visits_http::config::policy_from_env());
    let app = App::new(world.core());
    lambda_runtime::run(service_fn(|event| handle(&app, event))).await
}
