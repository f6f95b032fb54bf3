//! Documents people upload: a patient's intake paperwork for a visit of theirs, an applicant's
//! licence for their application. Nobody reads one until the malware scan says it is clean.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{ApplicationId, ScanStatus, UserId, VisitId};

crate::model::ids::random_id!(
    /// An upload's id: `upl_` and 20 base32 characters.
    UploadId,
    "upl_",
    "upload id"
);

/// What an upload is for; each purpose has its one kind of uploader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadPurpose {
    /// A patient's paperwork for a visit of theirs.
    Intake,
    /// An applicant's licence, for their application.
    License,
}

impl UploadPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Intake => "intake",
            Self::License => "license",
        }
    }
}

/// The three types a document may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UploadContentType {
    #[serde(rename = "application/pdf")]
    Pdf,
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
}

impl UploadContentType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }
}

/// A declared size: 1 byte to 10 MB. The presigned POST accepts exactly this many bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct UploadSize(u64);

impl UploadSize {
    pub const MAX: u64 = 10 * 1024 * 1024;

    pub fn parse(bytes: u64) -> Result<Self, String> {
        if (1..=Self::MAX).contains(&bytes) {
            Ok(Self(bytes))
        } else {
            Err(format!("must be 1 to {} bytes (10 MB)", Self::MAX))
        }
    }

    pub fn bytes(self) -> u64 {
        self.0
    }
}

impl TryFrom<u64> for UploadSize {
    type Error = String;
    fn try_from(bytes: u64) -> Result<Self, String> {
        Self::parse(bytes)
    }
}

impl From<UploadSize> for u64 {
    fn from(size: UploadSize) -> u64 {
        size.0
    }
}

/// Whose the upload is, and what it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum UploadOwner {
    /// Intake paperwork: the patient, for their visit.
    Patient { patient_id: UserId, visit_id: VisitId },
    /// A licence: the applicant, for their application.
    Applicant { application_id: ApplicationId },
}

impl UploadOwner {
    pub fn purpose(&self) -> UploadPurpose {
        match self {
            Self::Patient { .. } => UploadPurpose::Intake,
            Self::Applicant { .. } => UploadPurpose::License,
        }
    }
}

/// An uploaded (or announced) document.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Upload {
    pub id: UploadId,
    pub owner: UploadOwner,
    pub content_type: UploadContentType,
    pub size: UploadSize,
    pub status: ScanStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl Upload {
    /// Where the object lives: by purpose and id, nothing about anyone in it.
    pub fn object_key(&self) -> String {
        object_key(self.owner.purpose(), &self.id)
    }

    /// The upload an object key names, if it is one of ours.
    pub fn id_of_key(key: &str) -> Option<UploadId> {
        let (_, id) = key.strip_prefix("uploads/")?.split_once('/')?;
        UploadId::parse(id).ok()
    }

    /// Records a scan's result. A final result is not overwritten by a late or repeated event:
    /// `false` when nothing changed.
    pub fn scanned(&mut self, result: ScanStatus, now: DateTime<Utc>) -> bool {
        if self.status != ScanStatus::Pending || result == ScanStatus::Pending {
            return false;
        }
        self.status = result;
        self.updated_at = now;
        true
    }
}

pub fn object_key(purpose: UploadPurpose, id: &UploadId) -> String {
    format!("uploads/{}/{id}", purpose.as_str())
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("id", &self.id)
            .field("purpose", &self.owner.purpose())
            .field("status", &self.status)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_types_and_keys() {
        assert!(UploadSize::parse(0).is_err());
        assert!(UploadSize::parse(UploadSize::MAX + 1).is_err());
        assert_eq!(UploadSize::parse(UploadSize::MAX).unwrap().bytes(), UploadSize::MAX);
        assert_eq!(serde_json::to_value(UploadContentType::Pdf).unwrap(), "application/pdf");
        assert!(serde_json::from_value::<UploadContentType>("text/html".into()).is_err());
        let id = UploadId::from_random([9; UploadId::RANDOM_BYTES]);
        let key = object_key(UploadPurpose::License, &id);
        assert_eq!(Upload::id_of_key(&key), Some(id));
        assert_eq!(Upload::id_of_key("elsewhere/x"), None);
    }
}
