//! The visit and its state machine: scheduled → in_progress → completed, and → cancelled.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{
    Access, Attendance, AttendanceMark, AuditHead, Guest, GuestId, PatientContact, Room, TimeZone, UserId, VisitId,
    VisitJob,
};
use crate::DomainError;

/// A visit's length: 5 to 240 minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct DurationMinutes(u32);

impl DurationMinutes {
    pub const MIN: u32 = 5;
    pub const MAX: u32 = 240;

    pub fn new(minutes: u32) -> Result<Self, String> {
        if (Self::MIN..=Self::MAX).contains(&minutes) {
            Ok(Self(minutes))
        } else {
            Err(format!("must be between {} and {} minutes", Self::MIN, Self::MAX))
        }
    }

    pub fn minutes(self) -> u32 {
        self.0
    }

    pub fn as_duration(self) -> Duration {
        Duration::minutes(i64::from(self.0))
    }
}

impl TryFrom<u32> for DurationMinutes {
    type Error = String;
    fn try_from(minutes: u32) -> Result<Self, String> {
        Self::new(minutes)
    }
}

impl From<DurationMinutes> for u32 {
    fn from(d: DurationMinutes) -> u32 {
        d.0
    }
}

/// Which video service hosts the visit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    #[default]
    Chime,
    Connect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitStatus {
    Scheduled,
    InProgress,
    Completed,
    Cancelled,
    /// The join window closed without the patient checking in.
    NoShow,
}

impl VisitStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::NoShow => "no_show",
        }
    }

    /// Completed, cancelled and no-show visits never change again.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Cancelled | Self::NoShow)
    }
}

impl fmt::Display for VisitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A scheduled video visit between one patient and one clinician.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Visit {
    pub id: VisitId,
    pub patient_id: UserId,
    pub clinician_id: UserId,
    pub scheduled_at: DateTime<Utc>,
    pub duration: DurationMinutes,
    pub provider: Provider,
    pub status: VisitStatus,
    /// The zone its times are shown in (messages, calendar); visits from before zones read as UTC.
    #[serde(default)]
    pub time_zone: TimeZone,
    pub patient_contact: Option<PatientContact>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub patient_checked_in_at: Option<DateTime<Utc>>,
    pub session_started_at: Option<DateTime<Utc>>,
    /// Caregivers and interpreters invited to the visit, at most [`Visit::MAX_GUESTS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guests: Vec<Guest>,
    /// Who was in the meeting and for how long, from `attendance_marks`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendance: Vec<Attendance>,
    /// The video provider's attendee events, each kept once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendance_marks: Vec<AttendanceMark>,
    /// When an Amazon Connect contact flow first looked the visit up (the patient called in).
    #[serde(default)]
    pub contact_connected_at: Option<DateTime<Utc>>,
    /// The live video room, once a clinician has started the session.
    pub room: Option<Room>,
    /// The patient's link, admission and seats, as each guest holds their own.
    #[serde(flatten)]
    pub patient: Access,
    /// The reminders, nudge and no-show check that are not to run (again) for this time: done,
    /// or already past when the visit was booked or moved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jobs_done: Vec<VisitJob>,
    /// When the clinician was told the patient is waiting: once per visit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinician_alerted_at: Option<DateTime<Utc>>,
    /// The newest audit record of this visit, which the next one must point back to.
    pub audit_head: AuditHead,
    /// Bumped by every write; a write names the version it read (optimistic locking).
    pub version: u64,
}

/// A visit as a listing shows it: what the Visit JSON holds, without the bookkeeping (room,
/// links, admissions, audit head, version). Stores keep it apart, so that an index holding it is
/// written only when it changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedVisit {
    pub id: VisitId,
    pub patient_id: UserId,
    pub clinician_id: UserId,
    pub scheduled_at: DateTime<Utc>,
    pub duration: DurationMinutes,
    pub provider: Provider,
    pub status: VisitStatus,
    #[serde(default)]
    pub time_zone: TimeZone,
    pub patient_contact: Option<PatientContact>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub patient_checked_in_at: Option<DateTime<Utc>>,
    pub session_started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guests: Vec<Guest>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendance: Vec<Attendance>,
}

impl ListedVisit {
    pub fn ends_at(&self) -> DateTime<Utc> {
        super::time::later(self.scheduled_at, self.duration.as_duration())
    }
}

/// Who takes part in a visit, whichever form it is read in.
pub trait Parties {
    fn patient_id(&self) -> &UserId;
    fn clinician_id(&self) -> &UserId;
}

impl Parties for Visit {
    fn patient_id(&self) -> &UserId {
        &self.patient_id
    }
    fn clinician_id(&self) -> &UserId {
        &self.clinician_id
    }
}

impl Parties for ListedVisit {
    fn patient_id(&self) -> &UserId {
        &self.patient_id
    }
    fn clinician_id(&self) -> &UserId {
        &self.clinician_id
    }
}

impl Visit {
    pub fn ends_at(&self) -> DateTime<Utc> {
        super::time::later(self.scheduled_at, self.duration.as_duration())
    }

    /// The visit as a listing shows it.
    pub fn listed(&self) -> ListedVisit {
        ListedVisit {
            id: self.id.clone(),
            patient_id: self.patient_id.clone(),
            clinician_id: self.clinician_id.clone(),
            scheduled_at: self.scheduled_at,
            duration: self.duration,
            provider: self.provider,
            status: self.status,
            time_zone: self.time_zone,
            patient_contact: self.patient_contact.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            patient_checked_in_at: self.patient_checked_in_at,
            session_started_at: self.session_started_at,
            guests: self.guests.clone(),
            attendance: self.attendance.clone(),
        }
    }

    /// Keeps an attendee event once and works the attendance out again.
    pub fn record_attendance(&mut self, mark: AttendanceMark) -> super::MarkOutcome {
        if self.attendance_marks.contains(&mark) {
            return super::MarkOutcome::Repeated;
        }
        if self.attendance_marks.len() >= super::MAX_ATTENDANCE_MARKS {
            return super::MarkOutcome::Full;
        }
        self.attendance_marks.push(mark);
        self.attendance = super::summarize_attendance(&self.attendance_marks);
        super::MarkOutcome::Kept
    }

    /// How an attendee's `ExternalUserId` names them in this visit's attendance.
    pub fn participant_named(&self, external_user_id: &str) -> String {
        if external_user_id == self.patient_id.as_str() {
            "patient".into()
        } else if external_user_id == self.clinician_id.as_str() {
            "clinician".into()
        } else if let Ok(guest) = GuestId::parse(external_user_id) {
            format!("guest:{guest}")
        } else {
            "staff".into()
        }
    }

    pub fn cancel(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.status.is_final() {
            return Err(DomainError::Conflict(format!("the visit is already {}", self.status)));
        }
        self.status = VisitStatus::Cancelled;
        self.room = None;
        self.updated_at = now;
        Ok(())
    }

    /// Moves a scheduled visit to `at` (and `duration`): its links and the patient's admission
    /// stop working, as they name the old time; a fresh link goes out with the new one.
    pub fn reschedule(
        &mut self,
        at: DateTime<Utc>,
        duration: DurationMinutes,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        if self.status != VisitStatus::Scheduled {
            return Err(DomainError::Conflict(format!("a visit that is {} cannot be moved", self.status)));
        }
        self.scheduled_at = at;
        self.duration = duration;
        self.revoke_all_links();
        self.updated_at = now;
        // The new time gets its own reminders; those already past are skipped.
        self.jobs_done = VisitJob::past_when_planned(self.scheduled_at, now);
        Ok(())
    }

    /// The join window closed without a check-in: no-show, final; links and join tokens stop.
    pub fn mark_no_show(&mut self, now: DateTime<Utc>) {
        self.status = VisitStatus::NoShow;
        self.revoke_all_links();
        self.updated_at = now;
    }

    pub fn complete(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        match self.status {
            VisitStatus::InProgress => {
                self.status = VisitStatus::Completed;
                self.room = None;
                self.updated_at = now;
                Ok(())
            }
            VisitStatus::Scheduled => Err(DomainError::Conflict("the session has not started".into())),
            done => Err(DomainError::Conflict(format!("the visit is already {done}"))),
        }
    }

    /// Records the started session. Starting again (after a drop) keeps the first start time.
    pub fn start_session(&mut self, room: Room, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.status.is_final() {
            return Err(DomainError::Conflict(format!("the visit is {}", self.status)));
        }
        self.status = VisitStatus::InProgress;
        self.session_started_at.get_or_insert(now);
        self.room = Some(room);
        self.updated_at = now;
        Ok(())
    }

    /// Claims `job` for this time: false when it ran (or was skipped) already.
    pub fn claim_job(&mut self, job: VisitJob) -> bool {
        if self.jobs_done.contains(&job) {
            return false;
        }
        self.jobs_done.push(job);
        true
    }

    /// Whether the clinician was told the patient waits; at most once per visit.
    pub fn mark_clinician_alerted(&mut self, now: DateTime<Utc>) -> bool {
        if self.clinician_alerted_at.is_some() {
            return false;
        }
        self.clinician_alerted_at = Some(now);
        true
    }

    /// The provider ended `room` (Chime ends empty meetings): the next start opens a new one.
    pub fn forget_room(&mut self, room: &Room) {
        if self.room.as_ref() == Some(room) {
            self.room = None;
        }
    }

    /// Puts the patient in the waiting room. Returns whether this is the first check-in.
    pub fn check_in_patient(&mut self, now: DateTime<Utc>) -> Result<bool, DomainError> {
        if self.status.is_final() {
            return Err(DomainError::VisitClosed(self.status));
        }
        if self.patient_checked_in_at.is_some() {
            return Ok(false);
        }
        self.patient_checked_in_at = Some(now);
        self.updated_at = now;
        Ok(true)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Attendee, Meeting};

    pub fn visit_at(scheduled_at: DateTime<Utc>) -> Visit {
        let id = VisitId::parse("vis_abcdefghijklmnopqrst").unwrap();
        crate::testing::scheduled_visit(id, "patient-1", "clinician-1", scheduled_at)
    }

    fn room() -> Room {
        let _ = Attendee::default();
        Room::Chime { meeting: Meeting { meeting_id: "m-1".into(), ..Meeting::default() } }
    }

    fn now() -> DateTime<Utc> {
        "2030-01-01T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn duration_is_bounded() {
        assert!(DurationMinutes::new(4).is_err());
        assert!(DurationMinutes::new(5).is_ok());
        assert!(DurationMinutes::new(240).is_ok());
        assert!(DurationMinutes::new(241).is_err());
    }

    #[test]
    fn scheduled_visit_starts_then_completes() {
        let mut visit = visit_at(now());
        visit.start_session(room(), now()).unwrap();
        assert_eq!(visit.status, VisitStatus::InProgress);
        assert_eq!(visit.session_started_at, Some(now()));
        let later = now() + Duration::minutes(5);
        visit.start_session(room(), later).unwrap();
        assert_eq!(visit.session_started_at, Some(now()), "a restart keeps the first start");
        visit.complete(later).unwrap();
        assert_eq!(visit.status, VisitStatus::Completed);
        assert!(visit.room.is_none());
    }

    #[test]
    fn a_visit_that_never_started_cannot_complete() {
        let mut visit = visit_at(now());
        assert!(matches!(visit.complete(now()), Err(DomainError::Conflict(_))));
        assert_eq!(visit.status, VisitStatus::Scheduled);
    }

    #[test]
    fn final_states_are_final() {
        let mut visit = visit_at(now());
        visit.cancel(now()).unwrap();
        assert!(visit.cancel(now()).is_err());
        assert!(visit.start_session(room(), now()).is_err());
        assert!(matches!(visit.check_in_patient(now()), Err(DomainError::VisitClosed(VisitStatus::Cancelled))));
        assert_eq!(visit.status, VisitStatus::Cancelled);
    }

    #[test]
    fn check_in_happens_once() {
        let mut visit = visit_at(now());
        assert!(visit.check_in_patient(now()).unwrap());
        assert!(!visit.check_in_patient(now() + Duration::minutes(1)).unwrap());
        assert_eq!(visit.patient_checked_in_at, Some(now()));
    }

    #[test]
    fn a_job_is_claimed_once_and_an_alert_sent_once() {
        let now: DateTime<Utc> = "2030-01-01T10:00:00Z".parse().unwrap();
        let mut visit = visit_at(now);
        assert!(visit.claim_job(VisitJob::ALL[0]));
        assert!(!visit.claim_job(VisitJob::ALL[0]), "a job runs once");
        assert!(visit.mark_clinician_alerted(now));
        assert!(!visit.mark_clinician_alerted(now), "one alert per visit");
    }
}
