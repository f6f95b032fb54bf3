//! `schedule-visit`: schedule, list and read visits, and read a visit's audit trail.

mod audit;
mod list;
mod read;
mod schedule;

use visits_domain::usecases::{Core, Visits};
use visits_http::caller::route_key;
use visits_http::{Body, Error, Problem, Request, Response, RouteKey, handle_request};

pub const ROUTES: &[RouteKey] =
    &["POST /visits", "GET /visits", "GET /visits/{visitId}", "GET /visits/{visitId}/audit"];

pub struct App {
    visits: Visits,
}

impl App {
    pub fn new(core: Core) -> Self {
        Self { visits: Visits::new(core) }
    }
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    handle_request(request, |request| async move {
        match route_key(&request) {
            Some("POST /visits") => schedule::handle(app, &request).await,
            Some("GET /visits") => list::handle(app, &request).await,
            Some("GET /visits/{visitId}") => read::handle(app, &request).await,
            Some("GET /visits/{visitId}/audit") => audit::handle(app, &request).await,
            _ => Err(Problem::route_not_found()),
        }
    })
    .await
}
