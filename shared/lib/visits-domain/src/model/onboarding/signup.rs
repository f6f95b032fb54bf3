//! A patient signing up through the lander: who they say they are, the contact they prove with a
//! one-time code, and how far they got. A signup for a contact that already belongs to a patient
//! looks the same from outside (same answers, same limits), but no code of it ever works: that
//! person was told they already have an account.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Channel, CodeChallenge, CodeRefused, Digest, PatientContact, UserId};

crate::model::ids::random_id!(
    /// A signup's id: `sgn_` and 20 base32 characters (100 bits: not guessable).
    SignupId,
    "sgn_",
    "signup id"
);

/// A given or family name as the person typed it. PHI: `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > Self::MAX_CHARS || name.chars().any(char::is_control) {
            return Err(format!("must be 1 to {} printable characters", Self::MAX_CHARS));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonName {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<PersonName> for String {
    fn from(name: PersonName) -> String {
        name.0
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonName(<redacted>)")
    }
}

/// A date of birth: a real date, not in the future, at most 130 years back. PHI: `Debug` hides it.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateOfBirth(NaiveDate);

impl DateOfBirth {
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, String> {
        let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .ok()
            .filter(|_| raw.len() == 10)
            .ok_or("must be a date, YYYY-MM-DD")?;
        if date > today || today.year() - date.year() > 130 {
            return Err("must be a date of birth: not in the future, at most 130 years ago".into());
        }
        Ok(Self(date))
    }

    pub fn expose(&self) -> NaiveDate {
        self.0
    }
}

impl fmt::Debug for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DateOfBirth(<redacted>)")
    }
}

/// Who signs up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub given_name: PersonName,
    pub family_name: PersonName,
    pub date_of_birth: DateOfBirth,
}

/// Where a signup stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum SignupState {
    /// Codes are out; none has been entered right yet.
    Pending,
    /// The contact already belongs to a patient, who was told so: no code is ever accepted.
    KnownContact,
    /// The code was right and the patient exists.
    Verified {
        #[serde(rename = "patientId")]
        patient_id: UserId,
        at: DateTime<Utc>,
    },
    /// The lander booked the first visit with the signup token: the token is used up.
    Booked {
        #[serde(rename = "patientId")]
        patient_id: UserId,
        #[serde(rename = "visitId")]
        visit_id: crate::model::VisitId,
        at: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Signup {
    pub id: SignupId,
    pub person: Person,
    /// What the person gave; `channel` names the one the codes go to.
    pub contact: PatientContact,
    pub channel: Channel,
    pub challenge: CodeChallenge,
    pub state: SignupState,
    pub created_at: DateTime<Utc>,
    /// Bumped by every write; a write names the version it read.
    pub version: u64,
}

impl Signup {
    /// Checks a presented code's MAC. Only a pending signup can succeed; a known contact's signup
    /// counts wrong tries like any other, so the two cannot be told apart by their limits.
    pub fn check_code(&mut self, presented: &Digest, now: DateTime<Utc>) -> Result<(), CodeRefused> {
        match self.state {
            SignupState::Pending => self.challenge.check(presented, now),
            SignupState::KnownContact => {
                // Never the right code: the MAC of a code nobody was sent.
                let nobody = Digest::ZERO;
                self.challenge.check(&nobody, now).and(Err(CodeRefused::Invalid))
            }
            SignupState::Verified { .. } | SignupState::Booked { .. } => {
                self.challenge.check(presented, now).and(Err(CodeRefused::Invalid))
            }
        }
    }

    /// Records the patient the right code created.
    pub fn verified(&mut self, patient_id: UserId, now: DateTime<Utc>) {
        self.state = SignupState::Verified { patient_id, at: now };
    }

    /// This signup as it was read, written over `written` (a verification being undone): its
    /// code works again.
    pub fn restored_over(self, written: &Signup) -> Signup {
        Signup { version: written.version + 1, ..self }
    }

    /// The patient's first visit, booked with the signup token: only from `Verified`, for that
    /// patient. `None` when the token is used up or names someone else.
    pub fn booked(&self, patient_id: &UserId, visit_id: crate::model::VisitId, now: DateTime<Utc>) -> Option<Signup> {
        match &self.state {
            SignupState::Verified { patient_id: verified, .. } if verified == patient_id => Some(Signup {
                state: SignupState::Booked { patient_id: patient_id.clone(), visit_id, at: now },
                version: self.version + 1,
                ..self.clone()
            }),
            _ => None,
        }
    }

    /// The contact the person proved: the one the codes went to, nothing else they typed.
    pub fn verified_contact(&self) -> PatientContact {
        let display_name = crate::model::DisplayName::parse(&format!(
            "{} {}",
            self.person.given_name.expose(),
            self.person.family_name.expose()
        ))
        .ok();
        match self.channel {
            Channel::Sms => PatientContact { phone: self.contact.phone.clone(), email: None, display_name },
            Channel::Email => PatientContact { phone: None, email: self.contact.email.clone(), display_name },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Email;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_900_000_000 + seconds, 0).unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn signup(state: SignupState) -> Signup {
        Signup {
            id: SignupId::from_random([7; SignupId::RANDOM_BYTES]),
            person: Person {
                given_name: PersonName::parse("Pat").unwrap(),
                family_name: PersonName::parse("Example").unwrap(),
                date_of_birth: DateOfBirth::parse("1980-02-29", today()).unwrap(),
            },
            contact: PatientContact {
                phone: None,
                email: Some(Email::parse("pat@example.com").unwrap()),
                display_name: None,
            },
            channel: Channel::Email,
            challenge: CodeChallenge::first(Digest::of(b"123456"), at(0)),
            state,
            created_at: at(0),
            version: 1,
        }
    }

    #[test]
    fn ids_names_and_dates_validate() {
        let id = SignupId::from_random([0; SignupId::RANDOM_BYTES]);
        assert_eq!(SignupId::parse(id.as_str()), Ok(id));
        assert!(SignupId::parse("vis_aaaaaaaaaaaaaaaaaaaa").is_err());
        assert_eq!(PersonName::parse("  Pat ").unwrap().expose(), "Pat");
        for bad in ["", "   ", "Pat\nrick", &"x".repeat(101)] {
            assert!(PersonName::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(format!("{:?}", PersonName::parse("Pat").unwrap()), "PersonName(<redacted>)");
        assert!(DateOfBirth::parse("1980-02-29", today()).is_ok());
        for bad in ["1981-02-29", "2026-11-26", "1890-01-01", "1980-2-3", "29/02/1980", "+1980-02-29"] {
            assert!(DateOfBirth::parse(bad, today()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_a_verified_signup_books_and_only_once_with_only_the_proved_contact() {
        let patient = UserId::parse("p-1").unwrap();
        let visit = crate::model::VisitId::from_random([1; crate::model::VisitId::RANDOM_BYTES]);
        assert!(signup(SignupState::Pending).booked(&patient, visit.clone(), at(5)).is_none());
        assert!(signup(SignupState::KnownContact).booked(&patient, visit.clone(), at(5)).is_none());
        let mut verified = signup(SignupState::Verified { patient_id: patient.clone(), at: at(1) });
        verified.contact.phone = Some(crate::model::PhoneNumber::parse("+447911123456").unwrap());
        let other = UserId::parse("p-2").unwrap();
        assert!(verified.booked(&other, visit.clone(), at(5)).is_none(), "another patient's token");
        let booked = verified.booked(&patient, visit.clone(), at(5)).unwrap();
        assert_eq!(booked.version, verified.version + 1);
        assert!(booked.booked(&patient, visit, at(6)).is_none(), "used up");
        let contact = verified.verified_contact();
        assert_eq!(
            (contact.phone, contact.email.map(|e| e.expose().to_owned())),
            (None, Some("pat@example.com".into()))
        );
        assert_eq!(contact.display_name.unwrap().expose(), "Pat Example");
    }

    #[test]
    fn a_pending_signup_takes_its_code_once() {
        let mut pending = signup(SignupState::Pending);
        assert_eq!(pending.check_code(&Digest::of(b"123456"), at(1)), Ok(()));
        pending.verified(UserId::parse("b0000000-0000-4000-8000-000000000001").unwrap(), at(1));
        assert_eq!(pending.check_code(&Digest::of(b"123456"), at(2)), Err(CodeRefused::Invalid));
    }

    #[test]
    fn a_known_contacts_signup_refuses_every_code_and_locks_like_any_other() {
        let mut known = signup(SignupState::KnownContact);
        for _ in 0..5 {
            assert_eq!(known.check_code(&Digest::of(b"123456"), at(1)), Err(CodeRefused::Invalid));
        }
        assert!(matches!(known.check_code(&Digest::of(b"123456"), at(1)), Err(CodeRefused::Locked { .. })));
    }

    #[test]
    fn a_signup_reads_back_as_it_was_kept() {
        let kept = serde_json::to_string(&signup(SignupState::KnownContact)).unwrap();
        assert!(!kept.contains("123456"));
        assert_eq!(serde_json::from_str::<Signup>(&kept).unwrap(), signup(SignupState::KnownContact));
    }
}
