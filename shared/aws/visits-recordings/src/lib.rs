//! What the capture pipelines left in the recordings bucket, under
//! `recordings/{visit}/{capture}/`: a recording's composited video (an MP4 with its audio),
//! handed out as a five-minute presigned GET; a transcription's messages (JSON lines, partial
//! results among them), read back as the final segments; and the audio Chime joins beside every
//! transcription, deleted once it is joined.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use visits_domain::model::{CaptureRun, Visit};
use visits_domain::ports::{CaptureFiles, Dependency, DependencyError, SpokenSegment};

/// How long a download link works.
pub const DOWNLOAD_LINK_LIFETIME: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// The bucket named by `RECORDING_BUCKET`.
pub fn from_env(config: &visits_aws::SdkConfig) -> Result<S3CaptureFiles, visits_aws::MissingSetting> {
    Ok(S3CaptureFiles { client: visits_aws::OnDemand::new(config), bucket: visits_aws::required("RECORDING_BUCKET")? })
}

pub struct S3CaptureFiles {
    client: visits_aws::OnDemand<Client>,
    bucket: String,
}

impl S3CaptureFiles {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self { client: visits_aws::OnDemand::built(client), bucket: bucket.into() }
    }

    fn client(&self) -> &Client {
        self.client.get(Client::new)
    }

    /// The keys under one artifact folder of a joined capture, in order.
    async fn keys(&self, visit: &Visit, run: &CaptureRun, folder: &str) -> Result<Vec<String>, DependencyError> {
        let prefix = format!("recordings/{}/{}/{folder}/", visit.id(), run.id);
        let listed =
            self.client().list_objects_v2().bucket(&self.bucket).prefix(prefix).send().await.map_err(s3_error)?;
        let mut keys: Vec<String> =
            listed.contents().iter().filter_map(|object| object.key().map(str::to_owned)).collect();
        keys.sort();
        Ok(keys)
    }
}

#[async_trait]
impl CaptureFiles for S3CaptureFiles {
    async fn download_url(&self, visit: &Visit, run: &CaptureRun) -> Result<String, DependencyError> {
        let keys = self.keys(visit, run, "composited-video").await?;
        let key = keys.first().ok_or_else(|| failed("the recording's file is missing"))?;
        let presigning = PresigningConfig::expires_in(DOWNLOAD_LINK_LIFETIME).map_err(failed)?;
        let request = self.client().get_object().bucket(&self.bucket).key(key).presigned(presigning).await;
        Ok(request.map_err(s3_error)?.uri().to_owned())
    }

    async fn transcript(&self, visit: &Visit, run: &CaptureRun) -> Result<Vec<SpokenSegment>, DependencyError> {
        let keys = self.keys(visit, run, "transcription-messages").await?;
        let files = keys.iter().map(|key| async move {
            let object = self.client().get_object().bucket(&self.bucket).key(key).send().await;
            let object = object.map_err(s3_error)?;
            let bytes = object.body.collect().await.map_err(failed)?.into_bytes();
            Ok::<_, DependencyError>(final_segments(&String::from_utf8_lossy(&bytes)))
        });
        Ok(futures::future::try_join_all(files).await?.into_iter().flatten().collect())
    }

    async fn discard_audio(&self, visit: &Visit, run: &CaptureRun) -> Result<(), DependencyError> {
        for key in self.keys(visit, run, "audio").await? {
            let deleted = self.client().delete_object().bucket(&self.bucket).key(key).send().await;
            deleted.map_err(s3_error)?;
        }
        Ok(())
    }
}

/// One line of Chime's transcription messages: a transcript event as the meeting's clients get it.
#[derive(Deserialize)]
struct Message {
    transcript: Option<TranscriptEvent>,
}

#[derive(Deserialize)]
struct TranscriptEvent {
    #[serde(default)]
    results: Vec<TranscriptResult>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TranscriptResult {
    is_partial: bool,
    start_time_ms: i64,
    #[serde(default)]
    alternatives: Vec<Alternative>,
}

#[derive(Deserialize)]
struct Alternative {
    transcript: String,
    #[serde(default)]
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    attendee: Option<Attendee>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attendee {
    external_user_id: String,
}

/// The final (not partial) results of a transcription-messages file, each by its first speaker.
/// A line that is not a transcript (a status message) is passed over.
pub fn final_segments(file: &str) -> Vec<SpokenSegment> {
    let results = file
        .lines()
        .filter_map(|line| serde_json::from_str::<Message>(line).ok()?.transcript)
        .flat_map(|event| event.results)
        .filter(|result| !result.is_partial);
    results
        .filter_map(|result| {
            let best = result.alternatives.into_iter().next()?;
            let speaker = best.items.iter().find_map(|item| item.attendee.as_ref())?.external_user_id.clone();
            let started_at: DateTime<Utc> = DateTime::from_timestamp_millis(result.start_time_ms)?;
            Some(SpokenSegment { external_user_id: speaker, started_at, text: best.transcript })
        })
        .collect()
}

fn s3_error<E>(error: SdkError<E, visits_aws::HttpResponse>) -> DependencyError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    visits_aws::SdkFailure::of("s3", &error).into_error(Dependency::Recorder)
}

fn failed(error: impl std::fmt::Display) -> DependencyError {
    DependencyError::failed(Dependency::Recorder, error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_final_results_are_kept_each_by_its_speaker() {
        let file = [
            r#"{"type":"TranscriptEvent","transcript":{"results":[{"isPartial":true,"startTimeMs":1000,"alternatives":[{"transcript":"Hel","items":[{"attendee":{"externalUserId":"p-1"}}]}]}]}}"#,
            r#"{"type":"TranscriptEvent","transcript":{"results":[{"isPartial":false,"startTimeMs":1000,"alternatives":[{"transcript":"Hello.","items":[{"attendee":{"externalUserId":"p-1"}}]}]}]}}"#,
            r#"{"type":"TranscriptionStatus","transcriptionStatus":{"type":"started"}}"#,
            "not json",
        ]
        .join("\n");
        let segments = final_segments(&file);
        assert_eq!(segments.len(), 1);
        assert_eq!(segments[0].external_user_id, "p-1");
        assert_eq!(segments[0].text, "Hello.");
        assert_eq!(segments[0].started_at.timestamp_millis(), 1000);
    }
}
