use std::sync::Arc;

use lambda_runtime::{Error, service_fn};
use visit_jobs::{App, handle};
use visits_domain::usecases::{ApplicantNotices, JobPlans, Links, Notifications, WaitingAlerts};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    visits_runtime::telemetry::init();
    let aws = visits_aws::sdk_config().await;
    let policy = Arc::new(visits_runtime::config::policy_from_env()?);
    let store = Arc::new(visits_dynamodb::from_env(&aws)?);
    let core = visits_runtime::config::core(store.clone(), policy);
    let notifier = Arc::new(visits_aws_notify::from_env(&aws)?);
    let plans = JobPlans::new(core.clone(), Arc::new(visits_scheduler::from_env(&aws)?));
    let notices = ApplicantNotices::new(core.clone(), store, notifier.clone());
    let resends = Notifications::new(Arc::new(Links::new(core.clone())), notifier.clone());
    let alerts = WaitingAlerts::new(
        core,
        Arc::new(visits_cognito::from_env(&aws)?),
        notifier,
        Arc::new(visits_eventbridge::from_env(&aws)?),
    );
    let app = App::new(plans, alerts, resends, notices);
    lambda_runtime::run(service_fn(|event| handle(&app, event))).await
}
