//! The local server: every route of every function on one port, reached the way API Gateway
//! reaches them in AWS. A request becomes the same API Gateway v2 event (path parameters, source
//! IP, authorizer claims from a verified development token) and goes to the same handler. Never
//! deployed: it also serves `GET /dev/tokens` and `GET /dev/outbox`.
//!
//! # Layout
//! - [`routes`]: the route table, built from each function's `ROUTES`.
//! - [`dev_auth`]: demo accounts and the stand-in for the JWT authorizer.
//! - [`dev_clock`]: demo mode's scheduler and `POST /dev/clock`.
//! - [`dev_uploads`]: demo mode's S3 and GuardDuty for uploads.
//! - [`dev_users`]: users signup and approval created, for `GET /dev/tokens?email=`.
//! - [`gateway`]: HTTP request → API Gateway event → `lambda_http::Request`, and back.
//! - [`pages`]: the join page, portal and desk (`web/dist`) on the API's origin.
//! - [`server`]: the hyper server and the dispatch to the functions.
//! - [`adapters`]: embedded (`make dev`) or AWS adapters (`make dev-aws`), and `/dev/outbox`.
//! - [`provision`]: creates the table, key and sender on the local AWS for `make dev-aws`.
//! - [`samples`]: the visit the sample events in `events/` name.

pub mod adapters;
pub mod dev_auth;
pub mod dev_clock;
pub mod dev_uploads;
pub mod dev_users;
pub mod gateway;
pub mod pages;
pub mod provision;
pub mod routes;
pub mod samples;
pub mod server;

pub use adapters::{Adapters, OutboxSource};
pub use server::{LocalApp, serve};
