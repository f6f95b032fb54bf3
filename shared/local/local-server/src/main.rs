//! `make dev`: the API on 127.0.0.1:3001 (or `PORT`) in demo mode, on embedded adapters.
//! `make dev-aws` (`VISITS_ADAPTERS=aws`): the same, on the AWS adapters against the local AWS.

use std::sync::Arc;

use local_server::{Adapters, LocalApp, serve};
use tokio::net::TcpListener;
use visits_embedded::EmbeddedWorld;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    visits_runtime::telemetry::init();
    let port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3001);
    let mut policy = visits_runtime::config::policy_from_env()?;
    if std::env::var("JOIN_BASE_URL").is_err() {
        policy.join_base_url = format!("http://127.0.0.1:{port}");
    }
    // The calendar file's link opens the portal this server serves.
    if std::env::var("PORTAL_BASE_URL").is_err() {
        policy.portal_base_url = format!("http://127.0.0.1:{port}/portal");
    }
    let aws_mode = std::env::var("VISITS_ADAPTERS").is_ok_and(|mode| mode == "aws");
    let adapters = if aws_mode {
        let config = visits_aws::sdk_config().await;
        let provisioned = local_server::provision::local_aws(&config).await?;
        let policy = Arc::new(policy);
        Adapters::aws(&config, &provisioned, |store| visits_runtime::config::core(store, policy))?
    } else {
        Adapters::embedded(&EmbeddedWorld::demo(policy))
    };
    let app = Arc::new(LocalApp::new(adapters));
    // Demo mode's scheduler: reminders, nudges and no-show checks run as they fall due.
    let ticking = app.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            every.tick().await;
            ticking.run_due_jobs().await;
        }
    });
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let mode = if aws_mode { "aws" } else { "demo" };
    tracing::info!(address = %listener.local_addr()?, mode, "local server listening");
    serve(listener, app).await?;
    Ok(())
}
