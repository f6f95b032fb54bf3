//! JSON logs through `tracing`, one object per line, with the current span's fields (the
//! request id) on every line. Level from `RUST_LOG`, else `AWS_LAMBDA_LOG_LEVEL`, else info.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the JSON subscriber writing to stdout, for the whole process.
pub fn init() {
    // Ignore a second init: the first subscriber stays.
    let _ = tracing_subscriber::util::SubscriberInitExt::try_init(subscriber(std::io::stdout, filter_from_env()));
}

/// The level filter from `RUST_LOG`, else Lambda's `AWS_LAMBDA_LOG_LEVEL`, else info.
pub fn filter_from_env() -> EnvFilter {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL").map(|l| l.to_lowercase()).unwrap_or_else(|_| "info".into());
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level))
}

/// The JSON subscriber on any writer; tests install it for one scope with
/// `tracing::subscriber::with_default`.
pub fn subscriber<W>(writer: W, filter: EnvFilter) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .with_ansi(false)
        .with_env_filter(filter)
        .with_writer(writer)
        .finish()
}
