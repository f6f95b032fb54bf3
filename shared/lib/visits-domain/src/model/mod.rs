//! Validated value types and the entities built from them. A value that exists is valid.

mod application;
mod application_form;
mod attendance;
mod audit;
pub mod calendar;
mod contact;
mod delivery;
mod digest;
mod guest;
mod ids;
mod jobs;
mod link;
mod one_time_code;
mod participants;
mod refusal;
mod role;
mod session;
mod signup;
pub mod time;
mod time_zone;
mod upload;
pub(crate) mod visit;

pub use application::{ApplicationId, ApplicationStatus, Npi};
pub use application_form::{
    Applicant, Application, DocumentRef, License, LicenseNumber, LicenseState, ReviewNote, ReviewRefused, ReviewText,
    ScanStatus, Specialty,
};
pub use attendance::{
    Attendance, AttendanceMark, AttendeeEventKind, MAX_ATTENDANCE_MARKS, MarkOutcome, summarize as summarize_attendance,
};
pub use audit::{AuditHead, AuditKind, AuditRecord, AuditSubject, RefusalReason, chain_is_valid};
pub use contact::{DisplayName, Email, PatientContact, PhoneNumber};
pub use delivery::{Channel, DeliveryStatus};
pub use digest::Digest;
pub use guest::{Admitted, Guest, GuestContact, GuestId, GuestRole, NewGuest};
pub use ids::{CODE_LEN, LinkCode, TokenId, UserId, VisitId};
pub use jobs::VisitJob;
pub use link::{Admission, CodeEntry, Link, LinkState, LinkStatus};
pub use one_time_code::{
    CODE_LIFETIME, CodeChallenge, CodeRefused, MAX_RESENDS, MAX_WRONG_TRIES, OneTimeCode, RESEND_GAP, Resend,
};
pub use refusal::{RefusalRecord, refusals_are_intact};
pub use role::{Caller, Role, ServiceClient};
pub use session::{Attendee, ConnectionData, MediaPlacement, Meeting, Participant, Room, Session};
pub use signup::{DateOfBirth, Person, PersonName, Signup, SignupId, SignupState};
pub use time_zone::TimeZone;
pub use upload::{Upload, UploadContentType, UploadId, UploadOwner, UploadPurpose, UploadSize, object_key};
pub use visit::{DurationMinutes, ListedVisit, Parties, Provider, Visit, VisitStatus};
