//! Chime SDK media pipelines and meeting transcription, as the stand-in plays them: a capture
//! pipeline runs until deleted; a concatenation pipeline "joins" at once, writing what the real
//! one would to the bucket named in its sink (a few bytes of MP4 for the audio and the composited
//! video, and a transcription-messages file whose lines are final results spoken by the meeting's
//! attendees), and leaves the "Chime Media Pipeline State Change" event that says it finished.

use hyper::StatusCode;
use serde_json::{Value, json};

use crate::{Reply, StandIn, error, id, no_content, reply};

/// Bytes a player would call an MP4's start: enough for a test to tell the file arrived.
const TINY_MP4: &[u8] = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom";

impl StandIn {
    pub(crate) fn create_capture_pipeline(&self, input: &Value) -> Reply {
        let (Some(source), Some(sink), Some(token)) =
            (input["SourceArn"].as_str(), input["SinkArn"].as_str(), input["ClientRequestToken"].as_str())
        else {
            return error(
                StatusCode::BAD_REQUEST,
                "BadRequestException",
                "SourceArn, SinkArn and ClientRequestToken are required.",
            );
        };
        if input["SseAwsKeyManagementParams"]["AwsKmsKeyId"].is_string() && input["SinkIamRoleArn"].as_str().is_none() {
            return error(StatusCode::BAD_REQUEST, "BadRequestException", "SinkIamRoleArn is required with SSE-KMS.");
        }
        let meeting_id = source.rsplit('/').next().unwrap_or_default().to_owned();
        let mut state = self.state();
        if !state.meetings.contains_key(&meeting_id) {
            return error(StatusCode::NOT_FOUND, "NotFoundException", "The meeting does not exist.");
        }
        if let Some(pipeline) = state.pipeline_tokens.get(token).and_then(|id| state.pipelines.get(id)) {
            return reply(StatusCode::CREATED, &json!({ "MediaCapturePipeline": pipeline }));
        }
        let pipeline_id = id();
        let pipeline = json!({
            "MediaPipelineId": pipeline_id,
            "MediaPipelineArn": format!("arn:aws:chime:us-east-1:000000000000:media-pipeline/{pipeline_id}"),
            "SourceType": "ChimeSdkMeeting",
            "SourceArn": source,
            "SinkType": "S3Bucket",
            "SinkArn": sink,
            "Status": "InProgress",
            "ChimeSdkMeetingConfiguration": input["ChimeSdkMeetingConfiguration"],
            "MeetingId": meeting_id,
        });
        state.pipeline_tokens.insert(token.to_owned(), pipeline_id.clone());
        state.pipelines.insert(pipeline_id, pipeline.clone());
        reply(StatusCode::CREATED, &json!({ "MediaCapturePipeline": pipeline }))
    }

    pub(crate) fn delete_capture_pipeline(&self, pipeline_id: &str) -> Reply {
        let mut state = self.state();
        match state.pipelines.get_mut(pipeline_id) {
            Some(pipeline) if pipeline["Status"] == "InProgress" => {
                pipeline["Status"] = json!("Stopped");
                no_content()
            }
            _ => error(StatusCode::NOT_FOUND, "NotFoundException", "The media pipeline does not exist."),
        }
    }

    pub(crate) async fn create_concatenation_pipeline(&self, input: &Value) -> Reply {
        let source = &input["Sources"][0]["MediaCapturePipelineSourceConfiguration"];
        let (Some(capture_arn), Some(destination)) = (
            source["MediaPipelineArn"].as_str(),
            input["Sinks"][0]["S3BucketSinkConfiguration"]["Destination"].as_str(),
        ) else {
            return error(StatusCode::BAD_REQUEST, "BadRequestException", "Sources and Sinks are required.");
        };
        let capture = {
            let state = self.state();
            state.pipelines.values().find(|p| p["MediaPipelineArn"] == capture_arn).cloned()
        };
        let Some(capture) = capture else {
            return error(StatusCode::NOT_FOUND, "NotFoundException", "The media capture pipeline does not exist.");
        };
        let Some((bucket, prefix)) = destination.strip_prefix("arn:aws:s3:::").and_then(|rest| rest.split_once('/'))
        else {
            return error(
                StatusCode::BAD_REQUEST,
                "BadRequestException",
                "Destination must be an S3 bucket ARN with a prefix.",
            );
        };
        let artifacts = &source["ChimeSdkMeetingConfiguration"]["ArtifactsConfiguration"];
        let enabled = |name: &str| artifacts[name]["State"] == "Enabled";
        let meeting_id = capture["MeetingId"].as_str().unwrap_or_default();
        let mut files = vec![(format!("{prefix}/audio/joined.mp4"), TINY_MP4.to_vec())];
        if enabled("CompositedVideo") {
            files.push((format!("{prefix}/composited-video/joined.mp4"), TINY_MP4.to_vec()));
        }
        if enabled("TranscriptionMessages") {
            files.push((
                format!("{prefix}/transcription-messages/joined.txt"),
                self.transcript_lines(meeting_id).into_bytes(),
            ));
        }
        if let Err(message) = self.write_files(bucket, files).await {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "ServiceFailureException", &message);
        }
        let pipeline_id = id();
        let pipeline = json!({
            "MediaPipelineId": pipeline_id,
            "MediaPipelineArn": format!("arn:aws:chime:us-east-1:000000000000:media-pipeline/{pipeline_id}"),
            "Sources": input["Sources"],
            "Sinks": input["Sinks"],
            "Status": "Stopped",
        });
        let external = {
            let state = self.state();
            state.meetings.get(meeting_id).map(|m| m["ExternalMeetingId"].clone()).unwrap_or(Value::Null)
        };
        let event = json!({
            "version": "0",
            "id": id(),
            "detail-type": "Chime Media Pipeline State Change",
            "source": "aws.chime",
            "account": "000000000000",
            "time": "2030-01-01T00:00:00Z",
            "region": "us-east-1",
            "resources": [],
            "detail": {
                "version": "0",
                "eventType": "chime:MediaPipelineDeleted",
                "timestamp": 0,
                "meetingId": meeting_id,
                "externalMeetingId": external,
                "mediaPipelineId": pipeline_id,
            },
        });
        let mut state = self.state();
        state.concatenations.insert(pipeline_id, pipeline.clone());
        state.pipeline_events.push(event);
        reply(StatusCode::CREATED, &json!({ "MediaConcatenationPipeline": pipeline }))
    }

    pub(crate) fn transcription(&self, meeting_id: &str, operation: Option<&str>, input: &Value) -> Reply {
        let mut state = self.state();
        if !state.meetings.contains_key(meeting_id) {
            return error(StatusCode::NOT_FOUND, "NotFoundException", "The meeting does not exist.");
        }
        match operation {
            Some("operation=start") => {
                let medical = &input["TranscriptionConfiguration"]["EngineTranscribeMedicalSettings"];
                if medical["LanguageCode"] != "en-US" || !medical["Specialty"].is_string() {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "BadRequestException",
                        "Medical settings need en-US and a specialty.",
                    );
                }
                state.transcriptions.insert(meeting_id.to_owned(), medical.clone());
                no_content()
            }
            Some("operation=stop") => {
                state.transcriptions.remove(meeting_id);
                no_content()
            }
            _ => error(StatusCode::BAD_REQUEST, "BadRequestException", "operation must be start or stop."),
        }
    }

    /// One final result per attendee of the meeting, as Chime's transcription messages carry it.
    fn transcript_lines(&self, meeting_id: &str) -> String {
        let state = self.state();
        let mut speakers: Vec<&Value> =
            state.attendees.iter().filter(|((meeting, _), _)| meeting == meeting_id).map(|(_, a)| a).collect();
        speakers.sort_by_key(|attendee| attendee["ExternalUserId"].as_str().map(str::to_owned));
        let start = 1_893_456_000_000_i64; // 2030-01-01T00:00:00Z
        speakers
            .iter()
            .enumerate()
            .map(|(n, attendee)| {
                let time = start + 3_000 * n as i64;
                json!({
                    "type": "Transcript",
                    "transcript": { "results": [{
                        "resultId": id(),
                        "isPartial": false,
                        "startTimeMs": time,
                        "endTimeMs": time + 2_000,
                        "alternatives": [{
                            "transcript": format!("Stand-in line {}.", n + 1),
                            "items": [{ "content": "line", "attendee": {
                                "attendeeId": attendee["AttendeeId"],
                                "externalUserId": attendee["ExternalUserId"],
                            }}],
                        }],
                    }]},
                })
                .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    async fn write_files(&self, bucket: &str, files: Vec<(String, Vec<u8>)>) -> Result<(), String> {
        let Some(s3) = &self.s3 else { return Ok(()) };
        for (key, body) in files {
            s3.put_object()
                .bucket(bucket)
                .key(key)
                .body(body.into())
                .send()
                .await
                .map_err(|e| aws_sdk_s3::error::DisplayErrorContext(e).to_string())?;
        }
        Ok(())
    }

    /// The pipeline events since last asked, as EventBridge would deliver them.
    pub fn take_pipeline_events(&self) -> Vec<Value> {
        std::mem::take(&mut self.state().pipeline_events)
    }
}
