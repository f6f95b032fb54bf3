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

/// A scheduled video visit between one patient and one clinician: what it shows (the Visit JSON
/// and listings) and the bookkeeping behind it, changed only through its own methods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    #[serde(flatten)]
    pub(super) shown: ListedVisit,
    #[serde(flatten)]
    pub(super) books: Bookkeeping,
    /// Bumped by every write; a write names the version it read (optimistic locking).
    version: u64,
}

/// What a visit keeps that no listing shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bookkeeping {
    /// When an Amazon Connect contact flow first looked the visit up (the patient called in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) contact_connected_at: Option<DateTime<Utc>>,
    /// The live video room, once a clinician has started the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) room: Option<Room>,
    /// The patient's link, admission and seats, as each guest holds their own.
    #[serde(flatten, with = "patient_access")]
    pub(super) patient: Access,
    /// The reminders, nudge and no-show check that are not to run (again) for this time: done,
    /// or already past when the visit was booked or moved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) jobs_done: Vec<VisitJob>,
    /// When the clinician was told the patient is waiting: once per visit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) clinician_alerted_at: Option<DateTime<Utc>>,
    /// The video provider's attendee events, each kept once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) attendance_marks: Vec<AttendanceMark>,
    /// Its recordings and transcriptions, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) captures: Vec<super::CaptureRun>,
    /// The newest audit record of this visit, which the next one must point back to.
    pub(super) audit_head: AuditHead,
}

/// The patient's access keeps the names it had before participants were alike
/// (`patientAdmission`, `patientAttendee`), so items written before read the same.
mod patient_access {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::model::{Access, Digest, LiveCode};

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Kept {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        current_link: Option<Digest>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        live_code: Option<LiveCode>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        patient_admission: Option<Digest>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        patient_attendee: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        retired_attendees: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        resent_at: Vec<chrono::DateTime<chrono::Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resend_asked_at: Option<chrono::DateTime<chrono::Utc>>,
    }

    pub fn serialize<S: Serializer>(access: &Access, serializer: S) -> Result<S::Ok, S::Error> {
        let access = access.clone();
        Kept {
            current_link: access.current_link,
            live_code: access.live_code,
            patient_admission: access.admission,
            patient_attendee: access.attendee,
            retired_attendees: access.retired_attendees,
            resent_at: access.resent_at,
            resend_asked_at: access.resend_asked_at,
        }
        .serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Access, D::Error> {
        let kept = Kept::deserialize(deserializer)?;
        Ok(Access {
            current_link: kept.current_link,
            live_code: kept.live_code,
            admission: kept.patient_admission,
            attendee: kept.patient_attendee,
            retired_attendees: kept.retired_attendees,
            resent_at: kept.resent_at,
            resend_asked_at: kept.resend_asked_at,
        })
    }
}

/// What a new visit is booked with.
#[derive(Debug, Clone)]
pub struct Booking {
    pub id: VisitId,
    pub patient_id: UserId,
    pub clinician_id: UserId,
    pub scheduled_at: DateTime<Utc>,
    pub duration: DurationMinutes,
    pub provider: Provider,
    pub time_zone: TimeZone,
    pub patient_contact: Option<PatientContact>,
}

/// A visit as a listing shows it: what the Visit JSON holds, without the bookkeeping (room,
/// links, admissions, audit head, version). Stores keep it apart, so that an index holding it is
/// written only when it changes. A read copy: the visit changes only through [`Visit`].
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
    /// Each participant's newest word on the telehealth terms, recording and transcription.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<super::Consent>,
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
        &self.shown.patient_id
    }
    fn clinician_id(&self) -> &UserId {
        &self.shown.clinician_id
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
        super::time::later(self.shown.scheduled_at, self.shown.duration.as_duration())
    }

    /// A new visit, scheduled, not yet stored (version 0). The reminders already past are skipped.
    pub fn book(booking: Booking, now: DateTime<Utc>) -> Self {
        let shown = ListedVisit {
            id: booking.id,
            patient_id: booking.patient_id,
            clinician_id: booking.clinician_id,
            scheduled_at: booking.scheduled_at,
            duration: booking.duration,
            provider: booking.provider,
            status: VisitStatus::Scheduled,
            time_zone: booking.time_zone,
            patient_contact: booking.patient_contact,
            created_at: now,
            updated_at: now,
            patient_checked_in_at: None,
            session_started_at: None,
            guests: Vec::new(),
            attendance: Vec::new(),
            consents: Vec::new(),
        };
        let books =
            Bookkeeping { jobs_done: VisitJob::past_when_planned(booking.scheduled_at, now), ..Bookkeeping::default() };
        Self { shown, books, version: 0 }
    }

    /// A visit as a store kept it, in its two parts.
    pub fn from_parts(shown: ListedVisit, books: Bookkeeping, version: u64) -> Self {
        Self { shown, books, version }
    }

    /// The visit as a listing shows it.
    pub fn listed(&self) -> &ListedVisit {
        &self.shown
    }

    /// What the visit keeps that no listing shows.
    pub fn bookkeeping(&self) -> &Bookkeeping {
        &self.books
    }

    /// The version the next write makes (the first write makes 1).
    pub fn advance_version(&mut self) {
        self.version += 1;
    }

    /// Links an audit event onto the visit's chain and moves its head there.
    pub fn audit(
        &mut self,
        at: DateTime<Utc>,
        kind: super::AuditKind,
        actor: &str,
        data: std::collections::BTreeMap<String, String>,
    ) -> super::AuditRecord {
        let record = super::AuditRecord::after(self.books.audit_head, self.shown.id.clone(), at, kind, actor, data);
        self.books.audit_head = record.head();
        record
    }

    /// Keeps an attendee event once and works the attendance out again.
    pub fn record_attendance(&mut self, mark: AttendanceMark) -> super::MarkOutcome {
        if self.books.attendance_marks.contains(&mark) {
            return super::MarkOutcome::Repeated;
        }
        if self.books.attendance_marks.len() >= super::MAX_ATTENDANCE_MARKS {
            return super::MarkOutcome::Full;
        }
        self.books.attendance_marks.push(mark);
        self.shown.attendance = super::summarize_attendance(&self.books.attendance_marks);
        super::MarkOutcome::Kept
    }

    /// How an attendee's `ExternalUserId` names them in this visit's attendance.
    pub fn participant_named(&self, external_user_id: &str) -> String {
        if external_user_id == self.shown.patient_id.as_str() {
            "patient".into()
        } else if external_user_id == self.shown.clinician_id.as_str() {
            "clinician".into()
        } else if let Ok(guest) = GuestId::parse(external_user_id) {
            format!("guest:{guest}")
        } else {
            "staff".into()
        }
    }

    pub fn cancel(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.shown.status.is_final() {
            return Err(DomainError::Conflict(format!("the visit is already {}", self.shown.status)));
        }
        self.shown.status = VisitStatus::Cancelled;
        self.books.room = None;
        self.shown.updated_at = now;
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
        if self.shown.status != VisitStatus::Scheduled {
            return Err(DomainError::Conflict(format!("a visit that is {} cannot be moved", self.shown.status)));
        }
        self.shown.scheduled_at = at;
        self.shown.duration = duration;
        self.revoke_all_links();
        self.shown.updated_at = now;
        // The new time gets its own reminders; those already past are skipped.
        self.books.jobs_done = VisitJob::past_when_planned(self.shown.scheduled_at, now);
        Ok(())
    }

    /// The join window closed without a check-in: no-show, final; links and join tokens stop.
    pub fn mark_no_show(&mut self, now: DateTime<Utc>) {
        self.shown.status = VisitStatus::NoShow;
        self.revoke_all_links();
        self.shown.updated_at = now;
    }

    pub fn complete(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        match self.shown.status {
            VisitStatus::InProgress => {
                self.shown.status = VisitStatus::Completed;
                self.books.room = None;
                self.shown.updated_at = now;
                Ok(())
            }
            VisitStatus::Scheduled => Err(DomainError::Conflict("the session has not started".into())),
            done => Err(DomainError::Conflict(format!("the visit is already {done}"))),
        }
    }

    /// Records the started session. Starting again (after a drop) keeps the first start time.
    pub fn start_session(&mut self, room: Room, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.shown.status.is_final() {
            return Err(DomainError::Conflict(format!("the visit is {}", self.shown.status)));
        }
        self.shown.status = VisitStatus::InProgress;
        self.shown.session_started_at.get_or_insert(now);
        self.books.room = Some(room);
        self.shown.updated_at = now;
        Ok(())
    }

    /// Claims `job` for this time: false when it ran (or was skipped) already.
    pub fn claim_job(&mut self, job: VisitJob) -> bool {
        if self.books.jobs_done.contains(&job) {
            return false;
        }
        self.books.jobs_done.push(job);
        true
    }

    /// Whether the clinician was told the patient waits; at most once per visit.
    pub fn mark_clinician_alerted(&mut self, now: DateTime<Utc>) -> bool {
        if self.books.clinician_alerted_at.is_some() {
            return false;
        }
        self.books.clinician_alerted_at = Some(now);
        true
    }

    /// An Amazon Connect contact flow looked the visit up: the first time is kept.
    pub fn mark_contact_connected(&mut self, now: DateTime<Utc>) {
        self.books.contact_connected_at.get_or_insert(now);
    }

    /// The provider ended `room` (Chime ends empty meetings): the next start opens a new one.
    pub fn forget_room(&mut self, room: &Room) {
        if self.books.room.as_ref() == Some(room) {
            self.books.room = None;
        }
    }

    /// Puts the patient in the waiting room. Returns whether this is the first check-in.
    pub fn check_in_patient(&mut self, now: DateTime<Utc>) -> Result<bool, DomainError> {
        if self.shown.status.is_final() {
            return Err(DomainError::VisitClosed(self.shown.status));
        }
        if self.shown.patient_checked_in_at.is_some() {
            return Ok(false);
        }
        self.shown.patient_checked_in_at = Some(now);
        self.shown.updated_at = now;
        Ok(true)
    }
}

/// Reading a visit: every part, never a way to change one past the state machine.
impl Visit {
    pub fn id(&self) -> &VisitId {
        &self.shown.id
    }
    pub fn patient_id(&self) -> &UserId {
        &self.shown.patient_id
    }
    pub fn clinician_id(&self) -> &UserId {
        &self.shown.clinician_id
    }
    pub fn scheduled_at(&self) -> DateTime<Utc> {
        self.shown.scheduled_at
    }
    pub fn duration(&self) -> DurationMinutes {
        self.shown.duration
    }
    pub fn provider(&self) -> Provider {
        self.shown.provider
    }
    pub fn status(&self) -> VisitStatus {
        self.shown.status
    }
    /// The zone its times are shown in (messages, calendar); visits from before zones read as UTC.
    pub fn time_zone(&self) -> TimeZone {
        self.shown.time_zone
    }
    pub fn patient_contact(&self) -> Option<&PatientContact> {
        self.shown.patient_contact.as_ref()
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.shown.created_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.shown.updated_at
    }
    pub fn patient_checked_in_at(&self) -> Option<DateTime<Utc>> {
        self.shown.patient_checked_in_at
    }
    pub fn session_started_at(&self) -> Option<DateTime<Utc>> {
        self.shown.session_started_at
    }
    /// Caregivers and interpreters invited to the visit, at most [`Visit::MAX_GUESTS`].
    pub fn guests(&self) -> &[Guest] {
        &self.shown.guests
    }
    /// Who was in the meeting and for how long, from the attendee events.
    pub fn attendance(&self) -> &[Attendance] {
        &self.shown.attendance
    }
    pub fn attendance_marks(&self) -> &[AttendanceMark] {
        &self.books.attendance_marks
    }
    pub fn contact_connected_at(&self) -> Option<DateTime<Utc>> {
        self.books.contact_connected_at
    }
    pub fn room(&self) -> Option<&Room> {
        self.books.room.as_ref()
    }
    pub fn patient(&self) -> &Access {
        &self.books.patient
    }
    pub fn jobs_done(&self) -> &[VisitJob] {
        &self.books.jobs_done
    }
    pub fn clinician_alerted_at(&self) -> Option<DateTime<Utc>> {
        self.books.clinician_alerted_at
    }
    pub fn audit_head(&self) -> AuditHead {
        self.books.audit_head
    }
    pub fn version(&self) -> u64 {
        self.version
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
        assert_eq!(visit.shown.status, VisitStatus::InProgress);
        assert_eq!(visit.shown.session_started_at, Some(now()));
        let later = now() + Duration::minutes(5);
        visit.start_session(room(), later).unwrap();
        assert_eq!(visit.shown.session_started_at, Some(now()), "a restart keeps the first start");
        visit.complete(later).unwrap();
        assert_eq!(visit.shown.status, VisitStatus::Completed);
        assert!(visit.books.room.is_none());
    }

    #[test]
    fn a_visit_that_never_started_cannot_complete() {
        let mut visit = visit_at(now());
        assert!(matches!(visit.complete(now()), Err(DomainError::Conflict(_))));
        assert_eq!(visit.shown.status, VisitStatus::Scheduled);
    }

    #[test]
    fn final_states_are_final() {
        let mut visit = visit_at(now());
        visit.cancel(now()).unwrap();
        assert!(visit.cancel(now()).is_err());
        assert!(visit.start_session(room(), now()).is_err());
        assert!(matches!(visit.check_in_patient(now()), Err(DomainError::VisitClosed(VisitStatus::Cancelled))));
        assert_eq!(visit.shown.status, VisitStatus::Cancelled);
    }

    #[test]
    fn check_in_happens_once() {
        let mut visit = visit_at(now());
        assert!(visit.check_in_patient(now()).unwrap());
        assert!(!visit.check_in_patient(now() + Duration::minutes(1)).unwrap());
        assert_eq!(visit.shown.patient_checked_in_at, Some(now()));
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
