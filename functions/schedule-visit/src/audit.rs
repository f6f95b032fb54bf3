//! `GET /visits/{visitId}/audit`: the visit's chain and the refusals kept beside it, as one list
//! by time (at the same instant, chain events first, refusals by number).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use serde::Serialize;
use visits_domain::model::{AuditKind, AuditRecord, RefusalRecord};
use visits_http::caller::{caller, request_info};
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
    hash: String,
    /// The chain's sequence number and link back (chain events).
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev_hash: Option<String>,
    /// The refusal's number among its link's refusals (refusals).
    #[serde(skip_serializing_if = "Option::is_none")]
    refusal: Option<u64>,
    #[serde(flatten)]
    data: BTreeMap<&'a str, &'a str>,
}

impl<'a> Event<'a> {
    fn chained(record: &'a AuditRecord) -> Self {
        Self {
            at: record.at,
            kind: record.kind,
            actor: &record.actor,
            hash: record.hash.to_hex(),
            seq: Some(record.seq),
            prev_hash: Some(record.prev_hash.to_hex()),
            refusal: None,
            data: record.data.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
        }
    }

    fn refused(record: &'a RefusalRecord) -> Self {
        Self {
            at: record.at,
            kind: AuditKind::LinkRefused,
            actor: "anonymous",
            hash: record.hash.to_hex(),
            seq: None,
            prev_hash: None,
            refusal: Some(record.n),
            data: BTreeMap::from([("reason", record.reason.as_str())]),
        }
    }
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
    let trail = app.visits.audit_trail(&caller, &id, &request_info(request)).await?;
    let mut events: Vec<Event> = trail.records.iter().map(Event::chained).collect();
    let mut refusals: Vec<&RefusalRecord> = trail.refusals.iter().collect();
    refusals.sort_by_key(|r| (r.at, r.n));
    events.extend(refusals.into_iter().map(Event::refused));
    // Stable: at the same instant the chain (already in order) stays ahead of the refusals.
    events.sort_by_key(|event| event.at);
    Ok(json(StatusCode::OK, &Trail { events, chain_valid: trail.valid }))
}
