//! What every deployed process needs besides its AWS adapters: the production clock and
//! randomness, the policy read from the environment, the domain wiring, and JSON logs. No HTTP,
//! no Lambda event type, no demo code: every function links it, whatever event it serves.
//!
//! # Layout
//! - [`system`]: the system clock and the operating system's CSPRNG (production adapters).
//! - [`config`]: the policy from the environment and the use cases' shared core.
//! - [`hmac`]: HMAC-SHA256 with a key in the process (one-time codes).
//! - [`telemetry`]: JSON logs through `tracing`.

pub mod config;
pub mod hmac;
pub mod system;
pub mod telemetry;

pub use system::{OsRandom, SystemClock};
