//! Embedded adapters: every port of `visits-domain` implemented in-process, so demo mode needs no
//! AWS and tests run fast. Never linked by a deployed function. Demo mode takes the system clock
//! and OS randomness from `visits-runtime`, as production does.
//!
//! # Layout
//! - [`memory_store`]: the store, atomic under one lock.
//! - [`local_signer`]: ES256 with a P-256 key held in memory, in the same JWT format as KMS.
//! - [`demo_video`]: Chime-shaped meetings and attendees, and Connect-shaped contacts.
//! - [`demo_recorder`]: media pipelines that record a second of silence and transcribe two lines.
//! - [`outbox`]: a notifier that keeps (and can print) what it would have sent.
//! - [`directory`]: the identity provider's users (demo mode's Cognito).
//! - [`scheduler`]: demo mode's EventBridge Scheduler: planned jobs until they fall due.
//! - [`seals`]: the access log's seals, each kept once.
//! - [`storage`]: presigned uploads and downloads the local server serves, and its malware scan.
//! - [`clock`]: a clock tests can move.
//! - [`world`]: all of the above wired together for demo mode.

pub mod clock;
pub mod demo_recorder;
pub mod demo_video;
pub mod directory;
pub mod events;
pub mod local_signer;
pub mod memory_store;
pub mod outbox;
pub mod scheduler;
pub mod seals;
pub mod storage;
pub mod world;

pub use clock::{DemoClock, ManualClock, OffsetClock};
pub use demo_recorder::DemoRecorder;
pub use demo_video::DemoVideo;
pub use directory::{DirectoryUser, MemoryDirectory};
pub use events::MemoryEvents;
pub use local_signer::LocalSigner;
pub use memory_store::MemoryStore;
pub use outbox::{Outbox, SentMessage};
pub use scheduler::MemoryScheduler;
pub use seals::MemorySeals;
pub use storage::{LocalStorage, UploadRefused};
pub use world::EmbeddedWorld;
