use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::DependencyError;
use crate::model::{Capture, CaptureId, CaptureRun, Meeting, StartedPipeline, Visit};

/// A line of a transcript as the provider kept it: who by their seat's external user id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpokenSegment {
    pub external_user_id: String,
    pub started_at: DateTime<Utc>,
    pub text: String,
}

/// Recording and transcribing a Chime meeting: Chime SDK media pipelines and its meeting
/// transcription (Transcribe Medical).
#[async_trait]
pub trait Recorder: Send + Sync {
    /// Starts `capture` of the visit's meeting; answers the provider's pipeline. Idempotent per
    /// `id`.
    async fn start(
        &self,
        visit: &Visit,
        meeting: &Meeting,
        capture: Capture,
        id: &CaptureId,
    ) -> Result<StartedPipeline, DependencyError>;
    /// Stops a running capture and has its pieces joined into one file; answers the joining
    /// pipeline's id. A capture already stopped (the meeting ended) is still joined.
    async fn stop(&self, visit: &Visit, meeting: &Meeting, run: &CaptureRun) -> Result<String, DependencyError>;
}

/// What the captures left: the files in the bucket.
#[async_trait]
pub trait CaptureFiles: Send + Sync {
    /// A short-lived link to an available recording's file.
    async fn download_url(&self, visit: &Visit, run: &CaptureRun) -> Result<String, DependencyError>;
    /// What an available transcription kept, in order.
    async fn transcript(&self, visit: &Visit, run: &CaptureRun) -> Result<Vec<SpokenSegment>, DependencyError>;
    /// Deletes the audio a transcription's pipeline had to capture too (Chime captures audio in
    /// every pipeline): consent to a transcript is not consent to a recording. Deleting what is
    /// already gone is no error.
    async fn discard_audio(&self, visit: &Visit, run: &CaptureRun) -> Result<(), DependencyError>;
}
