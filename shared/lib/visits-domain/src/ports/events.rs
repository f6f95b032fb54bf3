use super::DependencyError;
use async_trait::async_trait;
use serde::Serialize;

use crate::model::{UserId, VisitId};

/// The `source` of every event the system publishes (EventBridge in AWS).
pub const EVENT_SOURCE: &str = "video-visits";

/// What desks and other subscribers are told. The detail holds ids only: never a name, a
/// contact or anything about health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishedEvent {
    /// The patient checked in and the session has not started.
    PatientWaiting { visit_id: VisitId, clinician_id: UserId },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PatientWaitingDetail<'a> {
    visit_id: &'a VisitId,
    clinician_id: &'a UserId,
}

impl PublishedEvent {
    /// EventBridge's `detail-type`.
    pub fn detail_type(&self) -> &'static str {
        match self {
            Self::PatientWaiting { .. } => "Patient waiting",
        }
    }

    /// EventBridge's `detail`, as JSON.
    pub fn detail(&self) -> String {
        match self {
            Self::PatientWaiting { visit_id, clinician_id } => {
                serde_json::to_string(&PatientWaitingDetail { visit_id, clinician_id }).unwrap_or_default()
            }
        }
    }
}

/// Where events go (an EventBridge bus in AWS; memory in demo mode).
#[async_trait]
pub trait EventPublisher: Send + Sync {
    async fn publish(&self, event: &PublishedEvent) -> Result<(), DependencyError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patient_waiting_carries_the_two_ids_and_nothing_else() {
        let event = PublishedEvent::PatientWaiting {
            visit_id: VisitId::parse("vis_abcdefghijklmnopqrst").unwrap(),
            clinician_id: UserId::parse("c-1").unwrap(),
        };
        assert_eq!(event.detail_type(), "Patient waiting");
        let detail: serde_json::Value = serde_json::from_str(&event.detail()).unwrap();
        assert_eq!(detail, serde_json::json!({"visitId": "vis_abcdefghijklmnopqrst", "clinicianId": "c-1"}));
    }
}
