//! What the local server runs on: the embedded adapters (`make dev`) or the AWS adapters against
//! the local AWS (`make dev-aws`). Either way every function gets the same shared adapters.

use std::sync::Arc;

use serde_json::{Value, json};
use visits_domain::model::{Email, PatientContact, UserId};
use visits_domain::ports::{
    ApplicationStore, CaptureFiles, Directory, Mac, Notifier, OutgoingMessage, ProviderRouter, Recorder, SignupStore,
    StaffDirectory, UploadStore, VideoProvider,
};
use visits_domain::tokens::Tokens;
use visits_domain::usecases::Core;
use visits_embedded::{DirectoryUser, EmbeddedWorld, LocalStorage, Outbox};

use crate::dev_clock::DemoJobs;
use crate::dev_users::DevUsers;
use crate::provision::Provisioned;

/// Where `GET /dev/outbox` reads what was "sent".
pub enum OutboxSource {
    Embedded(Arc<Outbox>),
    /// The local AWS's record of SES mail and SNS SMS.
    Moto(String),
}

pub struct Adapters {
    pub core: Core,
    pub tokens: Arc<Tokens>,
    pub notifier: Arc<dyn Notifier>,
    pub video: Arc<dyn VideoProvider>,
    /// Recording and transcription, and the files they leave.
    pub recorder: Arc<dyn Recorder>,
    pub capture_files: Arc<dyn CaptureFiles>,
    pub outbox: OutboxSource,
    pub onboarding: Onboarding,
    pub users: DevUsers,
    /// Uploads go to the local server in both modes: it checks, keeps and scans them.
    pub storage: Arc<LocalStorage>,
    /// Demo mode's clock and scheduler (`/dev/clock`); none on the AWS adapters.
    pub jobs: Option<DemoJobs>,
}

/// What signup and applications need beyond the visit core.
pub struct Onboarding {
    pub signups: Arc<dyn SignupStore>,
    pub applications: Arc<dyn ApplicationStore>,
    pub uploads: Arc<dyn UploadStore>,
    pub mac: Arc<dyn Mac>,
    pub directory: Arc<dyn Directory>,
    /// Staff's contacts, for the patient-waiting alert.
    pub staff: Arc<dyn StaffDirectory>,
}

impl Adapters {
    pub fn embedded(world: &EmbeddedWorld) -> Self {
        // The demo accounts' profiles: their sign-in name is their email (the clinician's alert).
        for account in &crate::dev_auth::DEMO_ACCOUNTS {
            let (Ok(id), Ok(email)) = (UserId::parse(account.sub), Email::parse(account.username)) else { continue };
            let contact = PatientContact { phone: None, email: Some(email), display_name: None };
            let username = account.username.to_owned();
            world.directory.add_user(DirectoryUser { id, username, group: Some(account.group), contact });
        }
        Self {
            core: world.core(),
            tokens: world.tokens.clone(),
            notifier: world.outbox.clone(),
            video: world.video.clone(),
            recorder: world.recorder.clone(),
            capture_files: world.recorder.clone(),
            outbox: OutboxSource::Embedded(world.outbox.clone()),
            onboarding: Onboarding {
                signups: world.store.clone(),
                applications: world.store.clone(),
                uploads: world.store.clone(),
                mac: world.mac.clone(),
                directory: world.directory.clone(),
                staff: world.directory.clone(),
            },
            users: DevUsers::Embedded(world.directory.clone()),
            storage: world.storage.clone(),
            jobs: Some(DemoJobs {
                clock: world.demo_clock.clone(),
                store: world.store.clone(),
                scheduler: Arc::new(visits_embedded::MemoryScheduler::new()),
                events: world.events.clone(),
                video: world.video.clone(),
            }),
        }
    }

    /// The AWS adapters, configured as the functions are (`TABLE_NAME`, `SENDER_EMAIL`,
    /// `CONNECT_INSTANCE_ID`, `CONNECT_CONTACT_FLOW_ID`, the Chime and Connect endpoints), with the
    /// keys and user pool `provisioned`. `core_of` wraps the store with a clock and a policy.
    pub fn aws(
        config: &visits_aws::SdkConfig,
        provisioned: &Provisioned,
        core_of: impl FnOnce(Arc<dyn visits_domain::ports::Store>) -> Core,
    ) -> Result<Self, String> {
        let parts = AwsParts {
            store: Arc::new(visits_dynamodb::from_env(config).map_err(|e| e.to_string())?),
            kms: aws_sdk_kms::Client::new(config),
            cognito: aws_sdk_cognitoidentityprovider::Client::new(config),
            notifier: Arc::new(visits_aws_notify::from_env(config).map_err(|e| e.to_string())?),
            video: Arc::new(ProviderRouter {
                chime: Arc::new(visits_chime::from_env(config)),
                connect: Arc::new(visits_connect::from_env(config).map_err(|e| e.to_string())?),
            }),
            recorder: Arc::new(visits_media_pipelines::ChimeRecorder::new(
                aws_sdk_chimesdkmediapipelines::Client::new(config),
                aws_sdk_chimesdkmeetings::Client::new(config),
                local_recording_sink(&provisioned.recording_bucket),
                visits_media_pipelines::parse_specialty("PRIMARYCARE").ok_or("a specialty")?,
            )),
            capture_files: Arc::new(visits_recordings::S3CaptureFiles::new(
                crate::provision::path_style_s3(config),
                &provisioned.recording_bucket,
            )),
        };
        Ok(Self::aws_over(parts, provisioned, core_of))
    }

    /// The AWS adapters over `parts`, however their clients were made: the one place the local
    /// server (`aws`) and the tests (whose clients inject faults and count calls) assemble them.
    pub fn aws_over(
        parts: AwsParts,
        provisioned: &Provisioned,
        core_of: impl FnOnce(Arc<dyn visits_domain::ports::Store>) -> Core,
    ) -> Self {
        let AwsParts { store, kms, cognito, notifier, video, recorder, capture_files } = parts;
        let directory = Arc::new(visits_cognito::CognitoDirectory::new(cognito.clone(), &provisioned.user_pool_id));
        let onboarding = Onboarding {
            signups: store.clone(),
            applications: store.clone(),
            uploads: store.clone(),
            mac: Arc::new(visits_kms::KmsMac::new(kms.clone(), &provisioned.mac_key)),
            directory: directory.clone(),
            staff: directory,
        };
        let users = DevUsers::Cognito { client: cognito, user_pool_id: provisioned.user_pool_id.clone() };
        let core = core_of(store);
        let signer = Arc::new(visits_kms::KmsSigner::new(kms, &provisioned.signing_key));
        let tokens = visits_runtime::config::tokens(signer, &core.policy);
        let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
        let storage = Arc::new(local_storage(core.clock.clone()));
        Self {
            core,
            tokens,
            notifier,
            video,
            recorder,
            capture_files,
            outbox: OutboxSource::Moto(endpoint),
            onboarding,
            users,
            storage,
            jobs: None,
        }
    }
}

/// What the AWS adapters are built over: the store, the KMS and Cognito clients, the notifier
/// and the video providers.
pub struct AwsParts {
    pub store: Arc<visits_dynamodb::DynamoStore>,
    pub kms: aws_sdk_kms::Client,
    pub cognito: aws_sdk_cognitoidentityprovider::Client,
    pub notifier: Arc<visits_aws_notify::AwsNotifier>,
    pub video: Arc<ProviderRouter>,
    pub recorder: Arc<dyn Recorder>,
    pub capture_files: Arc<dyn CaptureFiles>,
}

/// Where the local AWS's pipelines write: the provisioned bucket, with a key and a sink role the
/// stand-in takes at their word.
pub fn local_recording_sink(bucket: &str) -> visits_media_pipelines::Sink {
    visits_media_pipelines::Sink {
        bucket: bucket.to_owned(),
        kms_key_arn: "arn:aws:kms:us-east-1:000000000000:alias/video-visits-recordings".into(),
        role_arn: "arn:aws:iam::000000000000:role/video-visits-recordings-sink".into(),
    }
}

/// Demo uploads' storage with a fresh signing key, on `clock`.
pub fn local_storage(clock: Arc<dyn visits_domain::ports::Clock>) -> LocalStorage {
    use visits_domain::ports::IdSource;
    let mut key = [0u8; 32];
    visits_runtime::OsRandom.fill(&mut key);
    LocalStorage::new(&key, clock, visits_embedded::world::uploads_folder())
}

impl OutboxSource {
    /// `{"messages": [{messageId, channel, to, subject?, body}]}`, oldest first per channel.
    pub async fn messages(&self) -> Value {
        let messages: Vec<Value> = match self {
            OutboxSource::Embedded(outbox) => outbox
                .sent()
                .into_iter()
                .map(|sent| match sent.message {
                    OutgoingMessage::Sms { to, body } => {
                        json!({"messageId": sent.message_id, "channel": "sms", "to": to.expose(), "body": body})
                    }
                    OutgoingMessage::Email { to, subject, body, calendar } => json!({
                        "messageId": sent.message_id, "channel": "email", "to": to.expose(), "subject": subject, "body": body,
                        "calendar": calendar,
                    }),
                })
                .collect(),
            OutboxSource::Moto(endpoint) => {
                let data: Value = match reqwest::get(format!("{endpoint}/moto-api/data.json")).await {
                    Ok(response) => response.json().await.unwrap_or_default(),
                    Err(_) => Value::Null,
                };
                let sms = data["sns"]["SMS"].as_array().cloned().unwrap_or_default().into_iter().map(|m| {
                    json!({"messageId": m["message_id"], "channel": "sms", "to": m["phone_number"], "body": m["message"]})
                });
                let mail = data["ses"]["Message"].as_array().cloned().unwrap_or_default().into_iter().map(|m| {
                    json!({"messageId": m["id"], "channel": "email", "to": m["destinations"]["ToAddresses"][0],
                           "subject": m["subject"], "body": m["body"]})
                });
                sms.chain(mail).collect()
            }
        };
        json!({ "messages": messages })
    }
}
