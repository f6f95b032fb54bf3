//! Reading back what recordings and transcriptions kept: `GET /visits/{id}/recordings` and
//! `/transcript`. Each is a read of the patient's data, recorded first. Apart from starting and
//! stopping them ([`super::Captures`]): only these read the files.

use std::sync::Arc;

use super::core::Core;
use crate::DomainError;
use crate::model::{
    AccessAction, AccessOutcome, AccessRecord, Caller, Capture, CaptureId, CaptureRun, CaptureStatus, Reading,
    RequestInfo, Visit, VisitId,
};
use crate::ports::{CaptureFiles, SpokenSegment};
use crate::rules::may_manage;

/// A recording as `GET /visits/{id}/recordings` lists it: a link to its file once available.
#[derive(Debug, Clone)]
pub struct ListedRecording {
    pub run: CaptureRun,
    pub download_url: Option<String>,
}

/// A line of the transcript: who said it (`patient`, `clinician`, `guest:{id}`), when, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptLine {
    pub participant: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub text: String,
}

pub struct KeptCaptures {
    core: Core,
    files: Arc<dyn CaptureFiles>,
}

impl KeptCaptures {
    pub fn new(core: Core, files: Arc<dyn CaptureFiles>) -> Self {
        Self { core, files }
    }

    /// `GET /visits/{id}/recordings`: the visit's clinician or an admin, each link to a file
    /// recorded as a download of the patient's data before it leaves.
    pub async fn recordings(
        &self,
        caller: &Caller,
        visit_id: &VisitId,
        seen_by: &RequestInfo,
    ) -> Result<Vec<ListedRecording>, DomainError> {
        let visit = self.core.load(visit_id).await?;
        let reading = self.core.reading(caller, seen_by);
        let resource = format!("visits/{visit_id}/recordings");
        let read = self.read_or_refuse(caller, &reading, &visit, &resource).await?;
        let recordings: Vec<&CaptureRun> =
            visit.captures().iter().filter(|run| run.capture == Capture::Recording).collect();
        let available: Vec<&CaptureRun> =
            recordings.iter().copied().filter(|run| run.status == CaptureStatus::Available).collect();
        // Each link handed out is a download: recorded beside the links' making, before either leaves.
        let mut records = vec![read];
        records.extend(available.iter().map(|run| {
            let resource = format!("{resource}/{}", run.id);
            reading.record(visit.patient_id(), AccessAction::Download, resource, Some(visit_id), AccessOutcome::Allowed)
        }));
        let links = available.iter().map(|run| async {
            self.files.download_url(&visit, run).await.map(|url| (run.id.clone(), url)).map_err(DomainError::from)
        });
        let (_, links) =
            futures::future::try_join(self.core.record_reads(&records), futures::future::try_join_all(links)).await?;
        let url_of = |id: &CaptureId| links.iter().find(|(linked, _)| linked == id).map(|(_, url)| url.clone());
        Ok(recordings
            .into_iter()
            .map(|run| ListedRecording { run: run.clone(), download_url: url_of(&run.id) })
            .collect())
    }

    /// `GET /visits/{id}/transcript`: every available transcription's lines, in order.
    pub async fn transcript(
        &self,
        caller: &Caller,
        visit_id: &VisitId,
        seen_by: &RequestInfo,
    ) -> Result<Vec<TranscriptLine>, DomainError> {
        let visit = self.core.load(visit_id).await?;
        let reading = self.core.reading(caller, seen_by);
        let read = self.read_or_refuse(caller, &reading, &visit, &format!("visits/{visit_id}/transcript")).await?;
        let available = visit
            .captures()
            .iter()
            .filter(|run| run.capture == Capture::Transcription && run.status == CaptureStatus::Available);
        let reads = available.map(|run| async { self.files.transcript(&visit, run).await.map_err(DomainError::from) });
        // The transcript is read beside its record's writing; it leaves only once both are done.
        let (_, segments) =
            futures::future::try_join(self.core.record_reads(&[read]), futures::future::try_join_all(reads)).await?;
        let segments: Vec<SpokenSegment> = segments.into_iter().flatten().collect();
        let mut lines: Vec<TranscriptLine> = segments
            .into_iter()
            .map(|segment| TranscriptLine {
                participant: visit.participant_named(&segment.external_user_id),
                started_at: segment.started_at,
                text: segment.text,
            })
            .collect();
        lines.sort_by_key(|line| line.started_at);
        Ok(lines)
    }
}

impl KeptCaptures {
    /// The record of `caller` reading `resource` of the visit, to be kept with what is read; a
    /// refused read (the patient, a stranger) is kept at once and answered with its refusal.
    async fn read_or_refuse(
        &self,
        caller: &Caller,
        reading: &Reading<'_>,
        visit: &Visit,
        resource: &str,
    ) -> Result<AccessRecord, DomainError> {
        let allowed = may_manage(caller, visit);
        let outcome = if allowed.is_ok() { AccessOutcome::Allowed } else { AccessOutcome::Refused };
        let read =
            reading.record(visit.patient_id(), AccessAction::Read, resource.to_owned(), Some(visit.id()), outcome);
        if let Err(refused) = allowed {
            self.core.record_reads(&[read]).await?;
            return Err(refused);
        }
        Ok(read)
    }
}
