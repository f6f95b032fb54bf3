//! The keyed MAC of one-time codes and contact lookups: HMAC-SHA256 by a KMS `HMAC_256` key, so the
//! key never leaves KMS and never sits beside the MACs it makes.

use async_trait::async_trait;
use aws_sdk_kms::Client;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::MacAlgorithmSpec;
use visits_domain::model::Digest;
use visits_domain::ports::{Dependency, DependencyError, Mac};

/// The MAC on the key named by `MAC_KEY_ID` (key id, ARN or alias).
pub fn from_env(config: &visits_aws::SdkConfig) -> Result<KmsMac, visits_aws::MissingSetting> {
    Ok(KmsMac::new(Client::new(config), visits_aws::required("MAC_KEY_ID")?))
}

pub struct KmsMac {
    client: Client,
    key_id: String,
}

impl KmsMac {
    pub fn new(client: Client, key_id: impl Into<String>) -> Self {
        Self { client, key_id: key_id.into() }
    }
}

#[async_trait]
impl Mac for KmsMac {
    async fn mac(&self, message: &[u8]) -> Result<Digest, DependencyError> {
        let output = self
            .client
            .generate_mac()
            .key_id(&self.key_id)
            .mac_algorithm(MacAlgorithmSpec::HmacSha256)
            .message(Blob::new(message))
            .send()
            .await
            .map_err(|error| visits_aws::SdkFailure::of("kms", &error).into_error(Dependency::MacKey))?;
        let tag =
            output.mac().ok_or_else(|| DependencyError::failed(Dependency::MacKey, "GenerateMac returned no MAC"))?;
        let bytes: [u8; 32] = tag
            .as_ref()
            .try_into()
            .map_err(|_| DependencyError::failed(Dependency::MacKey, "GenerateMac returned a MAC of another size"))?;
        Ok(Digest::from_bytes(bytes))
    }
}
