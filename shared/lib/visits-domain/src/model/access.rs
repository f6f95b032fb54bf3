//! Who saw what: one record for each read of a patient's data, kept by patient, written before
//! the data leaves (HIPAA 164.312(b) audit controls; the patient's access report).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Caller, UserId, VisitId};

/// How long an access record is kept at the least: six years (HIPAA's documentation retention).
pub const ACCESS_RECORD_LIFETIME: Duration = Duration::days(6 * 366);

/// What was done with the patient's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessAction {
    List,
    Read,
    Download,
    Join,
    ScreenPop,
    AuditRead,
    AccessLogRead,
}

impl AccessAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::List => "list",
            Self::Read => "read",
            Self::Download => "download",
            Self::Join => "join",
            Self::ScreenPop => "screen_pop",
            Self::AuditRead => "audit_read",
            Self::AccessLogRead => "access_log_read",
        }
    }
}

/// Whether the data left: a refused attempt (403, or 404 on a visit that exists) is recorded too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessOutcome {
    Allowed,
    Refused,
}

/// Who read: a signed-in person (by role), a guest or patient through their join token, or an
/// Amazon Connect contact flow. An opaque id, never a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Accessor {
    pub id: String,
    /// `admin`, `clinician`, `patient`, `guest` or `connect`.
    pub role: String,
    /// The app client the caller's token was issued to, when it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
}

impl Accessor {
    pub fn caller(caller: &Caller, request: &RequestInfo) -> Self {
        Self { id: caller.id.to_string(), role: caller.role.as_str().into(), client: request.client.clone() }
    }

    pub fn guest(id: &impl ToString) -> Self {
        Self { id: id.to_string(), role: "guest".into(), client: None }
    }

    pub fn patient(id: &UserId) -> Self {
        Self { id: id.to_string(), role: "patient".into(), client: None }
    }

    pub fn contact_flow() -> Self {
        Self { id: "connect".into(), role: "connect".into(), client: None }
    }
}

/// What the edge knows of a request: its id, the app client of its token, and the source
/// address (kept for the privacy officer, never shown in the report).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestInfo {
    pub request_id: String,
    pub client: Option<String>,
    pub source_ip: Option<String>,
}

/// One read of one patient's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessRecord {
    pub patient_id: UserId,
    pub at: DateTime<Utc>,
    pub actor: Accessor,
    pub action: AccessAction,
    /// What was read, as a path of the API: `visits/{id}`, `uploads/{id}`, `patients/{id}/access-log`.
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_id: Option<VisitId>,
    pub outcome: AccessOutcome,
    pub request_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
}

impl AccessRecord {
    /// The record's place in its patient's log: time order, then the request and the resource,
    /// so that a request writing for many resources writes each once.
    pub fn sort_key(&self) -> String {
        format!("{}#{}#{}", self.at.format("%Y-%m-%dT%H:%M:%S%.6fZ"), self.request_id, self.resource)
    }

    /// When the store may let it go: never before six years have passed.
    pub fn keep_until(&self) -> DateTime<Utc> {
        super::time::later(self.at, ACCESS_RECORD_LIFETIME)
    }
}

/// A read of the data in `resource` (of `patient_id`, in `visit_id`), by `actor`, as `request` says.
pub struct Reading<'a> {
    pub actor: Accessor,
    pub request: &'a RequestInfo,
    pub at: DateTime<Utc>,
}

impl Reading<'_> {
    pub fn record(
        &self,
        patient_id: &UserId,
        action: AccessAction,
        resource: String,
        visit_id: Option<&VisitId>,
        outcome: AccessOutcome,
    ) -> AccessRecord {
        AccessRecord {
            patient_id: patient_id.clone(),
            at: self.at,
            actor: self.actor.clone(),
            action,
            resource,
            visit_id: visit_id.cloned(),
            outcome,
            request_id: self.request.request_id.clone(),
            source_ip: self.request.source_ip.clone(),
        }
    }
}
