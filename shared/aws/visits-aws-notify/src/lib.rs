//! Sends join links and codes: email through SES v2 from a verified sender, and (feature `sms`)
//! SMS through SNS as a transactional message to an E.164 number. What a message says is decided
//! by the domain.

use async_trait::async_trait;
use aws_sdk_sesv2::types::{
    Attachment, AttachmentContentDisposition, Body, Content, Destination, EmailContent, Message,
};
use visits_domain::ports::{Notifier, NotifyError, OutgoingMessage};

/// The notifier sending mail from `SENDER_EMAIL` (an SES-verified identity), and SMS when built
/// with them. Each client is built the first time its channel is used: a request mostly sends on
/// one channel, and many invocations send nothing.
pub fn from_env(config: &visits_aws::SdkConfig) -> Result<AwsNotifier, visits_aws::MissingSetting> {
    let sender = visits_aws::required("SENDER_EMAIL")?;
    Ok(AwsNotifier {
        ses: visits_aws::OnDemand::new(config),
        #[cfg(feature = "sms")]
        sns: Some(visits_aws::OnDemand::new(config)),
        sender,
    })
}

pub struct AwsNotifier {
    ses: visits_aws::OnDemand<aws_sdk_sesv2::Client>,
    #[cfg(feature = "sms")]
    sns: Option<visits_aws::OnDemand<aws_sdk_sns::Client>>,
    sender: String,
}

impl AwsNotifier {
    /// `sender`: the SES-verified address mail comes from.
    #[cfg(feature = "sms")]
    pub fn new(ses: aws_sdk_sesv2::Client, sns: aws_sdk_sns::Client, sender: impl Into<String>) -> Self {
        let ses = visits_aws::OnDemand::built(ses);
        Self { ses, sns: Some(visits_aws::OnDemand::built(sns)), sender: sender.into() }
    }

    /// Email only: an SMS is refused.
    pub fn email_only(ses: aws_sdk_sesv2::Client, sender: impl Into<String>) -> Self {
        Self {
            ses: visits_aws::OnDemand::built(ses),
            #[cfg(feature = "sms")]
            sns: None,
            sender: sender.into(),
        }
    }

    async fn email(&self, to: &str, subject: &str, body: &str, calendar: Option<&str>) -> Result<String, NotifyError> {
        let text = |data: &str| Content::builder().data(data).charset("UTF-8").build();
        let mut message = Message::builder()
            .subject(text(subject).map_err(rejected)?)
            .body(Body::builder().text(text(body).map_err(rejected)?).build());
        if let Some(ics) = calendar {
            let invite = Attachment::builder()
                .file_name("invite.ics")
                .content_type("text/calendar; charset=UTF-8; method=PUBLISH")
                .content_disposition(AttachmentContentDisposition::Attachment)
                .raw_content(aws_smithy_types::Blob::new(ics.as_bytes()))
                .build()
                .map_err(rejected)?;
            message = message.attachments(invite);
        }
        let message = message.build();
        let output = self
            .ses
            .get(aws_sdk_sesv2::Client::new)
            .send_email()
            .from_email_address(&self.sender)
            .destination(Destination::builder().to_addresses(to).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|error| failure(visits_aws::SdkFailure::of("ses", &error)))?;
        output.message_id.ok_or_else(|| NotifyError::Rejected("SES returned no message id".into()))
    }

    #[cfg(feature = "sms")]
    async fn sms(&self, to: &str, body: &str) -> Result<String, NotifyError> {
        let Some(sns) = &self.sns else { return Err(NotifyError::Rejected("this notifier sends no SMS".into())) };
        let transactional = aws_sdk_sns::types::MessageAttributeValue::builder()
            .data_type("String")
            .string_value("Transactional")
            .build()
            .map_err(rejected)?;
        let output = sns
            .get(aws_sdk_sns::Client::new)
            .publish()
            .phone_number(to)
            .message(body)
            .message_attributes("AWS.SNS.SMS.SMSType", transactional)
            .send()
            .await
            .map_err(|error| failure(visits_aws::SdkFailure::of("sns", &error)))?;
        output.message_id.ok_or_else(|| NotifyError::Rejected("SNS returned no message id".into()))
    }
}

#[async_trait]
impl Notifier for AwsNotifier {
    async fn send(&self, message: &OutgoingMessage) -> Result<String, NotifyError> {
        match message {
            #[cfg(feature = "sms")]
            OutgoingMessage::Sms { to, body } => self.sms(to.expose(), body).await,
            #[cfg(not(feature = "sms"))]
            OutgoingMessage::Sms { .. } => Err(NotifyError::Rejected("this notifier sends no SMS".into())),
            OutgoingMessage::Email { to, subject, body, calendar } => {
                self.email(to.expose(), subject, body, calendar.as_deref()).await
            }
        }
    }
}

fn rejected(error: impl std::fmt::Display) -> NotifyError {
    NotifyError::Rejected(error.to_string())
}

/// Keeps the service and code only: the request, which the detail may quote, held a phone number
/// or an address.
fn failure(failure: visits_aws::SdkFailure) -> NotifyError {
    let code = failure.code.as_deref().unwrap_or("error");
    tracing::warn!(service = failure.service, code, transient = failure.transient, "message not sent");
    if failure.transient {
        NotifyError::Unavailable
    } else {
        NotifyError::Rejected(format!("{}: {code}", failure.service))
    }
}
