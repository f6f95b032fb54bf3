//! `notify`: mint a fresh link and send it to the patient by SMS and email; move a visit and tell
//! the patient the new time with a fresh link.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};
use visits_domain::model::{Channel, DurationMinutes};
use visits_domain::ports::Notifier;
use visits_domain::rules::relation;
use visits_domain::usecases::{Core, Delivery, Links, Notifications};
use visits_http::caller::{caller, source_ip};
use visits_http::input::{json_body, no_body, path_param, visit_id};
use visits_http::views::VisitView;
use visits_http::{Body, Error, Problem, Request, Response, RouteKey, handle_request, json};

visits_http::routes! {
    pub enum Route {
        Notify => "POST /visits/{visitId}/notify",
        Reschedule => "POST /visits/{visitId}/reschedule",
        ResendLink => "POST /join/{code}/resend",
    }
}

pub const ROUTES: &[RouteKey] = Route::KEYS;
/// The routes that answer with a patient's data (each read recorded first).
pub const PATIENT_DATA_ROUTES: &[RouteKey] = Route::PATIENT_DATA;

pub struct App {
    notifications: Notifications,
}

impl App {
    pub fn new(core: Core, notifier: Arc<dyn Notifier>) -> Self {
        Self { notifications: Notifications::new(Arc::new(Links::new(core)), notifier) }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NotifyBody {
    #[serde(default)]
    channels: Option<Vec<Channel>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RescheduleBody {
    scheduled_at: DateTime<Utc>,
    #[serde(default)]
    duration_minutes: Option<DurationMinutes>,
}

#[derive(Serialize)]
struct Accepted {
    status: &'static str,
}

#[derive(Serialize)]
struct Deliveries {
    deliveries: Vec<Delivery>,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    handle_request(request, |request| async move {
        let route = Route::of(&request).ok_or_else(Problem::route_not_found)?;
        if route == Route::ResendLink {
            no_body(&request)?;
            app.notifications.resend_link(&path_param(&request, "code"), &source_ip(&request)).await?;
            // The same answer whatever the code: the caller learns nothing.
            return Ok(json(StatusCode::ACCEPTED, &Accepted { status: "accepted" }));
        }
        let caller = caller(&request)?;
        let id = visit_id(&request)?;
        match route {
            Route::Notify => {
                let body: NotifyBody = json_body(&request)?;
                let deliveries = app.notifications.notify(&caller, &id, body.channels).await?;
                Ok(json(StatusCode::ACCEPTED, &Deliveries { deliveries }))
            }
            Route::Reschedule => {
                let body: RescheduleBody = json_body(&request)?;
                let visit =
                    app.notifications.reschedule(&caller, &id, body.scheduled_at, body.duration_minutes).await?;
                let relation = relation(&caller, &visit);
                Ok(json(StatusCode::OK, &VisitView::new(visit.listed(), relation)))
            }
            Route::ResendLink => Err(Problem::route_not_found()),
        }
    })
    .await
}
