//! The HTTP edge every HTTP function shares: it turns API Gateway requests into domain inputs and
//! domain results into responses. No function imports another; they all import this.
//!
//! # Layout
//! - [`caller`]: the authorizer's JWT claims → a [`visits_domain::model::Caller`].
//! - [`event`]: HTTP API events → requests, refusing what `lambda_http` cannot read; `run`.
//! - [`input`]: JSON bodies (size-limited, errors naming the field), path and query values.
//! - [`problem`]: [`visits_domain::DomainError`] → RFC 9457 `application/problem+json`.
//! - [`respond`]: JSON responses and the per-request wrapper that logs the outcome.
//! - [`routes`]: a function's route keys, declared once.
//! - [`strict`]: the request-body deserializer: objects only, no `null`.
//! - [`views`]: the contract's JSON shapes of domain values.

pub mod caller;
pub mod event;
pub mod input;
pub mod problem;
pub mod respond;
pub mod routes;
pub mod strict;
pub mod views;

pub use lambda_http::{Body, Error, Request, Response};
pub use problem::Problem;
pub use respond::{empty, handle_request, json};
pub use routes::RouteKey;
