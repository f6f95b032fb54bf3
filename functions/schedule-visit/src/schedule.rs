//! `POST /visits`

use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use serde::Deserialize;
use visits_domain::model::{DurationMinutes, PatientContact, Provider, TimeZone, UserId};
use visits_domain::rules::Relation;
use visits_domain::usecases::NewVisit;
use visits_http::caller::caller;
use visits_http::input::{idempotency_key, json_body};
use visits_http::views::VisitView;
use visits_http::{Body, Problem, Request, Response, json};

use crate::App;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScheduleBody {
    patient_id: UserId,
    #[serde(default)]
    clinician_id: Option<UserId>,
    scheduled_at: DateTime<Utc>,
    duration_minutes: DurationMinutes,
    #[serde(default)]
    provider: Provider,
    #[serde(default)]
    patient_contact: Option<PatientContact>,
    #[serde(default)]
    time_zone: Option<TimeZone>,
}

pub async fn handle(app: &App, request: &Request) -> Result<Response<Body>, Problem> {
    let caller = caller(request)?;
    let body: ScheduleBody = json_body(request)?;
    let key = idempotency_key(request)?;
    let new_visit = NewVisit {
        patient_id: body.patient_id,
        clinician_id: body.clinician_id,
        scheduled_at: body.scheduled_at,
        duration: body.duration_minutes,
        provider: body.provider,
        patient_contact: body.patient_contact,
        time_zone: body.time_zone,
    };
    let visit = app.visits.schedule(&caller, new_visit, key).await?;
    let relation = if caller.id == *visit.clinician_id() { Relation::TheClinician } else { Relation::Admin };
    Ok(json(StatusCode::CREATED, &VisitView::new(visit.listed(), relation)))
}
