//! Test support for the integration tests in `tests/api`.
//!
//! # Layout
//! - [`app`]: the local server on embedded or AWS adapters, and an HTTP client for it.
//! - [`browser`]: presigned upload forms, and the messages the outbox holds for an address.
//! - [`faults`]: AWS failures replayed into real SDK clients.
//! - [`local_aws`]: the local AWS (moto) and the Chime/Connect stand-in.
//! - [`openapi`]: every response checked against `docs/openapi.yaml`.
//! - [`store_contract`]: what every `Store` must do, run against each implementation.
//! - [`application_contract`]: the same for every `ApplicationStore`.
//! - [`audit_lines`]: the audit-stream handler writing into a buffer.
//! - [`balp`]: the required elements of an IHE BALP PatientRead `AuditEvent`.

pub mod app;
pub mod application_contract;
pub mod audit_lines;
pub mod balp;
pub mod browser;
pub mod faults;
pub mod local_aws;
pub mod openapi;
pub mod store_contract;

pub use app::{
    Accounts, Reply, TestApp, spawn_app, spawn_app_with_policy, spawn_aws_app, spawn_aws_app_with,
    spawn_aws_app_with_policy, start_time,
};
pub use faults::{Faults, throttling_response};
