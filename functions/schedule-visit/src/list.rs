//! `GET /visits`

use lambda_http::http::StatusCode;
use serde::Serialize;
use visits_domain::model::UserId;
use visits_domain::ports::{Cursor, When};
use visits_domain::rules::relation;
use visits_domain::usecases::{ListRequest, MAX_PAGE};
use visits_http::caller::{caller, request_info};
use visits_http::input::query;
use visits_http::views::VisitView;
use visits_http::{Body, Problem, Request, Response, json};

use crate::App;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Page<'a> {
    items: Vec<VisitView<'a>>,
    next_cursor: Option<String>,
}

pub async fn handle(app: &App, request: &Request) -> Result<Response<Body>, Problem> {
    let caller = caller(request)?;
    let list = parse_query(request)?;
    let page = app.visits.list(&caller, list, &request_info(request)).await?;
    let items = page.items.iter().map(|visit| VisitView::new(visit, relation(&caller, visit))).collect();
    Ok(json(StatusCode::OK, &Page { items, next_cursor: page.next.as_ref().map(Cursor::encode) }))
}

fn parse_query(request: &Request) -> Result<ListRequest, Problem> {
    let when = match query(request, "when").as_deref() {
        None | Some("upcoming") => When::Upcoming,
        Some("past") => When::Past,
        Some(_) => return Err(Problem::invalid_field("when", "must be upcoming or past")),
    };
    let limit = match query(request, "limit") {
        None => None,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => Some(n),
            _ => return Err(Problem::invalid_field("limit", format!("must be a whole number from 1 to {MAX_PAGE}"))),
        },
    };
    let cursor = query(request, "cursor")
        .map(|raw| Cursor::decode(&raw))
        .transpose()
        .map_err(|message| Problem::invalid_field("cursor", message))?;
    let user = |name: &str| {
        query(request, name).map(|raw| UserId::parse(&raw)).transpose().map_err(|m| Problem::invalid_field(name, m))
    };
    Ok(ListRequest { when, limit, cursor, patient_id: user("patientId")?, clinician_id: user("clinicianId")? })
}
