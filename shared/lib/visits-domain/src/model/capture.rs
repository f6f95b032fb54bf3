//! The rules a recording or a transcription of a visit follows (about eleven US states need every
//! party's consent to record): the clinic allows it, the session is on in Chime (a Connect
//! contact has no capture here), and everyone in the room has consented. Someone without consent
//! entering, or a consent withdrawn, stops it: [`Visit::missing_consent`] says who.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::random_id;
use super::{Party, Provider, Visit, VisitStatus};

/// What a capture keeps of the visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

random_id!(
    /// A recording's (or transcription's) id: `rec_` and 20 base32 characters.
    CaptureId,
    "rec_",
    "recording id"
);

/// Where a capture is: running, then joined into one file by the provider, then kept or lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureStatus {
    Recording,
    Processing,
    Available,
    Failed,
}

impl CaptureStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recording => "recording",
            Self::Processing => "processing",
            Self::Available => "available",
            Self::Failed => "failed",
        }
    }
}

/// One recording or transcription of the visit, from start to its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureRun {
    pub id: CaptureId,
    pub capture: Capture,
    /// The provider's capture pipeline.
    pub pipeline_id: String,
    /// Its full name (an ARN), which joining its pieces needs.
    #[serde(default)]
    pub pipeline_arn: String,
    /// The provider's pipeline that joins the captured pieces into one file, once stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concatenation_id: Option<String>,
    pub status: CaptureStatus,
    pub started_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
}

impl CaptureRun {
    /// A capture the provider has just started.
    pub fn started(id: CaptureId, capture: Capture, pipeline: StartedPipeline, now: DateTime<Utc>) -> Self {
        Self {
            id,
            capture,
            pipeline_id: pipeline.id,
            pipeline_arn: pipeline.arn,
            concatenation_id: None,
            status: CaptureStatus::Recording,
            started_at: now,
            ended_at: None,
        }
    }
}

/// A pipeline the provider started: its id (which its events carry) and its full name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedPipeline {
    pub id: String,
    pub arn: String,
}

/// What the provider said of a pipeline (Chime's "Chime Media Pipeline State Change").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipelineOutcome {
    /// It finished: a concatenation's file is written.
    Finished,
    /// It failed for good.
    Failed,
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

    /// The visit's recordings and transcriptions, oldest first.
    pub fn captures(&self) -> &[CaptureRun] {
        &self.books.captures
    }

    /// The `capture` running now, if any.
    pub fn capture_running(&self, capture: Capture) -> Option<&CaptureRun> {
        self.books.captures.iter().find(|run| run.capture == capture && run.status == CaptureStatus::Recording)
    }

    /// The captures running that someone in the room has not agreed to.
    pub fn captures_to_stop(&self) -> Vec<&CaptureRun> {
        let running = self.books.captures.iter().filter(|run| run.status == CaptureStatus::Recording);
        running.filter(|run| !self.missing_consent(run.capture).is_empty()).collect()
    }

    /// Keeps a capture the provider has started.
    pub fn begin_capture(&mut self, id: CaptureId, capture: Capture, pipeline: StartedPipeline, now: DateTime<Utc>) {
        self.books.captures.push(CaptureRun::started(id, capture, pipeline, now));
    }

    /// Marks a running capture stopped, its pieces being joined by `concatenation_id`. False when
    /// it was not running.
    pub fn end_capture(&mut self, id: &CaptureId, concatenation_id: String, now: DateTime<Utc>) -> bool {
        let running =
            self.books.captures.iter_mut().find(|run| &run.id == id && run.status == CaptureStatus::Recording);
        let Some(run) = running else { return false };
        run.status = CaptureStatus::Processing;
        run.concatenation_id = Some(concatenation_id);
        run.ended_at = Some(now);
        true
    }

    /// Applies what the provider said of `pipeline_id`: a finished concatenation makes its
    /// capture available; a failure of either pipeline fails it. Answers the capture changed.
    pub fn settle_capture(
        &mut self,
        pipeline_id: &str,
        outcome: PipelineOutcome,
        now: DateTime<Utc>,
    ) -> Option<CaptureRun> {
        let run = self
            .books
            .captures
            .iter_mut()
            .find(|run| run.pipeline_id == pipeline_id || run.concatenation_id.as_deref() == Some(pipeline_id))?;
        let joined = run.concatenation_id.as_deref() == Some(pipeline_id);
        let next = match outcome {
            PipelineOutcome::Finished if joined => CaptureStatus::Available,
            // The capture pipeline ending is expected; only its concatenation's end matters.
            PipelineOutcome::Finished => return None,
            PipelineOutcome::Failed => CaptureStatus::Failed,
        };
        if matches!(run.status, CaptureStatus::Available | CaptureStatus::Failed) || run.status == next {
            return None;
        }
        run.status = next;
        run.ended_at.get_or_insert(now);
        Some(run.clone())
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
    fn a_capture_is_kept_once_its_pieces_are_joined_or_lost_when_a_pipeline_fails() {
        let mut visit = started();
        let pipeline =
            |id: &str| StartedPipeline { id: id.into(), arn: format!("arn:aws:chime:::media-pipeline/{id}") };
        let (first, second) = (CaptureId::from_random([1; 20]), CaptureId::from_random([2; 20]));
        visit.begin_capture(first.clone(), Capture::Recording, pipeline("cap-1"), now());
        visit.begin_capture(second.clone(), Capture::Transcription, pipeline("cap-2"), now());
        assert!(visit.capture_running(Capture::Recording).is_some());

        assert!(visit.end_capture(&first, "join-1".into(), now()));
        assert!(!visit.end_capture(&first, "join-1".into(), now()), "stopped once");
        assert_eq!(
            visit.settle_capture("cap-1", PipelineOutcome::Finished, now()),
            None,
            "the capture's own end is expected"
        );
        let kept = visit.settle_capture("join-1", PipelineOutcome::Finished, now()).expect("joined");
        assert_eq!((kept.id, kept.status), (first, CaptureStatus::Available));
        assert_eq!(visit.settle_capture("join-1", PipelineOutcome::Finished, now()), None, "a repeated event");
        assert_eq!(visit.settle_capture("join-1", PipelineOutcome::Failed, now()), None, "available stays available");

        // A capture pipeline failing while running loses it, and ends it.
        let lost = visit.settle_capture("cap-2", PipelineOutcome::Failed, now()).expect("failed");
        assert_eq!((lost.status, lost.ended_at), (CaptureStatus::Failed, Some(now())));
        assert!(visit.capture_running(Capture::Transcription).is_none());
        assert_eq!(visit.settle_capture("someone-elses", PipelineOutcome::Failed, now()), None);
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
