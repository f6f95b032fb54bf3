//! `connect-flow`: an Amazon Connect contact flow invokes this with the standard
//! `ContactFlowEvent` and gets back a flat map of strings for the agent's screen-pop.

use std::collections::HashMap;

use aws_lambda_events::event::connect::ConnectEvent;
use lambda_runtime::{Error, LambdaEvent};
use visits_domain::model::RequestInfo;
use visits_domain::usecases::{ContactFlow, ContactFlowError, Core};

pub struct App {
    flow: ContactFlow,
}

impl App {
    pub fn new(core: Core) -> Self {
        Self { flow: ContactFlow::new(core) }
    }
}

/// Never fails the invocation: a contact flow branches on the `error` attribute instead.
pub async fn handle(app: &App, event: LambdaEvent<ConnectEvent>) -> Result<HashMap<String, String>, Error> {
    let details = &event.payload.details;
    let visit_id = details
        .contact_data
        .attributes
        .get("visitId")
        .or_else(|| details.parameters.get("visitId"))
        .map(String::as_str);
    // A contact flow's invocation has no API request: its Lambda request id names it.
    let seen_by = RequestInfo { request_id: event.context.request_id.clone(), client: None, source_ip: None };
    let answer = match app.flow.attributes(visit_id, &seen_by).await {
        Ok(attributes) => attributes.into_iter().collect(),
        Err(error) => {
            let code = match &error {
                ContactFlowError::MissingVisitId => "missing_visit_id",
                ContactFlowError::VisitNotFound => "visit_not_found",
                ContactFlowError::Domain(_) => "unavailable",
            };
            tracing::warn!(error = code, "contact flow lookup refused");
            HashMap::from([("error".to_owned(), code.to_owned())])
        }
    };
    Ok(answer)
}
