use lambda_http::{Error, service_fn};
use schedule_visit::{App, handle};
use visits_embedded::EmbeddedWorld;

#[tokio::main]
async fn main() -> Result<(), Error> {
    visits_http::telemetry::init();
    let world = EmbeddedWorld::demo(visits_http::config::policy_from_env());
    let app = App::new(world.core());
    lambda_http::run(service_fn(|request| handle(&app, request))).await
}
