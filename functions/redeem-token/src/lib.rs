//! `redeem-token`: the public join routes. Preview a link, redeem it once for a session token.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};
use visits_domain::DomainError;
use visits_domain::model::{LinkStatus, Provider, TermsVersion};
use visits_domain::ports::SeatRemover;
use visits_domain::tokens::Tokens;
use visits_domain::usecases::{Core, Joins, Redemption};
use visits_http::caller::source_ip;
use visits_http::input::{json_body, no_body, path_param};
use visits_http::{Body, Error, Problem, Request, Response, RouteKey, handle_request, json};

visits_http::routes! {
    pub enum Route {
        Preview => "GET /join/{code}",
        RedeemCode => "POST /join/{code}",
        RedeemToken => "POST /join",
    }
}

pub const ROUTES: &[RouteKey] = Route::KEYS;
/// The routes that answer with a patient's data (each read recorded first).
pub const PATIENT_DATA_ROUTES: &[RouteKey] = Route::PATIENT_DATA;

pub struct App {
    joins: Joins,
}

impl App {
    /// `seats`: where a retired admission's seat is taken away when a newer link is redeemed.
    pub fn new(core: Core, tokens: Arc<Tokens>, seats: Arc<dyn SeatRemover>) -> Self {
        Self { joins: Joins::new(core, tokens, seats) }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PreviewBody {
    status: LinkStatus,
    scheduled_at: DateTime<Utc>,
    duration_minutes: u32,
    opens_at: DateTime<Utc>,
    time_zone: &'static str,
    provider: Provider,
    #[serde(skip_serializing_if = "Option::is_none")]
    telehealth_terms: Option<TermsVersion>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RedeemedBody {
    visit_id: String,
    join_token: String,
    expires_at: DateTime<Utc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    token: String,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    handle_request(request, |request| async move {
        let ip = source_ip(&request);
        match Route::of(&request) {
            Some(Route::Preview) => {
                let preview =
                    app.joins.preview(&path_param(&request, "code"), &ip).await.map_err(|error| match error {
                        // An unknown code is 404 here, with the body of every other refusal.
                        DomainError::LinkUnavailable => Problem::link_unavailable(StatusCode::NOT_FOUND),
                        other => other.into(),
                    })?;
                let body = PreviewBody {
                    status: preview.status,
                    scheduled_at: preview.scheduled_at,
                    duration_minutes: preview.duration.minutes(),
                    opens_at: preview.opens_at,
                    time_zone: preview.time_zone.name(),
                    provider: preview.provider,
                    telehealth_terms: preview.telehealth_terms,
                };
                Ok(json(StatusCode::OK, &body))
            }
            Some(Route::RedeemCode) => {
                no_body(&request)?;
                redeemed(app.joins.redeem_code(&path_param(&request, "code"), &ip).await?)
            }
            Some(Route::RedeemToken) => {
                let body: TokenBody = json_body(&request)?;
                if body.token.trim().is_empty() {
                    return Err(Problem::invalid_field("token", "must not be empty"));
                }
                redeemed(app.joins.redeem_token(&body.token, &ip).await?)
            }
            None => Err(Problem::route_not_found()),
        }
    })
    .await
}

fn redeemed(redemption: Redemption) -> Result<Response<Body>, Problem> {
    let body = RedeemedBody {
        visit_id: redemption.visit_id.to_string(),
        join_token: redemption.join_token,
        expires_at: redemption.expires_at,
    };
    Ok(json(StatusCode::OK, &body))
}
