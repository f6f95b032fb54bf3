//! The integration tests: one binary, one module per subject. Helpers live in the `visits-tests`
//! library (`tests/src`): `spawn_app()` and `spawn_aws_app()` start the real local server, the
//! store contract runs on any store, and fault injection replays AWS failures.
//!
//! Tests marked "local AWS" need moto: `make test` starts it around this binary.

/// Runs each `async fn case(app: TestApp)` of a module on the embedded store and on the AWS
/// adapters (the local AWS), as `in_memory::case` and `on_aws::case`.
macro_rules! on_both_stores {
    ($($case:ident),* $(,)?) => {
        mod in_memory {
            $(#[tokio::test]
            async fn $case() { super::$case(visits_tests::spawn_app().await).await })*
        }
        mod on_aws {
            $(#[tokio::test]
            async fn $case() { super::$case(visits_tests::spawn_aws_app().await).await })*
        }
    };
}

mod access;
mod access_log;
mod access_seals;
mod admission;
mod alarms;
mod applications;
mod attendance;
mod audit_log;
mod aws_notify;
mod bad_input;
mod cognito_directory;
mod consent;
mod dependencies;
mod faults;
mod full_flow;
mod guests;
mod invoke;
mod kms_signer;
mod link_resend;
mod link_rules;
mod logs;
mod notifications;
mod openapi;
mod recording;
mod reschedule;
mod round_trips;
mod s3_uploads;
mod sample_events;
mod scheduler;
mod signup_faults;
mod signup_routes;
mod signups;
mod single_use;
mod site;
mod store_contract;
mod template;
mod uploads;
mod video_providers;
mod visit_jobs;
mod waiting_alert;
