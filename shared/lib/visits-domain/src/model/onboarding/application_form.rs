//! A clinician's application as they filled it in, and as an admin reviews it: who they are,
//! their NPI and state licences, the review's notes, and the documents they uploaded.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{
    ApplicationId, ApplicationStatus, AuditHead, CodeChallenge, CodeRefused, Digest, Email, Npi, PersonName,
    PhoneNumber, UserId,
};

/// The USPS codes of the states, DC and the territories that license clinicians.
const LICENSING_JURISDICTIONS: [&str; 56] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
    "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR",
    "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI",
];

/// Where a licence was issued: a two-letter USPS code (upper case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LicenseState(String);

impl LicenseState {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.trim().to_ascii_uppercase();
        if LICENSING_JURISDICTIONS.contains(&code.as_str()) {
            Ok(Self(code))
        } else {
            Err("must be a US state or territory's two-letter code, e.g. CA".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A licence number as the board prints it: 1–30 letters, digits, `-`, `.` or `/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LicenseNumber(String);

impl LicenseNumber {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let number = raw.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/');
        if number.is_empty() || number.len() > 30 || !number.chars().all(allowed) {
            return Err("must be 1 to 30 letters, digits, '-', '.' or '/'".into());
        }
        Ok(Self(number.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A state licence to practise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct License {
    pub state: LicenseState,
    pub number: LicenseNumber,
    pub expires_on: NaiveDate,
}

/// A short free text (a specialty, a review note): printable, not blank, at most `max` characters.
fn short_text(raw: &str, max: usize) -> Result<String, String> {
    let text = raw.trim();
    if text.is_empty() || text.chars().count() > max || text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(format!("must be 1 to {max} printable characters"));
    }
    Ok(text.to_owned())
}

/// The applicant's specialty, as they name it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Specialty(String);

impl Specialty {
    pub fn parse(raw: &str) -> Result<Self, String> {
        short_text(raw, 100).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Specialty {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<Specialty> for String {
    fn from(specialty: Specialty) -> String {
        specialty.0
    }
}

impl fmt::Debug for Specialty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Specialty({})", self.0)
    }
}

/// What an admin wrote with a status move: shown to admins and to the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReviewText(String);

impl ReviewText {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(raw: &str) -> Result<Self, String> {
        short_text(raw, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ReviewText {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<ReviewText> for String {
    fn from(text: ReviewText) -> String {
        text.0
    }
}

impl TryFrom<String> for LicenseState {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<LicenseState> for String {
    fn from(state: LicenseState) -> String {
        state.0
    }
}

impl TryFrom<String> for LicenseNumber {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<LicenseNumber> for String {
    fn from(number: LicenseNumber) -> String {
        number.0
    }
}

/// One status move, as the review shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewNote {
    pub at: DateTime<Utc>,
    /// The admin, as the audit trail names them (`admin:{sub}`).
    pub by: String,
    pub status: ApplicationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<ReviewText>,
}

/// Who applies: as they typed it, each part valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Applicant {
    pub given_name: PersonName,
    pub family_name: PersonName,
    pub email: Email,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    pub npi: Npi,
    /// At least one.
    pub licenses: Vec<License>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialty: Option<Specialty>,
}

/// A clinician application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: ApplicationId,
    pub applicant: Applicant,
    pub status: ApplicationStatus,
    /// The email code that turns a pending application into a submitted one.
    pub challenge: CodeChallenge,
    pub notes: Vec<ReviewNote>,
    /// The uploads attached to it (licences), with their scan status.
    pub documents: Vec<DocumentRef>,
    /// The clinician an approval created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinician_id: Option<UserId>,
    pub audit_head: AuditHead,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Bumped by every write; what `expectedVersion` names.
    pub version: u64,
}

/// An upload attached to an application, and how its malware scan went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentRef {
    pub upload_id: String,
    pub status: ScanStatus,
}

/// Where an upload's malware scan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanStatus {
    Pending,
    Clean,
    Infected,
    Failed,
}

/// Why an admin's status move is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewRefused {
    /// Not one of the contract's moves from the current status (409).
    NotAllowed { from: ApplicationStatus },
    /// The admin read another version (409).
    StaleVersion { current: u64 },
    /// Approval while a document is not scanned clean (422).
    DocumentsNotClean,
}

impl Application {
    /// Checks the email code: only a pending application can be submitted by one.
    pub fn check_code(&mut self, presented: &Digest, now: DateTime<Utc>) -> Result<(), CodeRefused> {
        match self.status {
            ApplicationStatus::Pending => self.challenge.check(presented, now),
            _ => self.challenge.check(presented, now).and(Err(CodeRefused::Invalid)),
        }
    }

    /// An admin's move to `to`, over the version they read, with an optional note.
    pub fn review(
        &mut self,
        to: ApplicationStatus,
        expected_version: u64,
        by: &str,
        note: Option<ReviewText>,
        now: DateTime<Utc>,
    ) -> Result<(), ReviewRefused> {
        if expected_version != self.version {
            return Err(ReviewRefused::StaleVersion { current: self.version });
        }
        if !self.status.may_move_to(to) {
            return Err(ReviewRefused::NotAllowed { from: self.status });
        }
        if to == ApplicationStatus::Approved && self.documents.iter().any(|d| d.status != ScanStatus::Clean) {
            return Err(ReviewRefused::DocumentsNotClean);
        }
        self.status = to;
        self.notes.push(ReviewNote { at: now, by: by.to_owned(), status: to, note });
        self.updated_at = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_900_000_000 + minutes * 60, 0).unwrap()
    }

    fn application(status: ApplicationStatus) -> Application {
        Application {
            id: ApplicationId::from_random([5; ApplicationId::RANDOM_BYTES]),
            applicant: Applicant {
                given_name: PersonName::parse("Ada").unwrap(),
                family_name: PersonName::parse("Lovelace").unwrap(),
                email: Email::parse("ada@clinic.example").unwrap(),
                phone: None,
                npi: Npi::parse("1234567893").unwrap(),
                licenses: vec![License {
                    state: LicenseState::parse("ca").unwrap(),
                    number: LicenseNumber::parse("A12345").unwrap(),
                    expires_on: NaiveDate::from_ymd_opt(2030, 1, 31).unwrap(),
                }],
                specialty: None,
            },
            status,
            challenge: CodeChallenge::first(Digest::of(b"mac"), at(0)),
            notes: Vec::new(),
            documents: Vec::new(),
            clinician_id: None,
            audit_head: AuditHead::default(),
            created_at: at(0),
            updated_at: at(0),
            version: 2,
        }
    }

    #[test]
    fn licence_fields_validate() {
        assert_eq!(LicenseState::parse(" ny ").unwrap().as_str(), "NY");
        for bad in ["", "XX", "California", "C A"] {
            assert!(LicenseState::parse(bad).is_err(), "{bad:?}");
        }
        assert!(LicenseNumber::parse("MD-123.45/6").is_ok());
        for bad in ["", "12 34", &"9".repeat(31), "A1;"] {
            assert!(LicenseNumber::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Specialty::parse("Family medicine").is_ok());
        assert!(Specialty::parse("  ").is_err());
        assert!(ReviewText::parse(&"x".repeat(2001)).is_err());
    }

    #[test]
    fn reviews_move_only_as_the_contract_lists_over_the_version_read() {
        use ApplicationStatus::*;
        let mut app = application(Submitted);
        assert_eq!(app.review(UnderReview, 1, "admin:a", None, at(1)), Err(ReviewRefused::StaleVersion { current: 2 }));
        assert_eq!(app.review(Approved, 2, "admin:a", None, at(1)), Err(ReviewRefused::NotAllowed { from: Submitted }));
        assert_eq!(app.status, Submitted, "a refused move changes nothing");
        app.review(UnderReview, 2, "admin:a", ReviewText::parse("looking").ok(), at(1)).unwrap();
        assert_eq!((app.status, app.notes.len(), app.updated_at), (UnderReview, 1, at(1)));

        app.documents.push(DocumentRef { upload_id: "upl_1".into(), status: ScanStatus::Pending });
        assert_eq!(app.review(Approved, 2, "admin:a", None, at(2)), Err(ReviewRefused::DocumentsNotClean));
        app.documents[0].status = ScanStatus::Clean;
        app.review(Approved, 2, "admin:a", None, at(2)).unwrap();
        assert_eq!(app.review(Rejected, 2, "admin:a", None, at(3)), Err(ReviewRefused::NotAllowed { from: Approved }));
    }

    #[test]
    fn only_a_pending_application_takes_its_code() {
        let mut pending = application(ApplicationStatus::Pending);
        assert_eq!(pending.check_code(&Digest::of(b"mac"), at(1)), Ok(()));
        let mut submitted = application(ApplicationStatus::Submitted);
        assert_eq!(submitted.check_code(&Digest::of(b"mac"), at(1)), Err(CodeRefused::Invalid));
    }
}
