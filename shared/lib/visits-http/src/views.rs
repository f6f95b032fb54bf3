//! The contract's JSON shapes of domain values.

use chrono::{DateTime, Utc};
use serde::Serialize;
use visits_domain::model::{
    Attendance, Consent, DisplayName, Guest, GuestRole, ListedVisit, PatientContact, Provider, VisitStatus,
};
use visits_domain::rules::Relation;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitView<'a> {
    pub visit_id: &'a str,
    pub patient_id: &'a str,
    pub clinician_id: &'a str,
    pub scheduled_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub provider: Provider,
    pub status: VisitStatus,
    pub time_zone: &'static str,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_checked_in_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_started_at: Option<DateTime<Utc>>,
    /// Staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_contact: Option<&'a PatientContact>,
    /// Staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guests: Option<Vec<GuestView<'a>>>,
    /// Once anyone has joined the meeting.
    #[serde(skip_serializing_if = "<[Attendance]>::is_empty")]
    pub attendance: &'a [Attendance],
    /// Staff only: each participant's newest word on the terms, recording and transcription.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consents: Option<&'a [Consent]>,
}

/// A guest as staff see them on the visit: never their contact.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuestView<'a> {
    pub guest_id: &'a str,
    pub role: GuestRole,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<&'a DisplayName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joined_at: Option<DateTime<Utc>>,
}

impl<'a> GuestView<'a> {
    fn new(guest: &'a Guest) -> Self {
        Self {
            guest_id: guest.id.as_str(),
            role: guest.role,
            display_name: guest.display_name.as_ref(),
            joined_at: guest.joined_at,
        }
    }
}

impl<'a> VisitView<'a> {
    /// The visit as `relation` may see it: the patient does not get the contact block back.
    pub fn new(visit: &'a ListedVisit, relation: Relation) -> Self {
        let staff = matches!(relation, Relation::Admin | Relation::TheClinician);
        Self {
            visit_id: visit.id.as_str(),
            patient_id: visit.patient_id.as_str(),
            clinician_id: visit.clinician_id.as_str(),
            scheduled_at: visit.scheduled_at,
            duration_minutes: visit.duration.minutes(),
            provider: visit.provider,
            status: visit.status,
            time_zone: visit.time_zone.name(),
            created_at: visit.created_at,
            updated_at: visit.updated_at,
            patient_checked_in_at: visit.patient_checked_in_at,
            session_started_at: visit.session_started_at,
            patient_contact: visit.patient_contact.as_ref().filter(|_| staff),
            guests: staff.then(|| visit.guests.iter().map(GuestView::new).collect()),
            attendance: &visit.attendance,
            consents: staff.then_some(visit.consents.as_slice()),
        }
    }
}

/// A recording (or transcription) as the API shows it: started, stopped, or listed with a link
/// to its file once available.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureRunView<'a> {
    recording_id: &'a str,
    status: &'static str,
    started_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ended_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    download_url: Option<&'a str>,
}

impl<'a> CaptureRunView<'a> {
    pub fn new(run: &'a visits_domain::model::CaptureRun, download_url: Option<&'a str>) -> Self {
        Self {
            recording_id: run.id.as_str(),
            status: run.status.as_str(),
            started_at: run.started_at,
            ended_at: run.ended_at,
            download_url,
        }
    }
}
