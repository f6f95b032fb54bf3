//! `GET /visits/{visitId}/audit`

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use serde::Serialize;
use visits_domain::model::AuditKind;
use visits_http::caller::caller;
use visits_http::input::visit_id;
use visits_http::{Body, Problem, Request, Response, json};

use crate::App;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Event<'a> {
    at: DateTime<Utc>,
    #[serde(rename = "type")]
    kind: AuditKind,
    actor: &'a str,
    seq: u64,
    hash: String,
    prev_hash: String,
    #[serde(flatten)]
    data: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Trail<'a> {
    events: Vec<Event<'a>>,
    chain_valid: bool,
}

pub async fn handle(app: &App, request: &Request) -> Result<Response<Body>, Problem> {
    let caller = caller(request)?;
    let id = visit_id(request)?;
    let (records, chain_valid) = app.visits.audit_trail(&caller, &id).await?;
    let events = records
        .iter()
        .map(|r| Event {
            at: r.at,
            kind: r.kind,
            actor: &r.actor,
            seq: r.seq,
            hash: r.hash.to_hex(),
            prev_hash: r.prev_hash.to_hex(),
            data: &r.data,
        })
        .collect();
    Ok(json(StatusCode::OK, &Trail { events, chain_valid }))
}
