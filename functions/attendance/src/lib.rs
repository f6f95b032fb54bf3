//! `attendance`: follows Chime's events through EventBridge. Attendee events ("Chime Meeting
//! State Change": joined, left, dropped, the meeting's end) land in the visit's audit chain, and
//! the visit's attendance is worked out again. Media pipeline events ("Chime Media Pipeline State
//! Change") keep a recording's or transcription's status: available once its concatenation
//! finished, failed when a pipeline failed for good. A repeated or out-of-order event is safe; a
//! store that is down fails the invocation, so EventBridge's retry delivers it again.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use lambda_runtime::{Error, LambdaEvent};
use serde::{Deserialize, Serialize};
use visits_domain::model::{AttendeeEventKind, PipelineOutcome};
use visits_domain::usecases::{Attendances, AttendeeEvent, CaptureFollower, PipelineEvent};

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
    /// Set on media pipeline events.
    #[serde(default)]
    pub media_pipeline_id: Option<String>,
}

impl ChimeMeetingDetail {
    /// The attendee event this is; `None` for the kinds attendance does not follow (a meeting
    /// starting, video or content sharing), a media pipeline's attendee, or a detail without its
    /// meeting.
    pub fn attendee_event(&self) -> Option<AttendeeEvent> {
        let kind = AttendeeEventKind::from_chime(&self.event_type)?;
        // A media pipeline joins the meeting as an attendee of AWS's own (`aws:` ids are AWS's
        // alone): a recording is not someone present.
        if self.external_user_id.as_deref().is_some_and(|id| id.starts_with("aws:")) {
            return None;
        }
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

impl ChimeMeetingDetail {
    /// The pipeline event this is; `None` for a pipeline starting or failing for a while.
    pub fn pipeline_event(&self) -> Option<PipelineEvent> {
        let outcome = match self.event_type.as_str() {
            "chime:MediaPipelineDeleted" => PipelineOutcome::Finished,
            "chime:MediaPipelinePermanentFailure" => PipelineOutcome::Failed,
            _ => return None,
        };
        Some(PipelineEvent {
            external_meeting_id: self.external_meeting_id.clone()?,
            pipeline_id: self.media_pipeline_id.clone()?,
            outcome,
        })
    }
}

pub struct App {
    attendances: Attendances,
    captures: CaptureFollower,
}

impl App {
    pub fn new(attendances: Attendances, captures: CaptureFollower) -> Self {
        Self { attendances, captures }
    }
}

pub async fn handle(app: &App, event: LambdaEvent<EventBridgeEvent<ChimeMeetingDetail>>) -> Result<(), Error> {
    let detail = &event.payload.detail;
    if detail.media_pipeline_id.is_some() {
        let Some(pipeline_event) = detail.pipeline_event() else {
            tracing::info!(event_type = %detail.event_type, "not a pipeline's end");
            return Ok(());
        };
        let settled = app.captures.settle(&pipeline_event).await?;
        tracing::info!(event_type = %detail.event_type, settled, "capture");
        return Ok(());
    }
    let Some(attendee_event) = detail.attendee_event() else {
        tracing::info!(event_type = %detail.event_type, "not an attendance event");
        return Ok(());
    };
    let recorded = app.attendances.record(&attendee_event).await?;
    tracing::info!(event_type = %detail.event_type, recorded, "attendance");
    Ok(())
}
