//! The access log's seals in S3. The bucket has Object Lock in compliance mode with a default
//! retention of six years (template.yaml): a seal can be neither changed nor deleted early, by
//! anyone. A seal is written only where none is (`If-None-Match: *`), so a rerun never rewrites
//! an hour.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use visits_aws::SdkFailure;
use visits_domain::ports::{Dependency, DependencyError, SealStore};

/// The seals in the bucket named by `SEAL_BUCKET`.
pub fn from_env(config: &visits_aws::SdkConfig) -> Result<S3Seals, visits_aws::MissingSetting> {
    Ok(S3Seals::new(Client::new(config), visits_aws::required("SEAL_BUCKET")?))
}

pub struct S3Seals {
    client: Client,
    bucket: String,
}

impl S3Seals {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self { client, bucket: bucket.into() }
    }
}

#[async_trait]
impl SealStore for S3Seals {
    async fn put_seal(&self, key: &str, signed: &str) -> Result<String, DependencyError> {
        let put = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("application/jose")
            .if_none_match("*")
            .body(ByteStream::from(signed.as_bytes().to_vec()))
            .send()
            .await;
        match put {
            Ok(_) => Ok(signed.to_owned()),
            // Another run sealed the hour first: its seal stands, and is the one to chain to.
            Err(error) if error.code() == Some("PreconditionFailed") => self
                .seal(key)
                .await?
                .ok_or_else(|| DependencyError::failed(Dependency::Storage, format!("the seal {key} vanished"))),
            Err(error) => Err(SdkFailure::of("s3", &error).into_error(Dependency::Storage)),
        }
    }

    async fn seal(&self, key: &str) -> Result<Option<String>, DependencyError> {
        let output = match self.client.get_object().bucket(&self.bucket).key(key).send().await {
            Ok(output) => output,
            Err(error) if error.code() == Some("NoSuchKey") => return Ok(None),
            Err(error) => return Err(SdkFailure::of("s3", &error).into_error(Dependency::Storage)),
        };
        let bytes =
            output.body.collect().await.map_err(|e| DependencyError::failed(Dependency::Storage, e.to_string()))?;
        String::from_utf8(bytes.to_vec())
            .map(Some)
            .map_err(|_| DependencyError::failed(Dependency::Storage, format!("the seal {key} is not text")))
    }
}
