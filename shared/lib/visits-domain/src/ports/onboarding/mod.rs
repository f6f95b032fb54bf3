//! What onboarding needs from the world: signups, applications and uploads kept, the directory
//! of users, object storage, and a user's token checked where no authorizer ran.

mod applications;
mod signups;
mod uploads;
mod user_tokens;

pub use applications::{ApplicationCursor, ApplicationPage, ApplicationQuery, ApplicationStore};
pub use signups::{ContactClaim, Directory, SignupStore, StaffContact, StaffDirectory};
pub use uploads::{ApplicationWrite, ObjectStorage, PostPolicy, PresignedPost, UploadStore};
pub use user_tokens::UserTokens;
