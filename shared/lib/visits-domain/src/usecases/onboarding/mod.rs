//! Onboarding's use cases, apart from the visit's: patient signup, the lander's booking,
//! clinician applications and their review, uploads and their scan results.

mod applications;
mod bookings;
mod scans;
mod signups;
mod uploads;

pub use applications::{
    APPLICANT_TOKEN_LIFETIME, ApplicantNotices, ApplicationReader, ApplicationStarted, ApplicationVerified,
    Applications, StatusMove,
};
pub use bookings::{Bookings, ServiceBooking};
pub use scans::ScanResults;
pub use signups::{SIGNUP_TOKEN_LIFETIME, SignupRequest, SignupStarted, SignupVerified, Signups};
pub use uploads::{NewUpload, ReadUpload, StartedUpload, UPLOAD_URL_LIFETIME, Uploader, Uploads};
