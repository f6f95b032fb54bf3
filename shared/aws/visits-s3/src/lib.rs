//! Uploads go straight from the browser to the bucket; this crate only signs. A presigned POST is
//! a SigV4-signed POST policy (the Rust SDK presigns only GET and PUT, aws-sdk-rust#863) that pins
//! the key, the exact type and size, SSE-KMS with the bucket's key, and its expiry. A download is a
//! SigV4 query-signed GET. Credentials come from the function's role, as the SDK's do.

mod post_policy;

use std::time::SystemTime;

use async_trait::async_trait;
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign};
use aws_sigv4::sign::v4;
use chrono::{DateTime, Utc};
use visits_domain::ports::{Dependency, DependencyError, ObjectStorage, PostPolicy, PresignedPost};

pub use post_policy::post_fields;

/// The bucket named by `UPLOAD_BUCKET`, objects encrypted with `UPLOAD_KMS_KEY_ARN`.
pub fn from_env(config: &visits_aws::SdkConfig) -> Result<S3Storage, visits_aws::MissingSetting> {
    let bucket = visits_aws::required("UPLOAD_BUCKET")?;
    let kms_key = visits_aws::required("UPLOAD_KMS_KEY_ARN")?;
    let credentials = config
        .credentials_provider()
        .unwrap_or_else(|| SharedCredentialsProvider::new(Credentials::new("", "", None, None, "none")));
    let region = config.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".into());
    Ok(S3Storage::new(credentials, region, bucket, kms_key, config.endpoint_url().map(str::to_owned)))
}

pub struct S3Storage {
    credentials: SharedCredentialsProvider,
    region: String,
    bucket: String,
    kms_key: String,
    /// A custom endpoint (the local AWS): path-style URLs under it.
    endpoint: Option<String>,
}

impl S3Storage {
    pub fn new(
        credentials: SharedCredentialsProvider,
        region: impl Into<String>,
        bucket: impl Into<String>,
        kms_key: impl Into<String>,
        endpoint: Option<String>,
    ) -> Self {
        Self {
            credentials,
            region: region.into(),
            bucket: bucket.into(),
            kms_key: kms_key.into(),
            endpoint: endpoint.map(|e| e.trim_end_matches('/').to_owned()),
        }
    }

    /// The bucket's URL: virtual-hosted in AWS, path-style under a custom endpoint.
    fn bucket_url(&self) -> String {
        match &self.endpoint {
            Some(endpoint) => format!("{endpoint}/{}", self.bucket),
            None => format!("https://{}.s3.{}.amazonaws.com", self.bucket, self.region),
        }
    }

    async fn credentials(&self) -> Result<Credentials, DependencyError> {
        self.credentials.provide_credentials().await.map_err(|error| {
            tracing::warn!(error = %error, "no credentials to sign an upload with");
            DependencyError::unavailable(Dependency::Storage, visits_aws::RETRY_AFTER_SECONDS)
        })
    }
}

#[async_trait]
impl ObjectStorage for S3Storage {
    async fn presigned_post(&self, policy: &PostPolicy, now: DateTime<Utc>) -> Result<PresignedPost, DependencyError> {
        let credentials = self.credentials().await?;
        let fields = post_fields(policy, &self.bucket, &self.kms_key, &self.region, &credentials, now);
        Ok(PresignedPost { url: self.bucket_url(), fields })
    }

    async fn presigned_get(
        &self,
        key: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<String, DependencyError> {
        let credentials = self.credentials().await?;
        let identity = credentials.into();
        let mut settings = SigningSettings::default();
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = (expires_at - now).to_std().ok();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("s3")
            .time(SystemTime::from(now))
            .settings(settings)
            .build()
            .map_err(|e| DependencyError::failed(Dependency::Storage, e.to_string()))?
            .into();
        let url = format!("{}/{key}", self.bucket_url());
        let signable = SignableRequest::new("GET", url.clone(), std::iter::empty(), SignableBody::UnsignedPayload)
            .map_err(|e| DependencyError::failed(Dependency::Storage, e.to_string()))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| DependencyError::failed(Dependency::Storage, e.to_string()))?
            .into_parts();
        let mut request = http::Request::builder()
            .uri(&url)
            .body(())
            .map_err(|e| DependencyError::failed(Dependency::Storage, e.to_string()))?;
        instructions.apply_to_request_http1x(&mut request);
        Ok(request.uri().to_string())
    }
}

#[cfg(test)]
mod tests {
    use aws_credential_types::provider::error::CredentialsError;
    use aws_credential_types::provider::future;
    use visits_domain::model::{UploadContentType, UploadSize};

    use super::*;

    /// A role whose credentials cannot be had right now (the metadata endpoint throttling).
    #[derive(Debug)]
    struct NoCredentials;

    impl ProvideCredentials for NoCredentials {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            future::ProvideCredentials::ready(Err(CredentialsError::provider_timed_out(
                std::time::Duration::from_secs(1),
            )))
        }
    }

    #[tokio::test]
    async fn without_credentials_nothing_is_signed_and_the_caller_may_retry() {
        let storage = S3Storage::new(SharedCredentialsProvider::new(NoCredentials), "us-east-1", "b", "k", None);
        let now = Utc::now();
        let policy = PostPolicy {
            key: "uploads/intake/upl_aaaaaaaaaaaaaaaaaaaa".into(),
            content_type: UploadContentType::Pdf,
            size: UploadSize::parse(1).unwrap(),
            expires_at: now,
        };
        assert!(matches!(storage.presigned_post(&policy, now).await, Err(DependencyError::Unavailable { .. })));
        assert!(matches!(storage.presigned_get("k", now, now).await, Err(DependencyError::Unavailable { .. })));
    }
}
