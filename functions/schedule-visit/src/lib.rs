//! `schedule-visit`: schedule, list and read visits, and read a visit's audit trail.

mod audit;
mod list;
mod read;
mod schedule;

use visits_domain::usecases::{Core, Visits};
use visits_http::{Body, Error, Problem, Request, Response, RouteKey, handle_request};

visits_http::routes! {
    pub enum Route {
        Schedule => "POST /visits",
        List => "GET /visits",
        Read => "GET /visits/{visitId}",
        Audit => "GET /visits/{visitId}/audit",
    }
}

pub const ROUTES: &[RouteKey] = Route::KEYS;

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
        match Route::of(&request) {
            Some(Route::Schedule) => schedule::handle(app, &request).await,
            Some(Route::List) => list::handle(app, &request).await,
            Some(Route::Read) => read::handle(app, &request).await,
            Some(Route::Audit) => audit::handle(app, &request).await,
            None => Err(Problem::route_not_found()),
        }
    })
    .await
}
