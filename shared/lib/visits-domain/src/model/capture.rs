//! The rules a recording or a transcription of a visit follows (about eleven US states need every
//! party's consent to record): the clinic allows it, the session is on in Chime (a Connect
//! contact has no capture here), and everyone in the room has consented. Someone without consent
//! entering, or a consent withdrawn, stops it: [`Visit::missing_consent`] says who.

use super::{Party, Provider, Visit, VisitStatus};

/// What a capture keeps of the visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    Recording,
    Transcription,
}

impl Capture {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recording => "recording",
            Self::Transcription => "transcription",
        }
    }
}

/// Why a capture may not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureRefused {
    /// The clinic does not allow this capture.
    NotAllowed,
    /// Only while the session is in progress.
    NotInProgress,
    /// Connect visits are not captured here.
    Connect,
    /// These participants in the room have not consented.
    ConsentMissing(Vec<Party>),
}

impl Visit {
    /// Who is in the room now: the clinician once the session is on, the patient and each guest
    /// while they hold a seat.
    pub fn in_the_room(&self) -> Vec<Party> {
        if self.shown.status != VisitStatus::InProgress {
            return Vec::new();
        }
        let mut present = vec![Party::Clinician];
        if self.books.patient.attendee.is_some() {
            present.push(Party::Patient);
        }
        let guests = self.shown.guests.iter().filter(|guest| guest.access.attendee.is_some());
        present.extend(guests.map(|guest| Party::Guest(guest.id.clone())));
        present
    }

    /// Those in the room whose newest word does not agree to `capture`.
    pub fn missing_consent(&self, capture: Capture) -> Vec<Party> {
        let agrees = |party: &Party| {
            self.consent_of(party).is_some_and(|consent| match capture {
                Capture::Recording => consent.recording,
                Capture::Transcription => consent.transcription,
            })
        };
        self.in_the_room().into_iter().filter(|party| !agrees(party)).collect()
    }

    /// Whether `capture` may start now, the clinic allowing it or not.
    pub fn may_start(&self, capture: Capture, clinic_allows: bool) -> Result<(), CaptureRefused> {
        if !clinic_allows {
            return Err(CaptureRefused::NotAllowed);
        }
        if self.shown.provider == Provider::Connect {
            return Err(CaptureRefused::Connect);
        }
        if self.shown.status != VisitStatus::InProgress {
            return Err(CaptureRefused::NotInProgress);
        }
        match self.missing_consent(capture) {
            missing if missing.is_empty() => Ok(()),
            missing => Err(CaptureRefused::ConsentMissing(missing)),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::model::visit::tests::visit_at;
    use crate::model::{
        Attendee, ConsentGiven, Guest, GuestContact, GuestId, GuestRole, Meeting, NewGuest, Room, TermsVersion,
    };

    fn now() -> DateTime<Utc> {
        "2030-01-01T10:00:00Z".parse().unwrap()
    }

    fn agree(recording: bool, transcription: bool) -> ConsentGiven {
        ConsentGiven { telehealth_terms: Some(TermsVersion::parse("v1").unwrap()), recording, transcription }
    }

    fn started() -> Visit {
        let mut visit = visit_at(now());
        let _ = Attendee::default();
        let room = Room::Chime { meeting: Meeting { meeting_id: "m-1".into(), ..Meeting::default() } };
        visit.start_session(room, now()).unwrap();
        visit
    }

    #[test]
    fn everyone_in_the_room_must_agree_and_only_they() {
        let mut visit = started();
        assert_eq!(visit.may_start(Capture::Recording, false), Err(CaptureRefused::NotAllowed));
        assert_eq!(
            visit.may_start(Capture::Recording, true),
            Err(CaptureRefused::ConsentMissing(vec![Party::Clinician])),
            "the patient is not in the room yet: only the clinician must agree"
        );
        visit.give_consent(Party::Clinician, agree(true, false), now());
        assert_eq!(visit.may_start(Capture::Recording, true), Ok(()));
        assert_eq!(visit.missing_consent(Capture::Transcription), vec![Party::Clinician], "each capture its own word");

        // The patient takes a seat without consent: the recording must stop.
        visit.seat_patient(Some("seat-p".into()));
        assert_eq!(visit.missing_consent(Capture::Recording), vec![Party::Patient]);
        visit.give_consent(Party::Patient, agree(true, true), now());
        assert!(visit.missing_consent(Capture::Recording).is_empty());

        // A guest in the room counts too; one invited but not seated does not.
        let contact = GuestContact { phone: None, email: Some(crate::model::Email::parse("g@example.com").unwrap()) };
        let invited = NewGuest { role: GuestRole::Interpreter, display_name: None, contact };
        let guest = Guest::new(GuestId::from_random([3; 20]), invited, now());
        let id = guest.id.clone();
        visit.add_guest(guest, now()).unwrap();
        assert!(visit.missing_consent(Capture::Recording).is_empty());
        visit.seat_guest(&id, Some("seat-g".into()), now());
        assert_eq!(visit.missing_consent(Capture::Recording), vec![Party::Guest(id)]);

        // A withdrawal shows up the same way.
        visit.give_consent(Party::Patient, agree(false, true), now());
        assert!(visit.missing_consent(Capture::Recording).contains(&Party::Patient));
    }

    #[test]
    fn only_a_chime_session_in_progress_is_captured() {
        let visit = visit_at(now());
        assert_eq!(visit.may_start(Capture::Recording, true), Err(CaptureRefused::NotInProgress));
        assert!(visit.in_the_room().is_empty());
        let connect = crate::testing::edited(&started(), |listed| listed.provider = Provider::Connect);
        assert_eq!(connect.may_start(Capture::Transcription, true), Err(CaptureRefused::Connect));
    }
}
