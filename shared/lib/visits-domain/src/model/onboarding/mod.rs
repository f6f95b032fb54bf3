//! Onboarding's model, apart from the visit's: patient signups and their one-time codes,
//! clinician applications and their review, uploaded documents. No visit module uses it.

mod application;
mod application_form;
mod one_time_code;
mod signup;
mod upload;

pub use application::{ApplicationId, ApplicationStatus, Npi};
pub use application_form::{
    Applicant, Application, DocumentRef, License, LicenseNumber, LicenseState, ReviewNote, ReviewRefused, ReviewText,
    ScanStatus, Specialty,
};
pub use one_time_code::{
    CODE_LIFETIME, CodeChallenge, CodeRefused, MAX_RESENDS, MAX_WRONG_TRIES, OneTimeCode, RESEND_GAP, Resend,
};
pub use signup::{DateOfBirth, Person, PersonName, Signup, SignupId, SignupState};
pub use upload::{Upload, UploadContentType, UploadId, UploadOwner, UploadPurpose, UploadSize, object_key};
