//! What the domain needs from the world. Production adapters speak to AWS; embedded adapters
//! serve demo mode and tests. Every port is object-safe so a function builds only what it uses.

mod access_log;
mod capture;
mod dependency;
mod events;
mod job_scheduler;
mod mac;
mod notifier;
mod onboarding;
mod random;
mod signer;
mod store;
mod video;

pub use access_log::{AccessCursor, AccessLog, AccessPage, AccessQuery, SealStore};
pub use capture::{CaptureFiles, Recorder, SpokenSegment};
pub use dependency::{Dependency, DependencyError};
pub use events::{EVENT_SOURCE, EventPublisher, PublishedEvent};
pub use job_scheduler::{JobScheduler, PlannedJob};
pub use mac::Mac;
pub use notifier::{Notifier, NotifyError, OutgoingMessage};
pub use onboarding::{
    ApplicationCursor, ApplicationPage, ApplicationQuery, ApplicationStore, ApplicationWrite, ContactClaim, Directory,
    ObjectStorage, PostPolicy, PresignedPost, SignupStore, StaffContact, StaffDirectory, UploadStore, UserTokens,
};
pub use random::{Clock, IdSource};
pub use signer::{PublicKey, Signer};
pub use store::{
    Change, CommitError, Cursor, FailureCount, IdempotencyRecord, JoinFacts, JoinRead, LinkWrite, SignupWrite, Store,
    VisitHistory, VisitPage, VisitQuery, VisitWrite, When,
};
pub use video::{ChimeSeats, ProviderRouter, SeatRemover, VideoError, VideoProvider};
