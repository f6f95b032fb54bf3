//! `make dev-aws` against the local AWS: create what the template would (the table, the signing
//! and MAC keys, a verified sender, the user pool and its groups) so the server can start.
//! Refuses to touch anything but a loopback endpoint.

use aws_sdk_cognitoidentityprovider::error::DisplayErrorContext as CognitoError;
use aws_sdk_kms::error::DisplayErrorContext as KmsError;
use aws_sdk_kms::types::{KeySpec, KeyUsageType};

/// The groups the template creates in the user pool.
pub const GROUPS: [&str; 3] = ["admin", "clinician", "patient"];

/// What to create: the functions' own settings.
pub struct Resources {
    pub table: String,
    /// A key id, or an alias to create with its key; none: a new key.
    pub signing_key: Option<String>,
    /// The HMAC key for one-time codes and contact lookups, as `signing_key`.
    pub mac_key: Option<String>,
    pub sender: String,
    /// The user pool's name; found by it, or created with the groups.
    pub user_pool: String,
    /// Where recordings and transcripts go.
    pub recording_bucket: String,
}

/// The ids the functions are configured with.
#[derive(Debug, Clone)]
pub struct Provisioned {
    pub signing_key: String,
    pub mac_key: String,
    pub user_pool_id: String,
    pub recording_bucket: String,
}

impl Resources {
    /// `TABLE_NAME`, `SIGNING_KEY_ID`, `MAC_KEY_ID` (optional), `SENDER_EMAIL` and
    /// `USER_POOL_NAME` (default `video-visits-local`), as the functions and scripts name them.
    pub fn from_env() -> Result<Self, String> {
        Ok(Self {
            table: visits_aws::required("TABLE_NAME").map_err(|e| e.to_string())?,
            signing_key: std::env::var("SIGNING_KEY_ID").ok(),
            mac_key: std::env::var("MAC_KEY_ID").ok(),
            sender: visits_aws::required("SENDER_EMAIL").map_err(|e| e.to_string())?,
            user_pool: std::env::var("USER_POOL_NAME").unwrap_or_else(|_| "video-visits-local".into()),
            recording_bucket: std::env::var("RECORDING_BUCKET")
                .unwrap_or_else(|_| "video-visits-recordings-local".into()),
        })
    }
}

/// Creates what is missing of the resources named by the environment. When `USER_POOL_ID` is
/// set (events/local-env.json names one), the pool found or made must be that one.
pub async fn local_aws(config: &visits_aws::SdkConfig) -> Result<Provisioned, String> {
    let provisioned = create(config, &Resources::from_env()?).await?;
    match std::env::var("USER_POOL_ID") {
        Ok(expected) if expected != provisioned.user_pool_id => Err(format!(
            "the local user pool is {}, not USER_POOL_ID {expected}: is the local AWS started by .ci/local-aws?",
            provisioned.user_pool_id
        )),
        _ => Ok(provisioned),
    }
}

/// Creates what is missing and returns the ids to use.
pub async fn create(config: &visits_aws::SdkConfig, resources: &Resources) -> Result<Provisioned, String> {
    let endpoint = config.endpoint_url().unwrap_or_default();
    if !(endpoint.starts_with("http://127.0.0.1") || endpoint.starts_with("http://localhost")) {
        return Err(format!("refusing to provision {endpoint:?}: only a local AWS emulator"));
    }
    let table = &resources.table;
    let dynamodb = aws_sdk_dynamodb::Client::new(config);
    if dynamodb.describe_table().table_name(table).send().await.is_err() {
        visits_dynamodb::create_table(&dynamodb, table).await?;
    }
    let kms = aws_sdk_kms::Client::new(config);
    let signing_key = key(&kms, resources.signing_key.clone(), KeySpec::EccNistP256, KeyUsageType::SignVerify).await?;
    let mac_key = key(&kms, resources.mac_key.clone(), KeySpec::Hmac256, KeyUsageType::GenerateVerifyMac).await?;
    aws_sdk_sesv2::Client::new(config)
        .create_email_identity()
        .email_identity(&resources.sender)
        .send()
        .await
        .map(|_| ())
        .or_else(|e| match e.as_service_error() {
            Some(already) if already.is_already_exists_exception() => Ok(()),
            _ => Err(aws_sdk_sesv2::error::DisplayErrorContext(e).to_string()),
        })?;
    let user_pool_id = user_pool(&aws_sdk_cognitoidentityprovider::Client::new(config), &resources.user_pool).await?;
    bucket(&path_style_s3(config), &resources.recording_bucket).await?;
    Ok(Provisioned { signing_key, mac_key, user_pool_id, recording_bucket: resources.recording_bucket.clone() })
}

/// An S3 client for a local AWS, which serves buckets by path, not by host name.
pub fn path_style_s3(config: &visits_aws::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(config).force_path_style(true).build())
}

/// The bucket, created unless it is there.
async fn bucket(s3: &aws_sdk_s3::Client, name: &str) -> Result<(), String> {
    if s3.head_bucket().bucket(name).send().await.is_ok() {
        return Ok(());
    }
    s3.create_bucket()
        .bucket(name)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_sdk_s3::error::DisplayErrorContext(e).to_string())
}

/// A key id as given; an alias (what events/local-env.json names), created with its key the
/// first time; or a new key.
async fn key(
    kms: &aws_sdk_kms::Client,
    name: Option<String>,
    spec: KeySpec,
    usage: KeyUsageType,
) -> Result<String, String> {
    match name {
        Some(alias) if alias.starts_with("alias/") => {
            if kms.describe_key().key_id(&alias).send().await.is_err() {
                let key = new_key(kms, spec, usage).await?;
                kms.create_alias()
                    .alias_name(&alias)
                    .target_key_id(key)
                    .send()
                    .await
                    .map_err(|e| KmsError(e).to_string())?;
            }
            Ok(alias)
        }
        Some(id) => Ok(id),
        None => new_key(kms, spec, usage).await,
    }
}

async fn new_key(kms: &aws_sdk_kms::Client, spec: KeySpec, usage: KeyUsageType) -> Result<String, String> {
    kms.create_key()
        .key_spec(spec)
        .key_usage(usage)
        .send()
        .await
        .map_err(|e| KmsError(e).to_string())?
        .key_metadata()
        .map(|m| m.key_id().to_owned())
        .ok_or_else(|| "KMS returned no key id".to_owned())
}

/// The pool named `name`, or a new one with the template's groups. Created with nothing but its
/// name, so the local AWS's hash-derived id (`.ci/local-aws`) is the same on every machine.
async fn user_pool(cognito: &aws_sdk_cognitoidentityprovider::Client, name: &str) -> Result<String, String> {
    let pools = cognito.list_user_pools().max_results(60).send().await.map_err(|e| CognitoError(e).to_string())?;
    if let Some(id) = pools.user_pools().iter().find(|p| p.name() == Some(name)).and_then(|p| p.id()) {
        return Ok(id.to_owned());
    }
    let created = cognito.create_user_pool().pool_name(name).send().await.map_err(|e| CognitoError(e).to_string())?;
    let id = created.user_pool().and_then(|p| p.id()).ok_or("Cognito returned no pool id")?.to_owned();
    for group in GROUPS {
        cognito
            .create_group()
            .user_pool_id(&id)
            .group_name(group)
            .send()
            .await
            .map_err(|e| CognitoError(e).to_string())?;
    }
    Ok(id)
}
