//! What the domain needs from the world. Production adapters speak to AWS; embedded adapters
//! serve demo mode and tests. Every port is object-safe so a function builds only what it uses.

mod applications;
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
pub use events::{EVENT_SOURCE, EventPublisher, PublishError, PublishedEvent};
pub use job_scheduler::{JobScheduler, PlannedJob, SchedulerError};
pub use mac::{Mac, MacError};
pub use notifier::{Notifier, NotifyError, OutgoingMessage};
pub use random::{Clock, IdSource};
pub use signer::{PublicKey, Signer, SignerError};
pub use signups::{Directory, DirectoryError, SignupStore, StaffContact, StaffDirectory};
pub use store::{
    Change, CommitError, Cursor, FailureCount, IdempotencyRecord, JoinFacts, JoinRead, LinkWrite, SignupWrite, Store,
    StoreError, VisitHistory, VisitPage, VisitQuery, VisitWrite, When,
};
pub use uploads::{ApplicationWrite, ObjectStorage, PostPolicy, PresignedPost, StorageError, UploadStore};
pub use user_tokens::{UserTokens, UserTokensError};
pub use video::{ChimeSeats, ProviderRouter, SeatRemover, VideoError, VideoProvider};
