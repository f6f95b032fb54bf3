//! `start-session`: start and join video sessions (the waiting room included), and end or cancel
//! visits. These routes share one function because they are the ones that call the video
//! provider; keeping them together keeps the Chime and Connect SDKs out of every other function.
//! A participant's consent (terms, recording, transcription) is given here too, beside joining,
//! and recordings and transcriptions are started and stopped: they stop by themselves as someone
//! without consent is seated, so they live with the seats. Reading back what they kept is the
//! `recordings` function's (S3 stays out of this one).

mod captures;
mod consent;

use std::sync::Arc;

use lambda_http::http::StatusCode;
use serde::Serialize;
use visits_domain::model::Capture;
use visits_domain::ports::{Recorder, VideoProvider};
use visits_domain::rules::Relation;
use visits_domain::tokens::Tokens;
use visits_domain::usecases::{Captures, Consents, Core, JoinOutcome, Sessions};
use visits_http::caller::{caller, request_info};
use visits_http::input::{bearer, no_body, visit_id};
use visits_http::views::VisitView;
use visits_http::{Body, Error, Problem, Request, Response, RouteKey, handle_request, json};

visits_http::routes! {
    pub enum Route {
        Start => "POST /visits/{visitId}/session" (reads patient data),
        Join => "POST /join/session" (reads patient data),
        End => "POST /visits/{visitId}/end",
        Cancel => "POST /visits/{visitId}/cancel",
        ConsentByToken => "PUT /join/session/consent",
        ClinicianConsent => "PUT /visits/{visitId}/consent",
        StartRecording => "POST /visits/{visitId}/recording",
        StopRecording => "DELETE /visits/{visitId}/recording",
        StartTranscription => "POST /visits/{visitId}/transcription",
        StopTranscription => "DELETE /visits/{visitId}/transcription",
    }
}

pub const ROUTES: &[RouteKey] = Route::KEYS;
/// The routes that answer with a patient's data (each read recorded first).
pub const PATIENT_DATA_ROUTES: &[RouteKey] = Route::PATIENT_DATA;

pub struct App {
    sessions: Sessions,
    consents: Consents,
    captures: Captures,
}

impl App {
    pub fn new(core: Core, tokens: Arc<Tokens>, video: Arc<dyn VideoProvider>, recorder: Arc<dyn Recorder>) -> Self {
        Self {
            consents: Consents::new(core.clone(), tokens.clone(), recorder.clone()),
            captures: Captures::new(core.clone(), recorder.clone()),
            sessions: Sessions::new(core, tokens, video, recorder),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Waiting {
    status: &'static str,
    retry_after_seconds: u64,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    handle_request(request, |request| async move {
        let route = Route::of(&request);
        match route {
            // A consent is said in the body; every other route takes none.
            Some(Route::ConsentByToken) => return consent::by_token(&app.consents, &request).await,
            Some(Route::ClinicianConsent) => return consent::by_clinician(&app.consents, &request).await,
            _ => no_body(&request)?,
        }
        match route {
            Some(Route::Start) => {
                let caller = caller(&request)?;
                joined(app.sessions.start(&caller, &visit_id(&request)?, &request_info(&request)).await?)
            }
            Some(Route::Join) => {
                let token = bearer(&request).ok_or_else(Problem::unauthenticated)?;
                joined(app.sessions.join_with_token(token, &request_info(&request)).await?)
            }
            Some(Route::End) => {
                let caller = caller(&request)?;
                let visit = app.sessions.end(&caller, &visit_id(&request)?).await?;
                Ok(json(StatusCode::OK, &VisitView::new(visit.listed(), Relation::TheClinician)))
            }
            Some(Route::Cancel) => {
                let caller = caller(&request)?;
                let visit = app.sessions.cancel(&caller, &visit_id(&request)?).await?;
                Ok(json(StatusCode::OK, &VisitView::new(visit.listed(), Relation::TheClinician)))
            }
            Some(Route::StartRecording) => captures::start(&app.captures, &request, Capture::Recording).await,
            Some(Route::StopRecording) => captures::stop(&app.captures, &request, Capture::Recording).await,
            Some(Route::StartTranscription) => captures::start(&app.captures, &request, Capture::Transcription).await,
            Some(Route::StopTranscription) => captures::stop(&app.captures, &request, Capture::Transcription).await,
            Some(Route::ConsentByToken | Route::ClinicianConsent) | None => Err(Problem::route_not_found()),
        }
    })
    .await
}

fn joined(outcome: JoinOutcome) -> Result<Response<Body>, Problem> {
    match outcome {
        JoinOutcome::Ready(session) => Ok(json(StatusCode::OK, &session)),
        JoinOutcome::Waiting { retry_after_seconds } => {
            let mut response = json(StatusCode::ACCEPTED, &Waiting { status: "waiting", retry_after_seconds });
            if let Ok(value) = retry_after_seconds.to_string().parse() {
                response.headers_mut().insert("retry-after", value);
            }
            Ok(response)
        }
    }
}
