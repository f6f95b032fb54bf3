//! `recordings`: reading back what a visit's recordings and transcriptions kept. Apart from
//! `start-session`, which starts and stops them with the seats: only these routes read the files,
//! so S3 stays out of the function every join waits for.

use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use serde::Serialize;
use visits_domain::usecases::{KeptCaptures, ListedRecording, TranscriptLine};
use visits_http::caller::{caller, request_info};
use visits_http::input::{no_body, visit_id};
use visits_http::views::CaptureRunView;
use visits_http::{Body, Error, Problem, Request, Response, RouteKey, handle_request, json};

visits_http::routes! {
    pub enum Route {
        Recordings => "GET /visits/{visitId}/recordings" (reads patient data),
        Transcript => "GET /visits/{visitId}/transcript" (reads patient data),
    }
}

pub const ROUTES: &[RouteKey] = Route::KEYS;
/// The routes that answer with a patient's data (each read recorded first).
pub const PATIENT_DATA_ROUTES: &[RouteKey] = Route::PATIENT_DATA;

pub struct App {
    kept: KeptCaptures,
}

impl App {
    pub fn new(kept: KeptCaptures) -> Self {
        Self { kept }
    }
}

#[derive(Serialize)]
struct Items<'a> {
    items: Vec<CaptureRunView<'a>>,
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

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    handle_request(request, |request| async move {
        no_body(&request)?;
        let (caller, visit, seen_by) = (caller(&request)?, visit_id(&request)?, request_info(&request));
        match Route::of(&request) {
            Some(Route::Recordings) => {
                let listed = app.kept.recordings(&caller, &visit, &seen_by).await?;
                let items = listed
                    .iter()
                    .map(|ListedRecording { run, download_url }| CaptureRunView::new(run, download_url.as_deref()))
                    .collect();
                Ok(json(StatusCode::OK, &Items { items }))
            }
            Some(Route::Transcript) => {
                let lines = app.kept.transcript(&caller, &visit, &seen_by).await?;
                let segments = lines
                    .iter()
                    .map(|TranscriptLine { participant, started_at, text }| Segment {
                        participant,
                        started_at: *started_at,
                        text,
                    })
                    .collect();
                Ok(json(StatusCode::OK, &Transcript { segments }))
            }
            None => Err(Problem::route_not_found()),
        }
    })
    .await
}
