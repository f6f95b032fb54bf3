//! The system's events on an EventBridge bus (`EVENT_BUS_NAME`), source `video-visits`: one
//! `PutEvents` entry per event. A desk subscribes with a rule on the bus.

use async_trait::async_trait;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use visits_domain::ports::{Dependency, DependencyError, EVENT_SOURCE, EventPublisher, PublishedEvent};

/// The bus named by `EVENT_BUS_NAME`.
pub fn from_env(config: &visits_aws::SdkConfig) -> Result<EventBridgePublisher, visits_aws::MissingSetting> {
    let bus = visits_aws::required("EVENT_BUS_NAME")?;
    Ok(EventBridgePublisher { client: visits_aws::OnDemand::new(config), bus })
}

/// The client is built on first use: visit-jobs publishes for one record in several.
pub struct EventBridgePublisher {
    client: visits_aws::OnDemand<Client>,
    bus: String,
}

impl EventBridgePublisher {
    pub fn new(client: Client, bus: impl Into<String>) -> Self {
        Self { client: visits_aws::OnDemand::built(client), bus: bus.into() }
    }
}

#[async_trait]
impl EventPublisher for EventBridgePublisher {
    async fn publish(&self, event: &PublishedEvent) -> Result<(), DependencyError> {
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus)
            .source(EVENT_SOURCE)
            .detail_type(event.detail_type())
            .detail(event.detail())
            .build();
        let output = self.client.get(Client::new).put_events().entries(entry).send().await.map_err(failure)?;
        // PutEvents answers 200 with the entries it could not take.
        match output.entries().iter().find_map(|entry| entry.error_code()) {
            None if output.failed_entry_count() == 0 => Ok(()),
            Some("ThrottlingException" | "InternalFailure") | None => {
                Err(DependencyError::unavailable(Dependency::EventBus, visits_aws::RETRY_AFTER_SECONDS))
            }
            Some(code) => Err(DependencyError::failed(Dependency::EventBus, code.to_owned())),
        }
    }
}

fn failure<E>(error: SdkError<E>) -> DependencyError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    visits_aws::SdkFailure::of("eventbridge", &error).into_error_by_code(Dependency::EventBus)
}
