//! The keyed MAC of one-time codes and contact lookups: HMAC-SHA256 by a KMS `HMAC_256` key, so the
//! key never leaves KMS and never sits beside the MACs it makes.

use async_trait::async_trait;
use aws_sdk_kms::Client;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::MacAlgorithmSpec;
use visits_domain::model::Digest;
use visits_domain::ports::{Dependency, DependencyError, Mac};

use crate::KmsClient;

/// The MAC on a KMS HMAC key: a function takes it from its signer (`KmsSigner::mac_from_env`),
/// so one client serves both.
pub struct KmsMac {
    client: KmsClient,
    key_id: String,
}

impl KmsMac {
    pub fn new(client: Client, key_id: impl Into<String>) -> Self {
        Self::on(KmsClient::built(client), key_id)
    }

    pub(crate) fn on(client: KmsClient, key_id: impl Into<String>) -> Self {
        Self { client, key_id: key_id.into() }
    }
}

#[async_trait]
impl Mac for KmsMac {
    async fn mac(&self, message: &[u8]) -> Result<Digest, DependencyError> {
        let output = self
            .client
            .get()
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
