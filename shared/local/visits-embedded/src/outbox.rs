//! A notifier that keeps what it would send, and prints it for a person trying demo mode.

use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use visits_domain::model::Channel;
use visits_domain::ports::{Notifier, NotifyError, OutgoingMessage};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    pub message_id: String,
    pub message: OutgoingMessage,
}

#[derive(Default)]
struct State {
    sent: Vec<SentMessage>,
    failing_channels: Vec<Channel>,
}

#[derive(Default)]
pub struct Outbox {
    state: Mutex<State>,
    /// Print each message to stderr (demo mode), outside the JSON log stream.
    print: bool,
}

impl Outbox {
    pub fn new(print: bool) -> Self {
        Self { state: Mutex::default(), print }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn sent(&self) -> Vec<SentMessage> {
        self.state().sent.clone()
    }

    /// Makes a channel fail from now on. For tests of partial delivery.
    pub fn fail_channel(&self, channel: Channel) {
        self.state().failing_channels.push(channel);
    }

    /// Every channel works again.
    pub fn recover_channels(&self) {
        self.state().failing_channels.clear();
    }
}

#[async_trait]
impl Notifier for Outbox {
    async fn send(&self, message: &OutgoingMessage) -> Result<String, NotifyError> {
        let mut state = self.state();
        if state.failing_channels.contains(&message.channel()) {
            return Err(NotifyError::Unavailable);
        }
        let message_id = format!("outbox-{}", state.sent.len() + 1);
        if self.print {
            // Demo mode only: the person at the terminal is the recipient. This is not a log line.
            let text = match message {
                OutgoingMessage::Sms { body, .. } => format!("[outbox sms {message_id}] {body}"),
                OutgoingMessage::Email { subject, body, .. } => {
                    format!("[outbox email {message_id}] {subject}\n{body}")
                }
            };
            eprintln!("{text}");
        }
        state.sent.push(SentMessage { message_id: message_id.clone(), message: message.clone() });
        Ok(message_id)
    }
}
