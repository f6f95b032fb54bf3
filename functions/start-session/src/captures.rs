//! Recording and transcription: `POST`/`DELETE /visits/{visitId}/recording` and
//! `/transcription` (the visit's clinician, admin).

use lambda_http::http::StatusCode;
use visits_domain::model::Capture;
use visits_domain::usecases::Captures;
use visits_http::caller::caller;
use visits_http::input::visit_id;
use visits_http::views::CaptureRunView;
use visits_http::{Body, Problem, Request, Response, json};

pub async fn start(captures: &Captures, request: &Request, capture: Capture) -> Result<Response<Body>, Problem> {
    let run = captures.start(&caller(request)?, &visit_id(request)?, capture).await?;
    Ok(json(StatusCode::CREATED, &CaptureRunView::new(&run, None)))
}

pub async fn stop(captures: &Captures, request: &Request, capture: Capture) -> Result<Response<Body>, Problem> {
    let run = captures.stop(&caller(request)?, &visit_id(request)?, capture).await?;
    Ok(json(StatusCode::OK, &CaptureRunView::new(&run, None)))
}
