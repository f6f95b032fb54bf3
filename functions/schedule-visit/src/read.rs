//! `GET /visits/{visitId}`

use lambda_http::http::StatusCode;
use visits_http::caller::{caller, request_info};
use visits_http::input::visit_id;
use visits_http::views::VisitView;
use visits_http::{Body, Problem, Request, Response, json};

use crate::App;

pub async fn handle(app: &App, request: &Request) -> Result<Response<Body>, Problem> {
    let caller = caller(request)?;
    let id = visit_id(request)?;
    let (visit, relation) = app.visits.get(&caller, &id, &request_info(request)).await?;
    Ok(json(StatusCode::OK, &VisitView::new(visit.listed(), relation)))
}
