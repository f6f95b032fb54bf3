//! The video-visit domain: the model, its rules, the ports it needs from the world, and the use
//! cases that tie them together. It knows nothing of AWS, Lambda or HTTP.
//!
//! # Layout
//! - [`model`]: validated value types (ids, contacts, durations, time zones), the [`model::Visit`]
//!   (what it shows, [`model::ListedVisit`], and its [`model::Bookkeeping`], both changed only
//!   through the visit's methods) and its state machine, participants (the patient and guests: link, admission, seat), links,
//!   roles, sessions, attendance, jobs, the audit chain. Onboarding's model (signups and their
//!   one-time codes, clinician applications, uploads) is apart in `model/onboarding/`.
//! - [`rules`]: policy figures (join window, lockout limits) and who may do what.
//! - [`ports`]: traits for what the domain needs from the world: the store, the signer, the video
//!   provider, the notifier, the job scheduler, the event publisher, the clock and the random
//!   source; onboarding's (signups, applications, uploads, the directory, object storage, user
//!   tokens) in `ports/onboarding/`. Every port's failure is one [`ports::DependencyError`],
//!   which `?` turns into a [`DomainError`]. Adapters live in other crates.
//! - [`tokens`]: ES256 JWTs (links, sessions, signup and applicant tokens), signed through the
//!   [`ports::Signer`] port and verified locally with the cached public key.
//! - [`usecases`]: one module per job: visits, links, notifications (send, reschedule, resend,
//!   jobs), joins, sessions, guests, attendance, waiting alerts, job plans, the contact flow;
//!   onboarding's (signups, the lander's bookings, applications, uploads, scan results) in
//!   `usecases/onboarding/`.
//! - [`error`]: the typed errors every use case returns.
//! - [`testing`]: fixtures for tests (deterministic ids, a scheduled visit, a visit edited past its
//!   state machine). The sample visit of the local server is one too.

pub mod error;
pub mod model;
pub mod ports;
pub mod rules;
pub mod testing;
pub mod tokens;
pub mod usecases;

pub use error::{DomainError, FieldError};
