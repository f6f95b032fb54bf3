//! The use cases, one module per job. Each takes only the ports it needs, so a Lambda function
//! builds only the adapters (and links only the SDK crates) its routes use.

mod access_log;
mod access_seals;
mod attempts;
mod attendances;
mod captures;
mod consents;
mod contact_flow;
mod core;
mod guests;
mod idempotency;
mod job_plans;
mod joins;
mod kept_captures;
mod links;
mod notify;
mod onboarding;
mod seats;
mod sessions;
mod visits;
mod waiting_alerts;

pub use access_log::{ACCESS_LOG_PAGE, AccessLogRequest, AccessReports, MAX_ACCESS_LOG_PAGE};
pub use access_seals::{AccessSeals, SEAL_CATCH_UP_HOURS};
pub use attendances::{Attendances, AttendeeEvent};
pub use captures::{CaptureFollower, Captures, PipelineEvent};
pub use consents::Consents;
pub use contact_flow::{ContactFlow, ContactFlowError};
pub use core::{Core, Draft, Keyed};
pub use guests::{AddedGuest, Guests};
pub use job_plans::JobPlans;
pub use joins::{Joins, LinkPreview, Redemption};
pub use kept_captures::{KeptCaptures, ListedRecording, TranscriptLine};
pub use links::{Links, MintedLink};
pub use notify::{Delivery, JobOutcome, Notifications};
pub use onboarding::{
    APPLICANT_TOKEN_LIFETIME, ApplicantNotices, ApplicationReader, ApplicationStarted, ApplicationVerified,
    Applications, Bookings, NewUpload, ReadUpload, SIGNUP_TOKEN_LIFETIME, ScanResults, ServiceBooking, SignupRequest,
    SignupStarted, SignupVerified, Signups, StartedUpload, StatusMove, UPLOAD_URL_LIFETIME, Uploader, Uploads,
};
pub use sessions::{JoinOutcome, Sessions};
pub use visits::{AuditTrail, DEFAULT_PAGE, ListRequest, MAX_PAGE, NewVisit, Visits};
pub use waiting_alerts::{AlertOutcome, WaitingAlerts};
