//! `mint-link`: mint a one-time join link for a visit.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use serde::Serialize;
use visits_domain::tokens::Tokens;
use visits_domain::usecases::{Core, Links};
use visits_http::caller::caller;
use visits_http::input::{no_body, visit_id};
use visits_http::{Body, Error, Problem, Request, Response, RouteKey, handle_request, json};

visits_http::routes! {
    pub enum Route {
        Mint => "POST /visits/{visitId}/links",
    }
}

pub const ROUTES: &[RouteKey] = Route::KEYS;
/// The routes that answer with a patient's data (each read recorded first).
pub const PATIENT_DATA_ROUTES: &[RouteKey] = Route::PATIENT_DATA;

pub struct App {
    links: Links,
    tokens: Arc<Tokens>,
}

impl App {
    pub fn new(core: Core, tokens: Arc<Tokens>) -> Self {
        Self { links: Links::new(core), tokens }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LinkBody<'a> {
    code: &'a str,
    url: &'a str,
    token: &'a str,
    expires_at: DateTime<Utc>,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    handle_request(request, |request| async move {
        let Some(Route::Mint) = Route::of(&request) else { return Err(Problem::route_not_found()) };
        let caller = caller(&request)?;
        let id = visit_id(&request)?;
        no_body(&request)?;
        let link = app.links.mint(&app.tokens, &caller, &id).await?;
        let body =
            LinkBody { code: link.code.expose(), url: &link.url, token: &link.token, expires_at: link.expires_at };
        Ok(json(StatusCode::CREATED, &body))
    })
    .await
}
