//! Recording and transcribing a Chime SDK meeting. A capture is a media capture pipeline writing
//! five-second pieces to `captures/{visit}/{capture}/` of the recordings bucket (SSE-KMS with the
//! bucket's key, through the sink role); stopping it creates the concatenation pipeline that
//! joins them into `recordings/{visit}/{capture}/` once the capture has ended. A recording keeps
//! the audio with the composited video (one MP4); a transcription also runs Chime's meeting
//! transcription with Transcribe Medical (`en-US`, the specialty `TRANSCRIPTION_SPECIALTY`), and
//! keeps the transcription messages. The pieces expire by the bucket's lifecycle.

use async_trait::async_trait;
use aws_sdk_chimesdkmediapipelines::Client;
use aws_sdk_chimesdkmediapipelines::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_chimesdkmediapipelines::types::{
    ArtifactsConcatenationConfiguration, ArtifactsConcatenationState, ArtifactsConfiguration, ArtifactsState,
    AudioArtifactsConcatenationState, AudioArtifactsConfiguration, AudioConcatenationConfiguration, AudioMuxType,
    ChimeSdkMeetingConcatenationConfiguration, ChimeSdkMeetingConfiguration, CompositedVideoArtifactsConfiguration,
    CompositedVideoConcatenationConfiguration, ConcatenationSink, ConcatenationSinkType, ConcatenationSource,
    ConcatenationSourceType, ContentArtifactsConfiguration, ContentConcatenationConfiguration,
    DataChannelConcatenationConfiguration, LayoutOption, MediaCapturePipelineSourceConfiguration,
    MediaPipelineSinkType, MediaPipelineSourceType, MeetingEventsConcatenationConfiguration, ResolutionOption,
    S3BucketSinkConfiguration, SseAwsKeyManagementParams, TranscriptionMessagesConcatenationConfiguration,
    VideoArtifactsConfiguration, VideoConcatenationConfiguration,
};
use aws_sdk_chimesdkmeetings::types::{
    EngineTranscribeMedicalSettings, TranscribeMedicalLanguageCode, TranscribeMedicalRegion,
    TranscribeMedicalSpecialty, TranscribeMedicalType, TranscriptionConfiguration,
};
use visits_domain::model::{Capture, CaptureId, CaptureRun, Meeting, StartedPipeline, Visit};
use visits_domain::ports::{Dependency, DependencyError, Recorder};

/// The bucket (`RECORDING_BUCKET`), its key (`RECORDING_KMS_KEY_ARN`), the role the pipelines
/// write with (`RECORDING_SINK_ROLE_ARN`) and the specialty (`TRANSCRIPTION_SPECIALTY`,
/// `PRIMARYCARE` unless set).
pub fn from_env(config: &visits_aws::SdkConfig) -> Result<ChimeRecorder, visits_aws::MissingSetting> {
    let specialty = std::env::var("TRANSCRIPTION_SPECIALTY").unwrap_or_else(|_| "PRIMARYCARE".into());
    let specialty = parse_specialty(&specialty).ok_or(visits_aws::MissingSetting("TRANSCRIPTION_SPECIALTY"))?;
    Ok(ChimeRecorder {
        pipelines: visits_aws::OnDemand::new(config),
        meetings: visits_aws::OnDemand::new(config),
        sink: Sink {
            bucket: visits_aws::required("RECORDING_BUCKET")?,
            kms_key_arn: visits_aws::required("RECORDING_KMS_KEY_ARN")?,
            role_arn: visits_aws::required("RECORDING_SINK_ROLE_ARN")?,
        },
        specialty,
    })
}

/// One of Transcribe Medical's specialties, as the API spells it (`PRIMARYCARE`, `CARDIOLOGY`…).
pub fn parse_specialty(raw: &str) -> Option<TranscribeMedicalSpecialty> {
    TranscribeMedicalSpecialty::values().contains(&raw).then(|| TranscribeMedicalSpecialty::from(raw))
}

/// Where the pipelines write, and how.
#[derive(Debug, Clone)]
pub struct Sink {
    pub bucket: String,
    pub kms_key_arn: String,
    pub role_arn: String,
}

pub struct ChimeRecorder {
    pipelines: visits_aws::OnDemand<Client>,
    meetings: visits_aws::OnDemand<aws_sdk_chimesdkmeetings::Client>,
    sink: Sink,
    specialty: TranscribeMedicalSpecialty,
}

impl ChimeRecorder {
    pub fn new(
        pipelines: Client,
        meetings: aws_sdk_chimesdkmeetings::Client,
        sink: Sink,
        specialty: TranscribeMedicalSpecialty,
    ) -> Self {
        Self {
            pipelines: visits_aws::OnDemand::built(pipelines),
            meetings: visits_aws::OnDemand::built(meetings),
            sink,
            specialty,
        }
    }

    fn pipelines(&self) -> &Client {
        self.pipelines.get(Client::new)
    }

    fn meetings(&self) -> &aws_sdk_chimesdkmeetings::Client {
        self.meetings.get(aws_sdk_chimesdkmeetings::Client::new)
    }

    fn prefix(&self, shelf: &str, visit: &Visit, id: &CaptureId) -> String {
        format!("arn:aws:s3:::{}/{shelf}/{}/{id}", self.sink.bucket, visit.id())
    }

    /// Stops the meeting's transcription; one already stopped (or a meeting gone) is no error.
    async fn stop_transcription(&self, meeting: &Meeting) -> Result<(), DependencyError> {
        match self.meetings().stop_meeting_transcription().meeting_id(&meeting.meeting_id).send().await {
            Err(error) if !is_gone(&error) => Err(sdk_error("chime", &error)),
            _ => Ok(()),
        }
    }

    async fn transcribe(&self, meeting: &Meeting) -> Result<(), DependencyError> {
        let settings = EngineTranscribeMedicalSettings::builder()
            .language_code(TranscribeMedicalLanguageCode::EnUs)
            .specialty(self.specialty.clone())
            .r#type(TranscribeMedicalType::Conversation)
            .region(TranscribeMedicalRegion::Auto)
            .build()
            .map_err(failed)?;
        let configuration = TranscriptionConfiguration::builder().engine_transcribe_medical_settings(settings).build();
        self.meetings()
            .start_meeting_transcription()
            .meeting_id(&meeting.meeting_id)
            .transcription_configuration(configuration)
            .send()
            .await
            .map_err(|error| sdk_error("chime", &error))?;
        Ok(())
    }
}

#[async_trait]
impl Recorder for ChimeRecorder {
    async fn start(
        &self,
        visit: &Visit,
        meeting: &Meeting,
        capture: Capture,
        id: &CaptureId,
    ) -> Result<StartedPipeline, DependencyError> {
        let meeting_arn = meeting.meeting_arn.as_deref().ok_or_else(|| failed("the meeting has no ARN"))?;
        let key =
            SseAwsKeyManagementParams::builder().aws_kms_key_id(&self.sink.kms_key_arn).build().map_err(failed)?;
        let create = self
            .pipelines()
            .create_media_capture_pipeline()
            .source_type(MediaPipelineSourceType::ChimeSdkMeeting)
            .source_arn(meeting_arn)
            .sink_type(MediaPipelineSinkType::S3Bucket)
            .sink_arn(self.prefix("captures", visit, id))
            .sink_iam_role_arn(&self.sink.role_arn)
            .sse_aws_key_management_params(key)
            // A retried start gives the same pipeline.
            .client_request_token(id.as_str())
            .chime_sdk_meeting_configuration(capture_configuration(capture)?)
            .send();
        // A transcription's engine and its pipeline start together. Should either fail, neither
        // is left running.
        let (engine, created) = match capture {
            Capture::Transcription => tokio::join!(self.transcribe(meeting), create),
            Capture::Recording => (Ok(()), create.await),
        };
        let created = created.map_err(|error| sdk_error("chime media pipelines", &error));
        let created = match (engine, created) {
            (Ok(()), Ok(created)) => created,
            (Err(error), created) => {
                let made = created.ok();
                let made = made.as_ref().and_then(|c| c.media_capture_pipeline()).and_then(|p| p.media_pipeline_id());
                if let Some(pipeline) = made {
                    self.pipelines().delete_media_capture_pipeline().media_pipeline_id(pipeline).send().await.ok();
                }
                return Err(error);
            }
            (Ok(()), Err(error)) => {
                if capture == Capture::Transcription {
                    self.stop_transcription(meeting).await.ok();
                }
                return Err(error);
            }
        };
        let pipeline = created.media_capture_pipeline();
        match (pipeline.and_then(|p| p.media_pipeline_id()), pipeline.and_then(|p| p.media_pipeline_arn())) {
            (Some(id), Some(arn)) => Ok(StartedPipeline { id: id.to_owned(), arn: arn.to_owned() }),
            _ => Err(failed("CreateMediaCapturePipeline returned no pipeline")),
        }
    }

    async fn stop(&self, visit: &Visit, meeting: &Meeting, run: &CaptureRun) -> Result<String, DependencyError> {
        let delete = async {
            let deleted =
                self.pipelines().delete_media_capture_pipeline().media_pipeline_id(&run.pipeline_id).send().await;
            match deleted {
                Err(error) if !is_gone(&error) => Err(sdk_error("chime media pipelines", &error)),
                _ => Ok(()),
            }
        };
        let stop_engine = async {
            match run.capture {
                Capture::Transcription => self.stop_transcription(meeting).await,
                Capture::Recording => Ok(()),
            }
        };
        tokio::try_join!(stop_engine, delete)?;
        let source = MediaCapturePipelineSourceConfiguration::builder()
            .media_pipeline_arn(&run.pipeline_arn)
            .chime_sdk_meeting_configuration(concatenation_configuration(run.capture)?)
            .build()
            .map_err(failed)?;
        let source = ConcatenationSource::builder()
            .r#type(ConcatenationSourceType::MediaCapturePipeline)
            .media_capture_pipeline_source_configuration(source)
            .build()
            .map_err(failed)?;
        let destination = S3BucketSinkConfiguration::builder()
            .destination(self.prefix("recordings", visit, &run.id))
            .build()
            .map_err(failed)?;
        let sink = ConcatenationSink::builder()
            .r#type(ConcatenationSinkType::S3Bucket)
            .s3_bucket_sink_configuration(destination)
            .build()
            .map_err(failed)?;
        let created = self
            .pipelines()
            .create_media_concatenation_pipeline()
            .sources(source)
            .sinks(sink)
            .client_request_token(format!("{}-joined", run.id))
            .send()
            .await
            .map_err(|error| sdk_error("chime media pipelines", &error))?;
        created
            .media_concatenation_pipeline()
            .and_then(|pipeline| pipeline.media_pipeline_id())
            .map(str::to_owned)
            .ok_or_else(|| failed("CreateMediaConcatenationPipeline returned no pipeline"))
    }
}

/// What a capture pipeline takes: a recording the audio with the composited video, a
/// transcription the audio Chime requires of every pipeline (deleted once joined) and the
/// transcription messages it always keeps.
fn capture_configuration(capture: Capture) -> Result<ChimeSdkMeetingConfiguration, DependencyError> {
    let mux = match capture {
        Capture::Recording => AudioMuxType::AudioWithCompositedVideo,
        Capture::Transcription => AudioMuxType::AudioOnly,
    };
    let mut artifacts = ArtifactsConfiguration::builder()
        .audio(AudioArtifactsConfiguration::builder().mux_type(mux).build().map_err(failed)?)
        .video(VideoArtifactsConfiguration::builder().state(ArtifactsState::Disabled).build().map_err(failed)?)
        .content(ContentArtifactsConfiguration::builder().state(ArtifactsState::Disabled).build().map_err(failed)?);
    if capture == Capture::Recording {
        artifacts = artifacts.composited_video(
            CompositedVideoArtifactsConfiguration::builder()
                .layout(LayoutOption::GridView)
                .resolution(ResolutionOption::Hd)
                .build(),
        );
    }
    Ok(ChimeSdkMeetingConfiguration::builder().artifacts_configuration(artifacts.build()).build())
}

/// What the concatenation joins: the recording's composited video (with its audio), or the
/// transcription's messages (and the audio Chime always joins, which the follower deletes).
fn concatenation_configuration(capture: Capture) -> Result<ChimeSdkMeetingConcatenationConfiguration, DependencyError> {
    let state =
        |on: bool| if on { ArtifactsConcatenationState::Enabled } else { ArtifactsConcatenationState::Disabled };
    let recording = capture == Capture::Recording;
    let artifacts = ArtifactsConcatenationConfiguration::builder()
        .audio(
            AudioConcatenationConfiguration::builder()
                .state(AudioArtifactsConcatenationState::Enabled)
                .build()
                .map_err(failed)?,
        )
        .video(VideoConcatenationConfiguration::builder().state(state(false)).build().map_err(failed)?)
        .content(ContentConcatenationConfiguration::builder().state(state(false)).build().map_err(failed)?)
        .data_channel(DataChannelConcatenationConfiguration::builder().state(state(false)).build().map_err(failed)?)
        .transcription_messages(
            TranscriptionMessagesConcatenationConfiguration::builder()
                .state(state(!recording))
                .build()
                .map_err(failed)?,
        )
        .meeting_events(MeetingEventsConcatenationConfiguration::builder().state(state(false)).build().map_err(failed)?)
        .composited_video(
            CompositedVideoConcatenationConfiguration::builder().state(state(recording)).build().map_err(failed)?,
        )
        .build();
    Ok(ChimeSdkMeetingConcatenationConfiguration::builder().artifacts_configuration(artifacts).build())
}

fn failed(error: impl std::fmt::Display) -> DependencyError {
    DependencyError::failed(Dependency::Recorder, error.to_string())
}

fn sdk_error<E>(service: &'static str, error: &SdkError<E, visits_aws::HttpResponse>) -> DependencyError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    visits_aws::SdkFailure::of(service, error).into_error(Dependency::Recorder)
}

/// A pipeline (or transcription) already gone: the meeting ended, or a retry.
fn is_gone<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error
        .as_service_error()
        .and_then(ProvideErrorMetadata::code)
        .is_some_and(|code| matches!(code, "NotFoundException" | "NotFound"))
}
