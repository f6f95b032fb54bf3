//! Recording and transcribing a visit. The clinician (or an admin) starts one only when the
//! clinic allows it and everyone in the room agrees; it stops by itself, before the words are
//! taken, when someone without that consent is seated or a consent is withdrawn. The provider
//! joins the pieces into one file after it stops, and says so (the pipeline events). Reading back
//! what they kept is [`super::KeptCaptures`].

use std::sync::Arc;

use super::core::{Core, Draft};
use crate::DomainError;
use crate::model::{
    AuditKind, Caller, Capture, CaptureRefused, CaptureRun, CaptureStatus, Meeting, Party, PipelineOutcome, Room,
    Visit, VisitId,
};
use crate::ports::{CaptureFiles, Recorder};
use crate::rules::may_manage;

/// A pipeline event as the provider reports it ("Chime Media Pipeline State Change").
#[derive(Debug, Clone)]
pub struct PipelineEvent {
    /// The meeting's external id: the visit's id.
    pub external_meeting_id: String,
    pub pipeline_id: String,
    pub outcome: PipelineOutcome,
}

pub struct Captures {
    core: Core,
    recorder: Arc<dyn Recorder>,
}

impl Captures {
    pub fn new(core: Core, recorder: Arc<dyn Recorder>) -> Self {
        Self { core, recorder }
    }

    /// `POST /visits/{id}/recording` or `/transcription`: the visit's clinician or an admin.
    pub async fn start(
        &self,
        caller: &Caller,
        visit_id: &VisitId,
        capture: Capture,
    ) -> Result<CaptureRun, DomainError> {
        let visit = self.core.load(visit_id).await?;
        may_manage(caller, &visit)?;
        let allowed = self.core.policy.allows(capture);
        check_may_start(&visit, capture, allowed)?;
        let meeting = chime_meeting(&visit)?.clone();
        let id = self.core.ids.capture_id();
        let pipeline = self.recorder.start(&visit, &meeting, capture, &id).await?;
        let begin = |visit: &mut Visit, draft: &mut Draft| {
            check_may_start(visit, capture, allowed)?;
            visit.begin_capture(id.clone(), capture, pipeline.clone(), draft.now);
            draft.record(
                AuditKind::CaptureStarted,
                [("capture", capture.as_str().to_owned()), ("recordingId", id.to_string())],
            );
            Ok(())
        };
        let read = visit.clone();
        match self.core.mutate_from(visit, &caller.actor(), begin).await {
            Ok((_, visit)) => visit
                .capture_running(capture)
                .cloned()
                .ok_or_else(|| DomainError::Internal("a capture just begun".into())),
            Err(refused) => {
                // Someone changed the room meanwhile: the pipeline must not run unrecorded.
                let run = CaptureRun::started(id, capture, pipeline, self.core.now());
                if let Err(error) = self.recorder.stop(&read, &meeting, &run).await {
                    tracing::error!(error = %error, "a capture pipeline outlived its refused start");
                }
                Err(refused)
            }
        }
    }

    /// `DELETE /visits/{id}/recording` or `/transcription`: stops it; its file follows.
    pub async fn stop(&self, caller: &Caller, visit_id: &VisitId, capture: Capture) -> Result<CaptureRun, DomainError> {
        let visit = self.core.load(visit_id).await?;
        may_manage(caller, &visit)?;
        let run = visit
            .capture_running(capture)
            .cloned()
            .ok_or_else(|| DomainError::Conflict(format!("no {} is running", capture.as_str())))?;
        let stopped = stop_runs(self.recorder.as_ref(), &visit, vec![run.clone()]).await?;
        let (_, visit) = self
            .core
            .mutate_from(visit, &caller.actor(), |visit, draft| {
                keep_stopped(visit, draft, &stopped, StopReason::Asked);
                Ok(())
            })
            .await?;
        visit.captures().iter().find(|kept| kept.id == run.id).cloned().ok_or(DomainError::VisitNotFound)
    }
}

/// Follows the provider's pipeline events: a capture becomes available, or failed.
pub struct CaptureFollower {
    core: Core,
    files: Arc<dyn CaptureFiles>,
}

impl CaptureFollower {
    pub fn new(core: Core, files: Arc<dyn CaptureFiles>) -> Self {
        Self { core, files }
    }

    /// What the provider said of a pipeline: the capture it belongs to becomes available or
    /// failed. False for a pipeline that is no visit's, or an event that changes nothing. A
    /// transcription's audio goes before it is available, so a retried event finds it gone.
    pub async fn settle(&self, event: &PipelineEvent) -> Result<bool, DomainError> {
        let Ok(visit_id) = VisitId::parse(&event.external_meeting_id) else { return Ok(false) };
        let visit = match self.core.load(&visit_id).await {
            Ok(visit) => visit,
            Err(DomainError::VisitNotFound) => return Ok(false),
            Err(other) => return Err(other),
        };
        let Some(settled) = visit.clone().settle_capture(&event.pipeline_id, event.outcome, self.core.now()) else {
            return Ok(false);
        };
        if settled.capture == Capture::Transcription && settled.status == CaptureStatus::Available {
            self.files.discard_audio(&visit, &settled).await?;
        }
        let (settled, _) = self
            .core
            .mutate_from(visit, "chime", |visit, draft| {
                let Some(run) = visit.settle_capture(&event.pipeline_id, event.outcome, draft.now) else {
                    return Ok(false);
                };
                let kind = match run.status {
                    CaptureStatus::Available => AuditKind::CaptureAvailable,
                    _ => AuditKind::CaptureFailed,
                };
                draft.record(kind, [("capture", run.capture.as_str().to_owned()), ("recordingId", run.id.to_string())]);
                Ok(true)
            })
            .await?;
        Ok(settled)
    }
}

/// Why a capture stopped, as the audit trail says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StopReason {
    /// The clinician or an admin stopped it.
    Asked,
    /// Someone in the room has not agreed (seated without consent, or withdrawn).
    ConsentMissing,
    /// The visit ended or was cancelled.
    VisitClosed,
}

impl StopReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Asked => "asked",
            Self::ConsentMissing => "consent-missing",
            Self::VisitClosed => "visit-closed",
        }
    }
}

/// A capture the provider has stopped, to be kept with the write that follows.
#[derive(Debug, Clone)]
pub(crate) struct Stopped {
    run: CaptureRun,
    concatenation_id: String,
    /// Who had not agreed, when that is why it stopped.
    missing: Vec<Party>,
}

/// Stops, at the provider, the captures `after` (the visit as the request will leave it) would
/// run without someone's consent. Nothing is running: no round trip.
pub(crate) async fn stop_unconsented(recorder: &dyn Recorder, after: &Visit) -> Result<Vec<Stopped>, DomainError> {
    let runs: Vec<CaptureRun> = after.captures_to_stop().into_iter().cloned().collect();
    let mut stopped = stop_runs(recorder, after, runs).await?;
    for each in &mut stopped {
        each.missing = after.missing_consent(each.run.capture);
    }
    Ok(stopped)
}

/// Stops every capture running, as the visit closes.
pub(crate) async fn stop_all(recorder: &dyn Recorder, visit: &Visit) -> Result<Vec<Stopped>, DomainError> {
    let running = visit.captures().iter().filter(|run| run.status == CaptureStatus::Recording).cloned().collect();
    stop_runs(recorder, visit, running).await
}

async fn stop_runs(recorder: &dyn Recorder, visit: &Visit, runs: Vec<CaptureRun>) -> Result<Vec<Stopped>, DomainError> {
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    let meeting = chime_meeting(visit)?;
    let stops = runs.into_iter().map(|run| async move {
        let concatenation_id = recorder.stop(visit, meeting, &run).await?;
        Ok::<_, crate::ports::DependencyError>(Stopped { run, concatenation_id, missing: Vec::new() })
    });
    Ok(futures::future::try_join_all(stops).await?)
}

/// Keeps the captures stopped at the provider as stopped, auditing why.
pub(crate) fn keep_stopped(visit: &mut Visit, draft: &mut Draft, stopped: &[Stopped], reason: StopReason) {
    for each in stopped {
        if !visit.end_capture(&each.run.id, each.concatenation_id.clone(), draft.now) {
            continue;
        }
        let mut data = vec![
            ("capture", each.run.capture.as_str().to_owned()),
            ("recordingId", each.run.id.to_string()),
            ("reason", reason.as_str().to_owned()),
        ];
        if !each.missing.is_empty() {
            data.push(("missing", each.missing.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")));
        }
        draft.record_all(AuditKind::CaptureStopped, data);
    }
}

fn check_may_start(visit: &Visit, capture: Capture, allowed: bool) -> Result<(), DomainError> {
    if visit.capture_running(capture).is_some() {
        return Err(DomainError::Conflict(format!("a {} is already running", capture.as_str())));
    }
    visit.may_start(capture, allowed).map_err(|refused| match refused {
        CaptureRefused::NotAllowed => DomainError::Conflict(format!("the clinic does not allow {}", capture.as_str())),
        CaptureRefused::NotInProgress => DomainError::Conflict("the session is not in progress".into()),
        CaptureRefused::Connect => DomainError::Conflict(format!("a Connect visit has no {} here", capture.as_str())),
        CaptureRefused::ConsentMissing(missing) => DomainError::ConsentMissing { capture: capture.as_str(), missing },
    })
}

fn chime_meeting(visit: &Visit) -> Result<&Meeting, DomainError> {
    match visit.room() {
        Some(Room::Chime { meeting }) => Ok(meeting),
        _ => Err(DomainError::Conflict("the session is not in progress on Chime".into())),
    }
}
