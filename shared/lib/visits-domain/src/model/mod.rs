//! Validated value types and the entities built from them. A value that exists is valid.

mod access;
mod access_seal;
mod attendance;
mod audit;
pub mod calendar;
mod capture;
mod consent;
mod contact;
mod delivery;
mod digest;
mod guest;
mod ids;
mod jobs;
mod link;
mod onboarding;
mod participants;
mod refusal;
mod role;
mod session;
pub mod time;
mod time_zone;
pub(crate) mod visit;

pub use access::{ACCESS_RECORD_LIFETIME, AccessAction, AccessOutcome, AccessRecord, Accessor, Reading, RequestInfo};
pub use access_seal::{SEAL_GRACE, SEAL_PERIOD, Seal, SealFinding, SealReport, SealedRecord, seal_period_of};
pub use attendance::{
    Attendance, AttendanceMark, AttendeeEventKind, MAX_ATTENDANCE_MARKS, MarkOutcome, summarize as summarize_attendance,
};
pub use audit::{AuditHead, AuditKind, AuditRecord, AuditSubject, RefusalReason, chain_is_valid};
pub use capture::{Capture, CaptureId, CaptureRefused, CaptureRun, CaptureStatus, PipelineOutcome, StartedPipeline};
pub use consent::{Consent, ConsentGiven, Party, TermsVersion};
pub use contact::{DisplayName, Email, PatientContact, PhoneNumber};
pub use delivery::{Channel, DeliveryStatus};
pub use digest::Digest;
pub use guest::{Admitted, Guest, GuestContact, GuestId, GuestRole, NewGuest};
pub use ids::{CODE_LEN, LinkCode, TokenId, UserId, VisitId};
pub use jobs::VisitJob;
pub use link::{Admission, CodeCopy, CodeEntry, Link, LinkState, LinkStatus};
pub use onboarding::{
    Applicant, Application, ApplicationId, ApplicationStatus, CODE_LIFETIME, CodeChallenge, CodeRefused, DateOfBirth,
    DocumentRef, License, LicenseNumber, LicenseState, MAX_RESENDS, MAX_WRONG_TRIES, Npi, OneTimeCode, Person,
    PersonName, RESEND_GAP, Resend, ReviewNote, ReviewRefused, ReviewText, ScanStatus, Signup, SignupId, SignupState,
    Specialty, Upload, UploadContentType, UploadId, UploadOwner, UploadPurpose, UploadSize, object_key,
};
pub use participants::{Access, AdmissionUndo, LINK_RESEND_GAP, LINK_RESENDS_PER_DAY, LiveCode};
pub use refusal::{RefusalRecord, refusals_are_intact};
pub use role::{Caller, Role, ServiceClient};
pub use session::{Attendee, ConnectionData, MediaPlacement, Meeting, Participant, Room, Session};
pub use time_zone::TimeZone;
pub use visit::{Booking, Bookkeeping, DurationMinutes, ListedVisit, Parties, Provider, Visit, VisitStatus};
