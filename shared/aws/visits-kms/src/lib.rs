//! The KMS signer: ES256 with a KMS `ECC_NIST_P256` / `SIGN_VERIFY` key. KMS signs the JWS signing
//! input as a RAW message (it hashes with SHA-256 itself) and answers a DER signature, which is
//! turned into the 64-byte `r ‖ s` a JWS needs. The public key is fetched with `GetPublicKey`;
//! `visits_domain::tokens::Tokens` caches it, so verifying never calls KMS. [`mac`]: the keyed MAC
//! of one-time codes, by a KMS HMAC key.

mod der;
pub mod mac;

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_kms::Client;
use aws_sdk_kms::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};
use visits_domain::ports::{Dependency, DependencyError, PublicKey, Signer};

pub use der::der_signature_to_raw;
pub use mac::KmsMac;

/// The process's one KMS client, shared by its signer and its MAC, and built the first time a key
/// is used rather than at init: a function that verifies tokens fetches the public key beside its
/// first request's reads, so the build overlaps that wait (docs/benchmarks.md, cold start).
#[derive(Clone)]
pub struct KmsClient(Arc<visits_aws::OnDemand<Client>>);

impl KmsClient {
    pub fn new(config: &visits_aws::SdkConfig) -> Self {
        Self(Arc::new(visits_aws::OnDemand::new(config)))
    }

    /// A client built already (tests hand in clients with faults injected).
    pub fn built(client: Client) -> Self {
        Self(Arc::new(visits_aws::OnDemand::built(client)))
    }

    fn get(&self) -> &Client {
        self.0.get(Client::new)
    }
}

/// The signer on the key named by `SIGNING_KEY_ID` (key id, ARN or alias).
pub fn from_env(config: &visits_aws::SdkConfig) -> Result<KmsSigner, visits_aws::MissingSetting> {
    Ok(KmsSigner { client: KmsClient::new(config), key_id: visits_aws::required("SIGNING_KEY_ID")? })
}

/// The signer of the access log's seals, on the key named by `SEAL_KEY_ID`.
pub fn seal_signer_from_env(config: &visits_aws::SdkConfig) -> Result<KmsSigner, visits_aws::MissingSetting> {
    Ok(KmsSigner { client: KmsClient::new(config), key_id: visits_aws::required("SEAL_KEY_ID")? })
}

pub struct KmsSigner {
    client: KmsClient,
    key_id: String,
}

impl KmsSigner {
    /// `key_id`: a key id, ARN, or `alias/...`.
    pub fn new(client: Client, key_id: impl Into<String>) -> Self {
        Self { client: KmsClient::built(client), key_id: key_id.into() }
    }

    /// The MAC on the key named by `MAC_KEY_ID`, through this signer's client.
    pub fn mac_from_env(&self) -> Result<KmsMac, visits_aws::MissingSetting> {
        Ok(KmsMac::on(self.client.clone(), visits_aws::required("MAC_KEY_ID")?))
    }
}

#[async_trait]
impl Signer for KmsSigner {
    async fn public_key(&self) -> Result<PublicKey, DependencyError> {
        let output = self.client.get().get_public_key().key_id(&self.key_id).send().await.map_err(signer_error)?;
        let der = output
            .public_key()
            .ok_or_else(|| DependencyError::failed(Dependency::Signer, "GetPublicKey returned no key"))?;
        PublicKey::from_sec1_tail(der.as_ref())
            .ok_or_else(|| DependencyError::failed(Dependency::Signer, "the KMS key is not an uncompressed P-256 key"))
    }

    async fn sign(&self, message: &[u8]) -> Result<[u8; 64], DependencyError> {
        let output = self
            .client
            .get()
            .sign()
            .key_id(&self.key_id)
            .message(Blob::new(message))
            .message_type(MessageType::Raw)
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .send()
            .await
            .map_err(signer_error)?;
        let der = output
            .signature()
            .ok_or_else(|| DependencyError::failed(Dependency::Signer, "Sign returned no signature"))?;
        der_signature_to_raw(der.as_ref())
            .ok_or_else(|| DependencyError::failed(Dependency::Signer, "Sign returned a malformed signature"))
    }
}

fn signer_error<E>(error: SdkError<E>) -> DependencyError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    visits_aws::SdkFailure::of("kms", &error).into_error(Dependency::Signer)
}
