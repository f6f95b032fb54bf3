//! The use cases, one module per job. Each takes only the ports it needs, so a Lambda function
//! builds only the adapters (and links only the SDK crates) its routes use.

mod applications;
mod attempts;
mod attendances;
mod bookings;
mod contact_flow;
mod core;
mod guests;
mod idempotency;
mod job_plans;
mod joins;
mod links;
mod notify;
mod scans;
mod seats;
mod sessions;
mod signups;
mod uploads;
mod visits;
mod waiting_alerts;

pub use applications::{
    APPLICANT_TOKEN_LIFETIME, ApplicationReader, ApplicationStarted, ApplicationVerified, Applications, StatusMove,
};
pub use attendances::{Attendances, AttendeeEvent};
pub use bookings::{Bookings, ServiceBooking};
pub use contact_flow::{ContactFlow, ContactFlowError};
pub use core::{Core, Draft, Keyed};
pub use guests::{AddedGuest, Guests};
pub use job_plans::JobPlans;
pub use joins::{Joins, LinkPreview, Redemption};
pub use links::{Links, MintedLink};
pub use notify::{Delivery, JobOutcome, Notifications};
pub use scans::ScanResults;
pub use sessions::{JoinOutcome, Sessions};
pub use signups::{SIGNUP_TOKEN_LIFETIME, SignupRequest, SignupStarted, SignupVerified, Signups};
pub use uploads::{NewUpload, ReadUpload, StartedUpload, UPLOAD_URL_LIFETIME, Uploader, Uploads};
pub use visits::{AuditTrail, DEFAULT_PAGE, ListRequest, MAX_PAGE, NewVisit, Visits};
pub use waiting_alerts::{AlertOutcome, WaitingAlerts};
