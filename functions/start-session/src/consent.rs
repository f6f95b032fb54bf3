//! `PUT /join/session/consent` (the patient or a guest, by join token) and
//! `PUT /visits/{visitId}/consent` (the visit's clinician, for themself): a participant's word on
//! the telehealth terms, recording and transcription.

use lambda_http::http::StatusCode;
use serde::Deserialize;
use visits_domain::model::{ConsentGiven, TermsVersion};
use visits_domain::usecases::Consents;
use visits_http::caller::caller;
use visits_http::input::{bearer, json_body, visit_id};
use visits_http::{Body, Problem, Request, Response, json};

/// The body: all of the participant's word at once, nothing else.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConsentBody {
    #[serde(default)]
    telehealth_terms: Option<TermsVersion>,
    recording: bool,
    transcription: bool,
}

impl From<ConsentBody> for ConsentGiven {
    fn from(body: ConsentBody) -> Self {
        Self { telehealth_terms: body.telehealth_terms, recording: body.recording, transcription: body.transcription }
    }
}

pub async fn by_token(consents: &Consents, request: &Request) -> Result<Response<Body>, Problem> {
    let token = bearer(request).ok_or_else(Problem::unauthenticated)?;
    let given = json_body::<ConsentBody>(request)?.into();
    Ok(json(StatusCode::OK, &consents.give_with_token(token, given).await?))
}

pub async fn by_clinician(consents: &Consents, request: &Request) -> Result<Response<Body>, Problem> {
    let caller = caller(request)?;
    let visit = visit_id(request)?;
    let given = json_body::<ConsentBody>(request)?.into();
    Ok(json(StatusCode::OK, &consents.give_as_clinician(&caller, &visit, given).await?))
}
