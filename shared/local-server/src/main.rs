//! `make dev`: the API on 127.0.0.1:3001 (or `PORT`), in demo mode on embedded adapters.

use std::sync::Arc;

use local_server::{LocalApp, serve};
use tokio::net::TcpListener;
use visits_embedded::EmbeddedWorld;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    visits_http::telemetry::init();
    let port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3001);
    let mut policy = visits_http::config::policy_from_env();
    if std::env::var("JOIN_BASE_URL").is_err() {
        policy.join_base_url = format!("http://127.0.0.1:{port}");
    }
    let app = Arc::new(LocalApp::new(EmbeddedWorld::demo(policy)));
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!(address = %listener.local_addr()?, mode = "demo", "local server listening");
    serve(listener, app).await
}
