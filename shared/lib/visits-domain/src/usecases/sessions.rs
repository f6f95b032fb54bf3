//! Video sessions and the waiting room, and the two ends of a visit: cancel and end. They live
//! together because they are what talks to the video provider.

use std::sync::Arc;

use super::captures::{StopReason, keep_stopped, stop_all, stop_unconsented};
use super::core::{Core, Draft, video_error};
use super::seats::{forget_seats, guest_fields, unseat_retired};
use crate::DomainError;
use crate::model::{
    AccessAction, AccessOutcome, AccessRecord, Accessor, Admitted, AuditKind, Caller, GuestId, Participant, Party,
    Provider, Reading, RequestInfo, Room, Session, Visit, VisitId,
};
use crate::ports::{Recorder, VideoError, VideoProvider};
use crate::rules::{JoinWindow, Relation, may_manage, may_view};
use crate::tokens::{Audience, Tokens};

/// What a patient gets when asking to join.
pub enum JoinOutcome {
    Ready(Session),
    /// The clinician has not started the session yet: ask again after this many seconds.
    Waiting {
        retry_after_seconds: u64,
    },
}

pub struct Sessions {
    core: Core,
    tokens: Arc<Tokens>,
    video: Arc<dyn VideoProvider>,
    recorder: Arc<dyn Recorder>,
}

impl Sessions {
    pub fn new(core: Core, tokens: Arc<Tokens>, video: Arc<dyn VideoProvider>, recorder: Arc<dyn Recorder>) -> Self {
        Self { core, tokens, video, recorder }
    }

    /// `POST /visits/{id}/session`: staff start (or rejoin) the session; the visit's patient
    /// goes through the waiting room. Entering is recorded as a read of the patient's visit, and
    /// so is a refused try; waiting is not.
    pub async fn start(
        &self,
        caller: &Caller,
        visit_id: &VisitId,
        seen_by: &RequestInfo,
    ) -> Result<JoinOutcome, DomainError> {
        let visit = self.core.load(visit_id).await?;
        let reading = self.core.reading(caller, seen_by);
        let (patient_id, visit_id) = (visit.patient_id().clone(), visit.id().clone());
        let record = |outcome| reading.of_visit(&patient_id, &visit_id, AccessAction::Join, outcome);
        let relation = match may_view(caller, &visit) {
            Ok(relation) => relation,
            Err(refusal) => {
                self.core.record_reads(&[record(AccessOutcome::Refused)]).await?;
                return Err(refusal);
            }
        };
        let outcome = match relation {
            Relation::ThePatient => self.join_as(visit, Admitted::Patient).await?,
            _ => JoinOutcome::Ready(self.start_as_staff(caller, visit).await?),
        };
        self.record_entry(&outcome, record(AccessOutcome::Allowed)).await?;
        Ok(outcome)
    }

    /// A session is about to leave: its entry into the patient's visit is recorded first.
    async fn record_entry(&self, outcome: &JoinOutcome, record: AccessRecord) -> Result<(), DomainError> {
        match outcome {
            JoinOutcome::Ready(_) => self.core.record_reads(&[record]).await,
            JoinOutcome::Waiting { .. } => Ok(()),
        }
    }

    /// `POST /join/session` with a session token from a redeemed link.
    pub async fn join_with_token(&self, token: &str, seen_by: &RequestInfo) -> Result<JoinOutcome, DomainError> {
        let (visit, who) = admitted_by(&self.core, &self.tokens, token).await?;
        if let Some(version) = &self.core.policy.telehealth_terms {
            let party = match &who {
                Admitted::Patient => Party::Patient,
                Admitted::Guest(id) => Party::Guest(id.clone()),
            };
            if !visit.accepted_terms(&party, version) && !visit.status().is_final() {
                return Err(DomainError::TermsNotAccepted(version.clone()));
            }
        }
        let actor = match &who {
            Admitted::Patient => Accessor::patient(visit.patient_id()),
            Admitted::Guest(guest) => Accessor::guest(guest),
        };
        let reading = Reading { actor, request: seen_by, at: self.core.now() };
        let record = reading.of_visit(visit.patient_id(), visit.id(), AccessAction::Join, AccessOutcome::Allowed);
        let outcome = self.join_as(visit, who).await?;
        self.record_entry(&outcome, record).await?;
        Ok(outcome)
    }

    async fn start_as_staff(&self, caller: &Caller, visit: Visit) -> Result<Session, DomainError> {
        if visit.status().is_final() {
            return Err(DomainError::Conflict(format!("the visit is {}", visit.status())));
        }
        self.ensure_in_window(&visit)?;
        let participant = Participant { user_id: caller.id.clone(), is_patient: false };
        let (room, session) = match visit.room() {
            Some(room) => match self.video.admit(&visit, room, &participant).await {
                Ok(session) => (room.clone(), session),
                // The provider ended the old room (Chime ends empty meetings): open a new one.
                Err(VideoError::RoomGone) => {
                    self.video.open_room_with(&visit, &participant).await.map_err(video_error)?
                }
                Err(error) => return Err(video_error(error)),
            },
            None => self.video.open_room_with(&visit, &participant).await.map_err(video_error)?,
        };
        let removed = unseat_retired(self.video.as_ref(), &visit, &room).await?;
        self.core
            .mutate_from(visit, &caller.actor(), |visit, draft| {
                let first_start = visit.session_started_at().is_none();
                let new_room = visit.room() != Some(&room);
                visit.start_session(room.clone(), draft.now)?;
                if first_start {
                    draft.record(AuditKind::SessionStarted, [("provider", provider_name(&room))]);
                } else if new_room {
                    draft.record(AuditKind::SessionRestarted, [("provider", provider_name(&room))]);
                }
                draft.record(AuditKind::ParticipantJoined, [("role", caller.role.as_str().to_owned())]);
                forget_seats(visit, draft, &removed);
                Ok(())
            })
            .await?;
        Ok(session)
    }

    /// Admits `who` once the clinician has started the session; until then they wait. The
    /// patient checks in (the waiting room) with the same write; a guest never checks the patient
    /// in, and joins Chime visits only.
    async fn join_as(&self, visit: Visit, who: Admitted) -> Result<JoinOutcome, DomainError> {
        if visit.status().is_final() {
            return Err(DomainError::VisitClosed(visit.status()));
        }
        self.ensure_in_window(&visit)?;
        let waiting = JoinOutcome::Waiting { retry_after_seconds: self.core.policy.waiting_retry_seconds };
        let (actor, participant) = match &who {
            Admitted::Patient => (
                format!("patient:{}", visit.patient_id()),
                Participant { user_id: visit.patient_id().clone(), is_patient: true },
            ),
            Admitted::Guest(id) => (format!("guest:{id}"), Participant { user_id: id.as_subject(), is_patient: false }),
        };
        let check_in = |visit: &mut Visit, draft: &mut Draft| -> Result<(), DomainError> {
            if participant.is_patient && visit.check_in_patient(draft.now)? {
                draft.record(AuditKind::PatientCheckedIn, []);
            }
            Ok(())
        };
        let Some(room) = visit.room().cloned() else {
            if participant.is_patient {
                self.core.mutate_from(visit, &actor, check_in).await?;
            }
            return Ok(waiting);
        };
        if !participant.is_patient && room.provider() != Provider::Chime {
            return Err(DomainError::Conflict("guests can join Chime visits only".into()));
        }
        // Seats of retired admissions go first: the participant's own seat is then a fresh one.
        let removed = unseat_retired(self.video.as_ref(), &visit, &room).await?;
        let session = match self.video.admit(&visit, &room, &participant).await {
            Ok(session) => session,
            // The room ended under us: wait until the clinician starts a new one.
            Err(VideoError::RoomGone) => {
                self.core
                    .mutate_from(visit, &actor, |visit, draft| {
                        check_in(visit, draft)?;
                        forget_seats(visit, draft, &removed);
                        visit.forget_room(&room);
                        Ok(())
                    })
                    .await?;
                return Ok(waiting);
            }
            Err(error) => return Err(video_error(error)),
        };
        let seat = session.attendee_id().map(str::to_owned);
        let take_seat = |visit: &mut Visit, now| match &who {
            Admitted::Patient => {
                visit.seat_patient(seat.clone());
                Some(vec![("role", "patient".to_owned())])
            }
            Admitted::Guest(id) => visit.seat_guest(id, seat.clone(), now).map(|guest| guest_fields(guest).to_vec()),
        };
        // A recording or transcription this participant has not agreed to stops before their
        // seat is handed out.
        let mut seated_visit = visit.clone();
        take_seat(&mut seated_visit, self.core.now());
        let stopped = stop_unconsented(self.recorder.as_ref(), &seated_visit).await?;
        let seated = self
            .core
            .mutate_from(visit, &actor, |visit, draft| {
                check_in(visit, draft)?;
                forget_seats(visit, draft, &removed);
                // A guest removed while the seat was being made: the seat goes below.
                let fields = take_seat(visit, draft.now).ok_or(DomainError::Unauthenticated)?;
                draft.record_all(AuditKind::ParticipantJoined, fields);
                keep_stopped(visit, draft, &stopped, StopReason::ConsentMissing);
                Ok(())
            })
            .await;
        if let (Err(DomainError::Unauthenticated), Some(seat)) = (&seated, &seat)
            && let Err(error) = self.video.remove_attendee(&room, seat).await
        {
            tracing::warn!(error = %error, "the seat of a guest removed meanwhile stays until the room closes");
        }
        seated?;
        Ok(JoinOutcome::Ready(session))
    }

    /// Ends the visit: the room is closed first, so a failure leaves the visit as it was.
    pub async fn end(&self, caller: &Caller, visit_id: &VisitId) -> Result<Visit, DomainError> {
        self.close(caller, visit_id, Visit::complete, AuditKind::VisitCompleted).await
    }

    /// Cancels the visit: its room closes and its unredeemed links stop working.
    pub async fn cancel(&self, caller: &Caller, visit_id: &VisitId) -> Result<Visit, DomainError> {
        self.close(caller, visit_id, Visit::cancel, AuditKind::VisitCancelled).await
    }

    /// Moves the visit to its end by `transition`, once what was being captured is stopped and
    /// kept and the room is closed: a failure on the way leaves the visit as it was.
    async fn close(
        &self,
        caller: &Caller,
        visit_id: &VisitId,
        transition: fn(&mut Visit, chrono::DateTime<chrono::Utc>) -> Result<(), DomainError>,
        kind: AuditKind,
    ) -> Result<Visit, DomainError> {
        let visit = self.core.load(visit_id).await?;
        may_manage(caller, &visit)?;
        transition(&mut visit.clone(), self.core.now())?;
        let stopped = stop_all(self.recorder.as_ref(), &visit).await?;
        self.close_room(&visit).await?;
        let (_, visit) = self
            .core
            .mutate_from(visit, &caller.actor(), |visit, draft| {
                keep_stopped(visit, draft, &stopped, StopReason::VisitClosed);
                transition(visit, draft.now)?;
                draft.record(kind, []);
                Ok(())
            })
            .await?;
        Ok(visit)
    }

    async fn close_room(&self, visit: &Visit) -> Result<(), DomainError> {
        match &visit.room() {
            None => Ok(()),
            Some(room) => match self.video.close_room(room).await {
                Ok(()) | Err(VideoError::RoomGone) => Ok(()),
                Err(error) => Err(video_error(error)),
            },
        }
    }

    fn ensure_in_window(&self, visit: &Visit) -> Result<(), DomainError> {
        let window = JoinWindow::of(visit, &self.core.policy);
        if window.contains(self.core.now()) {
            Ok(())
        } else {
            Err(DomainError::OutsideJoinWindow { opens_at: window.opens_at, closes_at: window.closes_at })
        }
    }
}

fn provider_name(room: &Room) -> String {
    match room {
        Room::Chime { .. } => "chime".into(),
        Room::Connect { .. } => "connect".into(),
    }
}

/// The visit a session token is for, and who holds it: the patient or a guest, by their newest
/// redemption. A token of an earlier redemption was retired by a newer one, and a removed
/// guest's is gone: both are 401, as is anything that is not a session token of this service.
pub(crate) async fn admitted_by(core: &Core, tokens: &Tokens, token: &str) -> Result<(Visit, Admitted), DomainError> {
    let verified =
        tokens.verify(token, Audience::Session, core.now()).await?.map_err(|_| DomainError::Unauthenticated)?;
    let visit = core.load(&verified.visit_id).await?;
    let who = if *visit.patient_id() == verified.subject {
        Admitted::Patient
    } else {
        Admitted::Guest(GuestId::parse(verified.subject.as_str()).map_err(|_| DomainError::Unauthenticated)?)
    };
    if !visit.admits(&who, &verified.token_id.digest()) {
        return Err(DomainError::Unauthenticated);
    }
    Ok((visit, who))
}
