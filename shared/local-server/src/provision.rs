//! `make dev-aws` against the local AWS: create what the template would (the table, the signing
//! key, a verified sender) so the server can start. Refuses to touch anything but a loopback
//! endpoint.

use aws_sdk_kms::types::{KeySpec, KeyUsageType};

/// Creates what is missing and returns the signing key id to use.
pub async fn local_aws(config: &visits_aws::SdkConfig) -> Result<String, String> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    if !(endpoint.starts_with("http://127.0.0.1") || endpoint.starts_with("http://localhost")) {
        return Err(format!("refusing to provision {endpoint:?}: only a local AWS emulator"));
    }
    let table = visits_aws::required("TABLE_NAME").map_err(|e| e.to_string())?;
    let dynamodb = aws_sdk_dynamodb::Client::new(config);
    if dynamodb.describe_table().table_name(&table).send().await.is_err() {
        visits_dynamodb::create_table(&dynamodb, &table).await?;
    }
    let key_id = match std::env::var("SIGNING_KEY_ID") {
        Ok(id) => id,
        Err(_) => aws_sdk_kms::Client::new(config)
            .create_key()
            .key_spec(KeySpec::EccNistP256)
            .key_usage(KeyUsageType::SignVerify)
            .send()
            .await
            .map_err(|e| aws_sdk_kms::error::DisplayErrorContext(e).to_string())?
            .key_metadata()
            .map(|m| m.key_id().to_owned())
            .ok_or("KMS returned no key id")?,
    };
    let sender = visits_aws::required("SENDER_EMAIL").map_err(|e| e.to_string())?;
    aws_sdk_sesv2::Client::new(config)
        .create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .map(|_| ())
        .or_else(|e| match e.as_service_error() {
            Some(already) if already.is_already_exists_exception() => Ok(()),
            _ => Err(aws_sdk_sesv2::error::DisplayErrorContext(e).to_string()),
        })?;
    Ok(key_id)
}
