use async_trait::async_trait;

use crate::model::{Channel, Email, PhoneNumber};

/// A message to a patient. Holds the link and the visit time, nothing about health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutgoingMessage {
    Sms {
        to: PhoneNumber,
        body: String,
    },
    /// `calendar`: an `.ics` invitation to attach (`invite.ics`, `text/calendar`).
    Email {
        to: Email,
        subject: String,
        body: String,
        calendar: Option<String>,
    },
}

impl OutgoingMessage {
    pub fn channel(&self) -> Channel {
        match self {
            Self::Sms { .. } => Channel::Sms,
            Self::Email { .. } => Channel::Email,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("channel unavailable")]
    Unavailable,
    #[error("rejected: {0}")]
    Rejected(String),
}

#[async_trait]
pub trait Notifier: Send + Sync {
    /// Sends one message and returns the channel's message id.
    async fn send(&self, message: &OutgoingMessage) -> Result<String, NotifyError>;
}
