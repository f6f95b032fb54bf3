//! `GET /patients/{patientId}/access-log`: who read the patient's data, newest first; a FHIR R4
//! `Bundle` of `AuditEvent`s (IHE BALP PatientRead) on `Accept: application/fhir+json`.

mod fhir;

use chrono::{DateTime, Utc};
use lambda_http::http::{StatusCode, header};
use serde::Serialize;
use visits_domain::model::{AccessAction, AccessOutcome, AccessRecord, UserId, VisitId};
use visits_domain::ports::AccessCursor;
use visits_domain::usecases::{AccessLogRequest, MAX_ACCESS_LOG_PAGE};
use visits_http::caller::{caller, request_info};
use visits_http::input::{path_param, query};
use visits_http::{Body, Problem, Request, Response, json};

use crate::App;

pub const FHIR_JSON: &str = "application/fhir+json";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Page<'a> {
    items: Vec<Entry<'a>>,
    next_cursor: Option<String>,
}

/// One record as the report shows it: no source address, no app client.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    at: DateTime<Utc>,
    actor: Actor<'a>,
    action: AccessAction,
    resource: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    visit_id: Option<&'a VisitId>,
    outcome: AccessOutcome,
    request_id: &'a str,
}

#[derive(Serialize)]
struct Actor<'a> {
    id: &'a str,
    role: &'a str,
}

impl<'a> From<&'a AccessRecord> for Entry<'a> {
    fn from(record: &'a AccessRecord) -> Self {
        Entry {
            at: record.at,
            actor: Actor { id: &record.actor.id, role: &record.actor.role },
            action: record.action,
            resource: &record.resource,
            visit_id: record.visit_id.as_ref(),
            outcome: record.outcome,
            request_id: &record.request_id,
        }
    }
}

pub async fn handle(app: &App, request: &Request) -> Result<Response<Body>, Problem> {
    let caller = caller(request)?;
    let asked = parse(request)?;
    let patient_id = asked.patient_id.clone();
    let page = app.reports.report(&caller, &request_info(request), asked).await?;
    let next_cursor = page.next.as_ref().map(AccessCursor::encode);
    if wants_fhir(request) {
        let bundle = fhir::bundle(&patient_id, &page.items, next_cursor.as_deref());
        let mut response = json(StatusCode::OK, &bundle);
        response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static(FHIR_JSON));
        return Ok(response);
    }
    Ok(json(StatusCode::OK, &Page { items: page.items.iter().map(Entry::from).collect(), next_cursor }))
}

fn wants_fhir(request: &Request) -> bool {
    let accept = request.headers().get(header::ACCEPT).and_then(|value| value.to_str().ok()).unwrap_or_default();
    accept.split(',').any(|kind| kind.split(';').next().is_some_and(|kind| kind.trim() == FHIR_JSON))
}

fn parse(request: &Request) -> Result<AccessLogRequest, Problem> {
    let patient_id =
        UserId::parse(&path_param(request, "patientId")).map_err(|m| Problem::invalid_field("patientId", m))?;
    let instant = |name: &'static str| {
        query(request, name)
            .map(|raw| DateTime::parse_from_rfc3339(&raw).map(|at| at.with_timezone(&Utc)))
            .transpose()
            .map_err(|_| Problem::invalid_field(name, "must be an RFC 3339 date-time with an offset"))
    };
    // A range that holds nothing (`to` not after `from`) answers an empty page.
    let (from, to) = (instant("from")?, instant("to")?);
    let limit = match query(request, "limit") {
        None => None,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=MAX_ACCESS_LOG_PAGE).contains(&n) => Some(n),
            _ => {
                return Err(Problem::invalid_field(
                    "limit",
                    format!("must be a whole number from 1 to {MAX_ACCESS_LOG_PAGE}"),
                ));
            }
        },
    };
    let cursor = query(request, "cursor")
        .map(|raw| AccessCursor::decode(&raw))
        .transpose()
        .map_err(|message| Problem::invalid_field("cursor", message))?;
    Ok(AccessLogRequest { patient_id, from, to, limit, cursor })
}
