//! `attendance`: Chime's attendee events ("Chime Meeting State Change" through EventBridge:
//! joined, left, dropped, the meeting's end) land in the visit's audit chain, and the visit's
//! attendance is worked out again. A repeated or out-of-order event is safe; a store that is down
//! fails the invocation, so EventBridge's retry delivers it again.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use lambda_runtime::{Error, LambdaEvent};
use serde::{Deserialize, Serialize};
use visits_domain::model::AttendeeEventKind;
use visits_domain::usecases::{Attendances, AttendeeEvent};

/// The part of Chime's event detail we read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChimeMeetingDetail {
    pub event_type: String,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    #[serde(default)]
    pub meeting_id: Option<String>,
    #[serde(default)]
    pub external_meeting_id: Option<String>,
    #[serde(default)]
    pub attendee_id: Option<String>,
    #[serde(default)]
    pub external_user_id: Option<String>,
}

impl ChimeMeetingDetail {
    /// The attendee event this is; `None` for the kinds attendance does not follow (a meeting
    /// starting, video or content sharing) or a detail without its meeting.
    pub fn attendee_event(&self) -> Option<AttendeeEvent> {
        let kind = AttendeeEventKind::from_chime(&self.event_type)?;
        Some(AttendeeEvent {
            kind,
            external_meeting_id: self.external_meeting_id.clone()?,
            meeting_id: self.meeting_id.clone(),
            attendee_id: self.attendee_id.clone(),
            external_user_id: self.external_user_id.clone(),
            at: DateTime::<Utc>::from_timestamp_millis(self.timestamp)?,
        })
    }
}

pub struct App {
    attendances: Attendances,
}

impl App {
    pub fn new(attendances: Attendances) -> Self {
        Self { attendances }
    }
}

pub async fn handle(app: &App, event: LambdaEvent<EventBridgeEvent<ChimeMeetingDetail>>) -> Result<(), Error> {
    let detail = &event.payload.detail;
    let Some(attendee_event) = detail.attendee_event() else {
        tracing::info!(event_type = %detail.event_type, "not an attendance event");
        return Ok(());
    };
    let recorded = app.attendances.record(&attendee_event).await?;
    tracing::info!(event_type = %detail.event_type, recorded, "attendance");
    Ok(())
}
