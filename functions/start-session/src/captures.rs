//! Recording and transcription: `POST`/`DELETE /visits/{visitId}/recording` and
//! `/transcription` (the visit's clinician, admin), and reading back what they kept:
//! `GET /visits/{visitId}/recordings` and `/transcript`.

use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use serde::Serialize;
use visits_domain::model::{Capture, CaptureRun};
use visits_domain::usecases::{Captures, ListedRecording, TranscriptLine};
use visits_http::caller::{caller, request_info};
use visits_http::input::visit_id;
use visits_http::{Body, Problem, Request, Response, json};

/// A recording (or transcription) as the API shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunView<'a> {
    recording_id: &'a str,
    status: &'static str,
    started_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ended_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    download_url: Option<&'a str>,
}

impl<'a> RunView<'a> {
    fn new(run: &'a CaptureRun, download_url: Option<&'a str>) -> Self {
        Self {
            recording_id: run.id.as_str(),
            status: run.status.as_str(),
            started_at: run.started_at,
            ended_at: run.ended_at,
            download_url,
        }
    }
}

#[derive(Serialize)]
struct Items<'a> {
    items: Vec<RunView<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Segment<'a> {
    participant: &'a str,
    started_at: DateTime<Utc>,
    text: &'a str,
}

#[derive(Serialize)]
struct Transcript<'a> {
    segments: Vec<Segment<'a>>,
}

pub async fn start(captures: &Captures, request: &Request, capture: Capture) -> Result<Response<Body>, Problem> {
    let run = captures.start(&caller(request)?, &visit_id(request)?, capture).await?;
    Ok(json(StatusCode::CREATED, &RunView::new(&run, None)))
}

pub async fn stop(captures: &Captures, request: &Request, capture: Capture) -> Result<Response<Body>, Problem> {
    let run = captures.stop(&caller(request)?, &visit_id(request)?, capture).await?;
    Ok(json(StatusCode::OK, &RunView::new(&run, None)))
}

pub async fn recordings(captures: &Captures, request: &Request) -> Result<Response<Body>, Problem> {
    let listed = captures.recordings(&caller(request)?, &visit_id(request)?, &request_info(request)).await?;
    let items =
        listed.iter().map(|ListedRecording { run, download_url }| RunView::new(run, download_url.as_deref())).collect();
    Ok(json(StatusCode::OK, &Items { items }))
}

pub async fn transcript(captures: &Captures, request: &Request) -> Result<Response<Body>, Problem> {
    let lines = captures.transcript(&caller(request)?, &visit_id(request)?, &request_info(request)).await?;
    let segments = lines
        .iter()
        .map(|TranscriptLine { participant, started_at, text }| Segment { participant, started_at: *started_at, text })
        .collect();
    Ok(json(StatusCode::OK, &Transcript { segments }))
}
