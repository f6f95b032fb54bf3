//! `access-seal`: run every hour by an EventBridge schedule, it seals each hour of the access log
//! that has ended and is not sealed yet (catching up on hours a failed run left), chained to the
//! hour before and signed with the seal key. A failure fails the invocation: the alarm on its
//! errors says so, and the next run catches up.

use chrono::{DateTime, Utc};
use lambda_runtime::{Error, LambdaEvent};
use serde::Serialize;
use visits_domain::usecases::AccessSeals;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sealed {
    pub hours: Vec<DateTime<Utc>>,
}

pub struct App {
    seals: AccessSeals,
}

impl App {
    pub fn new(seals: AccessSeals) -> Self {
        Self { seals }
    }
}

/// The schedule's event carries nothing the sealer needs: what is due follows from the clock.
pub async fn handle(app: &App, _event: LambdaEvent<serde_json::Value>) -> Result<Sealed, Error> {
    let hours = app.seals.seal_due().await?;
    Ok(Sealed { hours })
}
