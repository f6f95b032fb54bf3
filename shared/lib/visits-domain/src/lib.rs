//! The video-visit domain: the model, its rules, the ports it needs from the world, and the use
//! cases that tie them together. It knows nothing of AWS, Lambda or HTTP.
//!
//! # Layout
//! - [`model`]: validated value types (ids, contacts, durations), the [`model::Visit`] and its
//!   state machine, links, roles, sessions, the audit chain.
//! - [`rules`]: policy figures (join window, lockout limits) and who may do what.
//! - [`ports`]: traits for the store, the signer, the video provider, the notifier, the clock and
//!   the random source. Adapters live in other crates.
//! - [`tokens`]: ES256 JWTs for links and sessions, signed through the [`ports::Signer`] port and
//!   verified locally with the cached public key.
//! - [`usecases`]: one module per job (schedule, links, notify, join, sessions, contact flow).
//! - [`error`]: the typed errors every use case returns.
//! - [`testing`]: fixtures for tests (deterministic ids, a scheduled visit).

pub mod error;
pub mod model;
pub mod ports;
pub mod rules;
pub mod testing;
pub mod tokens;
pub mod usecases;

pub use error::{DomainError, FieldError};
