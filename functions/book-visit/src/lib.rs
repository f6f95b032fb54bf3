//! `book-visit`: `POST /service/visits`, the lander's backend booking a signed-up patient's first
//! visit with its own client-credentials token. The patient and contact come from the signup
//! token, never from the body.

use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use serde::Deserialize;
use visits_domain::model::{DurationMinutes, Provider, ServiceClient, TimeZone, UserId};
use visits_domain::rules::Relation;
use visits_domain::usecases::{Bookings, ServiceBooking};
use visits_http::caller::service_client;
use visits_http::input::{idempotency_key, json_body};
use visits_http::views::VisitView;
use visits_http::{Body, Error, Problem, Request, Response, RouteKey, handle_request, json};

visits_http::routes! {
    pub enum Route {
        Book => "POST /service/visits",
    }
}

pub const ROUTES: &[RouteKey] = Route::KEYS;
/// The routes that answer with a patient's data (each read recorded first).
pub const PATIENT_DATA_ROUTES: &[RouteKey] = Route::PATIENT_DATA;

pub struct App {
    bookings: Bookings,
}

impl App {
    pub fn new(bookings: Bookings) -> Self {
        Self { bookings }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BookingBody {
    signup_token: String,
    clinician_id: UserId,
    scheduled_at: DateTime<Utc>,
    duration_minutes: DurationMinutes,
    #[serde(default)]
    provider: Provider,
    #[serde(default)]
    time_zone: Option<TimeZone>,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    handle_request(request, |request| async move {
        let Some(Route::Book) = Route::of(&request) else { return Err(Problem::route_not_found()) };
        let service = service_client(&request, ServiceClient::SCHEDULE_SCOPE)?;
        let body: BookingBody = json_body(&request)?;
        let key = idempotency_key(&request)?
            .ok_or_else(|| Problem::invalid_field("Idempotency-Key", "is required: a retry must not book twice"))?;
        if body.signup_token.trim().is_empty() {
            return Err(Problem::invalid_field("signupToken", "must not be empty"));
        }
        let booking = ServiceBooking {
            signup_token: body.signup_token,
            clinician_id: body.clinician_id,
            scheduled_at: body.scheduled_at,
            duration: body.duration_minutes,
            provider: body.provider,
            time_zone: body.time_zone,
        };
        let visit = app.bookings.book(&service, booking, key).await?;
        // The patient's verified contact is shown: the lander gave it and may check it.
        Ok(json(StatusCode::CREATED, &VisitView::new(visit.listed(), Relation::Admin)))
    })
    .await
}
