//! The malware scan's results: an upload (and its application's document) moves to clean,
//! infected or failed once; repeated and late results change nothing.

use std::sync::Arc;

use crate::DomainError;
use crate::model::{ScanStatus, Upload, UploadOwner};
use crate::ports::{ApplicationStore, ApplicationWrite, CommitError, UploadStore};
use crate::usecases::core::Core;

pub struct ScanResults {
    core: Core,
    uploads: Arc<dyn UploadStore>,
    applications: Arc<dyn ApplicationStore>,
}

impl ScanResults {
    pub fn new(core: Core, uploads: Arc<dyn UploadStore>, applications: Arc<dyn ApplicationStore>) -> Self {
        Self { core, uploads, applications }
    }

    /// The malware scan's result for object `key`: the upload (and its application's document)
    /// move to it once; a repeated or late result, or a key that is not an upload, changes
    /// nothing. `Ok(false)` when nothing changed.
    pub async fn scanned(&self, key: &str, result: ScanStatus) -> Result<bool, DomainError> {
        let Some(id) = Upload::id_of_key(key) else { return Ok(false) };
        // An application that moves meanwhile is read again; the upload's own version guards it.
        for _ in 0..3 {
            let Some(mut upload) = self.uploads.upload(&id).await? else { return Ok(false) };
            let read_version = upload.version;
            let now = self.core.now();
            if !upload.scanned(result, now) {
                return Ok(false);
            }
            upload.version += 1;
            let application = match &upload.owner {
                UploadOwner::Applicant { application_id } => {
                    let mut application =
                        self.applications.application(application_id).await?.ok_or(DomainError::ApplicationNotFound)?;
                    let expected_version = application.version;
                    for document in application.documents.iter_mut().filter(|d| d.upload_id == id.as_str()) {
                        document.status = result;
                    }
                    application.version += 1;
                    application.updated_at = now;
                    Some(ApplicationWrite { application, expected_version })
                }
                UploadOwner::Patient { .. } => None,
            };
            match self.uploads.save_upload(&upload, Some(read_version), application).await {
                Ok(()) => return Ok(true),
                Err(CommitError::VersionConflict) => continue,
                Err(CommitError::Store(error)) => return Err(DomainError::from(error)),
                Err(other) => return Err(DomainError::Internal(format!("a scan result: {other}"))),
            }
        }
        Err(DomainError::Unavailable { dependency: "store (busy upload)", retry_after_seconds: 1 })
    }
}
