//! Responses, and the wrapper every handler runs in: one span per request carrying the request
//! id, one log line per outcome. Paths are never logged: `/join/{code}` would leak the code.

use std::future::Future;
use std::time::Instant;

use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use tracing::Instrument;

use crate::Problem;
use crate::caller::{request_id, route_key};

pub fn json(status: StatusCode, value: &impl Serialize) -> Response<Body> {
    match serde_json::to_string(value) {
        Ok(body) => Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CACHE_CONTROL, "no-store")
            .body(Body::Text(body))
            .unwrap_or_else(|_| Response::new(Body::Empty)),
        Err(error) => Problem::from(visits_domain::DomainError::Internal(error.to_string())).into_response(),
    }
}

/// A response without a body (204).
pub fn empty(status: StatusCode) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::Empty)
        .unwrap_or_else(|_| Response::new(Body::Empty))
}

/// Runs a route handler, turns its problem into a response, and logs the outcome.
pub async fn handle_request<F, Fut>(request: Request, handler: F) -> Result<Response<Body>, lambda_http::Error>
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, Problem>>,
{
    let route = route_key(&request).unwrap_or("unknown").to_owned();
    let span = tracing::info_span!("request", route = %route, requestId = request_id(&request).unwrap_or("-"));
    async move {
        let started = Instant::now();
        let (response, problem) = match handler(request).await {
            Ok(response) => (response, None),
            Err(problem) => (problem.clone().into_response(), Some(problem.kind)),
        };
        let status = response.status().as_u16();
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        match problem {
            Some(kind) if status >= 500 => tracing::warn!(status, latency_ms, problem = %kind, "request failed"),
            Some(kind) => tracing::info!(status, latency_ms, problem = %kind, "request refused"),
            None => tracing::info!(status, latency_ms, "request handled"),
        }
        Ok(response)
    }
    .instrument(span)
    .await
}
