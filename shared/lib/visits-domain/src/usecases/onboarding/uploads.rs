//! Uploads: a patient's intake paperwork for their visit, an applicant's licence for their
//! application. The upload goes straight to storage through a presigned POST that pins the key,
//! type, size and 5 minutes; the scan's result decides whether anyone may ever read it.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::DomainError;
use crate::model::{
    AccessAction, AccessOutcome, ApplicationId, ApplicationStatus, Caller, DocumentRef, RequestInfo, Role, ScanStatus,
    Upload, UploadContentType, UploadId, UploadOwner, UploadPurpose, UploadSize, VisitId,
};
use crate::ports::{ApplicationStore, ApplicationWrite, CommitError, ObjectStorage, PostPolicy, UploadStore};
use crate::tokens::Tokens;
use crate::usecases::core::Core;

/// How long a presigned POST or a download URL works.
pub const UPLOAD_URL_LIFETIME: Duration = Duration::minutes(5);

/// Who asks: a signed-in user, or an applicant with their token.
pub enum Uploader<'a> {
    User(&'a Caller),
    Applicant { token: &'a str },
}

/// Who asks, checked: a user, or the applicant of one application.
enum Identity<'a> {
    User(&'a Caller),
    Applicant(ApplicationId),
}

/// `POST /uploads`, each field valid; which id it names is checked against the purpose.
pub struct NewUpload {
    pub purpose: UploadPurpose,
    pub visit_id: Option<VisitId>,
    pub application_id: Option<ApplicationId>,
    pub content_type: UploadContentType,
    pub size: UploadSize,
}

pub struct StartedUpload {
    pub upload: Upload,
    pub url: String,
    pub fields: std::collections::BTreeMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

/// An upload as its reader sees it: a download URL only once it is scanned clean.
pub struct ReadUpload {
    pub upload: Upload,
    pub download_url: Option<String>,
}

pub struct Uploads {
    core: Core,
    tokens: Arc<Tokens>,
    uploads: Arc<dyn UploadStore>,
    applications: Arc<dyn ApplicationStore>,
    storage: Arc<dyn ObjectStorage>,
}

impl Uploads {
    pub fn new(
        core: Core,
        tokens: Arc<Tokens>,
        uploads: Arc<dyn UploadStore>,
        applications: Arc<dyn ApplicationStore>,
        storage: Arc<dyn ObjectStorage>,
    ) -> Self {
        Self { core, tokens, uploads, applications, storage }
    }

    /// Announces an upload and answers with the presigned POST that carries it.
    pub async fn create(&self, who: Uploader<'_>, request: NewUpload) -> Result<StartedUpload, DomainError> {
        let now = self.core.now();
        let id = self.core.ids.upload_id();
        let who = self.identify(who, now).await?;
        let (owner, application) = match (request.purpose, &who) {
            (UploadPurpose::Intake, Identity::User(caller)) if caller.role == Role::Patient => {
                if request.application_id.is_some() {
                    return Err(DomainError::invalid("applicationId", "is for licences; intake names a visitId"));
                }
                let visit_id =
                    request.visit_id.ok_or_else(|| DomainError::invalid("visitId", "is required for intake"))?;
                let visit = self.core.load(&visit_id).await?;
                if *visit.patient_id() != caller.id {
                    return Err(DomainError::VisitNotFound);
                }
                (UploadOwner::Patient { patient_id: caller.id.clone(), visit_id }, None)
            }
            (UploadPurpose::License, Identity::Applicant(theirs)) => {
                if request.visit_id.is_some() {
                    return Err(DomainError::invalid("visitId", "is for intake; a licence names an applicationId"));
                }
                let application_id = request
                    .application_id
                    .ok_or_else(|| DomainError::invalid("applicationId", "is required for a licence"))?;
                if application_id != *theirs {
                    return Err(DomainError::ApplicationNotFound);
                }
                let mut application = self.load_application(&application_id).await?;
                if matches!(application.status, ApplicationStatus::Approved | ApplicationStatus::Rejected) {
                    return Err(DomainError::Conflict("a decided application takes no more documents".into()));
                }
                let expected_version = application.version;
                application.documents.push(DocumentRef { upload_id: id.to_string(), status: ScanStatus::Pending });
                application.version += 1;
                application.updated_at = now;
                (UploadOwner::Applicant { application_id }, Some(ApplicationWrite { application, expected_version }))
            }
            // Intake is a patient's, a licence an applicant's.
            _ => return Err(DomainError::Forbidden),
        };
        let upload = Upload {
            id,
            owner,
            content_type: request.content_type,
            size: request.size,
            status: ScanStatus::Pending,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let expires_at = now + UPLOAD_URL_LIFETIME;
        let policy =
            PostPolicy { key: upload.object_key(), content_type: upload.content_type, size: upload.size, expires_at };
        // Signed before anything is written: a signing failure leaves nothing behind.
        let post = self.storage.presigned_post(&policy, now).await?;
        match self.uploads.save_upload(&upload, None, application).await {
            Ok(()) => {}
            Err(CommitError::VersionConflict) => {
                return Err(DomainError::Conflict("the application changed meanwhile: try again".into()));
            }
            Err(CommitError::Store(error)) => return Err(DomainError::from(error)),
            Err(other) => return Err(DomainError::Internal(format!("a new upload: {other}"))),
        }
        Ok(StartedUpload { upload, url: post.url, fields: post.fields, expires_at })
    }

    /// The upload, for its uploader, an admin (licences) or the visit's clinician (intake). An
    /// intake document is a patient's data: its read, or a refused try, is recorded first.
    pub async fn read(
        &self,
        who: Uploader<'_>,
        raw_id: &str,
        seen_by: &RequestInfo,
    ) -> Result<ReadUpload, DomainError> {
        let now = self.core.now();
        let id = UploadId::parse(raw_id).map_err(|_| DomainError::UploadNotFound)?;
        let who = self.identify(who, now).await?;
        let upload = self.uploads.upload(&id).await?.ok_or(DomainError::UploadNotFound)?;
        let allowed = match (&upload.owner, &who) {
            (UploadOwner::Patient { patient_id, visit_id }, Identity::User(caller)) => match caller.role {
                Role::Patient => caller.id == *patient_id,
                Role::Clinician => self.core.load(visit_id).await.is_ok_and(|v| *v.clinician_id() == caller.id),
                Role::Admin => false,
            },
            (UploadOwner::Applicant { .. }, Identity::User(caller)) => caller.role == Role::Admin,
            (UploadOwner::Applicant { application_id }, Identity::Applicant(theirs)) => application_id == theirs,
            (UploadOwner::Patient { .. }, Identity::Applicant(_)) => false,
        };
        if let (UploadOwner::Patient { patient_id, visit_id }, Identity::User(caller)) = (&upload.owner, &who) {
            let outcome = if allowed { AccessOutcome::Allowed } else { AccessOutcome::Refused };
            let resource = format!("uploads/{}", upload.id);
            let record = self.core.reading(caller, seen_by).record(
                patient_id,
                AccessAction::Download,
                resource,
                Some(visit_id),
                outcome,
            );
            self.core.record_reads(&[record]).await?;
        }
        if !allowed {
            return Err(DomainError::UploadNotFound);
        }
        let download_url = match upload.status {
            ScanStatus::Clean => {
                Some(self.storage.presigned_get(&upload.object_key(), now, now + UPLOAD_URL_LIFETIME).await?)
            }
            _ => None,
        };
        Ok(ReadUpload { upload, download_url })
    }

    /// Who asks, their token checked: an applicant token that is not one is 401.
    async fn identify<'a>(&self, who: Uploader<'a>, now: DateTime<Utc>) -> Result<Identity<'a>, DomainError> {
        match who {
            Uploader::User(caller) => Ok(Identity::User(caller)),
            Uploader::Applicant { token } => {
                let named = self.tokens.verify_applicant(token, now).await?;
                named.map(Identity::Applicant).map_err(|_| DomainError::Unauthenticated)
            }
        }
    }

    async fn load_application(&self, id: &ApplicationId) -> Result<crate::model::Application, DomainError> {
        self.applications.application(id).await?.ok_or(DomainError::ApplicationNotFound)
    }
}
