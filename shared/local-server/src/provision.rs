//! `make dev-aws` against the local AWS: create what the template would (the table, the signing
//! key, a verified sender) so the server can start. Refuses to touch anything but a loopback
//! endpoint.

use aws_sdk_kms::types::{KeySpec, KeyUsageType};

/// What to create: the functions' own settings.
pub struct Resources {
    pub table: String,
    /// A key id, or an alias to create with its key; none: a new key.
    pub signing_key: Option<String>,
    pub sender: String,
}

impl Resources {
    /// `TABLE_NAME`, `SIGNING_KEY_ID` (optional) and `SENDER_EMAIL`, as the functions read them.
    pub fn from_env() -> Result<Self, String> {
        Ok(Self {
            table: visits_aws::required("TABLE_NAME").map_err(|e| e.to_string())?,
            signing_key: std::env::var("SIGNING_KEY_ID").ok(),
            sender: visits_aws::required("SENDER_EMAIL").map_err(|e| e.to_string())?,
        })
    }
}

/// Creates what is missing of the resources named by the environment, and returns the signing
/// key id to use.
pub async fn local_aws(config: &visits_aws::SdkConfig) -> Result<String, String> {
    create(config, &Resources::from_env()?).await
}

/// Creates what is missing and returns the signing key id to use.
pub async fn create(config: &visits_aws::SdkConfig, resources: &Resources) -> Result<String, String> {
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
    let key_id = match resources.signing_key.clone() {
        // An alias (what events/local-env.json names) is created with its key the first time.
        Some(alias) if alias.starts_with("alias/") => {
            if kms.describe_key().key_id(&alias).send().await.is_err() {
                let key = new_signing_key(&kms).await?;
                kms.create_alias()
                    .alias_name(&alias)
                    .target_key_id(key)
                    .send()
                    .await
                    .map_err(|e| aws_sdk_kms::error::DisplayErrorContext(e).to_string())?;
            }
            alias
        }
        Some(id) => id,
        None => new_signing_key(&kms).await?,
    };
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
    Ok(key_id)
}

async fn new_signing_key(kms: &aws_sdk_kms::Client) -> Result<String, String> {
    kms.create_key()
        .key_spec(KeySpec::EccNistP256)
        .key_usage(KeyUsageType::SignVerify)
        .send()
        .await
        .map_err(|e| aws_sdk_kms::error::DisplayErrorContext(e).to_string())?
        .key_metadata()
        .map(|m| m.key_id().to_owned())
        .ok_or_else(|| "KMS returned no key id".to_owned())
}
