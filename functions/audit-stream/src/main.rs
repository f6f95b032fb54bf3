use lambda_runtime::{Error, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    visits_http::telemetry::init();
    lambda_runtime::run(service_fn(audit_stream::handle)).await
}
