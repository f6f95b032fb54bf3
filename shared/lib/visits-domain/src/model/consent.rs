//! The consent ledger: what each participant of a visit agreed to (the clinic's telehealth terms
//! by version, recording, transcription), given before or during the visit and withdrawn by
//! giving it again without. The newest word of each participant is the one that counts; every
//! word lands on the visit's audit chain.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{GuestId, Visit};

/// A version of the clinic's telehealth terms: 1 to 40 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TermsVersion(String);

impl TermsVersion {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if (1..=40).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be 1 to 40 visible ASCII characters".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TermsVersion {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<TermsVersion> for String {
    fn from(version: TermsVersion) -> String {
        version.0
    }
}

/// Who gave a consent: the patient, the clinician, or a guest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Party {
    Patient,
    Clinician,
    Guest(GuestId),
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Patient => f.write_str("patient"),
            Self::Clinician => f.write_str("clinician"),
            Self::Guest(id) => write!(f, "guest:{id}"),
        }
    }
}

impl Party {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "patient" => Some(Self::Patient),
            "clinician" => Some(Self::Clinician),
            _ => raw.strip_prefix("guest:").and_then(|id| GuestId::parse(id).ok()).map(Self::Guest),
        }
    }
}

impl Serialize for Party {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Party {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).ok_or_else(|| serde::de::Error::custom(format!("not a participant: {raw}")))
    }
}

/// What a participant says, all of it at once: the terms version they accept (if any), and
/// whether they agree to be recorded and transcribed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentGiven {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub telehealth_terms: Option<TermsVersion>,
    pub recording: bool,
    pub transcription: bool,
}

/// A participant's newest word, as the visit keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub participant: Party,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telehealth_terms: Option<TermsVersion>,
    pub recording: bool,
    pub transcription: bool,
    pub at: DateTime<Utc>,
}

impl Visit {
    /// Every participant's newest word.
    pub fn consents(&self) -> &[Consent] {
        &self.shown.consents
    }

    pub fn consent_of(&self, party: &Party) -> Option<&Consent> {
        self.shown.consents.iter().find(|consent| consent.participant == *party)
    }

    /// Keeps `given` as `party`'s word; an earlier one of theirs is replaced. Answers whether it
    /// changed anything (the same word again changes nothing).
    pub fn give_consent(&mut self, party: Party, given: ConsentGiven, now: DateTime<Utc>) -> bool {
        if let Some(earlier) = self.consent_of(&party)
            && earlier.telehealth_terms == given.telehealth_terms
            && earlier.recording == given.recording
            && earlier.transcription == given.transcription
        {
            return false;
        }
        self.shown.consents.retain(|consent| consent.participant != party);
        self.shown.consents.push(Consent {
            participant: party,
            telehealth_terms: given.telehealth_terms,
            recording: given.recording,
            transcription: given.transcription,
            at: now,
        });
        self.shown.updated_at = now;
        true
    }

    /// Whether `party`'s newest word accepts terms `version`.
    pub fn accepted_terms(&self, party: &Party, version: &TermsVersion) -> bool {
        self.consent_of(party).is_some_and(|consent| consent.telehealth_terms.as_ref() == Some(version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::visit::tests::visit_at;

    fn now() -> DateTime<Utc> {
        "2030-01-01T10:00:00Z".parse().unwrap()
    }

    fn given(terms: Option<&str>, recording: bool) -> ConsentGiven {
        ConsentGiven {
            telehealth_terms: terms.map(|t| TermsVersion::parse(t).unwrap()),
            recording,
            transcription: false,
        }
    }

    #[test]
    fn the_newest_word_counts_and_the_same_word_again_changes_nothing() {
        let mut visit = visit_at(now());
        let v1 = TermsVersion::parse("2026-11").unwrap();
        assert!(visit.give_consent(Party::Patient, given(Some("2026-11"), true), now()));
        assert!(visit.accepted_terms(&Party::Patient, &v1));
        assert!(!visit.give_consent(Party::Patient, given(Some("2026-11"), true), now()), "no change");
        assert!(visit.give_consent(Party::Patient, given(Some("2026-11"), false), now()), "withdrawn");
        assert_eq!(visit.consents().len(), 1);
        assert!(!visit.consents()[0].recording);
        assert!(!visit.accepted_terms(&Party::Clinician, &v1));
    }

    #[test]
    fn parties_and_versions_read_as_they_are_written() {
        let guest = GuestId::from_random([7; 20]);
        for party in [Party::Patient, Party::Clinician, Party::Guest(guest)] {
            assert_eq!(Party::parse(&party.to_string()), Some(party));
        }
        assert!(Party::parse("guest:nope").is_none());
        assert!(TermsVersion::parse("").is_err() && TermsVersion::parse("a b").is_err());
        assert!(TermsVersion::parse(&"v".repeat(41)).is_err());
    }
}
