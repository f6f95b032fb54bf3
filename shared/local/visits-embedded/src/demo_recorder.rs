//! Demo mode's media pipelines: a recording is a second of silence and a transcription two
//! synthetic lines, spoken by whoever holds a seat in the meeting when it stops. Joining the
//! pieces finishes at once, and the demo video emits the "Chime Media Pipeline State Change"
//! event that says so, which demo mode hands to the follower as EventBridge would. The files are
//! kept by the local storage, and a recording downloads through its short-lived signed link.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Duration;
use visits_domain::model::{Capture, CaptureId, CaptureRun, Meeting, StartedPipeline, Visit};
use visits_domain::ports::{CaptureFiles, Clock, Dependency, DependencyError, ObjectStorage, Recorder, SpokenSegment};

use crate::demo_video::random_uuid;
use crate::{DemoVideo, LocalStorage};

/// How long a download link works.
pub const DOWNLOAD_LINK_LIFETIME: Duration = Duration::minutes(5);

pub struct DemoRecorder {
    video: Arc<DemoVideo>,
    storage: Arc<LocalStorage>,
    clock: Arc<dyn Clock>,
}

impl DemoRecorder {
    pub fn new(video: Arc<DemoVideo>, storage: Arc<LocalStorage>, clock: Arc<dyn Clock>) -> Self {
        Self { video, storage, clock }
    }
}

/// Where a capture's file is kept, by visit and id (never a name).
fn file_key(visit: &Visit, run: &CaptureRun) -> String {
    let file = match run.capture {
        Capture::Recording => "recording.wav",
        Capture::Transcription => "transcript.json",
    };
    format!("recordings/{}/{}/{file}", visit.id(), run.id)
}

fn storage_failed(error: impl std::fmt::Display) -> DependencyError {
    DependencyError::failed(Dependency::Recorder, error.to_string())
}

#[async_trait]
impl Recorder for DemoRecorder {
    async fn start(
        &self,
        _visit: &Visit,
        meeting: &Meeting,
        _capture: Capture,
        _id: &CaptureId,
    ) -> Result<StartedPipeline, DependencyError> {
        if !self.video.is_live(&meeting.meeting_id) {
            return Err(storage_failed("the meeting has ended"));
        }
        let id = random_uuid();
        Ok(StartedPipeline { arn: format!("arn:aws:chime:us-east-1:000000000000:media-pipeline/{id}"), id })
    }

    async fn stop(&self, visit: &Visit, meeting: &Meeting, run: &CaptureRun) -> Result<String, DependencyError> {
        let file = match run.capture {
            Capture::Recording => silence_wav(),
            Capture::Transcription => {
                let speakers = self.video.seated_in(&meeting.meeting_id);
                serde_json::to_vec(&synthetic_transcript(&speakers, run.started_at)).map_err(storage_failed)?
            }
        };
        self.storage.store_and_scan(&file_key(visit, run), &file).map_err(storage_failed)?;
        let concatenation_id = random_uuid();
        self.video.pipeline_finished(meeting, &concatenation_id);
        Ok(concatenation_id)
    }
}

#[async_trait]
impl CaptureFiles for DemoRecorder {
    async fn download_url(&self, visit: &Visit, run: &CaptureRun) -> Result<String, DependencyError> {
        let now = self.clock.now();
        self.storage.presigned_get(&file_key(visit, run), now, now + DOWNLOAD_LINK_LIFETIME).await
    }

    async fn transcript(&self, visit: &Visit, run: &CaptureRun) -> Result<Vec<SpokenSegment>, DependencyError> {
        let file = self.storage.read(&file_key(visit, run)).map_err(storage_failed)?;
        let lines: Vec<(String, chrono::DateTime<chrono::Utc>, String)> =
            serde_json::from_slice(&file).map_err(storage_failed)?;
        Ok(lines
            .into_iter()
            .map(|(external_user_id, started_at, text)| SpokenSegment { external_user_id, started_at, text })
            .collect())
    }

    /// The demo keeps no audio beside a transcript.
    async fn discard_audio(&self, _visit: &Visit, _run: &CaptureRun) -> Result<(), DependencyError> {
        Ok(())
    }
}

/// Two lines a visit starts with, the first seat asking and the next answering.
fn synthetic_transcript(
    speakers: &[String],
    from: chrono::DateTime<chrono::Utc>,
) -> Vec<(String, chrono::DateTime<chrono::Utc>, String)> {
    const LINES: [&str; 2] = ["Hello, can you hear me?", "Yes, I can hear you clearly."];
    speakers
        .iter()
        .zip(LINES)
        .enumerate()
        .map(|(n, (speaker, text))| (speaker.clone(), from + Duration::seconds(2 + 3 * n as i64), text.to_owned()))
        .collect()
}

/// One second of 8 kHz, 16-bit mono silence: a file any player opens.
fn silence_wav() -> Vec<u8> {
    const RATE: u32 = 8_000;
    let data_len = RATE * 2;
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes()); // the format chunk's size
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&RATE.to_le_bytes());
    wav.extend_from_slice(&(RATE * 2).to_le_bytes()); // bytes per second
    wav.extend_from_slice(&2u16.to_le_bytes()); // bytes per frame
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    wav.resize(44 + data_len as usize, 0);
    wav
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recording_is_a_whole_wav_file() {
        let wav = silence_wav();
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(u32::from_le_bytes(wav[4..8].try_into().unwrap()) as usize, wav.len() - 8);
        assert_eq!(u32::from_le_bytes(wav[40..44].try_into().unwrap()) as usize, wav.len() - 44);
    }
}
