//! `start-session`: start and join video sessions (the waiting room included), and end or cancel
//! visits. These routes share one function because they are the ones that call the video
//! provider; keeping them together keeps the Chime and Connect SDKs out of every other function.

use std::sync::Arc;

use lambda_http::http::StatusCode;
use serde::Serialize;
use visits_domain::ports::VideoProvider;
use visits_domain::rules::Relation;
use visits_domain::tokens::Tokens;
use visits_domain::usecases::{Core, JoinOutcome, Sessions};
use visits_http::caller::{caller, route_key};
use visits_http::input::{bearer, visit_id};
use visits_http::views::VisitView;
use visits_http::{Body, Error, Problem, Request, Response, RouteKey, handle_request, json};

pub const ROUTES: &[RouteKey] = &[
    "POST /visits/{visitId}/session",
    "POST /join/session",
    "POST /visits/{visitId}/end",
    "POST /visits/{visitId}/cancel",
];

pub struct App {
    sessions: Sessions,
}

impl App {
    pub fn new(core: Core, tokens: Arc<Tokens>, video: Arc<dyn VideoProvider>) -> Self {
        Self { sessions: Sessions::new(core, tokens, video) }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Waiting {
    status: &'static str,
    retry_after_seconds: u64,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    handle_request(request, |request| async move {
        match route_key(&request) {
            Some("POST /visits/{visitId}/session") => {
                let caller = caller(&request)?;
                joined(app.sessions.start(&caller, &visit_id(&request)?).await?)
            }
            Some("POST /join/session") => {
                let token = bearer(&request).ok_or_else(Problem::unauthenticated)?;
                joined(app.sessions.join_with_token(token).await?)
            }
            Some("POST /visits/{visitId}/end") => {
                let caller = caller(&request)?;
                let visit = app.sessions.end(&caller, &visit_id(&request)?).await?;
                Ok(json(StatusCode::OK, &VisitView::new(&visit, Relation::TheClinician)))
            }
            Some("POST /visits/{visitId}/cancel") => {
                let caller = caller(&request)?;
                let visit = app.sessions.cancel(&caller, &visit_id(&request)?).await?;
                Ok(json(StatusCode::OK, &VisitView::new(&visit, Relation::TheClinician)))
            }
            _ => Err(Problem::route_not_found()),
        }
    })
    .await
}

fn joined(outcome: JoinOutcome) -> Result<Response<Body>, Problem> {
    match outcome {
        JoinOutcome::Ready(session) => Ok(json(StatusCode::OK, &session)),
        JoinOutcome::Waiting { retry_after_seconds } => {
            let mut response = json(StatusCode::ACCEPTED, &Waiting { status: "waiting", retry_after_seconds });
            if let Ok(value) = retry_after_seconds.to_string().parse() {
                response.headers_mut().insert("retry-after", value);
            }
            Ok(response)
        }
    }
}
