//! What the domain needs from the world. Production adapters speak to AWS; embedded adapters
//! serve demo mode and tests. Every port is object-safe so a function builds only what it uses.

mod applications;
mod dependency;
mod events;
mod job_scheduler;
mod mac;
mod notifier;
mod random;
mod signer;
mod signups;
mod store;
mod uploads;
mod user_tokens;
mod video;

pub use applications::{ApplicationCursor, ApplicationPage, ApplicationQuery, ApplicationStore};
pub use dependency::{Dependency, DependencyError};
pub use events::{EVENT_SOURCE, EventPublisher, PublishedEvent};
pub use job_scheduler::{JobScheduler, PlannedJob};
pub use mac::Mac;
pub use notifier::{Notifier, NotifyError, OutgoingMessage};
pub use random::{Clock, IdSource};
pub use signer::{PublicKey, Signer};
pub use signups::{Directory, SignupStore, StaffContact, StaffDirectory};
pub use store::{
    Change, CommitError, Cursor, FailureCount, IdempotencyRecord, JoinFacts, JoinRead, LinkWrite, SignupWrite, Store,
    VisitHistory, VisitPage, VisitQuery, VisitWrite, When,
};
pub use uploads::{ApplicationWrite, ObjectStorage, PostPolicy, PresignedPost, UploadStore};
pub use user_tokens::UserTokens;
pub use video::{ChimeSeats, ProviderRouter, SeatRemover, VideoError, VideoProvider};
