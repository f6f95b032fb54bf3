//! cargo lambda's `lambda_http` template: what a function costs at start before it does anything.

use lambda_http::{Body, Error, Request, Response, run, service_fn, tracing};

async fn hello(_event: Request) -> Result<Response<Body>, Error> {
    Ok(Response::builder().status(200).header("content-type", "text/plain").body("Hello".into())?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    run(service_fn(hello)).await
}
