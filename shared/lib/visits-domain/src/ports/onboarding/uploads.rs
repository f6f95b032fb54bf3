use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{Application, Upload, UploadContentType, UploadId, UploadSize};
use crate::ports::{CommitError, DependencyError};

/// An application moved with an upload (its `documents`), written only over the version read.
pub struct ApplicationWrite {
    pub application: Application,
    pub expected_version: u64,
}

/// Where uploads are kept.
#[async_trait]
pub trait UploadStore: Send + Sync {
    async fn upload(&self, id: &UploadId) -> Result<Option<Upload>, DependencyError>;
    /// Writes `upload` (new when `expected_version` is `None`, else over that version) and, in the
    /// same write, the application whose documents it is in.
    async fn save_upload(
        &self,
        upload: &Upload,
        expected_version: Option<u64>,
        application: Option<ApplicationWrite>,
    ) -> Result<(), CommitError>;
}

/// A browser's upload straight to storage: a form POST of `fields` and then the file, to `url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedPost {
    pub url: String,
    pub fields: BTreeMap<String, String>,
}

/// What a presigned POST accepts: this key, exactly this type and size, until `expires_at`.
#[derive(Debug, Clone)]
pub struct PostPolicy {
    pub key: String,
    pub content_type: UploadContentType,
    pub size: UploadSize,
    pub expires_at: DateTime<Utc>,
}

/// The object storage documents go to (S3 in AWS). It signs; it does not move bytes for us.
#[async_trait]
pub trait ObjectStorage: Send + Sync {
    async fn presigned_post(&self, policy: &PostPolicy, now: DateTime<Utc>) -> Result<PresignedPost, DependencyError>;
    /// A URL that reads `key` until `expires_at`.
    async fn presigned_get(
        &self,
        key: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<String, DependencyError>;
}
