//! `schedule-visit`: schedule, list and read visits, read a visit's audit trail, and a patient's
//! access log (who read their data).

mod access_log;
mod audit;
mod list;
mod read;
mod schedule;

use visits_domain::usecases::{AccessReports, Core, Visits};
use visits_http::{Body, Error, Problem, Request, Response, RouteKey, handle_request};

visits_http::routes! {
    pub enum Route {
        Schedule => "POST /visits",
        List => "GET /visits" (reads patient data),
        Read => "GET /visits/{visitId}" (reads patient data),
        Audit => "GET /visits/{visitId}/audit" (reads patient data),
        AccessLog => "GET /patients/{patientId}/access-log" (reads patient data),
    }
}

pub const ROUTES: &[RouteKey] = Route::KEYS;
/// The routes that answer with a patient's data (each read recorded first).
pub const PATIENT_DATA_ROUTES: &[RouteKey] = Route::PATIENT_DATA;

pub struct App {
    visits: Visits,
    reports: AccessReports,
}

impl App {
    pub fn new(core: Core) -> Self {
        Self { visits: Visits::new(core.clone()), reports: AccessReports::new(core) }
    }
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    handle_request(request, |request| async move {
        match Route::of(&request) {
            Some(Route::Schedule) => schedule::handle(app, &request).await,
            Some(Route::List) => list::handle(app, &request).await,
            Some(Route::Read) => read::handle(app, &request).await,
            Some(Route::Audit) => audit::handle(app, &request).await,
            Some(Route::AccessLog) => access_log::handle(app, &request).await,
            None => Err(Problem::route_not_found()),
        }
    })
    .await
}
